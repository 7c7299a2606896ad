/* yaml.h - a YAML document as a tree of scalars, sequences and mappings, every node with
 * its file:line:col (1-based). Built from libyaml events; the rest of config/ never sees
 * libyaml. Deliberately not supported (each rejected with a located error): anchors and
 * aliases, non-scalar mapping keys or keys containing NUL, duplicate keys in one mapping,
 * several documents in one stream, nesting deeper than 64 levels. Tags are ignored; scalars are text (typing is the schema's job). */
#ifndef MMSIM_CONFIG_YAML_H
#define MMSIM_CONFIG_YAML_H

#include "types.h"

struct diag;

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode;

struct ypair {
	struct ynode *key;             /* always a scalar */
	struct ynode *val;
};

struct ynode {
	enum ynode_kind kind;
	const char *file;              /* borrowed from the ydoc */
	int line, col;                 /* 1-based, where the node starts */
	/* YN_SCALAR */
	char *str;                     /* NUL-terminated; may contain NULs (see len) */
	size_t len;
	bool plain;                    /* unquoted, not a block scalar: "~" and "" mean null */
	/* YN_SEQ: items[nr]; YN_MAP: pairs[nr], in file order */
	struct ynode **items;
	struct ypair *pairs;
	size_t nr;
};

struct ydoc {
	char *file;                    /* name used in messages (owned) */
	struct ynode *root;            /* NULL for an empty stream */
	int end_line;                  /* position of the end of the stream, for messages */
};

/* Parse a file. name is used in messages (as given on the command line). Errors go to d:
 * "cannot open: No such file or directory" at the file, syntax errors at their position.
 * Returns NULL when any error was reported (a partial tree is never returned). */
struct ydoc *yaml_load_file(const char *path, struct diag *d);
/* Parse len bytes of text; name is used in messages. */
struct ydoc *yaml_load_string(const char *name, const char *text, size_t len, struct diag *d);
void ydoc_free(struct ydoc *doc);

/* The value of key in a mapping, NULL when absent or when m is not a mapping. */
struct ynode *ynode_get(const struct ynode *m, const char *key);
/* True for a plain empty scalar, "~", "null", "Null" or "NULL". */
bool ynode_is_null(const struct ynode *n);
/* "a scalar", "a sequence", "a mapping" (or "nothing" for a null scalar), for messages. */
const char *ynode_what(const struct ynode *n);

#endif
