// SPDX-License-Identifier: MIT
/* Unit tests for the rule expression language (lib/expr.c, lib/expr_eval.c). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr.h"

struct fx {
	struct cda_arena *a;
	struct cda_value *root;
	struct cda_eval ev;
};

/* Facts: pool {base 0x80001000 (hex), size 0x400000 (hex), name}, pools [3 objs], host.granule */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cda_value *pool, *pools, *host;

	f->a = cda_arena_new();
	f->root = cda_v_obj(f->a);
	pool = cda_v_obj(f->a);
	cda_obj_set_hex(f->a, pool, "base", 0x80001000);
	cda_obj_set_hex(f->a, pool, "size", 0x400000);
	cda_obj_set_str(f->a, pool, "path", "/reserved-memory/pool@80001000");
	cda_obj_set(f->a, f->root, "pool", pool);
	pools = cda_v_list(f->a);
	for (uint64_t i = 0; i < 3; i++) {
		struct cda_value *p = cda_v_obj(f->a);

		cda_obj_set_u64(f->a, p, "n", i);
		if (i != 1)
			cda_obj_set_bool(f->a, p, "flag", i == 2);
		cda_list_push(f->a, pools, p);
	}
	cda_obj_set(f->a, f->root, "pools", pools);
	host = cda_v_obj(f->a);
	cda_obj_set_hex(f->a, host, "granule", 65536);
	cda_obj_set(f->a, f->root, "host", host);
	f->ev.arena = f->a;
	f->ev.root = f->root;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cda_arena_free(f->a);
	free(f);
	return 0;
}

static enum cda_eval_status eval(struct fx *f, const char *src, struct cda_value **out)
{
	struct cda_expr *e;
	char err[256];

	if (cda_expr_parse(f->a, src, &e, err, sizeof(err)))
		fail_msg("parse '%s': %s", src, err);
	f->ev.reason[0] = '\0';
	return cda_expr_eval(&f->ev, e, out);
}

static uint64_t u64_of(struct fx *f, const char *src)
{
	struct cda_value *v;

	assert_int_equal(eval(f, src, &v), CDA_EVAL_OK);
	assert_int_equal(v->type, CDA_T_U64);
	return v->u;
}

static int bool_of(struct fx *f, const char *src)
{
	struct cda_value *v;
	enum cda_eval_status st = eval(f, src, &v);

	if (st != CDA_EVAL_OK)
		fail_msg("'%s': status %d (%s)", src, st, f->ev.reason);
	assert_int_equal(v->type, CDA_T_BOOL);
	return v->b;
}

static const char *str_of(struct fx *f, const char *src)
{
	struct cda_value *v;

	assert_int_equal(eval(f, src, &v), CDA_EVAL_OK);
	return cda_value_format(f->a, v);
}

static void test_literals_and_arithmetic(void **state)
{
	struct fx *f = *state;

	assert_int_equal(u64_of(f, "64K"), 65536);
	assert_int_equal(u64_of(f, "2M + 0x10"), 2 * 1024 * 1024 + 16);
	assert_int_equal(u64_of(f, "1G"), 1ull << 30);
	assert_int_equal(u64_of(f, "7 / 2 * 2 + 7 % 2"), 7);
	assert_int_equal(u64_of(f, "1 << 47"), 1ull << 47);
	assert_int_equal(u64_of(f, "0 - 1"), UINT64_MAX); /* u64 wrap-around, documented */
	assert_int_equal(u64_of(f, "~0 >> 60"), 15);
	assert_int_equal(u64_of(f, "1 << 64"), 0);      /* shifts >= 64 give 0, not UB */
	assert_int_equal(u64_of(f, "0xf0 & 0x3c | 1 ^ 3"), (0xf0 & 0x3c) | (1 ^ 3));
	/* literals are decimal or 0x hex, as the rules man page says: never octal */
	assert_int_equal(u64_of(f, "010"), 10);
	assert_int_equal(u64_of(f, "09"), 9);
	assert_int_equal(u64_of(f, "0X1f"), 31);
}

static void test_precedence(void **state)
{
	struct fx *f = *state;

	/* Bitwise binds tighter than comparison (unlike C). */
	assert_true(bool_of(f, "pool.base & 0xfff == 0"));
	assert_true(bool_of(f, "1 + 2 * 3 == 7"));
	assert_true(bool_of(f, "true || false && false"));
	assert_int_equal(u64_of(f, "true ? 1 : 2"), 1);
	assert_int_equal(u64_of(f, "false ? 1 : true ? 2 : 3"), 2);
}

static void test_functions(void **state)
{
	struct fx *f = *state;

	assert_false(bool_of(f, "aligned(pool.base, host.granule)"));
	assert_true(bool_of(f, "aligned(pool.size, 64K)"));
	assert_string_equal(str_of(f, "align_up(pool.base, host.granule)"), "0x80010000");
	assert_string_equal(str_of(f, "align_down(pool.base, 64K)"), "0x80000000");
	assert_true(bool_of(f, "overlaps(0x1000, 0x1000, 0x1fff, 1)"));
	assert_false(bool_of(f, "overlaps(0x1000, 0x1000, 0x2000, 1)"));
	assert_false(bool_of(f, "overlaps(0x1000, 0, 0x1000, 1)"));
	/* ranges that run past 2^64 saturate rather than wrap */
	assert_true(bool_of(f, "overlaps(0xffffffffffff0000, 0x20000, 0xfffffffffffff000, 1)"));
	assert_true(bool_of(f, "inside(0x80001000, 0x1000, 0x80000000, 1M)"));
	assert_false(bool_of(f, "inside(0x800ff000, 0x2000, 0x80000000, 1M)"));
	assert_string_equal(str_of(f, "hex(255)"), "0xff");
	assert_string_equal(str_of(f, "size(64K)"), "64 KiB");
	assert_string_equal(str_of(f, "size(3M)"), "3 MiB");
	assert_string_equal(str_of(f, "size(4097)"), "4097 bytes");
	assert_int_equal(u64_of(f, "len(pools)"), 3);
	assert_int_equal(u64_of(f, "max(3, 9)"), 9);
	assert_true(bool_of(f, "is_pow2(64K) && !is_pow2(0) && !is_pow2(3)"));
	assert_true(bool_of(f, "starts_with(pool.path, '/reserved-memory/')"));
	assert_string_equal(str_of(f, "join(map(p in pools: p.n), '+')"), "0+1+2");
	assert_true(bool_of(f, "'a' + 'b' == 'ab'"));
}

static void test_quantifiers(void **state)
{
	struct fx *f = *state;

	assert_true(bool_of(f, "any(p in pools: p.n == 2)"));
	assert_false(bool_of(f, "all(p in pools: p.n < 2)"));
	assert_int_equal(u64_of(f, "count(p in pools: p.n > 0)"), 2);
	assert_int_equal(u64_of(f, "first(p in pools: p.n > 0).n"), 1);
	assert_int_equal(u64_of(f, "len(filter(p in pools: p.n != 1))"), 2);
	/* nested quantifiers bind their own variables */
	assert_true(bool_of(f, "all(p in pools: any(q in pools: q.n == p.n))"));
	assert_true(bool_of(f, "2 in map(p in pools: p.n)"));
	assert_false(bool_of(f, "7 in map(p in pools: p.n)"));
}

static void test_list_functions(void **state)
{
	struct fx *f = *state;
	struct cda_value *v;

	/* pools' n are 0, 1, 2 */
	assert_int_equal(u64_of(f, "sum(map(p in pools: p.n + 1))"), 6);
	assert_int_equal(u64_of(f, "sum(filter(p in pools: false))"), 0);
	assert_int_equal(u64_of(f, "min(map(p in pools: 7 - p.n))"), 5);
	assert_int_equal(u64_of(f, "max(map(p in pools: 7 - p.n))"), 7);
	assert_string_equal(str_of(f, "join(map(x in sort(map(p in pools: 9 - p.n * 4)): str(x)), ',')"),
			    "1,5,9");
	assert_string_equal(str_of(f, "join(map(x in unique(map(p in pools: p.n / 2)): str(x)), ',')"),
			    "0,1");
	assert_int_equal(u64_of(f, "len(take(pools, 2)) * 10 + len(take(pools, 9))"), 23);
	assert_int_equal(u64_of(f, "len(flatten(map(p in pools: pools)))"), 9);
	assert_string_equal(str_of(f, "join(map(x in flatten(map(p in pools: map(q in take(pools, p.n): q.n))): "
				      "str(x)), ',')"), "0,0,1");
	/* partition: lists of equal keys, in the order their first items come */
	assert_string_equal(str_of(f, "join(map(l in partition(p in pools: p.n % 2): "
				      "join(map(p in l: str(p.n)), '+')), ',')"), "0+2,1");
	assert_int_equal(u64_of(f, "len(partition(p in pools: 'one'))"), 1);
	/* min() of no items has no answer; a list of other things is an error */
	assert_int_equal(eval(f, "min(filter(p in pools: false))", &v), CDA_EVAL_UNKNOWN);
	assert_int_equal(eval(f, "sum(pools)", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "sort(map(p in pools: str(p.n)))", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "flatten(map(p in pools: p.n))", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "partition(p in pools: p.missing)", &v), CDA_EVAL_UNKNOWN);
}

static void test_unknown_is_not_false(void **state)
{
	struct fx *f = *state;
	struct cda_value *v;

	assert_int_equal(eval(f, "pool.alignment == 64K", &v), CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no fact 'pool.alignment'");
	assert_int_equal(eval(f, "!has(nothing) && nothing.x", &v), CDA_EVAL_UNKNOWN);
	/* a decided side wins over an unknown one */
	assert_false(bool_of(f, "pool.alignment == 1 && false"));
	assert_true(bool_of(f, "pool.alignment == 1 || true"));
	assert_false(bool_of(f, "has(pool.alignment)"));
	assert_true(bool_of(f, "has(pool.base)"));
	/* element 1 has no flag: any() is still decided by element 2, all() by element 0 */
	assert_true(bool_of(f, "any(p in pools: p.flag)"));
	assert_false(bool_of(f, "all(p in pools: p.flag)"));
	assert_int_equal(eval(f, "count(p in pools: p.flag)", &v), CDA_EVAL_UNKNOWN);
	assert_int_equal(eval(f, "first(p in pools: p.n == 9)", &v), CDA_EVAL_UNKNOWN);
	/* a resolved unknown leaves no stale reason behind */
	assert_false(bool_of(f, "pool.alignment == 1 && false"));
	assert_string_equal(f->ev.reason, "");	/* need(): the rule's own reason instead of a fact name */
	assert_true(bool_of(f, "need(has(pool.base), 'why')"));
	assert_int_equal(eval(f, "need(has(pool.alignment), 'no alignment given') && true", &v),
			 CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no alignment given");
	assert_false(bool_of(f, "false && need(false, 'unused')"));
	assert_int_equal(eval(f, "need(1, 'x')", &v), CDA_EVAL_ERROR);
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	struct cda_value *v;

	assert_int_equal(eval(f, "1 / 0", &v), CDA_EVAL_ERROR);
	assert_string_equal(f->ev.reason, "division by zero");
	assert_int_equal(eval(f, "aligned(1, 0)", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "'a' == 1", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "pool.path + 1", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "pools.n", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "align_up(0xffffffffffffff01, 0x100)", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "!1", &v), CDA_EVAL_ERROR);
	assert_int_equal(eval(f, "pools[5]", &v), CDA_EVAL_UNKNOWN);
}

static void expect_parse_error(struct fx *f, const char *src, const char *needle)
{
	struct cda_expr *e;
	char err[256];

	assert_int_equal(cda_expr_parse(f->a, src, &e, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", src, err, needle);
}

static void test_parse_errors(void **state)
{
	struct fx *f = *state;

	expect_parse_error(f, "1 +", "unexpected end");
	expect_parse_error(f, "aligned(1)", "takes 2 to 2 arguments");
	expect_parse_error(f, "'open", "unterminated string");
	expect_parse_error(f, "1 2", "after expression");
	expect_parse_error(f, "99999999999999999999", "overflows");
	expect_parse_error(f, "0xffffffffffffffffK", "overflows");
	expect_parse_error(f, "12abc", "bad integer");
	expect_parse_error(f, "0x", "bad integer");
	expect_parse_error(f, "a $ b", "unexpected character");
	expect_parse_error(f, "any(p pools: 1)", "expected 'in'");
}

/* open x n + mid + close x n, e.g. "((1))" */
static char *nest(const char *open, int n, const char *mid, const char *close)
{
	size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
	char *s = malloc((lo + lc) * (size_t)n + lm + 1), *p = s;

	for (int i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, mid, lm);
	p += lm;
	for (int i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

/* first + rest x n + last, e.g. "true" + " && true" x n */
static char *chain(const char *first, const char *rest, int n, const char *last)
{
	size_t lf = strlen(first), lr = strlen(rest), ll = strlen(last);
	char *s = malloc(lf + lr * (size_t)n + ll + 1), *p = s;

	memcpy(p, first, lf);
	p += lf;
	for (int i = 0; i < n; i++, p += lr)
		memcpy(p, rest, lr);
	memcpy(p, last, ll + 1);
	return s;
}

/* at parses (and, when evaluate, evaluates without error); over is refused. */
static void expect_at_limit(struct fx *f, char *at, char *over, bool evaluate, const char *needle)
{
	struct cda_expr *e;
	struct cda_value *v;
	char err[256];

	if (cda_expr_parse(f->a, at, &e, err, sizeof(err)))
		fail_msg("at the limit: %s", err);
	/* the evaluator walks the whole tree: it must not need more stack than the parser */
	if (evaluate)
		assert_int_equal(cda_expr_eval(&f->ev, e, &v), CDA_EVAL_OK);
	expect_parse_error(f, over, needle);
	free(at);
	free(over);
}

/*
 * The nesting limits (expr.h) at the limit and one past it, for each way of
 * nesting, and far past it: a hostile rule of 100,000 chained '&&' is an error,
 * not a stack overflow.
 */
static void test_nesting_limits(void **state)
{
	struct fx *f = *state;
	int h = CDA_EXPR_MAX_HEIGHT, p = CDA_EXPR_MAX_PARENS;
	const char *deep = "nested more than 64 deep", *high = "more than 256 levels high";

	expect_at_limit(f, nest("(", p, "1", ")"), nest("(", p + 1, "1", ")"), true, deep);
	expect_at_limit(f, nest("!", p, "true", ""), nest("!", p + 1, "true", ""), true, deep);
	expect_at_limit(f, nest("min(1, ", p, "2", ")"), nest("min(1, ", p + 1, "2", ")"), true, deep);
	expect_at_limit(f, chain("true", " && true", h - 1, ""), chain("true", " && true", h, ""),
			true, high);
	expect_at_limit(f, chain("1", " + 1", h - 1, ""), chain("1", " + 1", h, ""), true, high);
	expect_at_limit(f, chain("pool", ".x", h - 1, ""), chain("pool", ".x", h, ""), false, high);
	expect_at_limit(f, chain("pools", "[0]", h - 1, ""), chain("pools", "[0]", h, ""), false, high);
	expect_at_limit(f, chain("", "-", p, "1"), chain("", "-", p + 1, "1"), false, deep);
	char *flat = chain("true", " && true", 100000, ""), *nested = chain("true", " || (true", 100000, "");

	expect_parse_error(f, flat, high);
	expect_parse_error(f, nested, deep);
	free(flat);
	free(nested);
}

static void test_templates(void **state)
{
	struct fx *f = *state;
	struct cda_template *t;
	const char *out;
	char err[256];

	assert_int_equal(cda_template_parse(f->a, "pool {pool} at {pool.base} ({size(pool.size)}) {{x}}", &t, err, sizeof(err)), 0);
	assert_int_equal(cda_template_render(&f->ev, t, &out), CDA_EVAL_OK);
	assert_string_equal(out, "pool /reserved-memory/pool@80001000 at 0x80001000 (4 MiB) {x}");
	assert_int_equal(cda_template_parse(f->a, "{'}' + 'a'}", &t, err, sizeof(err)), 0);
	assert_int_equal(cda_template_render(&f->ev, t, &out), CDA_EVAL_OK);
	assert_string_equal(out, "}a");
	assert_int_equal(cda_template_parse(f->a, "{pool.nope}", &t, err, sizeof(err)), 0);
	assert_int_equal(cda_template_render(&f->ev, t, &out), CDA_EVAL_UNKNOWN);
	assert_int_equal(cda_template_parse(f->a, "a {b", &t, err, sizeof(err)), -1);
	assert_int_equal(cda_template_parse(f->a, "a } b", &t, err, sizeof(err)), -1);
	assert_int_equal(cda_template_parse(f->a, "{1 +}", &t, err, sizeof(err)), -1);
}

static void test_binding(void **state)
{
	struct fx *f = *state;
	struct cda_expr *e;
	const char *var;
	char err[256];

	assert_int_equal(cda_binding_parse(f->a, "p in pools", &var, &e, err, sizeof(err)), 0);
	assert_string_equal(var, "p");
	assert_int_equal(cda_binding_parse(f->a, "pools", &var, &e, err, sizeof(err)), -1);
	assert_int_equal(cda_binding_parse(f->a, "p in", &var, &e, err, sizeof(err)), -1);
}

/* Set-wide names for the tests below, in order: each sees only those before it. */
static void set_names(struct fx *f, struct cda_named_expr *l, size_t n)
{
	char err[256];

	for (size_t i = 0; i < n; i++) {
		if (cda_expr_parse(f->a, l[i].src, &l[i].expr, err, sizeof(err)))
			fail_msg("parse '%s': %s", l[i].src, err);
	}
	f->ev.set_lets = l;
	f->ev.nset_lets = n;
}

/*
 * A plain set-wide name is computed once while a cache is in place, however
 * often and wherever it is used; an unknown one too, its reason replayed.
 */
static void test_set_let_cache(void **state)
{
	struct fx *f = *state;
	struct cda_named_expr l[] = {
		{ .name = "total", .src = "sum(map(p in pools: p.n))" },
		{ .name = "gone", .src = "pool.nosuch + total" },
	};
	struct cda_value *v;

	set_names(f, l, 2);
	assert_int_equal(u64_of(f, "total + total"), 6);
	f->ev.cache = cda_eval_cache_new(f->a, 2);
	assert_non_null(f->ev.cache);
	assert_int_equal(u64_of(f, "total + total + count(p in pools: p.n < total)"), 9);
	assert_int_equal(u64_of(f, "total"), 3);
	assert_int_equal(cda_eval_cache_misses(f->ev.cache), 1);
	assert_int_equal(eval(f, "gone", &v), CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no fact 'pool.nosuch'");
	assert_int_equal(eval(f, "has(gone) ? 1 : gone", &v), CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no fact 'pool.nosuch'");
	/* an earlier reason stands, as without the cache */
	assert_int_equal(eval(f, "pool.other + gone", &v), CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no fact 'pool.other'");
	assert_int_equal(cda_eval_cache_misses(f->ev.cache), 2);
	/* a new cache (new facts) computes again */
	f->ev.cache = cda_eval_cache_new(f->a, 2);
	assert_int_equal(u64_of(f, "total"), 3);
	assert_int_equal(cda_eval_cache_misses(f->ev.cache), 1);
}

/*
 * A set-wide function: its parameters bound to the arguments, the caller's
 * variables out of sight, the set-wide names before it in sight; not cached.
 */
static void test_set_function(void **state)
{
	struct fx *f = *state;
	struct cda_named_expr l[] = {
		{ .name = "two", .src = "2" },
		{ .name = "scaled(x, k)", .src = "x * k * two", .fn = "scaled",
		  .params = { "x", "k" }, .nparams = 2 },
		{ .name = "leak(x)", .src = "x + p.n", .fn = "leak", .params = { "x" }, .nparams = 1 },
		{ .name = "flagged(q)", .src = "has(q.flag) && q.flag", .fn = "flagged",
		  .params = { "q" }, .nparams = 1 },
	};
	struct cda_value *v;

	set_names(f, l, 4);
	f->ev.cache = cda_eval_cache_new(f->a, 4);
	assert_int_equal(u64_of(f, "scaled(3, 5)"), 30);
	assert_int_equal(u64_of(f, "sum(map(p in pools: scaled(p.n, p.n + 1)))"), 2 * (0 + 2 + 6));
	assert_int_equal(u64_of(f, "count(p in pools: flagged(p))"), 1);
	assert_int_equal(u64_of(f, "first(p in pools: flagged(p)).n"), 2);
	/* the caller's p is not in the function's scope */
	assert_int_equal(eval(f, "any(p in pools: leak(1) > 0)", &v), CDA_EVAL_UNKNOWN);
	assert_string_equal(f->ev.reason, "no fact 'p'");
	assert_int_equal(eval(f, "scaled(1)", &v), CDA_EVAL_ERROR);
	assert_string_equal(f->ev.reason, "scaled() takes 2 arguments, got 1");
	assert_int_equal(eval(f, "nosuch(1)", &v), CDA_EVAL_ERROR);
	assert_string_equal(f->ev.reason, "unknown function 'nosuch'");
	assert_int_equal(cda_eval_cache_misses(f->ev.cache), 1); /* two, once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literals_and_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quantifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_is_not_false, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nesting_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_let_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_function, setup, teardown),
	};

	return cmocka_run_group_tests_name("expr", tests, NULL, NULL);
}
