// SPDX-License-Identifier: MIT
/* The in-memory tree both DT readers build, and the dispatch between them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dt.h"
#include "util.h"

struct dt_node *cda_dt_node_new(struct cda_arena *a, struct dt_node *parent, const char *name)
{
	struct dt_node *n = cda_arena_alloc(a, sizeof(*n));

	if (!n)
		return NULL;
	n->parent = parent;
	n->name = cda_arena_strdup(a, name);
	if (!parent)
		n->path = "/";
	else if (!parent->parent)
		n->path = cda_arena_printf(a, "/%s", name);
	else
		n->path = cda_arena_printf(a, "%s/%s", parent->path, name);
	return n->name && n->path ? n : NULL;
}

int cda_dt_add_prop(struct cda_arena *a, struct dt_node *n, const char *name,
		    const void *val, size_t len)
{
	struct dt_prop *p = cda_arena_grow(a, n->props, n->nprops, &n->props_cap, sizeof(*p));
	unsigned char *copy = cda_arena_alloc(a, len + 1);

	if (!p || !copy)
		return -1;
	if (len)
		memcpy(copy, val, len);
	n->props = p;
	p[n->nprops].name = cda_arena_strdup(a, name);
	p[n->nprops].val = copy;
	p[n->nprops].len = len;
	return p[n->nprops++].name ? 0 : -1;
}

int cda_dt_add_kid(struct cda_arena *a, struct dt_node *parent, struct dt_node *kid)
{
	struct dt_node **k = cda_arena_grow(a, parent->kids, parent->nkids, &parent->kids_cap,
					    sizeof(*k));

	if (!k)
		return -1;
	parent->kids = k;
	k[parent->nkids++] = kid;
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(struct dt_node *const *)a)->name, (*(struct dt_node *const *)b)->name);
}

static int cmp_prop(const void *a, const void *b)
{
	return strcmp(((const struct dt_prop *)a)->name, ((const struct dt_prop *)b)->name);
}

void cda_dt_sort(struct dt_node *n)
{
	if (n->nkids)
		qsort(n->kids, n->nkids, sizeof(*n->kids), cmp_node);
	if (n->nprops)
		qsort(n->props, n->nprops, sizeof(*n->props), cmp_prop);
	for (size_t i = 0; i < n->nkids; i++)
		cda_dt_sort(n->kids[i]);
}

int cda_dt_read(struct cda_arena *a, const char *path, struct dt_tree *t, struct cda_error *err)
{
	bool from_stdin = !strcmp(path, "-");
	struct stat st;
	char *buf;
	size_t len;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!from_stdin && stat(path, &st))
		return cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
	if (!from_stdin && S_ISDIR(st.st_mode))
		return cda_dt_read_fs(a, path, t, err);
	ret = cda_read_file(path, DT_MAX_BLOB, &buf, &len, err);
	if (ret)
		return ret;
	ret = cda_dt_read_blob(a, cda_display_path(path), buf, len, t, err);
	free(buf);
	return ret;
}
