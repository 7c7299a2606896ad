/* test_json_read.c - the analysis layer's JSON reader: values, escapes, integers kept
 * exact, paths with dotted keys, and located errors for bad text. */
// LINK: mmsim_analysis
#include "check.h"
#include "analysis/json_read.h"

static struct jval *parse(const char *text, char *err)
{
	return jparse(text, strlen(text), err, 256);
}

int main(void)
{
	char err[256] = "";
	struct jval *v = parse("{\"a\": {\"vm.swappiness\": 60, \"x\": [1, -2.5e3, true, null]},"
			       " \"s\": \"t\\u00e9\\n\\ud83d\\ude00\\\"\", \"big\": 9007199254740993}", err);
	CHECK(v != NULL);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_U64(jnum(v, "a/vm.swappiness", -1), 60);
	const struct jval *x = jpath(v, "a/x");
	CHECK(x && x->type == J_ARR && x->n == 4);
	CHECK(x && x->items[1]->num == -2500.0 && !x->items[1]->is_int);
	CHECK(x && x->items[2]->type == J_BOOL && x->items[2]->b);
	CHECK(x && x->items[3]->type == J_NULL);
	CHECK_EQ_STR(jget(v, "s")->str, "t\xc3\xa9\n\xf0\x9f\x98\x80\"");
	CHECK(jget(v, "big")->is_int && jget(v, "big")->i == 9007199254740993LL);
	CHECK(jpath(v, "a/missing") == NULL);
	CHECK(jnum(v, "s", 7) == 7);   /* not a number: the default */
	char buf[128];
	CHECK_EQ_STR(jtext(jpath(v, "a"), buf, sizeof(buf)), "{\"vm.swappiness\":60,\"x\":[1,-2500,true,null]}");
	jfree(v);

	static const struct { const char *text, *err; } bad[] = {
		{ "", "line 1, column 1: unexpected end of text" },
		{ "{\"a\": 1,}", "line 1, column 9: expected a member name" },
		{ "{\"a\" 1}", "line 1, column 6: expected ':'" },
		{ "[1, 2", "line 1, column 6: unexpected end of text" },
		{ "[1]\n x", "line 2, column 2: text after the value" },
		{ "\"a\x01\"", "line 1, column 3: control character in a string" },
		{ "\"\\q\"", "line 1, column 4: bad escape \\q" },
		{ "1x", "line 1, column 2: text after the value" },
		{ "-", "line 1, column 1: bad number \"-\"" },
		{ "nul", "line 1, column 1: unexpected character 'n'" },
		{ "{\"a\": tru}", "line 1, column 7: unexpected character 't'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		struct jval *b = parse(bad[i].text, err);
		CHECK(b == NULL);
		CHECK_EQ_STR(err, bad[i].err);
		jfree(b);
	}
	/* nesting deeper than 64 levels is refused, not followed */
	char deep[200];
	memset(deep, '[', 100);
	deep[100] = 0;
	CHECK(parse(deep, err) == NULL);
	CHECK_EQ_STR(err, "line 1, column 66: nested deeper than 64 levels");
	return check_summary();
}
