// SPDX-License-Identifier: MIT
/*
 * The in-memory tree both DT readers (dt_blob.c, dt_fs.c) build: nodes,
 * properties, the limits checked as it grows, and the final sort. It knows
 * neither reader; choosing one for a path is dt_read.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "dt.h"
#include "util.h"

struct dt_node *cda_dt_node_new(struct cda_arena *a, struct dt_node *parent, const char *name)
{
	struct dt_node *n = cda_arena_alloc(a, sizeof(*n));
	size_t len = strlen(name), plen = parent && parent->parent ? parent->path_len : 0;
	char *path;

	if (!n)
		return NULL;
	n->parent = parent;
	n->name = cda_arena_strndup(a, name, len);
	if (!parent) {
		n->path = "/";
		n->path_len = 1;
		return n->name ? n : NULL;
	}
	/* parent's path (none for the root's children), "/", name */
	path = cda_arena_alloc(a, plen + 1 + len + 1);
	if (!path || !n->name)
		return NULL;
	memcpy(path, parent->path, plen);
	path[plen] = '/';
	memcpy(path + plen + 1, name, len + 1);
	n->path = path;
	n->path_len = plen + 1 + len;
	return n;
}

int cda_dt_add_node(struct cda_arena *a, struct dt_tree *t, struct dt_node *parent, int depth,
		    const char *name, const char *input, struct dt_node **out,
		    struct cda_error *err)
{
	size_t plen = parent->parent ? parent->path_len : 0;

	if (depth + 1 > DT_MAX_DEPTH)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": nodes nested more than %d levels deep", input,
				DT_PATH_ARG(parent), DT_MAX_DEPTH);
	if (t->nnodes + 1 > DT_MAX_NODES)
		return cda_fail(err, CDA_E_FORMAT, "%s: more than %d nodes", input, DT_MAX_NODES);
	if (plen + 1 + strlen(name) > DT_MAX_PATH)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": a child node's path is longer than %d bytes "
				"(its name has %zu)",
				input, DT_PATH_ARG(parent), DT_MAX_PATH, strlen(name));
	*out = cda_dt_node_new(a, parent, name);
	if (!*out || cda_dt_add_kid(a, parent, *out))
		return cda_oom(err, input);
	t->nnodes++;
	return 0;
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
	n->prop_bits |= cda_dt_name_bit(name);
	p[n->nprops] = (struct dt_prop){ name, copy, len, n->nprops };
	n->nprops++;
	return 0;
}

int cda_dt_add_kid(struct cda_arena *a, struct dt_node *parent, struct dt_node *kid)
{
	struct dt_node **k = cda_arena_grow(a, parent->kids, parent->nkids, &parent->kids_cap,
					    sizeof(*k));

	if (!k)
		return -1;
	parent->kids = k;
	kid->order = parent->nkids;
	k[parent->nkids++] = kid;
	return 0;
}

/*
 * By name, then in the order read: a blob may repeat a name (dtc never
 * writes one that does), and qsort is not stable, so without the second key
 * the facts of such a tree would depend on the C library.
 */
static int cmp_node(const void *pa, const void *pb)
{
	const struct dt_node *a = *(struct dt_node *const *)pa, *b = *(struct dt_node *const *)pb;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int cmp_prop(const void *pa, const void *pb)
{
	const struct dt_prop *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

/*
 * Insertion sort below this many elements: nearly every node has fewer
 * properties and children, and qsort's set-up and indirect calls cost more
 * than the sort itself there (a run over a thousand trees sorts a million).
 */
#define SMALL_SORT 16

static void sort_small(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char *b = base, tmp[sizeof(struct dt_prop)];

	if (n > SMALL_SORT || size > sizeof(tmp)) {
		qsort(base, n, size, cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t j = i;

		memcpy(tmp, b + i * size, size);
		for (; j && cmp(b + (j - 1) * size, tmp) > 0; j--)
			memcpy(b + j * size, b + (j - 1) * size, size);
		memcpy(b + j * size, tmp, size);
	}
}

void cda_dt_sort(struct dt_node *n)
{
	sort_small(n->kids, n->nkids, sizeof(*n->kids), cmp_node);
	sort_small(n->props, n->nprops, sizeof(*n->props), cmp_prop);
	for (size_t i = 0; i < n->nkids; i++)
		cda_dt_sort(n->kids[i]);
}
