/* SPDX-License-Identifier: MIT */
/*
 * dt_props.h - reading properties and cells of the in-memory tree (dt.h),
 * as both halves of the "dt" facts (dt_facts.c, dt_devices.c) do. Internal
 * to the library. Lookups rely on the readers having sorted each node's
 * properties (cda_dt_sort()).
 */
#ifndef CDA_DT_PROPS_H
#define CDA_DT_PROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "dt.h"

/* Property lookup, log(props): the readers leave each node's props sorted. */
const struct dt_prop *cda_dt_prop(const struct dt_node *n, const char *name);
/* Is p a string or string list (non-empty, NUL-terminated)? false for NULL. */
bool cda_dt_prop_is_strings(const struct dt_prop *p);
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
 * (three on a PCI bus with allow_pci) is refused: -CDA_E_FORMAT, err filled
 * ("INPUT: PATH: reason").
 */
int cda_dt_node_cells(const struct dt_node *n, const char *pname, unsigned dflt, bool allow_pci,
		      unsigned *out, bool *present, const char *input, struct cda_error *err);

#endif
