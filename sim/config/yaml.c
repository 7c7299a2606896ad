/* yaml.c - libyaml events -> ynode tree with 1-based file:line:col on every node. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "config/diag.h"
#include "config/yaml.h"

#define YAML_MAX_DEPTH 64
#define YAML_MAX_FILE (64ULL << 20)

struct frame {
	struct ynode *n;
	struct ynode *key;             /* mapping: key waiting for its value */
	size_t alloc;
};

struct builder {
	struct ydoc *doc;
	struct diag *d;
	const unsigned char *buf;
	size_t len;
	struct frame stack[YAML_MAX_DEPTH];
	int depth;
	int nr_docs;
	unsigned errors;
};

static void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; n->items && i < n->nr; i++)
		ynode_free(n->items[i]);
	for (size_t i = 0; n->pairs && i < n->nr; i++) {
		ynode_free(n->pairs[i].key);
		ynode_free(n->pairs[i].val);
	}
	free(n->items);
	free(n->pairs);
	free(n);
}

void ydoc_free(struct ydoc *doc)
{
	if (!doc)
		return;
	ynode_free(doc->root);
	free(doc->file);
	free(doc);
}

static struct ynode *ynode_new(struct builder *b, enum ynode_kind kind, yaml_mark_t m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->file = b->doc->file;
	n->line = (int)m.line + 1;
	n->col = (int)m.column + 1;
	return n;
}

__printf(5, 6) static void yerr(struct builder *b, int line, int col, const char *field,
				const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(b->d, b->doc->file, line, col, field, fmt, ap);
	va_end(ap);
	b->errors++;
}

static const char *kind_name(enum ynode_kind k)
{
	return k == YN_SCALAR ? "a scalar" : k == YN_SEQ ? "a sequence" : "a mapping";
}

/* Attach a finished node to the open collection on top of the stack (or make it root). */
static void attach(struct builder *b, struct ynode *n)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *p = f->n;

	if (p->kind == YN_SEQ) {
		if (p->nr == f->alloc) {
			f->alloc = f->alloc ? 2 * f->alloc : 4;
			p->items = xrealloc(p->items, f->alloc * sizeof(*p->items));
		}
		p->items[p->nr++] = n;
		return;
	}
	if (!f->key) {
		if (n->kind != YN_SCALAR)
			yerr(b, n->line, n->col, NULL, "mapping keys must be scalars, got %s",
			     kind_name(n->kind));
		else if (strlen(n->str) != n->len)
			yerr(b, n->line, n->col, NULL, "mapping keys must not contain NUL "
			     "characters");
		f->key = n;
		return;
	}
	if (p->nr == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 4;
		p->pairs = xrealloc(p->pairs, f->alloc * sizeof(*p->pairs));
	}
	p->pairs[p->nr].key = f->key;
	p->pairs[p->nr].val = n;
	p->nr++;
	f->key = NULL;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const struct ypair *a = *(struct ypair *const *)pa, *b = *(struct ypair *const *)pb;
	size_t la = a->key->len, lb = b->key->len;
	int c = memcmp(a->key->str ? a->key->str : "", b->key->str ? b->key->str : "",
		       la < lb ? la : lb);

	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (a->key->line != b->key->line)
		return a->key->line < b->key->line ? -1 : 1;
	return a->key->col < b->key->col ? -1 : a->key->col > b->key->col;
}

/* Report every later occurrence of a key already present in the mapping. */
static void check_duplicates(struct builder *b, struct ynode *m)
{
	size_t nr = 0;
	if (m->nr < 2)
		return;
	const struct ypair **v = xmalloc(m->nr * sizeof(*v));
	for (size_t i = 0; i < m->nr; i++)
		if (m->pairs[i].key->kind == YN_SCALAR)
			v[nr++] = &m->pairs[i];
	qsort(v, nr, sizeof(*v), pair_cmp);
	for (size_t i = 1, first = 0; i < nr; i++) {
		const struct ynode *k = v[i]->key, *f = v[first]->key;
		if (k->len == f->len && memcmp(k->str, f->str, k->len) == 0)
			yerr(b, k->line, k->col, NULL,
			     "duplicate key \"%s\" (first defined at line %d, column %d)", k->str,
			     f->line, f->col);
		else
			first = i;
	}
	free(v);
}

/* Byte offset of a libyaml mark (0-based line and column in characters). */
static size_t mark_offset(const struct builder *b, size_t line, size_t col)
{
	size_t i = 0;
	while (line && i < b->len) {
		if (b->buf[i++] == '\n')
			line--;
	}
	while (col && i < b->len) {
		i++;
		while (i < b->len && (b->buf[i] & 0xc0) == 0x80)
			i++;
		col--;
	}
	return i;
}

static void offset_to_pos(const struct builder *b, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < b->len; i++) {
		if (b->buf[i] == '\n') {
			l++;
			c = 1;
		} else if ((b->buf[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static void report_parser_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "cannot parse";
	int line, col;

	if (p->error == YAML_READER_ERROR) {
		offset_to_pos(b, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			yerr(b, line, col, NULL, "syntax error: %s (byte 0x%02x)", problem,
			     (unsigned)p->problem_value & 0xff);
		else
			yerr(b, line, col, NULL, "syntax error: %s", problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		yerr(b, 0, 0, NULL, "out of memory while parsing YAML");
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;

	size_t off = mark_offset(b, p->problem_mark.line, p->problem_mark.column);
	if (off < b->len && b->buf[off] == '\t') {
		yerr(b, line, col, NULL, "syntax error: found a tab character where a token was "
		     "expected (indent YAML with spaces, not tabs)");
		return;
	}
	if (p->context && (p->context_mark.line != p->problem_mark.line ||
			   p->context_mark.column != p->problem_mark.column))
		yerr(b, line, col, NULL, "syntax error: %s (%s started at line %zu, column %zu)",
		     problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else if (p->context)
		yerr(b, line, col, NULL, "syntax error: %s (%s)", problem, p->context);
	else
		yerr(b, line, col, NULL, "syntax error: %s", problem);
}

static bool anchor_check(struct builder *b, const yaml_char_t *anchor, yaml_mark_t m)
{
	if (!anchor)
		return true;
	yerr(b, (int)m.line + 1, (int)m.column + 1, NULL,
	     "anchors (&%s) are not supported: write the value out in full", (const char *)anchor);
	return false;
}

/* Handle one event; returns false when parsing must stop. */
static bool handle_event(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->nr_docs++) {
			yerr(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, NULL,
			     "a second YAML document: a scenario file holds exactly one");
			return false;
		}
		return true;
	case YAML_ALIAS_EVENT:
		yerr(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, NULL,
		     "aliases (*%s) are not supported: write the value out in full",
		     (const char *)ev->data.alias.anchor);
		n = ynode_new(b, YN_SCALAR, ev->start_mark);
		n->str = xstrdup("");
		n->plain = true;
		attach(b, n);
		return true;
	case YAML_SCALAR_EVENT:
		anchor_check(b, ev->data.scalar.anchor, ev->start_mark);
		n = ynode_new(b, YN_SCALAR, ev->start_mark);
		n->len = ev->data.scalar.length;
		n->str = xmalloc(n->len + 1);
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		attach(b, n);
		return true;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			anchor_check(b, ev->data.sequence_start.anchor, ev->start_mark);
		else
			anchor_check(b, ev->data.mapping_start.anchor, ev->start_mark);
		if (b->depth == YAML_MAX_DEPTH) {
			yerr(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, NULL,
			     "nested deeper than %d levels", YAML_MAX_DEPTH);
			return false;
		}
		n = ynode_new(b, ev->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP,
			      ev->start_mark);
		b->stack[b->depth++] = (struct frame){ .n = n };
		return true;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth == 0)
			return false;
		n = b->stack[--b->depth].n;
		if (n->kind == YN_MAP)
			check_duplicates(b, n);
		attach(b, n);
		return true;
	case YAML_STREAM_END_EVENT:
		b->doc->end_line = (int)ev->start_mark.line + 1;
		return true;
	default:
		return true;
	}
}

/* Free whatever is still on the stack after an error (partial collections). */
static void unwind(struct builder *b)
{
	while (b->depth > 0) {
		struct frame *f = &b->stack[--b->depth];
		ynode_free(f->key);
		ynode_free(f->n);
	}
}

struct ydoc *yaml_load_string(const char *name, const char *text, size_t len, struct diag *d)
{
	struct builder b = { .d = d, .buf = (const unsigned char *)text, .len = len };
	yaml_parser_t p;
	bool done = false;

	b.doc = xcalloc(1, sizeof(*b.doc));
	b.doc->file = xstrdup(name);
	if (!yaml_parser_initialize(&p)) {
		yerr(&b, 0, 0, NULL, "out of memory while parsing YAML");
		ydoc_free(b.doc);
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			report_parser_error(&b, &p);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (!handle_event(&b, &ev))
			done = true;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	unwind(&b);
	if (b.errors) {
		ydoc_free(b.doc);
		return NULL;
	}
	return b.doc;
}

struct ydoc *yaml_load_file(const char *path, struct diag *d)
{
	struct stat st;
	FILE *f;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_at(d, path, 0, 0, NULL, "cannot open: %s", strerror(EISDIR));
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f) {
		diag_at(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	size_t alloc = 4096, len = 0;
	char *buf = xmalloc(alloc);
	for (;;) {
		if (len == alloc) {
			if (alloc >= YAML_MAX_FILE) {
				diag_at(d, path, 0, 0, NULL, "file too large (the limit is "
					"%lluMiB)", YAML_MAX_FILE >> 20);
				goto fail;
			}
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		size_t n = fread(buf + len, 1, alloc - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				diag_at(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	struct ydoc *doc = yaml_load_string(path, buf, len, d);
	free(buf);
	return doc;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

struct ynode *ynode_get(const struct ynode *m, const char *key)
{
	if (!m || m->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i < m->nr; i++)
		if (m->pairs[i].key->kind == YN_SCALAR && strcmp(m->pairs[i].key->str, key) == 0)
			return m->pairs[i].val;
	return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
	if (!n || n->kind != YN_SCALAR || !n->plain)
		return false;
	return !strcmp(n->str, "") || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
	       !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
}

const char *ynode_what(const struct ynode *n)
{
	if (!n || ynode_is_null(n))
		return "nothing";
	return kind_name(n->kind);
}
