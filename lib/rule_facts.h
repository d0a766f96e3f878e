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
 * (for_each or a quantifier), then params, then a top-level fact. A variable
 * takes the item schema of its list; filter() keeps the list's schema and
 * first() gives an item; other function results and ?: are not checked further.
 * Objects whose keys are open (kernel.config) accept any member; kernel.probes
 * accepts the probe names of rules/probes.json.
 */
#ifndef CDA_RULE_FACTS_H
#define CDA_RULE_FACTS_H

#include <stddef.h>

#include "builtin_rules.h"
#include "ccadma.h"

struct cda_rule;
struct cda_fact_schema;

/* lib/schema/facts-v1.schema.json, embedded by rules/embed-rules.py; ends with { NULL, NULL }. */
extern const struct cda_builtin_file cda_builtin_schema[];

/*
 * Parse the built-in facts schema and the probe names of the built-in
 * rules/probes.json. Errors: -CDA_E_RULE (a built-in file is malformed),
 * -CDA_E_NOMEM.
 */
int cda_fact_schema_load(struct cda_fact_schema **out, struct cda_error *err);
void cda_fact_schema_free(struct cda_fact_schema *fs);

/*
 * Check every fact path rule r names. Returns 0, or -1 with one line in msg
 * saying where and what, e.g. "assert: no fact 'pool.bse'; pool (an item of
 * dt.pools) has: path, name, ..." (the caller adds the file and rule id).
 */
int cda_rule_check_facts(const struct cda_fact_schema *fs, const struct cda_rule *r,
			 char *msg, size_t msglen);

#endif
