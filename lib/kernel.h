/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - kernel image loader, split by concern:
 *   kernel_image.c   open a file and get the kernel's bytes: vmlinux ELF, arm64
 *                    Image, whole-file gzip/xz/bzip2/zstd/lz4 (zlib, liblzma,
 *                    libbz2, libzstd, liblz4), EFI zboot (gzip, lz4 or zstd
 *                    payload); every one under cda_max_decompressed()
 *   kernel_syms.c    the few symbols we need, in one pass over .symtab or a
 *                    System.map / /proc/kallsyms file
 *   kernel_config.c  .config text, gzip'd config files and the embedded IKCONFIG
 *   kernel_debug.c   struct members from BTF, else from the one DWARF CU that
 *                    defines the struct (found through an anchor symbol's address)
 *   kernel_probes.c  capability probes answered (the queries come from the rule
 *                    set, probe.h; built in: rules/probes.json)
 *   kernel_facts.c   everything above turned into the "kernel" facts
 *
 * Errors: -CDA_E_IO (cannot open/read), -CDA_E_FORMAT (not a kernel image,
 * truncated, corrupt, big-endian arm64, unsupported compression, past the
 * decompression cap), -CDA_E_NOMEM.
 * A valid ELF kernel for another architecture is not an error: the facts say
 * so and every probe is unknown with that reason.
 */
#ifndef CDA_KERNEL_H
#define CDA_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

#include "ccadma.h"
#include "facts.h"
#include "probe.h"

#define KCONFIG_MAX (64u << 20) /* a --config file as read (its gzip output: the decompression cap) */

/* arm64 Image header (Documentation/arch/arm64/booting.rst), DOMAIN §6.1. */
#define ARM64_IMAGE_MAGIC_OFF 0x38
#define ARM64_IMAGE_FLAGS_OFF 0x18
#define ARM64_IMAGE_HDR_LEN 64

struct kimage {
	const char *name;          /* display path */
	const char *format;        /* "elf", "image" or "zboot" */
	const char *compression;   /* "none", "gzip", "xz", "bzip2", "zstd", "lz4" */
	Elf *elf;                  /* the ELF when format is "elf", else NULL */
	const unsigned char *data; /* the whole (decompressed) kernel */
	size_t len;
	/* owned */
	int fd;
	Elf *handle;               /* the file mapped by libelf; data may point into it */
	unsigned char *buf;        /* decompressed bytes data may point into */
};

int cda_kimage_open(const char *path, struct kimage *ki, struct cda_error *err);
void cda_kimage_close(struct kimage *ki);

/* ELF helpers (kernel_image.c). */
/* Machine name for e_machine ("arm64", "x86_64", ... or "machine N"). */
const char *cda_elf_machine_name(unsigned machine, char *buf, size_t len);
/* Copy len bytes at virtual address addr from the section holding them; -1 if none. */
int cda_elf_read_addr(Elf *elf, uint64_t addr, void *out, size_t len);
/* The data of the first section named name; NULL if there is none. */
Elf_Data *cda_elf_section(Elf *elf, const char *name, uint64_t *addr);

/* ---- symbols ---- */

struct ksym {
	const char *name;
	uint64_t addr;
	bool found;
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	const char *source;  /* "symtab", "system-map", or NULL: no symbols available */
	int *slots;          /* open-addressing index into v */
	size_t nslots;
};

/* Ask for a symbol before the pass; returns its index or -1 on out of memory. */
int cda_ksyms_want(struct cda_arena *a, struct ksyms *s, const char *name);
/* One pass over the ELF .symtab (no-op when there is none). */
int cda_ksyms_from_elf(struct ksyms *s, struct kimage *ki, struct cda_error *err);
/* One pass over a System.map or /proc/kallsyms file. */
int cda_ksyms_from_map(struct ksyms *s, const char *path, struct cda_error *err);
const struct ksym *cda_ksyms_get(const struct ksyms *s, const char *name);
void cda_ksyms_free(struct ksyms *s);

/* ---- config ---- */

struct kconfig {
	const char *source;   /* "ikconfig", "file" or "snapshot"; NULL when no config was found */
	struct cda_value *opts; /* object: every option, name without CONFIG_ -> "y", "m", "n" or value */
	/* What a config alone must say when there is no image to say it (a snapshot's config.gz). */
	bool arm64;           /* CONFIG_ARM64=y */
	bool big_endian;      /* CONFIG_CPU_BIG_ENDIAN=y */
};

/*
 * Parse a .config text: every option it sets, by name without CONFIG_, to its
 * value as written ("y", "m", "8", "\"text\""), and every "# CONFIG_FOO is not
 * set" to "n". An option the text does not name is absent (Kconfig: not set).
 * Errors: -CDA_E_NOMEM ("NAME: out of memory").
 */
int cda_kconfig_parse(struct cda_arena *a, const char *name, const char *text, size_t len,
		      struct kconfig *kc, struct cda_error *err);
/* Read --config FILE (plain or gzip'd). */
int cda_kconfig_load_file(struct cda_arena *a, const char *path, struct kconfig *kc,
			  struct cda_error *err);
/* The same for a config in memory (a snapshot's config.gz), named name in errors. */
int cda_kconfig_load_mem(struct cda_arena *a, const char *name, const unsigned char *data,
			 size_t len, struct kconfig *kc, struct cda_error *err);
/* Find IKCFG_ST...IKCFG_ED in data and parse it; kc->source stays NULL if absent. */
int cda_kconfig_from_ikconfig(struct cda_arena *a, const unsigned char *data, size_t len,
			      const char *name, struct kconfig *kc, struct cda_error *err);

/* ---- debug info ---- */

struct kdebug {
	Elf *elf;
	const unsigned char *btf; /* .BTF section, or NULL */
	size_t btf_len;
	bool use_btf;            /* false with --no-btf */
	void *dwarf;             /* Dwarf *, opened on first use */
	bool dwarf_tried, has_dwarf;
	/* last struct looked up, and its members */
	const char *cached_struct;
	const char *cached_from;  /* "BTF" or "DWARF" */
	const char **members;
	size_t nmembers;
};

enum kdebug_result { KD_UNAVAILABLE = 0, KD_FOUND, KD_ABSENT };

void cda_kdebug_init(struct kdebug *d, Elf *elf, bool use_btf);
void cda_kdebug_free(struct kdebug *d);
/*
 * Does struct strct have member? DWARF lookups go to the CU holding anchor_addr
 * (0: none), else the CU whose name ends in cu_name (NULL: none). why receives
 * where the answer came from, or why there is none. -CDA_E_FORMAT on corrupt
 * BTF, -CDA_E_NOMEM.
 */
int cda_kdebug_member(struct cda_arena *a, struct kdebug *d, const char *strct,
		      const char *member, uint64_t anchor_addr, const char *cu_name,
		      enum kdebug_result *res, char *why, size_t whylen, struct cda_error *err);
const char *cda_kdebug_kind(const struct kdebug *d); /* "btf", "dwarf" or "none" */

/* ---- probes ---- */

struct kversion {
	bool known;
	unsigned major, minor, patch;
	bool patch_known; /* false for "6.14.0-15-generic": which 6.14.y it is based on is not said */
};

struct kprobe_ctx {
	struct ksyms *syms;
	struct kconfig *config;
	struct kdebug *debug;
	struct kversion version;
	const char *unsupported; /* non-NULL: every probe is unknown with this reason */
};

/* Symbols the probes need (call before the symbol pass). */
int cda_kprobes_want_symbols(struct cda_arena *a, struct cda_probes ps, struct ksyms *s,
			     struct cda_error *err);
/* Answer every probe into an object name -> {value, decided_by, evidence}. */
int cda_kprobes_run(struct cda_arena *a, struct cda_probes ps, struct kprobe_ctx *ctx,
		    struct cda_value **out, struct cda_error *err);

/* "6.14.2-arm64" -> 6.14.2; false if it does not start with N.N. */
bool cda_kversion_parse(const char *s, struct kversion *v);

/* ---- facts ---- */

/* The kernel facts of the image at path; probes are the queries kernel.probes answers. */
int cda_kernel_facts(struct cda_arena *a, const char *path, const struct cda_kernel_opts *o,
		     struct cda_probes probes, struct cda_value **out, const char **format,
		     struct cda_error *err);
/* What a running guest says of its kernel when there is no image: a snapshot's. */
struct kconfig_only {
	const char *name;            /* the config's display name, for messages */
	const unsigned char *config; /* .config text, plain or gzip'd */
	size_t len;
	const char *source;          /* kernel.config_source: "snapshot" (config.gz) or "file" */
	const char *release;         /* uname -r; NULL: unknown */
	const char *banner;          /* the boot log's "Linux version" line (linux_banner); NULL: none */
	const char *system_map;      /* a System.map or kallsyms copy of that kernel; NULL: none */
	struct cda_probes probes;    /* the probes to answer */
};

/*
 * The kernel facts of a running guest known only by its config, its release
 * and its boot log's banner, plus the symbols of a System.map. Probes decided
 * by config, version or those symbols are decided; struct-layout probes are
 * unknown, saying so. kernel.format is "config". Errors: as
 * cda_kconfig_load_mem() and cda_ksyms_from_map(), and -CDA_E_FORMAT for a
 * big-endian config.
 */
int cda_kernel_config_facts(struct cda_arena *a, const struct kconfig_only *in,
			    struct cda_value **out, struct cda_error *err);

#endif
