/* op.c - names of op types. */
#include <string.h>
#include "task/op.h"

static const char *const op_names[NR_OP_TYPES] = {
	[OP_NONE] = "none",
#define OP_NAME(e, n) [OP_##e] = n,
	OP_TYPES(OP_NAME)
#undef OP_NAME
};

const char *op_type_name(enum op_type t)
{
	return (unsigned)t < NR_OP_TYPES ? op_names[t] : "?";
}

enum op_type op_type_from_name(const char *name)
{
	for (unsigned i = 1; i < NR_OP_TYPES; i++)
		if (strcmp(op_names[i], name) == 0)
			return (enum op_type)i;
	return OP_NONE;
}

static const char *const sysctl_words[NR_SYSCTL_WORDS] = {
#define SYSCTL_WORD_NAME(e, n) [SYSCTL_WORD_##e] = n,
	SYSCTL_WORDS(SYSCTL_WORD_NAME)
#undef SYSCTL_WORD_NAME
};

const char *sysctl_word_name(unsigned w)
{
	return w < NR_SYSCTL_WORDS ? sysctl_words[w] : NULL;
}

int sysctl_word_from_name(const char *name, size_t len)
{
	for (unsigned i = 0; i < NR_SYSCTL_WORDS; i++)
		if (strlen(sysctl_words[i]) == len && !memcmp(sysctl_words[i], name, len))
			return (int)i;
	return -1;
}
