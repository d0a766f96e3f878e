/* SPDX-License-Identifier: MIT */
/*
 * lines.h - streaming line reader for boot logs and traces.
 *
 * Reads a file or standard input through one fixed buffer, so memory stays
 * constant whatever the input size. A line longer than CDA_LINE_MAX is handed
 * out cut at that length (cut = true) and the rest of it is skipped: one
 * hostile line cannot grow the buffer or hide the lines after it.
 *
 * Errors: -CDA_E_IO (open or read failure, a directory), -CDA_E_NOMEM.
 */
#ifndef CDA_LINES_H
#define CDA_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"
#include "facts.h"

#define CDA_LINE_MAX (64u << 10)
#define CDA_FIRST_LINES 5 /* line numbers kept per problem */

struct cda_lines {
	int fd;
	const char *name;  /* display name for errors */
	char *buf;
	size_t start, end; /* unread bytes are buf[start, end) */
	bool eof, skipping;
	uint64_t lineno;   /* number of the line last returned, from 1 */
	uint64_t bytes;    /* bytes read so far */
};

int cda_lines_open(struct cda_lines *lr, const char *path, struct cda_error *err);

/*
 * The next line, without its newline (a trailing \r is dropped too). Returns
 * 1 with *line and *len set, 0 at the end of input, or a negative error. The line
 * stays valid until the next call.
 */
int cda_lines_next(struct cda_lines *lr, const char **line, size_t *len, bool *cut,
		   struct cda_error *err);

void cda_lines_close(struct cda_lines *lr);

/*
 * Read path ("-": standard input) line by line, calling fn for each; *nlines
 * and *bytes (either may be NULL) receive the totals. Returns 0 or the
 * reader's error.
 */
int cda_lines_each(const char *path,
		   void (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno),
		   void *ctx, uint64_t *nlines, uint64_t *bytes, struct cda_error *err);

/*
 * How often something was seen, and the first distinct line numbers it was
 * seen on: what a finding cites instead of every line.
 */
struct cda_line_hits {
	uint64_t count, lines[CDA_FIRST_LINES];
	size_t nlines;
};

static inline void cda_line_hits_add(struct cda_line_hits *h, uint64_t line)
{
	h->count++;
	if (h->nlines < CDA_FIRST_LINES && (h->nlines == 0 || h->lines[h->nlines - 1] != line))
		h->lines[h->nlines++] = line;
}

/* The line numbers as a list; NULL on out of memory. */
struct cda_value *cda_line_hits_list(struct cda_arena *a, const struct cda_line_hits *h);
/* {"count": N, "lines": [...]}; NULL on out of memory. */
struct cda_value *cda_line_hits_value(struct cda_arena *a, const struct cda_line_hits *h);

#endif
