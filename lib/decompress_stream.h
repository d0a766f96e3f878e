/* SPDX-License-Identifier: MIT */
/*
 * decompress_stream.h - gzip, xz and zstd as streams, for the line reader;
 * and the one cap on decompressed bytes that every decompressor obeys.
 *
 * Bug reports carry boot logs and traces compressed (dmesg.txt.gz,
 * trace.txt.xz, trace.zst). These are decoded as they are read, so memory
 * stays constant whatever their size: one 64 KiB input buffer plus the
 * decoder's own state (gzip: a 32 KiB window; xz: refused above
 * CDA_DSTREAM_MEMLIMIT; zstd: libzstd's default window limit, 128 MiB).
 * Concatenated gzip members, xz streams and zstd frames are read in turn, as
 * gzip -d, xz -d and zstd -d do.
 *
 * Errors: -CDA_E_IO (reading the compressed input failed), -CDA_E_FORMAT
 * ("FILE: truncated gzip stream", "FILE: corrupt xz stream (...)", data after
 * the end of a gzip stream, output past cda_max_decompressed()), -CDA_E_NOMEM.
 */
#ifndef CDA_DECOMPRESS_STREAM_H
#define CDA_DECOMPRESS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"

/*
 * The one cap on decompressed bytes, for every decompressor in the library:
 * whole-file kernel images (gzip, xz, zstd, bzip2, lz4), EFI zboot payloads,
 * the embedded IKCONFIG and a gzip'd --config, tar.gz swiotlb dumps, and the
 * boot logs and traces streamed here. A few KiB of bzip2 or zstd can expand
 * to gigabytes: the cap ends such a bomb in bounded time, and bounds the
 * memory of the loaders that decompress a whole file (the streams here stay
 * in constant memory whatever it is). 1 GiB is ten times the largest arm64
 * Image and far above any real boot log; cda_set_max_decompressed() (the
 * CLI's --max-decompressed) raises or lowers it for the whole process.
 */
#define CDA_MAX_DECOMPRESSED_DEFAULT (1ull << 30)

/* The cap now in force (CDA_MAX_DECOMPRESSED_DEFAULT unless set). */
uint64_t cda_max_decompressed(void);

/*
 * The one error for output past the cap: "NAME: WHAT decompresses to more
 * than 1 GiB (the limit against decompression bombs; --max-decompressed
 * raises it)". what names the format ("bzip2 data", "zboot gzip payload").
 */
int cda_fail_decompressed(struct cda_error *err, const char *name, const char *what,
			  uint64_t max);

/* liblzma's allocation limit: xz -9 needs 65 MiB; a hostile header may ask for 1.5 GiB. */
#define CDA_DSTREAM_MEMLIMIT (256ull << 20)
/* The most of a stream's head a caller may hand to cda_dstream_new(). */
#define CDA_DSTREAM_IN (64u << 10)

struct cda_dstream;

/*
 * "gzip", "xz" or "zstd" when head starts with that format's magic bytes (for
 * zstd also a skippable frame's, as pzstd writes first); NULL otherwise.
 */
const char *cda_dstream_detect(const unsigned char *head, size_t len);

/*
 * A decoder for format (as cda_dstream_detect() names it) that reads fd; the
 * len bytes already read from fd (at most CDA_DSTREAM_IN) are in head and are
 * decoded first. name is the display name for errors. fd stays the caller's.
 * With fd -1 the whole input is head[0, len), any length, in memory (a
 * snapshot member): it must outlive the stream.
 */
int cda_dstream_new(const char *format, int fd, const unsigned char *head, size_t len,
		    const char *name, struct cda_dstream **out, struct cda_error *err);

/*
 * Decompress into out[0, cap), filling it unless the stream ends first.
 * *got is 0 only at the end of the stream, and only at a well-formed end: a
 * stream cut short is an error, as is output beyond the cap.
 */
int cda_dstream_read(struct cda_dstream *ds, unsigned char *out, size_t cap, size_t *got,
		     struct cda_error *err);

/* Set this stream's cap on the total output (tests); the default is cda_max_decompressed(). */
void cda_dstream_set_max(struct cda_dstream *ds, uint64_t max);

void cda_dstream_free(struct cda_dstream *ds);

#endif
