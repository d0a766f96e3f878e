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
	struct cda_value *params; /* object or NULL */
	bool enabled;
	const char *origin;      /* file the rule came from */
};

struct cda_ruleset {
	struct cda_arena *arena;
	struct cda_rule **rules;
	size_t n, cap;
};

/* Parse one rule file's text; origin names it in errors. Errors: -CDA_E_RULE, -CDA_E_NOMEM. */
int cda_ruleset_load_text(struct cda_ruleset *rs, const char *origin, const char *text,
			  struct cda_error *err);

/* Find by id or name; NULL if absent. */
const struct cda_rule *cda_ruleset_find(const struct cda_ruleset *rs, const char *id_or_name);

#endif
