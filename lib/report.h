/* SPDX-License-Identifier: MIT */
/*
 * report.h - the one report writer: the parts of a report are enumerated once
 * (report.c) through these backend-neutral primitives, and each output format
 * is a backend of them (report_writer.c: text, JSON; report_sarif.c: SARIF).
 *
 * The model is iproute2's json_print: every primitive takes a mode saying
 * which backends see it, a key (what keyed backends, JSON or SARIF, name the
 * value) and a text format (where a text backend puts it). A value both show
 * is CDA_RW_ANY; a value only one of them shows, or shows at another place
 * (text leads a finding with its file, JSON nests it in "location"), is
 * written twice, once per mode, side by side, so drift stays visible.
 *
 * Text formats hold one "%s" (optionally "%-Ns") where the value goes; the
 * value is escaped for a terminal (text.c), the rest of the format is ours
 * and printed as it is. A NULL string value prints nothing in any backend,
 * as does an empty object or list in text (no dangling "evidence:" line).
 * Structure (objects, arrays) is for keyed backends only: text layout is in
 * the formats.
 */
#ifndef CDA_REPORT_H
#define CDA_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "ccadma.h"
#include "facts.h"
#include "util.h"

struct cda_audit;

enum cda_rw_mode {
	CDA_RW_TEXT = 1,  /* iproute2 PRINT_FP */
	CDA_RW_KEYED = 2, /* iproute2 PRINT_JSON: JSON, SARIF */
	CDA_RW_ANY = 3,
};

/* Text colors, by meaning; a backend without color ignores them. */
enum cda_rw_color {
	CDA_RW_PLAIN,
	CDA_RW_BOLD,
	CDA_RW_ERROR,
	CDA_RW_WARNING,
	CDA_RW_NOTE,
	CDA_RW_INDET,
};

struct cda_rw;

/*
 * A backend. keyed backends get key and ignore fmt and color; text backends
 * get fmt and color and ignore key. open/close reach keyed backends only; a
 * key is NULL for the root and for array elements.
 */
struct cda_rw_ops {
	bool keyed;
	void (*open)(struct cda_rw *w, const char *key, bool array);
	void (*close)(struct cda_rw *w);
	void (*str)(struct cda_rw *w, const char *key, const char *fmt, enum cda_rw_color c,
		    const char *s);
	void (*u64)(struct cda_rw *w, const char *key, const char *fmt, uint64_t u, bool hex);
	void (*boolean)(struct cda_rw *w, const char *key, const char *fmt, bool b);
	void (*value)(struct cda_rw *w, const char *key, const char *fmt, const struct cda_value *v);
	/* The output (malloc'd, caller frees) or -CDA_E_NOMEM; frees the backend's state. */
	int (*finish)(struct cda_rw *w, char **out, struct cda_error *err);
};

/* A writer: a backend's ops and its state (a backend's own struct starts with this). */
struct cda_rw {
	const struct cda_rw_ops *ops;
	bool oom;
};

/* ---- the primitives ---- */

void cda_rw_open_object(struct cda_rw *w, const char *key);
void cda_rw_open_array(struct cda_rw *w, const char *key);
void cda_rw_close(struct cda_rw *w);
void cda_rw_str(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, const char *s);
void cda_rw_color_str(struct cda_rw *w, unsigned mode, enum cda_rw_color c, const char *key,
		      const char *fmt, const char *s);
void cda_rw_u64(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t u);
/* An address or size: "0x..." in every backend. */
void cda_rw_hex(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t u);
/* A count of things: keyed backends get n, text "N noun" or "N nouns". */
void cda_rw_count(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t n,
		  const char *noun);
void cda_rw_bool(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, bool b);
/* A fact value; text: "k=v, k=v" for an object, "[a, b]" for a list, "{...}" nested. */
void cda_rw_value(struct cda_rw *w, unsigned mode, const char *key, const char *fmt,
		  const struct cda_value *v);
/* Hand over the output; the writer is done. */
int cda_rw_finish(struct cda_rw *w, char **out, struct cda_error *err);

/* ---- the backends (report_writer.c); NULL on out of memory ---- */

/* Text; color adds ANSI escapes. */
struct cda_rw *cda_rw_text_new(bool color);
/* JSON (json-c, pretty, '/' unescaped; invalid UTF-8 from an input becomes U+FFFD). */
struct cda_rw *cda_rw_json_new(void);

/*
 * A keyed backend whose document is another shape of the JSON one: the tree
 * the primitives built (the JSON report, lib/schema/report-v1.schema.json)
 * goes through reshape when finished, which returns a new document (NULL:
 * out of memory) and leaves the tree alone. JSON is this with no reshape.
 */
struct json_object;
typedef struct json_object *cda_rw_tree_fn(struct json_object *report, const void *ctx);
struct cda_rw *cda_rw_tree_new(cda_rw_tree_fn *reshape, const void *ctx);

/*
 * SARIF 2.1.0 (report_sarif.c): one run; driver.rules[] is the whole rule
 * set rs (ruleIndex points into it), results are the findings and, as
 * kind "review", the indeterminate results. source (NULL: none) is the
 * .dts read from source_path (--source): a result about a device tree input
 * whose node it finds is placed at that line of it, not at line 1 of the
 * blob. The caller keeps *so until cda_rw_finish().
 */
struct cda_ruleset;
struct cda_dts_lines;
struct cda_sarif_opts {
	const struct cda_ruleset *rs;
	const struct cda_dts_lines *source;
	const char *source_path;
};
struct cda_rw *cda_rw_sarif_new(const struct cda_sarif_opts *so);

/*
 * A json-c document as pretty text ending in a newline; invalid UTF-8 from an
 * input becomes U+FFFD, so it stays JSON. malloc'd; NULL on out of memory.
 */
char *cda_json_text(struct json_object *doc);

/*
 * ---- fingerprints (report.c) ----
 *
 * A result's fingerprint names the same problem across runs, so a code
 * scanning service (SARIF partialFingerprints) or a diff of two reports can
 * tell a new finding from one seen before. It is FNV-1a 64 over
 * "cca-dma-audit/v1", the rule id, the kind of the rule's first input ("dt",
 * "dmesg", ...: an audit has at most one input of a kind, so the kind is the
 * input's identity; its path or file name is not, since a recaptured or
 * moved file is the same input), in a run over many trees (cda_audit_merge())
 * the input's name after its kind (its path under the directory given, or
 * the file as given), the subject with the numbers after "line"
 * or "lines" dropped (log and trace subjects are "line N": a line that moves
 * is the same finding) and the property, each ended by a NUL. A rule may
 * give several results the same key (one per restricted pool, all "line N");
 * the second and later, in the order the rule found them (the input's
 * order), are told apart by their occurrence, hashed on.
 */
struct cda_arena;
struct cda_rule;
uint64_t cda_result_key(const struct cda_rule *rule, const char *name, const char *subject,
			const char *property);
/* 16 lower-case hex digits, in a; NULL on out of memory. occurrence counts from 0. */
const char *cda_fingerprint(struct cda_arena *a, uint64_t key, size_t occurrence);

/* ---- the report (report.c) ---- */

/*
 * JUnit XML (report_junit.c): one test case per input x rule run, so it is
 * made from the audit and the rule list, not from the primitives above.
 */
struct cda_ruleset;
int cda_report_junit(const struct cda_audit *au, const struct cda_ruleset *rs, char **out,
		     struct cda_error *err);

/* Everything cda_report_render() shows, written once to any backend. */
void cda_report_write(struct cda_rw *w, const struct cda_audit *au,
		      const struct cda_report_opts *o);

#endif
