// SPDX-License-Identifier: MIT
/*
 * Read a cca-dma-audit-collect snapshot (snapshot.h): decompress the whole
 * archive under the one decompression cap, list its members with tar.c, check
 * the FORMAT member, and hand the members out to the loaders, which read them
 * in place. Owns the archive's limits and the "snapshot" facts; what a member
 * means is its loader's.
 */
#include <stdlib.h>
#include <string.h>

#include "decompress_stream.h"
#include "snapshot.h"
#include "util.h"

#define FORMAT_MAGIC "cca-dma-audit-snapshot "

/* ---- reading the archive ---- */

/* Decompress all of raw (in memory) into a malloc'd buffer; the stream enforces the cap. */
static int inflate_all(struct cda_snapshot *s, const char *format, const unsigned char *raw,
		       size_t rawlen, struct cda_error *err)
{
	struct cda_dstream *ds = NULL;
	size_t cap = 1u << 20, n = 0;
	unsigned char *b = NULL;
	int ret = cda_dstream_new(format, -1, raw, rawlen, s->name, &ds, err);

	while (!ret) {
		size_t got;

		if (n == cap || !b) {
			unsigned char *nb = realloc(b, b ? cap *= 2 : cap);

			if (!nb) {
				ret = cda_oom(err, s->name);
				break;
			}
			b = nb;
		}
		ret = cda_dstream_read(ds, b + n, cap - n, &got, err);
		if (!ret && !got)
			break;
		n += got;
	}
	cda_dstream_free(ds);
	if (ret) {
		free(b);
		return ret;
	}
	s->tar = b;
	s->len = n;
	return 0;
}

static int read_archive(struct cda_snapshot *s, const char *path, struct cda_error *err)
{
	char *raw;
	size_t len;
	int ret = cda_read_file(path, CDA_SNAPSHOT_FILE_MAX, &raw, &len, err);
	const char *format;

	if (ret)
		return ret;
	format = cda_dstream_detect((unsigned char *)raw, len);
	s->compression = format ? format : "none";
	if (!format) {
		s->tar = (unsigned char *)raw; /* a plain tar */
		s->len = len;
		return 0;
	}
	ret = inflate_all(s, format, (unsigned char *)raw, len, err);
	free(raw);
	return ret;
}

/* "./snapshot//fdt" -> "snapshot/fdt": hand-made tars start with "./", directories end in "/". */
static char *clean_name(struct cda_arena *a, const char *name)
{
	char *c = cda_arena_strdup(a, name), *q = c;

	if (!c)
		return NULL;
	for (const char *p = c; *p;) {
		size_t k = strcspn(p, "/");

		if (k && !(k == 1 && *p == '.')) {
			if (q != c)
				*q++ = '/';
			memmove(q, p, k);
			q += k;
		}
		p += k + (p[k] == '/');
	}
	*q = '\0';
	return c;
}

struct collect {
	struct cda_arena *a;
	struct cda_snapshot *s;
};

static int collect_member(void *ctx, const struct cda_tar_member *tm, struct cda_error *err)
{
	struct collect *c = ctx;
	struct cda_snapshot *s = c->s;
	const size_t dl = strlen(CDA_SNAPSHOT_DIR);
	char *name = clean_name(c->a, tm->name);

	if (!name)
		return cda_oom(err, NULL);
	if (!strcmp(name, "snapshot"))
		return 0; /* the top directory itself */
	if (s->n + s->noutside == CDA_SNAPSHOT_MAX_MEMBERS)
		return cda_fail(err, CDA_E_FORMAT, "%s: more than %d members: not a snapshot",
				s->name, CDA_SNAPSHOT_MAX_MEMBERS);
	if (strncmp(name, CDA_SNAPSHOT_DIR, dl)) {
		s->outside[s->noutside++] = name;
		return 0;
	}
	s->m[s->n] = *tm;
	s->m[s->n].name = name + dl;
	s->taken[s->n++] = false;
	return 0;
}

static int check_format(struct cda_arena *a, struct cda_snapshot *s, struct cda_error *err);

int cda_snapshot_open(struct cda_arena *a, const char *path, struct cda_snapshot *s,
		      struct cda_error *err)
{
	struct collect c = { a, s };
	int ret;

	memset(s, 0, sizeof(*s));
	s->name = cda_arena_strdup(a, cda_display_path(path));
	s->m = cda_arena_alloc(a, CDA_SNAPSHOT_MAX_MEMBERS * sizeof(*s->m));
	s->taken = cda_arena_alloc(a, CDA_SNAPSHOT_MAX_MEMBERS * sizeof(*s->taken));
	s->outside = cda_arena_alloc(a, CDA_SNAPSHOT_MAX_MEMBERS * sizeof(*s->outside));
	if (!s->name || !s->m || !s->taken || !s->outside)
		return cda_oom(err, NULL);
	if ((ret = read_archive(s, path, err)))
		return ret;
	if (!cda_is_tar(s->tar, s->len)) {
		ret = cda_fail(err, CDA_E_FORMAT, "%s: not a cca-dma-audit snapshot: %s is not a tar "
			       "archive (make one with cca-dma-audit-collect)", s->name,
			       strcmp(s->compression, "none") ? "the decompressed data" : "it");
		goto fail;
	}
	if ((ret = cda_tar_each(s->tar, s->len, s->name, collect_member, &c, err)) ||
	    (ret = check_format(a, s, err)))
		goto fail;
	return 0;
fail:
	cda_snapshot_close(s);
	return ret;
}

void cda_snapshot_close(struct cda_snapshot *s)
{
	free(s->tar);
	s->tar = NULL;
	s->n = 0;
}

/* ---- members ---- */

const char *cda_snapshot_member_name(struct cda_arena *a, const struct cda_snapshot *s,
				     const char *name)
{
	return cda_arena_printf(a, "%s:" CDA_SNAPSHOT_DIR "%s", s->name, name);
}

int cda_snapshot_take(struct cda_snapshot *s, const char *name, size_t max,
		      const struct cda_tar_member **out, struct cda_error *err)
{
	const struct cda_tar_member *m = NULL;

	*out = NULL;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->m[i].name, name))
			continue;
		if (m) /* tar -r appends: which copy would count? */
			return cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "%s: listed twice",
					s->name, name);
		m = &s->m[i];
		s->taken[i] = true;
	}
	if (m && m->type != '0')
		return cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "%s: %s, not a regular file",
				s->name, name, m->type == '5' ? "a directory"
				: cda_tar_kind(m->type) ? cda_tar_kind(m->type) : "a special member");
	if (m && m->size > max)
		return cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "%s: larger than %zu %s, "
				"the limit for this snapshot member", s->name, name,
				max >= (1u << 20) ? max >> 20 : max >> 10,
				max >= (1u << 20) ? "MiB" : "KiB");
	*out = m;
	return 0;
}

int cda_snapshot_take_dir(struct cda_arena *a, struct cda_snapshot *s, const char *dir,
			  struct cda_tar_member **out, size_t *n, struct cda_error *err)
{
	size_t dl = strlen(dir), k = 0;
	struct cda_tar_member *v;

	*n = 0;
	*out = NULL;
	for (size_t i = 0; i < s->n; i++)
		k += !strncmp(s->m[i].name, dir, dl) && s->m[i].name[dl] == '/';
	if (!k)
		return 0;
	if (!(v = cda_arena_alloc(a, k * sizeof(*v))))
		return cda_oom(err, NULL);
	for (size_t i = 0; i < s->n; i++) {
		const char *name = s->m[i].name;

		if (!strncmp(name, dir, dl) && name[dl] == '/') {
			v[*n] = s->m[i];
			v[(*n)++].name = name + dl + 1;
			s->taken[i] = true;
		} else if (!strcmp(name, dir)) {
			s->taken[i] = true; /* the directory itself */
		}
	}
	*out = v;
	return 0;
}

/*
 * A one-line member as text, trailing blanks and newlines dropped; NULL (err
 * set) when it is not text; *absent when there is no such member.
 */
static const char *member_text(struct cda_arena *a, struct cda_snapshot *s, const char *name,
			       bool *absent, struct cda_error *err)
{
	const struct cda_tar_member *m;
	int ret = cda_snapshot_take(s, name, CDA_SNAPSHOT_TEXT_MAX, &m, err);
	size_t n;
	char *t;

	*absent = !ret && !m;
	if (!m)
		return NULL;
	n = (size_t)m->size;
	if (memchr(m->data, '\0', n)) {
		cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "%s: a NUL byte: not text", s->name,
			 name);
		return NULL;
	}
	while (n && strchr(" \t\r\n", m->data[n - 1]))
		n--;
	if (!(t = cda_arena_strndup(a, (const char *)m->data, n)))
		cda_oom(err, NULL);
	return t;
}

/*
 * FORMAT says which layout the collector wrote. Without it the archive is
 * some other tar (a debugfs copy, a source tarball), and a newer layout may
 * put things where this reader would not look: both are errors, never a
 * snapshot of nothing.
 */
static int check_format(struct cda_arena *a, struct cda_snapshot *s, struct cda_error *err)
{
	bool absent;
	const char *f = member_text(a, s, "FORMAT", &absent, err), *end;
	const size_t ml = strlen(FORMAT_MAGIC);
	uint64_t v;

	if (absent)
		return cda_fail(err, CDA_E_FORMAT, "%s: not a cca-dma-audit snapshot: no "
				CDA_SNAPSHOT_DIR "FORMAT member (make one with cca-dma-audit-collect)",
				s->name);
	if (!f)
		return -err->code;
	if (strncmp(f, FORMAT_MAGIC, ml) || !cda_parse_dec(f + ml, f + strlen(f), &v, &end) || *end)
		return cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "FORMAT: not a snapshot "
				"format line (expected '" FORMAT_MAGIC "%d', found '%.40s')", s->name,
				CDA_SNAPSHOT_FORMAT, f);
	if (v != CDA_SNAPSHOT_FORMAT)
		return cda_fail(err, CDA_E_FORMAT, "%s:" CDA_SNAPSHOT_DIR "FORMAT: snapshot format "
				"%llu is not supported (this cca-dma-audit reads format %d; use the "
				"cca-dma-audit-collect that came with it)", s->name,
				(unsigned long long)v, CDA_SNAPSHOT_FORMAT);
	return 0;
}

/* ---- facts ---- */

/* Which evidence a collector complaint costs, from what it names (cmd/cca-dma-audit-collect). */
static const char *part_of(const char *what)
{
	static const struct { const char *needle, *part; } parts[] = {
		{ "/sys/firmware/fdt", "dt" }, { "dmesg", "dmesg" }, { "config", "kernel" },
		{ "swiotlb", "swiotlb" }, { "io_tlb_", "swiotlb" }, { "debugfs", "swiotlb" },
		{ "/sys/bus/virtio", "virtio" }, { "tracefs", "trace" }, { "/events", "trace" },
		{ "/trace", "trace" },
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(what, parts[i].needle))
			return parts[i].part;
	return "other";
}

/* The errors member: one "what: why" per line, as the collector's note() writes them. */
static int not_captured(struct cda_fb *fb, struct cda_snapshot *s, struct cda_value *list,
			struct cda_error *err)
{
	bool absent;
	const char *text = member_text(fb->a, s, "errors", &absent, err);

	if (!text)
		return absent ? 0 : -err->code;
	for (const char *p = text; *p && cda_fb_ok(fb);) {
		size_t n = strcspn(p, "\n");
		char *line = cda_arena_strndup(fb->a, p, n), *sep;
		struct cda_value *o;

		p += n + (p[n] == '\n');
		cda_fb_check(fb, !line);
		if (!line || !line[strspn(line, " \t\r")])
			continue;
		line[strcspn(line, "\r")] = '\0';
		sep = strstr(line, ": ");
		if (sep)
			*sep = '\0';
		o = cda_fb_push_obj(fb, list);
		cda_fb_str(fb, o, "what", line);
		cda_fb_str(fb, o, "why", sep ? sep + 2 : "");
		cda_fb_str(fb, o, "part", part_of(line));
	}
	return 0;
}

/* release and cmdline, when the snapshot has them. */
static int text_fact(struct cda_fb *fb, struct cda_snapshot *s, struct cda_value *o,
		     const char *member, struct cda_error *err)
{
	bool absent;
	const char *t = member_text(fb->a, s, member, &absent, err);

	if (!t)
		return absent ? 0 : -err->code;
	cda_fb_str(fb, o, member, t);
	return 0;
}

/* Unknown members are not errors (a later collector may add some), but are listed. */
static void ignored(struct cda_fb *fb, const struct cda_snapshot *s, struct cda_value *list)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->taken[i] && s->m[i].type != '5')
			cda_fb_push_str(fb, list, cda_arena_printf(fb->a, CDA_SNAPSHOT_DIR "%s",
								   s->m[i].name));
	for (size_t i = 0; i < s->noutside; i++)
		cda_fb_push_str(fb, list, s->outside[i]);
}

int cda_snapshot_facts(struct cda_arena *a, struct cda_snapshot *s, struct cda_value **out,
		       struct cda_error *err)
{
	struct cda_fb fb = { .a = a };
	struct cda_value *o = cda_fb_new_obj(&fb);
	int ret;

	cda_fb_u64(&fb, o, "format", CDA_SNAPSHOT_FORMAT);
	cda_fb_str(&fb, o, "compression", s->compression);
	if ((ret = text_fact(&fb, s, o, "release", err)) ||
	    (ret = text_fact(&fb, s, o, "cmdline", err)) ||
	    (ret = not_captured(&fb, s, cda_fb_list(&fb, o, "not_captured"), err)))
		return ret;
	ignored(&fb, s, cda_fb_list(&fb, o, "ignored"));
	if ((ret = cda_fb_done(&fb, err)))
		return ret;
	*out = o;
	return 0;
}
