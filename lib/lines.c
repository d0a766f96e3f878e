// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

/* Large reads keep the syscall count low; the buffer holds at least one whole line. */
#define LINES_BUF (1u << 20)

int cda_lines_open(struct cda_lines *lr, const char *path, struct cda_error *err)
{
	struct stat st;

	memset(lr, 0, sizeof(*lr));
	lr->name = cda_display_path(path);
	lr->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (lr->fd < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", lr->name, strerror(errno));
	if (fstat(lr->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		cda_lines_close(lr);
		return cda_fail(err, CDA_E_IO, "%s: is a directory", path);
	}
	lr->buf = malloc(LINES_BUF);
	if (!lr->buf) {
		cda_lines_close(lr);
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", path);
	}
	return 0;
}

void cda_lines_close(struct cda_lines *lr)
{
	if (lr->fd > STDIN_FILENO)
		close(lr->fd);
	lr->fd = -1;
	free(lr->buf);
	lr->buf = NULL;
}

/* Move the unread bytes to the front and read more; 0 or -CDA_E_IO. */
static int fill(struct cda_lines *lr, struct cda_error *err)
{
	ssize_t got;

	if (lr->start) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	do
		got = read(lr->fd, lr->buf + lr->end, LINES_BUF - lr->end);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", lr->name, strerror(errno));
	if (got == 0)
		lr->eof = true;
	lr->end += (size_t)got;
	lr->bytes += (uint64_t)got;
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
		if (!nl && avail < CDA_LINE_MAX && !lr->eof) {
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
			if (!nl && avail >= CDA_LINE_MAX) {
				*cut = true; /* exactly CDA_LINE_MAX bytes and no newline yet */
				lr->skipping = true;
			}
		}
		if (n && s[n - 1] == '\r')
			n--;
		*line = s;
		*len = n;
		lr->lineno++;
		return 1;
	}
}

int cda_lines_each(const char *path,
		   void (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno),
		   void *ctx, uint64_t *nlines, uint64_t *bytes, struct cda_error *err)
{
	struct cda_lines lr;
	const char *line;
	size_t len;
	bool cut;
	int ret = cda_lines_open(&lr, path, err);

	if (ret)
		return ret;
	while ((ret = cda_lines_next(&lr, &line, &len, &cut, err)) > 0)
		fn(ctx, line, len, cut, lr.lineno);
	if (nlines)
		*nlines = lr.lineno;
	if (bytes)
		*bytes = lr.bytes;
	cda_lines_close(&lr);
	return ret;
}

struct cda_value *cda_line_hits_list(struct cda_arena *a, const struct cda_line_hits *h)
{
	struct cda_value *l = cda_v_list(a);

	for (size_t i = 0; l && i < h->nlines; i++)
		if (cda_list_push(a, l, cda_v_u64(a, h->lines[i])))
			return NULL;
	return l;
}

struct cda_value *cda_line_hits_value(struct cda_arena *a, const struct cda_line_hits *h)
{
	struct cda_value *o = cda_v_obj(a);

	if (!o || cda_obj_set_u64(a, o, "count", h->count) ||
	    cda_obj_set(a, o, "lines", cda_line_hits_list(a, h)))
		return NULL;
	return o;
}
