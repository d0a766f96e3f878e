// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util.h"

int cda_fail(struct cda_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

bool cda_parse_hex(const char *s, const char *end, uint64_t *out, const char **next)
{
	const char *b = s;
	uint64_t v = 0;

	for (; s < end; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0)
			break;
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	*next = s;
	return s > b;
}

bool cda_parse_dec(const char *s, const char *end, uint64_t *out, const char **next)
{
	const char *b = s;
	uint64_t v = 0;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	*next = s;
	return s > b;
}

const char *cda_display_path(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

int cda_read_file(const char *path, size_t max, char **buf, size_t *len, struct cda_error *err)
{
	const char *name = cda_display_path(path);
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 64 * 1024, n = 0;
	char *b = NULL;
	struct stat st;
	int ret = 0;

	if (!f)
		return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = cda_fail(err, CDA_E_IO, "%s: is a directory", name);
		goto out;
	}
	/* Read in chunks rather than trusting st_size: pipes and /proc files have none. */
	for (;;) {
		size_t got;

		if (!b || n == cap) {
			char *nb;

			if (b)
				cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				ret = cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
				goto out;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: larger than the %zu MiB limit", name,
				       max >> 20);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = cda_fail(err, CDA_E_IO, "%s: read error: %s", name, strerror(errno));
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	if (f != stdin)
		fclose(f);
	return ret;
}

void cda_buf_printf(struct cda_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->n + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *ns;

		while (n >= 0 && b->n + (size_t)n + 1 > cap)
			cap *= 2;
		ns = n < 0 ? NULL : realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void cda_buf_wrap(struct cda_buf *b, const char *text, const char *indent, size_t width)
{
	const char *p = text;

	while (*p) {
		size_t avail = width > strlen(indent) ? width - strlen(indent) : 20;
		size_t len = strcspn(p, "\n"), cut = len;

		if (len > avail) {
			cut = avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut) /* one long word: break it at the width */
				cut = avail;
		}
		cda_buf_printf(b, "%s%.*s\n", indent, (int)cut, p);
		p += cut;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}

char *cda_buf_take(struct cda_buf *b)
{
	char *s = b->oom ? NULL : b->s;

	if (b->oom)
		free(b->s);
	else if (!s)
		s = calloc(1, 1);
	b->s = NULL;
	b->n = b->cap = 0;
	return s;
}

int cda_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out,
	       size_t *outlen)
{
	z_stream zs = { 0 };
	size_t cap = 1u << 16;
	unsigned char *buf = NULL;
	int zr = Z_OK, ret = -CDA_E_FORMAT;

	if (inflateInit2(&zs, 15 + 16) != Z_OK) /* 15 + 16: gzip header, not zlib */
		return -CDA_E_NOMEM;
	zs.next_in = (unsigned char *)in;
	while (zr != Z_STREAM_END) {
		size_t n = zs.total_out;

		if (!buf || n == cap) {
			unsigned char *nb;

			if (buf)
				cap *= 2;
			if (cap > max + 1) /* +1: output of exactly max is fine */
				cap = max + 1;
			if (buf && n == cap)
				goto out; /* larger than max */
			if (!(nb = realloc(buf, cap))) {
				ret = -CDA_E_NOMEM;
				goto out;
			}
			buf = nb;
		}
		/* Feed at most UINT_MAX at a time: z_stream counts are unsigned int. */
		zs.avail_in = (unsigned)((len - (size_t)(zs.next_in - in)) > 0x40000000u
					 ? 0x40000000u : len - (size_t)(zs.next_in - in));
		zs.next_out = buf + n;
		zs.avail_out = (unsigned)(cap - n);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_BUF_ERROR && zs.avail_in == 0)
			goto out; /* truncated */
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			goto out;
	}
	if (zs.total_out > max)
		goto out; /* the stream ended in the one byte of slack */
	*out = buf;
	*outlen = zs.total_out;
	buf = NULL;
	ret = 0;
out:
	inflateEnd(&zs);
	free(buf);
	return ret;
}
