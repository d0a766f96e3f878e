// SPDX-License-Identifier: MIT
/*
 * swiotlb debugfs loader. kernel/dma/swiotlb.c swiotlb_create_debugfs_files()
 * makes one directory per pool holding io_tlb_nslabs, io_tlb_used,
 * io_tlb_used_hiwater (~v6.4) and io_tlb_transient_nslabs
 * (CONFIG_SWIOTLB_DYNAMIC, ~v6.9), all counts of 2 KiB slots; a pool with no
 * slabs has an empty directory. The default pool is "swiotlb"; a restricted
 * pool is named after its reserved-memory node and sits inside "swiotlb", or
 * at the debugfs root when its device probed before the late_initcall made
 * the parent (DOMAIN.md §1.1).
 *
 * Three input forms become one list of (relative path, value) entries, and one
 * function turns the entries into pools, so the forms cannot disagree:
 * a directory copy, a tar archive (gzip'd or not), and the text of
 * `grep -r . /sys/kernel/debug/swiotlb` ("PATH:VALUE" lines).
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
#define SW_TAR_NAME_MAX 4096     /* PATH_MAX: a long-name record naming an entry */
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
		return cda_fail(ld->err, CDA_E_NOMEM, "out of memory");
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
	ld->e[ld->n].path = p;
	ld->e[ld->n].value = NULL;
	if (!is_dir && !(ld->e[ld->n].value = cda_arena_strndup(ld->a, value, vlen)))
		return cda_fail(ld->err, CDA_E_NOMEM, "out of memory");
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

/* ---- tar archive (POSIX ustar and GNU; long-name and pax records skipped) ---- */

static int tar_number(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

static bool is_tar(const unsigned char *b, size_t len)
{
	return len >= 512 && !memcmp(b + 257, "ustar", 5);
}

/*
 * The full name a GNU long-name record ('L') or a pax header's path= ('x')
 * gives the next entry, whose own header holds the name cut at 100 bytes: read
 * that cut name and a pool file 100 bytes down would vanish.
 */
static int tar_long_name(struct sw_load *ld, const unsigned char *d, size_t size, char type,
			 size_t at, char *name, size_t *nlen)
{
	const char *val = (const char *)d;
	size_t n = strnlen(val, size);

	/* pax: "LENGTH KEY=VALUE\n" records, LENGTH counting the whole record */
	for (size_t i = 0; type == 'x'; ) {
		const char *r = (const char *)d + i, *sp;
		uint64_t rl;

		if (i == size)
			return 0; /* no path= record: the header's name stands */
		if (!cda_parse_dec(r, (const char *)d + size, &rl, &sp) ||
		    sp == (const char *)d + size || *sp != ' ' ||
		    rl <= (uint64_t)(sp + 1 - r) || rl > size - i || r[rl - 1] != '\n')
			return cda_fail(ld->err, CDA_E_FORMAT, "%s: corrupt pax header at byte %zu",
					ld->name, at);
		if (rl >= (uint64_t)(sp + 1 - r) + 6 && !strncmp(sp + 1, "path=", 5)) {
			val = sp + 6;
			n = (size_t)(r + rl - 1 - val);
			break;
		}
		i += (size_t)rl;
	}
	if (n > SW_TAR_NAME_MAX)
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: tar entry name longer than %d bytes at byte %zu",
				ld->name, SW_TAR_NAME_MAX, at);
	memcpy(name, val, n);
	*nlen = n;
	return 0;
}

static const char *tar_kind(char type)
{
	switch (type) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a FIFO";
	default: return NULL;
	}
}

static int read_tar(struct sw_load *ld, const unsigned char *b, size_t len)
{
	char path[SW_TAR_NAME_MAX + 258], lname[SW_TAR_NAME_MAX];
	size_t off = 0, lnlen = 0;
	bool have_long = false;

	while (off + 512 <= len) {
		const unsigned char *h = b + off;
		uint64_t size, sum, want = 0;
		char type = (char)h[156];
		size_t pl = 0;
		int ret = 0;

		if (h[0] == '\0')
			return 0; /* end-of-archive block */
		if (tar_number(h + 124, 12, &size) || tar_number(h + 148, 8, &sum))
			return cda_fail(ld->err, CDA_E_FORMAT, "%s: corrupt tar header at byte %zu",
					ld->name, off);
		for (size_t i = 0; i < 512; i++)
			want += (i >= 148 && i < 156) ? ' ' : h[i];
		if (want != sum)
			return cda_fail(ld->err, CDA_E_FORMAT, "%s: tar header checksum mismatch at byte %zu",
					ld->name, off);
		if (size > len - off - 512)
			return cda_fail(ld->err, CDA_E_FORMAT, "%s: truncated tar archive", ld->name);
		if (have_long) {
			memcpy(path, lname, lnlen);
			pl = lnlen;
		} else {
			if (h[345] && !memcmp(h + 257, "ustar\0", 6)) { /* POSIX prefix field */
				pl = strnlen((const char *)h + 345, 155);
				memcpy(path, h + 345, pl);
				path[pl++] = '/';
			}
			memcpy(path + pl, h, strnlen((const char *)h, 100));
			pl += strnlen((const char *)h, 100);
		}
		path[pl] = '\0';
		have_long = type == 'L' || type == 'x';
		if (have_long) {
			lnlen = 0;
			ret = tar_long_name(ld, h + 512, (size_t)size, type, off, lname, &lnlen);
			have_long = lnlen > 0;
		} else if (type == '5') {
			ret = add_entry(ld, path, pl, NULL, 0, true);
		} else if (type == '0' || type == '\0' || type == '7') {
			const char *base = memrchr(path, '/', pl);

			base = base ? base + 1 : path;
			/* Implicit directories: a tar may list only the files. */
			if (base != path)
				ret = add_entry(ld, path, (size_t)(base - 1 - path), NULL, 0, true);
			if (!ret && is_value_file(base))
				ret = add_entry(ld, path, pl, (const char *)h + 512, (size_t)size, false);
		} else if (tar_kind(type)) {
			/* Like a directory copy: a link or device in place of a file is refused. */
			ret = cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: %s in the archive, not a regular "
				       "file (a copy of debugfs has none)", ld->name, path, tar_kind(type));
		} else if (type != 'g' && type != 'K' && type != 'V') {
			/* global pax records, long link names and volume labels name no entry */
			ret = cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: tar entry of type '%c' not supported",
				       ld->name, path, type >= 0x20 && type < 0x7f ? type : '?');
		}
		if (ret)
			return ret;
		off += 512 + (size_t)((size + 511) & ~(uint64_t)511);
	}
	if (off != len)
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: truncated tar archive", ld->name);
	return 0;
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
	/* debugfs files have size 0, so tar (and some copy tools) save them empty. */
	if (!s[strspn(s, " \t\r\n")])
		return cda_fail(ld->err, CDA_E_FORMAT,
				"%s: %s: empty, not a slot count (was the copy made with tar? it saves "
				"debugfs files empty: give the text of grep -r . /sys/kernel/debug/swiotlb)",
				ld->name, path);
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
		cda_fail(ld->err, CDA_E_NOMEM, "out of memory");
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

static int pools_facts(struct sw_load *ld, struct cda_value *list)
{
	struct sw_pool pools[SW_MAX_POOLS];
	size_t npools = 0;
	bool root_is_pool = false;
	struct cda_arena *a = ld->a;

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
	for (size_t i = 0; i < npools; i++) {
		struct sw_pool *p = &pools[i];
		struct cda_value *o = cda_v_obj(a), *files = cda_v_list(a);
		bool empty = true;

		if (!o || !files || cda_obj_set_str(a, o, "name", p->name) ||
		    cda_obj_set_bool(a, o, "default", p->is_default) ||
		    cda_obj_set_str(a, o, "location", p->location) ||
		    cda_obj_set_str(a, o, "dir", *p->dir ? p->dir : "."))
			goto oom;
		for (int f = 0; f < SW_NFILES; f++) {
			if (!p->have[f])
				continue; /* absent file, absent fact: the rule says so */
			empty = false;
			if (cda_obj_set_u64(a, o, fact_names[f], p->v[f]) ||
			    cda_list_push(a, files, cda_v_str(a, file_names[f])))
				goto oom;
		}
		if (p->have[SW_NSLABS] && (p->v[SW_NSLABS] >> (64 - SW_IO_TLB_SHIFT)) == 0 &&
		    cda_obj_set_hex(a, o, "size", p->v[SW_NSLABS] << SW_IO_TLB_SHIFT))
			goto oom;
		if (cda_obj_set_bool(a, o, "empty", empty) || cda_obj_set(a, o, "files", files) ||
		    cda_list_push(a, list, o))
			goto oom;
	}
	return 0;
oom:
	return cda_fail(ld->err, CDA_E_NOMEM, "out of memory");
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

int cda_swiotlb_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		      const char **format, struct cda_error *err)
{
	struct sw_load *ld = calloc(1, sizeof(*ld));
	unsigned char *plain = NULL;
	char *buf = NULL;
	size_t len = 0;
	struct cda_value *facts, *pools;
	struct stat st;
	int ret;

	if (!ld)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
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
			else if (ret)
				ret = cda_fail(err, -ret, "%s: %s", ld->name, ret == -CDA_E_NOMEM
					       ? "out of memory" : "corrupt or truncated gzip data");
			else if (!is_tar(plain, plen))
				ret = cda_fail(err, CDA_E_FORMAT, "%s: gzip data is not a tar archive",
					       ld->name);
			else
				ret = read_tar(ld, plain, plen);
		} else if (is_tar(b, len)) {
			*format = "tar";
			ret = read_tar(ld, b, len);
		} else {
			*format = "grep";
			ret = read_grep(ld, buf, len);
		}
	}
	if (ret)
		goto out;
	/* readdir and archives have no fixed order; the facts must. */
	qsort(ld->e, ld->n, sizeof(ld->e[0]), cmp_entry);
	if ((ret = check_twice(ld)))
		goto out;
	facts = cda_v_obj(a);
	pools = cda_v_list(a);
	if (!facts || !pools || cda_obj_set_str(a, facts, "format", *format)) {
		ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
		goto out;
	}
	if ((ret = pools_facts(ld, pools)))
		goto out;
	if (cda_obj_set(a, facts, "pools", pools)) {
		ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
		goto out;
	}
	*out = facts;
out:
	free(plain);
	free(buf);
	free(ld);
	return ret;
}
