// SPDX-License-Identifier: MIT
/*
 * swiotlb debugfs loader. kernel/dma/swiotlb.c swiotlb_create_debugfs_files()
 * makes one directory per pool holding io_tlb_nslabs, io_tlb_used,
 * io_tlb_used_hiwater (~v6.4) and io_tlb_transient_nslabs
 * (CONFIG_SWIOTLB_DYNAMIC, ~v6.9), all counts of 2 KiB slots; a pool with no
 * slabs has an empty directory (so does the default pool of a kernel that
 * needs no bouncing, e.g. 6.1 on a machine where all memory is DMA-able). The
 * default pool is "swiotlb"; a restricted pool is named after its
 * reserved-memory node and sits inside "swiotlb", or at the debugfs root when
 * its device probed before the late_initcall made the parent (DOMAIN.md §1.1).
 *
 * Four input forms become one list of (relative path, value) entries, and one
 * function turns the entries into pools, so the forms cannot disagree:
 * a directory copy, a tar archive (gzip'd or not; tar.c reads it), the text of
 * `grep -r . /sys/kernel/debug/swiotlb` ("PATH:VALUE" lines) and the text of
 * `head FILE...` ("==> PATH <==", the file, a blank line); a snapshot's
 * debugfs/ members come in as tar members (cda_swiotlb_facts_members()). Paths are taken as
 * they stand, absolute or relative: the pool is known from the last
 * components.
 *
 * Capture pitfalls are errors naming the cause, never an empty pool: debugfs
 * files stat as size 0, so tar stores every io_tlb_* file empty; an empty
 * text (grep printed nothing) cannot tell a wrong path from an empty
 * directory, while an empty directory copy or an archive holding only the
 * directory is the real "no default pool" state; head prints a directory's
 * header without reading it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress_stream.h"
#include "runtime.h"
#include "tar.h"
#include "util.h"

#define SW_MAX_INPUT (16u << 20) /* a real dump is a few hundred bytes */
#define SW_MAX_ENTRIES 1024       /* files and directories, all forms */
#define SW_MAX_POOLS 64
/*
 * Directory levels below a directory copy: swiotlb/POOL under a prefix such
 * as cp --parents makes (PREFIX/sys/kernel/debug/swiotlb/POOL is 5 levels).
 */
#define SW_MAX_DEPTH 8
#define SW_MAX_VALUE 64           /* bytes of an io_tlb_* file: "%lu\n" is at most 21 */
#define SW_IO_TLB_SHIFT 11       /* IO_TLB_SHIFT: a slot is 2 KiB */

enum sw_file { SW_NSLABS, SW_USED, SW_HIWATER, SW_TRANSIENT, SW_NFILES };

static const char *const file_names[SW_NFILES] = {
	"io_tlb_nslabs", "io_tlb_used", "io_tlb_used_hiwater", "io_tlb_transient_nslabs",
};
static const char *const fact_names[SW_NFILES] = {
	"nslabs", "used", "used_hiwater", "transient_nslabs",
};

struct sw_entry {
	char *path;   /* relative, "/"-separated, no "." components */
	char *value;  /* NULL for a directory */
};

struct sw_load {
	const char *name; /* input, for messages */
	struct cda_arena *a;
	struct sw_entry e[SW_MAX_ENTRIES];
	size_t n;
	size_t others; /* files that are not io_tlb_*: a directory holding them is not empty */
	struct cda_error *err;
};

struct sw_pool {
	const char *name, *dir, *location;
	bool is_default, have[SW_NFILES];
	uint64_t v[SW_NFILES];
};

/* An io_tlb_* file: its value is read. */
static bool is_value_file(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strncmp(base ? base + 1 : path, "io_tlb_", 7);
}

/* Record an entry, normalising "./a//b/" to "a/b". */
static int add_entry(struct sw_load *ld, const char *path, size_t plen, const char *value,
		     size_t vlen, bool is_dir)
{
	char *p, *q;

	if (ld->n == SW_MAX_ENTRIES)
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: more than %d entries: not a swiotlb dump",
				ld->name, SW_MAX_ENTRIES);
	p = cda_arena_strndup(ld->a, path, plen);
	if (!p)
		return cda_oom(ld->err, NULL);
	q = p;
	for (char *s = p; *s;) {
		size_t c = strcspn(s, "/");

		if (c && !(c == 1 && s[0] == '.')) {
			if (q != p)
				*q++ = '/';
			memmove(q, s, c);
			q += c;
		}
		s += c + (s[c] == '/');
	}
	*q = '\0';
	/* Never cut a value: the first 64 bytes of a longer file could read as a count. */
	if (!is_dir && vlen > SW_MAX_VALUE && is_value_file(p))
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: longer than %d bytes: not a slot count",
				ld->name, p, SW_MAX_VALUE);
	/* ... nor at a NUL, which the copy below would stop at: "5\0junk" is not 5. */
	if (!is_dir && is_value_file(p) && memchr(value, '\0', vlen))
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: a NUL byte: not a slot count",
				ld->name, p);
	ld->e[ld->n].path = p;
	ld->e[ld->n].value = NULL;
	if (!is_dir && !(ld->e[ld->n].value = cda_arena_strndup(ld->a, value, vlen)))
		return cda_oom(ld->err, NULL);
	ld->n++;
	return 0;
}

/* ---- directory copy ---- */

/*
 * A copy of debugfs holds directories and regular files only. Anything else
 * is refused, never skipped: a FIFO would hang the read, and a link or device
 * named io_tlb_used skipped would read as a pool without that file. Every
 * entry that cannot be read is an error naming it, never an empty pool.
 */
static int walk(struct sw_load *ld, int dirfd, const char *rel, int depth);

static int read_value(struct sw_load *ld, int dirfd, const char *name, const char *path)
{
	char buf[SW_MAX_VALUE + 1];
	size_t len = 0;
	ssize_t got = 0;
	struct stat st;
	const char *why;
	int fd = cda_open_regular(dirfd, name, false, &st, &why);

	if (fd < 0)
		return cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path, why);
	/* To the end or one byte past the limit; a read error mid-file is an error too. */
	while (len < sizeof(buf) && (got = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)got;
	if (got < 0) {
		int ret = cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path, strerror(errno));

		close(fd);
		return ret;
	}
	close(fd);
	return add_entry(ld, path, strlen(path), buf, len, false);
}

static int sub_dir(struct sw_load *ld, int dirfd, const char *name, const char *path, int depth)
{
	int fd, ret;

	if (depth == SW_MAX_DEPTH)
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s/%s: directories nested more than %d levels deep: not a swiotlb copy",
				ld->name, path, SW_MAX_DEPTH);
	if ((ret = add_entry(ld, path, strlen(path), NULL, 0, true)))
		return ret;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path, strerror(errno));
	return walk(ld, fd, path, depth + 1);
}

static int walk(struct sw_load *ld, int dirfd, const char *rel, int depth)
{
	DIR *d = fdopendir(dirfd);
	int ret = 0;

	if (!d) {
		ret = cda_fail(ld->err, CDA_E_IO, "%s%s%s: %s", ld->name, *rel ? "/" : "", rel,
			       strerror(errno));
		close(dirfd);
		return ret;
	}
	while (!ret) {
		struct dirent *de;
		char path[4096];
		struct stat st;

		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				ret = cda_fail(ld->err, CDA_E_IO, "%s%s%s: %s", ld->name, *rel ? "/" : "",
					       rel, strerror(errno));
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			ret = cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			ret = sub_dir(ld, dirfd, de->d_name, path, depth);
		else if (!S_ISREG(st.st_mode))
			ret = cda_fail(ld->err, CDA_E_FORMAT, "%s/%s: %s (a copy of debugfs has none)",
				       ld->name, path, cda_not_regular(st.st_mode));
		else if (is_value_file(de->d_name))
			ret = read_value(ld, dirfd, de->d_name, path);
		else
			ld->others++;
	}
	closedir(d);
	return ret;
}

/* ---- tar archive (tar.c reads it; this takes the members a copy of debugfs has) ---- */

static int tar_member(void *ctx, const struct cda_tar_member *m, struct cda_error *err)
{
	struct sw_load *ld = ctx;
	size_t pl = strlen(m->name);
	const char *base;
	int ret = 0;

	if (m->type == '5')
		return add_entry(ld, m->name, pl, NULL, 0, true);
	if (m->type != '0') {
		/* Like a directory copy: a link or device in place of a file is refused. */
		if (cda_tar_kind(m->type))
			return cda_fail(err, CDA_E_FORMAT, "%s: %s: %s in the archive, not a regular "
					"file (a copy of debugfs has none)", ld->name, m->name,
					cda_tar_kind(m->type));
		return cda_fail(err, CDA_E_FORMAT, "%s: %s: tar entry of type '%c' not supported",
				ld->name, m->name, m->type >= 0x20 && m->type < 0x7f ? m->type : '?');
	}
	base = memrchr(m->name, '/', pl);
	base = base ? base + 1 : m->name;
	/* Implicit directories: a tar may list only the files. */
	if (base != m->name)
		ret = add_entry(ld, m->name, (size_t)(base - 1 - m->name), NULL, 0, true);
	if (!ret && is_value_file(base))
		ret = add_entry(ld, m->name, pl, (const char *)m->data, (size_t)m->size, false);
	else if (!ret)
		ld->others++;
	return ret;
}

/* ---- `grep -r . DIR` text ---- */

static int read_grep(struct sw_load *ld, const char *text, size_t len)
{
	size_t lineno = 0;

	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *colon;
		int ret;

		lineno++;
		if (e > s && e[-1] == '\r')
			e--;
		if (e == s) {
			s = nl ? nl + 1 : end;
			continue;
		}
		/* The value has no colon; the path may (in theory), so split at the last one. */
		colon = memrchr(s, ':', (size_t)(e - s));
		if (!colon || colon == s || memchr(s, '\0', (size_t)(e - s)))
			return cda_fail(ld->err, CDA_E_FORMAT,
					"%s:%zu: not a PATH:VALUE line of `grep -r . /sys/kernel/debug/swiotlb`",
					ld->name, lineno);
		if ((ret = add_entry(ld, s, (size_t)(colon - s), colon + 1, (size_t)(e - colon - 1),
				     false)))
			return ret;
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- `head FILE...` text ---- */

/*
 * GNU and busybox head, given several files, print "==> PATH <==", the file,
 * then a blank line before the next header. A directory among the files gets
 * its header and no content (head's error goes to stderr, or into the text
 * with 2>&1): head does not descend into it.
 */
static bool head_header(const char *s, const char *e, const char **path, size_t *plen)
{
	if (e > s && e[-1] == '\r')
		e--;
	if (e - s < 9 || memcmp(s, "==> ", 4) || memcmp(e - 4, " <==", 4) ||
	    memchr(s, '\0', (size_t)(e - s)))
		return false;
	*path = s + 4;
	*plen = (size_t)(e - 4 - *path);
	return true;
}

/* The text of head when its first line that is not blank is a header. */
static bool is_head_text(const char *text, size_t len)
{
	size_t skip = strspn(text, " \t\r\n");
	const char *s = text + skip, *nl, *p;
	size_t pl;

	if (skip >= len)
		return false;
	nl = memchr(s, '\n', len - skip);
	return head_header(s, nl ? nl : text + len, &p, &pl);
}

/*
 * One file of the text. An io_tlb_* file is a value; another name with no
 * content (or only head's one-line complaint) is taken for a directory, which
 * check_head_dirs() then wants files under.
 */
static int head_entry(struct sw_load *ld, const char *path, size_t plen, const char *body,
		      size_t blen)
{
	const char *base = memrchr(path, '/', plen), *nl = memchr(body, '\n', blen);
	size_t bl;

	base = base ? base + 1 : path;
	bl = plen - (size_t)(base - path);
	if ((bl < 7 || memcmp(base, "io_tlb_", 7)) &&
	    (blen == 0 || (blen > 6 && !memcmp(body, "head: ", 6) && (!nl || nl == body + blen - 1))))
		return add_entry(ld, path, plen, NULL, 0, true);
	return add_entry(ld, path, plen, body, blen, false);
}

/*
 * A directory head was given but no file under it: its pool was not read
 * (head DIR/POOL does not recurse), which must not pass for an empty pool.
 */
static int check_head_dirs(struct sw_load *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		const char *d = ld->e[i].path;
		size_t dl = strlen(d);
		bool under = false;

		if (ld->e[i].value)
			continue;
		for (size_t j = 0; j < ld->n && !under; j++)
			under = j != i && (!dl || (!strncmp(ld->e[j].path, d, dl) && ld->e[j].path[dl] == '/'));
		if (!under)
			return cda_fail(ld->err, CDA_E_FORMAT,
					"%s: %s: listed with no content and no file under it: a "
					"directory, which head does not read (give head the files: head "
					"-n 100 $(find /sys/kernel/debug/swiotlb -type f); or use grep -r "
					". /sys/kernel/debug/swiotlb)", ld->name, *d ? d : ".");
	}
	return 0;
}

/* The bytes of one file: up to the next header, less head's blank separator line. */
static size_t head_body_len(const char *body, const char *next_header)
{
	size_t n = (size_t)(next_header - body);

	if (n && body[n - 1] == '\n')
		n--;
	if (n && body[n - 1] == '\r')
		n--;
	return n;
}

static int read_head(struct sw_load *ld, const char *text, size_t len)
{
	const char *end = text + len, *path = NULL, *body = NULL;
	size_t plen = 0;
	int ret = 0;

	for (const char *s = text; s < end && !ret;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *p;
		size_t pl;

		if (head_header(s, nl ? nl : end, &p, &pl)) {
			if (path)
				ret = head_entry(ld, path, plen, body, head_body_len(body, s));
			path = p;
			plen = pl;
			body = nl ? nl + 1 : end;
		}
		s = nl ? nl + 1 : end;
	}
	if (!ret && path)
		ret = head_entry(ld, path, plen, body, (size_t)(end - body));
	return ret ? ret : check_head_dirs(ld);
}

/*
 * grep -r . (or head) prints nothing for a wrong path, for debugfs not
 * mounted, and for the empty swiotlb directory of a kernel with no default
 * pool: three states the text cannot tell apart, so it is an error, never
 * "no pool".
 */
static int empty_text(struct sw_load *ld, size_t len)
{
	return cda_fail(ld->err, CDA_E_FORMAT,
			"%s: empty%s: grep -r and head print nothing when the path is wrong, when debugfs "
			"is not mounted, and when /sys/kernel/debug/swiotlb is empty (no default "
			"pool, as on Linux 6.1 with no bouncing needed); give that directory itself, "
			"a copy or a tar of it, to tell them apart", ld->name,
			len ? " (only blank lines)" : "");
}

/* ---- entries -> pools ---- */

static const char *last_comp(const char *dir, size_t len, size_t *clen)
{
	const char *s = dir + len;

	while (s > dir && s[-1] != '/')
		s--;
	*clen = (size_t)(dir + len - s);
	return s;
}

static int parse_value(struct sw_load *ld, const char *path, const char *v, uint64_t *out)
{
	uint64_t x = 0;
	const char *s = v;

	while (*s == ' ' || *s == '\t')
		s++;
	/* All of them empty is a capture made with tar (check_all_empty()); one is damage. */
	if (!s[strspn(s, " \t\r\n")])
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s: %s: empty, not a slot count (the kernel prints a number in every "
				"io_tlb_* file)", ld->name, path);
	if (*s < '0' || *s > '9')
		goto bad;
	if (!cda_parse_dec(s, s + strlen(s), &x, &s))
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s: %s: value out of range (larger than 2^64-1, 18446744073709551615)",
				ld->name, path);
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s)
		goto bad;
	*out = x;
	return 0;
bad:
	return cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: not a decimal slot count", ld->name, path);
}

/*
 * Which pool a directory is. dir_len 0 is the input itself. Returns NULL when
 * the directory is not a pool directory.
 */
static struct sw_pool *pool_of(struct sw_load *ld, struct sw_pool *pools, size_t *npools,
			       const char *path, size_t dir_len, bool root_is_pool, bool must)
{
	size_t dlen, plen = 0;
	const char *d = last_comp(path, dir_len, &dlen), *p = NULL;
	const char *location = "swiotlb";
	bool is_default = false;

	if (d > path)
		p = last_comp(path, (size_t)(d - 1 - path), &plen);
	if (dir_len == 0 || (dlen == 7 && !memcmp(d, "swiotlb", 7))) {
		is_default = true;
	} else if (p && plen == 7 && !memcmp(p, "swiotlb", 7)) {
		/* inside the default pool's directory */
	} else if (!p && root_is_pool) {
		/* the input is a copy of the swiotlb directory itself */
	} else if (must) {
		location = "debugfs-root";
	} else {
		return NULL; /* some other debugfs directory */
	}
	for (size_t i = 0; i < *npools; i++)
		if (strlen(pools[i].dir) == dir_len && !memcmp(pools[i].dir, path, dir_len))
			return &pools[i];
	if (*npools == SW_MAX_POOLS) {
		cda_fail(ld->err, CDA_E_FORMAT, "%s: more than %d pools", ld->name, SW_MAX_POOLS);
		return NULL;
	}
	pools[*npools] = (struct sw_pool){
		.dir = cda_arena_strndup(ld->a, path, dir_len),
		.name = is_default ? "swiotlb" : cda_arena_strndup(ld->a, d, dlen),
		.location = location,
		.is_default = is_default,
	};
	if (!pools[*npools].dir || !pools[*npools].name) {
		cda_oom(ld->err, NULL);
		return NULL;
	}
	return &pools[(*npools)++];
}

static int file_index(const char *base)
{
	for (int i = 0; i < SW_NFILES; i++)
		if (!strcmp(base, file_names[i]))
			return i;
	return -1;
}

/* One pool's facts, appended to list. */
static void pool_facts(struct cda_fb *fb, struct cda_value *list, const struct sw_pool *p)
{
	struct cda_value *o = cda_fb_push_obj(fb, list), *files = cda_fb_new_list(fb);
	bool empty = true;

	cda_fb_str(fb, o, "name", p->name);
	cda_fb_bool(fb, o, "default", p->is_default);
	cda_fb_str(fb, o, "location", p->location);
	cda_fb_str(fb, o, "dir", *p->dir ? p->dir : ".");
	for (int f = 0; f < SW_NFILES; f++) {
		if (!p->have[f])
			continue; /* absent file, absent fact: the rule says so */
		empty = false;
		cda_fb_u64(fb, o, fact_names[f], p->v[f]);
		cda_fb_push_str(fb, files, file_names[f]);
	}
	if (p->have[SW_NSLABS] && (p->v[SW_NSLABS] >> (64 - SW_IO_TLB_SHIFT)) == 0)
		cda_fb_hex(fb, o, "size", p->v[SW_NSLABS] << SW_IO_TLB_SHIFT);
	cda_fb_bool(fb, o, "empty", empty);
	cda_fb_set(fb, o, "files", files);
}

static int pools_facts(struct sw_load *ld, struct cda_fb *fb, struct cda_value *list)
{
	struct sw_pool pools[SW_MAX_POOLS];
	size_t npools = 0;
	bool root_is_pool = false;

	for (size_t i = 0; i < ld->n; i++)
		if (ld->e[i].value && !strchr(ld->e[i].path, '/') && file_index(ld->e[i].path) >= 0)
			root_is_pool = true;
	/* Files first: they make a directory a pool wherever it sits. */
	for (size_t i = 0; i < ld->n; i++) {
		const char *path = ld->e[i].path, *slash = strrchr(path, '/');
		size_t dir_len = slash ? (size_t)(slash - path) : 0;
		int f = file_index(slash ? slash + 1 : path);
		struct sw_pool *p;

		if (!ld->e[i].value || f < 0)
			continue;
		p = pool_of(ld, pools, &npools, path, dir_len, root_is_pool, true);
		if (!p)
			return -ld->err->code;
		if (parse_value(ld, path, ld->e[i].value, &p->v[f]))
			return -ld->err->code;
		p->have[f] = true;
	}
	/*
	 * Then directories without files: an empty pool directory means nslabs
	 * is 0 (swiotlb off or torn down). Only "swiotlb" and its children count;
	 * an empty directory elsewhere in debugfs is not a pool.
	 */
	for (size_t i = 0; i < ld->n; i++)
		if (!ld->e[i].value &&
		    !pool_of(ld, pools, &npools, ld->e[i].path, strlen(ld->e[i].path), root_is_pool,
			     false) && ld->err->code)
			return -ld->err->code;
	if (npools == 0 && ld->n == 0 && ld->others == 0)
		pool_of(ld, pools, &npools, "", 0, true, true); /* an empty copy of swiotlb/ */
	if (npools == 0)
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s: no swiotlb debugfs files (io_tlb_nslabs, io_tlb_used, ...) found",
				ld->name);
	for (size_t i = 0; i < npools; i++)
		pool_facts(fb, list, &pools[i]);
	return 0;
}

static int cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct sw_entry *)x)->path, ((const struct sw_entry *)y)->path);
}

/* A file listed twice (grep text, a tar appended to) has no one value: which would count? */
static int check_twice(struct sw_load *ld)
{
	for (size_t i = 1; i < ld->n; i++)
		if (ld->e[i].value && ld->e[i - 1].value && !strcmp(ld->e[i].path, ld->e[i - 1].path))
			return cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: listed twice", ld->name,
					ld->e[i].path);
	return 0;
}

/*
 * debugfs files stat as size 0, so tar stores them with no contents: an
 * archive of /sys/kernel/debug/swiotlb, or a copy extracted from one, has
 * every io_tlb_* file empty. Say that once, and how to capture instead,
 * rather than "empty" for the first file. (grep -r . prints no empty value.)
 */
static int check_all_empty(struct sw_load *ld, const char *format)
{
	size_t files = 0;

	for (size_t i = 0; i < ld->n; i++) {
		if (!ld->e[i].value || !is_value_file(ld->e[i].path))
			continue;
		if (*ld->e[i].value)
			return 0;
		files++;
	}
	if (!files || !strcmp(format, "grep"))
		return 0;
	if (!strncmp(format, "tar", 3))
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s: the io_tlb_* files in the archive are empty: debugfs files report "
				"size 0, so tar stores them with no contents; capture with grep -r . "
				"/sys/kernel/debug/swiotlb > swiotlb.txt, copy the files out with cat "
				"before archiving them, or use cca-dma-audit-collect", ld->name);
	return cda_fail(ld->err, CDA_E_FORMAT,
			"%s: the io_tlb_* files are all empty (extracted from a tar of debugfs? "
			"debugfs files report size 0, so tar stores them with no contents); capture "
			"with grep -r . /sys/kernel/debug/swiotlb > swiotlb.txt or use "
			"cca-dma-audit-collect", ld->name);
}

/* The entries, in whatever form they came, as the "swiotlb" facts. */
static int entries_facts(struct sw_load *ld, const char *format, struct cda_value **out)
{
	struct cda_fb fb = { .a = ld->a };
	struct cda_value *facts, *pools;
	int ret;

	/* readdir and archives have no fixed order; the facts must. */
	qsort(ld->e, ld->n, sizeof(ld->e[0]), cmp_entry);
	if ((ret = check_twice(ld)) || (ret = check_all_empty(ld, format)))
		return ret;
	facts = cda_fb_new_obj(&fb);
	cda_fb_str(&fb, facts, "format", format);
	pools = cda_fb_list(&fb, facts, "pools");
	if ((ret = pools_facts(ld, &fb, pools)) || (ret = cda_fb_done(&fb, ld->err)))
		return ret;
	*out = facts;
	return 0;
}

int cda_swiotlb_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		      const char **format, struct cda_error *err)
{
	struct sw_load *ld = calloc(1, sizeof(*ld));
	unsigned char *plain = NULL;
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int ret;

	if (!ld)
		return cda_oom(err, NULL);
	ld->name = cda_display_path(path);
	ld->a = a;
	ld->err = err;
	err->code = 0;
	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		*format = "dir";
		ret = fd < 0 ? cda_fail(err, CDA_E_IO, "%s: %s", ld->name, strerror(errno))
			     : walk(ld, fd, "", 0);
	} else if (!(ret = cda_read_file(path, SW_MAX_INPUT, &buf, &len, err))) {
		const unsigned char *b = (const unsigned char *)buf;

		if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
			size_t plen;

			/* the archive inside is a dump like any other: SW_MAX_INPUT bounds it too */
			uint64_t cap = cda_max_decompressed() < SW_MAX_INPUT ? cda_max_decompressed()
									  : SW_MAX_INPUT;

			*format = "tar.gz";
			ret = cda_gunzip(b, len, cap, &plain, &plen);
			if (ret == CDA_GUNZIP_OVER && cap == SW_MAX_INPUT)
				ret = cda_fail(err, CDA_E_FORMAT, "%s: gzip data decompresses to more than "
					       "%u MiB, the limit for a swiotlb dump", ld->name, SW_MAX_INPUT >> 20);
			else if (ret == CDA_GUNZIP_OVER)
				ret = cda_fail_decompressed(err, ld->name, "gzip data", cap);
			else if (ret == -CDA_E_NOMEM)
				ret = cda_oom(err, ld->name);
			else if (ret)
				ret = cda_fail(err, CDA_E_FORMAT,
					       "%s: corrupt or truncated gzip data", ld->name);
			else if (!cda_is_tar(plain, plen))
				ret = cda_fail(err, CDA_E_FORMAT, "%s: gzip data is not a tar archive",
					       ld->name);
			else
				ret = cda_tar_each(plain, plen, ld->name, tar_member, ld, err);
		} else if (cda_is_tar(b, len)) {
			*format = "tar";
			ret = cda_tar_each(b, len, ld->name, tar_member, ld, err);
		} else if (strspn(buf, " \t\r\n") == len) {
			*format = "grep";
			ret = empty_text(ld, len);
		} else if (is_head_text(buf, len)) {
			*format = "head";
			ret = read_head(ld, buf, len);
		} else {
			*format = "grep";
			ret = read_grep(ld, buf, len);
		}
	}
	if (!ret)
		ret = entries_facts(ld, *format, out);
	free(plain);
	free(buf);
	free(ld);
	return ret;
}

int cda_swiotlb_facts_members(struct cda_arena *a, const char *name,
			      const struct cda_tar_member *m, size_t n, struct cda_value **out,
			      struct cda_error *err)
{
	struct sw_load *ld = calloc(1, sizeof(*ld));
	int ret = 0;

	if (!ld)
		return cda_oom(err, NULL);
	ld->name = name;
	ld->a = a;
	ld->err = err;
	err->code = 0;
	for (size_t i = 0; i < n && !ret; i++)
		ret = tar_member(ld, &m[i], err);
	if (!ret)
		ret = entries_facts(ld, "snapshot", out);
	free(ld);
	return ret;
}
