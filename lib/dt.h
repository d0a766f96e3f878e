/* SPDX-License-Identifier: MIT */
/*
 * dt.h - device tree loader.
 *
 * Two readers build one in-memory tree: dt_blob.c (a .dtb, validated with
 * libfdt's fdt_check_full before it is walked) and dt_fs.c (a /proc/device-tree
 * style directory). dt_facts.c then derives the "dt" facts from that tree, so
 * both input forms give the same facts by construction. Children are kept in
 * name order so the facts do not depend on blob or readdir order.
 */
#ifndef CDA_DT_H
#define CDA_DT_H

#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"
#include "facts.h"

#define DT_MAX_DEPTH 32        /* real trees are < 10 deep; bounds recursion */
#define DT_MAX_NODES 200000
#define DT_MAX_BLOB (64u << 20) /* Linux caps FDTs at 2 MiB on arm64; be generous */
#define DT_MAX_PROP (16u << 20)
/* A region lists at most this many regions it overlaps (overlaps_truncated says when more). */
#define DT_MAX_OVERLAPS_LISTED 16

struct dt_prop {
	const char *name;
	const unsigned char *val;
	size_t len;
};

struct dt_node {
	const char *name;        /* with unit address; "" for the root */
	const char *path;
	struct dt_node *parent;
	struct dt_prop *props;
	size_t nprops, props_cap;
	struct dt_node **kids;
	size_t nkids, kids_cap;
};

struct dt_rsv {
	uint64_t base, size;
};

struct dt_tree {
	struct dt_node *root;
	struct dt_rsv *rsv;      /* /memreserve/ entries (blobs only) */
	size_t nrsv;
	const char *format;      /* "dtb" or "fs" */
	size_t nnodes;
};

/*
 * Read a tree from a .dtb file, "-" (standard input) or a directory.
 * Errors: -CDA_E_IO, -CDA_E_FORMAT, -CDA_E_NOMEM, with err naming the path.
 */
int cda_dt_read(struct cda_arena *a, const char *path, struct dt_tree *t, struct cda_error *err);
int cda_dt_read_blob(struct cda_arena *a, const char *name, const void *blob, size_t len,
		     struct dt_tree *t, struct cda_error *err);
int cda_dt_read_fs(struct cda_arena *a, const char *dir, struct dt_tree *t, struct cda_error *err);

/*
 * Derive the "dt" facts object. Errors: -CDA_E_FORMAT (cell counts the kernel
 * cannot use, e.g. #address-cells = 7), -CDA_E_NOMEM; name is used in messages.
 */
int cda_dt_facts(struct cda_arena *a, const struct dt_tree *t, const char *name,
		 struct cda_value **out, struct cda_error *err);

/* Helpers shared by the readers. */
struct dt_node *cda_dt_node_new(struct cda_arena *a, struct dt_node *parent, const char *name);
int cda_dt_add_prop(struct cda_arena *a, struct dt_node *n, const char *name,
		    const void *val, size_t len);
int cda_dt_add_kid(struct cda_arena *a, struct dt_node *parent, struct dt_node *kid);
void cda_dt_sort(struct dt_node *n);

#endif
