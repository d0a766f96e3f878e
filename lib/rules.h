/* SPDX-License-Identifier: MIT */
/*
 * rules.h - rules as data: the parsed form of the rule files in rules/.
 *
 * A rule names what it iterates (for_each), when it applies (where), what must
 * hold (assert) and how to explain a failure (message, fix, evidence). Every
 * expression and template is parsed when the rule is loaded, so a bad rule file
 * fails at start-up (exit 3), not halfway through an audit.
 */
#ifndef CDA_RULES_H
#define CDA_RULES_H

#include "ccadma.h"
#include "expr.h"
#include "probe.h"

struct cda_rule {
	const char *id;          /* stable, e.g. GRAN001 */
	const char *name;        /* slug, e.g. restricted-pool-static-granule */
	enum cda_severity severity;
	const char *summary;     /* one line */
	const char *why;         /* kernel behaviour, with DOMAIN.md facts */
	const char **inputs;     /* top-level facts the rule needs, e.g. "dt" */
	size_t ninputs;
	const char **refs;
	size_t nrefs;
	const char *for_each_src, *where_src, *assert_src;
	const char *for_var;     /* NULL when the rule does not iterate */
	struct cda_expr *for_list, *where, *assert_;
	const char *message_src, *fix_src;
	struct cda_template *message, *fix, *subject, *property;
	struct cda_named_expr *evidence;
	size_t nevidence;
	struct cda_named_expr *lets; /* "let": named sub-expressions, in file order */
	size_t nlets;
	/* The set-wide names its expressions use, directly or through one another (when checked). */
	const struct cda_named_expr *uses;
	size_t nuses;
	struct cda_value *params; /* object or NULL */
	bool enabled;
	bool suppressible;       /* false: no suppression hides its findings ("suppressible") */
	const char *origin;      /* file the rule came from */
	const char *json;        /* its object as loaded (plain JSON text): the lossless export */
};

/*
 * A rule re-levelled, disabled or enabled after loading, and by what
 * ("command line", or a profile file's name): the report lists them all.
 */
struct cda_rule_override {
	const char *rule_id;
	bool is_severity;          /* else enabled/disabled */
	int value;                 /* enum cda_severity, or 0/1 for enabled */
	const char *from;
};

struct cda_ruleset {
	struct cda_arena *arena;
	struct cda_rule **rules;
	size_t n, cap;
	struct cda_probe **probes; /* the rule files' "probes" (rule_probes.c) */
	size_t nprobes, probes_cap;
	/*
	 * Set-wide names: the rule files' top-level "let", which every rule may
	 * use. One is evaluated over the facts and the set-wide names defined
	 * before it only; a rule's own let of the same name hides it.
	 * A later file's definition replaces an earlier one in place, as a rule
	 * with the same id does, so --rules can redefine a guard for all rules.
	 */
	struct cda_named_expr *lets;
	size_t nlets, lets_cap;
	/* Changes made after loading, one per rule and kind, the last one kept. */
	struct cda_rule_override *overrides;
	size_t noverrides, overrides_cap;
};

/*
 * Parse one rule file's text; origin names it in errors. Facts are checked
 * once a whole source is loaded (this text, a --rules file or directory, the
 * built-in files), so a rule may use a set-wide name another file of the
 * same source defines. Errors: -CDA_E_RULE, -CDA_E_NOMEM.
 */
int cda_ruleset_load_text(struct cda_ruleset *rs, const char *origin, const char *text,
			  struct cda_error *err);

/* Find by id or name; NULL if absent. */
const struct cda_rule *cda_ruleset_find(const struct cda_ruleset *rs, const char *id_or_name);

/* ---- probes (rule_probes.c) ---- */

struct json_object;
/* Add root's "probes" (absent: none), replacing those of the same name. -CDA_E_RULE, -CDA_E_NOMEM. */
int cda_ruleset_load_probes(struct cda_ruleset *rs, const char *origin, struct json_object *root,
			    struct cda_error *err);
/* Load the built-in rules/probes.json alone (no rules): for a kernel loaded without a rule set. */
int cda_ruleset_load_builtin_probes(struct cda_ruleset *rs, struct cda_error *err);
/* The probes to answer, in load order; a view into rs. */
struct cda_probes cda_ruleset_probes(const struct cda_ruleset *rs);
/* A probe by name; NULL if absent. */
const struct cda_probe *cda_ruleset_find_probe(const struct cda_ruleset *rs, const char *name);

#endif
