// SPDX-License-Identifier: MIT
/*
 * Unit tests for reading a snapshot (snapshot.c) and what it feeds: the line
 * reader and the stream decoders over bytes in memory, the virtio facts
 * (virtio.c), and kernel facts from a config alone (kernel_facts.c).
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

#include "decompress_stream.h"
#include "kernel.h"
#include "lines.h"
#include "rules.h"
#include "runtime.h"
#include "snapshot.h"
#include "test-util.h"
#include "util.h"

/* ---- a tar built in memory ---- */

struct ar {
	unsigned char b[256 * 1024];
	size_t len;
};

static void add(struct ar *a, const char *name, char type, const void *data, size_t size)
{
	test_tar_add(a->b, sizeof(a->b), &a->len, name, type, data, size);
}

static void file(struct ar *a, const char *name, const char *text)
{
	add(a, name, '0', text, strlen(text));
}

/* The archive with its end blocks, written to a temporary file; the caller unlinks it. */
static char *finish(struct ar *a)
{
	char *path = strdup("/tmp/cda-snapshot-XXXXXX");
	int fd = mkstemp(path);

	test_tar_end(a->b, sizeof(a->b), &a->len);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, a->b, a->len), (ssize_t)a->len);
	close(fd);
	return path;
}

static void base(struct ar *a)
{
	a->len = 0;
	add(a, "snapshot/", '5', NULL, 0);
	file(a, "snapshot/FORMAT", "cca-dma-audit-snapshot 1\n");
	file(a, "snapshot/release", "6.12.0\n");
}

/* ---- bytes in memory as an input ---- */

static bool count_line(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno)
{
	(void)line, (void)cut, (void)lineno;
	*(size_t *)ctx += len;
	return true;
}

static void test_lines_memory(void **state)
{
	static const char text[] = "[    0.000000] Linux version 6.12.0\n[    1.0] two\nthree";
	unsigned char gz[256];
	size_t gzlen = test_gzip(text, sizeof(text) - 1, gz, sizeof(gz)), n = 0, ngz = 0;
	const struct cda_lines_kind kind = { "a log", "a log" };
	struct cda_source src = { .name = "a.tar:snapshot/dmesg.txt", .data = (const unsigned char *)text,
				  .len = sizeof(text) - 1 };
	struct cda_error err;
	uint64_t lines = 0;

	(void)state;
	assert_int_equal(cda_lines_each_src(&src, &kind, count_line, &n, &lines, NULL, &err), 0);
	assert_int_equal(lines, 3);
	src.data = gz;
	src.len = gzlen;
	assert_int_equal(cda_lines_each_src(&src, &kind, count_line, &ngz, &lines, NULL, &err), 0);
	assert_int_equal(ngz, n); /* compressed in memory reads as the text */
	/* cut short: the error names the member, not a file */
	src.len = gzlen - 6;
	assert_int_equal(cda_lines_each_src(&src, &kind, count_line, &ngz, NULL, NULL, &err),
			 -CDA_E_FORMAT);
	assert_string_equal(err.msg, "a.tar:snapshot/dmesg.txt: truncated gzip stream");
	src.len = 0;
	assert_int_equal(cda_lines_each_src(&src, &kind, count_line, &ngz, NULL, NULL, &err),
			 -CDA_E_FORMAT);
	assert_string_equal(err.msg, "a.tar:snapshot/dmesg.txt: empty");
}

/* A stream over memory larger than one input buffer, decoded whole. */
static void test_dstream_memory(void **state)
{
	size_t len = 3 * CDA_DSTREAM_IN + 123, gzlen, got, total = 0;
	unsigned char *in = malloc(len), *gz = malloc(len + 1024), out[4096];
	struct cda_dstream *ds;
	struct cda_error err;
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < len; i++) { /* xorshift32: incompressible */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		in[i] = (unsigned char)x;
	}
	gzlen = test_gzip(in, len, gz, len + 1024);
	assert_true(gzlen > CDA_DSTREAM_IN);
	assert_int_equal(cda_dstream_new("gzip", -1, gz, gzlen, "mem", &ds, &err), 0);
	do {
		assert_int_equal(cda_dstream_read(ds, out, sizeof(out), &got, &err), 0);
		assert_memory_equal(out, in + total, got);
		total += got;
	} while (got);
	assert_int_equal(total, len);
	cda_dstream_free(ds);
	free(in);
	free(gz);
}

/* ---- the archive ---- */

static void test_open(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct ar *ar = calloc(1, sizeof(*ar));
	struct cda_snapshot s;
	struct cda_error err;
	const struct cda_tar_member *m;
	struct cda_tar_member *dir;
	struct cda_value *f;
	size_t n;
	char *path;

	(void)state;
	base(ar);
	add(ar, "./snapshot/debugfs/swiotlb/", '5', NULL, 0);
	file(ar, "./snapshot/debugfs/swiotlb/io_tlb_nslabs", "32768\n");
	file(ar, "snapshot/errors", "debugfs: not mounted (CONFIG_DEBUG_FS off)\n\nodd line\n");
	file(ar, "snapshot/new-thing", "x");
	file(ar, "elsewhere", "y");
	path = finish(ar);
	assert_int_equal(cda_snapshot_open(a, path, &s, &err), 0);
	assert_string_equal(s.compression, "none");
	assert_int_equal(cda_snapshot_take(&s, "release", 64, &m, &err), 0);
	assert_non_null(m);
	assert_int_equal(m->size, 7);
	/* over its limit */
	assert_int_equal(cda_snapshot_take(&s, "release", 6, &m, &err), -CDA_E_FORMAT);
	assert_null(m);
	/* absent: no error */
	assert_int_equal(cda_snapshot_take(&s, "dmesg.txt", 64, &m, &err), 0);
	assert_null(m);
	assert_int_equal(cda_snapshot_take_dir(a, &s, "debugfs", &dir, &n, &err), 0);
	assert_int_equal(n, 2); /* "./" dropped: the pool directory and its file */
	assert_string_equal(dir[0].name, "swiotlb");
	assert_string_equal(dir[1].name, "swiotlb/io_tlb_nslabs");
	assert_int_equal(cda_snapshot_facts(a, &s, &f, &err), 0);
	assert_string_equal(cda_obj_path(f, "release")->s, "6.12.0");
	assert_int_equal(cda_obj_get(f, "not_captured")->list.n, 2); /* the blank line is skipped */
	assert_string_equal(cda_obj_path(cda_obj_get(f, "not_captured")->list.items[0], "what")->s,
			    "debugfs");
	assert_string_equal(cda_obj_path(cda_obj_get(f, "not_captured")->list.items[0], "part")->s,
			    "swiotlb");
	assert_string_equal(cda_obj_path(cda_obj_get(f, "not_captured")->list.items[1], "why")->s, "");
	assert_int_equal(cda_obj_get(f, "ignored")->list.n, 2);
	assert_string_equal(cda_obj_get(f, "ignored")->list.items[0]->s, "snapshot/new-thing");
	assert_string_equal(cda_obj_get(f, "ignored")->list.items[1]->s, "elsewhere");
	assert_string_equal(cda_snapshot_member_name(a, &s, "fdt"),
			    cda_arena_printf(a, "%s:snapshot/fdt", path));
	cda_snapshot_close(&s);
	unlink(path);
	free(path);
	free(ar);
	cda_arena_free(a);
}

static void test_open_refused(void **state)
{
	static const struct { const char *format, *error; } cases[] = {
		{ NULL, ": not a cca-dma-audit snapshot: no snapshot/FORMAT member" },
		{ "cca-dma-audit-snapshot 2\n", ":snapshot/FORMAT: snapshot format 2 is not supported" },
		{ "cca-dma-audit-snapshot 1 extra\n", ":snapshot/FORMAT: not a snapshot format line" },
		{ "cca-dma-audit-snapshot 1\0\n", ":snapshot/FORMAT: a NUL byte: not text" },
	};
	struct cda_arena *a = cda_arena_new();
	struct ar *ar = calloc(1, sizeof(*ar));
	struct cda_snapshot s;
	struct cda_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path;

		ar->len = 0;
		if (cases[i].format)
			add(ar, "snapshot/FORMAT", '0', cases[i].format,
			    i == 3 ? 26 : strlen(cases[i].format));
		file(ar, "snapshot/release", "6.12.0\n");
		path = finish(ar);
		assert_int_equal(cda_snapshot_open(a, path, &s, &err), -CDA_E_FORMAT);
		assert_non_null(strstr(err.msg, cases[i].error));
		assert_null(s.tar); /* freed on the error */
		unlink(path);
		free(path);
	}
	free(ar);
	cda_arena_free(a);
}

/* ---- virtio ---- */

static struct cda_tar_member member(const char *name, const char *text)
{
	return (struct cda_tar_member){ name, '0', (const unsigned char *)text, strlen(text) };
}

static void test_virtio(void **state)
{
	static const char f33[] = "0000000000000000000000000000110011000000100000000000000000000000\n";
	static const char f32[] = "0000000000000000000000000000110010000000100000000000000000000000\n";
	static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000\n";
	struct cda_tar_member m[] = {
		member("virtio10/device", "0x0001\n"), member("virtio10/features", f32),
		member("virtio10/driver", "virtio_net\n"),
		member("virtio10/path", "/sys/devices/platform/a003e00.virtio_mmio/virtio10\n"),
		member("virtio2/device", "0x0002\n"), member("virtio2/features", f33),
		member("virtio2/driver", "virtio_blk\n"), member("virtio2/vendor", "0x1af4\n"),
		member("virtio2/path",
		       "/sys/devices/platform/4010000000.pcie/pci0000:00/0000:00:01.0/virtio2\n"),
		member("virtio3/device", "0x0063\n"), member("virtio3/features", zero),
		member("virtio3/path", "/sys/devices/virtual/foo/virtio3\n"),
		member("virtio3/status", "0x00000000\n"), /* a file this version does not read */
	};
	struct cda_arena *a = cda_arena_new();
	struct cda_value *dt = cda_v_list(a), *node = cda_v_obj(a), *f, *d;
	struct cda_error err;

	(void)state;
	cda_obj_set_str(a, node, "bus_id", "a003e00.virtio_mmio");
	cda_obj_set_str(a, node, "path", "/virtio_mmio@a003e00");
	cda_list_push(a, dt, node);
	assert_int_equal(cda_virtio_facts(a, "s:snapshot/virtio", m, sizeof(m) / sizeof(m[0]), dt,
					  &f, &err), 0);
	f = cda_obj_get(f, "devices");
	assert_int_equal(f->list.n, 3);
	d = f->list.items[0]; /* virtio2 before virtio10 */
	assert_string_equal(cda_obj_get(d, "name")->s, "virtio2");
	assert_string_equal(cda_obj_get(d, "type")->s, "block");
	assert_string_equal(cda_obj_get(d, "transport")->s, "pci");
	assert_string_equal(cda_obj_get(d, "pci_function")->s, "0000:00:01.0");
	assert_int_equal(cda_obj_get(d, "vendor")->u, 0x1af4);
	assert_true(cda_obj_get(d, "access_platform")->b);
	assert_true(cda_obj_get(d, "version_1")->b);
	d = f->list.items[1];
	assert_string_equal(cda_obj_get(d, "name")->s, "virtio3");
	assert_string_equal(cda_obj_get(d, "type")->s, "unknown");
	assert_string_equal(cda_obj_get(d, "transport")->s, "other");
	assert_false(cda_obj_get(d, "bound")->b);
	assert_int_equal(cda_obj_get(d, "access_platform")->type, CDA_T_UNKNOWN);
	assert_non_null(strstr(cda_obj_get(d, "access_platform")->s, "no driver bound"));
	assert_null(cda_obj_get(d, "features"));
	d = f->list.items[2];
	assert_string_equal(cda_obj_get(d, "transport")->s, "mmio");
	assert_string_equal(cda_obj_get(d, "platform_device")->s, "a003e00.virtio_mmio");
	assert_string_equal(cda_obj_get(d, "dt_node")->s, "/virtio_mmio@a003e00");
	assert_false(cda_obj_get(d, "access_platform")->b);
	assert_int_equal(cda_obj_get(d, "features")->list.n, 4); /* 28, 29, 32, 40 */

	m[1] = member("virtio10/features", "0x3\n");
	assert_int_equal(cda_virtio_facts(a, "s:snapshot/virtio", m, 4, NULL, &f, &err),
			 -CDA_E_FORMAT);
	assert_string_equal(err.msg, "s:snapshot/virtio/virtio10/features: not a feature bit string "
			    "(sysfs prints one '0' or '1' per bit)");
	m[1] = member("virtio10/features", f32);
	m[0] = member("virtio10/device", "1\n");
	assert_int_equal(cda_virtio_facts(a, "s:snapshot/virtio", m, 4, NULL, &f, &err),
			 -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "virtio10/device: not a device id"));
	cda_arena_free(a);
}

/* ---- kernel facts from a config alone ---- */

static void test_config_facts(void **state)
{
	static const char config[] = "CONFIG_ARM64=y\nCONFIG_ARM64_16K_PAGES=y\n"
				     "# CONFIG_DMA_RESTRICTED_POOL is not set\n";
	static const char banner[] = "Linux version 6.1.0-27-arm64 (debian-kernel@lists.debian.org) "
				     "(gcc-12) #1 SMP Debian 6.1.115-1 (2024-11-01)";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *k;
	struct cda_error err;
	unsigned char gz[512];
	size_t gzlen = test_gzip(config, sizeof(config) - 1, gz, sizeof(gz));

	struct kconfig_only in = { "s:snapshot/config.gz", gz, gzlen, "snapshot", "6.1.0-27-arm64",
				   banner, NULL, { 0 } };
	struct cda_ruleset *rs = cda_ruleset_new(); /* the built-in probes, as the audit passes them */

	(void)state;
	assert_int_equal(cda_ruleset_load_builtin_probes(rs, &err), 0);
	in.probes = cda_ruleset_probes(rs);
	assert_int_equal(cda_kernel_config_facts(a, &in, &k, &err), 0);
	assert_string_equal(cda_obj_get(k, "format")->s, "config");
	assert_string_equal(cda_obj_get(k, "compression")->s, "gzip");
	assert_string_equal(cda_obj_get(k, "arch")->s, "arm64");
	assert_int_equal(cda_obj_get(k, "page_size")->u, 16384);
	assert_string_equal(cda_obj_get(k, "page_size_source")->s, "config-file");
	assert_string_equal(cda_obj_get(k, "config_source")->s, "snapshot");
	/* Debian's ABI name hides the stable level; the banner's package version says it */
	assert_int_equal(cda_obj_path(k, "version.patch")->u, 115);
	assert_string_equal(cda_obj_get(k, "version_source")->s, "boot-log (Debian package version)");
	assert_false(cda_obj_path(k, "probes.restricted_dma_pool.value")->b);
	assert_string_equal(cda_obj_path(k, "probes.restricted_dma_pool.decided_by")->s,
			    "CONFIG_DMA_RESTRICTED_POOL=n (snapshot)");
	assert_int_equal(cda_obj_path(k, "probes.swiotlb_pool_state.value")->type, CDA_T_UNKNOWN);

	/* the release alone, plain text from a file (--config) */
	in = (struct kconfig_only){ "config", (const unsigned char *)config, sizeof(config) - 1, "file",
				    "6.13.2", NULL, NULL, cda_ruleset_probes(rs) };
	assert_int_equal(cda_kernel_config_facts(a, &in, &k, &err), 0);
	assert_string_equal(cda_obj_get(k, "version_source")->s, "release");
	assert_string_equal(cda_obj_get(k, "config_source")->s, "file");
	assert_int_equal(cda_obj_path(k, "version.minor")->u, 13);
	assert_null(cda_obj_get(k, "banner"));

	/* not arm64: every probe unknown with the reason */
	in = (struct kconfig_only){ "c", (const unsigned char *)"CONFIG_X86_64=y\n", 16, "snapshot",
				    NULL, NULL, NULL, cda_ruleset_probes(rs) };
	assert_int_equal(cda_kernel_config_facts(a, &in, &k, &err), 0);
	assert_string_equal(cda_obj_get(k, "arch")->s, "unknown");
	assert_non_null(strstr(cda_obj_path(k, "probes.realm_guest.decided_by")->s, "not an arm64"));
	assert_int_equal(cda_obj_get(k, "page_size")->type, CDA_T_UNKNOWN);

	in = (struct kconfig_only){ "c", (const unsigned char *)"junk", 4, "snapshot", NULL, NULL,
				    NULL, cda_ruleset_probes(rs) };
	assert_int_equal(cda_kernel_config_facts(a, &in, &k, &err), -CDA_E_FORMAT);
	assert_string_equal(err.msg, "c: not a kernel .config (no CONFIG_ lines)");
	cda_ruleset_free(rs);
	cda_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_memory),
		cmocka_unit_test(test_dstream_memory),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_open_refused),
		cmocka_unit_test(test_virtio),
		cmocka_unit_test(test_config_facts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
