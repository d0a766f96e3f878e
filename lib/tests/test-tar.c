// SPDX-License-Identifier: MIT
/*
 * Unit tests for tar.c: the members a walk hands out (names, types, data),
 * long names (GNU and pax) up to CDA_TAR_NAME_MAX, and the archives it
 * refuses: truncated, a bad checksum, a corrupt header or pax record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tar.h"
#include "test-util.h"

/* An archive being built: 512-byte blocks. */
struct ar {
	unsigned char b[64 * 1024];
	size_t len;
};

/* A ustar member (POSIX magic) for name with the given type and data (test-util.c). */
static size_t add(struct ar *a, const char *name, char type, const void *data, size_t size)
{
	return test_tar_add(a->b, sizeof(a->b), &a->len, name, type, data, size);
}

static void end(struct ar *a)
{
	test_tar_end(a->b, sizeof(a->b), &a->len);
}

/* What the callback saw, in order. */
struct seen {
	int n, stop_at;
	char names[8][CDA_TAR_NAME_MAX + 1];
	char types[8];
	char data[8][64];
	uint64_t sizes[8];
};

static int collect(void *ctx, const struct cda_tar_member *m, struct cda_error *err)
{
	struct seen *s = ctx;

	(void)err;
	assert_true(s->n < 8);
	assert_true(strlen(m->name) <= CDA_TAR_NAME_MAX);
	strcpy(s->names[s->n], m->name);
	s->types[s->n] = m->type;
	s->sizes[s->n] = m->size;
	memcpy(s->data[s->n], m->data, m->size < 63 ? m->size : 63);
	if (++s->n == s->stop_at)
		return 42;
	return 0;
}

static int walk(struct ar *a, struct seen *s, struct cda_error *err)
{
	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	return cda_tar_each(a->b, a->len, "t.tar", collect, s, err);
}

static void test_members(void **state)
{
	static struct ar a;
	struct seen s;
	struct cda_error err;

	(void)state;
	a.len = 0;
	add(&a, "swiotlb/", '5', NULL, 0);
	add(&a, "swiotlb/io_tlb_nslabs", '0', "32768\n", 6);
	add(&a, "swiotlb/io_tlb_used", '\0', "5\n", 2); /* old tars: '\0' is a file */
	add(&a, "swiotlb/contig", '7', "x", 1);
	add(&a, "old-dir/", '\0', NULL, 0);             /* pre-POSIX: a directory by its slash */
	add(&a, "swiotlb/link", '2', NULL, 0);
	add(&a, "io_tlb_nslabs", '0', "1\n", 2);
	end(&a);
	/* POSIX prefix field: the name is prefix/name */
	{
		static struct ar b;
		unsigned char *p;
		unsigned sum = 0;

		b.len = 0;
		p = b.b + add(&b, "io_tlb_nslabs", '0', "1\n", 2);
		memcpy(p + 345, "sys/kernel/debug/swiotlb", 24);
		memset(p + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += p[i];
		snprintf((char *)p + 148, 8, "%06o", sum);
		end(&b);
		assert_int_equal(walk(&b, &s, &err), 0);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.names[0], "sys/kernel/debug/swiotlb/io_tlb_nslabs");
	}
	/* junk after the end-of-archive blocks is padding, never read */
	memset(a.b + a.len, 'j', 512);
	a.len += 512;
	assert_int_equal(walk(&a, &s, &err), 0);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.names[0], "swiotlb/");
	assert_int_equal(s.types[0], '5');
	assert_string_equal(s.names[1], "swiotlb/io_tlb_nslabs");
	assert_int_equal(s.types[1], '0');
	assert_int_equal(s.sizes[1], 6);
	assert_memory_equal(s.data[1], "32768\n", 6);
	assert_int_equal(s.types[2], '0');
	assert_memory_equal(s.data[2], "5\n", 2);
	assert_int_equal(s.types[3], '0');
	assert_int_equal(s.types[4], '5');
	assert_int_equal(s.types[5], '2');
	assert_string_equal(cda_tar_kind(s.types[5]), "a symbolic link");
	assert_null(cda_tar_kind('0'));
	assert_string_equal(s.names[6], "io_tlb_nslabs");

	/* a non-zero return stops the walk and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(cda_tar_each(a.b, a.len, "t.tar", collect, &s, &err), 42);
	assert_int_equal(s.n, 2);

	assert_true(cda_is_tar(a.b, a.len));
	assert_false(cda_is_tar(a.b, 511));
	assert_false(cda_is_tar((const unsigned char *)"io_tlb_nslabs:1\n", 16));
}

/* GNU 'L' records and pax path= give the whole name; metadata never reaches the callback. */
static void test_long_names(void **state)
{
	static struct ar a;
	static char name[CDA_TAR_NAME_MAX + 2], rec[CDA_TAR_NAME_MAX + 64];
	struct seen s;
	struct cda_error err;
	size_t at;
	int n;

	(void)state;
	memset(name, 'p', sizeof(name) - 1);
	memcpy(name + CDA_TAR_NAME_MAX - 13, "io_tlb_nslabs", 13);
	name[CDA_TAR_NAME_MAX] = '\0';
	for (int fmt = 0; fmt < 2; fmt++) {
		a.len = 0;
		add(&a, "global", 'g', "11 a=bcdef\n", 11);
		if (fmt == 0) {
			add(&a, "././@LongLink", 'L', name, CDA_TAR_NAME_MAX + 1); /* NUL-terminated */
		} else {
			/* "LENGTH path=NAME\n", LENGTH counting itself */
			n = snprintf(rec, sizeof(rec), "%d path=%s\n", CDA_TAR_NAME_MAX + 11, name);
			assert_int_equal(n, CDA_TAR_NAME_MAX + 11);
			add(&a, "PaxHeaders/x", 'x', rec, (size_t)n);
		}
		add(&a, "pppp-cut-at-100-bytes", '0', "7\n", 2);
		add(&a, "after", '0', "8\n", 2); /* the long name is for one member only */
		end(&a);
		assert_int_equal(walk(&a, &s, &err), 0);
		assert_int_equal(s.n, 2);
		assert_string_equal(s.names[0], name);
		assert_memory_equal(s.data[0], "7\n", 2);
		assert_string_equal(s.names[1], "after");
	}

	/* one byte more is refused, naming the limit and where */
	name[CDA_TAR_NAME_MAX] = 'p';
	name[CDA_TAR_NAME_MAX + 1] = '\0';
	a.len = 0;
	add(&a, "first", '5', NULL, 0);
	at = add(&a, "././@LongLink", 'L', name, CDA_TAR_NAME_MAX + 2);
	add(&a, "x", '0', "1\n", 2);
	end(&a);
	assert_int_equal(walk(&a, &s, &err), -CDA_E_FORMAT);
	assert_int_equal(at, 512);
	assert_string_equal(err.msg, "t.tar: tar entry name longer than 4096 bytes at byte 512");

	/* pax size= overrides the header's size field */
	a.len = 0;
	add(&a, "PaxHeaders/x", 'x', "9 size=3\n", 9);
	add(&a, "f", '0', "abc", 3);
	memset(a.b + 512 + 512 + 124, '0', 11); /* header says 0; the checksum no longer matches */
	{
		unsigned char *h = a.b + 1024;
		unsigned sum = 0;

		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum);
	}
	end(&a);
	assert_int_equal(walk(&a, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.sizes[0], 3);

	/* a pax record whose length is wrong, or a path with a NUL, is corrupt */
	for (int i = 0; i < 3; i++) {
		static const char *const bad[] = { "99 path=a\n", "8 path=a", "11 path=\0b\n" };
		static const size_t blen[] = { 10, 8, 11 };

		a.len = 0;
		add(&a, "PaxHeaders/x", 'x', bad[i], blen[i]);
		add(&a, "f", '0', "1\n", 2);
		end(&a);
		assert_int_equal(walk(&a, &s, &err), -CDA_E_FORMAT);
		assert_string_equal(err.msg, "t.tar: corrupt pax header at byte 0");
		assert_int_equal(s.n, 0);
	}
}

static void test_refused(void **state)
{
	static struct ar a;
	struct seen s;
	struct cda_error err;
	size_t at;

	(void)state;
	/* a member whose data runs past the end */
	a.len = 0;
	add(&a, "swiotlb/io_tlb_nslabs", '0', "32768\n", 6);
	at = add(&a, "swiotlb/io_tlb_used", '0', "5\n", 2);
	{
		static struct ar cut;

		memcpy(cut.b, a.b, at + 512);
		cut.len = at + 512; /* the header, not its data block */
		assert_int_equal(walk(&cut, &s, &err), -CDA_E_FORMAT);
		assert_string_equal(err.msg, "t.tar: truncated tar archive");
		cut.len = at + 100; /* a header cut short */
		assert_int_equal(walk(&cut, &s, &err), -CDA_E_FORMAT);
		assert_string_equal(err.msg, "t.tar: truncated tar archive");
		assert_int_equal(s.n, 1);
	}
	/* a flipped byte in a header, named by its offset */
	assert_int_equal(at, 1024);
	a.b[at + 10] ^= 1;
	assert_int_equal(walk(&a, &s, &err), -CDA_E_FORMAT);
	assert_string_equal(err.msg, "t.tar: tar header checksum mismatch at byte 1024");
	a.b[at + 10] ^= 1;
	/* a size field that is not octal */
	a.b[at + 124] = '9';
	assert_int_equal(walk(&a, &s, &err), -CDA_E_FORMAT);
	assert_string_equal(err.msg, "t.tar: corrupt tar header at byte 1024");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
