/* SPDX-License-Identifier: MIT */
/*
 * lines.h - streaming line reader for boot logs and traces.
 *
 * Reads a file, standard input or bytes in memory (a snapshot member; see
 * struct cda_source) through one fixed buffer, so memory stays constant
 * whatever the input size. A line longer than CDA_LINE_MAX is handed
 * out cut at that length (cut = true) and the rest of it is skipped: one
 * hostile line cannot grow the buffer or hide the lines after it.
 *
 * Input compressed with gzip, xz or zstd (known by its magic bytes, never by
 * its name, so standard input works too) is decompressed as it is read
 * (decompress_stream.h); everything else sees only the text.
 *
 * cda_lines_each() also sniffs what it reads, so an input of the wrong kind is
 * refused instead of read as an empty log: see there.
 *
 * Errors: -CDA_E_IO (open or read failure, a directory), -CDA_E_FORMAT (corrupt
 * or truncated compressed data, past the decompression cap; from
 * cda_lines_each() also an empty input, binary data, no line of the expected
 * kind), -CDA_E_NOMEM.
 */
#ifndef CDA_LINES_H
#define CDA_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"
#include "decompress_stream.h"
#include "facts.h"
#include "util.h"

#define CDA_LINE_MAX (64u << 10)
#define CDA_FIRST_LINES 5 /* line numbers kept per problem */
/*
 * How much of the (decompressed) start of an input is searched for NUL
 * bytes, the mark of binary data, as git does with its first 8000 bytes.
 * Only the start: a long log may carry a stray NUL from a serial line.
 */
#define CDA_LINES_SNIFF 8192u
#define CDA_LINES_HEAD 512u /* bytes kept to say what a binary input is */
#define CDA_LINES_NO_NUL UINT64_MAX

struct cda_lines {
	int fd;            /* -1 when reading mem */
	const unsigned char *mem; /* an in-memory input, mem_len bytes, mem_pos read */
	size_t mem_len, mem_pos;
	const char *name;  /* display name for errors */
	char *buf;
	size_t start, end; /* unread bytes are buf[start, end) */
	bool eof, skipping;
	uint64_t lineno;   /* number of the line last returned, from 1 */
	uint64_t bytes;    /* bytes read so far (decompressed) */
	struct cda_dstream *ds;  /* NULL: the input is not compressed */
	const char *compression; /* "gzip", "xz", "zstd", or NULL */
	uint64_t nul_at;   /* offset of the first NUL in the first CDA_LINES_SNIFF bytes */
	unsigned char head[CDA_LINES_HEAD];
	size_t headlen;
};

/*
 * Open path ("-": standard input) and read its first bytes, which say
 * whether it is compressed. On error nothing is left open (a
 * cda_lines_close() then is harmless).
 */
int cda_lines_open(struct cda_lines *lr, const char *path, struct cda_error *err);
/* The same for any source: a file, or bytes in memory read in place. */
int cda_lines_open_src(struct cda_lines *lr, const struct cda_source *src,
		       struct cda_error *err);

/*
 * The next line, without its newline (a trailing \r is dropped too). Returns
 * 1 with *line and *len set, 0 at the end of input, or a negative error. The line
 * stays valid until the next call.
 */
int cda_lines_next(struct cda_lines *lr, const char **line, size_t *len, bool *cut,
		   struct cda_error *err);

void cda_lines_close(struct cda_lines *lr);

/* What a loader expects its input to be, for the errors when it is not. */
struct cda_lines_kind {
	const char *what;  /* "a kernel log": "FILE: not a kernel log: ..." */
	const char *looks; /* what its lines look like: "dmesg, dmesg -T or journalctl -k output" */
};

/*
 * Read path ("-": standard input) line by line, calling fn for each; *nlines
 * and *bytes (either may be NULL) receive the totals. fn returns whether the
 * line is one of the kind the loader reads (a kernel log line, a trace event);
 * only the first such line matters, so fn may stop checking after it.
 *
 * "Never pass on an input that was not understood": a loader that found
 * nothing must not report a clean log. So besides the reader's errors this
 * returns -CDA_E_FORMAT, with one line saying what the input looked like,
 * when the input is empty or only blank lines, when it is binary (a NUL in
 * its first CDA_LINES_SNIFF bytes before any line of the kind: a DTB, an ELF,
 * a tar archive), or when no line at all is of the kind. A log with a stray
 * NUL after good lines, or with damaged lines among good ones, is still read.
 */
int cda_lines_each(const char *path, const struct cda_lines_kind *kind,
		   bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno),
		   void *ctx, uint64_t *nlines, uint64_t *bytes, struct cda_error *err);
/* The same for any source (a snapshot member is read in place, under its own name). */
int cda_lines_each_src(const struct cda_source *src, const struct cda_lines_kind *kind,
		       bool (*fn)(void *ctx, const char *line, size_t len, bool cut,
				  uint64_t lineno),
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

/* "count": N and "lines": [...] set in obj, through a fact builder. */
void cda_fb_line_hits_in(struct cda_fb *fb, struct cda_value *obj, const struct cda_line_hits *h);
/* The same in a new object at obj.key; the new object (NULL after a failure). */
struct cda_value *cda_fb_line_hits(struct cda_fb *fb, struct cda_value *obj, const char *key,
				   const struct cda_line_hits *h);

#endif
