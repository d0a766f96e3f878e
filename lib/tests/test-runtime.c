// SPDX-License-Identifier: MIT
/*
 * Unit tests for the runtime parsers: the line reader (plain and compressed,
 * and its sniffing of inputs of the wrong kind), the boot log, the swiotlb
 * debugfs forms and the trace. Inputs are written to temporary files, because
 * the loaders stream from files as they do for users.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <lzma.h>
#include <zstd.h>

#include "lines.h"
#include "runtime.h"
#include "test-util.h"
#include "util.h"

static char *tmpfile_with(const void *data, size_t len)
{
	char *path = strdup("/tmp/cda-runtime-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static uint64_t num(const struct cda_value *root, const char *path)
{
	const struct cda_value *v = cda_obj_path(root, path);

	assert_non_null(v);
	assert_int_equal(v->type, CDA_T_U64);
	return v->u;
}

static const char *str(const struct cda_value *root, const char *path)
{
	const struct cda_value *v = cda_obj_path(root, path);

	assert_non_null(v);
	assert_int_equal(v->type, CDA_T_STR);
	return v->s;
}

static void test_lines(void **state)
{
	size_t big = CDA_LINE_MAX + 100;
	char *data = malloc(big + 64);
	const char *line;
	size_t len, n = 0;
	struct cda_error err;
	struct cda_lines lr;
	bool cut;
	char *path;

	(void)state;
	memcpy(data, "one\r\n", 5);
	n = 5;
	memset(data + n, 'x', big);
	n += big;
	memcpy(data + n, "\nlast", 5);
	n += 5;
	path = tmpfile_with(data, n);
	assert_int_equal(cda_lines_open(&lr, path, &err), 0);
	assert_int_equal(cda_lines_next(&lr, &line, &len, &cut, &err), 1);
	assert_int_equal(len, 3); /* \r\n dropped */
	assert_false(cut);
	assert_int_equal(cda_lines_next(&lr, &line, &len, &cut, &err), 1);
	assert_int_equal(len, CDA_LINE_MAX);
	assert_true(cut);
	assert_int_equal(cda_lines_next(&lr, &line, &len, &cut, &err), 1);
	assert_int_equal(len, 4); /* no newline at the end */
	assert_memory_equal(line, "last", 4);
	assert_int_equal(lr.lineno, 3);
	assert_int_equal(cda_lines_next(&lr, &line, &len, &cut, &err), 0);
	cda_lines_close(&lr);
	unlink(path);
	free(path);
	free(data);
}

enum { C_GZIP, C_XZ, C_ZSTD, C_COUNT };
static const char *const c_names[C_COUNT] = { "gzip", "xz", "zstd" };

/* in compressed with format c into a malloc'd buffer. */
static unsigned char *compress_with(int c, const char *in, size_t len, size_t *outlen)
{
	size_t cap = len + len / 2 + 4096;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	if (c == C_GZIP) {
		*outlen = test_gzip(in, len, out, cap);
	} else if (c == C_XZ) {
		*outlen = 0;
		assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, (const uint8_t *)in,
							 len, out, outlen, cap), LZMA_OK);
	} else {
		*outlen = ZSTD_compress(out, cap, in, len, 3);
		assert_false(ZSTD_isError(*outlen));
	}
	return out;
}

static bool count_line(void *ctx, const char *line, size_t len, bool cut, uint64_t lineno)
{
	(void)line, (void)len, (void)cut, (void)lineno;
	++*(uint64_t *)ctx;
	return true;
}

/*
 * Every format reads back the text line for line, through several buffer
 * fills; cut anywhere after its magic it is an error naming the format, and
 * past the cap it stops.
 */
static void test_lines_compressed(void **state)
{
	const size_t nlines = 60000; /* ~3 MiB: several 1 MiB buffers */
	size_t len = 0;
	char *text = malloc(nlines * 64);

	(void)state;
	for (size_t i = 0; i < nlines; i++)
		len += (size_t)sprintf(text + len, "[%5zu.000000] line %zu of a long boot log\n", i, i);
	for (int c = 0; c < C_COUNT; c++) {
		size_t zlen;
		unsigned char *z = compress_with(c, text, len, &zlen);
		char *path = tmpfile_with(z, zlen), want[64];
		struct cda_error err = { 0 };
		struct cda_lines lr;
		const char *line;
		size_t n, i = 0;
		uint64_t seen = 0, bytes = 0;
		bool cut;
		int ret;

		assert_int_equal(cda_lines_open(&lr, path, &err), 0);
		assert_string_equal(lr.compression, c_names[c]);
		while ((ret = cda_lines_next(&lr, &line, &n, &cut, &err)) > 0) {
			int wn = snprintf(want, sizeof(want), "[%5zu.000000] line %zu of a long boot log", i, i);

			assert_int_equal(n, (size_t)wn);
			assert_memory_equal(line, want, n);
			i++;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(i, nlines);
		assert_int_equal(lr.bytes, len);
		cda_lines_close(&lr);
		assert_int_equal(cda_lines_each(path, &(struct cda_lines_kind){ "a log", "a log" },
						count_line, &seen, NULL, &bytes, &err), 0);
		assert_int_equal(seen, nlines);
		assert_int_equal(bytes, len);

		/* the cap: past it, an error, however much memory stays free */
		assert_int_equal(cda_lines_open(&lr, path, &err), 0);
		cda_dstream_set_max(lr.ds, 1000);
		while ((ret = cda_lines_next(&lr, &line, &n, &cut, &err)) > 0)
			;
		assert_int_equal(ret, -CDA_E_FORMAT);
		assert_non_null(strstr(err.msg, "decompresses to more than 1000 bytes"));
		cda_lines_close(&lr);
		unlink(path);
		free(path);

		/* cut short anywhere after the magic bytes */
		for (size_t at = c == C_GZIP ? 2 : c == C_XZ ? 6 : 4; at < zlen; at += zlen / 7 + 1) {
			char msg[64];

			path = tmpfile_with(z, at);
			seen = 0;
			assert_int_equal(cda_lines_each(path, &(struct cda_lines_kind){ "a log", "a log" },
							count_line, &seen, NULL, NULL, &err), -CDA_E_FORMAT);
			snprintf(msg, sizeof(msg), ": truncated %s stream", c_names[c]);
			assert_non_null(strstr(err.msg, msg));
			assert_non_null(strstr(err.msg, path));
			unlink(path);
			free(path);
		}
		free(z);
	}
	free(text);
}

struct sniff_case {
	const char *text;
	size_t len;   /* 0: strlen(text) */
	int ret;
	const char *msg; /* in the error, or NULL */
};

/* Inputs of the wrong kind are refused, saying what they looked like; logs of any style pass. */
static void test_sniffing(void **state)
{
	static const struct sniff_case dmesg[] = {
		{ "", 0, -CDA_E_FORMAT, ": empty" },
		{ "\n \t\n", 0, -CDA_E_FORMAT, ": empty (only blank lines)" },
		{ "hello\nworld\n", 0, -CDA_E_FORMAT,
		  ": not a kernel log: none of its 2 lines looks like dmesg, dmesg -T or journalctl -k "
		  "output (the first line starts 'hello')" },
		{ "\n\nhello\n", 0, -CDA_E_FORMAT, "(line 3, the first not blank, starts 'hello')" },
		{ "only line\n", 0, -CDA_E_FORMAT, "its one line does not look like dmesg" },
		{ "\xd0\x0d\xfe\xed\0\0\x10\0", 8, -CDA_E_FORMAT, ": not a kernel log: a device tree blob (DTB)" },
		{ "\x7f" "ELF\2\1\1\0 Linux version 6.1\n", 20, -CDA_E_FORMAT, ": not a kernel log: an ELF file" },
		/* NUL on the first line, a kernel line after it: still binary */
		{ "junk\0\n[    0.000000] Booting Linux on physical CPU 0x0\n", 55, -CDA_E_FORMAT,
		  "binary data (a NUL byte at offset 4)" },
		/* a stray NUL after a good line is read past */
		{ "[    0.000000] Booting Linux on physical CPU 0x0\nnoise\0\n", 56, 0, NULL },
		/* real logs with none of the messages the loader reads: every prefix style */
		{ "[    1.204311] virtio_blk virtio1: 4/0/0 default/read/poll queues\n", 0, 0, NULL },
		{ "[Sat Nov 21 09:12:01 2026] virtio_blk virtio1: queues\n", 0, 0, NULL },
		{ "Nov 21 09:12:01 realm kernel: virtio_blk virtio1: queues\n", 0, 0, NULL },
		{ "<6>virtio_blk virtio1: queues\n", 0, 0, NULL },
		{ "kern  :info  : [    1.204311] virtio_blk virtio1: queues\n", 0, 0, NULL },
		{ "2026-11-21T09:12:01,123456+00:00 virtio_blk virtio1: queues\n", 0, 0, NULL },
		/* a bare message the loader reads */
		{ "Linux version 6.15.0 (builder@ci)\n", 0, 0, NULL },
	};
	static const struct sniff_case trace[] = {
		{ "", 0, -CDA_E_FORMAT, ": empty" },
		{ "# tracer: nop\n#\n", 0, 0, NULL },      /* ftrace's header, no events */
		{ "cpus=4\n", 0, 0, NULL },                 /* trace-cmd report's */
		{ " <idle>-0 [001] d..2. 1.5: sched_switch: prev_comm=x\n", 0, 0, NULL },
		{ "# notes\nvmlinux-6.14.1: error [KERN003 x]: probe: y\n", 0, -CDA_E_FORMAT,
		  ": not an ftrace text: none of its 2 lines looks like ftrace event output" },
		{ "\x1b[1mBold\x07 text\n", 0, -CDA_E_FORMAT, "(it starts '?[1mBold? text')" },
	};
	(void)state;
	for (size_t k = 0; k < 2; k++) {
		const struct sniff_case *cases = k ? trace : dmesg;
		size_t n = k ? sizeof(trace) / sizeof(trace[0]) : sizeof(dmesg) / sizeof(dmesg[0]);

		for (size_t i = 0; i < n; i++) {
			struct cda_arena *a = cda_arena_new();
			struct cda_error err = { 0 };
			struct cda_value *f;
			size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
			char *path = tmpfile_with(cases[i].text, len);
			int ret = k ? cda_trace_facts(a, path, &f, &err) : cda_dmesg_facts(a, path, &f, &err);

			if (ret != cases[i].ret || (cases[i].msg && !strstr(err.msg, cases[i].msg)))
				fail_msg("%s case %zu: %d '%s'", k ? "trace" : "dmesg", i, ret, err.msg);
			if (ret)
				assert_non_null(strstr(err.msg, path)); /* names the file */
			unlink(path);
			free(path);
			cda_arena_free(a);
		}
	}
}

/* The same swiotlb line in every log style gives the same range. */
static void test_dmesg_styles(void **state)
{
	static const char *const prefixes[] = {
		"", "[    0.152420] ", "[Sat Nov 21 09:12:01 2026] ", "<6>[    0.152420] ",
		"Nov 21 09:12:01 realm kernel: ", "[    0.152420] realm kernel: ",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct cda_arena *a = cda_arena_new();
		struct cda_value *f;
		struct cda_error err;
		char text[512];
		char *path;
		int n = snprintf(text, sizeof(text),
				 "%sLinux version 6.15.0\n"
				 "%ssoftware IO TLB: mapped [mem 0x00000000bbe00000-0x00000000bfe00000] (64MB)\n"
				 "%sFailed to decrypt memory, 16 pages will be leaked\n"
				 "%sFailed to decrypt memory, 4 pages will be leaked\n",
				 prefixes[i], prefixes[i], prefixes[i], prefixes[i]);

		path = tmpfile_with(text, (size_t)n);
		assert_int_equal(cda_dmesg_facts(a, path, &f, &err), 0);
		assert_true(cda_obj_path(f, "starts_at_boot")->b);
		assert_int_equal(num(f, "swiotlb.start"), 0xbbe00000);
		assert_int_equal(num(f, "swiotlb.end"), 0xbfe00000); /* exclusive */
		assert_int_equal(num(f, "swiotlb.size"), 64u << 20);
		assert_int_equal(num(f, "decrypt_failures.count"), 2);
		assert_int_equal(num(f, "decrypt_failures.pages"), 20);
		assert_int_equal(num(f, "malformed.count"), 0);
		unlink(path);
		free(path);
		cda_arena_free(a);
	}
}

static void test_dmesg_pkvm_bitmap(void **state)
{
	static const char text[] =
		"smccc: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 0x0000009f)\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_dmesg_facts(a, path, &f, &err), 0);
	/* printed a3 a2 a1 a0: the last word is the bitmap */
	assert_int_equal(num(f, "kvm.features"), 0x9f);
	assert_true(cda_obj_path(f, "kvm.mem_share")->b);
	assert_true(cda_obj_path(f, "kvm.mmio_guard")->b);
	/* without a boot line the missing swiotlb range is unknown, not false */
	assert_int_equal(cda_obj_path(f, "swiotlb_mapped")->type, CDA_T_UNKNOWN);
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/* The reserved-memory lines of drivers/of/of_reserved_mem.c, merged by node name. */
static void test_dmesg_reserved_mem(void **state)
{
	static const char text[] =
		"[    0.000000] Booting Linux on physical CPU 0x0\n"
		/* v6.12 with CONFIG_DMA_RESTRICTED_POOL: created, initialized, region */
		"[    0.000000] software IO TLB: Reserved memory: created restricted DMA pool at 0x000000009f000000, size 16 MiB\n"
		"[    0.000000] OF: reserved mem: initialized node restricted_dma_reserved@9f000000, compatible id restricted-dma-pool\n"
		"[    0.000000] OF: reserved mem: 0x000000009f000000..0x000000009fffffff (16384 KiB) map non-reusable restricted_dma_reserved@9f000000\n"
		/* 32-bit phys_addr_t, a comma in the name, padding after it */
		"OF: reserved mem: 0x4c000000..0x4c7fffff (8192 KiB) nomap reusable gap1@3,fc000000  \n"
		/* a region no init function claimed: the line alone (no CONFIG_DMA_RESTRICTED_POOL) */
		"<6>OF: reserved mem: 0x0000000050000000..0x0000000053ffffff (65536 KiB) map non-reusable pool@50000000\n"
		"OF: reserved mem: node bad@60000000 compatible matching fail\n"
		/* messages this loader does not read */
		"OF: reserved mem: Reserved memory: unsupported node format, ignoring\n"
		"OF: reserved mem: invalid size property in 'x' node.\n"
		/* damaged: KiB that disagree with the range, an end below the base, no name */
		"OF: reserved mem: 0x0000000050000000..0x0000000053ffffff (65535 KiB) map non-reusable x\n"
		"OF: reserved mem: 0x0000000053ffffff..0x0000000050000000 (0 KiB) map non-reusable y\n"
		"OF: reserved mem: 0x0000000050000000..0x0000000050000fff (4 KiB) map non-reusable \n"
		"OF: reserved mem: initialized node , compatible id shared-dma-pool\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f, *list;
	struct cda_error err;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_dmesg_facts(a, path, &f, &err), 0);
	list = cda_obj_get(f, "reserved_mem");
	assert_non_null(list);
	assert_int_equal(list->type, CDA_T_LIST);
	assert_int_equal(list->list.n, 4);
	/* first named by the initialized line, completed by the region line */
	assert_string_equal(str(list->list.items[0], "name"), "restricted_dma_reserved@9f000000");
	assert_int_equal(num(list->list.items[0], "line"), 3);
	assert_string_equal(str(list->list.items[0], "initialized"), "restricted-dma-pool");
	assert_true(cda_obj_get(list->list.items[0], "reserved")->b);
	assert_int_equal(num(list->list.items[0], "base"), 0x9f000000);
	assert_int_equal(num(list->list.items[0], "size"), 16u << 20); /* the end is inclusive */
	assert_false(cda_obj_get(list->list.items[0], "no_map")->b);
	assert_string_equal(str(list->list.items[1], "name"), "gap1@3,fc000000");
	assert_int_equal(num(list->list.items[1], "base"), 0x4c000000);
	assert_true(cda_obj_get(list->list.items[1], "no_map")->b);
	assert_true(cda_obj_get(list->list.items[1], "reusable")->b);
	assert_null(cda_obj_get(list->list.items[2], "initialized"));
	assert_false(cda_obj_get(list->list.items[2], "refused")->b);
	assert_string_equal(str(list->list.items[3], "name"), "bad@60000000");
	assert_true(cda_obj_get(list->list.items[3], "refused")->b);
	assert_false(cda_obj_get(list->list.items[3], "reserved")->b);
	assert_null(cda_obj_get(list->list.items[3], "base"));
	assert_int_equal(num(f, "reserved_mem_dropped"), 0);
	assert_int_equal(num(f, "malformed.count"), 4);
	assert_int_equal(num(f, "restricted_pools_seen"), 1);
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/* Past 64 nodes the lines are counted, so a rule knows a name may be missing. */
static void test_dmesg_reserved_mem_cap(void **state)
{
	char *text = malloc(100 * 96), *p = text, *path;
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 70; i++)
		p += sprintf(p, "OF: reserved mem: node n%d@0 compatible matching fail\n", i);
	p += sprintf(p, "OF: reserved mem: initialized node n3@0, compatible id x\n");
	path = tmpfile_with(text, (size_t)(p - text));
	assert_int_equal(cda_dmesg_facts(a, path, &f, &err), 0);
	assert_int_equal(cda_obj_get(f, "reserved_mem")->list.n, 64);
	assert_int_equal(num(f, "reserved_mem_dropped"), 6);
	/* a node already kept still gets its later lines */
	assert_string_equal(str(cda_obj_get(f, "reserved_mem")->list.items[3], "initialized"), "x");
	unlink(path);
	free(path);
	free(text);
	cda_arena_free(a);
}

static void test_swiotlb_grep(void **state)
{
	static const char text[] =
		"/sys/kernel/debug/swiotlb/io_tlb_nslabs:32768\n"
		"/sys/kernel/debug/swiotlb/io_tlb_used:5\n"
		"/sys/kernel/debug/swiotlb/pool@1000/io_tlb_nslabs:128\n"
		"/sys/kernel/debug/early@2000/io_tlb_nslabs:256\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const char *format;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_swiotlb_facts(a, path, &f, &format, &err), 0);
	assert_string_equal(format, "grep");
	assert_int_equal(cda_obj_path(f, "pools")->list.n, 3);
	/* sorted by path: debug/early@2000, debug/swiotlb, debug/swiotlb/pool@1000 */
	{
		const struct cda_value *p = cda_obj_path(f, "pools");
		const struct cda_value *early = p->list.items[0], *def = p->list.items[1];
		const struct cda_value *under = p->list.items[2];

		assert_string_equal(str(early, "name"), "early@2000");
		assert_string_equal(str(early, "location"), "debugfs-root");
		assert_string_equal(str(def, "name"), "swiotlb");
		assert_true(cda_obj_path(def, "default")->b);
		assert_int_equal(num(def, "size"), 64u << 20); /* 2 KiB slots */
		assert_null(cda_obj_path(def, "used_hiwater")); /* no file, no fact */
		assert_string_equal(str(under, "location"), "swiotlb");
		assert_int_equal(num(under, "nslabs"), 128);
	}
	unlink(path);
	free(path);
	cda_arena_free(a);
}

static void test_swiotlb_errors(void **state)
{
	static const char *const bad[] = {
		"/sys/kernel/debug/swiotlb/io_tlb_nslabs:-1\n",
		"/sys/kernel/debug/swiotlb/io_tlb_nslabs:18446744073709551616\n",
		"no colon here\n",
		"/sys/kernel/debug/other/file:1\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cda_arena *a = cda_arena_new();
		struct cda_value *f;
		struct cda_error err = { 0 };
		const char *format;
		char *path = tmpfile_with(bad[i], strlen(bad[i]));

		assert_int_equal(cda_swiotlb_facts(a, path, &f, &format, &err), -CDA_E_FORMAT);
		assert_non_null(strstr(err.msg, path));
		unlink(path);
		free(path);
		cda_arena_free(a);
	}
}

/* The number parsers at the 64-bit limit: the limit is a value, one more is not. */
static void test_parse_limits(void **state)
{
	static const struct {
		const char *s;
		bool hex, ok;
		uint64_t v;
	} cases[] = {
		{ "18446744073709551615", false, true, UINT64_MAX },
		{ "18446744073709551614", false, true, UINT64_MAX - 1 },
		{ "18446744073709551610", false, true, UINT64_MAX - 5 },  /* MAX / 10, then a digit */
		{ "00018446744073709551615", false, true, UINT64_MAX },   /* leading zeros */
		{ "18446744073709551616", false, false, 0 },
		{ "18446744073709551620", false, false, 0 },
		{ "99999999999999999999", false, false, 0 },
		{ "184467440737095516150", false, false, 0 },
		{ "ffffffffffffffff", true, true, UINT64_MAX },
		{ "FFFFFFFFFFFFFFFF", true, true, UINT64_MAX },
		{ "0000ffffffffffffffff", true, true, UINT64_MAX },
		{ "10000000000000000", true, false, 0 },
		{ "fffffffffffffffff", true, false, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].s, *end = s + strlen(s), *next = NULL;
		uint64_t v = 0;
		bool ok = cases[i].hex ? cda_parse_hex(s, end, &v, &next) : cda_parse_dec(s, end, &v, &next);

		if (ok != cases[i].ok)
			fail_msg("%s: parsed %d, want %d", s, ok, cases[i].ok);
		if (ok) {
			assert_true(v == cases[i].v);
			assert_ptr_equal(next, end);
		}
	}
}

/* A swiotlb value at the limit reads exactly; one past it names the file. */
static void test_swiotlb_u64_limit(void **state)
{
	static const char at[] = "/sys/kernel/debug/swiotlb/io_tlb_nslabs:18446744073709551615\n";
	static const char over[] = "/sys/kernel/debug/swiotlb/io_tlb_used:18446744073709551616\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err = { 0 };
	const char *format;
	char *path = tmpfile_with(at, sizeof(at) - 1);
	const struct cda_value *pool;

	(void)state;
	assert_int_equal(cda_swiotlb_facts(a, path, &f, &format, &err), 0);
	pool = cda_obj_path(f, "pools")->list.items[0];
	assert_true(num(pool, "nslabs") == UINT64_MAX);
	assert_null(cda_obj_path(pool, "size")); /* nslabs * 2 KiB does not fit 64 bits */
	unlink(path);
	free(path);
	path = tmpfile_with(over, sizeof(over) - 1);
	assert_int_equal(cda_swiotlb_facts(a, path, &f, &format, &err), -CDA_E_FORMAT);
	assert_non_null(strstr(err.msg, "io_tlb_used: value out of range"));
	assert_non_null(strstr(err.msg, path));
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/* Only regular files are opened, and a FIFO never blocks the open. */
static void test_open_regular(void **state)
{
	char dir[] = "/tmp/cda-runtime-XXXXXX";
	const char *why = NULL;
	struct stat st;
	int dfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(mkfifoat(dfd, "fifo", 0600), 0);
	assert_int_equal(cda_open_regular(dfd, "fifo", false, &st, &why), -1);
	assert_string_equal(why, "a FIFO, not a regular file");
	assert_int_equal(cda_open_regular(dfd, "fifo", true, &st, &why), -1);
	assert_int_equal(symlinkat("fifo", dfd, "link"), 0);
	assert_int_equal(cda_open_regular(dfd, "link", false, &st, &why), -1);
	assert_string_equal(why, "a symbolic link, not followed");
	assert_int_equal(cda_open_regular(dfd, "link", true, &st, &why), -1);
	assert_string_equal(why, "a FIFO, not a regular file");
	assert_int_equal(symlinkat("loop", dfd, "loop"), 0);
	assert_int_equal(cda_open_regular(dfd, "loop", true, &st, &why), -1);
	assert_string_equal(why, strerror(ELOOP));
	assert_int_equal(cda_open_regular(dfd, ".", true, &st, &why), -1);
	assert_string_equal(why, "a directory, not a regular file");
	assert_int_equal(cda_open_regular(dfd, "missing", false, &st, &why), -1);
	assert_string_equal(why, strerror(ENOENT));
	fd = openat(dfd, "file", O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "12", 2), 2);
	close(fd);
	fd = cda_open_regular(dfd, "file", false, &st, &why);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 2);
	close(fd);
	for (const char *const *n = (const char *const[]){ "fifo", "link", "loop", "file", NULL }; *n; n++)
		assert_int_equal(unlinkat(dfd, *n, 0), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

/* The group of event's field. */
static const struct cda_value *group_of(const struct cda_value *f, const char *event,
					const char *field)
{
	const struct cda_value *g = cda_obj_path(f, "groups");

	for (size_t i = 0; i < g->list.n; i++)
		if (!strcmp(str(g->list.items[i], "event"), event) &&
		    !strcmp(str(g->list.items[i], "field"), field))
			return g->list.items[i];
	fail_msg("no group %s %s", event, field);
	return NULL;
}

/* The first run of event's field (the run its first address is in). */
static const struct cda_value *group(const struct cda_value *f, const char *event,
				     const char *field)
{
	return cda_obj_path(group_of(f, event, field), "runs")->list.items[0];
}

static size_t nruns(const struct cda_value *g)
{
	return cda_obj_path(g, "runs")->list.n;
}

static void test_trace(void **state)
{
	static const char text[] =
		"# tracer: nop\n"
		"cpus=4\n"
		" kworker/u8:2-57 [001] ..... 12.1: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE dma_addr=8000bfa01000 size=1536 phys_addr=10a3c2000 attrs=\n"
		"     kworker/u8:2-57    [001]    12.2: dma_map_sg:           0000:00:04.0 dir=FROM_DEVICE dma_addrs={0x8000bfa04000,0x8000bfa05000} sizes={0x1000,0x800} phys_addrs={0x10a3c5000,0x10a3c6000} attrs=\n"
		" kworker/u8:2-57 [001] ..... 12.3: dma_map_sg: 0000:00:04.0 dir=FROM_DEVICE dma_addrs={0x8000bfa04000} sizes={0x1000,0x800} phys_addrs={0x1} attrs=\n"
		" kworker/u8:2-57 [001] ..... 12.4: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE dma_addr=ffffffffffffffff size=1536 phys_addr=10a3c2000 attrs=\n"
		" kworker/u8:2-57 [001] ..... 12.5: dma_fence_init: driver=x\n"
		"not a trace line\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_trace_facts(a, path, &f, &err), 0);
	assert_string_equal(str(f, "format"), "text");
	assert_int_equal(num(f, "events"), 4);
	assert_int_equal(num(f, "other_events"), 1);
	/* the sg line with more addresses than sizes, and the non-trace line */
	assert_int_equal(num(f, "malformed.count"), 2);
	/* no pool and no shared bit: the addresses as traced, the two buffers one run */
	assert_null(cda_obj_path(f, "shared_bit"));
	assert_null(cda_obj_path(f, "pools"));
	assert_int_equal(nruns(group_of(f, "dma_map_sg", "dma_addrs")), 1);
	g = group(f, "dma_map_sg", "dma_addrs");
	assert_int_equal(num(g, "count"), 2); /* the malformed line added nothing */
	assert_int_equal(num(g, "min"), 0x8000bfa04000);
	assert_int_equal(num(g, "last"), 0x8000bfa057ff);
	assert_int_equal(num(g, "end"), 0x8000bfa05800);
	assert_int_equal(num(g, "group"), 2);
	g = group(f, "dma_map_phys", "phys_addr");
	assert_int_equal(num(g, "min"), 0x10a3c2000);
	assert_int_equal(cda_obj_path(f, "errors")->list.n, 1);
	assert_string_equal(str(cda_obj_path(f, "errors")->list.items[0], "error"), "DMA_MAPPING_ERROR");
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/* The run of field whose first address is first, on device dev. */
static const struct cda_value *group_at(const struct cda_value *f, const char *dev,
					const char *field, uint64_t first)
{
	const struct cda_value *g = cda_obj_path(f, "groups");

	for (size_t i = 0; i < g->list.n; i++) {
		const struct cda_value *runs = cda_obj_path(g->list.items[i], "runs");

		for (size_t j = 0; j < runs->list.n; j++)
			if (!strcmp(str(g->list.items[i], "device"), dev) &&
			    !strcmp(str(g->list.items[i], "field"), field) &&
			    num(runs->list.items[j], "first_address") == first)
				return runs->list.items[j];
	}
	fail_msg("no run %s %s %llx", dev, field, (unsigned long long)first);
	return NULL;
}

/*
 * A group keeps its addresses as runs, in the order first seen, knowing no
 * pool: extents that overlap or touch are one run; past 8 runs the two
 * closest merge (their lines the first of both); and addresses that differ
 * in a bit from 31 up, where a realm's shared bit is, never share a run, so
 * a rule can tell from a run's min whether all of them carry the bit.
 */
static void test_trace_runs(void **state)
{
	static const char head[] =
		" k-1 [001] ..... 1.0: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=bfa01000 size=4096 phys_addr=1000 attrs=\n"
		" k-1 [001] ..... 1.1: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=438600f8 size=16 phys_addr=1000 attrs=\n"
		" k-1 [001] ..... 1.2: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=bfa00800 size=2048 phys_addr=1000 attrs=\n"
		/* touches 2^31 from below, then from above: two runs whatever the room */
		" k-1 [001] ..... 1.3: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=7ffff000 size=4096 phys_addr=1000 attrs=\n"
		" k-1 [001] ..... 1.4: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=80000000 size=4096 phys_addr=1000 attrs=\n";
	char text[8192], *path;
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g, *r;
	int n = snprintf(text, sizeof(text), "%s", head);

	(void)state;
	/* 6 more, 1 MiB apart, below the first: 10 ranges in all */
	for (int i = 0; i < 6; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      " k-1 [001] ..... 2.%d: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=%x size=16 phys_addr=1000 attrs=\n",
			      i, 0x10000000 + i * 0x100000);
	path = tmpfile_with(text, (size_t)n);
	assert_int_equal(cda_trace_facts(a, path, &f, &err), 0);
	g = group_of(f, "dma_map_page", "dma_addr");
	assert_int_equal(nruns(g), 8);
	r = cda_obj_path(g, "runs")->list.items[0];
	/* the third buffer touches the first: one run, the first's address first */
	assert_int_equal(num(r, "first_address"), 0xbfa01000);
	assert_int_equal(num(r, "count"), 2);
	assert_int_equal(num(r, "min"), 0xbfa00800);
	assert_int_equal(num(r, "end"), 0xbfa02000);
	assert_int_equal(cda_obj_path(r, "lines")->list.n, 2);
	assert_int_equal(num(group_at(f, "0000:00:02.0", "dma_addr", 0x7ffff000), "count"), 1);
	assert_int_equal(num(group_at(f, "0000:00:02.0", "dma_addr", 0x80000000), "count"), 1);
	/* two merges for 10 ranges: the closest, the lowest first, the first address kept */
	r = group_at(f, "0000:00:02.0", "dma_addr", 0x10000000);
	assert_int_equal(num(r, "count"), 3);
	assert_int_equal(num(r, "end"), 0x10200010);
	assert_int_equal(cda_obj_path(r, "lines")->list.items[1]->u, 7);
	assert_int_equal(num(f, "unchecked.count"), 0);
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/*
 * A coherent buffer's traced size is the caller's request: its alignment is
 * its base's, and its size is known once rounded to whole guest pages, which
 * needs the guest page size; a streaming mapping gets no size facts.
 */
static void test_trace_alloc_sizes(void **state)
{
	static const char text[] =
		" k-1 [001] ..... 1.0: dma_alloc: 0000:00:03.0 dir=BIDIRECTIONAL dma_addr=8000a0010000 size=2 virt_addr=00000000c0ffee12 flags=GFP_KERNEL attrs=\n"
		" k-1 [001] ..... 1.1: dma_alloc: 0000:00:03.0 dir=BIDIRECTIONAL dma_addr=8000a0020000 size=6000 virt_addr=00000000c0ffee12 flags=GFP_KERNEL attrs=\n"
		" k-1 [001] ..... 1.2: dma_map_page: 0000:00:03.0 dir=TO_DEVICE dma_addr=8000bfa000f8 size=16 phys_addr=438600f8 attrs=\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_trace_facts(a, path, &f, &err), 0);
	g = group(f, "dma_alloc", "dma_addr");
	assert_int_equal(num(g, "addr_bits"), 0x8000a0010000);
	assert_int_equal(num(g, "size_alignment"), 2);
	/* a 2-byte request is a whole page of each size */
	assert_int_equal(num(g, "rounded_4k_size_alignment"), 0x1000);
	assert_int_equal(num(g, "rounded_16k_size_alignment"), 0x4000);
	assert_int_equal(num(g, "rounded_64k_size_alignment"), 0x10000);
	/* 6000 bytes: 8K of 4K pages, 16K of 16K pages */
	g = group_at(f, "0000:00:03.0", "dma_addr", 0x8000a0020000);
	assert_int_equal(num(g, "rounded_4k_size_alignment"), 0x2000);
	assert_int_equal(num(g, "rounded_16k_size_alignment"), 0x4000);
	g = group(f, "dma_map_page", "dma_addr");
	assert_int_equal(num(g, "addr_bits"), 0x8000bfa000f8);
	assert_null(cda_obj_path(g, "rounded_4k_size_alignment"));
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/*
 * Every line form the reader knows, each a dma_map_page and its unmap. Cut
 * from the real captures of testdata/real (Debian 6.12.117 arm64 under
 * QEMU, virtio-blk with iommu_platform=on): the tracefs trace file with the
 * default options, nocontext-info and latency-format, and trace-cmd 3.1.6's
 * report of the guest's trace.dat with no option, -l, -t --ts-diff,
 * --raw-ts and -R. The rest follow kernel/trace/trace_output.c and trace.c
 * (6.12) to the letter: irq-info off (trace_print_context()), record-tgid,
 * a counter clock (" %12llu"), latency-format with verbose
 * (lat_print_timestamp()), and the fields option (print_fields()).
 */
static void test_trace_forms(void **state)
{
	static const char *const forms[] = {
		/* trace, default options */
		"# tracer: nop\n#\n"
		"              dd-175     [001] d....     9.824470: dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0       [001] d.h..     9.835234: dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace_options nocontext-info */
		"# tracer: nop\n#\n"
		"dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace_options latency-format: the delay marks, and a space for none */
		"# tracer: nop\n"
		"      dd-175       1d.... 134815us#: dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"  <idle>-0         1d.h.. 143359us : dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		"      dd-175       1d.... 134815us!: dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"  <idle>-0         1d.h.. 143359us+: dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* latency-format and verbose, in_ns and a counter clock */
		"          dd     175   1 1 00000000 00000000 [00020e9c] 134.815ms (+5.574ms): dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          dd     175   1 1 00000000 00000001 [000000000000abcd] 1234 (+5): dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* irq-info off; record-tgid; a counter clock */
		"              dd-175     [001]     9.824470: dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0       (-------) [001] d.h..     9.835234: dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		"              dd-175     (    175) [001] d....  13554986000: dma_map_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0       [001] d.h..  13555015248: dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace-cmd report */
		"cpus=2\n"
		"              dd-197   [001]    13.554986: dma_map_page:         0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0     [001]    13.557737: dma_unmap_page:       0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace-cmd report -l */
		"cpus=2\n"
		"      dd-197     1d....    13.554986: dma_map_page:         0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"  <idle>-0       1d.h..    13.557737: dma_unmap_page:       0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace-cmd report -t --ts-diff */
		"cpus=2\n"
		"              dd-197   [001]    13.554986000:          dma_map_page:         0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0     [001]    13.557737123: (+2751123) dma_unmap_page:       0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace-cmd report --raw-ts */
		"              dd-197   [001] 13554986000: dma_map_page:         0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 phys_addr=452d2378 attrs=\n"
		"          <idle>-0     [001] 13557737123: dma_unmap_page:       0000:00:01.0 dir=TO_DEVICE dma_addr=452d2378 size=16 attrs=\n",
		/* trace-cmd report -R: the fields by name, numbers as the print format has them */
		"cpus=2\n"
		"              dd-197   [001]    13.554986: dma_map_page:          device=0000:00:01.0 phys_addr=452d2378 dma_addr=452d2378 size=16 dir=1 attrs=0x0\n"
		"          <idle>-0     [001]    13.557737: dma_unmap_page:        device=0000:00:01.0 addr=452d2378 size=16 dir=1 attrs=0x0\n",
		/* trace_options fields */
		"dma_map_page: device=0000:00:01.0 phys_addr=0x452d2378 (1160586104) dma_addr=0x452d2378 (1160586104) size=0x10 (16) dir=0x1 (1) attrs=0x0 (0)\n"
		"dma_unmap_page: device=0000:00:01.0 addr=0x452d2378 (1160586104) size=0x10 (16) dir=0x1 (1) attrs=0x0 (0)\n",
	};
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g;

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *path = tmpfile_with(forms[i], strlen(forms[i]));

		if (cda_trace_facts(a, path, &f, &err))
			fail_msg("form %zu: %s", i, err.msg);
		if (num(f, "events") != 2 || num(f, "malformed.count") != 0)
			fail_msg("form %zu: %llu events, %llu malformed", i,
				 (unsigned long long)num(f, "events"),
				 (unsigned long long)num(f, "malformed.count"));
		g = group(f, "dma_map_page", "dma_addr");
		assert_int_equal(num(g, "first_address"), 0x452d2378);
		assert_int_equal(num(g, "max_size"), 16);
		assert_int_equal(num(group(f, "dma_map_page", "phys_addr"), "first_address"), 0x452d2378);
		unlink(path);
		free(path);
	}
	cda_arena_free(a);
}

/*
 * The field forms' arrays are the raw bytes (little-endian on arm64):
 * libtraceevent's "ARRAY[..]" (trace-cmd report -R) and the fields
 * option's "00,10,..". dma_map_sg's sizes are its "lengths" (u32),
 * dma_map_sg_err's addresses its "phys_addrs", attrs a number (MMIO: bit 10).
 */
static void test_trace_raw_arrays(void **state)
{
	static const char text[] =
		"cpus=2\n"
		" k-1 [001] 1.0: dma_map_sg: device=0000:00:04.0 full_nents=2 full_ents=2 truncated=0 "
		"phys_addrs=ARRAY[00, 50, 3c, 0a, 01, 00, 00, 00, 00, 60, 3c, 0a, 01, 00, 00, 00] "
		"dma_addrs=ARRAY[00, 40, a0, bf, 00, 80, 00, 00, 00, 50, a0, bf, 00, 80, 00, 00] "
		"lengths=ARRAY[00, 10, 00, 00, 00, 08, 00, 00] dir=2 attrs=0x0\n"
		"dma_map_sg: device=0000:00:05.0 full_nents=0x1 (1) full_ents=0x1 (1) truncated=(0) "
		"phys_addrs=00,50,3c,0a,01,00,00,00 dma_addrs=00,40,a0,bf,00,80,00,00 lengths=00,10,00,00 "
		"dir=0x2 (2) attrs=0x0 (0)\n"
		" k-1 [001] 1.1: dma_map_sg_err: device=0000:00:04.0 phys_addrs=ARRAY[00, 50, 3c, 0a, 01, 00, 00, 00] err=-12 dir=2 attrs=0x0\n"
		"dma_map_sg_err: device=0000:00:04.0 phys_addrs=00,50,3c,0a,01,00,00,00 err=0xfffffffb (-5) dir=0x2 (2) attrs=0x0 (0)\n"
		" k-1 [001] 1.2: dma_map_phys: device=0000:00:06.0 phys_addr=f0000000 dma_addr=f0000000 size=4096 dir=1 attrs=0x400\n"
		" k-1 [001] 1.3: swiotlb_bounced: dev_name=0000:00:04.0 dma_mask=ffffffffffffffff dev_addr=10a3c5000 size=4096 force=1\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g, *e;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	if (cda_trace_facts(a, path, &f, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(num(f, "malformed.count"), 0);
	g = group_at(f, "0000:00:04.0", "dma_addrs", 0x8000bfa04000);
	assert_int_equal(num(g, "count"), 2);
	assert_int_equal(num(g, "end"), 0x8000bfa05800);
	g = group_at(f, "0000:00:05.0", "dma_addrs", 0x8000bfa04000);
	assert_int_equal(num(g, "max_size"), 0x1000);
	/* no sizes: one byte each, 4K apart, two runs */
	assert_int_equal(num(group_at(f, "0000:00:04.0", "phys_addrs", 0x10a3c5000), "count"), 1);
	assert_int_equal(num(group_at(f, "0000:00:04.0", "phys_addrs", 0x10a3c6000), "count"), 1);
	e = cda_obj_path(f, "errors");
	assert_int_equal(e->list.n, 2);
	assert_string_equal(str(e->list.items[0], "error"), "-12");
	assert_string_equal(str(e->list.items[1], "error"), "-5");
	assert_int_equal(num(f, "mmio_mappings"), 1);
	assert_int_equal(num(group_at(f, "0000:00:04.0", "dev_addr", 0x10a3c5000), "count"), 1);
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/*
 * A trace most of whose lines cannot be read is an input error naming the
 * count, the first such line and what was expected; a few bad lines in a
 * good trace are counted (TRACE006).
 */
static void test_trace_unreadable(void **state)
{
	static const char good[] =
		" k-1 [001] ..... 1.0: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=438600f8 size=16 phys_addr=438600f8 attrs=\n";
	static const char bad[] = "145168 dma_map_page 0000:00:02.0\n";
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	char text[1024] = "# tracer: nop\n";

	(void)state;
	/* 2 bad of 4: read; 3 of 5: an error */
	strcat(text, good);
	strcat(text, bad);
	strcat(text, good);
	strcat(text, bad);
	for (int round = 0; round < 2; round++) {
		char *path = tmpfile_with(text, strlen(text));
		int ret = cda_trace_facts(a, path, &f, &err);

		if (round == 0) {
			assert_int_equal(ret, 0);
			assert_int_equal(num(f, "malformed.count"), 2);
		} else {
			assert_int_equal(ret, -CDA_E_FORMAT);
			assert_non_null(strstr(err.msg, ": 3 of its 5 lines could not be read (the first, line 3, "
						   "'145168 dma_map_page 0000:00:02.0': no event header"));
			assert_null(strchr(err.msg, '\n'));
		}
		unlink(path);
		free(path);
		strcat(text, bad);
	}
	cda_arena_free(a);
}

/*
 * A trace.dat is known by its magic, whatever its name, and read by
 * libtracecmd in a child process: a damaged one is one error line, from a
 * file or from memory (a snapshot member), never a crash or output.
 */
static void test_trace_dat_damaged(void **state)
{
	static const char magic[] = "\x17\x08\x44tracing";
	/* nothing after the magic; a version; a v6 header whose header_page size is huge; v7, zstd */
#define TAIL(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t len;
	} tails[] = {
		TAIL(""), TAIL("6"),
		TAIL("6\0\0\x08\0\x10\0\0header_page\0\xff\xff\xff\xff\xff\xff\xff\x7f"),
		TAIL("7\0\0\x08\0\x10\0\0zstd\0" "1.5\0\x01\0\0\0\0\0\0\0"),
	};
#undef TAIL
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		unsigned char buf[64];
		size_t n = sizeof(magic) - 1 + tails[i].len;
		char *path;

		memcpy(buf, magic, sizeof(magic) - 1);
		memcpy(buf + sizeof(magic) - 1, tails[i].s, tails[i].len);
		path = tmpfile_with((const char *)buf, n);
		assert_int_equal(cda_trace_facts(a, path, &f, &err), -CDA_E_FORMAT);
		if (!strstr(err.msg, ": a trace-cmd trace.dat that libtracecmd could not read"))
			fail_msg("case %zu: %s", i, err.msg);
		assert_null(strchr(err.msg, '\n'));
		assert_int_equal(cda_trace_facts_src(a, &(struct cda_source){ .data = buf, .len = n,
									      .name = "snap:trace.dat" },
						     &f, &err), -CDA_E_FORMAT);
		assert_non_null(strstr(err.msg, "snap:trace.dat: a trace-cmd trace.dat that libtracecmd"));
		unlink(path);
		free(path);
	}
	cda_arena_free(a);
}

/*
 * The trace's facts built short of memory: with the arena failing after 0,
 * 16, 32 ... bytes (every allocation, as they are 16-byte aligned), each
 * failure is the one out-of-memory error, and the first success gives the
 * facts an unlimited arena gives. The trace has a bit of everything: runs,
 * an allocation's rounded sizes, an error, a malformed line.
 */
static int trace_load(struct cda_arena *a, struct cda_value **out, struct cda_error *err,
		      const void *path)
{
	return cda_trace_facts(a, path, out, err);
}

static void test_trace_out_of_memory(void **state)
{
	static const char text[] =
		"# tracer: nop\n"
		" k-1 [001] ..... 1.0: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE dma_addr=8000bfa01000 size=1536 phys_addr=10a3c2000 attrs=\n"
		" k-1 [001] ..... 1.1: dma_map_sg: 0000:00:04.0 dir=FROM_DEVICE dma_addrs={0x8000bfa04000,0x8000bfa05000} sizes={0x1000,0x800} phys_addrs={0x10a3c5000,0x10a3c6000} attrs=\n"
		" k-1 [001] ..... 1.2: dma_alloc: 0000:00:03.0 dir=BIDIRECTIONAL dma_addr=8000a0010000 size=2 virt_addr=00000000c0ffee12 flags=GFP_KERNEL attrs=\n"
		" k-1 [001] ..... 1.3: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE dma_addr=ffffffffffffffff size=1536 phys_addr=10a3c2000 attrs=\n"
		" k-1 [001] ..... 1.4: dma_fence_init: driver=x\n"
		"not a trace line\n";
	struct cda_arena *ra = cda_arena_new();
	struct cda_value *want;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	want = test_oom_sweep(trace_load, path, (const char *const[]){ "out of memory", NULL }, 16, ra);
	assert_int_equal(cda_obj_path(want, "errors")->list.n, 1);
	assert_int_equal(num(want, "malformed.count"), 1);
	unlink(path);
	free(path);
	cda_arena_free(ra);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lines_compressed),
		cmocka_unit_test(test_sniffing),
		cmocka_unit_test(test_dmesg_styles),
		cmocka_unit_test(test_dmesg_pkvm_bitmap),
		cmocka_unit_test(test_dmesg_reserved_mem),
		cmocka_unit_test(test_dmesg_reserved_mem_cap),
		cmocka_unit_test(test_swiotlb_grep),
		cmocka_unit_test(test_swiotlb_errors),
		cmocka_unit_test(test_swiotlb_u64_limit),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_trace_runs),
		cmocka_unit_test(test_trace_alloc_sizes),
		cmocka_unit_test(test_trace_forms),
		cmocka_unit_test(test_trace_raw_arrays),
		cmocka_unit_test(test_trace_unreadable),
		cmocka_unit_test(test_trace_dat_damaged),
		cmocka_unit_test(test_trace_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
