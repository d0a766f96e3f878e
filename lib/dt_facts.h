/* SPDX-License-Identifier: MIT */
/*
 * dt_facts.h - the context dt_facts.c (root, /memory, /reserved-memory,
 * /chosen) hands dt_devices.c (phandles, memory-region users, the
 * DMA-capable devices), the one call between them. Internal to the library.
 * dt_facts.c calls down into dt_devices.c, never the reverse; the property
 * helpers both read the tree with are dt_props.h's.
 *
 * Errors: helpers that can fail return 0 or a negative CDA_E_* code with
 * ctx.err filled ("NAME: PATH: reason"). Facts are written through ctx.fb,
 * which records a failed allocation; each phase ends with cda_fb_done(), so
 * no phase reads back what a failed one left half built.
 */
#ifndef CDA_DT_FACTS_H
#define CDA_DT_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "dt.h"
#include "util.h"

/* dt_devices.c's phandle index entry; only that file looks inside it. */
struct phandle_ref;

struct dt_ctx {
	struct cda_arena *a;
	struct cda_fb fb; /* builds c->dt; the arena is a, the name is name */
	const struct dt_tree *t;
	const char *name; /* input name for errors */
	struct cda_error *err;
	struct cda_value *dt;
	struct cda_value *pools;      /* list, in path order */
	struct dt_node **pool_nodes;  /* parallel to pools */
	unsigned root_ac, root_sc;
	/* set and read by dt_devices.c only: */
	struct phandle_ref *phandles; /* every node with a phandle, sorted by phandle */
	size_t nphandles;
	size_t nregion_refs;          /* memory-region entries so far, against DT_MAX_REGION_REFS */
};

/*
 * dt_devices.c: index phandles (after the pools are known), then walk the
 * tree for dt.dma_users, dt.devices and dt.its.
 * Errors: -CDA_E_FORMAT (cell counts), -CDA_E_NOMEM.
 */
int cda_dt_devices(struct dt_ctx *c);

#endif
