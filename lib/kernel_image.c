// SPDX-License-Identifier: MIT
/*
 * Open a kernel image and get at its bytes, whatever wrapping it came in.
 * Detection is by content, never by file name: ELF magic, the arm64 Image
 * magic "ARM\x64" at 0x38, the EFI zboot "zimg" header, or a compression magic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <lzma.h>
#include <zstd.h>

#include "kernel.h"
#include "util.h"

static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const unsigned char bzip2_magic[] = { 'B', 'Z', 'h' };
static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

static bool starts(const unsigned char *d, size_t len, const unsigned char *m, size_t mlen)
{
	return len >= mlen && !memcmp(d, m, mlen);
}

static const char *compression_of(const unsigned char *d, size_t len)
{
	if (starts(d, len, gzip_magic, sizeof(gzip_magic)))
		return "gzip";
	if (starts(d, len, xz_magic, sizeof(xz_magic)))
		return "xz";
	if (starts(d, len, bzip2_magic, sizeof(bzip2_magic)))
		return "bzip2";
	if (starts(d, len, zstd_magic, sizeof(zstd_magic)))
		return "zstd";
	return NULL;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_arm64_image(const unsigned char *d, size_t len)
{
	return len >= ARM64_IMAGE_HDR_LEN && !memcmp(d + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4);
}

static bool is_zboot(const unsigned char *d, size_t len)
{
	return len >= ARM64_IMAGE_HDR_LEN && d[0] == 'M' && d[1] == 'Z' && !memcmp(d + 4, "zimg", 4);
}

/* Room for more output: *cap doubles once there is a buffer, up to KIMAGE_MAX_DECOMPRESSED. */
static int grow(unsigned char **buf, size_t *cap, const char *name, struct cda_error *err)
{
	size_t ncap = *buf ? *cap * 2 : *cap;
	unsigned char *nb;

	if (ncap > KIMAGE_MAX_DECOMPRESSED)
		return cda_fail(err, CDA_E_FORMAT, "%s: decompresses to more than %u MiB", name,
				KIMAGE_MAX_DECOMPRESSED >> 20);
	if (!(nb = realloc(*buf, ncap)))
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Decompress a zstd stream (libzstd; Debian's elfutils is built without zstd). */
static int unzstd(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
		  const char *name, struct cda_error *err)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t cap = 1u << 20, n = 0, r = 1;
	unsigned char *buf = NULL;
	int ret = 0;

	if (!ds)
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	ZSTD_initDStream(ds);
	while (r != 0) {
		ZSTD_outBuffer ob;

		if ((!buf || n == cap) && (ret = grow(&buf, &cap, name, err)))
			goto out;
		ob = (ZSTD_outBuffer){ buf, cap, n };
		r = ZSTD_decompressStream(ds, &ob, &ib);
		n = ob.pos;
		if (ZSTD_isError(r)) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt zstd data: %s", name,
				       ZSTD_getErrorName(r));
			goto out;
		}
		if (r != 0 && ib.pos == ib.size && ob.pos < ob.size) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: truncated zstd data", name);
			goto out;
		}
	}
	*out = buf;
	*outlen = n;
	buf = NULL;
out:
	free(buf);
	ZSTD_freeDStream(ds);
	return ret;
}

/* Decompress an xz stream with liblzma (a truncated stream is an error). */
static int unxz(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
		const char *name, struct cda_error *err)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	size_t cap = 1u << 20;
	unsigned char *buf = NULL;
	lzma_ret r = LZMA_OK;
	int ret = 0;

	if (lzma_stream_decoder(&zs, UINT64_MAX, 0) != LZMA_OK)
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	zs.next_in = in;
	zs.avail_in = len;
	while (r != LZMA_STREAM_END) {
		if (!buf || zs.total_out == cap) {
			if ((ret = grow(&buf, &cap, name, err)))
				goto out;
			zs.next_out = buf + zs.total_out;
			zs.avail_out = cap - zs.total_out;
		}
		r = lzma_code(&zs, LZMA_FINISH);
		if (r != LZMA_OK && r != LZMA_STREAM_END) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated xz data", name);
			goto out;
		}
	}
	*out = buf;
	*outlen = zs.total_out;
	buf = NULL;
out:
	lzma_end(&zs);
	free(buf);
	return ret;
}

/*
 * Whole-file compression. elfutils' dwelf_elf_begin() decompresses gzip and xz
 * too, but hands back whatever a truncated stream gave without an error, so
 * those go through zlib and liblzma, which say when a stream ends early; zstd
 * through libzstd (Debian's elfutils is built without it). bzip2 stays with
 * dwelf_elf_begin().
 */
static int decompress(struct kimage *ki, const char *comp, struct cda_error *err)
{
	unsigned char *out = NULL;
	size_t outlen = 0;
	int ret;

	if (!strcmp(comp, "gzip")) {
		ret = cda_gunzip(ki->data, ki->len, KIMAGE_MAX_DECOMPRESSED, &out, &outlen);
		if (ret == -CDA_E_NOMEM)
			return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", ki->name);
		if (ret)
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated gzip data (or over %u MiB)",
					ki->name, KIMAGE_MAX_DECOMPRESSED >> 20);
	} else if (!strcmp(comp, "xz")) {
		if ((ret = unxz(ki->data, ki->len, &out, &outlen, ki->name, err)))
			return ret;
	} else if ((ret = unzstd(ki->data, ki->len, &out, &outlen, ki->name, err))) {
		return ret;
	}
	ki->buf = out;
	ki->data = out;
	ki->len = outlen;
	ki->compression = comp;
	return 0;
}

/* EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): a PE stub with the Image compressed inside. */
static int open_zboot(struct kimage *ki, struct cda_error *err)
{
	const unsigned char *d = ki->data;
	uint32_t off = le32(d + 8), size = le32(d + 12);
	char comp[33];
	unsigned char *out = NULL;
	size_t outlen = 0;
	int ret;

	memcpy(comp, d + 0x18, 32);
	comp[32] = '\0';
	if (off > ki->len || size > ki->len - off)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: zboot payload (offset 0x%x, size 0x%x) runs past the end of the file (0x%zx bytes)",
				ki->name, off, size, ki->len);
	if (!strcmp(comp, "gzip")) {
		ret = cda_gunzip(d + off, size, KIMAGE_MAX_DECOMPRESSED, &out, &outlen);
		if (ret == -CDA_E_NOMEM)
			return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", ki->name);
		if (ret)
			return cda_fail(err, CDA_E_FORMAT, "%s: zboot gzip payload is corrupt or truncated",
					ki->name);
	} else if (!strncmp(comp, "zstd", 4)) {
		if ((ret = unzstd(d + off, size, &out, &outlen, ki->name, err)))
			return ret;
	} else {
		for (char *p = comp; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
		return cda_fail(err, CDA_E_FORMAT,
				"%s: zboot compression '%s' is not supported (gzip and zstd are)",
				ki->name, comp);
	}
	ki->buf = out;
	ki->data = out;
	ki->len = outlen;
	ki->format = "zboot";
	ki->compression = !strcmp(comp, "gzip") ? "gzip" : "zstd";
	if (!is_arm64_image(out, outlen))
		return cda_fail(err, CDA_E_FORMAT, "%s: zboot payload is not an arm64 Image", ki->name);
	return 0;
}

static int check_elf(struct kimage *ki, struct cda_error *err)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx;

	if (!gelf_getehdr(ki->elf, &eh) || elf_getshdrstrndx(ki->elf, &shstrndx))
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF: %s", ki->name, elf_errmsg(-1));
	/* libelf reads a file cut short without complaint: check every extent ourselves. */
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return cda_fail(err, CDA_E_FORMAT, "%s: ELF file is not an executable (e_type %u)",
				ki->name, eh.e_type);
	if (!eh.e_shnum || eh.e_shoff > ki->len ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > ki->len - eh.e_shoff)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF: section headers missing or past the end of the file",
				ki->name);
	while ((scn = elf_nextscn(ki->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF: %s", ki->name, elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > ki->len || sh.sh_size > ki->len - sh.sh_offset))
			return cda_fail(err, CDA_E_FORMAT,
					"%s: corrupt or truncated ELF: section %zu runs past the end of the file",
					ki->name, elf_ndxscn(scn));
	}
	if (eh.e_machine == EM_AARCH64 && eh.e_ident[EI_DATA] == ELFDATA2MSB)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: big-endian arm64 kernel: Realm and pKVM guests are little-endian",
				ki->name);
	return 0;
}

int cda_kimage_open(const char *path, struct kimage *ki, struct cda_error *err)
{
	const char *name = cda_display_path(path), *comp;
	unsigned char head[8] = { 0 };
	struct stat st;
	ssize_t got;
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
	if ((got = pread(ki->fd, head, sizeof(head), 0)) < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
	comp = compression_of(head, (size_t)got);
	elf_version(EV_CURRENT);
	if (comp && !strcmp(comp, "bzip2")) {
		ki->handle = dwelf_elf_begin(ki->fd); /* decompresses in full */
		if (!ki->handle)
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated bzip2 data", name);
		ki->compression = comp;
		comp = NULL;
	} else {
		ki->handle = elf_begin(ki->fd, ELF_C_READ_MMAP, NULL); /* mapped, not read */
		if (!ki->handle)
			return cda_fail(err, CDA_E_FORMAT, "%s: cannot read: %s", name, elf_errmsg(-1));
	}
	ki->data = (const unsigned char *)elf_rawfile(ki->handle, &ki->len);
	if (!ki->data || ki->len == 0)
		return cda_fail(err, CDA_E_FORMAT, "%s: empty file", name);
	if (comp) {
		if ((ret = decompress(ki, comp, err)))
			return ret;
		if (starts(ki->data, ki->len, (const unsigned char *)ELFMAG, SELFMAG)) {
			ki->elf = elf_memory((char *)ki->buf, ki->len);
			if (!ki->elf)
				return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF: %s", name, elf_errmsg(-1));
			ki->format = "elf";
			return check_elf(ki, err);
		}
	} else if (elf_kind(ki->handle) == ELF_K_ELF) {
		ki->elf = ki->handle;
		ki->format = "elf";
		return check_elf(ki, err);
	}
	if (is_zboot(ki->data, ki->len))
		return open_zboot(ki, err);
	if (is_arm64_image(ki->data, ki->len)) {
		ki->format = "image";
		return 0;
	}
	if (starts(ki->data, ki->len, (const unsigned char *)ELFMAG, SELFMAG))
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF: %s", name, elf_errmsg(-1));
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
