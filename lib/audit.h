/* SPDX-License-Identifier: MIT */
/* audit.h - the audit context: facts, the inputs they came from, and results. */
#ifndef CDA_AUDIT_H
#define CDA_AUDIT_H

#include "ccadma.h"
#include "facts.h"
#include "rules.h"

struct cda_input {
	const char *kind;   /* top-level fact name it fills: "dt", ... */
	const char *path;   /* as given by the user ("<stdin>" for -) */
	const char *format; /* "dtb", "fs", ...; NULL when unreadable */
	/*
	 * What fingerprints know the input by besides its kind, in a run over
	 * many of one kind (cda_audit_name_input()); NULL: by its kind alone.
	 */
	const char *name;
	const char *unreadable; /* why it could not be read, or NULL: audited */
};

struct cda_suppression;
struct cda_suppress;

struct cda_finding {
	const struct cda_rule *rule;
	const char *subject;  /* DT path, symbol, debugfs file, ... */
	const char *file;     /* input the finding is about */
	const char *property; /* NULL when not about one property */
	const char *message;
	const char *fix;      /* NULL when the rule has none */
	struct cda_value *evidence; /* object */
	uint64_t key;               /* cda_result_key(), for the fingerprint's occurrence */
	const char *fingerprint;    /* cda_fingerprint(): stable across captures */
	/* set by cda_audit_suppress(): neither counts for --fail-on */
	const struct cda_suppression *suppressed; /* the entry that hides it, or NULL */
	bool baselined;                           /* its fingerprint is in the baseline */
};

struct cda_indeterminate {
	const struct cda_rule *rule;
	const char *file;    /* input the result is about (the rule's first) */
	const char *subject; /* NULL when the rule could not even list its subjects */
	const char *reason;
	uint64_t key;
	const char *fingerprint;
};

/*
 * A rule lists at most CDA_MAX_RESULTS_PER_RULE findings and as many
 * indeterminate results; the rest are counted here, so a hostile tree of
 * 100,000 bad nodes gives a report of bounded size that still says how many.
 */
#define CDA_MAX_RESULTS_PER_RULE 1000

struct cda_omitted {
	const struct cda_rule *rule;
	const char *file; /* the input of its results (the rule's first) */
	size_t findings, indeterminate;
};

struct cda_audit {
	struct cda_arena *arena;
	struct cda_value *facts; /* root object */
	struct cda_input *inputs;
	size_t ninputs, capinputs;
	struct cda_finding *findings;
	size_t nfindings, capfindings;
	struct cda_indeterminate *indet;
	size_t nindet, capindet;
	struct cda_omitted *omitted; /* rules that had more results than they list */
	size_t nomitted, capomitted;
	/* inputs given that could not be read: the analysis is incomplete (cda_exit_status()) */
	size_t unreadable;
	/* rules counted by outcome in the last run */
	size_t rules_run, rules_not_applicable, rules_disabled, checks_passed;
	/* suppressions and baseline applied (cda_audit_suppress()), or NULL */
	const struct cda_suppress *suppress;
};

/* Record an input; kind and format are static strings. 0 or -CDA_E_NOMEM. */
int cda_audit_add_input(struct cda_audit *au, const char *kind, const char *path,
			const char *format, struct cda_error *err);
const struct cda_input *cda_audit_input(const struct cda_audit *au, const char *kind);
/* Name the input of this kind for its fingerprints (struct cda_input.name). 0 or -CDA_E_NOMEM. */
int cda_audit_name_input(struct cda_audit *au, const char *kind, const char *name,
			 struct cda_error *err);
/*
 * Many inputs of one kind, one report: each is audited on its own (an audit
 * of its own, run), then its inputs, results and counts are copied into
 * into, whose report covers them all; from may then be freed. The kinds
 * from held are marked loaded in into, so cda_audit_rule_ran() answers for
 * the whole as for each part. 0 or -CDA_E_NOMEM.
 */
int cda_audit_merge(struct cda_audit *into, const struct cda_audit *from, struct cda_error *err);
/*
 * Whether cda_audit_run() runs the rule: enabled, and every input it needs
 * loaded. A report that lists rules one by one (JUnit) tells a rule that
 * passed from one that was never run by this, as the engine does.
 */
bool cda_audit_rule_ran(const struct cda_audit *au, const struct cda_rule *rule);

#endif
