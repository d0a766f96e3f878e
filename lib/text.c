// SPDX-License-Identifier: MIT
/*
 * Untrusted text on its way out. Node names, paths, dump values and log lines
 * come from files a guest may have written; the report must stay what its
 * format promises whatever they hold:
 *
 * - JSON (and every format built on it) is valid UTF-8: json-c copies bytes
 *   above 0x7f as they are, so an invalid sequence is replaced by U+FFFD, the
 *   replacement character, as the Unicode standard recommends (one per
 *   maximal invalid subpart).
 * - Text goes to terminals: a control character in a node name could move
 *   the cursor, rewrite earlier lines or set the window title. C0 and C1
 *   controls, DEL, invalid bytes and the bidirectional overrides that can
 *   reorder what a reader sees are written as \xNN or \u{NNNN} instead, so
 *   one finding stays one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccadma.h"
#include "text.h"

/*
 * Length of the well-formed UTF-8 sequence at p (at most n bytes), with its
 * code point in *cp; 0 if the bytes there are not one (Unicode Table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF), with *bad set to
 * the length of the maximal subpart to replace: the lead byte and the bytes
 * after it that could still have continued it.
 */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned *cp, size_t *bad)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	*bad = 1;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		unsigned b = i < n ? p[i] : 0;

		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf)) {
			*bad = i;
			return 0;
		}
		*cp = (*cp << 6) | (b & 0x3f);
	}
	return len;
}

char *cda_utf8_repair(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;
	char *out;
	unsigned cp;

	/* each invalid byte becomes at most 3 (U+FFFD is EF BF BD) */
	if (len > (SIZE_MAX - 1) / 3 || !(out = malloc(len * 3 + 1)))
		return NULL;
	while (i < len) {
		size_t bad, n = utf8_seq(p + i, len - i, &cp, &bad);

		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		memcpy(out + o, "\xef\xbf\xbd", 3);
		o += 3;
		i += bad;
	}
	out[o] = '\0';
	return out;
}

bool cda_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t bad;

	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_seq(p + i, len - i, &cp, &bad)))
			return false;
	return true;
}

/* What a terminal acts on rather than shows. */
static bool unsafe_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void cda_buf_put_text(struct cda_buf *b, const char *s, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0, i = 0, run = 0;
	unsigned cp;

	while (i < len) {
		size_t bad, n = utf8_seq(p + i, len - i, &cp, &bad);

		if (n && (!unsafe_cp(cp) || (keep_newlines && cp == '\n'))) {
			i += n;
			continue;
		}
		cda_buf_printf(b, "%.*s", (int)(i - run), s + run);
		if (!n)
			cda_buf_printf(b, "\\x%02x", p[i]);
		else if (cp < 0x100)
			cda_buf_printf(b, "\\x%02x", cp);
		else
			cda_buf_printf(b, "\\u{%04x}", cp);
		i += n ? n : 1;
		run = i;
	}
	cda_buf_printf(b, "%.*s", (int)(i - run), s + run);
}

char *cda_text_escape(const char *s)
{
	struct cda_buf b = { 0 };

	cda_buf_put_text(&b, s, false);
	return cda_buf_take(&b);
}
