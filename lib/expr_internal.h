/* SPDX-License-Identifier: MIT */
/* expr_internal.h - AST shared by the parser (expr.c) and evaluator (expr_eval.c). */
#ifndef CDA_EXPR_INTERNAL_H
#define CDA_EXPR_INTERNAL_H

#include "expr.h"

#define MAX_ARGS 4

enum node_kind { N_NUM, N_STR, N_BOOL, N_IDENT, N_MEMBER, N_INDEX, N_UNARY, N_BINARY,
		 N_COND, N_CALL, N_QUANT };

enum binop { B_MUL, B_DIV, B_MOD, B_ADD, B_SUB, B_SHL, B_SHR, B_AND, B_XOR, B_OR,
	     B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_IN, B_LAND, B_LOR };

enum quant_kind { Q_ANY, Q_ALL, Q_COUNT, Q_FIRST, Q_FILTER, Q_MAP, Q_PARTITION };

struct func_def;

struct cda_expr {
	enum node_kind kind;
	uint64_t num;         /* N_NUM, N_BOOL */
	const char *name;     /* N_STR text, N_IDENT/N_MEMBER name, N_QUANT variable */
	const char *text;     /* source-like path for "unknown" reasons, e.g. pool.alignment */
	char op;              /* N_UNARY: ! ~ - */
	enum binop bop;
	enum quant_kind quant;
	const struct func_def *func;
	struct cda_expr *a, *b, *c;
	struct cda_expr *args[MAX_ARGS];
	int nargs;
	int height;           /* 1 for a leaf; bounded by CDA_EXPR_MAX_HEIGHT at parse time */
};

struct cda_template_part {
	const char *literal;  /* text before the expression */
	struct cda_expr *expr;
	struct cda_template_part *next;
};

struct cda_template {
	struct cda_template_part *parts;
	const char *tail;
};

typedef enum cda_eval_status (*func_impl)(struct cda_eval *ev, struct cda_value **args,
					  struct cda_value **out);

struct func_def {
	const char *name;
	int min_args, max_args;
	func_impl impl;       /* NULL for has(), which the evaluator handles itself */
};

extern const struct func_def cda_expr_funcs[];

#endif
