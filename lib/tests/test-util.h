/* SPDX-License-Identifier: MIT */
/* test-util.h - helpers the cmocka test binaries share. */
#ifndef CDA_TEST_UTIL_H
#define CDA_TEST_UTIL_H

#include <stddef.h>

#include "arena.h"
#include "ccadma.h"
#include "facts.h"

/* in as one gzip member into out (cap bytes); the compressed length. Fails the test on error. */
size_t test_gzip(const void *in, size_t len, unsigned char *out, size_t cap);

/*
 * A POSIX ustar member (header, data, zero padding) appended to the archive
 * at buf + *len (cap bytes in all); the offset of its header. Fails the test
 * when it does not fit.
 */
size_t test_tar_add(unsigned char *buf, size_t cap, size_t *len, const char *name, char type,
		    const void *data, size_t size);

/* The two zero blocks that end an archive. */
void test_tar_end(unsigned char *buf, size_t cap, size_t *len);

/*
 * Run load with the arena failing after 0, step, 2 step ... bytes until it
 * succeeds: each failure must be -CDA_E_NOMEM with one of msgs (NULL-ended),
 * never a crash, and the success the facts an unlimited arena (ra) gives,
 * which are returned. Proves a loader stops at its first failed allocation.
 */
typedef int test_load_fn(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
			 const void *ctx);
struct cda_value *test_oom_sweep(test_load_fn *load, const void *ctx, const char *const *msgs,
				 size_t step, struct cda_arena *ra);

#endif
