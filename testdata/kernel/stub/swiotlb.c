// SPDX-License-Identifier: MIT
/*
 * Stands in for kernel/dma/swiotlb.c: its own compile unit, so the DWARF
 * path must find the unit that defines struct io_tlb_mem (include/linux/swiotlb.h).
 */
#include <stdbool.h>

struct io_tlb_pool {
	unsigned long start, end, nslabs;
};

struct io_tlb_mem {
	struct io_tlb_pool defpool;
	unsigned long nslabs;
	void *debugfs;
	bool force_bounce;
	bool for_alloc;
#ifdef SWIOTLB_DYNAMIC
	bool can_grow;
	unsigned long long phys_limit;
#endif
#ifdef POOL_STATE
	bool POOL_STATE;   /* "unencrypted" (v4), "cc_shared" (v7) */
#endif
	unsigned long total_used, used_hiwater, transient_nslabs;
};

struct io_tlb_mem io_tlb_default_mem;

__attribute__((used, noinline)) unsigned long swiotlb_tbl_map_single(struct io_tlb_mem *mem)
{
	return mem->nslabs + mem->defpool.start;
}
