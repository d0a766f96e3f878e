/* SPDX-License-Identifier: MIT */
/*
 * rule_facts.h - static fact checking of rules against the fact vocabulary.
 *
 * The facts a rule may name are described once, in lib/schema/facts-v1.schema.json
 * (built into the binary). When a rule is loaded, every fact path in its
 * expressions and templates (host.granule, pool.base, kernel.probes.NAME, ...)
 * is resolved against that schema, so a typo like pool.bse is a rule-file error
 * at start-up, with the names that do exist at that place, rather than a rule
 * that is silently indeterminate on every input.
 *
 * Resolution follows the evaluator (lib/expr_eval.c): a name is a bound variable
 * (for_each or a quantifier), then the rule's let, params, a set-wide let (a
 * rule file's top-level "let"), then a top-level fact; a call of no built-in
 * function names a set-wide function NAME(P, ...), whose body is checked at
 * each call with P bound to the argument's shape. A variable
 * takes the item schema of its list; filter() keeps the list's schema and
 * first() gives an item; other function results and ?: are not checked further.
 * Objects whose keys are open (kernel.config) accept any member; kernel.probes
 * accepts the names of the rule set's probes (cda_fact_schema_use_probes()).
 */
#ifndef CDA_RULE_FACTS_H
#define CDA_RULE_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "builtin_rules.h"
#include "ccadma.h"

struct cda_rule;
struct cda_named_expr;
struct cda_fact_schema;

/* lib/schema/facts-v1.schema.json, embedded by rules/embed-rules.py; ends with { NULL, NULL }. */
extern const struct cda_builtin_file cda_builtin_schema[];

/*
 * Parse the built-in facts schema and the probe names of the built-in
 * rules/probes.json. Errors: -CDA_E_RULE (a built-in file is malformed),
 * -CDA_E_NOMEM.
 */
int cda_fact_schema_load(struct cda_fact_schema **out, struct cda_error *err);
/* Check kernel.probes.NAME against the probes of rs (which outlives fs), not the built-in file's. */
void cda_fact_schema_use_probes(struct cda_fact_schema *fs, const struct cda_ruleset *rs);
void cda_fact_schema_free(struct cda_fact_schema *fs);

/*
 * Check every fact path rule r names, with the rule set's nset set-wide names
 * (checked before, by cda_set_let_check_facts()) in scope. used, when not
 * NULL, holds nset flags: those of the set-wide names r uses, directly or
 * through another, are set. Returns 0, or -1 with one line in msg saying
 * where and what, e.g. "assert: no fact 'pool.bse'; pool (an item of
 * dt.pools) has: path, name, ..." (the caller adds the file and rule id).
 */
int cda_rule_check_facts(const struct cda_fact_schema *fs, const struct cda_named_expr *set_lets,
			 size_t nset, const struct cda_rule *r, bool *used, char *msg, size_t msglen);

/*
 * Check set-wide name i of nset: it hides no top-level fact, and its
 * expression names only facts, its parameters (a function) and the set-wide
 * names before it, so none is recursive; calls of set-wide functions name
 * one and pass as many arguments as it takes. 0, or -1 with a line in msg.
 */
int cda_set_let_check_facts(const struct cda_fact_schema *fs, const struct cda_named_expr *set_lets,
			    size_t nset, size_t i, char *msg, size_t msglen);

#endif
