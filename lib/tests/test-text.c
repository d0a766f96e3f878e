// SPDX-License-Identifier: MIT
/* Unit tests for text.c: untrusted strings made valid UTF-8 (JSON) and terminal-safe (text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void repaired(const char *in, size_t len, const char *want)
{
	char *out = cda_utf8_repair(in, len);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_true(cda_utf8_valid(out, strlen(out)));
	free(out);
}

#define FFFD "\xef\xbf\xbd"

static void test_utf8(void **state)
{
	(void)state;
	/* well-formed text, including 2, 3 and 4 byte sequences, is kept as it is */
	assert_true(cda_utf8_valid("pool@8000 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 21));
	repaired("caf\xc3\xa9", 5, "caf\xc3\xa9");
	/* invalid: a stray continuation, a bad lead, overlong forms, surrogates, > U+10FFFF */
	assert_false(cda_utf8_valid("\x80", 1));
	repaired("a\x80z", 3, "a" FFFD "z");
	repaired("a\xffz", 3, "a" FFFD "z");
	repaired("\xc0\xaf", 2, FFFD FFFD);             /* overlong '/' */
	repaired("\xe0\x80\xaf", 3, FFFD FFFD FFFD);    /* overlong, three bytes */
	repaired("\xed\xa0\x80", 3, FFFD FFFD FFFD);    /* a UTF-16 surrogate */
	repaired("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* above U+10FFFF */
	/* a truncated sequence is one replacement (its maximal subpart) */
	repaired("x\xe2\x82", 3, "x" FFFD);
	repaired("\xe2\x82z", 3, FFFD "z");
	/* a NUL inside the range is a character, not the end */
	assert_true(cda_utf8_valid("a\0b", 3));
}

static void escaped(const char *in, bool keep_newlines, const char *want)
{
	struct cda_buf b = { 0 };
	char *out;

	cda_buf_put_text(&b, in, keep_newlines);
	out = cda_buf_take(&b);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_terminal(void **state)
{
	(void)state;
	escaped("/reserved-memory/pool@80000000", false, "/reserved-memory/pool@80000000");
	escaped("caf\xc3\xa9", false, "caf\xc3\xa9");
	/* a cursor move and a window title: ESC and BEL shown, not obeyed */
	escaped("pool\x1b[2J\x1b]0;owned\x07", false, "pool\\x1b[2J\\x1b]0;owned\\x07");
	escaped("a\nb\rc\td", false, "a\\x0ab\\x0dc\\x09d");
	escaped("a\nb", true, "a\nb");
	escaped("a\rb", true, "a\\x0db");
	escaped("del\x7f", false, "del\\x7f");
	escaped("csi\xc2\x9b" "31m", false, "csi\\x9b31m");      /* C1 CSI as UTF-8 */
	escaped("raw\x9b" "31m", false, "raw\\x9b31m");          /* C1 CSI as a raw byte */
	escaped("\xe2\x80\xae" "evil", false, "\\u{202e}evil");  /* RIGHT-TO-LEFT OVERRIDE */
	escaped("bad\xff", false, "bad\\xff");
	escaped("", false, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
