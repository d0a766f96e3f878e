// SPDX-License-Identifier: MIT
/*
 * Expression language: tokenizer and recursive-descent parser.
 * Evaluation lives in expr_eval.c; both share expr_internal.h.
 *
 * Precedence, lowest first (bitwise operators bind tighter than comparisons,
 * as in Python and Go, so `x & mask == 0` means `(x & mask) == 0`):
 *   ?:   ||   &&   == != < <= > >= in   |   ^   &   << >>   + -   * / %   ! ~ -   . []
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

enum tok_kind { TK_EOF, TK_NUM, TK_STR, TK_IDENT, TK_OP };

struct parser {
	struct cda_arena *a;
	const char *src, *p;
	enum tok_kind kind;
	const char *tok;   /* start of the current token */
	size_t toklen;
	uint64_t num;
	char *str;         /* decoded string literal */
	int depth;
	char *err;
	size_t errlen;
	int failed;
};

static void perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "at offset %zu: ", (size_t)(ps->tok - ps->src));
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char *const ops[] = {
	"&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
	"<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~",
	"(", ")", "[", "]", ",", ".", "?", ":",
};

/* Size suffixes are binary: 64K = 65536. */
static int apply_suffix(struct parser *ps, uint64_t *v)
{
	unsigned shift = 0;

	switch (*ps->p) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return 0;
	}
	ps->p++;
	if (*v > (UINT64_MAX >> shift)) {
		perr(ps, "integer literal overflows 64 bits");
		return -1;
	}
	*v <<= shift;
	return 0;
}

static void next(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
	ps->tok = ps->p;
	if (!*ps->p) {
		ps->kind = TK_EOF;
		ps->toklen = 0;
		return;
	}
	if (isdigit((unsigned char)*ps->p)) {
		char *end;

		/* decimal, or hex with 0x: a leading zero is not octal (010 is ten) */
		int base = ps->p[0] == '0' && (ps->p[1] == 'x' || ps->p[1] == 'X') ? 16 : 10;

		errno = 0;
		ps->num = strtoull(ps->p, &end, base);
		if (errno == ERANGE) {
			perr(ps, "integer literal overflows 64 bits");
			return;
		}
		ps->p = end;
		if (apply_suffix(ps, &ps->num))
			return;
		if (isalnum((unsigned char)*ps->p) || *ps->p == '_') {
			perr(ps, "bad integer literal");
			return;
		}
		ps->kind = TK_NUM;
		ps->toklen = (size_t)(ps->p - ps->tok);
		return;
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		ps->kind = TK_IDENT;
		ps->toklen = (size_t)(ps->p - ps->tok);
		return;
	}
	if (*ps->p == '\'' || *ps->p == '"') {
		char q = *ps->p++;
		size_t cap = strlen(ps->p) + 1, n = 0;
		char *s = cda_arena_alloc(ps->a, cap);

		if (!s) {
			perr(ps, "out of memory");
			return;
		}
		while (*ps->p && *ps->p != q) {
			if (*ps->p == '\\' && ps->p[1])
				ps->p++;
			s[n++] = *ps->p++;
		}
		if (*ps->p != q) {
			perr(ps, "unterminated string literal");
			return;
		}
		ps->p++;
		ps->str = s;
		ps->kind = TK_STR;
		ps->toklen = (size_t)(ps->p - ps->tok);
		return;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i]);

		if (!strncmp(ps->p, ops[i], n)) {
			ps->p += n;
			ps->kind = TK_OP;
			ps->toklen = n;
			return;
		}
	}
	perr(ps, "unexpected character '%c'", *ps->p);
}

static int is_op(struct parser *ps, const char *op)
{
	return ps->kind == TK_OP && ps->toklen == strlen(op) && !strncmp(ps->tok, op, ps->toklen);
}

static int is_ident(struct parser *ps, const char *id)
{
	return ps->kind == TK_IDENT && ps->toklen == strlen(id) && !strncmp(ps->tok, id, ps->toklen);
}

static int expect_op(struct parser *ps, const char *op)
{
	if (!is_op(ps, op)) {
		perr(ps, "expected '%s'", op);
		return -1;
	}
	next(ps);
	return ps->failed ? -1 : 0;
}

static struct cda_expr *mk(struct parser *ps, enum node_kind k)
{
	struct cda_expr *e = cda_arena_alloc(ps->a, sizeof(*e));

	if (!e)
		perr(ps, "out of memory");
	else
		e->kind = k;
	if (e)
		e->height = 1;
	return e;
}

/*
 * A node is complete: its height is one more than its highest operand's. Too
 * high a tree is refused here, so the evaluator's and the fact checker's
 * recursion stays bounded whatever the rule file says. Returns e, or NULL.
 */
static struct cda_expr *done(struct parser *ps, struct cda_expr *e)
{
	const struct cda_expr *kids[3 + MAX_ARGS] = { e->a, e->b, e->c };
	int h = 0;

	for (int i = 0; i < e->nargs; i++)
		kids[3 + i] = e->args[i];
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		if (kids[i] && kids[i]->height > h)
			h = kids[i]->height;
	e->height = h + 1;
	if (e->height > CDA_EXPR_MAX_HEIGHT) {
		perr(ps, "expression more than %d levels high (a chain of operators counts one level each)",
		     CDA_EXPR_MAX_HEIGHT);
		return NULL;
	}
	return e;
}

static struct cda_expr *parse_expr(struct parser *ps);

static const struct func_def *find_func(const char *name, size_t len)
{
	for (const struct func_def *f = cda_expr_funcs; f->name; f++)
		if (strlen(f->name) == len && !strncmp(f->name, name, len))
			return f;
	return NULL;
}

/* any(v in LIST: expr) and friends */
static struct cda_expr *parse_quant(struct parser *ps, enum quant_kind q)
{
	struct cda_expr *e = mk(ps, N_QUANT);

	if (!e || expect_op(ps, "("))
		return NULL;
	e->quant = q;
	if (ps->kind != TK_IDENT) {
		perr(ps, "expected a variable name");
		return NULL;
	}
	e->name = cda_arena_strndup(ps->a, ps->tok, ps->toklen);
	next(ps);
	if (!is_ident(ps, "in")) {
		perr(ps, "expected 'in'");
		return NULL;
	}
	next(ps);
	e->a = parse_expr(ps);
	if (!e->a || expect_op(ps, ":"))
		return NULL;
	e->b = parse_expr(ps);
	if (!e->b || expect_op(ps, ")"))
		return NULL;
	e->text = "quantifier";
	return done(ps, e);
}

static struct cda_expr *parse_call(struct parser *ps, const char *name, size_t len)
{
	static const struct { const char *n; enum quant_kind q; } quants[] = {
		{ "any", Q_ANY }, { "all", Q_ALL }, { "count", Q_COUNT },
		{ "first", Q_FIRST }, { "filter", Q_FILTER }, { "map", Q_MAP },
		{ "partition", Q_PARTITION },
	};
	const struct func_def *f;
	struct cda_expr *e;

	for (size_t i = 0; i < sizeof(quants) / sizeof(quants[0]); i++)
		if (strlen(quants[i].n) == len && !strncmp(quants[i].n, name, len))
			return parse_quant(ps, quants[i].q);
	/*
	 * Any other name is a set-wide function (a rule file's "let" key
	 * NAME(P, ...)), which the rule set may define in another file: the
	 * facts checker (rule_facts.c) finds it and counts its arguments.
	 */
	f = find_func(name, len);
	e = mk(ps, N_CALL);
	if (!e || expect_op(ps, "("))
		return NULL;
	e->func = f;
	e->name = cda_arena_strndup(ps->a, name, len);
	if (!e->name) {
		perr(ps, "out of memory");
		return NULL;
	}
	if (!is_op(ps, ")")) {
		for (;;) {
			struct cda_expr *arg;

			if (e->nargs == MAX_ARGS) {
				perr(ps, "too many arguments to %s()", e->name);
				return NULL;
			}
			arg = parse_expr(ps);
			if (!arg)
				return NULL;
			e->args[e->nargs++] = arg;
			if (!is_op(ps, ","))
				break;
			next(ps);
		}
	}
	if (expect_op(ps, ")"))
		return NULL;
	if (f && (e->nargs < f->min_args || e->nargs > f->max_args)) {
		perr(ps, "%s() takes %d to %d arguments, got %d", f->name, f->min_args,
		     f->max_args, e->nargs);
		return NULL;
	}
	e->text = e->name;
	return done(ps, e);
}

static struct cda_expr *parse_primary(struct parser *ps)
{
	struct cda_expr *e;

	if (ps->failed)
		return NULL;
	switch (ps->kind) {
	case TK_NUM:
		e = mk(ps, N_NUM);
		if (e)
			e->num = ps->num;
		next(ps);
		return ps->failed ? NULL : e;
	case TK_STR:
		e = mk(ps, N_STR);
		if (e)
			e->name = ps->str;
		next(ps);
		return ps->failed ? NULL : e;
	case TK_IDENT: {
		const char *name = ps->tok;
		size_t len = ps->toklen;

		next(ps);
		if (ps->failed)
			return NULL;
		if (is_op(ps, "("))
			return parse_call(ps, name, len);
		if ((len == 4 && !strncmp(name, "true", 4)) || (len == 5 && !strncmp(name, "false", 5))) {
			e = mk(ps, N_BOOL);
			if (e)
				e->num = len == 4;
			return e;
		}
		e = mk(ps, N_IDENT);
		if (e) {
			e->name = cda_arena_strndup(ps->a, name, len);
			e->text = e->name;
		}
		return e;
	}
	case TK_OP:
		if (is_op(ps, "(")) {
			next(ps);
			e = parse_expr(ps);
			if (!e || expect_op(ps, ")"))
				return NULL;
			return e;
		}
		perr(ps, "unexpected '%.*s'", (int)ps->toklen, ps->tok);
		return NULL;
	case TK_EOF:
		perr(ps, "unexpected end of expression");
		return NULL;
	}
	return NULL;
}

static struct cda_expr *parse_postfix(struct parser *ps)
{
	struct cda_expr *e = parse_primary(ps);

	while (e && !ps->failed) {
		struct cda_expr *m;

		if (is_op(ps, ".")) {
			next(ps);
			if (ps->kind != TK_IDENT) {
				perr(ps, "expected a member name after '.'");
				return NULL;
			}
			m = mk(ps, N_MEMBER);
			if (!m)
				return NULL;
			m->a = e;
			m->name = cda_arena_strndup(ps->a, ps->tok, ps->toklen);
			if (!done(ps, m))
				return NULL;
			m->text = cda_arena_printf(ps->a, "%s.%s", e->text ? e->text : "(...)", m->name);
			next(ps);
			e = m;
		} else if (is_op(ps, "[")) {
			next(ps);
			m = mk(ps, N_INDEX);
			if (!m)
				return NULL;
			m->a = e;
			m->b = parse_expr(ps);
			if (!m->b || expect_op(ps, "]") || !done(ps, m))
				return NULL;
			m->text = cda_arena_printf(ps->a, "%s[]", e->text ? e->text : "(...)");
			e = m;
		} else {
			break;
		}
	}
	return ps->failed ? NULL : e;
}

static struct cda_expr *parse_unary(struct parser *ps)
{
	if (is_op(ps, "!") || is_op(ps, "~") || is_op(ps, "-")) {
		struct cda_expr *e = mk(ps, N_UNARY);

		if (!e)
			return NULL;
		e->op = *ps->tok;
		if (++ps->depth > CDA_EXPR_MAX_PARENS + 1) {
			perr(ps, "expression nested more than %d deep (parentheses, calls, ?: and unary operators)", CDA_EXPR_MAX_PARENS);
			return NULL;
		}
		next(ps);
		e->a = parse_unary(ps);
		ps->depth--;
		return e->a ? done(ps, e) : NULL;
	}
	return parse_postfix(ps);
}

/* Binary levels, from tightest to loosest; parse_level(i) handles level i. */
static const struct level {
	const char *ops[7];
} levels[] = {
	{ { "*", "/", "%" } },
	{ { "+", "-" } },
	{ { "<<", ">>" } },
	{ { "&" } },
	{ { "^" } },
	{ { "|" } },
	{ { "==", "!=", "<", "<=", ">", ">=", "in" } },
	{ { "&&" } },
	{ { "||" } },
};
#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))

static enum binop binop_of(const char *op)
{
	static const char *const names[] = {
		[B_MUL] = "*", [B_DIV] = "/", [B_MOD] = "%", [B_ADD] = "+", [B_SUB] = "-",
		[B_SHL] = "<<", [B_SHR] = ">>", [B_AND] = "&", [B_XOR] = "^", [B_OR] = "|",
		[B_EQ] = "==", [B_NE] = "!=", [B_LT] = "<", [B_LE] = "<=", [B_GT] = ">",
		[B_GE] = ">=", [B_IN] = "in", [B_LAND] = "&&", [B_LOR] = "||",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], op))
			return (enum binop)i;
	return B_MUL; /* unreachable: every level op is listed */
}

static const char *match_level_op(struct parser *ps, int lvl)
{
	for (int i = 0; i < 7 && levels[lvl].ops[i]; i++) {
		const char *op = levels[lvl].ops[i];

		if (!strcmp(op, "in") ? is_ident(ps, "in") : is_op(ps, op))
			return op;
	}
	return NULL;
}

static struct cda_expr *parse_level(struct parser *ps, int lvl)
{
	struct cda_expr *left;
	const char *op;

	if (lvl < 0)
		return parse_unary(ps);
	left = parse_level(ps, lvl - 1);
	while (left && !ps->failed && (op = match_level_op(ps, lvl))) {
		struct cda_expr *e = mk(ps, N_BINARY);

		if (!e)
			return NULL;
		e->bop = binop_of(op);
		e->a = left;
		next(ps);
		e->b = parse_level(ps, lvl - 1);
		if (!e->b || !done(ps, e))
			return NULL;
		left = e;
	}
	return ps->failed ? NULL : left;
}

static struct cda_expr *parse_expr(struct parser *ps)
{
	struct cda_expr *c, *e;

	/* depth 1 is the expression itself; each '(', call, index, ?: or unary adds one */
	if (++ps->depth > CDA_EXPR_MAX_PARENS + 1) {
		perr(ps, "expression nested more than %d deep (parentheses, calls, ?: and unary operators)", CDA_EXPR_MAX_PARENS);
		return NULL;
	}
	c = parse_level(ps, NLEVELS - 1);
	if (!c || !is_op(ps, "?")) {
		ps->depth--;
		return c;
	}
	next(ps);
	e = mk(ps, N_COND);
	if (!e)
		return NULL;
	e->a = c;
	e->b = parse_expr(ps);
	if (!e->b || expect_op(ps, ":"))
		return NULL;
	e->c = parse_expr(ps);
	ps->depth--;
	return e->c ? done(ps, e) : NULL;
}

static void parser_init(struct parser *ps, struct cda_arena *a, const char *src,
			char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	ps->a = a;
	ps->src = ps->p = ps->tok = src;
	ps->err = err;
	ps->errlen = errlen;
	if (errlen)
		err[0] = '\0';
	next(ps);
}

static int finish(struct parser *ps, struct cda_expr *e)
{
	if (e && !ps->failed && ps->kind != TK_EOF)
		perr(ps, "unexpected '%.*s' after expression", (int)ps->toklen, ps->tok);
	return (!e || ps->failed) ? -1 : 0;
}

int cda_expr_parse(struct cda_arena *a, const char *src, struct cda_expr **out,
		   char *err, size_t errlen)
{
	struct parser ps;
	struct cda_expr *e;

	parser_init(&ps, a, src, err, errlen);
	e = ps.failed ? NULL : parse_expr(&ps);
	if (finish(&ps, e))
		return -1;
	*out = e;
	return 0;
}

int cda_binding_parse(struct cda_arena *a, const char *src, const char **var,
		      struct cda_expr **list, char *err, size_t errlen)
{
	struct parser ps;
	struct cda_expr *e = NULL;

	parser_init(&ps, a, src, err, errlen);
	if (ps.kind != TK_IDENT) {
		perr(&ps, "expected 'NAME in EXPR'");
		return -1;
	}
	*var = cda_arena_strndup(a, ps.tok, ps.toklen);
	next(&ps);
	if (!is_ident(&ps, "in")) {
		perr(&ps, "expected 'in' after the variable name");
		return -1;
	}
	next(&ps);
	if (!ps.failed)
		e = parse_expr(&ps);
	if (finish(&ps, e))
		return -1;
	*list = e;
	return 0;
}

/*
 * Find the '}' closing a template expression that starts at p, skipping
 * quoted strings inside it; NULL if there is none.
 */
static const char *template_close(const char *p)
{
	for (; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			while (*p && *p != q)
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (!*p)
				return NULL;
		} else if (*p == '}') {
			return p;
		}
	}
	return NULL;
}

int cda_template_parse(struct cda_arena *a, const char *src, struct cda_template **out,
		       char *err, size_t errlen)
{
	struct cda_template *t = cda_arena_alloc(a, sizeof(*t));
	struct cda_template_part **tail;
	const char *p = src;
	char *lit;
	size_t n = 0;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tail = &t->parts;
	lit = cda_arena_alloc(a, strlen(src) + 1);
	if (!lit) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			lit[n++] = *p;
			p += 2;
		} else if (*p == '}') {
			snprintf(err, errlen, "at offset %zu: unmatched '}' (write '}}' for a brace)",
				 (size_t)(p - src));
			return -1;
		} else if (*p == '{') {
			const char *end = template_close(p + 1);
			struct cda_template_part *part;
			char *inner, sub[200];

			if (!end) {
				snprintf(err, errlen, "at offset %zu: unterminated '{'", (size_t)(p - src));
				return -1;
			}
			part = cda_arena_alloc(a, sizeof(*part));
			inner = cda_arena_strndup(a, p + 1, (size_t)(end - p - 1));
			if (!part || !inner) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			lit[n] = '\0';
			part->literal = cda_arena_strdup(a, lit);
			n = 0;
			if (cda_expr_parse(a, inner, &part->expr, sub, sizeof(sub))) {
				snprintf(err, errlen, "in '{%s}': %s", inner, sub);
				return -1;
			}
			*tail = part;
			tail = &part->next;
			p = end + 1;
		} else {
			lit[n++] = *p++;
		}
	}
	lit[n] = '\0';
	t->tail = cda_arena_strdup(a, lit);
	*out = t;
	return 0;
}
