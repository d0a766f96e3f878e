// SPDX-License-Identifier: MIT
/*
 * /proc/device-tree reader: a directory per node, a file per property holding
 * the raw big-endian bytes. Symlinks inside the tree are not followed (a copy
 * made with cp -r of a hostile tree must not lead us outside it), and the
 * "name" pseudo-property that Linux adds to every node is dropped because a
 * blob has no such property.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"
#include "util.h"

/*
 * All property files together, no more than a blob may hold: each counts its
 * size, its name and FS_PROP_OVERHEAD bytes (a blob's property header), so a
 * million empty files are refused too.
 */
#define FS_MAX_TOTAL DT_MAX_BLOB
#define FS_PROP_OVERHEAD 12

struct fs_walk {
	struct cda_arena *a;
	struct dt_tree *t;
	const char *top;
	size_t total;
	struct cda_error *err;
};

static int read_prop(struct fs_walk *w, int dirfd, const char *fname, struct dt_node *n)
{
	unsigned char *buf = NULL;
	const char *name;
	struct stat st;
	const char *why;
	/* Regular files only, opened without blocking: a FIFO must not hang the run. */
	int fd = cda_open_regular(dirfd, fname, false, &st, &why);
	ssize_t got;
	size_t len = 0;
	int ret = 0;

	if (fd < 0)
		return cda_fail(w->err, CDA_E_IO, "%s: " DT_PATH_FMT "/%s: %s", w->top,
				DT_PATH_ARG(n), fname, why);
	if ((uint64_t)st.st_size > DT_MAX_PROP) {
		ret = cda_fail(w->err, CDA_E_FORMAT,
			       "%s: " DT_PATH_FMT "/%s: property larger than the %u MiB limit",
			       w->top, DT_PATH_ARG(n), fname, DT_MAX_PROP >> 20);
		goto out;
	}
	/* As a blob would hold it: a 12-byte header, the name and the value (so empty files count). */
	w->total += FS_PROP_OVERHEAD + strlen(fname) + (size_t)st.st_size;
	if (w->total > FS_MAX_TOTAL) {
		ret = cda_fail(w->err, CDA_E_FORMAT,
			       "%s: properties larger than the %u MiB limit in total "
			       "(with names and %d bytes each)",
			       w->top, FS_MAX_TOTAL >> 20, FS_PROP_OVERHEAD);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = cda_oom(w->err, w->top);
		goto out;
	}
	/* Read at most st_size + 1 bytes: a file that grows while read is an error, not a hang. */
	while ((got = read(fd, buf + len, (size_t)st.st_size + 1 - len)) > 0) {
		len += (size_t)got;
		if (len > (size_t)st.st_size)
			break;
	}
	if (got < 0 || len != (size_t)st.st_size) {
		ret = cda_fail(w->err, CDA_E_IO, "%s: " DT_PATH_FMT "/%s: %s", w->top, DT_PATH_ARG(n), fname,
			       got < 0 ? strerror(errno) : "size changed while reading");
		goto out;
	}
	if (!(name = cda_arena_strdup(w->a, fname)) || cda_dt_add_prop(w->a, n, name, buf, len))
		ret = cda_oom(w->err, w->top);
out:
	free(buf);
	close(fd);
	return ret;
}

/* Directory, regular file or neither (a symlink, a device...: skipped). */
static int entry_kind(int dirfd, const struct dirent *de, bool *dir, bool *reg)
{
	struct stat st;

	/* readdir's d_type saves a stat per entry where the filesystem gives it. */
	if (de->d_type != DT_UNKNOWN) {
		*dir = de->d_type == DT_DIR;
		*reg = de->d_type == DT_REG;
		return 0;
	}
	if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
		return -1;
	*dir = S_ISDIR(st.st_mode);
	*reg = S_ISREG(st.st_mode);
	return 0;
}

static int walk_dir(struct fs_walk *w, int dirfd, struct dt_node *n, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dirfd);
		return cda_fail(w->err, CDA_E_IO, "%s: " DT_PATH_FMT ": %s", w->top, DT_PATH_ARG(n),
				strerror(errno));
	}
	while (!ret && (de = readdir(d))) {
		struct dt_node *kid;
		bool dir, reg;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (entry_kind(dirfd, de, &dir, &reg)) {
			ret = cda_fail(w->err, CDA_E_IO, "%s: " DT_PATH_FMT "/%s: %s", w->top, DT_PATH_ARG(n),
				       de->d_name, strerror(errno));
		} else if (dir) {
			if ((ret = cda_dt_add_node(w->a, w->t, n, depth, de->d_name, w->top, &kid,
						   w->err)))
				break;
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				ret = cda_fail(w->err, CDA_E_IO, "%s: " DT_PATH_FMT ": %s", w->top, DT_PATH_ARG(kid),
					       strerror(errno));
			else
				ret = walk_dir(w, fd, kid, depth + 1);
		} else if (reg && strcmp(de->d_name, "name")) {
			ret = read_prop(w, dirfd, de->d_name, n);
		}
	}
	closedir(d);
	return ret;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* What the top level of a directory holds, when it is not a device tree. */
struct top {
	size_t files, dirs, dtbs, dts, src;
	bool base;
	char dtb[48]; /* the first .dtb by name, printable */
};

static void note_entry(struct top *tp, const char *name, bool dir)
{
	static const char *const src_suffixes[] = { ".c", ".h", ".S", ".rs", ".py", ".sh", NULL };

	if (dir) {
		tp->dirs++;
		tp->base |= !strcmp(name, "base");
		tp->src += !strcmp(name, ".git");
		return;
	}
	tp->files++;
	if (ends_with(name, ".dtb")) {
		char shown[sizeof(tp->dtb)];
		size_t i;

		for (i = 0; name[i] && i < sizeof(shown) - 1; i++)
			shown[i] = (unsigned char)name[i] >= 0x20 && (unsigned char)name[i] < 0x7f ? name[i] : '?';
		shown[i] = '\0';
		if (!tp->dtbs++ || strcmp(shown, tp->dtb) < 0)
			memcpy(tp->dtb, shown, i + 1);
	} else if (ends_with(name, ".dts") || ends_with(name, ".dtsi")) {
		tp->dts++;
	} else if (!strcmp(name, "Makefile") || !strcmp(name, "Kconfig") ||
		   !strcmp(name, "meson.build") || !strcmp(name, "CMakeLists.txt")) {
		tp->src++;
	} else {
		for (size_t i = 0; src_suffixes[i]; i++)
			if (ends_with(name, src_suffixes[i])) {
				tp->src++;
				break;
			}
	}
}

/*
 * A /proc/device-tree copy has root properties (compatible, model,
 * #address-cells, #size-cells) or the nodes every tree has (chosen, cpus,
 * memory). A directory with none of them is something else - a folder of
 * .dtb files, a source tree - which read as a tree would be audited as empty
 * and pass. Decided from the top level alone, before a big tree is walked,
 * and the error says what the directory looked like.
 */
static int check_top(int fd, const char *dir, struct cda_error *err)
{
	static const char *const props[] = { "compatible", "model", "#address-cells", "#size-cells", NULL };
	static const char *const nodes[] = { "chosen", "cpus", "memory", NULL };
	static const char *const not_dt = "not a device-tree directory (no root properties such as "
					  "compatible or #address-cells, no chosen or memory node)";
	struct top tp = { 0 };
	struct dirent *de;
	bool found = false;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return cda_fail(err, CDA_E_IO, "%s: %s", dir, strerror(errno));
	}
	while (!found && (de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue; /* an entry that cannot be read is the walk's to report */
		if (S_ISREG(st.st_mode)) {
			for (size_t i = 0; props[i]; i++)
				found |= !strcmp(de->d_name, props[i]);
			note_entry(&tp, de->d_name, false);
		} else if (S_ISDIR(st.st_mode)) {
			for (size_t i = 0; nodes[i]; i++)
				found |= !strcmp(de->d_name, nodes[i]);
			found |= !strncmp(de->d_name, "memory@", 7);
			note_entry(&tp, de->d_name, true);
		}
	}
	closedir(d);
	if (found)
		return 0;
	if (!tp.files && !tp.dirs)
		return cda_fail(err, CDA_E_FORMAT, "%s: empty directory, not a device tree", dir);
	if (tp.dtbs == 1)
		return cda_fail(err, CDA_E_FORMAT, "%s: %s; it holds one .dtb file, %s: give that file",
				dir, not_dt, tp.dtb);
	if (tp.dtbs)
		return cda_fail(err, CDA_E_FORMAT, "%s: %s; it holds %zu .dtb files (%s, ...): give one of them",
				dir, not_dt, tp.dtbs, tp.dtb);
	if (tp.dts)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: %s; it looks like device-tree sources (%zu .dts/.dtsi files): compile one with dtc -O dtb",
				dir, not_dt, tp.dts);
	if (tp.base)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: %s; it holds a 'base' folder: for /sys/firmware/devicetree give %s/base",
				dir, not_dt, dir);
	if (tp.src)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: %s; it looks like a source tree (.c/.h files, a Makefile or .git at its top)",
				dir, not_dt);
	return cda_fail(err, CDA_E_FORMAT, "%s: %s; it holds %zu file%s and %zu folder%s", dir, not_dt,
			tp.files, tp.files == 1 ? "" : "s", tp.dirs, tp.dirs == 1 ? "" : "s");
}

int cda_dt_read_fs(struct cda_arena *a, const char *dir, struct dt_tree *t, struct cda_error *err)
{
	struct fs_walk w = { .a = a, .t = t, .top = dir, .err = err };
	int fd, ret;

	memset(t, 0, sizeof(*t));
	t->format = "fs";
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", dir, strerror(errno));
	if ((ret = check_top(fd, dir, err))) {
		close(fd);
		return ret;
	}
	t->root = cda_dt_node_new(a, NULL, "");
	if (!t->root) {
		close(fd);
		return cda_oom(err, dir);
	}
	t->nnodes = 1;
	ret = walk_dir(&w, fd, t->root, 0);
	if (!ret && !t->root->nprops && !t->root->nkids)
		ret = cda_fail(err, CDA_E_FORMAT, "%s: empty directory, not a device tree", dir);
	if (!ret)
		cda_dt_sort(t->root);
	return ret;
}
