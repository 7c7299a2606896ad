/* op.c - names of op types and of the words a sysctl op writes. */
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
#define SYSCTL_WORD_NAME(e, w) [SYSCTL_WORD_##e] = w,
	SYSCTL_WORDS(SYSCTL_WORD_NAME)
#undef SYSCTL_WORD_NAME
};

const char *sysctl_word_name(u32 w)
{
	return w > SYSCTL_NUMBER && w < NR_SYSCTL_WORDS ? sysctl_words[w] : NULL;
}

u32 sysctl_word_from_name(const char *word)
{
	for (u32 i = SYSCTL_NUMBER + 1; i < NR_SYSCTL_WORDS; i++)
		if (strcmp(sysctl_words[i], word) == 0)
			return i;
	return SYSCTL_NUMBER;
}

void op_init(struct op *op, enum op_type type)
{
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->ret = OP_RET_NONE;
	op->fd = -1;
	op->node = -1;
}
