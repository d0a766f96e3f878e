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

/* NAME: EXPR, as a rule's "evidence" and "let" objects hold them. */
struct cda_named_expr {
	const char *name;
	const char *src;
	struct cda_expr *expr;
};

struct cda_eval {
	struct cda_arena *arena;       /* temporaries */
	const struct cda_value *root;  /* top-level facts: host, dt, ... */
	const struct cda_value *params; /* the rule's params object, may be NULL */
	/*
	 * The rule's named sub-expressions ("let"): evaluated when a name refers
	 * to one, in the rule's own scope (its for_each variable, the lets before
	 * it, params, facts), never in the scope of a quantifier that happens to
	 * surround the reference. Unused, a let costs nothing and can make
	 * nothing unknown.
	 */
	const struct cda_named_expr *lets; /* may be NULL */
	size_t nlets;                  /* of them, those a name may refer to here */
	size_t let_base;               /* bindings of the rule's own scope (its for_each) */
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

/* Push a variable binding (at most CDA_EVAL_MAX_BINDINGS); 0 or -1. */
int cda_eval_bind(struct cda_eval *ev, const char *name, const struct cda_value *v);
void cda_eval_unbind(struct cda_eval *ev);

/* Text form used in messages: hex integers as 0x..., lists comma-separated. */
const char *cda_value_format(struct cda_arena *a, const struct cda_value *v);

#endif
