// SPDX-License-Identifier: MIT
/* Unit tests for the device tree loader (lib/dt_*.c) and the bootargs parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "cmdline.h"
#include "dt.h"

#define BUF 8192

struct blob_opts {
	uint32_t root_ac, rm_ac, sc;
	const char *bootargs;
	bool pool_dynamic, iommu, two_pools;
};

static void put_cells(fdt32_t *c, int *k, uint64_t v, uint32_t ncells)
{
	if (ncells == 2)
		c[(*k)++] = cpu_to_fdt32((uint32_t)(v >> 32));
	c[(*k)++] = cpu_to_fdt32((uint32_t)v);
}

/* One number in ncells cells (size, alignment). */
static void num_prop(void *fdt, const char *name, uint64_t v, uint32_t ncells)
{
	fdt32_t c[2];
	int k = 0;

	put_cells(c, &k, v, ncells);
	assert_int_equal(fdt_property(fdt, name, c, k * 4), 0);
}

/* One (address, size) tuple with the given cell counts. */
static void reg_prop(void *fdt, uint64_t base, uint64_t size, uint32_t ac, uint32_t sc)
{
	fdt32_t c[4];
	int k = 0;

	put_cells(c, &k, base, ac);
	put_cells(c, &k, size, sc);
	assert_int_equal(fdt_property(fdt, "reg", c, k * 4), 0);
}

/* A small guest tree: memory, /reserved-memory with one or two pools, a pci node, chosen. */
static void *make_blob(const struct blob_opts *o)
{
	void *fdt = calloc(1, BUF);

	assert_int_equal(fdt_create(fdt, BUF), 0);
	assert_int_equal(fdt_add_reservemap_entry(fdt, 0x90000000, 0x1000), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", o->root_ac), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", o->sc), 0);
	assert_int_equal(fdt_property_string(fdt, "model", "test"), 0);
	assert_int_equal(fdt_begin_node(fdt, "memory@80000000"), 0);
	assert_int_equal(fdt_property_string(fdt, "device_type", "memory"), 0);
	reg_prop(fdt, 0x80000000, 0x40000000, o->root_ac, o->sc);
	assert_int_equal(fdt_end_node(fdt), 0);
	if (o->bootargs) {
		assert_int_equal(fdt_begin_node(fdt, "chosen"), 0);
		assert_int_equal(fdt_property_string(fdt, "bootargs", o->bootargs), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_begin_node(fdt, "reserved-memory"), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", o->rm_ac), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", o->sc), 0);
	assert_int_equal(fdt_property(fdt, "ranges", NULL, 0), 0);
	assert_int_equal(fdt_begin_node(fdt, o->pool_dynamic ? "pool" : "pool@bc001000"), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", "restricted-dma-pool"), 0);
	if (o->pool_dynamic) {
		num_prop(fdt, "size", 0x3ff000, o->sc);
		num_prop(fdt, "alignment", 0x1000, o->rm_ac);
	} else {
		reg_prop(fdt, 0xbc001000, 0x400000, o->rm_ac, o->sc);
	}
	assert_int_equal(fdt_property_u32(fdt, "phandle", 1), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	if (o->two_pools) {
		assert_int_equal(fdt_begin_node(fdt, "other@b8000000"), 0);
		assert_int_equal(fdt_property_string(fdt, "compatible", "restricted-dma-pool"), 0);
		reg_prop(fdt, 0xb8000000, 0x400000, o->rm_ac, o->sc);
		assert_int_equal(fdt_property_u32(fdt, "phandle", 2), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, "pci"), 0);
	assert_int_equal(fdt_property_string(fdt, "device_type", "pci"), 0);
	{
		fdt32_t mr[2] = { cpu_to_fdt32(1), cpu_to_fdt32(2) };

		assert_int_equal(fdt_property(fdt, "memory-region", mr, o->two_pools ? 8 : 4), 0);
	}
	if (o->iommu)
		assert_int_equal(fdt_property_u32(fdt, "iommus", 5), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	return fdt;
}

static const struct blob_opts defaults = { .root_ac = 2, .rm_ac = 2, .sc = 2 };

struct loaded {
	struct cda_arena *a;
	struct cda_value *dt;
	struct cda_error err;
	int ret;
};

static struct loaded load(const void *blob, size_t len)
{
	struct loaded l = { .a = cda_arena_new() };
	struct dt_tree t;

	l.ret = cda_dt_read_blob(l.a, "t.dtb", blob, len, &t, &l.err);
	if (!l.ret)
		l.ret = cda_dt_facts(l.a, &t, "t.dtb", &l.dt, &l.err);
	return l;
}

static struct cda_value *pool0(struct loaded *l)
{
	struct cda_value *pools = cda_obj_get(l->dt, "pools");

	assert_non_null(pools);
	assert_true(pools->list.n >= 1);
	return pools->list.items[pools->list.n - 1];
}

static void test_static_pool_facts(void **state)
{
	void *blob = make_blob(&defaults);
	struct loaded l = load(blob, fdt_totalsize(blob));
	struct cda_value *p, *users, *dev;

	(void)state;
	assert_int_equal(l.ret, 0);
	assert_string_equal(cda_obj_get(l.dt, "format")->s, "dtb");
	p = pool0(&l);
	assert_string_equal(cda_obj_get(p, "path")->s, "/reserved-memory/pool@bc001000");
	assert_int_equal(cda_obj_get(p, "base")->u, 0xbc001000);
	assert_true(cda_obj_get(p, "base")->flags & CDA_VF_HEX);
	assert_int_equal(cda_obj_get(p, "size")->u, 0x400000);
	assert_true(cda_obj_get(p, "restricted")->b);
	assert_true(cda_obj_get(p, "static")->b);
	assert_string_equal(cda_obj_get(p, "unit_address")->s, "bc001000");
	users = cda_obj_get(p, "users");
	assert_int_equal(users->list.n, 1);
	assert_string_equal(users->list.items[0]->s, "/pci");
	dev = cda_obj_get(l.dt, "dma_users")->list.items[0];
	assert_true(cda_obj_get(dev, "pci_host")->b);
	assert_false(cda_obj_get(dev, "iommu")->b);
	assert_int_equal(cda_obj_get(dev, "restricted_count")->u, 1);
	assert_string_equal(cda_obj_get(dev, "restricted_pool")->s, "/reserved-memory/pool@bc001000");
	assert_int_equal(cda_obj_get(l.dt, "memory")->list.n, 1);
	assert_int_equal(cda_obj_get(cda_obj_get(l.dt, "memreserve")->list.items[0], "base")->u,
			 0x90000000);
	cda_arena_free(l.a);
	free(blob);
}

static void test_one_cell_tree(void **state)
{
	struct blob_opts o = { .root_ac = 1, .rm_ac = 1, .sc = 1 };
	void *blob = make_blob(&o);
	struct loaded l = load(blob, fdt_totalsize(blob));

	(void)state;
	assert_int_equal(l.ret, 0);
	assert_int_equal(cda_obj_get(pool0(&l), "base")->u, 0xbc001000);
	assert_int_equal(cda_obj_get(pool0(&l), "size")->u, 0x400000);
	assert_int_equal(cda_obj_get(cda_obj_get(l.dt, "reserved_memory"), "address_cells")->u, 1);
	cda_arena_free(l.a);
	free(blob);
}

static void test_dynamic_pool_and_iommu(void **state)
{
	struct blob_opts o = defaults;
	void *blob;
	struct loaded l;
	struct cda_value *p;

	(void)state;
	o.pool_dynamic = true;
	o.iommu = true;
	blob = make_blob(&o);
	l = load(blob, fdt_totalsize(blob));
	assert_int_equal(l.ret, 0);
	p = pool0(&l);
	assert_false(cda_obj_get(p, "static")->b);
	assert_null(cda_obj_get(p, "base"));
	assert_int_equal(cda_obj_get(p, "size")->u, 0x3ff000);
	assert_int_equal(cda_obj_get(p, "alignment")->u, 0x1000);
	assert_true(cda_obj_get(cda_obj_get(l.dt, "dma_users")->list.items[0], "iommu")->b);
	cda_arena_free(l.a);
	free(blob);
}

static void test_two_restricted_pools(void **state)
{
	struct blob_opts o = defaults;
	void *blob;
	struct loaded l;
	struct cda_value *dev;

	(void)state;
	o.two_pools = true;
	blob = make_blob(&o);
	l = load(blob, fdt_totalsize(blob));
	assert_int_equal(l.ret, 0);
	dev = cda_obj_get(l.dt, "dma_users")->list.items[0];
	assert_int_equal(cda_obj_get(dev, "restricted_count")->u, 2);
	/* memory-region order, not name order, decides which pool the kernel uses */
	assert_string_equal(cda_obj_get(dev, "restricted_pool")->s, "/reserved-memory/pool@bc001000");
	cda_arena_free(l.a);
	free(blob);
}

static void test_bad_cells_rejected(void **state)
{
	struct blob_opts o = defaults;
	void *blob;
	struct loaded l;

	(void)state;
	o.rm_ac = 7;
	blob = make_blob(&o);
	l = load(blob, fdt_totalsize(blob));
	assert_int_equal(l.ret, -CDA_E_FORMAT);
	assert_non_null(strstr(l.err.msg, "#address-cells = 7 is not supported"));
	cda_arena_free(l.a);
	free(blob);
}

static void test_header_errors(void **state)
{
	void *blob = make_blob(&defaults);
	size_t len = fdt_totalsize(blob);
	_Alignas(8) unsigned char junk[64] = "this is not a device tree blob, just some text......";
	struct loaded l;

	(void)state;
	l = load(blob, 10);
	assert_int_equal(l.ret, -CDA_E_FORMAT);
	assert_non_null(strstr(l.err.msg, "shorter than the header"));
	cda_arena_free(l.a);
	l = load(junk, sizeof(junk));
	assert_int_equal(l.ret, -CDA_E_FORMAT);
	assert_non_null(strstr(l.err.msg, "bad magic"));
	cda_arena_free(l.a);
	/* pre-v16 headers crash libfdt 1.6.1's fdt_check_full (found by fuzzing) */
	memcpy(junk, blob, sizeof(junk));
	((fdt32_t *)junk)[5] = cpu_to_fdt32(9);
	l = load(junk, sizeof(junk));
	assert_int_equal(l.ret, -CDA_E_FORMAT);
	assert_non_null(strstr(l.err.msg, "version 9 is not supported"));
	cda_arena_free(l.a);
	l = load(blob, len - 1);
	assert_int_equal(l.ret, -CDA_E_FORMAT);
	assert_non_null(strstr(l.err.msg, "truncated: header says"));
	assert_int_equal(strncmp(l.err.msg, "t.dtb: ", 7), 0);
	cda_arena_free(l.a);
	free(blob);
}

/* File offset of the first token `tag`, walking tokens (not raw words) of a valid blob. */
static size_t find_token(const void *blob, uint32_t tag)
{
	int off = 0, next;

	for (;;) {
		uint32_t t = fdt_next_tag(blob, off, &next);

		if (t == tag)
			return fdt_off_dt_struct(blob) + (size_t)off;
		assert_true(t != FDT_END && next > off);
		off = next;
	}
}

static void expect_rejected(void *blob, const char *reason)
{
	struct loaded l = load(blob, fdt_totalsize(blob));

	assert_int_equal(l.ret, -CDA_E_FORMAT);
	if (!strstr(l.err.msg, reason))
		fail_msg("'%s' lacks '%s'", l.err.msg, reason);
	cda_arena_free(l.a);
	free(blob);
}

static void set32(void *blob, size_t off, uint32_t v)
{
	*(fdt32_t *)((char *)blob + off) = cpu_to_fdt32(v);
}

/*
 * Damage that libfdt 1.6.1's fdt_check_full() crashed or looped on is caught
 * by our own structure walk first: each case names the walk's own reason.
 */
static void test_structure_walk(void **state)
{
	void *b;

	(void)state;
	b = make_blob(&defaults);
	set32(b, 8, fdt_off_dt_struct(b) + 2); /* off_dt_struct */
	expect_rejected(b, "misaligned structure");
	b = make_blob(&defaults);
	set32(b, find_token(b, FDT_PROP) + 4, 0x7ffffff0); /* property length */
	expect_rejected(b, "property value runs past the structure block");
	b = make_blob(&defaults);
	set32(b, find_token(b, FDT_PROP) + 8, 0xffff); /* property name offset */
	expect_rejected(b, "property name outside the strings block");
	b = make_blob(&defaults);
	set32(b, fdt_off_dt_struct(b) + fdt_size_dt_struct(b) - 4, FDT_NOP); /* FDT_END */
	expect_rejected(b, "no end token");
	b = make_blob(&defaults);
	set32(b, find_token(b, FDT_END_NODE), FDT_NOP); /* drop one end of node */
	expect_rejected(b, "unbalanced nodes");
	b = make_blob(&defaults);
	set32(b, find_token(b, FDT_PROP), 0x77); /* unknown token */
	expect_rejected(b, "unknown structure token");
}

/* Every truncation and every single-byte corruption: an error or a tree, never a crash. */
static void test_damaged_blobs_never_crash(void **state)
{
	void *blob = make_blob(&defaults);
	size_t len = fdt_totalsize(blob);
	unsigned char *copy = malloc(len);
	int ok = 0, rejected = 0;

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		struct loaded l = load(blob, cut);

		assert_int_equal(l.ret, -CDA_E_FORMAT);
		cda_arena_free(l.a);
	}
	for (size_t i = 0; i < len; i++) {
		for (int flip = 0; flip < 3; flip++) {
			static const unsigned char vals[] = { 0xff, 0x00, 0x80 };
			struct loaded l;

			memcpy(copy, blob, len);
			copy[i] = copy[i] == vals[flip] ? (unsigned char)~vals[flip] : vals[flip];
			l = load(copy, len);
			assert_true(l.ret == 0 || l.ret == -CDA_E_FORMAT);
			if (l.ret)
				assert_true(strlen(l.err.msg) > 7);
			l.ret ? rejected++ : ok++;
			cda_arena_free(l.a);
		}
	}
	assert_true(rejected > 0);
	assert_true(ok > 0); /* e.g. flips inside property values */
	free(copy);
	free(blob);
}

static void test_fs_errors(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_error err;
	struct dt_tree t;
	char dir[] = "/tmp/cda-test-XXXXXX";

	(void)state;
	assert_int_equal(cda_dt_read(a, "/nonexistent/tree", &t, &err), -CDA_E_IO);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cda_dt_read(a, dir, &t, &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "empty directory"));
	{
		char path[64], link[64];

		/* a symlinked property must not be followed out of the tree */
		snprintf(path, sizeof(path), "%s/model", dir);
		FILE *f = fopen(path, "w");

		fputs("m", f);
		fputc(0, f);
		fclose(f);
		snprintf(link, sizeof(link), "%s/escape", dir);
		assert_int_equal(symlink("/etc/passwd", link), 0);
		assert_int_equal(cda_dt_read(a, dir, &t, &err), 0);
		assert_int_equal(t.root->nprops, 1);
		assert_string_equal(t.root->props[0].name, "model");
		unlink(link);
		unlink(path);
	}
	rmdir(dir);
	cda_arena_free(a);
}

static void test_swiotlb_cmdline(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_value *o = cda_v_obj(a), *sw;
	struct cda_fb fb = { a, "bootargs", false };

	(void)state;
	cda_cmdline_facts(&fb, "console=hvc0 swiotlb=65537,3,force \"rodata=full\" -- swiotlb=noforce", o);
	assert_true(cda_fb_ok(&fb));
	sw = cda_obj_get(o, "swiotlb");
	assert_int_equal(cda_obj_get(sw, "slabs")->u, 65537);
	assert_int_equal(cda_obj_get(sw, "slabs_effective")->u, 65536 + 128); /* rounded to IO_TLB_SEGSIZE */
	assert_int_equal(cda_obj_get(sw, "bytes")->u, (65536ull + 128) << 11);
	assert_int_equal(cda_obj_get(sw, "areas_effective")->u, 4);            /* power of two */
	assert_true(cda_obj_get(sw, "force")->b);
	assert_false(cda_obj_get(sw, "noforce")->b);                          /* after "--": init's */
	assert_string_equal(cda_obj_get(o, "rodata")->s, "full");
	o = cda_v_obj(a);
	cda_cmdline_facts(&fb, "swiotlb=noforce swiotlb=0x800", o);
	assert_true(cda_fb_ok(&fb));
	sw = cda_obj_get(o, "swiotlb");
	assert_true(cda_obj_get(sw, "noforce")->b);
	assert_int_equal(cda_obj_get(sw, "slabs")->u, 0x800);
	assert_null(cda_obj_get(sw, "areas"));
	cda_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_pool_facts),
		cmocka_unit_test(test_one_cell_tree),
		cmocka_unit_test(test_dynamic_pool_and_iommu),
		cmocka_unit_test(test_two_restricted_pools),
		cmocka_unit_test(test_bad_cells_rejected),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_structure_walk),
		cmocka_unit_test(test_damaged_blobs_never_crash),
		cmocka_unit_test(test_fs_errors),
		cmocka_unit_test(test_swiotlb_cmdline),
	};

	return cmocka_run_group_tests_name("dt", tests, NULL, NULL);
}
