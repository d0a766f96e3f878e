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

#include "runtime.h"
#include "util.h"

#define SW_MAX_INPUT (16u << 20) /* a real dump is a few hundred bytes */
#define SW_MAX_ENTRIES 1024
#define SW_MAX_POOLS 64
#define SW_MAX_DEPTH 4
#define SW_IO_TLB_SHIFT 11       /* IO_TLB_SHIFT: a slot is 2 KiB */

enum sw_file { F_NSLABS, F_USED, F_HIWATER, F_TRANSIENT, F_COUNT };

static const char *const file_names[F_COUNT] = {
	"io_tlb_nslabs", "io_tlb_used", "io_tlb_used_hiwater", "io_tlb_transient_nslabs",
};
static const char *const fact_names[F_COUNT] = {
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
	bool is_default, have[F_COUNT];
	uint64_t v[F_COUNT];
};

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
	ld->e[ld->n].path = p;
	ld->e[ld->n].value = NULL;
	if (!is_dir && !(ld->e[ld->n].value = cda_arena_strndup(ld->a, value, vlen)))
		return cda_fail(ld->err, CDA_E_NOMEM, "out of memory");
	ld->n++;
	return 0;
}

/* ---- directory copy ---- */

static int walk(struct sw_load *ld, int dirfd, const char *rel, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dirfd);
		return cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, rel, strerror(errno));
	}
	while (!ret && (de = readdir(d))) {
		char path[4096];
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		/* Symlinks are not followed: a copy must not lead outside itself. */
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode) && depth < SW_MAX_DEPTH) {
			ret = add_entry(ld, path, strlen(path), NULL, 0, true);
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (!ret && fd >= 0)
				ret = walk(ld, fd, path, depth + 1);
		} else if (S_ISREG(st.st_mode) && strncmp(de->d_name, "io_tlb_", 7)) {
			ld->others++;
		} else if (S_ISREG(st.st_mode)) {
			char buf[64];
			ssize_t got;

			fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path,
						strerror(errno));
			got = read(fd, buf, sizeof(buf));
			close(fd);
			if (got < 0)
				ret = cda_fail(ld->err, CDA_E_IO, "%s/%s: %s", ld->name, path,
					       strerror(errno));
			else
				ret = add_entry(ld, path, strlen(path), buf, (size_t)got, false);
		}
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

static int read_tar(struct sw_load *ld, const unsigned char *b, size_t len)
{
	size_t off = 0;

	while (off + 512 <= len) {
		const unsigned char *h = b + off;
		char path[256 + 2];
		uint64_t size, sum, want = 0;
		size_t pl = 0;
		int ret;

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
		if (h[345] && !memcmp(h + 257, "ustar\0", 6)) { /* POSIX prefix field */
			pl = strnlen((const char *)h + 345, 155);
			memcpy(path, h + 345, pl);
			path[pl++] = '/';
		}
		memcpy(path + pl, h, strnlen((const char *)h, 100));
		pl += strnlen((const char *)h, 100);
		if (h[156] == '5') {
			ret = add_entry(ld, path, pl, NULL, 0, true);
		} else if (h[156] == '0' || h[156] == '\0') {
			const char *base = memrchr(path, '/', pl);

			base = base ? base + 1 : path;
			ret = 0;
			/* Implicit directories: a tar may list only the files. */
			if (base != path)
				ret = add_entry(ld, path, (size_t)(base - 1 - path), NULL, 0, true);
			if (!ret && !strncmp(base, "io_tlb_", 7))
				ret = add_entry(ld, path, pl, (const char *)h + 512,
						size > 64 ? 64 : (size_t)size, false);
		} else {
			ret = 0; /* links, pax and long-name records: nothing a dump needs */
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
	if (*s < '0' || *s > '9')
		goto bad;
	if (!cda_parse_dec(s, s + strlen(s), &x, &s))
		return cda_fail(ld->err, CDA_E_FORMAT, "%s: %s: value out of range", ld->name, path);
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
	for (int i = 0; i < F_COUNT; i++)
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
		for (int f = 0; f < F_COUNT; f++) {
			if (!p->have[f])
				continue; /* absent file, absent fact: the rule says so */
			empty = false;
			if (cda_obj_set_u64(a, o, fact_names[f], p->v[f]) ||
			    cda_list_push(a, files, cda_v_str(a, file_names[f])))
				goto oom;
		}
		if (p->have[F_NSLABS] && (p->v[F_NSLABS] >> (64 - SW_IO_TLB_SHIFT)) == 0 &&
		    cda_obj_set_hex(a, o, "size", p->v[F_NSLABS] << SW_IO_TLB_SHIFT))
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

			*format = "tar.gz";
			ret = cda_gunzip(b, len, SW_MAX_INPUT, &plain, &plen);
			if (ret)
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
