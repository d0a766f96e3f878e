/* SPDX-License-Identifier: MIT */
/* test-util.h - helpers the cmocka test binaries share. */
#ifndef CDA_TEST_UTIL_H
#define CDA_TEST_UTIL_H

#include <stddef.h>

/* in as one gzip member into out (cap bytes); the compressed length. Fails the test on error. */
size_t test_gzip(const void *in, size_t len, unsigned char *out, size_t cap);

#endif
