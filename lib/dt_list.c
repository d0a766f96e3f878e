// SPDX-License-Identifier: MIT
/*
 * Which device trees a path holds (ccadma.h, cda_dt_list()), for a run over
 * many: a vendor's board trees are a directory of *.dtb files in per-SoC
 * subdirectories (as Debian installs them under /usr/lib/linux-image-*),
 * while a /proc/device-tree copy is a directory that is one tree. The names
 * are sorted so that a report, and its fingerprints' occurrences, do not
 * depend on the order a file system lists a directory in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccadma.h"
#include "util.h"

#define LIST_MAX_DEPTH 16      /* a board tree directory is 2 deep */
#define LIST_MAX_TREES 1000000 /* bounds memory on a hostile directory */

struct walk {
	struct cda_dt_list *l;
	const char *top; /* the directory given, for messages and paths */
	struct cda_error *err;
};

/* path NULL: filled in once the names are sorted (cda_dt_list()). */
static int add(struct cda_dt_list *l, const char *path, const char *name, struct cda_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->paths, cap * sizeof(*p)), **n;

		if (p)
			l->paths = p;
		n = p ? realloc(l->names, cap * sizeof(*n)) : NULL;
		if (!n)
			return cda_oom(err, NULL);
		l->names = n;
		l->cap = cap;
	}
	l->paths[l->n] = path ? strdup(path) : NULL;
	l->names[l->n] = strdup(name);
	if ((path && !l->paths[l->n]) || !l->names[l->n]) {
		free(l->paths[l->n]);
		free(l->names[l->n]);
		return cda_oom(err, NULL);
	}
	l->n++;
	return 0;
}

static bool is_dtb(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcmp(name + n - 4, ".dtb");
}

/* A /proc/device-tree copy has its root node's properties as files at its top. */
static bool is_tree_copy(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	bool tree;

	if (fd < 0)
		return false;
	tree = (!fstatat(fd, "compatible", &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode)) ||
	       (!fstatat(fd, "#address-cells", &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode));
	close(fd);
	return tree;
}

/* Every *.dtb under rel (relative to w->top; "" is the top itself). */
static int walk(struct walk *w, const char *rel, int depth)
{
	char *dir = cda_path_join(w->top, rel), *sub = NULL, *name = NULL;
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int ret = 0;

	if (!dir)
		return cda_oom(w->err, NULL);
	if (!d)
		ret = cda_fail(w->err, CDA_E_IO, "%s: %s", dir, strerror(errno));
	while (!ret && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue; /* ., .. and hidden files: never a board tree */
		free(sub);
		free(name);
		sub = cda_path_join(dir, e->d_name);
		name = cda_path_join(rel, e->d_name);
		if (!sub || !name)
			ret = cda_oom(w->err, NULL);
		else if (lstat(sub, &st))
			continue; /* gone meanwhile */
		else if (S_ISDIR(st.st_mode) && depth < LIST_MAX_DEPTH)
			ret = walk(w, name, depth + 1);
		else if (is_dtb(e->d_name) && !stat(sub, &st) && S_ISREG(st.st_mode))
			ret = w->l->n >= LIST_MAX_TREES
				      ? cda_fail(w->err, CDA_E_FORMAT, "%s: more than %d device trees",
						 w->top, LIST_MAX_TREES)
				      : add(w->l, NULL, name, w->err);
	}
	if (d)
		closedir(d);
	free(sub);
	free(name);
	free(dir);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cda_dt_list(const char *path, struct cda_dt_list *out, struct cda_error *err)
{
	struct walk w = { out, path, err };
	struct stat st;
	size_t first = out->n;
	int ret;

	if (!strcmp(path, "-") || (!stat(path, &st) && !S_ISDIR(st.st_mode)) || is_tree_copy(path))
		return add(out, path, path, err); /* one tree; the loader says what is wrong with it */
	if ((ret = walk(&w, "", 0)))
		return ret;
	if (out->n == first)
		return cda_fail(err, CDA_E_FORMAT, "%s: no *.dtb file under it, and not a "
				"/proc/device-tree copy (no compatible or #address-cells file)", path);
	qsort(out->names + first, out->n - first, sizeof(char *), by_name);
	for (size_t i = first; i < out->n; i++)
		if (!(out->paths[i] = cda_path_join(path, out->names[i])))
			return cda_oom(err, NULL);
	return 0;
}

void cda_dt_list_free(struct cda_dt_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
		free(l->names[i]);
	}
	free(l->paths);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

/* A tree of a run: which list and entry, for sorting by file or by name. */
struct entry {
	struct cda_dt_list *l;
	size_t i;
	dev_t dev;
	ino_t ino;
};

static int by_file(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return (a->ino > b->ino) - (a->ino < b->ino);
}

static int by_entry_name(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	return strcmp(a->l->names[a->i], b->l->names[b->i]);
}

/* The names two trees share: each takes its path as given instead. */
static int unique_names(struct entry *e, size_t n, struct cda_error *err)
{
	qsort(e, n, sizeof(*e), by_entry_name);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !by_entry_name(&e[i], &e[j]))
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			char *p = strdup(e[k].l->paths[e[k].i]);

			if (!p)
				return cda_oom(err, NULL);
			free(e[k].l->names[e[k].i]);
			e[k].l->names[e[k].i] = p;
		}
		i = j;
	}
	return 0;
}

int cda_dt_lists_check(struct cda_dt_list *lists, size_t nlists, struct cda_error *err)
{
	struct entry *e;
	size_t n = 0, k = 0, stdin_seen = 0;
	int ret = 0;

	for (size_t i = 0; i < nlists; i++)
		n += lists[i].n;
	if (!(e = calloc(n ? n : 1, sizeof(*e))))
		return cda_oom(err, NULL);
	for (size_t i = 0; i < nlists; i++) {
		for (size_t j = 0; j < lists[i].n; j++) {
			bool in = !strcmp(lists[i].paths[j], "-");
			struct stat st;

			if (in && stdin_seen++) /* "-" reads standard input: once */
				ret = cda_fail(err, CDA_E_USAGE, "standard input (-) given twice");
			else if (!in && !stat(lists[i].paths[j], &st))
				e[k++] = (struct entry){ &lists[i], j, st.st_dev, st.st_ino };
		}
	}
	if (!ret)
		qsort(e, k, sizeof(*e), by_file);
	for (size_t i = 1; !ret && i < k; i++)
		if (!by_file(&e[i - 1], &e[i]))
			ret = cda_fail(err, CDA_E_USAGE, "%s and %s are the same file: give it once",
				       e[i - 1].l->paths[e[i - 1].i], e[i].l->paths[e[i].i]);
	if (!ret)
		ret = unique_names(e, k, err);
	free(e);
	return ret;
}
