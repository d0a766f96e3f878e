// SPDX-License-Identifier: MIT
/*
 * Unit tests for the fact builder (facts.h cda_fb_*): values land in order,
 * and after a failed allocation every later call does nothing and
 * cda_fb_done() reports the one out-of-memory error. Then the loaders that
 * build with it, failed at every allocation in turn: never a crash, always
 * the one error or the full facts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "dt.h"
#include "facts.h"
#include "runtime.h"
#include "test-util.h"
#include "util.h"

static void test_values_land(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_fb fb = { .a = a, .name = "in.dtb" };
	struct cda_error err = { 0 };
	struct cda_value *root, *o, *l, *e;

	(void)state;
	root = cda_fb_new_obj(&fb);
	cda_fb_u64(&fb, root, "count", 3);
	cda_fb_hex(&fb, root, "base", 0x80000000);
	cda_fb_bool(&fb, root, "shared", true);
	cda_fb_str(&fb, root, "path", "/reserved-memory/pool");
	cda_fb_unknown(&fb, root, "page_size", "no IKCONFIG");
	o = cda_fb_obj(&fb, root, "chosen");
	cda_fb_str(&fb, o, "bootargs", "swiotlb=force");
	l = cda_fb_list(&fb, root, "pools");
	e = cda_fb_push_obj(&fb, l);
	cda_fb_hex(&fb, e, "size", 0x400000);
	cda_fb_push_str(&fb, l, "x");
	cda_fb_push_hex(&fb, l, 0x1000);
	cda_fb_push_u64(&fb, l, 7);
	cda_fb_u64(&fb, root, "count", 4); /* replaces, keeps its place */
	assert_true(cda_fb_ok(&fb));
	assert_int_equal(cda_fb_done(&fb, &err), 0);
	assert_int_equal(err.code, 0);

	/* insertion order is the --facts key order */
	assert_int_equal(root->obj.n, 7);
	assert_string_equal(root->obj.m[0].key, "count");
	assert_int_equal(root->obj.m[0].val->u, 4);
	assert_string_equal(root->obj.m[1].key, "base");
	assert_true(root->obj.m[1].val->flags & CDA_VF_HEX);
	assert_true(cda_obj_get(root, "shared")->b);
	assert_string_equal(cda_obj_get(root, "path")->s, "/reserved-memory/pool");
	assert_int_equal(cda_obj_get(root, "page_size")->type, CDA_T_UNKNOWN);
	assert_string_equal(cda_obj_path(root, "chosen.bootargs")->s, "swiotlb=force");
	assert_int_equal(l->list.n, 4);
	assert_int_equal(cda_obj_get(l->list.items[0], "size")->u, 0x400000);
	assert_string_equal(l->list.items[1]->s, "x");
	assert_int_equal(l->list.items[2]->u, 0x1000);
	assert_true(l->list.items[2]->flags & CDA_VF_HEX);
	assert_false(l->list.items[3]->flags & CDA_VF_HEX);
	cda_arena_free(a);
}

static void test_stops_after_failure(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_fb fb = { .a = a, .name = "in.dtb" };
	struct cda_error err = { 0 };
	struct cda_value *root, *l, *o;

	(void)state;
	root = cda_fb_new_obj(&fb);
	cda_fb_u64(&fb, root, "before", 1);
	l = cda_fb_list(&fb, root, "list");
	assert_true(cda_fb_ok(&fb));
	cda_arena_limit(a, 0); /* every allocation from here on fails */
	cda_fb_str(&fb, root, "fails", "x");
	assert_false(cda_fb_ok(&fb));
	/* later setters and constructors do nothing, even ones that would need no memory */
	cda_arena_limit(a, 1 << 20);
	cda_fb_u64(&fb, root, "after", 2);
	cda_fb_set(&fb, root, "before", cda_obj_get(root, "before"));
	o = cda_fb_obj(&fb, root, "nested");
	assert_null(o);
	cda_fb_str(&fb, o, "key", "value"); /* a NULL target from a failed constructor */
	assert_null(cda_fb_push_obj(&fb, l));
	cda_fb_push_str(&fb, l, "y");
	assert_null(cda_fb_new_list(&fb));
	assert_null(cda_fb_alloc(&fb, 8));
	assert_int_equal(root->obj.n, 2);
	assert_null(cda_obj_get(root, "after"));
	assert_int_equal(l->list.n, 0);
	/* one error, the one text */
	assert_int_equal(cda_fb_done(&fb, &err), -CDA_E_NOMEM);
	assert_int_equal(err.code, CDA_E_NOMEM);
	assert_string_equal(err.msg, "in.dtb: out of memory");
	cda_arena_free(a);
}

static void test_failure_in_the_middle(void **state)
{
	struct cda_error err = { 0 };

	(void)state;
	/* Fail at every possible allocation: never a crash, always the one error or success. */
	for (size_t limit = 0;; limit += 16) {
		struct cda_arena *a = cda_arena_new();
		struct cda_fb fb = { .a = a };
		struct cda_value *root, *l;
		int ret;

		cda_arena_limit(a, limit);
		root = cda_fb_new_obj(&fb);
		for (int i = 0; i < 20; i++)
			cda_fb_u64(&fb, root, i % 2 ? "odd" : "even", (uint64_t)i);
		l = cda_fb_list(&fb, root, "l");
		for (int i = 0; i < 20; i++)
			cda_fb_hex(&fb, cda_fb_push_obj(&fb, l), "i", (uint64_t)i);
		ret = cda_fb_done(&fb, &err);
		cda_arena_free(a);
		if (!ret)
			break;
		assert_int_equal(ret, -CDA_E_NOMEM);
		assert_string_equal(err.msg, "out of memory");
		assert_true(limit < 1 << 20);
	}
}

static void test_null_reported(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_fb fb = { .a = a };
	struct cda_value *root;

	(void)state;
	/* a value or string a caller could not make counts as a failed allocation */
	root = cda_fb_new_obj(&fb);
	cda_fb_str(&fb, root, "s", cda_arena_printf(a, "%s", "ok"));
	assert_true(cda_fb_ok(&fb));
	cda_fb_push(&fb, cda_fb_list(&fb, root, "l"), NULL);
	assert_false(cda_fb_ok(&fb));
	cda_arena_free(a);
	fb = (struct cda_fb){ .a = NULL };
	cda_fb_check(&fb, 0);
	assert_true(cda_fb_ok(&fb));
	cda_fb_check(&fb, -1);
	assert_false(cda_fb_ok(&fb));
}

static void test_oom_text(void **state)
{
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_oom(&err, "snap.tar"), -CDA_E_NOMEM);
	assert_string_equal(err.msg, "snap.tar: out of memory");
	assert_int_equal(cda_oom(&err, NULL), -CDA_E_NOMEM);
	assert_string_equal(err.msg, "out of memory");
	assert_int_equal(cda_oom(NULL, "x"), -CDA_E_NOMEM);
}

#define BLOB 8192

static void u32s(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[8];

	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_property(fdt, name, c, n * 4), 0);
}

static void begin(void *fdt, const char *name)
{
	assert_int_equal(fdt_begin_node(fdt, name), 0);
}

static void end(void *fdt)
{
	assert_int_equal(fdt_end_node(fdt), 0);
}

/* A tree that reaches every part of the "dt" facts: pools of each kind, devices, buses, ITS. */
static void *rich_blob(void)
{
	void *fdt = calloc(1, BLOB);

	assert_int_equal(fdt_create(fdt, BLOB), 0);
	assert_int_equal(fdt_add_reservemap_entry(fdt, 0x9f000000, 0x2000), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	begin(fdt, "");
	u32s(fdt, "#address-cells", (uint32_t[]){ 1 }, 1);
	u32s(fdt, "#size-cells", (uint32_t[]){ 1 }, 1);
	assert_int_equal(fdt_property(fdt, "compatible", "linux,dummy-virt\0arm,virt",
				      sizeof("linux,dummy-virt\0arm,virt")), 0);
	begin(fdt, "memory@80000000");
	assert_int_equal(fdt_property_string(fdt, "device_type", "memory"), 0);
	u32s(fdt, "reg", (uint32_t[]){ 0x80000000, 0x40000000 }, 2);
	end(fdt);
	begin(fdt, "chosen");
	assert_int_equal(fdt_property_string(fdt, "bootargs", "swiotlb=force mem_encrypt=on"), 0);
	end(fdt);
	begin(fdt, "reserved-memory");
	u32s(fdt, "#address-cells", (uint32_t[]){ 1 }, 1);
	u32s(fdt, "#size-cells", (uint32_t[]){ 1 }, 1);
	assert_int_equal(fdt_property(fdt, "ranges", NULL, 0), 0);
	begin(fdt, "restricted@9f000000");
	assert_int_equal(fdt_property_string(fdt, "compatible", "restricted-dma-pool"), 0);
	u32s(fdt, "reg", (uint32_t[]){ 0x9f000000, 0x400000 }, 2);
	u32s(fdt, "phandle", (uint32_t[]){ 1 }, 1);
	end(fdt);
	begin(fdt, "shared@9f100000"); /* overlaps the one above */
	assert_int_equal(fdt_property_string(fdt, "compatible", "shared-dma-pool"), 0);
	u32s(fdt, "reg", (uint32_t[]){ 0x9f100000, 0x100000 }, 2);
	assert_int_equal(fdt_property(fdt, "no-map", NULL, 0), 0);
	u32s(fdt, "phandle", (uint32_t[]){ 2 }, 1);
	end(fdt);
	begin(fdt, "dynamic");
	assert_int_equal(fdt_property_string(fdt, "compatible", "restricted-dma-pool"), 0);
	u32s(fdt, "size", (uint32_t[]){ 0x400000 }, 1);
	u32s(fdt, "alignment", (uint32_t[]){ 0x10000 }, 1);
	u32s(fdt, "alloc-ranges", (uint32_t[]){ 0xa0000000, 0x1000000 }, 2);
	end(fdt);
	begin(fdt, "broken@0");
	u32s(fdt, "reg", (uint32_t[]){ 0 }, 1);
	end(fdt);
	end(fdt);
	begin(fdt, "soc");
	u32s(fdt, "#address-cells", (uint32_t[]){ 1 }, 1);
	u32s(fdt, "#size-cells", (uint32_t[]){ 1 }, 1);
	u32s(fdt, "ranges", (uint32_t[]){ 0x0, 0x10000000, 0x100000 }, 3);
	u32s(fdt, "dma-ranges", (uint32_t[]){ 0x0, 0x80000000, 0x40000000 }, 3);
	begin(fdt, "virtio_mmio@3e00");
	assert_int_equal(fdt_property_string(fdt, "compatible", "virtio,mmio"), 0);
	u32s(fdt, "reg", (uint32_t[]){ 0x3e00, 0x200 }, 2);
	u32s(fdt, "memory-region", (uint32_t[]){ 2, 1, 7 }, 3);
	assert_int_equal(fdt_property(fdt, "dma-coherent", NULL, 0), 0);
	end(fdt);
	begin(fdt, "its@8080000");
	assert_int_equal(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"), 0);
	end(fdt);
	end(fdt);
	begin(fdt, "pcie@10000000");
	assert_int_equal(fdt_property_string(fdt, "device_type", "pci"), 0);
	u32s(fdt, "#address-cells", (uint32_t[]){ 3 }, 1);
	u32s(fdt, "#size-cells", (uint32_t[]){ 2 }, 1);
	u32s(fdt, "reg", (uint32_t[]){ 0x10000000, 0x1000 }, 2);
	u32s(fdt, "linux,pci-domain", (uint32_t[]){ 1 }, 1);
	u32s(fdt, "iommu-map", (uint32_t[]){ 0, 5, 0, 0x10000 }, 4);
	end(fdt);
	end(fdt);
	assert_int_equal(fdt_finish(fdt), 0);
	return fdt;
}

static struct cda_value *sweep(test_load_fn *load, const void *ctx, const char *msg,
			       struct cda_arena *ra)
{
	return test_oom_sweep(load, ctx, (const char *const[]){ msg, NULL }, 16, ra);
}

/* The tree is read before the limit applies: only the facts are built short of memory. */
static int dt_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
		   const void *blob)
{
	struct dt_tree t;
	struct cda_arena *ta = cda_arena_new();
	int ret;

	assert_non_null(ta);
	assert_int_equal(cda_dt_read_blob(ta, "t.dtb", blob, fdt_totalsize(blob), &t, err), 0);
	ret = cda_dt_facts(a, &t, "t.dtb", out, err);
	cda_arena_free(ta); /* the facts copy what they keep of the tree */
	return ret;
}

static void test_dt_facts_at_every_failure(void **state)
{
	void *blob = rich_blob();
	struct cda_arena *ra = cda_arena_new();
	struct cda_value *want;

	(void)state;
	want = sweep(dt_load, blob, "t.dtb: out of memory", ra);
	assert_int_equal(cda_obj_path(want, "pools")->list.n, 4);
	assert_non_null(cda_obj_path(want, "chosen.bootargs"));
	assert_int_equal(cda_obj_path(want, "devices")->list.n, 2);
	cda_arena_free(ra);
	free(blob);
}

static const char dmesg_log[] =
	"[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd0f0]\n"
	"[    0.000000] RME: Using RSI version 1.0\n"
	"[    0.000000] OF: reserved mem: 0x000000009eff7000..0x00000000a0ff6fff (32768 KiB) map "
	"non-reusable restricted_dma_reserved@9eff7000\n"
	"[    0.000000] software IO TLB: Reserved memory: created restricted DMA pool at "
	"0x000000009f000000, size 16 MiB\n"
	"[    0.000000] OF: reserved mem: initialized node restricted_dma_reserved@9f000000, "
	"compatible id restricted-dma-pool\n"
	"[    0.000000] ITS@0x0000000008080000: allocated 8192 Devices @100a0000 (indirect, esz 8, "
	"psz 64K, shr 1)\n"
	"[    0.000000] smccc: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 "
	"0x0000009f)\n"
	"[    0.152420] software IO TLB: mapped [mem 0x00000000bbe00000-0x00000000bfe00000] (64MB)\n"
	"[    1.204900] software IO TLB: Memory encryption is active and system is using DMA "
	"bounce buffers\n";

static int dmesg_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
		      const void *ctx)
{
	struct cda_source src = { .name = "dmesg.txt", .data = ctx, .len = sizeof(dmesg_log) - 1 };

	return cda_dmesg_facts_src(a, &src, out, err);
}

static void test_dmesg_facts_at_every_failure(void **state)
{
	struct cda_arena *ra = cda_arena_new();
	struct cda_value *want;

	(void)state;
	want = sweep(dmesg_load, dmesg_log, "out of memory", ra);
	assert_non_null(cda_obj_path(want, "rsi.version"));
	assert_non_null(cda_obj_path(want, "kvm.features"));
	assert_int_equal(cda_obj_path(want, "restricted_pools")->list.n, 1);
	cda_arena_free(ra);
}

#define MEMBER(n, t) { n, '0', (const unsigned char *)(t), sizeof(t) - 1 }

static const struct cda_tar_member virtio_members[] = {
	MEMBER("virtio1/device", "0x0001\n"), MEMBER("virtio1/vendor", "0x1af4\n"),
	MEMBER("virtio1/features", "0000000000000000000000000000110011000000100000000000000000\n"),
	MEMBER("virtio1/driver", "virtio_net\n"),
	MEMBER("virtio1/path", "/sys/devices/platform/a003e00.virtio_mmio/virtio1\n"),
	MEMBER("virtio2/device", "0x0002\n"),
	MEMBER("virtio2/path", "/sys/devices/pci0000:00/0000:00:01.0/virtio2\n"),
};

static int virtio_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
		       const void *ctx)
{
	(void)ctx;
	return cda_virtio_facts(a, "s:snapshot/virtio", virtio_members,
				sizeof(virtio_members) / sizeof(virtio_members[0]), NULL, out, err);
}

static const struct cda_tar_member swiotlb_members[] = {
	MEMBER("swiotlb/io_tlb_nslabs", "32768\n"), MEMBER("swiotlb/io_tlb_used", "12\n"),
	MEMBER("swiotlb/io_tlb_used_hiwater", "40\n"),
	MEMBER("swiotlb/restricted@9f000000/io_tlb_nslabs", "8192\n"),
};

static int swiotlb_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
			const void *ctx)
{
	(void)ctx;
	return cda_swiotlb_facts_members(a, "s:snapshot/debugfs", swiotlb_members,
					 sizeof(swiotlb_members) / sizeof(swiotlb_members[0]), out,
					 err);
}

static void test_runtime_facts_at_every_failure(void **state)
{
	struct cda_arena *ra = cda_arena_new();
	struct cda_value *want;

	(void)state;
	want = sweep(virtio_load, NULL, "out of memory", ra);
	assert_int_equal(cda_obj_path(want, "devices")->list.n, 2);
	want = sweep(swiotlb_load, NULL, "out of memory", ra);
	assert_int_equal(cda_obj_path(want, "pools")->list.n, 2);
	cda_arena_free(ra);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_land),
		cmocka_unit_test(test_stops_after_failure),
		cmocka_unit_test(test_failure_in_the_middle),
		cmocka_unit_test(test_null_reported),
		cmocka_unit_test(test_oom_text),
		cmocka_unit_test(test_dt_facts_at_every_failure),
		cmocka_unit_test(test_dmesg_facts_at_every_failure),
		cmocka_unit_test(test_runtime_facts_at_every_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
