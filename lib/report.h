/* SPDX-License-Identifier: MIT */
/*
 * report.h - the one report writer: the parts of a report are enumerated once
 * (report.c) through these backend-neutral primitives, and each output format
 * is a backend of them (report_writer.c: text, JSON; SARIF is to come).
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
 * A json-c document as pretty text ending in a newline; invalid UTF-8 from an
 * input becomes U+FFFD, so it stays JSON. malloc'd; NULL on out of memory.
 */
struct json_object;
char *cda_json_text(struct json_object *doc);

/* ---- the report (report.c) ---- */

/* Everything cda_report_render() shows, written once to any backend. */
void cda_report_write(struct cda_rw *w, const struct cda_audit *au,
		      const struct cda_report_opts *o);

#endif
