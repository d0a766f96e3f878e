// SPDX-License-Identifier: MIT
/*
 * Open a kernel image and get at its bytes, whatever wrapping it came in.
 * Detection is by content, never by file name: ELF magic, the arm64 Image
 * magic "ARM\x64" at 0x38, the EFI zboot "zimg" header, or a compression magic
 * (gzip, xz, bzip2, zstd, lz4). Every decompression, of the file or of a zboot
 * payload, stops at cda_max_decompressed() (decompress_stream.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <gelf.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zstd.h>

#include "decompress_stream.h"
#include "kernel.h"
#include "util.h"

/* The kernel's lz4 -l output (lib/decompress_unlz4.c): blocks of at most 8 MiB. */
#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8u << 20)

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool starts(const unsigned char *d, size_t len, const unsigned char *m, size_t mlen)
{
	return len >= mlen && !memcmp(d, m, mlen);
}

static bool is_arm64_image(const unsigned char *d, size_t len)
{
	return len >= ARM64_IMAGE_HDR_LEN && !memcmp(d + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4);
}

static bool is_zboot(const unsigned char *d, size_t len)
{
	return len >= ARM64_IMAGE_HDR_LEN && d[0] == 'M' && d[1] == 'Z' && !memcmp(d + 4, "zimg", 4);
}

/*
 * What a whole-file decoder writes into. It grows by doubling up to limit,
 * the cap plus one byte: a stream that fills that byte is over the cap,
 * found without decoding further.
 */
struct obuf {
	unsigned char *buf;
	size_t n, cap, limit, max;
	const char *name, *what; /* for errors: the file, and "bzip2 data" or "zboot lz4 payload" */
};

static int over(const struct obuf *o, struct cda_error *err)
{
	return cda_fail_decompressed(err, o->name, o->what, o->max);
}

/* Room for want more bytes, or all the limit leaves; the limit itself reached is over the cap. */
static int reserve(struct obuf *o, size_t want, struct cda_error *err)
{
	size_t ncap = o->cap ? o->cap : 1u << 20;
	unsigned char *nb;

	if (o->n == o->limit)
		return over(o, err);
	while (ncap - o->n < want && ncap < o->limit)
		ncap = ncap > o->limit / 2 ? o->limit : ncap * 2;
	if (ncap > o->limit)
		ncap = o->limit;
	if (ncap == o->cap)
		return 0;
	if (!(nb = realloc(o->buf, ncap)))
		return cda_oom(err, o->name);
	o->buf = nb;
	o->cap = ncap;
	return 0;
}

static int dec_gzip(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err)
{
	int ret = cda_gunzip(in, len, o->max, &o->buf, &o->n);

	if (ret == CDA_GUNZIP_OVER)
		return over(o, err);
	if (ret == -CDA_E_NOMEM)
		return cda_oom(err, o->name);
	if (ret)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated %s", o->name, o->what);
	o->cap = o->n;
	return 0;
}

/* zstd with libzstd (Debian's elfutils is built without it); one frame, as the kernel writes. */
static int dec_zstd(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err)
{
	unsigned long long declared = ZSTD_getFrameContentSize(in, len);
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_DStream *ds;
	size_t r = 1;
	int ret = 0;

	/* libzstd checks the declared size against the data: more than the cap is refused now. */
	if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
	    declared > o->max)
		return over(o, err);
	if (!(ds = ZSTD_createDStream()))
		return cda_oom(err, o->name);
	ZSTD_initDStream(ds);
	while (r != 0) {
		ZSTD_outBuffer ob;

		if (o->n == o->cap && (ret = reserve(o, 1, err)))
			break;
		ob = (ZSTD_outBuffer){ o->buf, o->cap, o->n };
		r = ZSTD_decompressStream(ds, &ob, &ib);
		o->n = ob.pos;
		if (ZSTD_isError(r)) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s: %s", o->name, o->what,
				       ZSTD_getErrorName(r));
			break;
		}
		if (r != 0 && ib.pos == ib.size && ob.pos < ob.size) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: truncated %s", o->name, o->what);
			break;
		}
	}
	ZSTD_freeDStream(ds);
	return ret;
}

/* xz with liblzma, under the streams' memory limit (a header may ask for 1.5 GiB of dictionary). */
static int dec_xz(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	lzma_ret r = LZMA_OK;
	int ret = 0;

	if (lzma_stream_decoder(&zs, CDA_DSTREAM_MEMLIMIT, 0) != LZMA_OK)
		return cda_oom(err, o->name);
	zs.next_in = in;
	zs.avail_in = len;
	while (r != LZMA_STREAM_END) {
		if (o->n == o->cap) {
			if ((ret = reserve(o, 1, err)))
				break;
			zs.next_out = o->buf + o->n;
			zs.avail_out = o->cap - o->n;
		}
		r = lzma_code(&zs, LZMA_FINISH);
		o->n = (size_t)zs.total_out;
		if (r == LZMA_MEMLIMIT_ERROR) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: %s needs more than %llu MiB of memory to decompress",
				       o->name, o->what, (unsigned long long)(CDA_DSTREAM_MEMLIMIT >> 20));
			break;
		}
		if (r != LZMA_OK && r != LZMA_STREAM_END) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated %s", o->name, o->what);
			break;
		}
	}
	lzma_end(&zs);
	return ret;
}

/* bzip2 with libbz2; concatenated streams (pbzip2) are read in turn, as bzip2 -d does. */
static int dec_bzip2(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err)
{
	bz_stream bz = { 0 };
	size_t pos = 0;
	int ret = 0;

	if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK)
		return cda_oom(err, o->name);
	for (;;) {
		unsigned in_n, out_n;
		int r;

		if (o->n == o->cap && (ret = reserve(o, 1, err)))
			break;
		/* bz_stream counts are unsigned int: at most 1 GiB a call */
		in_n = (unsigned)(len - pos > (1u << 30) ? 1u << 30 : len - pos);
		out_n = (unsigned)(o->cap - o->n > (1u << 30) ? 1u << 30 : o->cap - o->n);
		bz.next_in = (char *)(uintptr_t)(in + pos);
		bz.avail_in = in_n;
		bz.next_out = (char *)(o->buf + o->n);
		bz.avail_out = out_n;
		r = BZ2_bzDecompress(&bz);
		pos += in_n - bz.avail_in;
		o->n += out_n - bz.avail_out;
		if (r == BZ_STREAM_END) {
			if (pos == len)
				break;
			if (!starts(in + pos, len - pos, (const unsigned char *)"BZh", 3)) {
				ret = cda_fail(err, CDA_E_FORMAT, "%s: data after the end of the %s",
					       o->name, o->what);
				break;
			}
			BZ2_bzDecompressEnd(&bz);
			memset(&bz, 0, sizeof(bz));
			if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) {
				ret = cda_oom(err, o->name);
				break;
			}
			continue;
		}
		if (r == BZ_MEM_ERROR) {
			ret = cda_oom(err, o->name);
			break;
		}
		if (r != BZ_OK) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s", o->name, o->what);
			break;
		}
		/* BZ_OK with room left for output: it wants input there is none of. */
		if (pos == len && bz.avail_out) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: truncated %s", o->name, o->what);
			break;
		}
	}
	BZ2_bzDecompressEnd(&bz);
	return ret;
}

/*
 * The kernel's Image.lz4 (lz4 -l): the magic, then blocks of a LE32
 * compressed size and the data, each decompressing to at most 8 MiB; the
 * magic may come again (concatenated files), and the kernel's *_with_size
 * rules append the decompressed size as a last LE32.
 */
static int dec_lz4_legacy(const unsigned char *in, size_t len, struct obuf *o,
			  struct cda_error *err)
{
	size_t pos = 4;
	int ret;

	while (pos < len) {
		uint32_t bsize;
		size_t room;
		int r;

		if (len - pos < 4)
			return cda_fail(err, CDA_E_FORMAT, "%s: truncated %s", o->name, o->what);
		bsize = le32(in + pos);
		pos += 4;
		if (bsize == LZ4_LEGACY_MAGIC)
			continue;
		if (pos == len && bsize == (uint32_t)o->n)
			break; /* the appended size */
		if (bsize > (uint32_t)LZ4_COMPRESSBOUND(LZ4_LEGACY_BLOCK))
			return cda_fail(err, CDA_E_FORMAT,
					"%s: corrupt %s: a block of %u bytes (at most %d in the lz4 legacy format)",
					o->name, o->what, bsize, LZ4_COMPRESSBOUND(LZ4_LEGACY_BLOCK));
		if (bsize > len - pos)
			return cda_fail(err, CDA_E_FORMAT, "%s: truncated %s", o->name, o->what);
		if ((ret = reserve(o, LZ4_LEGACY_BLOCK, err)))
			return ret;
		room = o->cap - o->n;
		/* Short of a block's room only at the limit: decode what fits, which says whether it is passed. */
		r = room >= LZ4_LEGACY_BLOCK
		    ? LZ4_decompress_safe((const char *)in + pos, (char *)o->buf + o->n, (int)bsize,
					  LZ4_LEGACY_BLOCK)
		    : LZ4_decompress_safe_partial((const char *)in + pos, (char *)o->buf + o->n,
						  (int)bsize, (int)room, (int)room);
		if (r < 0)
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s", o->name, o->what);
		o->n += (size_t)r;
		pos += bsize;
		if (o->n > o->max)
			return over(o, err);
	}
	return 0;
}

/* The LZ4 frame format (lz4 without -l), with liblz4's LZ4F API; concatenated frames in turn. */
static int dec_lz4_frame(const unsigned char *in, size_t len, struct obuf *o,
			 struct cda_error *err)
{
	LZ4F_dctx *dctx;
	size_t pos = 0, hint = 1;
	int ret = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return cda_oom(err, o->name);
	while (pos < len || hint != 0) {
		size_t srcsz = len - pos, dstsz;

		if (o->n == o->cap && (ret = reserve(o, 1, err)))
			break;
		dstsz = o->cap - o->n;
		hint = LZ4F_decompress(dctx, o->buf + o->n, &dstsz, in + pos, &srcsz, NULL);
		if (LZ4F_isError(hint)) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s: %s", o->name, o->what,
				       LZ4F_getErrorName(hint));
			break;
		}
		pos += srcsz;
		o->n += dstsz;
		if (!srcsz && !dstsz) { /* no progress with room to write: the input ran out */
			ret = cda_fail(err, CDA_E_FORMAT, "%s: truncated %s", o->name, o->what);
			break;
		}
	}
	LZ4F_freeDecompressionContext(dctx);
	return ret;
}

static const unsigned char lz4_legacy_magic[] = { 0x02, 0x21, 0x4c, 0x18 };
static const unsigned char lz4_frame_magic[] = { 0x04, 0x22, 0x4d, 0x18 };

static int dec_lz4(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err)
{
	if (starts(in, len, lz4_legacy_magic, sizeof(lz4_legacy_magic)))
		return dec_lz4_legacy(in, len, o, err);
	if (starts(in, len, lz4_frame_magic, sizeof(lz4_frame_magic)))
		return dec_lz4_frame(in, len, o, err);
	return cda_fail(err, CDA_E_FORMAT, "%s: %s is not lz4 data (no lz4 magic)", o->name, o->what);
}

/*
 * Whole-file compression, known by its magic. Each format has its own
 * library, never elfutils' dwelf_elf_begin(): that hands back whatever a
 * truncated gzip or xz stream gave without an error, and decompresses
 * bzip2 with no cap on the output.
 */
static const struct codec {
	const char *name; /* kimage.compression, and the EFI zboot header's type */
	unsigned char magic[6];
	size_t mlen;
	int (*decode)(const unsigned char *in, size_t len, struct obuf *o, struct cda_error *err);
} codecs[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, dec_gzip },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, dec_xz },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, dec_bzip2 },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, dec_zstd },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, dec_lz4 },
	{ "lz4", { 0x04, 0x22, 0x4d, 0x18 }, 4, dec_lz4 },
};

static const struct codec *codec_of(const unsigned char *d, size_t len)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (starts(d, len, codecs[i].magic, codecs[i].mlen))
			return &codecs[i];
	return NULL;
}

static const struct codec *codec_named(const char *name)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (!strcmp(codecs[i].name, name))
			return &codecs[i];
	return NULL;
}

/* Decompress in[0, len) under cda_max_decompressed(); on success ki owns the bytes. */
static int decompress(struct kimage *ki, const struct codec *c, const unsigned char *in,
		      size_t len, const char *what, struct cda_error *err)
{
	uint64_t max = cda_max_decompressed();
	struct obuf o = { .name = ki->name, .what = what };
	int ret;

	o.max = max < SIZE_MAX ? (size_t)max : SIZE_MAX - 1;
	o.limit = o.max + 1;
	ret = c->decode(in, len, &o, err);
	if (!ret && o.n > o.max)
		ret = over(&o, err);
	if (ret) {
		free(o.buf);
		return ret;
	}
	/* in may point into the old buffer (a gzip'd zboot image): free it only now */
	free(ki->buf);
	ki->buf = o.buf;
	ki->data = o.buf;
	ki->len = o.n;
	ki->compression = c->name;
	return 0;
}

/* EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): a PE stub with the Image compressed inside. */
static int open_zboot(struct kimage *ki, struct cda_error *err)
{
	const unsigned char *d = ki->data;
	uint32_t off = le32(d + 8), size = le32(d + 12);
	const struct codec *c;
	char comp[33], what[64];
	int ret;

	memcpy(comp, d + 0x18, 32);
	comp[32] = '\0';
	if (off > ki->len || size > ki->len - off)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: zboot payload (offset 0x%x, size 0x%x) runs past the end of the file (0x%zx bytes)",
				ki->name, off, size, ki->len);
	/*
	 * Makefile.zboot writes gzip or zstd; before commit 0b2c29fb68f8
	 * ("efi/zboot: Limit compression options to GZIP and ZSTD") also
	 * zstd22, lz4, lzma, lzo or xzkern.
	 */
	c = codec_named(!strncmp(comp, "zstd", 4) ? "zstd" : comp);
	if (!c || !strcmp(comp, "xz") || !strcmp(comp, "bzip2")) {
		for (char *p = comp; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
		return cda_fail(err, CDA_E_FORMAT,
				"%s: zboot compression '%s' is not supported (gzip, lz4 and zstd are)",
				ki->name, comp);
	}
	snprintf(what, sizeof(what), "zboot %s payload", c->name);
	if ((ret = decompress(ki, c, d + off, size, what, err)))
		return ret;
	ki->format = "zboot";
	if (!is_arm64_image(ki->data, ki->len))
		return cda_fail(err, CDA_E_FORMAT, "%s: zboot payload is not an arm64 Image", ki->name);
	return 0;
}

/* libelf's reason, or one when it has none ("no error" is no reason). */
static const char *elf_why(void)
{
	int e = elf_errno();

	return e ? elf_errmsg(e) : "unreadable header";
}

/*
 * The identification bytes libelf needs to read the rest; it says little
 * when they are wrong ("no error" for ELFCLASSNONE), so name the byte here.
 */
static int check_ident(struct kimage *ki, struct cda_error *err)
{
	const unsigned char *d = ki->data;

	if (ki->len < EI_NIDENT)
		return cda_fail(err, CDA_E_FORMAT, "%s: truncated ELF header (%zu of %d identification bytes)",
				ki->name, ki->len, EI_NIDENT);
	if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: invalid ELF class (EI_CLASS %u%s): neither 32-bit nor 64-bit",
				ki->name, d[EI_CLASS], d[EI_CLASS] == ELFCLASSNONE ? ", ELFCLASSNONE" : "");
	if (d[EI_DATA] != ELFDATA2LSB && d[EI_DATA] != ELFDATA2MSB)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: invalid ELF byte order (EI_DATA %u): neither little- nor big-endian",
				ki->name, d[EI_DATA]);
	if (d[EI_VERSION] != EV_CURRENT)
		return cda_fail(err, CDA_E_FORMAT, "%s: invalid ELF version (EI_VERSION %u, not 1)",
				ki->name, d[EI_VERSION]);
	return 0;
}

/* The class an architecture's kernel is built as; 0: either (or not known here). */
static unsigned kernel_class(unsigned machine)
{
	switch (machine) {
	case EM_AARCH64:
	case EM_X86_64:
		return ELFCLASS64;
	case EM_ARM:
	case EM_386:
		return ELFCLASS32;
	default:
		return 0;
	}
}

static int check_elf(struct kimage *ki, struct cda_error *err)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx;
	unsigned cls = ki->data[EI_CLASS], want;
	const char *bits = cls == ELFCLASS32 ? "32-bit" : "64-bit";
	char mbuf[32];

	if (!gelf_getehdr(ki->elf, &eh) || elf_getshdrstrndx(ki->elf, &shstrndx))
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s ELF: %s", ki->name, bits, elf_why());
	want = kernel_class(eh.e_machine);
	if (want && want != cls) {
		const char *arch = cda_elf_machine_name(eh.e_machine, mbuf, sizeof(mbuf));

		return cda_fail(err, CDA_E_FORMAT,
				"%s: %s ELF (ELFCLASS%s) for %s: a kernel for %s is a %s ELF file",
				ki->name, bits, cls == ELFCLASS32 ? "32" : "64", arch, arch,
				want == ELFCLASS64 ? "64-bit" : "32-bit");
	}
	/* libelf reads a file cut short without complaint: check every extent ourselves. */
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return cda_fail(err, CDA_E_FORMAT, "%s: ELF file is not an executable (e_type %u)",
				ki->name, eh.e_type);
	if (!eh.e_shnum || eh.e_shoff > ki->len ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > ki->len - eh.e_shoff)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: corrupt %s ELF: section headers missing or past the end of the file",
				ki->name, bits);
	while ((scn = elf_nextscn(ki->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt %s ELF: %s", ki->name, bits,
					elf_why());
		if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > ki->len || sh.sh_size > ki->len - sh.sh_offset))
			return cda_fail(err, CDA_E_FORMAT,
					"%s: corrupt or truncated %s ELF: section %zu runs past the end of the file",
					ki->name, bits, elf_ndxscn(scn));
	}
	if (eh.e_machine == EM_AARCH64 && eh.e_ident[EI_DATA] == ELFDATA2MSB)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: big-endian arm64 kernel: Realm and pKVM guests are little-endian",
				ki->name);
	return 0;
}

/* An ELF file, mapped or decompressed: its identification first, then libelf. */
static int open_elf(struct kimage *ki, struct cda_error *err)
{
	int ret = check_ident(ki, err);

	if (ret)
		return ret;
	if (ki->buf)
		ki->elf = elf_memory((char *)ki->buf, ki->len);
	else if (elf_kind(ki->handle) == ELF_K_ELF)
		ki->elf = ki->handle;
	if (!ki->elf || elf_kind(ki->elf) != ELF_K_ELF)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF header: %s", ki->name, elf_why());
	ki->format = "elf";
	return check_elf(ki, err);
}

int cda_kimage_open(const char *path, struct kimage *ki, struct cda_error *err)
{
	const char *name = cda_display_path(path);
	const struct codec *c;
	struct stat st;
	int ret = 0;

	memset(ki, 0, sizeof(*ki));
	ki->name = name;
	ki->compression = "none";
	ki->fd = -1;
	if (!strcmp(path, "-"))
		return cda_fail(err, CDA_E_USAGE, "vmlinux: give a file name; standard input is not supported");
	ki->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ki->fd < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
	if (fstat(ki->fd, &st) || !S_ISREG(st.st_mode))
		return cda_fail(err, CDA_E_IO, "%s: not a regular file", name);
	elf_version(EV_CURRENT);
	ki->handle = elf_begin(ki->fd, ELF_C_READ_MMAP, NULL); /* mapped, not read */
	if (!ki->handle)
		return cda_fail(err, CDA_E_FORMAT, "%s: cannot read: %s", name, elf_errmsg(-1));
	ki->data = (const unsigned char *)elf_rawfile(ki->handle, &ki->len);
	if (!ki->data || ki->len == 0)
		return cda_fail(err, CDA_E_FORMAT, "%s: empty file", name);
	if ((c = codec_of(ki->data, ki->len))) {
		char what[32];

		snprintf(what, sizeof(what), "%s data", c->name);
		if ((ret = decompress(ki, c, ki->data, ki->len, what, err)))
			return ret;
	}
	if (starts(ki->data, ki->len, (const unsigned char *)ELFMAG, SELFMAG))
		return open_elf(ki, err);
	if (is_zboot(ki->data, ki->len))
		return open_zboot(ki, err);
	if (is_arm64_image(ki->data, ki->len)) {
		ki->format = "image";
		return 0;
	}
	return cda_fail(err, CDA_E_FORMAT,
			"%s: not a kernel image (no ELF header, arm64 Image magic or EFI zboot header%s)",
			name, ki->len < ARM64_IMAGE_HDR_LEN ? "; file too short" : "");
}

void cda_kimage_close(struct kimage *ki)
{
	if (ki->elf && ki->elf != ki->handle)
		elf_end(ki->elf);
	if (ki->handle)
		elf_end(ki->handle);
	free(ki->buf);
	if (ki->fd >= 0)
		close(ki->fd);
	memset(ki, 0, sizeof(*ki));
	ki->fd = -1;
}

const char *cda_elf_machine_name(unsigned machine, char *buf, size_t len)
{
	switch (machine) {
	case EM_AARCH64: return "arm64";
	case EM_X86_64: return "x86_64";
	case EM_386: return "x86";
	case EM_ARM: return "arm";
	case EM_RISCV: return "riscv";
	case EM_PPC64: return "powerpc64";
	case EM_S390: return "s390";
	case EM_LOONGARCH: return "loongarch";
	default:
		snprintf(buf, len, "ELF machine %u", machine);
		return buf;
	}
}

int cda_elf_read_addr(Elf *elf, uint64_t addr, void *out, size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size ||
		    len > sh.sh_size - (addr - sh.sh_addr))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < sh.sh_size)
			return -1; /* section data missing or cut short */
		memcpy(out, (const char *)d->d_buf + (addr - sh.sh_addr), len);
		return 0;
	}
	return -1;
}

Elf_Data *cda_elf_section(Elf *elf, const char *name, uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name)) {
			if (addr)
				*addr = sh.sh_addr;
			return elf_rawdata(scn, NULL);
		}
	}
	return NULL;
}
