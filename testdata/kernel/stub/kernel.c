// SPDX-License-Identifier: MIT
/*
 * A stub arm64 kernel: just the symbols and strings cca-dma-audit reads,
 * switched on by -D flags so each fixture looks like one kind of kernel.
 * Symbol names are the kernel's own (see rules/probes.json).
 */
#include <stdbool.h>

#define USED __attribute__((used, noinline))

#ifndef UTS_VERSION
#define UTS_VERSION "#1 SMP"
#endif

const char linux_banner[] =
	"Linux version " KVER " (stub@cca-dma-audit) (aarch64-linux-gnu-gcc) " UTS_VERSION "\n";

#ifdef HAVE_RSI
bool rsi_present;                                   /* arch/arm64/kernel/rsi.c */
USED void arm64_rsi_init(void) { rsi_present = true; }
#endif
#ifdef HAVE_PKVM
USED void pkvm_init_hyp_services(void) {}           /* arm-pkvm-guest.c */
#endif
#ifdef HAVE_RMEM
USED int rmem_swiotlb_setup(void *rmem) { return rmem != 0; } /* kernel/dma/swiotlb.c */
#endif
#ifdef HAVE_GRANULE_HELPERS
USED unsigned long mem_decrypt_granule_size(void) { return 65536; }
#endif
#ifdef HAVE_SPLIT
USED int split_kernel_leaf_mapping(unsigned long start, unsigned long end) { return start > end; }
#endif
#ifdef HAVE_PAGE_ALLOC_AVAILABLE
bool page_alloc_available;                          /* arch/arm64/mm/mmu.c, f12b435de2f2 */
#endif

USED void start_kernel(void) {}
