// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

int cda_oom(struct cda_error *err, const char *name)
{
	return cda_fail(err, CDA_E_NOMEM, "%s%sout of memory", name ? name : "", name ? ": " : "");
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
		if (v >> 60) /* a 17th significant digit: ffffffffffffffff is the largest */
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
		unsigned d = (unsigned)(*s - '0');

		/* v * 10 + d <= UINT64_MAX: 18446744073709551615 itself is a value. */
		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return false;
		v = v * 10 + d;
	}
	*out = v;
	*next = s;
	return s > b;
}

const char *cda_display_path(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

char *cda_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p;

	if (!n || !*name)
		return strdup(n ? dir : name);
	p = malloc(n + strlen(name) + 2);
	if (p)
		sprintf(p, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
	return p;
}

const char *cda_source_name(const struct cda_source *src)
{
	return src->name ? src->name : cda_display_path(src->path);
}

/* Read f to its end into a malloc'd buffer, at most max bytes. */
static int read_stream(FILE *f, const char *name, size_t max, char **buf, size_t *len,
		       struct cda_error *err)
{
	size_t cap = 64 * 1024, n = 0;
	char *b = NULL;
	struct stat st;
	int ret = 0;

	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		return cda_fail(err, CDA_E_IO, "%s: is a directory", name);
	/* Read in chunks rather than trusting st_size: pipes and /proc files have none. */
	for (;;) {
		size_t got;

		if (!b || n == cap) {
			char *nb;

			if (b)
				cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				ret = cda_oom(err, name);
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
	return ret;
}

int cda_read_file(const char *path, size_t max, char **buf, size_t *len, struct cda_error *err)
{
	const char *name = cda_display_path(path);
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	int ret;

	if (!f)
		return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
	ret = read_stream(f, name, max, buf, len, err);
	if (f != stdin)
		fclose(f);
	return ret;
}

int cda_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len,
		struct cda_error *err)
{
	FILE *f = fdopen(fd, "rb");
	int ret;

	if (!f) {
		ret = cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
		close(fd);
		return ret;
	}
	ret = read_stream(f, name, max, buf, len, err);
	fclose(f);
	return ret;
}

const char *cda_not_regular(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory, not a regular file"
	       : S_ISLNK(mode) ? "a symbolic link, not followed"
	       : S_ISFIFO(mode) ? "a FIFO, not a regular file"
	       : S_ISSOCK(mode) ? "a socket, not a regular file"
	       : "a device or special file, not a regular file";
}


int cda_open_regular(int dirfd, const char *name, bool follow, struct stat *st, const char **why)
{
	int fd, e;

	/* Look before opening: opening a device can have effects, opening a FIFO blocks. */
	if (fstatat(dirfd, name, st, follow ? 0 : AT_SYMLINK_NOFOLLOW))
		goto sys;
	if (!S_ISREG(st->st_mode)) {
		*why = cda_not_regular(st->st_mode);
		return -1;
	}
	/* O_NONBLOCK: should a FIFO take the file's place meanwhile, the open still returns. */
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
		    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		goto sys;
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		return fd;
	e = errno;
	close(fd);
	errno = e;
	*why = S_ISREG(st->st_mode) ? strerror(errno) : cda_not_regular(st->st_mode);
	return -1;
sys:
	*why = errno == ELOOP && !follow ? "a symbolic link, not followed" : strerror(errno);
	return -1;
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
	/* One byte of slack past max: a stream that fills it is over the limit. */
	size_t cap = 1u << 16, limit = max < SIZE_MAX ? max + 1 : max;
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
				cap = cap > limit / 2 ? limit : cap * 2;
			if (cap > limit)
				cap = limit;
			if (buf && n == cap) {
				ret = CDA_GUNZIP_OVER;
				goto out;
			}
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
		zs.avail_out = (unsigned)(cap - n > 0x40000000u ? 0x40000000u : cap - n);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_BUF_ERROR && zs.avail_in == 0)
			goto out; /* truncated */
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			goto out;
	}
	if (zs.total_out > max) {
		ret = CDA_GUNZIP_OVER; /* the stream ended in the one byte of slack */
		goto out;
	}
	*out = buf;
	*outlen = zs.total_out;
	buf = NULL;
	ret = 0;
out:
	inflateEnd(&zs);
	free(buf);
	return ret;
}
