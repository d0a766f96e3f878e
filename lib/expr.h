/* SPDX-License-Identifier: MIT */
/*
 * expr.h - the rule expression language and message templates.
 *
 * Expressions are parsed once when a rule is loaded and evaluated many times.
 * Evaluation is three-valued: a value, "unknown" (a fact the expression needs is
 * absent; the reason names it) or an error (wrong types, division by zero).
 * Unknown is not false: `false && unknown` is false, `true && unknown` is
 * unknown, so a rule only becomes indeterminate when the missing fact matters.
 * The grammar and functions are documented in man/cca-dma-audit-rules.5.scd.in.
 *
 * Errors: the parse functions return 0 or -1 with a message in err.
 */
#ifndef CDA_EXPR_H
#define CDA_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"

struct cda_expr;
struct cda_template;

enum cda_eval_status {
	CDA_EVAL_OK = 0,
	CDA_EVAL_UNKNOWN = 1,
	CDA_EVAL_ERROR = -1,
};

#define CDA_EVAL_MAX_BINDINGS 8

/*
 * Limits that keep a hostile rule file from exhausting the stack: the parser
 * and the evaluator recurse over the expression tree. Every operator, call,
 * member access and index is one level above its operands (a chain of N '&&'
 * is N + 1 levels high); parentheses, which add no level, nest at most
 * CDA_EXPR_MAX_PARENS deep. Built-in rules stay under 20 levels.
 */
#define CDA_EXPR_MAX_HEIGHT 256
#define CDA_EXPR_MAX_PARENS 64

/* The most parameters a set-wide function takes (the most arguments any call has). */
#define CDA_EXPR_MAX_PARAMS 4

/* NAME: EXPR, as a rule's "evidence" and "let" objects and a rule file's "let" hold them. */
struct cda_named_expr {
	const char *name;     /* the key as written: "sb", or "pool_of(lo, last)" */
	const char *src;
	struct cda_expr *expr;
	const char *origin; /* the file a set-wide let came from; NULL in a rule */
	/*
	 * A set-wide function (a key "NAME(P, ...)"): fn is NAME, params the
	 * parameter names. A call fn(...) evaluates expr with only the
	 * parameters, the facts and the set-wide names before it in scope.
	 * fn is NULL for a plain name, which an identifier refers to.
	 */
	const char *fn;
	const char *params[CDA_EXPR_MAX_PARAMS];
	size_t nparams;
};

/* Values of set-wide names, computed once per audit (see cda_eval_cache_new()). */
struct cda_eval_cache;

struct cda_eval {
	struct cda_arena *arena;       /* temporaries */
	const struct cda_value *root;  /* top-level facts: host, dt, ... */
	const struct cda_value *params; /* the rule's params object, may be NULL */
	/*
	 * The rule's named sub-expressions ("let"): evaluated when a name refers
	 * to one, in the rule's own scope (its for_each variable, the lets before
	 * it, params, set-wide names, facts), never in the scope of a quantifier
	 * that happens to surround the reference. Unused, a let costs nothing
	 * and can make nothing unknown.
	 */
	const struct cda_named_expr *lets; /* may be NULL */
	size_t nlets;                  /* of them, those a name may refer to here */
	size_t let_base;               /* bindings of the rule's own scope (its for_each) */
	/*
	 * The rule set's names (a rule file's top-level "let"), below the
	 * rule's own lets and params: evaluated when a name refers to one, over
	 * the facts and the set-wide names before it only.
	 */
	const struct cda_named_expr *set_lets; /* may be NULL */
	size_t nset_lets;              /* of them, those a name may refer to here */
	struct cda_eval_cache *cache;  /* of the plain set-wide names; NULL: none */
	struct {
		const char *name;
		const struct cda_value *val;
	} bind[CDA_EVAL_MAX_BINDINGS];
	size_t nbind;
	char reason[256]; /* set by the first unknown or error */
};

int cda_expr_parse(struct cda_arena *a, const char *src, struct cda_expr **out,
		   char *err, size_t errlen);
/* "VAR in EXPR", as used by a rule's for_each. */
int cda_binding_parse(struct cda_arena *a, const char *src, const char **var,
		      struct cda_expr **list, char *err, size_t errlen);
/* "text {expr} text"; "{{" and "}}" are literal braces. */
int cda_template_parse(struct cda_arena *a, const char *src, struct cda_template **out,
		       char *err, size_t errlen);

enum cda_eval_status cda_expr_eval(struct cda_eval *ev, const struct cda_expr *e,
				   struct cda_value **out);
/* Render into an arena string (*out); unknown/error as for expressions. */
enum cda_eval_status cda_template_render(struct cda_eval *ev, const struct cda_template *t,
					 const char **out);

/*
 * A cache for the values of ev's set-wide names that take no parameters:
 * they read only facts and other set-wide names, so each is evaluated at
 * most once while the cache is in ev->cache, and unknown or error results
 * with their reasons are kept too. It lives in ev->arena with the values;
 * make a new one whenever the facts change (cda_audit_run() does, per
 * audit). NULL when out of memory.
 */
struct cda_eval_cache *cda_eval_cache_new(struct cda_arena *a, size_t nset_lets);
/* How many set-wide names were evaluated through the cache (computed, not reused). */
size_t cda_eval_cache_misses(const struct cda_eval_cache *c);
/* Is name a built-in function or quantifier (a set-wide function may not take it)? */
bool cda_expr_is_builtin(const char *name);

/* Push a variable binding (at most CDA_EVAL_MAX_BINDINGS); 0 or -1. */
int cda_eval_bind(struct cda_eval *ev, const char *name, const struct cda_value *v);
void cda_eval_unbind(struct cda_eval *ev);

/* Text form used in messages: hex integers as 0x..., lists comma-separated. */
const char *cda_value_format(struct cda_arena *a, const struct cda_value *v);

#endif
