// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "test-util.h"

size_t test_gzip(const void *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream zs = { 0 };

	/* windowBits 15 + 16: a gzip header and trailer, not a zlib one. */
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

size_t test_tar_add(unsigned char *buf, size_t cap, size_t *len, const char *name, char type,
		    const void *data, size_t size)
{
	unsigned char *h = buf + *len;
	size_t at = *len, padded = (size + 511) & ~(size_t)511;
	unsigned sum = 0;

	assert_true(*len + 512 + padded <= cap);
	memset(h, 0, 512);
	memcpy(h, name, strnlen(name, 100));
	memcpy(h + 100, "0000644", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	*len += 512;
	memset(buf + *len, 0, padded);
	if (size)
		memcpy(buf + *len, data, size);
	*len += padded;
	return at;
}

void test_tar_end(unsigned char *buf, size_t cap, size_t *len)
{
	assert_true(*len + 1024 <= cap);
	memset(buf + *len, 0, 1024);
	*len += 1024;
}

struct cda_value *test_oom_sweep(test_load_fn *load, const void *ctx, const char *const *msgs,
				 size_t step, struct cda_arena *ra)
{
	struct cda_value *want, *got;
	struct cda_error err = { 0 };
	size_t limit = 0;

	assert_int_equal(load(ra, &want, &err, ctx), 0);
	for (;; limit += step) {
		struct cda_arena *a = cda_arena_new();
		bool known = false;
		int ret;

		assert_non_null(a);
		cda_arena_limit(a, limit);
		ret = load(a, &got, &err, ctx);
		if (!ret)
			assert_true(cda_value_equal(want, got));
		else
			assert_int_equal(ret, -CDA_E_NOMEM);
		for (size_t i = 0; ret && msgs[i]; i++)
			known |= !strcmp(err.msg, msgs[i]);
		if (ret && !known)
			fail_msg("unexpected error: %s", err.msg);
		cda_arena_free(a);
		if (!ret)
			break;
	}
	assert_true(limit > 0);
	return want;
}
