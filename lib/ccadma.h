/* SPDX-License-Identifier: MIT */
/*
 * ccadma.h - public API of libccadma, the library behind cca-dma-audit.
 *
 * Flow: create an audit, set the host facts, load inputs (each loader turns one
 * artifact into facts), load a rule set, run it, render a report. The library
 * never prints and never exits: every function returns 0 or a negative
 * CDA_E_* code and fills the caller's struct cda_error with one line naming the
 * file and the reason.
 */
#ifndef CCADMA_H
#define CCADMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cda_errcode {
	CDA_E_NOMEM = 1,  /* out of memory */
	CDA_E_IO = 2,     /* an input could not be opened or read */
	CDA_E_FORMAT = 3, /* an input is not of the expected format, truncated or corrupt */
	CDA_E_RULE = 4,   /* a rule file is malformed (configuration error) */
	CDA_E_USAGE = 5,  /* a bad option value or an unknown rule id */
};

struct cda_error {
	int code;       /* CDA_E_* (positive) */
	char msg[1024]; /* "FILE: reason", no trailing newline */
};

enum cda_severity {
	CDA_SEV_NOTE = 1,
	CDA_SEV_WARNING = 2,
	CDA_SEV_ERROR = 3,
	CDA_SEV_NEVER = 4, /* only as a --fail-on threshold: nothing fails */
};

enum cda_platform {
	CDA_PLATFORM_AUTO = 0, /* not given: rules that need it may be indeterminate */
	CDA_PLATFORM_CCA,
	CDA_PLATFORM_PKVM,
};

enum cda_format {
	CDA_FORMAT_TEXT,
	CDA_FORMAT_JSON,
	CDA_FORMAT_JUNIT, /* findings only: JUnit XML, one test case per input and rule */
	CDA_FORMAT_SARIF, /* findings only: SARIF 2.1.0, for code scanning */
};

struct cda_audit;
struct cda_dts_lines; /* dts_source.h */
struct cda_ruleset;
struct cda_value;

/* ---- audit: inputs and facts ---- */

/* New empty audit; NULL on out of memory. */
struct cda_audit *cda_audit_new(void);
void cda_audit_free(struct cda_audit *au);

struct cda_host {
	uint64_t granule;         /* host page size: 4K, 16K or 64K */
	bool granule_given;       /* false: granule is the documented default */
	enum cda_platform platform;
	unsigned ipa_bits;        /* 0: unknown */
};

/*
 * Record the host facts (host.granule, host.platform, host.ipa_bits and where
 * each came from). Errors: -CDA_E_USAGE (granule not 4K/16K/64K, ipa_bits out
 * of 32..52), -CDA_E_NOMEM.
 */
int cda_audit_set_host(struct cda_audit *au, const struct cda_host *host, struct cda_error *err);

/*
 * Load a guest device tree: a .dtb file, "-" for standard input, or a directory
 * in /proc/device-tree form. Fills the "dt" facts.
 * Errors: -CDA_E_IO, -CDA_E_FORMAT (not a DTB, truncated, corrupt, unsupported
 * cell sizes), -CDA_E_NOMEM.
 */
int cda_audit_load_dt(struct cda_audit *au, const char *path, struct cda_error *err);

/*
 * Many device trees, one report (the dtb command given several paths, or a
 * directory of blobs). cda_dt_list() says which trees a path holds: a file or
 * "-" is one, as is a directory in /proc/device-tree form (it has a
 * "compatible" or "#address-cells" file at its top); any other directory
 * holds every *.dtb under it (symlinked directories are not followed), in
 * byte order of their names. Each name is the tree's path under the
 * directory, or the path as given for a file: fingerprints know the tree by
 * it. Errors: -CDA_E_IO, -CDA_E_FORMAT (a directory with no tree in it),
 * -CDA_E_NOMEM.
 */
struct cda_dt_list {
	char **paths, **names; /* n of each, malloc'd */
	size_t n, cap;
};
int cda_dt_list(const char *path, struct cda_dt_list *out, struct cda_error *err);
void cda_dt_list_free(struct cda_dt_list *l);
/*
 * The lists of one run, checked together: a file reached twice (the same
 * path given twice, a directory written two ways, a file given and found
 * under a directory given) is -CDA_E_USAGE naming both; two trees whose
 * names are the same (board.dtb under two directories) are named by their
 * paths instead, so their fingerprints differ. Errors: -CDA_E_NOMEM.
 */
int cda_dt_lists_check(struct cda_dt_list *lists, size_t nlists, struct cda_error *err);

/*
 * Audit the device tree at path on its own, with rs and batch's host, and add
 * its input and results to batch, whose report then covers it (counts add up
 * over the trees). A tree that cannot be read is recorded in batch as
 * unreadable, with the reason (the analysis is incomplete), and its error is
 * returned so the caller can say so and go on. Errors: those of
 * cda_audit_load_dt().
 */
int cda_audit_dt_into(struct cda_audit *batch, const struct cda_ruleset *rs, const char *path,
		      const char *name, struct cda_error *err);
/*
 * cda_audit_dt_into() for every tree of l, in l's order, on threads (one per
 * CPU; the report does not depend on how many). Each tree that could not be
 * read is then told to told(path, reason, ctx), in order, when told is not
 * NULL. Errors: -CDA_E_NOMEM.
 */
typedef void cda_unreadable_fn(const char *path, const char *reason, void *ctx);
int cda_audit_dt_list_into(struct cda_audit *batch, const struct cda_ruleset *rs,
			   const struct cda_dt_list *l, cda_unreadable_fn *told, void *ctx,
			   struct cda_error *err);
/* Record an input of kind ("dt", ...) that could not be read, with the reason. */
int cda_audit_add_unreadable(struct cda_audit *au, const char *kind, const char *path,
			     const char *reason, struct cda_error *err);

struct cda_kernel_opts {
	const char *config_path;     /* --config: a .config, plain or gzip'd; NULL: none */
	const char *system_map_path; /* --system-map: System.map or /proc/kallsyms; NULL: none */
	bool no_btf;                 /* read struct layouts from DWARF even when .BTF exists */
	/*
	 * A config in memory, used when config_path is NULL (cda_audit_load_snapshot()
	 * sets it to the snapshot's config.gz): kernel.config_source "snapshot".
	 */
	const unsigned char *config_data;
	size_t config_len;
	const char *config_name;     /* its display name: "snap.tar.gz:snapshot/config.gz" */
	/* The rule set whose probes kernel.probes answers; NULL: the built-in probes. */
	const struct cda_ruleset *rules;
};

/*
 * Load a guest kernel image: vmlinux ELF, arm64 Image, a gzip/xz/bzip2/zstd/lz4
 * compressed file of either, or an EFI zboot vmlinuz. Fills the "kernel" facts,
 * including the capability probes. A valid kernel for another architecture is
 * loaded with every probe unknown. Errors: -CDA_E_IO, -CDA_E_FORMAT (not a
 * kernel, truncated, corrupt, big-endian, past cda_set_max_decompressed()),
 * -CDA_E_USAGE (standard input), -CDA_E_NOMEM.
 */
int cda_audit_load_kernel(struct cda_audit *au, const char *path,
			  const struct cda_kernel_opts *opts, struct cda_error *err);

/*
 * Load a copy of /sys/kernel/debug/swiotlb: a directory, a tar archive (plain
 * or gzip'd), or the text of `grep -r . /sys/kernel/debug/swiotlb`. Fills the
 * "swiotlb" facts: the default pool and every restricted pool directory, also
 * those at the debugfs root. Errors: -CDA_E_IO, -CDA_E_FORMAT (no swiotlb
 * files, bad value, truncated or corrupt archive), -CDA_E_NOMEM.
 */
int cda_audit_load_swiotlb(struct cda_audit *au, const char *path, struct cda_error *err);

/*
 * Load a kernel log (dmesg, dmesg -T, journalctl -k; "-" for standard input),
 * plain or gzip/xz/zstd-compressed. Fills the "dmesg" facts. Damaged lines are
 * counted, not fatal. Errors: -CDA_E_IO, -CDA_E_FORMAT (empty, binary, no line
 * of a kernel log, a truncated or corrupt compressed stream), -CDA_E_NOMEM.
 */
int cda_audit_load_dmesg(struct cda_audit *au, const char *path, struct cda_error *err);

/*
 * Load an ftrace text with dma:* and swiotlb:* events ("-" for standard
 * input; plain or gzip/xz/zstd-compressed), streamed in constant memory. DMA addresses are checked against the
 * pools known when it is called (the boot log's swiotlb range and restricted
 * pools, the device tree's static pools) and against host.ipa_bits, so load
 * the trace last. Fills the "trace" facts. Malformed lines are counted, not
 * fatal. Errors: -CDA_E_IO, -CDA_E_FORMAT (empty, binary, no ftrace event
 * line, a truncated or corrupt compressed stream), -CDA_E_NOMEM.
 */
int cda_audit_load_trace(struct cda_audit *au, const char *path, struct cda_error *err);

/*
 * Load a snapshot made inside a running guest by cca-dma-audit-collect: a tar
 * archive (gzip'd, xz'd, zstd'd or plain; "-" for standard input) of members
 * under snapshot/. Every part it holds is loaded as if given on its own: fdt
 * as a device tree, dmesg.txt as a boot log, debugfs/ as a swiotlb dump,
 * trace.txt as a trace (last). It also fills the "virtio" facts (the devices'
 * negotiated feature bits) and the "snapshot" facts (release, what the
 * collector could not capture, members no loader read). kernel (NULL: none)
 * is the guest kernel image: the snapshot's config.gz is its config unless
 * opts->config_path is set; without an image that config alone (and
 * opts->system_map_path) gives the kernel facts it can (kernel.format
 * "config"). opts may be NULL. Inputs and errors name a
 * member "FILE:snapshot/NAME", never a temporary file. Errors: those of each
 * loader; -CDA_E_FORMAT for an archive that is not a snapshot (not a tar, no
 * snapshot/FORMAT, a format other than 1), a member over its limit, a member
 * that is a link; -CDA_E_IO, -CDA_E_NOMEM.
 */
int cda_audit_load_snapshot(struct cda_audit *au, const char *path, const char *kernel,
			    const struct cda_kernel_opts *opts, struct cda_error *err);

/*
 * The most bytes one decompression may produce, for every loader and the
 * whole process: compressed kernel images and zboot payloads, the embedded
 * IKCONFIG and a gzip'd --config, tar.gz swiotlb dumps, compressed boot logs
 * and traces. Past it the load fails with -CDA_E_FORMAT ("FILE: bzip2 data
 * decompresses to more than 1 GiB (the limit against decompression bombs;
 * ...)"), in bounded time. 0 restores the default, 1 GiB. Set it before
 * loading.
 */
void cda_set_max_decompressed(uint64_t bytes);

/* ---- rules ---- */

/* New empty rule set; NULL on out of memory. */
struct cda_ruleset *cda_ruleset_new(void);
void cda_ruleset_free(struct cda_ruleset *rs);

/* Load the rule files compiled into the binary. Errors: -CDA_E_RULE, -CDA_E_NOMEM. */
int cda_ruleset_load_builtin(struct cda_ruleset *rs, struct cda_error *err);

/*
 * Load a rule file, or every *.json file of a directory (in name order). A rule
 * whose id is already loaded replaces it. Errors: -CDA_E_IO, -CDA_E_RULE, -CDA_E_NOMEM.
 */
int cda_ruleset_load_path(struct cda_ruleset *rs, const char *path, struct cda_error *err);

/* Enable or disable a rule by id or name. Errors: -CDA_E_USAGE (no such rule). */
int cda_ruleset_set_enabled(struct cda_ruleset *rs, const char *id_or_name, bool on,
			    struct cda_error *err);
/*
 * Re-level (severity: an enum cda_severity below never, or -1 to keep it)
 * and/or enable or disable (enabled: 1, 0, or -1 to keep it) a rule by id or
 * name, recorded with `from` ("command line", a profile's name) for the
 * report. Errors: -CDA_E_USAGE (no such rule, severity never), -CDA_E_NOMEM.
 */
int cda_ruleset_override(struct cda_ruleset *rs, const char *id_or_name, int severity, int enabled,
			 const char *from, struct cda_error *err);

/* ---- running and reporting ---- */

/*
 * Evaluate every enabled rule whose inputs were loaded. Findings and
 * indeterminate results are kept in the audit. Errors: -CDA_E_NOMEM.
 */
int cda_audit_run(struct cda_audit *au, const struct cda_ruleset *rs, struct cda_error *err);

/*
 * The exit status contract (stable): two questions a CI job asks, each
 * answered by the status alone. Findings: a finding at or above --fail-on.
 * Incomplete: an input given could not be read, or, with
 * --fail-on-indeterminate, a rule could not be decided.
 *   0 clean: no findings, complete      1 findings, complete
 *   2 incomplete, no findings           4 findings and incomplete
 *   3 usage or configuration error: nothing was analysed
 * 4 is apart from 1 and 2 so that neither hides the other, and 0..3 keep
 * their meaning of before. status >= 2 && status != 3: incomplete;
 * status == 1 || status == 4: findings.
 */
enum cda_exit {
	CDA_EXIT_CLEAN = 0,
	CDA_EXIT_FINDINGS = 1,
	CDA_EXIT_INCOMPLETE = 2,
	CDA_EXIT_USAGE = 3,
	CDA_EXIT_FINDINGS_INCOMPLETE = 4,
};

/* The status of an analysis that ran: the one place the contract is written. */
enum cda_exit cda_exit_status(bool findings, bool incomplete);

/* cda_exit_status() of the audit: its findings at or above fail_on, and whether it was complete. */
int cda_audit_exit_code(const struct cda_audit *au, enum cda_severity fail_on,
			bool fail_on_indeterminate);

struct cda_report_opts {
	enum cda_format format;
	enum cda_severity fail_on;
	bool fail_on_indeterminate; /* summary.exit_code 2 when a rule was undecided */
	bool color;              /* text only: ANSI colors */
	bool quiet;              /* text only: no summary line */
	const char *command;     /* subcommand name, recorded in JSON "invocation" */
	const char *profile;     /* the profile file read (as named), or NULL */
	/* its rules re-levelled or toggled are recorded; cda_report_render() sets it */
	const struct cda_ruleset *rules;
	/*
	 * --source FILE.dts (dts_source.h), or NULL: SARIF places the results
	 * about a device tree input at its lines (source_path names it).
	 */
	const struct cda_dts_lines *source;
	const char *source_path;
};

/*
 * Render findings, indeterminate results and the summary. *out is a malloc'd
 * string the caller frees. Errors: -CDA_E_NOMEM.
 */
int cda_report_render(const struct cda_audit *au, const struct cda_ruleset *rs,
		      const struct cda_report_opts *opts, char **out, struct cda_error *err);

/* The fact tree as JSON ({"schema_version":1,"tool":...,"facts":{...}}). Errors: -CDA_E_NOMEM. */
int cda_report_facts(const struct cda_audit *au, char **out, struct cda_error *err);

/*
 * The rule set (id NULL) or one rule explained (id or name), as text or JSON.
 * Errors: -CDA_E_USAGE (no such rule), -CDA_E_NOMEM.
 */
int cda_report_rules(const struct cda_ruleset *rs, const char *id, enum cda_format format,
		     char **out, struct cda_error *err);

/* A JSON error document for json mode: {"schema_version":1,"tool":...,"error":{...}}. */
char *cda_report_error_json(const char *message, int exit_code);
/*
 * A JUnit document for junit mode when no report could be made: one test case
 * in <error> with the message (an input that could not be read, a bad option).
 */
char *cda_report_error_junit(const char *message, int exit_code);
/*
 * A SARIF log for sarif mode when no report could be made: one run whose
 * invocation failed (executionSuccessful false), with the message as a
 * toolExecutionNotification and no results.
 */
char *cda_report_error_sarif(const char *message, int exit_code);
/*
 * s made safe for a terminal: control characters, invalid UTF-8 and bidi
 * overrides escaped (\xNN, \u{NNNN}), as in text reports; malloc'd, NULL
 * if out of memory. For error lines that quote a file name or its content.
 */
char *cda_text_escape(const char *s);

const char *cda_severity_name(enum cda_severity s);
/* "error"/"warning"/"note"/"never" -> severity; -1 if unknown. */
int cda_severity_parse(const char *s);

const char *cda_version(void);

#endif
