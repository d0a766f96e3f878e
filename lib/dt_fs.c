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

#define FS_MAX_TOTAL (256u << 20)

struct fs_walk {
	struct cda_arena *a;
	struct dt_tree *t;
	const char *top;
	size_t total;
	struct cda_error *err;
};

static int read_prop(struct fs_walk *w, int dirfd, const char *fname, struct dt_node *n)
{
	int fd = openat(dirfd, fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int ret = 0;

	if (fd < 0)
		return cda_fail(w->err, CDA_E_IO, "%s: %s/%s: %s", w->top, n->path, fname,
				strerror(errno));
	if (fstat(fd, &st) || st.st_size < 0 || (uint64_t)st.st_size > DT_MAX_PROP) {
		ret = cda_fail(w->err, CDA_E_FORMAT, "%s: %s/%s: property larger than %u MiB",
			       w->top, n->path, fname, DT_MAX_PROP >> 20);
		goto out;
	}
	w->total += (size_t)st.st_size;
	if (w->total > FS_MAX_TOTAL) {
		ret = cda_fail(w->err, CDA_E_FORMAT, "%s: tree larger than %u MiB", w->top,
			       FS_MAX_TOTAL >> 20);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = cda_fail(w->err, CDA_E_NOMEM, "%s: out of memory", w->top);
		goto out;
	}
	/* Read at most st_size + 1 bytes: a file that grows while read is an error, not a hang. */
	while ((got = read(fd, buf + len, (size_t)st.st_size + 1 - len)) > 0) {
		len += (size_t)got;
		if (len > (size_t)st.st_size)
			break;
	}
	if (got < 0 || len != (size_t)st.st_size) {
		ret = cda_fail(w->err, CDA_E_IO, "%s: %s/%s: %s", w->top, n->path, fname,
			       got < 0 ? strerror(errno) : "size changed while reading");
		goto out;
	}
	if (cda_dt_add_prop(w->a, n, fname, buf, len))
		ret = cda_fail(w->err, CDA_E_NOMEM, "%s: out of memory", w->top);
out:
	free(buf);
	close(fd);
	return ret;
}

static int walk_dir(struct fs_walk *w, int dirfd, struct dt_node *n, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dirfd);
		return cda_fail(w->err, CDA_E_IO, "%s: %s: %s", w->top, n->path, strerror(errno));
	}
	while (!ret && (de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			ret = cda_fail(w->err, CDA_E_IO, "%s: %s/%s: %s", w->top, n->path,
				       de->d_name, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			struct dt_node *kid;
			int fd;

			if (depth + 1 > DT_MAX_DEPTH) {
				ret = cda_fail(w->err, CDA_E_FORMAT, "%s: %s: nodes nested deeper than %d",
					       w->top, n->path, DT_MAX_DEPTH);
				break;
			}
			if (++w->t->nnodes > DT_MAX_NODES) {
				ret = cda_fail(w->err, CDA_E_FORMAT, "%s: more than %d nodes", w->top,
					       DT_MAX_NODES);
				break;
			}
			kid = cda_dt_node_new(w->a, n, de->d_name);
			if (!kid || cda_dt_add_kid(w->a, n, kid)) {
				ret = cda_fail(w->err, CDA_E_NOMEM, "%s: out of memory", w->top);
				break;
			}
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				ret = cda_fail(w->err, CDA_E_IO, "%s: %s: %s", w->top, kid->path,
					       strerror(errno));
			else
				ret = walk_dir(w, fd, kid, depth + 1);
		} else if (S_ISREG(st.st_mode) && strcmp(de->d_name, "name")) {
			ret = read_prop(w, dirfd, de->d_name, n);
		}
	}
	closedir(d);
	return ret;
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
	t->root = cda_dt_node_new(a, NULL, "");
	if (!t->root) {
		close(fd);
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", dir);
	}
	t->nnodes = 1;
	ret = walk_dir(&w, fd, t->root, 0);
	if (!ret && !t->root->nprops && !t->root->nkids)
		ret = cda_fail(err, CDA_E_FORMAT, "%s: empty directory, not a device tree", dir);
	if (!ret)
		cda_dt_sort(t->root);
	return ret;
}
