/* SPDX-License-Identifier: MIT */
/*
 * dt.h - device tree loader.
 *
 * Two readers build one in-memory tree (dt_tree.c): dt_blob.c (a .dtb,
 * validated with libfdt's fdt_check_full before it is walked) and dt_fs.c (a
 * /proc/device-tree style directory); dt_read.c picks one for a path.
 * dt_facts.c (with dt_devices.c below it, both reading the tree through
 * dt_props.h) then derives the "dt" facts from that tree, so both input forms
 * give the same facts by construction. Children are kept in name order so the
 * facts do not depend on blob or readdir order. Calls go one way:
 * dt_read -> readers -> dt_tree; dt_facts -> dt_devices -> dt_props.
 */
#ifndef CDA_DT_H
#define CDA_DT_H

#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"
#include "facts.h"

/*
 * Limits on what a tree may hold; a tree beyond one is refused (-CDA_E_FORMAT,
 * the message names the limit). Together they bound the memory the facts of
 * any accepted tree take to a small multiple of the input.
 */
#define DT_MAX_DEPTH 32         /* levels below the root; real trees have < 10; bounds recursion */
#define DT_MAX_NODES 200000     /* nodes, the root included */
#define DT_MAX_BLOB (64u << 20) /* Linux caps FDTs at 2 MiB on arm64; be generous */
#define DT_MAX_PROP (16u << 20) /* one property value */
/*
 * A node's full path ("/soc/virtio@a000000"), in bytes. Every node keeps its
 * path and the facts copy it, so a long name high up must not be repeated
 * under thousands of nodes. Real paths are < 100 bytes.
 */
#define DT_MAX_PATH 1024
/*
 * memory-region entries (phandles) in the whole tree. Each becomes a fact the
 * rules iterate; real trees have a handful.
 */
#define DT_MAX_REGION_REFS (1u << 18)
/* /memreserve/ entries in a blob; each is a fact (real blobs have 0 to 2). */
#define DT_MAX_MEMRESERVE (1u << 16)
/*
 * A node's path in an error message: cut at 200 bytes (with "..."), so that
 * the reason after it fits the message buffer.
 */
#define DT_PATH_FMT "%.200s%s"
#define DT_PATH_ARG(n) (n)->path, (n)->path_len > 200 ? "..." : ""
/* A region lists at most this many regions it overlaps (overlaps_truncated says when more). */
#define DT_MAX_OVERLAPS_LISTED 16

struct dt_prop {
	const char *name;
	const unsigned char *val;
	size_t len;
	size_t order; /* position in the node as read: of duplicate names, the first counts */
};

struct dt_node {
	const char *name;        /* with unit address; "" for the root */
	const char *path;
	struct dt_node *parent;
	struct dt_prop *props;
	size_t nprops, props_cap;
	struct dt_node **kids;
	size_t nkids, kids_cap;
	size_t order;            /* position among the parent's children as read */
	size_t path_len;
	/*
	 * A bit per property name's cda_dt_name_bit(): most lookups are of a
	 * property the node lacks (iommus, dma-ranges, memory-region ...), and
	 * the bit answers those without a search.
	 */
	uint64_t prop_bits;
};

/* The bit of prop_bits that a property name sets. */
static inline uint64_t cda_dt_name_bit(const char *name)
{
	unsigned h = 0;

	while (*name)
		h = h * 31 + (unsigned char)*name++;
	return (uint64_t)1 << (h % 64);
}

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
 * Read a tree from a .dtb file, "-" (standard input) or a directory
 * (dt_read.c), or from a blob in memory (dt_blob.c) or a directory (dt_fs.c).
 * Errors: -CDA_E_IO, -CDA_E_FORMAT, -CDA_E_NOMEM, with err naming the path.
 */
int cda_dt_read(struct cda_arena *a, const char *path, struct dt_tree *t, struct cda_error *err);
int cda_dt_read_blob(struct cda_arena *a, const char *name, const void *blob, size_t len,
		     struct dt_tree *t, struct cda_error *err);
int cda_dt_read_fs(struct cda_arena *a, const char *dir, struct dt_tree *t, struct cda_error *err);

/*
 * Derive the "dt" facts object (dt_facts.c). Errors: -CDA_E_FORMAT (cell
 * counts the kernel cannot use, e.g. #address-cells = 7), -CDA_E_NOMEM; name
 * is used in messages.
 */
int cda_dt_facts(struct cda_arena *a, const struct dt_tree *t, const char *name,
		 struct cda_value **out, struct cda_error *err);

/*
 * The tree the readers build (dt_tree.c). cda_dt_add_prop() keeps the name
 * pointer: it must live as long as the tree (an arena copy). cda_dt_add_node() checks
 * DT_MAX_DEPTH, DT_MAX_NODES and DT_MAX_PATH and adds the node under parent
 * (depth is the parent's: 0 for the root); errors name the reader's input.
 * Both readers call cda_dt_sort() last; cda_dt_prop() (dt_props.h) relies on it.
 */
struct dt_node *cda_dt_node_new(struct cda_arena *a, struct dt_node *parent, const char *name);
int cda_dt_add_node(struct cda_arena *a, struct dt_tree *t, struct dt_node *parent, int depth,
		    const char *name, const char *input, struct dt_node **out,
		    struct cda_error *err);
int cda_dt_add_prop(struct cda_arena *a, struct dt_node *n, const char *name,
		    const void *val, size_t len);
int cda_dt_add_kid(struct cda_arena *a, struct dt_node *parent, struct dt_node *kid);
void cda_dt_sort(struct dt_node *n);

#endif
