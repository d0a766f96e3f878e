/* SPDX-License-Identifier: MIT */
/*
 * suppress.h - suppressions (--suppressions FILE) and a baseline (--baseline
 * REPORT.json): what a CI job has accepted, so that only new findings fail
 * it. Neither drops a finding: cda_audit_suppress() marks it (audit.h), the
 * report lists it as suppressed or baselined, and cda_audit_exit_code() does
 * not count it. The loaders take a path so a profile file can name the files
 * too; both may be called more than once (entries and fingerprints add up).
 */
#ifndef CDA_SUPPRESS_H
#define CDA_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct cda_audit;

/* One entry of a suppressions file; every string lives in the set's arena. */
struct cda_suppression {
	const char *rule;        /* rule id or name, or NULL */
	const char *subject;     /* fnmatch(3) glob over the subject ('*' crosses '/'), or NULL: any */
	const char *fingerprint; /* or NULL; with rule too, both must match */
	const char *reason;      /* required */
	const char *expires;     /* YYYY-MM-DD, last day it holds; NULL: never */
	const char *from;        /* "FILE: entry N" (N from 1), for notes */
	bool expired;            /* expires is before the run's date: it suppresses nothing */
	size_t matched;          /* findings it suppressed */
	size_t refused;          /* findings it matched of rules that are not suppressible */
};

struct cda_suppress {
	struct cda_arena *arena;
	char today[11]; /* YYYY-MM-DD */
	const char **files; /* the suppressions files, in order */
	size_t nfiles, capfiles;
	struct cda_suppression *s;
	size_t n, cap;
	/* the baseline: its path (NULL: none) and fingerprints, and which a finding matched */
	const char *baseline;
	const char **base_fp;
	bool *base_seen;
	size_t nbase, capbase;
	/* after cda_audit_suppress() */
	size_t suppressed, baselined, fixed;
};

/*
 * A set dated today ("YYYY-MM-DD"; NULL: the current UTC date). NULL on out
 * of memory or a bad date: cda_date_valid() first.
 */
struct cda_suppress *cda_suppress_new(const char *today);
void cda_suppress_free(struct cda_suppress *s);
bool cda_date_valid(const char *s);

/*
 * Add a suppressions file: {"suppressions": [{"rule", "subject",
 * "fingerprint", "reason", "expires"}, ...]}. Errors: -CDA_E_USAGE (a
 * configuration input: cannot be read, is not that shape, an entry without
 * a reason or with a bad date; the message names the file and the entry),
 * -CDA_E_NOMEM.
 */
int cda_suppress_load(struct cda_suppress *s, const char *path, struct cda_error *err);

/*
 * Add a baseline: a JSON report of this tool (schema_version 1, "findings"
 * with fingerprints); its findings' and suppressed findings' fingerprints.
 * Errors as cda_suppress_load().
 */
int cda_baseline_load(struct cda_suppress *s, const char *path, struct cda_error *err);

/*
 * Mark au's findings: the first unexpired entry that matches suppresses one
 * (unless its rule is not suppressible: the entry's refused count), else a
 * fingerprint in the baseline baselines it. Counts go to s, and au keeps s
 * for the report. Run it once, after cda_audit_run(). 0 always.
 */
int cda_audit_suppress(struct cda_audit *au, struct cda_suppress *s);

#endif
