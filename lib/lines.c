// SPDX-License-Identifier: MIT
/*
 * Streaming line reader (see lines.h). The decompression is decompress_stream.c's;
 * here the first bytes choose it, and cda_lines_each() checks that what was read
 * is of the kind the loader expects, so a wrong file is an error, not an empty log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

/* Large reads keep the syscall count low; the buffer holds at least one whole line. */
#define LINES_BUF (1u << 20)
/* Enough of the start to see every compression magic (xz's is the longest). */
#define MAGIC_LEN 6

/* Account for got new bytes at buf[end]: the totals, the head kept for errors, the NUL search. */
static void took(struct cda_lines *lr, size_t got)
{
	const char *p = lr->buf + lr->end;

	if (lr->headlen < CDA_LINES_HEAD) {
		size_t n = CDA_LINES_HEAD - lr->headlen < got ? CDA_LINES_HEAD - lr->headlen : got;

		memcpy(lr->head + lr->headlen, p, n);
		lr->headlen += n;
	}
	if (lr->nul_at == CDA_LINES_NO_NUL && lr->bytes < CDA_LINES_SNIFF) {
		size_t n = CDA_LINES_SNIFF - lr->bytes < got ? (size_t)(CDA_LINES_SNIFF - lr->bytes) : got;
		const char *z = memchr(p, '\0', n);

		if (z)
			lr->nul_at = lr->bytes + (uint64_t)(z - p);
	}
	lr->end += got;
	lr->bytes += got;
}

static int raw_read(struct cda_lines *lr, size_t cap, size_t *got, struct cda_error *err)
{
	ssize_t n;

	if (lr->mem) {
		n = (ssize_t)(lr->mem_len - lr->mem_pos < cap ? lr->mem_len - lr->mem_pos : cap);
		memcpy(lr->buf + lr->end, lr->mem + lr->mem_pos, (size_t)n);
		lr->mem_pos += (size_t)n;
		*got = (size_t)n;
		return 0;
	}
	do
		n = read(lr->fd, lr->buf + lr->end, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", lr->name, strerror(errno));
	*got = (size_t)n;
	return 0;
}

/*
 * The first bytes say whether the input is compressed. They are read
 * before anything is handed out, a few at a time if a pipe gives them so,
 * and become the decoder's first input or the text's first bytes.
 */
static int sniff_compression(struct cda_lines *lr, struct cda_error *err)
{
	size_t got = 1, n;
	int ret;

	while (lr->end < MAGIC_LEN && got) {
		if ((ret = raw_read(lr, CDA_DSTREAM_IN - lr->end, &got, err)))
			return ret;
		lr->end += got;
	}
	n = lr->end;
	lr->end = 0;
	lr->compression = cda_dstream_detect((const unsigned char *)lr->buf, n);
	if (lr->compression && lr->mem) /* the decoder reads the bytes in place, from the start */
		return cda_dstream_new(lr->compression, -1, lr->mem, lr->mem_len, lr->name, &lr->ds,
				       err);
	if (lr->compression)
		return cda_dstream_new(lr->compression, lr->fd, (const unsigned char *)lr->buf, n,
				       lr->name, &lr->ds, err);
	lr->eof = got == 0;
	took(lr, n);
	return 0;
}

int cda_lines_open(struct cda_lines *lr, const char *path, struct cda_error *err)
{
	return cda_lines_open_src(lr, &(struct cda_source){ .path = path }, err);
}

int cda_lines_open_src(struct cda_lines *lr, const struct cda_source *src, struct cda_error *err)
{
	struct stat st;
	int ret;

	memset(lr, 0, sizeof(*lr));
	lr->name = cda_source_name(src);
	lr->nul_at = CDA_LINES_NO_NUL;
	if (src->data) {
		lr->fd = -1;
		lr->mem = src->data;
		lr->mem_len = src->len;
	} else {
		lr->fd = strcmp(src->path, "-") ? open(src->path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (lr->fd < 0)
			return cda_fail(err, CDA_E_IO, "%s: %s", lr->name, strerror(errno));
		if (fstat(lr->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			cda_lines_close(lr);
			return cda_fail(err, CDA_E_IO, "%s: is a directory", lr->name);
		}
	}
	lr->buf = malloc(LINES_BUF);
	if (!lr->buf) {
		cda_lines_close(lr);
		return cda_oom(err, lr->name);
	}
	if ((ret = sniff_compression(lr, err)))
		cda_lines_close(lr);
	return ret;
}

void cda_lines_close(struct cda_lines *lr)
{
	if (lr->fd > STDIN_FILENO)
		close(lr->fd);
	lr->fd = -1;
	free(lr->buf);
	lr->buf = NULL;
	cda_dstream_free(lr->ds);
	lr->ds = NULL;
}

/* Move the unread bytes to the front and read (or decompress) more; 0 or an error. */
static int fill(struct cda_lines *lr, struct cda_error *err)
{
	size_t got;
	int ret;

	if (lr->start) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->ds)
		ret = cda_dstream_read(lr->ds, (unsigned char *)lr->buf + lr->end, LINES_BUF - lr->end,
				       &got, err);
	else
		ret = raw_read(lr, LINES_BUF - lr->end, &got, err);
	if (ret)
		return ret;
	if (got == 0)
		lr->eof = true;
	took(lr, got);
	return 0;
}

int cda_lines_next(struct cda_lines *lr, const char **line, size_t *len, bool *cut,
		   struct cda_error *err)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(s, '\n', avail);
		size_t n;
		int ret;

		if (lr->skipping) {
			/* The tail of a line already handed out cut. */
			lr->start = nl ? (size_t)(nl + 1 - lr->buf) : lr->end;
			lr->skipping = !nl;
			if (!nl && lr->eof)
				return 0;
			if (!nl && (ret = fill(lr, err)))
				return ret;
			continue;
		}
		/*
		 * One byte past CDA_LINE_MAX says whether the line is longer:
		 * a line of exactly CDA_LINE_MAX bytes is whole, however the
		 * reads (a pipe, the decompressor) split it.
		 */
		if (!nl && avail <= CDA_LINE_MAX && !lr->eof) {
			if ((ret = fill(lr, err)))
				return ret;
			continue;
		}
		if (!nl && avail == 0)
			return 0; /* end of input */
		n = nl ? (size_t)(nl - s) : avail;
		*cut = n > CDA_LINE_MAX;
		if (*cut) {
			n = CDA_LINE_MAX;
			lr->skipping = true;
			lr->start += n;
		} else {
			lr->start += n + (nl != NULL);
		}
		if (n && s[n - 1] == '\r')
			n--;
		*line = s;
		*len = n;
		lr->lineno++;
		return 1;
	}
}

/* Stream offset of the first byte not yet handed out. */
static uint64_t consumed(const struct cda_lines *lr)
{
	return lr->bytes - (lr->end - lr->start);
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\f' && s[i] != '\v' && s[i] != '\r')
			return false;
	return true;
}

#define EXCERPT 40

/* The start of a line for an error message: printable ASCII only, so the error stays one clean line. */
static void excerpt(char out[EXCERPT + 4], const char *s, size_t len)
{
	size_t n = len < EXCERPT ? len : EXCERPT;

	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	memcpy(out + n, len > EXCERPT ? "..." : "", len > EXCERPT ? 4 : 1);
}

/* What a binary input is, from its first bytes; NULL if nothing we know. */
static const char *binary_kind(const struct cda_lines *lr)
{
	const unsigned char *h = lr->head;
	size_t n = lr->headlen;

	if (n >= 4 && !memcmp(h, "\xd0\x0d\xfe\xed", 4))
		return "a device tree blob (DTB)";
	/* read as a file (trace.c): here it came through a pipe or compressed */
	if (n >= 10 && !memcmp(h, "\x17\x08\x44tracing", 10))
		return "a trace-cmd trace.dat (give it as a file, not through a pipe or compressed)";
	if (n >= 4 && !memcmp(h, "\x7f" "ELF", 4))
		return "an ELF file";
	if (n >= 0x3c && !memcmp(h + 0x38, "ARM\x64", 4)) /* before "MZ": an EFI-stub Image has both */
		return "an arm64 kernel Image";
	if (n >= 262 && !memcmp(h + 257, "ustar", 5))
		return "a tar archive";
	if (n >= 2 && h[0] == 'M' && h[1] == 'Z')
		return "a PE/EFI executable";
	if (n >= 4 && !memcmp(h, "BZh", 3) && h[3] >= '1' && h[3] <= '9')
		return "bzip2-compressed data (gzip, xz and zstd are read)";
	if (n >= 4 && !memcmp(h, "\x04\x22\x4d\x18", 4))
		return "lz4-compressed data (gzip, xz and zstd are read)";
	return NULL;
}

static int not_text(const struct cda_lines *lr, const struct cda_lines_kind *kind,
		    struct cda_error *err)
{
	const char *what = binary_kind(lr);
	char comp[32] = "";

	if (lr->compression)
		snprintf(comp, sizeof(comp), ", %s-compressed", lr->compression);
	if (what)
		return cda_fail(err, CDA_E_FORMAT, "%s: not %s: %s%s", lr->name, kind->what, what, comp);
	return cda_fail(err, CDA_E_FORMAT, "%s: not %s: binary data (a NUL byte at offset %llu%s)",
			lr->name, kind->what, (unsigned long long)lr->nul_at, comp);
}

static int not_kind(const struct cda_lines *lr, const struct cda_lines_kind *kind, uint64_t first,
		    const char *start, struct cda_error *err)
{
	if (lr->lineno == 1)
		return cda_fail(err, CDA_E_FORMAT, "%s: not %s: its one line does not look like %s (it starts '%s')",
				lr->name, kind->what, kind->looks, start);
	if (first == 1)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: not %s: none of its %llu lines looks like %s (the first line starts '%s')",
				lr->name, kind->what, (unsigned long long)lr->lineno, kind->looks, start);
	return cda_fail(err, CDA_E_FORMAT,
			"%s: not %s: none of its %llu lines looks like %s (line %llu, the first not blank, starts '%s')",
			lr->name, kind->what, (unsigned long long)lr->lineno, kind->looks,
			(unsigned long long)first, start);
}

int cda_lines_each(const char *path, const struct cda_lines_kind *kind,
		   bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno),
		   void *ctx, uint64_t *nlines, uint64_t *bytes, struct cda_error *err)
{
	return cda_lines_each_src(&(struct cda_source){ .path = path }, kind, fn, ctx, nlines, bytes,
				  err);
}

int cda_lines_each_src(const struct cda_source *src, const struct cda_lines_kind *kind,
		       bool (*fn)(void *ctx, const char *line, size_t len, bool cut,
				  uint64_t lineno),
		       void *ctx, uint64_t *nlines, uint64_t *bytes, struct cda_error *err)
{
	struct cda_lines lr;
	const char *line;
	size_t len;
	bool cut, seen = false;
	uint64_t first = 0; /* number of the first line that is not blank */
	char start[EXCERPT + 4] = "";
	int ret = cda_lines_open_src(&lr, src, err);

	if (ret)
		return ret;
	while ((ret = cda_lines_next(&lr, &line, &len, &cut, err)) > 0) {
		bool mine = fn(ctx, line, len, cut, lr.lineno);

		if (!first && !blank(line, len)) {
			first = lr.lineno;
			excerpt(start, line, len);
		}
		/*
		 * A NUL up to here and no line of the kind before it: binary,
		 * whatever strings it may hold (a vmlinux has "Linux version ").
		 */
		if (!seen && lr.nul_at < consumed(&lr)) {
			ret = not_text(&lr, kind, err);
			goto out;
		}
		seen |= mine;
	}
	if (ret)
		goto out;
	if (!first)
		ret = lr.lineno ? cda_fail(err, CDA_E_FORMAT, "%s: empty (only blank lines)", lr.name)
				: cda_fail(err, CDA_E_FORMAT, "%s: empty", lr.name);
	else if (!seen)
		ret = not_kind(&lr, kind, first, start, err);
	if (nlines)
		*nlines = lr.lineno;
	if (bytes)
		*bytes = lr.bytes;
out:
	cda_lines_close(&lr);
	return ret;
}

static void push_lines(struct cda_fb *fb, struct cda_value *l, const struct cda_line_hits *h)
{
	for (size_t i = 0; i < h->nlines && cda_fb_ok(fb); i++)
		cda_fb_push_u64(fb, l, h->lines[i]);
}

void cda_fb_line_hits_in(struct cda_fb *fb, struct cda_value *obj, const struct cda_line_hits *h)
{
	cda_fb_u64(fb, obj, "count", h->count);
	push_lines(fb, cda_fb_list(fb, obj, "lines"), h);
}

struct cda_value *cda_fb_line_hits(struct cda_fb *fb, struct cda_value *obj, const char *key,
				   const struct cda_line_hits *h)
{
	struct cda_value *o = cda_fb_obj(fb, obj, key);

	cda_fb_line_hits_in(fb, o, h);
	return o;
}
