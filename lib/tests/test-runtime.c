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
			struct cda_trace_ctx ctx = { 0 };
			struct cda_arena *a = cda_arena_new();
			struct cda_error err = { 0 };
			struct cda_value *f;
			size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
			char *path = tmpfile_with(cases[i].text, len);
			int ret = k ? cda_trace_facts(a, path, &ctx, &f, &err) : cda_dmesg_facts(a, path, &f, &err);

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

static const struct cda_value *group(const struct cda_value *f, const char *event,
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
	static const struct cda_trace_pool pool = { "swiotlb", "dmesg", 0xbbe00000, 0x4000000 };
	struct cda_trace_ctx ctx = { .pools = &pool, .npools = 1 };
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	const struct cda_value *g;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_trace_facts(a, path, &ctx, &f, &err), 0);
	assert_int_equal(num(f, "events"), 4);
	assert_int_equal(num(f, "other_events"), 1);
	/* the sg line with more addresses than sizes, and the non-trace line */
	assert_int_equal(num(f, "malformed.count"), 2);
	/* bit 47 is used by DMA addresses and by no physical address */
	assert_int_equal(num(f, "shared_bit.value"), 0x800000000000ull);
	assert_string_equal(str(f, "shared_bit.source"), "inferred");
	g = group(f, "dma_map_sg", "dma_addrs");
	assert_int_equal(num(g, "count"), 2); /* the malformed line added nothing */
	assert_int_equal(num(g, "min"), 0xbfa04000);
	assert_int_equal(num(g, "end"), 0xbfa05800);
	assert_true(cda_obj_path(g, "in_pool")->b);
	assert_true(cda_obj_path(g, "shared_bit")->b);
	g = group(f, "dma_map_phys", "phys_addr");
	assert_false(cda_obj_path(g, "shared_bit")->b);
	assert_int_equal(cda_obj_path(f, "errors")->list.n, 1);
	assert_string_equal(str(cda_obj_path(f, "errors")->list.items[0], "error"), "DMA_MAPPING_ERROR");
	unlink(path);
	free(path);
	cda_arena_free(a);
}

/* An address inside a pool as it is cannot carry the shared bit, even without --ipa-bits. */
static void test_trace_no_bit(void **state)
{
	static const char text[] =
		" k-1 [001] ..... 1.0: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=bfa01000 size=64 phys_addr=10a3c2000 attrs=\n";
	static const struct cda_trace_pool pool = { "swiotlb", "dmesg", 0xbbe00000, 0x4000000 };
	struct cda_trace_ctx with = { .pools = &pool, .npools = 1 }, without = { 0 };
	struct cda_arena *a = cda_arena_new();
	struct cda_value *f;
	struct cda_error err;
	char *path = tmpfile_with(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(cda_trace_facts(a, path, &with, &f, &err), 0);
	assert_int_equal(cda_obj_path(f, "shared_bit")->type, CDA_T_UNKNOWN);
	assert_false(cda_obj_path(group(f, "dma_map_page", "dma_addr"), "shared_bit")->b);
	assert_int_equal(cda_trace_facts(a, path, &without, &f, &err), 0);
	assert_int_equal(cda_obj_path(group(f, "dma_map_page", "dma_addr"), "shared_bit")->type,
			 CDA_T_UNKNOWN);
	assert_int_equal(cda_obj_path(group(f, "dma_map_page", "dma_addr"), "in_pool")->type,
			 CDA_T_UNKNOWN);
	unlink(path);
	free(path);
	cda_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lines_compressed),
		cmocka_unit_test(test_sniffing),
		cmocka_unit_test(test_dmesg_styles),
		cmocka_unit_test(test_dmesg_pkvm_bitmap),
		cmocka_unit_test(test_swiotlb_grep),
		cmocka_unit_test(test_swiotlb_errors),
		cmocka_unit_test(test_swiotlb_u64_limit),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_trace_no_bit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
