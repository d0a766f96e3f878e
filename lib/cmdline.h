/* SPDX-License-Identifier: MIT */
/*
 * cmdline.h - the kernel command-line switches rules care about, parsed the
 * way the kernel parses them (DOMAIN.md §1.3 for swiotlb=).
 */
#ifndef CDA_CMDLINE_H
#define CDA_CMDLINE_H

#include "facts.h"

/*
 * Add to obj: "swiotlb" {value, slabs, slabs_effective, bytes, areas,
 * areas_effective, force, noforce} when swiotlb= is given, and "mem_encrypt" /
 * "rodata" strings when given. As in the kernel, numbers from a later
 * swiotlb= override earlier ones while force/noforce stay set once seen.
 * Allocation failures are recorded in fb (cda_fb_done()).
 */
void cda_cmdline_facts(struct cda_fb *fb, const char *cmdline, struct cda_value *obj);

#endif
