/* SPDX-License-Identifier: MIT */
/*
 * dt_facts.h - what the two halves of the "dt" facts share: dt_facts.c
 * (root, /memory, /reserved-memory, /chosen) and dt_devices.c (phandles,
 * memory-region users, the DMA-capable devices). Internal to the library.
 *
 * Errors: helpers that can fail return 0 or a negative CDA_E_* code with
 * ctx.err filled ("NAME: PATH: reason").
 */
#ifndef CDA_DT_FACTS_H
#define CDA_DT_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "dt.h"
#include "util.h"

struct phandle_ref;

struct dt_ctx {
	struct cda_arena *a;
	const struct dt_tree *t;
	const char *name; /* input name for errors */
	struct cda_error *err;
	struct cda_value *dt;
	struct cda_value *pools;      /* list, in path order */
	struct dt_node **pool_nodes;  /* parallel to pools */
	struct phandle_ref *phandles; /* every node with a phandle, sorted by phandle */
	size_t nphandles;
	size_t nregion_refs;          /* memory-region entries so far, against DT_MAX_REGION_REFS */
	unsigned root_ac, root_sc;
};

#define DT_OOM(c) cda_fail((c)->err, CDA_E_NOMEM, "%s: out of memory", (c)->name)

/* Property lookup, log(props): the readers leave each node's props sorted. */
const struct dt_prop *cda_dt_prop(const struct dt_node *n, const char *name);
/* A NUL-terminated string property, or NULL. */
const char *cda_dt_prop_str(const struct dt_node *n, const char *name);
/* Does a string-list property (compatible, ...) contain want? */
bool cda_dt_prop_has_string(const struct dt_node *n, const char *name, const char *want);
uint32_t cda_dt_be32(const unsigned char *p);
/* `cells` big-endian cells as one number; only the low 64 bits are kept. */
uint64_t cda_dt_read_cells(const unsigned char *p, unsigned cells);
/* of_fdt_device_is_available(): status absent, "okay" or "ok". */
bool cda_dt_available(const struct dt_node *n);
/*
 * #address-cells / #size-cells of n, or dflt when absent. More than two cells
 * (three on a PCI bus with allow_pci) is refused: -CDA_E_FORMAT.
 */
int cda_dt_node_cells(struct dt_ctx *c, const struct dt_node *n, const char *pname, unsigned dflt,
		      bool allow_pci, unsigned *out, bool *present);

/*
 * dt_devices.c: index phandles (after the pools are known), then walk the
 * tree for dt.dma_users, dt.devices and dt.its.
 * Errors: -CDA_E_FORMAT (cell counts), -CDA_E_NOMEM.
 */
int cda_dt_devices(struct dt_ctx *c);

#endif
