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

#define CDA_LINE_MAX (64u << 10)

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

#endif
