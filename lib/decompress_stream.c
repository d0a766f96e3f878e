// SPDX-License-Identifier: MIT
/*
 * Streaming gzip (zlib), xz (liblzma) and zstd (libzstd) decoders behind one
 * read call, and the decompression cap every decoder in the library obeys. The kernel image loader decompresses whole files in memory
 * (kernel_image.c); boot logs and traces can be gigabytes, so they go through
 * here instead, a buffer at a time.
 *
 * Each format's step function decodes what it can from the input buffer into
 * the output; cda_dstream_read() refills the input from the file and decides,
 * the same way for all three, when a stream was cut short: the input is at
 * its end and the decoder can neither take nor give another byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "decompress_stream.h"
#include "util.h"

enum ds_format { DS_GZIP, DS_XZ, DS_ZSTD };

static const struct {
	const char *name;
	unsigned char magic[6];
	size_t len;
} formats[] = {
	[DS_GZIP] = { "gzip", { 0x1f, 0x8b }, 2 },
	[DS_XZ] = { "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	[DS_ZSTD] = { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

struct cda_dstream {
	enum ds_format fmt;
	const char *name; /* display name of the file, for errors */
	int fd;           /* -1: the input is mem[0, mem_len), all in memory */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof, done;
	uint64_t total, max;
	z_stream z;
	bool z_ready, member_end; /* gzip: a member ended; what follows must be another */
	lzma_stream x;
	bool x_ready;
	ZSTD_DStream *zs;
	size_t zret; /* libzstd's last return: 0 once a frame is decoded and flushed */
};

static uint64_t max_decompressed = CDA_MAX_DECOMPRESSED_DEFAULT;

void cda_set_max_decompressed(uint64_t bytes)
{
	max_decompressed = bytes ? bytes : CDA_MAX_DECOMPRESSED_DEFAULT;
}

uint64_t cda_max_decompressed(void)
{
	return max_decompressed;
}

/* "1 GiB", "64 MiB", "1000 bytes": the largest unit the value is a whole number of. */
static void size_text(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, v == 1 && !u ? "byte" : units[u]);
}

int cda_fail_decompressed(struct cda_error *err, const char *name, const char *what,
			  uint64_t max)
{
	char size[32];

	size_text(max, size, sizeof(size));
	return cda_fail(err, CDA_E_FORMAT,
			"%s: %s decompresses to more than %s (the limit against decompression bombs; "
			"--max-decompressed raises it)", name, what, size);
}

const char *cda_dstream_detect(const unsigned char *head, size_t len)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (len >= formats[i].len && !memcmp(head, formats[i].magic, formats[i].len))
			return formats[i].name;
	/* A zstd skippable frame (0x184D2A50..5F) may come first, as pzstd writes one. */
	if (len >= 4 && (head[0] & 0xf0) == 0x50 && !memcmp(head + 1, "\x2a\x4d\x18", 3))
		return formats[DS_ZSTD].name;
	return NULL;
}

static int corrupt(struct cda_dstream *ds, const char *lib, const char *why, struct cda_error *err)
{
	return cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s stream (%s: %s)", ds->name,
			formats[ds->fmt].name, lib, why);
}

static int step_gzip(struct cda_dstream *ds, unsigned char *out, size_t cap, size_t *made,
		     struct cda_error *err)
{
	z_stream *z = &ds->z;
	int r;

	if (ds->member_end) {
		/* gzip -d reads concatenated members; anything else after one is not gzip. */
		if (ds->in_pos == ds->in_len) {
			ds->done = ds->in_eof;
			return 0;
		}
		if (ds->in[ds->in_pos] != formats[DS_GZIP].magic[0])
			return cda_fail(err, CDA_E_FORMAT, "%s: data after the end of the gzip stream",
					ds->name);
		if (inflateReset(z) != Z_OK)
			return corrupt(ds, "zlib", "cannot restart", err);
		ds->member_end = false;
	}
	z->next_in = ds->in + ds->in_pos;
	z->avail_in = (uInt)(ds->in_len - ds->in_pos);
	z->next_out = out;
	z->avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
	r = inflate(z, Z_NO_FLUSH);
	ds->in_pos = ds->in_len - z->avail_in;
	*made = (size_t)(z->next_out - out);
	switch (r) {
	case Z_STREAM_END:
		ds->member_end = true;
		/* fall through */
	case Z_OK:
	case Z_BUF_ERROR: /* no progress possible now; the caller decides whether that is the end */
		return 0;
	case Z_MEM_ERROR:
		return cda_oom(err, ds->name);
	default:
		return corrupt(ds, "zlib", z->msg ? z->msg : "bad data", err);
	}
}

static int step_xz(struct cda_dstream *ds, unsigned char *out, size_t cap, size_t *made,
		   struct cda_error *err)
{
	lzma_stream *x = &ds->x;
	lzma_ret r;

	x->next_in = ds->in + ds->in_pos;
	x->avail_in = ds->in_len - ds->in_pos;
	x->next_out = out;
	x->avail_out = cap;
	/* LZMA_CONCATENATED: the end of the data is only known once told there is no more. */
	r = lzma_code(x, ds->in_eof ? LZMA_FINISH : LZMA_RUN);
	ds->in_pos = ds->in_len - x->avail_in;
	*made = (size_t)(x->next_out - out);
	switch (r) {
	case LZMA_STREAM_END:
		ds->done = true;
		/* fall through */
	case LZMA_OK:
	case LZMA_BUF_ERROR:
		return 0;
	case LZMA_MEM_ERROR:
		return cda_oom(err, ds->name);
	case LZMA_MEMLIMIT_ERROR:
		return cda_fail(err, CDA_E_FORMAT,
				"%s: xz stream needs more than %llu MiB of memory to decompress",
				ds->name, (unsigned long long)(CDA_DSTREAM_MEMLIMIT >> 20));
	case LZMA_FORMAT_ERROR:
		return corrupt(ds, "liblzma", "not in xz format", err);
	case LZMA_OPTIONS_ERROR:
		return corrupt(ds, "liblzma", "unsupported options", err);
	default:
		return corrupt(ds, "liblzma", "data is corrupt", err);
	}
}

static int step_zstd(struct cda_dstream *ds, unsigned char *out, size_t cap, size_t *made,
		     struct cda_error *err)
{
	ZSTD_inBuffer ib = { ds->in, ds->in_len, ds->in_pos };
	ZSTD_outBuffer ob = { out, cap, 0 };
	size_t r;

	/* Between frames with no input left: a clean end (libzstd would ask for another header). */
	if (ds->zret == 0 && ds->in_pos == ds->in_len && ds->in_eof) {
		ds->done = true;
		return 0;
	}
	r = ZSTD_decompressStream(ds->zs, &ob, &ib);
	if (ZSTD_isError(r))
		return corrupt(ds, "libzstd", ZSTD_getErrorName(r), err);
	ds->in_pos = ib.pos;
	*made = ob.pos;
	ds->zret = r;
	return 0;
}

int cda_dstream_new(const char *format, int fd, const unsigned char *head, size_t len,
		    const char *name, struct cda_dstream **out, struct cda_error *err)
{
	struct cda_dstream *ds = calloc(1, sizeof(*ds));
	int ret = 0;

	if (!ds || !(ds->in = malloc(CDA_DSTREAM_IN))) {
		ret = cda_oom(err, name);
		goto out;
	}
	ds->name = name;
	ds->fd = fd;
	ds->max = cda_max_decompressed();
	if (fd < 0) { /* all of it in memory: refill() copies it in a buffer at a time */
		ds->mem = head;
		ds->mem_len = len;
	} else {
		ds->in_len = len < CDA_DSTREAM_IN ? len : CDA_DSTREAM_IN;
		memcpy(ds->in, head, ds->in_len);
	}
	ds->x = (lzma_stream)LZMA_STREAM_INIT;
	if (!strcmp(format, "gzip")) {
		ds->fmt = DS_GZIP;
		/* 15 + 32: the largest window, and a gzip (or zlib) header expected */
		if (inflateInit2(&ds->z, 15 + 32) != Z_OK) {
			ret = cda_oom(err, name);
			goto out;
		}
		ds->z_ready = true;
	} else if (!strcmp(format, "xz")) {
		ds->fmt = DS_XZ;
		if (lzma_stream_decoder(&ds->x, CDA_DSTREAM_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
			ret = cda_oom(err, name);
			goto out;
		}
		ds->x_ready = true;
	} else {
		ds->fmt = DS_ZSTD;
		ds->zret = 1;
		if (!(ds->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(ds->zs))) {
			ret = cda_oom(err, name);
			goto out;
		}
	}
	*out = ds;
	ds = NULL;
out:
	cda_dstream_free(ds);
	return ret;
}

static int refill(struct cda_dstream *ds, struct cda_error *err)
{
	ssize_t got;

	if (ds->in_pos < ds->in_len || ds->in_eof)
		return 0;
	if (ds->fd < 0) {
		got = (ssize_t)(ds->mem_len - ds->mem_pos < CDA_DSTREAM_IN ? ds->mem_len - ds->mem_pos
									  : CDA_DSTREAM_IN);
		memcpy(ds->in, ds->mem + ds->mem_pos, (size_t)got);
		ds->mem_pos += (size_t)got;
	} else {
		do
			got = read(ds->fd, ds->in, CDA_DSTREAM_IN);
		while (got < 0 && errno == EINTR);
	}
	if (got < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", ds->name, strerror(errno));
	ds->in_pos = 0;
	ds->in_len = (size_t)got;
	ds->in_eof = got == 0;
	return 0;
}

int cda_dstream_read(struct cda_dstream *ds, unsigned char *out, size_t cap, size_t *got,
		     struct cda_error *err)
{
	size_t n = 0;
	int ret = 0;

	*got = 0;
	while (n < cap && !ds->done) {
		size_t made = 0, pos;

		if ((ret = refill(ds, err)))
			return ret;
		pos = ds->in_pos;
		ret = ds->fmt == DS_GZIP ? step_gzip(ds, out + n, cap - n, &made, err)
		    : ds->fmt == DS_XZ ? step_xz(ds, out + n, cap - n, &made, err)
		    : step_zstd(ds, out + n, cap - n, &made, err);
		if (ret)
			return ret;
		n += made;
		ds->total += made;
		if (ds->total > ds->max) {
			char what[32];

			snprintf(what, sizeof(what), "%s stream", formats[ds->fmt].name);
			return cda_fail_decompressed(err, ds->name, what, ds->max);
		}
		if (ds->done || made || ds->in_pos != pos)
			continue;
		/* No progress: with the input at its end the stream was cut short. */
		if (ds->in_eof)
			return cda_fail(err, CDA_E_FORMAT, "%s: truncated %s stream", ds->name,
					formats[ds->fmt].name);
		if (ds->in_pos < ds->in_len) /* the decoders never stall on input they hold */
			return corrupt(ds, "decoder", "no progress", err);
	}
	*got = n;
	return 0;
}

void cda_dstream_set_max(struct cda_dstream *ds, uint64_t max)
{
	ds->max = max;
}

void cda_dstream_free(struct cda_dstream *ds)
{
	if (!ds)
		return;
	if (ds->z_ready)
		inflateEnd(&ds->z);
	if (ds->x_ready)
		lzma_end(&ds->x);
	ZSTD_freeDStream(ds->zs);
	free(ds->in);
	free(ds);
}
