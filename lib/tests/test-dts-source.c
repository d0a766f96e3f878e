// SPDX-License-Identifier: MIT
/* Unit tests for dts_source.c: node and property lines of a .dts, by DT path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "dts_source.h"
#include "util.h"

/* Index text; fails the test on an error. Freed with the arena (*a). */
static struct cda_dts_lines *parse(struct cda_arena **a, const char *text)
{
	struct cda_dts_lines *dl = NULL;
	struct cda_error err = { 0 };

	*a = cda_arena_new();
	assert_non_null(*a);
	if (cda_dts_lines_parse(*a, "t.dts", text, strlen(text), &dl, &err))
		fail_msg("%s", err.msg);
	assert_non_null(dl);
	return dl;
}

/* The error text indexing text gives (-CDA_E_FORMAT expected). */
static void refused_bytes(const char *text, size_t len, const char *want)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_dts_lines *dl = (void *)1;
	struct cda_error err = { 0 };

	assert_non_null(a);
	assert_int_equal(cda_dts_lines_parse(a, "t.dts", text, len, &dl, &err), -CDA_E_FORMAT);
	assert_null(dl);
	if (!strstr(err.msg, want))
		fail_msg("'%s' does not say '%s'", err.msg, want);
	cda_arena_free(a);
}

static void refused(const char *text, const char *want)
{
	refused_bytes(text, strlen(text), want);
}

static const char nested[] =
	"/dts-v1/;\n"                                   /* 1 */
	"/ {\n"                                         /* 2 */
	"\t#address-cells = <2>;\n"                     /* 3 */
	"\tsoc {\n"                                     /* 4 */
	"\t\tuart0: serial@1000 {\n"                    /* 5 */
	"\t\t\tcompatible = \"ns16550a\";\n"            /* 6 */
	"\t\t\treg = <0x0 0x1000\n"                     /* 7 */
	"\t\t\t       0x0 0x100>;\n"                    /* 8 */
	"\t\t\tdma-coherent;\n"                         /* 9 */
	"\t\t};\n"                                      /* 10 */
	"\t\tpci@4000 { ranges; };\n"                   /* 11 */
	"\t};\n"                                        /* 12 */
	"};\n";                                         /* 13 */

static void test_nested(void **state)
{
	struct cda_arena *a;
	struct cda_dts_lines *dl = parse(&a, nested);

	(void)state;
	assert_int_equal(cda_dts_line(dl, "/", NULL), 2);
	assert_int_equal(cda_dts_line(dl, "/", "#address-cells"), 3);
	assert_int_equal(cda_dts_line(dl, "/soc", NULL), 4);
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", NULL), 5);
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", "compatible"), 6);
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", "reg"), 7); /* where it starts */
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", "dma-coherent"), 9);
	assert_int_equal(cda_dts_line(dl, "/soc/pci@4000", "ranges"), 11);
	/* a property not set in the file: the node's line; no such node: 0 */
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", "status"), 5);
	assert_int_equal(cda_dts_line(dl, "/soc/serial@2000", NULL), 0);
	assert_int_equal(cda_dts_line(dl, "/soc/serial", "reg"), 0);
	assert_int_equal(cda_dts_line(dl, "serial@1000", NULL), 0);
	assert_int_equal(cda_dts_line(dl, NULL, NULL), 0);
	assert_int_equal(cda_dts_line(NULL, "/", NULL), 0);
	/* a property of one node is not another's */
	assert_int_equal(cda_dts_line(dl, "/soc", "reg"), 4);
	cda_arena_free(a);
}

static const char overrides[] =
	"/dts-v1/;\n"                                   /* 1 */
	"/include/ \"base.dtsi\"\n"                     /* 2 */
	"#include <dt-bindings/gpio.h>\n"               /* 3 */
	"/ {\n"                                         /* 4 */
	"\tmem: memory@80000000 { reg = <1>; };\n"      /* 5 */
	"\ta: b: pool { status = \"okay\"; };\n"        /* 6 */
	"};\n"                                          /* 7 */
	"&mem {\n"                                      /* 8 */
	"\treg = <2>;\n"                                /* 9 */
	"\tsub { x; };\n"                               /* 10 */
	"};\n"                                          /* 11 */
	"/ { chosen { }; };\n"                          /* 12 */
	"&{/pool} { status = \"disabled\"; };\n"        /* 13 */
	"&b { extra; };\n"                              /* 14 */
	"&{/added/by/path} { p; };\n"                   /* 15 */
	"&from_include { q; inner { r; }; };\n"         /* 16 */
	"/delete-node/ &mem;\n"                         /* 17 */
	"/ { /delete-property/ foo; /delete-node/ x; };\n"; /* 18 */

static void test_overrides(void **state)
{
	struct cda_arena *a;
	struct cda_dts_lines *dl = parse(&a, overrides);

	(void)state;
	assert_int_equal(cda_dts_line(dl, "/", NULL), 4);  /* the root written again: first wins */
	assert_int_equal(cda_dts_line(dl, "/chosen", NULL), 12);
	assert_int_equal(cda_dts_line(dl, "/memory@80000000", NULL), 5);
	assert_int_equal(cda_dts_line(dl, "/memory@80000000", "reg"), 9); /* set twice: the last */
	assert_int_equal(cda_dts_line(dl, "/memory@80000000/sub", "x"), 10);
	assert_int_equal(cda_dts_line(dl, "/pool", "status"), 13);
	assert_int_equal(cda_dts_line(dl, "/pool", "extra"), 14); /* the second label works too */
	assert_int_equal(cda_dts_line(dl, "/added/by/path", NULL), 15);
	assert_int_equal(cda_dts_line(dl, "/added/by/path", "p"), 15);
	/* a label from an included file: not found, nor its children */
	assert_int_equal(cda_dts_line(dl, "/from_include", NULL), 0);
	assert_int_equal(cda_dts_line(dl, "/inner", NULL), 0);
	assert_int_equal(cda_dts_line(dl, "/foo", NULL), 0);
	assert_int_equal(cda_dts_line(dl, "/x", NULL), 0);
	cda_arena_free(a);
}

static const char tricky[] =
	"// a comment with { braces; and \"quotes\n"    /* 1 */
	"/* and a block one {\n"                        /* 2 */
	"   over two lines */ /dts-v1/;\n"              /* 3 */
	"/ {\n"                                         /* 4 */
	"\tmodel = \"a } b; c { \\\" d\";\n"            /* 5 */
	"\tn1 { v = <(1 > 2) 3 /* > */ 4>, \"x\";\n"    /* 6 */
	"\t\tb = [00 11 /* ] */ 22];\n"                 /* 7 */
	"\t\tc = <&{/n2} &lbl>; d = 'a';\n"             /* 8 */
	"\t\t#define FOO {\n"                           /* 9: a cpp line, skipped */
	"\t\t# 12 \"x.dts\"\n"                          /* 10 */
	"\t\t#size-cells = <0>;\n"                      /* 11: a property */
	"\t\tw = \"multi\",\n"                          /* 12 */
	"\t\t    \"line\";\n"                           /* 13 */
	"\t};\n"                                        /* 14 */
	"\tn2 {};\n"                                    /* 15 */
	"};\n";

static void test_comments_and_values(void **state)
{
	struct cda_arena *a;
	struct cda_dts_lines *dl = parse(&a, tricky);

	(void)state;
	assert_int_equal(cda_dts_line(dl, "/", NULL), 4);
	assert_int_equal(cda_dts_line(dl, "/", "model"), 5);
	assert_int_equal(cda_dts_line(dl, "/n1", NULL), 6);
	assert_int_equal(cda_dts_line(dl, "/n1", "v"), 6);
	assert_int_equal(cda_dts_line(dl, "/n1", "b"), 7);
	assert_int_equal(cda_dts_line(dl, "/n1", "d"), 8);
	assert_int_equal(cda_dts_line(dl, "/n1", "#size-cells"), 11);
	assert_int_equal(cda_dts_line(dl, "/n1", "w"), 12);
	assert_int_equal(cda_dts_line(dl, "/n2", NULL), 15);
	assert_int_equal(cda_dts_line(dl, "/n1", "FOO"), 6);
	cda_arena_free(a);
}

static void test_hostile(void **state)
{
	static const char bin[] = "\xd0\x0d\xfe\xed\0\0\0\x38/ { };";
	char *deep, *longname;
	size_t n = CDA_DTS_MAX_DEPTH + 1, big = 1u << 20;
	struct cda_arena *a;
	struct cda_dts_lines *dl;

	(void)state;
	refused("/ { a { };\n", "line 1: '{' never closed");
	refused("/ { };\n};\n", "line 2: '}' without its '{'");
	refused_bytes(bin, sizeof(bin) - 1, "binary data (a NUL byte at offset 4");
	refused("", "no device tree node");
	refused("just some text\n", "line 1:");
	refused("/ { a = \"unterminated; };\n", "not closed");
	refused("/ { a = <1 2; };\n", "not closed");
	refused("/* never closed\n/ { };", "comment not closed");
	refused("/ { a = <1>\n};\n", "line 1: property not ended by ';'");
	refused("node { };", "outside the root node");
	refused("/ { &x { }; };", "inside a node");
	refused("/ { { }; };", "expected a node or a property");
	refused("/ { a b; };", "expected '{', '=' or ';'");
	refused("&{/x\n} { };", "&{ without its }");
	refused("/include/ 3", "without a file name");
	refused("/ { /delete-node/ x }", "directive not ended");
	/* nesting: one level more than the limit is refused, the limit itself is read */
	deep = malloc(n * 4 + 8);
	assert_non_null(deep);
	strcpy(deep, "/ {");
	for (size_t i = 1; i < n; i++)
		strcat(deep, "a{");
	for (size_t i = 0; i < n; i++)
		strcat(deep, "};");
	refused(deep, "nested too deep");
	deep[strlen(deep) - 2] = 0;
	memmove(deep + 3, deep + 5, strlen(deep + 5) + 1);
	dl = parse(&a, deep);
	assert_int_equal(cda_dts_line(dl, "/a/a/a", NULL), 1);
	cda_arena_free(a);
	free(deep);
	/* a 1 MiB name is indexed and found */
	longname = malloc(big + 64);
	assert_non_null(longname);
	strcpy(longname, "/ {\n");
	memset(longname + 4, 'n', big);
	strcpy(longname + 4 + big, " { p; };\n};\n");
	dl = parse(&a, longname);
	longname[3] = '/';
	longname[4 + big] = 0;
	assert_int_equal(cda_dts_line(dl, longname + 3, "p"), 2);
	cda_arena_free(a);
	free(longname);
}

/* Many nodes: the index grows, and every node keeps its line. */
static void test_many_nodes(void **state)
{
	struct cda_buf b = { 0 };
	struct cda_arena *a;
	struct cda_dts_lines *dl;
	char *text, path[64];

	(void)state;
	cda_buf_printf(&b, "/ {\n");
	for (int i = 0; i < 5000; i++)
		cda_buf_printf(&b, "\tn@%x { reg = <%d>; };\n", i, i);
	cda_buf_printf(&b, "};\n");
	text = cda_buf_take(&b);
	assert_non_null(text);
	dl = parse(&a, text);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(path, sizeof(path), "/n@%x", i);
		assert_int_equal(cda_dts_line(dl, path, "reg"), i + 2);
	}
	cda_arena_free(a);
	free(text);
}

/* Out of memory at each allocation: -CDA_E_NOMEM naming the file, never a crash. */
static void test_oom(void **state)
{
	struct cda_error err = { 0 };
	size_t limit = 0;
	int ret;

	(void)state;
	do {
		struct cda_arena *a = cda_arena_new();
		struct cda_dts_lines *dl = NULL;

		assert_non_null(a);
		cda_arena_limit(a, limit);
		ret = cda_dts_lines_parse(a, "t.dts", overrides, strlen(overrides), &dl, &err);
		if (ret) {
			assert_int_equal(ret, -CDA_E_NOMEM);
			assert_string_equal(err.msg, "t.dts: out of memory");
			assert_null(dl);
		} else {
			assert_int_equal(cda_dts_line(dl, "/memory@80000000", "reg"), 9);
			assert_int_equal(cda_dts_line(dl, "/pool", "extra"), 14);
		}
		cda_arena_free(a);
		limit += 16;
	} while (ret);
	assert_true(limit > 16);
}

/* The file reader: a file on disk, a missing one, a directory. */
static void test_load(void **state)
{
	char path[] = "/tmp/test-dts-source-XXXXXX";
	struct cda_error err = { 0 };
	struct cda_dts_lines *dl;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, nested, strlen(nested)), (ssize_t)strlen(nested));
	close(fd);
	dl = cda_dts_lines_load(path, &err);
	assert_non_null(dl);
	assert_int_equal(cda_dts_line(dl, "/soc/serial@1000", "dma-coherent"), 9);
	cda_dts_lines_free(dl);
	cda_dts_lines_free(NULL);
	unlink(path);
	assert_null(cda_dts_lines_load(path, &err));
	assert_int_equal(err.code, CDA_E_IO);
	assert_non_null(strstr(err.msg, path));
	assert_null(cda_dts_lines_load("/tmp", &err));
	assert_non_null(strstr(err.msg, "/tmp: is a directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_comments_and_values),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_many_nodes),
		cmocka_unit_test(test_oom),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
