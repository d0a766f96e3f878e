// SPDX-License-Identifier: MIT
/*
 * The "kernel" facts: what the image is, its version, page size and config,
 * and the capability probes. Every derived fact says where it came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "kernel.h"
#include "util.h"

#define BANNER "Linux version "

struct kctx {
	struct cda_arena *a;
	struct kimage ki;
	struct ksyms syms;
	struct kconfig config;
	struct kdebug debug;
	struct cda_probes probes; /* the queries kernel.probes answers */
	struct cda_value *k;   /* the "kernel" object */
	struct cda_fb fb;      /* builds k */
	const char *unsupported;
};

/* Bytes rules should search for strings: .rodata of an ELF, else the whole image. */
static void rodata(struct kctx *c, const unsigned char **d, size_t *len)
{
	Elf_Data *rd = c->ki.elf ? cda_elf_section(c->ki.elf, ".rodata", NULL) : NULL;

	if (rd && rd->d_buf) {
		*d = rd->d_buf;
		*len = rd->d_size;
	} else {
		*d = c->ki.data;
		*len = c->ki.len;
	}
}

static int facts_arch(struct kctx *c, struct cda_error *err)
{
	char buf[32];
	const char *arch = "arm64";

	if (c->ki.elf) {
		GElf_Ehdr eh;

		gelf_getehdr(c->ki.elf, &eh); /* checked when opened */
		arch = cda_elf_machine_name(eh.e_machine, buf, sizeof(buf));
		if (eh.e_machine != EM_AARCH64) {
			c->unsupported = cda_arena_printf(c->a, "the kernel is for %s, not arm64", arch);
			cda_fb_str(&c->fb, c->k, "unsupported", c->unsupported);
		}
	}
	cda_fb_str(&c->fb, c->k, "arch", arch);
	cda_fb_str(&c->fb, c->k, "endian", "little");
	return cda_fb_done(&c->fb, err);
}

/* The linux_banner string (init/version-timestamp.c), by symbol or by search. */
static const char *banner(struct kctx *c, const char **source)
{
	const struct ksym *s = cda_ksyms_get(&c->syms, "linux_banner");
	char *text = cda_arena_alloc(c->a, 512);
	const size_t cap = 512;
	const unsigned char *d, *p;
	size_t len;

	if (!text)
		return NULL;

	if (s && c->ki.elf) {
		size_t n = 0;

		while (n + 1 < cap && !cda_elf_read_addr(c->ki.elf, s->addr + n, &text[n], 1) &&
		       text[n] && text[n] != '\n')
			n++;
		text[n] = '\0';
		if (!strncmp(text, BANNER, strlen(BANNER))) {
			*source = "linux_banner";
			return text;
		}
	}
	rodata(c, &d, &len);
	for (p = d; (p = memmem(p, len - (size_t)(p - d), BANNER, strlen(BANNER))); p++) {
		const unsigned char *v = p + strlen(BANNER), *e;
		size_t n;

		if (v >= d + len || *v < '0' || *v > '9')
			continue;
		e = memchr(v, '\n', (size_t)(d + len - v));
		n = e ? (size_t)(e - p) : 0;
		if (!n || n >= cap)
			continue;
		memcpy(text, p, n);
		text[n] = '\0';
		*source = "banner-search";
		return text;
	}
	return NULL;
}

/*
 * kernel.version from a release string; b is the banner line it came from
 * (NULL: the release alone, as uname -r printed it), which may also name a
 * Debian package version.
 */
static int set_version(struct kctx *c, const char *b, const char *release, const char *source,
		       struct kversion *v, struct cda_error *err)
{
	struct cda_fb *fb = &c->fb;
	struct cda_value *ver = cda_fb_new_obj(fb);
	const char *deb;

	cda_fb_str(fb, ver, "release", release);
	if (b)
		cda_fb_str(fb, c->k, "banner", b);
	if (cda_kversion_parse(release, v)) {
		/* Debian's release is its ABI name (6.1.0-56-arm64); the banner also says "Debian 6.1.192-2". */
		struct kversion dv;

		if (b && (deb = strstr(b, " Debian ")) && cda_kversion_parse(deb + 8, &dv) &&
		    dv.major == v->major && dv.minor == v->minor) {
			*v = dv;
			v->patch_known = true;
			source = !strcmp(source, "boot-log")
				 ? "boot-log (Debian package version)"
				 : "linux_banner (Debian package version)";
		}
		cda_fb_u64(fb, ver, "major", v->major);
		cda_fb_u64(fb, ver, "minor", v->minor);
		cda_fb_u64(fb, ver, "patch", v->patch);
		cda_fb_bool(fb, ver, "patch_known", v->patch_known);
	}
	cda_fb_set(fb, c->k, "version", ver);
	cda_fb_str(fb, c->k, "version_source", source);
	return cda_fb_done(fb, err);
}

/* The release a banner names: "Linux version RELEASE (...". */
static void banner_release(const char *b, char *release, size_t len)
{
	size_t n = strcspn(b + strlen(BANNER), " ");

	snprintf(release, len, "%.*s", (int)(n < len ? n : len - 1), b + strlen(BANNER));
}

static int facts_version(struct kctx *c, struct kversion *v, struct cda_error *err)
{
	const char *source = NULL, *b = banner(c, &source);
	char release[128];

	memset(v, 0, sizeof(*v));
	if (!b)
		return 0;
	banner_release(b, release, sizeof(release));
	return set_version(c, b, release, source, v, err);
}

/* Page size from Image header flags bits 1-2: 1 = 4K, 2 = 16K, 3 = 64K (booting.rst). */
static uint64_t flags_page_size(uint64_t flags)
{
	static const uint64_t sizes[] = { 0, 4096, 16384, 65536 };

	return sizes[(flags >> 1) & 3];
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The page size the config chose (CONFIG_ARM64_*K_PAGES); 0 when it does not say. */
static uint64_t config_page_size(const struct kctx *c, const char **source)
{
	static const struct { const char *opt; uint64_t size; } pages[] = {
		{ "ARM64_4K_PAGES", 4096 }, { "ARM64_16K_PAGES", 16384 }, { "ARM64_64K_PAGES", 65536 },
	};
	uint64_t size = 0;

	if (!c->config.source)
		return 0;
	for (size_t i = 0; i < 3; i++) {
		struct cda_value *v = cda_obj_get(c->config.opts, pages[i].opt);

		if (v && !strcmp(v->s, "y")) {
			size = pages[i].size;
			*source = !strcmp(c->config.source, "ikconfig") ? "ikconfig" : "config-file";
		}
	}
	return size;
}

static int facts_page_size(struct kctx *c, struct cda_error *err)
{
	unsigned char hdr[ARM64_IMAGE_HDR_LEN];
	const struct ksym *s;
	uint64_t size = 0;
	const char *source = NULL;

	if (c->unsupported) {
		cda_fb_unknown(&c->fb, c->k, "page_size", c->unsupported);
		return cda_fb_done(&c->fb, err);
	}
	if (!c->ki.data) {
		/* a config alone (cda_kernel_config_facts()): only the config can say */
	} else if (!c->ki.elf) {
		memcpy(hdr, c->ki.data, sizeof(hdr)); /* format detection checked the length */
		if (le64(hdr + ARM64_IMAGE_FLAGS_OFF) & 1)
			return cda_fail(err, CDA_E_FORMAT,
					"%s: big-endian arm64 kernel (Image flags bit 0): Realm and pKVM guests are little-endian",
					c->ki.name);
		size = flags_page_size(le64(hdr + ARM64_IMAGE_FLAGS_OFF));
		source = "image-header";
	} else if ((s = cda_ksyms_get(&c->syms, "_text")) &&
		   !cda_elf_read_addr(c->ki.elf, s->addr, hdr, sizeof(hdr)) &&
		   !memcmp(hdr + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4)) {
		/* A vmlinux starts with the same header head.S writes for the Image. */
		size = flags_page_size(le64(hdr + ARM64_IMAGE_FLAGS_OFF));
		source = "image-header";
	} else if ((s = cda_ksyms_get(&c->syms, "_kernel_flags_le_lo32"))) {
		/* arch/arm64/kernel/image.h: the header flags as an absolute symbol */
		size = flags_page_size(s->addr);
		source = "symbol";
	}
	if (!size)
		size = config_page_size(c, &source);
	if (!size) {
		cda_fb_unknown(&c->fb, c->k, "page_size", "guest page size unknown: the image header "
				"does not say and there is no kernel config");
	} else {
		cda_fb_hex(&c->fb, c->k, "page_size", size);
		cda_fb_str(&c->fb, c->k, "page_size_source", source);
	}
	return cda_fb_done(&c->fb, err);
}

/* The whole .config, every option as written: rules may read any (kernel.config.NAME). */
static int facts_config(struct kctx *c, const struct cda_kernel_opts *o, struct cda_error *err)
{
	const unsigned char *d;
	size_t len;
	int ret;

	if (o->config_path) {
		ret = cda_kconfig_load_file(c->a, o->config_path, &c->config, err);
	} else if (o->config_data) {
		ret = cda_kconfig_load_mem(c->a, o->config_name, o->config_data, o->config_len,
					   &c->config, err);
		c->config.source = "snapshot";
	} else if (!c->ki.data) {
		return 0; /* no image to hold an IKCONFIG */
	} else {
		rodata(c, &d, &len);
		ret = cda_kconfig_from_ikconfig(c->a, d, len, c->ki.name, &c->config, err);
	}
	if (ret || !c->config.source)
		return ret;
	cda_fb_set(&c->fb, c->k, "config", c->config.opts);
	cda_fb_str(&c->fb, c->k, "config_source", c->config.source);
	return cda_fb_done(&c->fb, err);
}

/*
 * Whether an allocated section holds BANNER and a digit: the linux_banner
 * text a stripped vmlinux still carries. The digit keeps out programs that
 * only mention the words (this one does).
 */
static bool has_banner_text(Elf *elf)
{
	const size_t n = strlen(BANNER);
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *p, *end;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    !(d = elf_rawdata(scn, NULL)) || !d->d_buf)
			continue;
		end = (const char *)d->d_buf + d->d_size;
		for (p = d->d_buf; (p = memmem(p, (size_t)(end - p), BANNER, n)); p++)
			if (end - p > (ptrdiff_t)n && p[n] >= '0' && p[n] <= '9')
				return true;
	}
	return false;
}

static bool has_interp(Elf *elf)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
			return true;
	}
	return false;
}

/*
 * Every vmlinux is an ELF executable, but few ELF executables are kernels:
 * one with neither the linux_banner symbol nor the banner text is something
 * else (/bin/ls), and auditing it would only report every probe unknown. A
 * kernel for another architecture passes: its facts say so. (An arm64 Image
 * has its magic checked when opened.)
 */
static int check_linux(struct kctx *c, struct cda_error *err)
{
	char buf[32];
	GElf_Ehdr eh;

	if (cda_ksyms_get(&c->syms, "linux_banner") || has_banner_text(c->ki.elf))
		return 0;
	gelf_getehdr(c->ki.elf, &eh); /* checked when opened */
	return cda_fail(err, CDA_E_FORMAT,
			"%s: %s for %s, but not a Linux kernel (no linux_banner symbol and no 'Linux version' string)",
			c->ki.name, eh.e_type == ET_DYN && !has_interp(c->ki.elf) ? "an ELF shared object"
										: "an ELF executable",
			cda_elf_machine_name(eh.e_machine, buf, sizeof(buf)));
}

static int facts_symbols(struct kctx *c, const struct cda_kernel_opts *o, struct cda_error *err)
{
	static const char *const own[] = {
		"linux_banner", "_text", "_kernel_flags_le_lo32", NULL,
	};
	int ret;

	for (size_t i = 0; own[i]; i++)
		if (cda_ksyms_want(c->a, &c->syms, own[i]) < 0)
			return cda_oom(err, NULL);
	if ((ret = cda_kprobes_want_symbols(c->a, c->probes, &c->syms, err)))
		return ret;
	if (c->ki.elf && (ret = cda_ksyms_from_elf(&c->syms, &c->ki, err)))
		return ret;
	/* before a System.map can supply linux_banner: the map describes a kernel, not this file */
	if (c->ki.elf && (ret = check_linux(c, err)))
		return ret;
	if (o->system_map_path) {
		const char *elf_source = c->syms.source;

		if ((ret = cda_ksyms_from_map(&c->syms, o->system_map_path, err)))
			return ret;
		if (elf_source)
			c->syms.source = "symtab+system-map";
	}
	if (c->syms.source)
		cda_fb_str(&c->fb, c->k, "symbols", c->syms.source);
	return cda_fb_done(&c->fb, err);
}

int cda_kernel_facts(struct cda_arena *a, const char *path, const struct cda_kernel_opts *o,
		     struct cda_probes queries, struct cda_value **out, const char **format,
		     struct cda_error *err)
{
	struct kctx c = { .a = a, .fb = { .a = a }, .probes = queries };
	struct kprobe_ctx pc;
	struct cda_value *probes;
	int ret;

	if ((ret = cda_kimage_open(path, &c.ki, err)))
		goto out;
	c.k = cda_fb_new_obj(&c.fb);
	cda_fb_str(&c.fb, c.k, "format", c.ki.format);
	cda_fb_str(&c.fb, c.k, "compression", c.ki.compression);
	if ((ret = cda_fb_done(&c.fb, err)) || (ret = facts_arch(&c, err)) || (ret = facts_symbols(&c, o, err)) ||
	    (ret = facts_config(&c, o, err)) || (ret = facts_page_size(&c, err)))
		goto out;
	pc = (struct kprobe_ctx){ .syms = &c.syms, .config = &c.config, .debug = &c.debug,
				  .unsupported = c.unsupported };
	if ((ret = facts_version(&c, &pc.version, err)))
		goto out;
	cda_kdebug_init(&c.debug, c.ki.elf, !o->no_btf);
	if ((ret = cda_kprobes_run(a, c.probes, &pc, &probes, err))) {
		/* debug-info errors come without the file name */
		if (ret == -CDA_E_FORMAT && strncmp(err->msg, c.ki.name, strlen(c.ki.name))) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			cda_fail(err, CDA_E_FORMAT, "%s: %s", c.ki.name, msg);
		}
		goto out;
	}
	cda_fb_str(&c.fb, c.k, "debug_info", cda_kdebug_kind(&c.debug));
	cda_fb_set(&c.fb, c.k, "probes", probes);
	if ((ret = cda_fb_done(&c.fb, err)))
		goto out;
	*out = c.k;
	*format = c.ki.format;
out:
	cda_kdebug_free(&c.debug);
	cda_ksyms_free(&c.syms);
	cda_kimage_close(&c.ki);
	return ret;
}

/* A config alone names no architecture: CONFIG_ARM64 must, and no big-endian one is a guest. */
static int facts_config_arch(struct kctx *c, struct cda_error *err)
{
	if (c->config.big_endian)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: big-endian arm64 kernel (CONFIG_CPU_BIG_ENDIAN=y): Realm and pKVM "
				"guests are little-endian", c->ki.name);
	if (!c->config.arm64) {
		c->unsupported = "the kernel config is not an arm64 one (no CONFIG_ARM64=y)";
		cda_fb_str(&c->fb, c->k, "unsupported", c->unsupported);
	}
	cda_fb_str(&c->fb, c->k, "arch", c->config.arm64 ? "arm64" : "unknown");
	cda_fb_str(&c->fb, c->k, "endian", "little");
	return cda_fb_done(&c->fb, err);
}

int cda_kernel_config_facts(struct cda_arena *a, const struct kconfig_only *in,
			    struct cda_value **out, struct cda_error *err)
{
	const struct cda_kernel_opts o = { .config_data = in->config, .config_len = in->len,
					   .config_name = in->name,
					   .system_map_path = in->system_map };
	struct kctx c = { .a = a, .fb = { .a = a }, .probes = in->probes };
	struct kprobe_ctx pc;
	struct kversion v = { .known = false };
	struct cda_value *probes;
	char rel[128];
	int ret;

	c.ki.name = in->name;
	cda_kdebug_init(&c.debug, NULL, true);
	c.k = cda_fb_new_obj(&c.fb);
	cda_fb_str(&c.fb, c.k, "format", "config");
	cda_fb_str(&c.fb, c.k, "compression", in->len >= 2 && in->config[0] == 0x1f &&
		   in->config[1] == 0x8b ? "gzip" : "none");
	if ((ret = cda_fb_done(&c.fb, err)) || (ret = facts_symbols(&c, &o, err)) ||
	    (ret = facts_config(&c, &o, err)))
		goto out;
	c.config.source = in->source; /* before the page size and the probes cite it */
	cda_fb_str(&c.fb, c.k, "config_source", in->source);
	if ((ret = facts_config_arch(&c, err)) || (ret = facts_page_size(&c, err)))
		goto out;
	/* The boot log's banner is the image's linux_banner; uname -r is its release alone. */
	if (in->banner) {
		banner_release(in->banner, rel, sizeof(rel));
		ret = set_version(&c, in->banner, rel, "boot-log", &v, err);
	} else if (in->release) {
		ret = set_version(&c, NULL, in->release, "release", &v, err);
	}
	if (ret)
		goto out;
	pc = (struct kprobe_ctx){ .syms = &c.syms, .config = &c.config, .debug = &c.debug,
				  .version = v, .unsupported = c.unsupported };
	if ((ret = cda_kprobes_run(a, c.probes, &pc, &probes, err)))
		goto out;
	cda_fb_str(&c.fb, c.k, "debug_info", "none");
	cda_fb_set(&c.fb, c.k, "probes", probes);
	if ((ret = cda_fb_done(&c.fb, err)))
		goto out;
	*out = c.k;
out:
	cda_kdebug_free(&c.debug);
	cda_ksyms_free(&c.syms);
	return ret;
}
