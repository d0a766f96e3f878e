/* SPDX-License-Identifier: MIT */
/* text.h - untrusted text made safe for JSON (valid UTF-8) and terminals (no controls). */
#ifndef CDA_TEXT_H
#define CDA_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

bool cda_utf8_valid(const char *s, size_t len);
/* A malloc'd, NUL-terminated copy of s[0..len) with invalid UTF-8 replaced by U+FFFD. */
char *cda_utf8_repair(const char *s, size_t len);
/*
 * Append s with control characters, invalid bytes and bidi overrides escaped
 * (newlines kept when keep_newlines, for text that is ours to lay out).
 */
void cda_buf_put_text(struct cda_buf *b, const char *s, bool keep_newlines);

#endif
