/* SPDX-License-Identifier: MIT */
/* util.h - small helpers shared by the library: errors, whole-file reads. */
#ifndef CDA_UTIL_H
#define CDA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ccadma.h"

/* Fill err and return -code. */
int cda_fail(struct cda_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The one out-of-memory error: "NAME: out of memory" ("out of memory" when
 * name is NULL), returning -CDA_E_NOMEM. Loaders that build facts get it
 * from cda_fb_done() (facts.h).
 */
int cda_oom(struct cda_error *err, const char *name);

/*
 * Read a whole file ("-" is standard input) into a malloc'd buffer with a NUL
 * after the data. Files larger than max bytes are refused, so hostile inputs
 * cannot exhaust memory. Errors: -CDA_E_IO, -CDA_E_FORMAT (too large), -CDA_E_NOMEM.
 */
int cda_read_file(const char *path, size_t max, char **buf, size_t *len, struct cda_error *err);
/* The same for an open descriptor, which it closes; name is for messages. */
int cda_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len,
		struct cda_error *err);

/*
 * Open name in directory dirfd (AT_FDCWD: a path) for reading, only if it is
 * a regular file, and never block: a FIFO or device met in a directory walk
 * must neither hang the run nor be read as data. follow: follow a symbolic
 * link (a rule directory); without it a link is refused (a copy of debugfs
 * or /proc/device-tree must not lead outside itself). Returns the descriptor
 * with *st filled, or -1 with *why saying why not: strerror text, or
 * cda_not_regular()'s.
 */
int cda_open_regular(int dirfd, const char *name, bool follow, struct stat *st, const char **why);
/* Why an entry of this mode is not read: "a FIFO, not a regular file". */
const char *cda_not_regular(mode_t mode);

/*
 * gunzip in memory, refusing output above max bytes (callers pass
 * cda_max_decompressed()). Returns 0 with *out malloc'd, CDA_GUNZIP_OVER when
 * the output would pass max (the data may be sound: say so, not "corrupt"),
 * -CDA_E_FORMAT (corrupt or truncated) or -CDA_E_NOMEM.
 */
#define CDA_GUNZIP_OVER 1
int cda_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out,
	       size_t *outlen);

/*
 * Unsigned hex (no prefix) or decimal digits at [s, end), up to the first
 * other character; *next points past them. False when there is no digit or
 * the value needs more than 64 bits, so huge numbers in a damaged input are
 * caught, never wrapped.
 */
bool cda_parse_hex(const char *s, const char *end, uint64_t *out, const char **next);
bool cda_parse_dec(const char *s, const char *end, uint64_t *out, const char **next);

/* Display name of an input path: "<stdin>" for "-". */
const char *cda_display_path(const char *path);
/* "dir/name" (malloc'd; one slash between; either empty: the other), or NULL. */
char *cda_path_join(const char *dir, const char *name);

/*
 * What a loader reads: the file at path ("-": standard input), or, when data
 * is set, bytes already in memory under a display name, such as a member of a
 * snapshot archive ("snap.tar.gz:snapshot/dmesg.txt"): errors and facts name
 * that, never a temporary file. The bytes stay the caller's.
 */
struct cda_source {
	const char *path;          /* NULL when data is set */
	const char *name;          /* display name; NULL: cda_display_path(path) */
	const unsigned char *data; /* in-memory input, len bytes */
	size_t len;
};

/* The source's display name. */
const char *cda_source_name(const struct cda_source *src);

/* Growable malloc'd string; a failed append sets oom and later appends do nothing. */
struct cda_buf {
	char *s;
	size_t n, cap;
	bool oom;
};

void cda_buf_printf(struct cda_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append text wrapped at width columns, each line starting with indent. */
void cda_buf_wrap(struct cda_buf *b, const char *text, const char *indent, size_t width);
/* Hand over the string (caller frees); NULL if an append ran out of memory. */
char *cda_buf_take(struct cda_buf *b);

#endif
