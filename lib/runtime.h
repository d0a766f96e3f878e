/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - loaders for what a running guest shows: the swiotlb debugfs
 * files (swiotlb.c), the kernel log (dmesg.c) and an ftrace text of the dma
 * and swiotlb events (trace.c). Each turns one artifact into one facts object
 * and knows nothing about rules.
 *
 * Errors: -CDA_E_IO (cannot open or read), -CDA_E_FORMAT (not the expected
 * kind of input, truncated archive, bad value), -CDA_E_NOMEM. A boot log or a
 * trace with damaged lines is not an error: those lines are counted in the
 * facts ("malformed") and reported by a rule.
 */
#ifndef CDA_RUNTIME_H
#define CDA_RUNTIME_H

#include <stdint.h>

#include "ccadma.h"
#include "facts.h"

/* swiotlb debugfs: a directory copy, a tar (or tar.gz) archive, or `grep -r .` text. */
int cda_swiotlb_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		      const char **format, struct cda_error *err);

/* Kernel log: dmesg, dmesg -T, journalctl -k, with or without timestamps. */
int cda_dmesg_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		    struct cda_error *err);

/* A pool the trace's DMA addresses are checked against (from dmesg or the DT). */
struct cda_trace_pool {
	const char *name;
	const char *source; /* "dmesg", "dt" */
	uint64_t base, size;
};

struct cda_trace_ctx {
	const struct cda_trace_pool *pools; /* none known: pool checks are unknown */
	size_t npools;
	unsigned ipa_bits;                  /* 0: infer the shared bit from the addresses */
};

/* ftrace text, streamed in constant memory ("-" is standard input). */
int cda_trace_facts(struct cda_arena *a, const char *path, const struct cda_trace_ctx *ctx,
		    struct cda_value **out, struct cda_error *err);

#endif
