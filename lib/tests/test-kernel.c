// SPDX-License-Identifier: MIT
/*
 * Unit tests for the kernel loader's parsers: versions, .config text, gzip,
 * System.map lines and BTF records, and that an ELF program is no kernel. Whole images are covered by the golden
 * cases built from stub kernels (testdata/kernel).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel.h"
#include "rules.h"
#include "test-util.h"
#include "util.h"

static void test_version(void **state)
{
	struct kversion v;

	(void)state;
	assert_true(cda_kversion_parse("6.14.2-arm64", &v));
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 14);
	assert_int_equal(v.patch, 2);
	assert_true(v.patch_known);
	/* A distribution's ABI numbering hides the stable level. */
	assert_true(cda_kversion_parse("6.14.0-15-generic", &v));
	assert_false(v.patch_known);
	assert_true(cda_kversion_parse("6.15.0-rc2", &v));
	assert_true(v.patch_known);
	assert_true(cda_kversion_parse("6.15-rc1", &v));
	assert_int_equal(v.minor, 15);
	assert_int_equal(v.patch, 0);
	assert_true(cda_kversion_parse("7.0", &v));
	assert_false(cda_kversion_parse("6", &v));
	assert_false(cda_kversion_parse("v6.1", &v));
	assert_false(cda_kversion_parse("6.x", &v));
	assert_false(cda_kversion_parse("99999999999.1", &v));
}

static void test_config_parse(void **state)
{
	static const char text[] =
		"#\n# Linux/arm64 6.15.0 Kernel Configuration\n#\n"
		"CONFIG_SWIOTLB=y\r\n"
		"# CONFIG_SWIOTLB_DYNAMIC is not set\n"
		"CONFIG_ARM_CCA_GUEST=m\n"
		"CONFIG_CMA_ALIGNMENT=8\n"
		"CONFIG_LOCALVERSION=\"-test\"\n"
		"CONFIG_ANY_OTHER=y\n"
		"CONFIG_TWICE=y\n"
		"CONFIG_NOEQUALS\n"
		"#  CONFIG_NOT_A_LINE is not set\n"
		"CONFIG_TWICE=m\n";
	struct cda_arena *a = cda_arena_new();
	struct kconfig kc = { 0 };

	(void)state;
	assert_int_equal(cda_kconfig_parse(a, "config", text, sizeof(text) - 1, &kc, NULL), 0);
	/* every option, in file order, a repeated one where it first was, with its last value */
	assert_int_equal(kc.opts->obj.n, 7);
	assert_string_equal(kc.opts->obj.m[0].key, "SWIOTLB");
	assert_string_equal(cda_obj_get(kc.opts, "SWIOTLB")->s, "y");
	assert_string_equal(cda_obj_get(kc.opts, "SWIOTLB_DYNAMIC")->s, "n");
	assert_string_equal(cda_obj_get(kc.opts, "ARM_CCA_GUEST")->s, "m");
	assert_string_equal(cda_obj_get(kc.opts, "CMA_ALIGNMENT")->s, "8");
	assert_string_equal(cda_obj_get(kc.opts, "LOCALVERSION")->s, "\"-test\"");
	assert_string_equal(cda_obj_get(kc.opts, "ANY_OTHER")->s, "y");
	assert_string_equal(kc.opts->obj.m[6].key, "TWICE");
	assert_string_equal(cda_obj_get(kc.opts, "TWICE")->s, "m");
	assert_null(cda_obj_get(kc.opts, "ABSENT"));
	assert_null(cda_obj_get(kc.opts, "NOEQUALS"));
	cda_arena_free(a);
}

/* A distribution config's ~8,000 options: each found by name, the index growing past its first size. */
static void test_config_many(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct kconfig kc = { 0 };
	char *text = malloc(20000 * 32), *p = text, name[32];

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 20000; i++)
		p += sprintf(p, i % 3 ? "CONFIG_OPT_%d=%d\n" : "# CONFIG_OPT_%d is not set\n", i, i);
	assert_int_equal(cda_kconfig_parse(a, "config", text, (size_t)(p - text), &kc, NULL), 0);
	assert_int_equal(kc.opts->obj.n, 20000);
	for (int i = 0; i < 20000; i += 997) {
		snprintf(name, sizeof(name), "OPT_%d", i);
		assert_string_equal(kc.opts->obj.m[i].key, name);
		if (i % 3)
			assert_int_equal(atoi(cda_obj_get(kc.opts, name)->s), i);
		else
			assert_string_equal(cda_obj_get(kc.opts, name)->s, "n");
	}
	free(text);
	cda_arena_free(a);
}

/* Short of memory at every step, the parse fails with the one error naming the config. */
static void test_config_out_of_memory(void **state)
{
	static const char text[] = "CONFIG_SWIOTLB=y\n# CONFIG_SWIOTLB_DYNAMIC is not set\n"
				   "CONFIG_LOCALVERSION=\"-test\"\n";
	size_t limit = 0;

	(void)state;
	for (;; limit += 16) {
		struct cda_arena *a = cda_arena_new();
		struct cda_error err = { 0 };
		struct kconfig kc = { 0 };
		int ret;

		assert_non_null(a);
		cda_arena_limit(a, limit);
		ret = cda_kconfig_parse(a, "config.gz", text, sizeof(text) - 1, &kc, &err);
		if (ret) {
			assert_int_equal(ret, -CDA_E_NOMEM);
			assert_string_equal(err.msg, "config.gz: out of memory");
		} else {
			assert_int_equal(kc.opts->obj.n, 3);
		}
		cda_arena_free(a);
		if (!ret)
			break;
	}
	assert_true(limit > 0);
}

/*
 * The kernel facts of a config alone, short of memory at every step: each
 * failure is out of memory, the success the facts of an unlimited arena.
 */
static int config_facts_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
			     const void *in)
{
	return cda_kernel_config_facts(a, in, out, err);
}

static void test_config_facts_out_of_memory(void **state)
{
	static const char config[] = "CONFIG_ARM64=y\nCONFIG_ARM64_16K_PAGES=y\n"
				     "# CONFIG_DMA_RESTRICTED_POOL is not set\n";
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_arena *ra = cda_arena_new();
	struct cda_error err = { 0 };
	struct kconfig_only in = { "config", (const unsigned char *)config, sizeof(config) - 1,
				   "file", "6.13.2", NULL, NULL, { 0 } };

	(void)state;
	assert_int_equal(cda_ruleset_load_builtin_probes(rs, &err), 0);
	in.probes = cda_ruleset_probes(rs);
	/* the config's parse names the file; the probes' facts do not */
	test_oom_sweep(config_facts_load, &in,
		       (const char *const[]){ "config: out of memory", "out of memory", NULL }, 64, ra);
	cda_arena_free(ra);
	cda_ruleset_free(rs);
}

static void test_gunzip(void **state)
{
	char plain[100000];
	unsigned char gz[4096], *out = NULL;
	size_t glen, olen = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (char)("CONFIG_X=y\n"[i % 11]);
	glen = test_gzip(plain, sizeof(plain), gz, sizeof(gz));
	assert_int_equal(cda_gunzip(gz, glen, sizeof(plain), &out, &olen), 0);
	assert_int_equal(olen, sizeof(plain));
	assert_memory_equal(out, plain, sizeof(plain));
	free(out);
	/* cut anywhere: an error, never partial output */
	for (size_t cut = 0; cut < glen; cut += 7) {
		out = NULL;
		assert_int_equal(cda_gunzip(gz, cut, sizeof(plain), &out, &olen), -CDA_E_FORMAT);
		assert_null(out);
	}
	/* larger than allowed: over the limit, which is not corrupt data */
	assert_int_equal(cda_gunzip(gz, glen, sizeof(plain) - 1, &out, &olen), CDA_GUNZIP_OVER);
	assert_null(out);
	/* not gzip */
	assert_int_equal(cda_gunzip((const unsigned char *)"hello world", 11, 100, &out, &olen),
			 -CDA_E_FORMAT);
}

/* An ELF program is not a kernel: one line saying what it is instead. */
static void test_not_a_kernel(void **state)
{
	const struct cda_kernel_opts opts = { 0 };
	struct cda_arena *a = cda_arena_new();
	struct cda_error err = { 0 };
	struct cda_value *out = NULL;
	const char *format = NULL;

	(void)state;
	assert_int_equal(cda_kernel_facts(a, "/proc/self/exe", &opts, (struct cda_probes){ 0 }, &out, &format,
					  &err),
			 -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "/proc/self/exe: an ELF executable for "));
	assert_non_null(strstr(err.msg, ", but not a Linux kernel (no linux_banner symbol and no "
				     "'Linux version' string)"));
	assert_null(out);
	cda_arena_free(a);
}

static const char *write_tmp(const char *text)
{
	static char path[] = "/tmp/cda-test-map-XXXXXX";
	int fd;

	strcpy(path, "/tmp/cda-test-map-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_system_map(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct ksyms s = { 0 };
	struct cda_error err = { 0 };
	const char *path;

	(void)state;
	/* enough wanted names to make the table grow */
	for (int i = 0; i < 100; i++) {
		char name[32];

		snprintf(name, sizeof(name), "filler_%d", i);
		assert_int_equal(cda_ksyms_want(a, &s, name), i);
	}
	assert_int_equal(cda_ksyms_want(a, &s, "arm64_rsi_init"), 100);
	assert_int_equal(cda_ksyms_want(a, &s, "filler_7"), 7); /* asked twice: same slot */
	assert_int_equal(cda_ksyms_want(a, &s, "rmem_swiotlb_setup"), 101);
	path = write_tmp("ffff800080000000 T _text\n"
			 "ffff800080001230 T arm64_rsi_init\n"
			 "ffff800080001230 t arm64_rsi_init_more\n"
			 "ffff8000800f0000 t rmem_swiotlb_setup\t[swiotlb]\n"
			 "ffff800080002000 T filler_42\n");
	assert_int_equal(cda_ksyms_from_map(&s, path, &err), 0);
	assert_string_equal(s.source, "system-map");
	assert_non_null(cda_ksyms_get(&s, "arm64_rsi_init"));
	assert_true(cda_ksyms_get(&s, "arm64_rsi_init")->addr == 0xffff800080001230ull);
	assert_non_null(cda_ksyms_get(&s, "rmem_swiotlb_setup"));
	assert_non_null(cda_ksyms_get(&s, "filler_42"));
	assert_null(cda_ksyms_get(&s, "filler_41"));
	assert_null(cda_ksyms_get(&s, "_text")); /* not asked for */
	unlink(path);

	path = write_tmp("ffff800080000000 T _text\nffff800080000000 _text\n");
	assert_int_equal(cda_ksyms_from_map(&s, path, &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, ":2: not a System.map line"));
	unlink(path);
	path = write_tmp("");
	assert_int_equal(cda_ksyms_from_map(&s, path, &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "no symbols"));
	unlink(path);
	cda_ksyms_free(&s);
	cda_arena_free(a);
}

/* A BTF blob: header, an int, struct io_tlb_mem { int nslabs; int cc_shared; }, strings. */
static size_t make_btf(unsigned char *b, unsigned struct_kind)
{
	static const char strs[] = "\0int\0io_tlb_mem\0nslabs\0cc_shared";
	uint32_t types[] = {
		1, 1u << 24, 4, 32,                     /* [1] INT "int", size 4, 32 bits */
		5, struct_kind << 24 | 2, 8,            /* [2] STRUCT "io_tlb_mem", 2 members */
		16, 1, 0,                               /*     nslabs: int @0 */
		23, 1, 32,                              /*     cc_shared: int @32 */
	};
	uint32_t hdr[6] = { 0xeB9F | 1u << 16, 24, 0, sizeof(types), sizeof(types), sizeof(strs) };

	memcpy(b, hdr, sizeof(hdr));
	memcpy(b + 24, types, sizeof(types));
	memcpy(b + 24 + sizeof(types), strs, sizeof(strs));
	return 24 + sizeof(types) + sizeof(strs);
}

static void test_btf(void **state)
{
	unsigned char blob[256];
	struct cda_arena *a = cda_arena_new();
	struct cda_error err = { 0 };
	struct kdebug d;
	enum kdebug_result r;
	char why[256];

	(void)state;
	cda_kdebug_init(&d, NULL, true);
	d.btf = blob;
	d.btf_len = make_btf(blob, 4);
	assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_mem", "cc_shared", 0, NULL, &r, why,
					   sizeof(why), &err), 0);
	assert_int_equal(r, KD_FOUND);
	assert_string_equal(why, "struct io_tlb_mem has member cc_shared (BTF)");
	assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_mem", "unencrypted", 0, NULL, &r, why,
					   sizeof(why), &err), 0);
	assert_int_equal(r, KD_ABSENT);
	assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_pool", "x", 0, NULL, &r, why,
					   sizeof(why), &err), 0);
	assert_int_equal(r, KD_UNAVAILABLE);
	assert_string_equal(why, "struct io_tlb_pool is not in the BTF");

	/* damage: an unknown kind, a record cut short, sections out of bounds, bad magic */
	cda_kdebug_init(&d, NULL, true);
	d.btf = blob;
	d.btf_len = make_btf(blob, 31);
	assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_mem", "x", 0, NULL, &r, why, sizeof(why),
					   &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "unknown type kind 31"));
	for (size_t cut = 0, len = make_btf(blob, 4); cut < len; cut++) {
		cda_kdebug_init(&d, NULL, true);
		d.btf = blob;
		d.btf_len = cut;
		/* cut inside the header or the sections: always an error, never a read past the end */
		assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_mem", "x", 0, NULL, &r, why,
						   sizeof(why), &err), -CDA_E_FORMAT);
	}
	cda_kdebug_init(&d, NULL, true);
	d.btf = blob;
	d.btf_len = make_btf(blob, 4);
	blob[0] = 0;
	assert_int_equal(cda_kdebug_member(a, &d, "io_tlb_mem", "x", 0, NULL, &r, why, sizeof(why),
					   &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "bad magic"));
	cda_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_config_many),
		cmocka_unit_test(test_config_out_of_memory),
		cmocka_unit_test(test_config_facts_out_of_memory),
		cmocka_unit_test(test_gunzip),
		cmocka_unit_test(test_not_a_kernel),
		cmocka_unit_test(test_system_map),
		cmocka_unit_test(test_btf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
