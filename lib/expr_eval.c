// SPDX-License-Identifier: MIT
/* Expression evaluation: three-valued (value / unknown / error) over the fact tree. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

typedef enum cda_eval_status status_t;

static status_t note(struct cda_eval *ev, status_t st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static status_t note(struct cda_eval *ev, status_t st, const char *fmt, ...)
{
	va_list ap;

	/* Keep the first reason: it names the fact the rule actually tripped on. */
	if (!ev->reason[0]) {
		va_start(ap, fmt);
		vsnprintf(ev->reason, sizeof(ev->reason), fmt, ap);
		va_end(ap);
	}
	return st;
}

#define OOM(ev) note((ev), CDA_EVAL_ERROR, "out of memory")

static status_t want(struct cda_eval *ev, const struct cda_value *v, enum cda_type t,
		     const char *what)
{
	if (v->type == t)
		return CDA_EVAL_OK;
	return note(ev, CDA_EVAL_ERROR, "%s needs %s %s, got %s", what,
		    t == CDA_T_U64 ? "an" : "a", cda_type_name(t), cda_type_name(v->type));
}

static struct cda_value *u64_like(struct cda_eval *ev, uint64_t u, bool hex)
{
	return hex ? cda_v_hex(ev->arena, u) : cda_v_u64(ev->arena, u);
}

int cda_eval_bind(struct cda_eval *ev, const char *name, const struct cda_value *v)
{
	if (ev->nbind >= CDA_EVAL_MAX_BINDINGS)
		return -1;
	ev->bind[ev->nbind].name = name;
	ev->bind[ev->nbind].val = v;
	ev->nbind++;
	return 0;
}

void cda_eval_unbind(struct cda_eval *ev)
{
	if (ev->nbind)
		ev->nbind--;
}

/* ---- formatting ---- */

static const char *size_text(struct cda_arena *a, uint64_t x)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	if (!x)
		return "0 bytes";
	while (u < 6 && !(x & 1023)) {
		x >>= 10;
		u++;
	}
	return cda_arena_printf(a, "%" PRIu64 " %s", x, unit[u]);
}

const char *cda_value_format(struct cda_arena *a, const struct cda_value *v)
{
	switch (v->type) {
	case CDA_T_U64:
		return (v->flags & CDA_VF_HEX) ? cda_arena_printf(a, "0x%" PRIx64, v->u)
					       : cda_arena_printf(a, "%" PRIu64, v->u);
	case CDA_T_BOOL:
		return v->b ? "true" : "false";
	case CDA_T_STR:
		return v->s;
	case CDA_T_UNKNOWN:
		return "unknown";
	case CDA_T_LIST: {
		const char *s = "";

		for (size_t i = 0; s && i < v->list.n; i++)
			s = cda_arena_printf(a, "%s%s%s", s, i ? ", " : "",
					     cda_value_format(a, v->list.items[i]));
		return s;
	}
	case CDA_T_OBJ: {
		struct cda_value *path = cda_obj_get(v, "path");

		/* Objects in the fact tree that name a place carry a path; show that. */
		return path && path->type == CDA_T_STR ? path->s : "(object)";
	}
	}
	return "?";
}

/* ---- functions ---- */

static status_t f_aligned(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (want(ev, a[0], CDA_T_U64, "aligned()") || want(ev, a[1], CDA_T_U64, "aligned()"))
		return CDA_EVAL_ERROR;
	if (!a[1]->u)
		return note(ev, CDA_EVAL_ERROR, "aligned(): alignment is 0");
	*out = cda_v_bool(ev->arena, a[0]->u % a[1]->u == 0);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t align_common(struct cda_eval *ev, struct cda_value **a, struct cda_value **out,
			     bool up, const char *fn)
{
	uint64_t x, al, r;

	if (want(ev, a[0], CDA_T_U64, fn) || want(ev, a[1], CDA_T_U64, fn))
		return CDA_EVAL_ERROR;
	x = a[0]->u;
	al = a[1]->u;
	if (!al)
		return note(ev, CDA_EVAL_ERROR, "%s: alignment is 0", fn);
	r = x - x % al;
	if (up && r != x) {
		if (r > UINT64_MAX - al)
			return note(ev, CDA_EVAL_ERROR, "%s: result overflows 64 bits", fn);
		r += al;
	}
	*out = u64_like(ev, r, (a[0]->flags | a[1]->flags) & CDA_VF_HEX);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_align_up(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	return align_common(ev, a, out, true, "align_up()");
}

static status_t f_align_down(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	return align_common(ev, a, out, false, "align_down()");
}

/* End of [base, base+size), saturated: a range running past 2^64 ends there. */
static uint64_t range_end(uint64_t base, uint64_t size)
{
	return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

static status_t four_ints(struct cda_eval *ev, struct cda_value **a, const char *fn)
{
	for (int i = 0; i < 4; i++)
		if (want(ev, a[i], CDA_T_U64, fn))
			return CDA_EVAL_ERROR;
	return CDA_EVAL_OK;
}

static status_t f_overlaps(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (four_ints(ev, a, "overlaps()"))
		return CDA_EVAL_ERROR;
	bool o = a[1]->u && a[3]->u && a[0]->u < range_end(a[2]->u, a[3]->u) &&
		 a[2]->u < range_end(a[0]->u, a[1]->u);
	*out = cda_v_bool(ev->arena, o);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

/* inside(x, xsize, r, rsize): [x, x+xsize) lies within [r, r+rsize). */
static status_t f_inside(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (four_ints(ev, a, "inside()"))
		return CDA_EVAL_ERROR;
	bool in = a[0]->u >= a[2]->u && range_end(a[0]->u, a[1]->u) <= range_end(a[2]->u, a[3]->u);
	*out = cda_v_bool(ev->arena, in);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_hex(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (want(ev, a[0], CDA_T_U64, "hex()"))
		return CDA_EVAL_ERROR;
	*out = cda_v_str(ev->arena, cda_arena_printf(ev->arena, "0x%" PRIx64, a[0]->u));
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_size(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	const char *s;

	if (want(ev, a[0], CDA_T_U64, "size()"))
		return CDA_EVAL_ERROR;
	s = size_text(ev->arena, a[0]->u);
	*out = s ? cda_v_str(ev->arena, s) : NULL;
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_len(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	uint64_t n;

	switch (a[0]->type) {
	case CDA_T_LIST: n = a[0]->list.n; break;
	case CDA_T_OBJ: n = a[0]->obj.n; break;
	case CDA_T_STR: n = strlen(a[0]->s); break;
	default:
		return note(ev, CDA_EVAL_ERROR, "len() needs a list, object or string, got %s",
			    cda_type_name(a[0]->type));
	}
	*out = cda_v_u64(ev->arena, n);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

/* Every item of a list an integer: sum(), sort() and min()/max() of a list. */
static status_t all_ints(struct cda_eval *ev, const struct cda_value *l, const char *fn)
{
	if (want(ev, l, CDA_T_LIST, fn))
		return CDA_EVAL_ERROR;
	for (size_t i = 0; i < l->list.n; i++)
		if (want(ev, l->list.items[i], CDA_T_U64, fn))
			return CDA_EVAL_ERROR;
	return CDA_EVAL_OK;
}

/* min(a, b), max(a, b); or of a list's integers, min(list): unknown for an empty list. */
static status_t minmax(struct cda_eval *ev, struct cda_value **a, struct cda_value **out, bool mx)
{
	const char *fn = mx ? "max()" : "min()";
	struct cda_value *l = a[0];

	if (!a[1]) {
		if (all_ints(ev, l, fn))
			return CDA_EVAL_ERROR;
		if (!l->list.n)
			return note(ev, CDA_EVAL_UNKNOWN, "%s of an empty list", fn);
		*out = l->list.items[0];
		for (size_t i = 1; i < l->list.n; i++)
			if ((l->list.items[i]->u > (*out)->u) == mx && l->list.items[i]->u != (*out)->u)
				*out = l->list.items[i];
		return CDA_EVAL_OK;
	}
	if (want(ev, a[0], CDA_T_U64, fn) || want(ev, a[1], CDA_T_U64, fn))
		return CDA_EVAL_ERROR;
	*out = (a[0]->u < a[1]->u) == mx ? a[1] : a[0];
	return CDA_EVAL_OK;
}

static status_t f_min(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	return minmax(ev, a, out, false);
}

static status_t f_max(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	return minmax(ev, a, out, true);
}

static status_t f_is_pow2(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (want(ev, a[0], CDA_T_U64, "is_pow2()"))
		return CDA_EVAL_ERROR;
	*out = cda_v_bool(ev->arena, a[0]->u && !(a[0]->u & (a[0]->u - 1)));
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_str(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	const char *s = cda_value_format(ev->arena, a[0]);

	*out = s ? cda_v_str(ev->arena, s) : NULL;
	return *out ? CDA_EVAL_OK : OOM(ev);
}

/* Each item formatted once and copied once: a long list must not cost its square. */
static status_t f_join(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	size_t n, seplen, total = 1;
	const char **parts;
	char *s, *p;

	if (want(ev, a[0], CDA_T_LIST, "join()") || want(ev, a[1], CDA_T_STR, "join()"))
		return CDA_EVAL_ERROR;
	n = a[0]->list.n;
	seplen = strlen(a[1]->s);
	parts = n ? cda_arena_alloc(ev->arena, n * sizeof(*parts)) : NULL;
	if (n && !parts)
		return OOM(ev);
	for (size_t i = 0; i < n; i++) {
		if (!(parts[i] = cda_value_format(ev->arena, a[0]->list.items[i])))
			return OOM(ev);
		total += strlen(parts[i]) + (i ? seplen : 0);
	}
	if (!(s = p = cda_arena_alloc(ev->arena, total)))
		return OOM(ev);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);

		if (i) {
			memcpy(p, a[1]->s, seplen);
			p += seplen;
		}
		memcpy(p, parts[i], len);
		p += len;
	}
	*p = '\0';
	*out = cda_v_str(ev->arena, s);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t f_starts_with(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (want(ev, a[0], CDA_T_STR, "starts_with()") || want(ev, a[1], CDA_T_STR, "starts_with()"))
		return CDA_EVAL_ERROR;
	*out = cda_v_bool(ev->arena, !strncmp(a[0]->s, a[1]->s, strlen(a[1]->s)));
	return *out ? CDA_EVAL_OK : OOM(ev);
}

/* sum(list): of its integers, wrapping at 2^64 like +; hex if any item is. */
static status_t f_sum(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	uint64_t sum = 0;
	bool hex = false;

	if (all_ints(ev, a[0], "sum()"))
		return CDA_EVAL_ERROR;
	for (size_t i = 0; i < a[0]->list.n; i++) {
		sum += a[0]->list.items[i]->u;
		hex |= a[0]->list.items[i]->flags & CDA_VF_HEX;
	}
	*out = u64_like(ev, sum, hex);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

/* A new list of n items, *items to fill; NULL on out of memory. */
static struct cda_value *list_of(struct cda_eval *ev, size_t n, struct cda_value ***items)
{
	struct cda_value *l = cda_v_list(ev->arena);

	*items = n ? cda_arena_alloc(ev->arena, n * sizeof(**items)) : NULL;
	if (!l || (n && !*items))
		return NULL;
	l->list.items = *items;
	l->list.n = l->list.cap = n;
	return l;
}

static int cmp_u64_value(const void *pa, const void *pb)
{
	const struct cda_value *x = *(struct cda_value *const *)pa, *y = *(struct cda_value *const *)pb;

	return x->u < y->u ? -1 : x->u > y->u;
}

/* sort(list): its integers in ascending order. */
static status_t f_sort(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	struct cda_value **items;

	if (all_ints(ev, a[0], "sort()"))
		return CDA_EVAL_ERROR;
	if (!(*out = list_of(ev, a[0]->list.n, &items)))
		return OOM(ev);
	if (a[0]->list.n) {
		memcpy(items, a[0]->list.items, a[0]->list.n * sizeof(*items));
		qsort(items, a[0]->list.n, sizeof(*items), cmp_u64_value);
	}
	return CDA_EVAL_OK;
}

/* unique(list): the list without repeats, each item where it first appears. */
static status_t f_unique(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	size_t n = 0;
	struct cda_value **items;

	if (want(ev, a[0], CDA_T_LIST, "unique()"))
		return CDA_EVAL_ERROR;
	if (!(*out = list_of(ev, a[0]->list.n, &items)))
		return OOM(ev);
	for (size_t i = 0; i < a[0]->list.n; i++) {
		struct cda_value *v = a[0]->list.items[i];
		bool seen = false;

		/* a sorted list's repeats are neighbours: found at once */
		for (size_t j = n; !seen && j-- > 0;)
			seen = cda_value_equal(items[j], v);
		if (!seen)
			items[n++] = v;
	}
	(*out)->list.n = n;
	return CDA_EVAL_OK;
}

/* take(list, n): its first n items (all of a shorter list). */
static status_t f_take(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	struct cda_value **items;
	size_t n;

	if (want(ev, a[0], CDA_T_LIST, "take()") || want(ev, a[1], CDA_T_U64, "take()"))
		return CDA_EVAL_ERROR;
	n = a[1]->u < a[0]->list.n ? (size_t)a[1]->u : a[0]->list.n;
	if (!(*out = list_of(ev, n, &items)))
		return OOM(ev);
	if (n)
		memcpy(items, a[0]->list.items, n * sizeof(*items));
	return CDA_EVAL_OK;
}

/* flatten(list): a list of lists as one list, in order. */
static status_t f_flatten(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	struct cda_value **items;
	size_t n = 0;

	if (want(ev, a[0], CDA_T_LIST, "flatten()"))
		return CDA_EVAL_ERROR;
	for (size_t i = 0; i < a[0]->list.n; i++) {
		if (want(ev, a[0]->list.items[i], CDA_T_LIST, "flatten()"))
			return CDA_EVAL_ERROR;
		n += a[0]->list.items[i]->list.n;
	}
	if (!(*out = list_of(ev, n, &items)))
		return OOM(ev);
	for (size_t i = 0, k = 0; i < a[0]->list.n; i++) {
		const struct cda_value *l = a[0]->list.items[i];

		if (l->list.n)
			memcpy(items + k, l->list.items, l->list.n * sizeof(*items));
		k += l->list.n;
	}
	return CDA_EVAL_OK;
}

/*
 * need(cond, reason): true when cond holds; otherwise unknown with the
 * rule's own reason, so a rule can say in words what is missing (e.g.
 * need(has(p.used_hiwater), 'the kernel predates io_tlb_used_hiwater')).
 */
static status_t f_need(struct cda_eval *ev, struct cda_value **a, struct cda_value **out)
{
	if (want(ev, a[0], CDA_T_BOOL, "need()") || want(ev, a[1], CDA_T_STR, "need()"))
		return CDA_EVAL_ERROR;
	if (!a[0]->b)
		return note(ev, CDA_EVAL_UNKNOWN, "%s", a[1]->s);
	*out = a[0];
	return CDA_EVAL_OK;
}

const struct func_def cda_expr_funcs[] = {
	{ "aligned", 2, 2, f_aligned },
	{ "align_up", 2, 2, f_align_up },
	{ "align_down", 2, 2, f_align_down },
	{ "overlaps", 4, 4, f_overlaps },
	{ "inside", 4, 4, f_inside },
	{ "has", 1, 1, NULL },
	{ "hex", 1, 1, f_hex },
	{ "size", 1, 1, f_size },
	{ "len", 1, 1, f_len },
	{ "min", 1, 2, f_min },
	{ "max", 1, 2, f_max },
	{ "sum", 1, 1, f_sum },
	{ "sort", 1, 1, f_sort },
	{ "unique", 1, 1, f_unique },
	{ "take", 2, 2, f_take },
	{ "flatten", 1, 1, f_flatten },
	{ "is_pow2", 1, 1, f_is_pow2 },
	{ "str", 1, 1, f_str },
	{ "join", 2, 2, f_join },
	{ "starts_with", 2, 2, f_starts_with },
	{ "need", 2, 2, f_need },
	{ NULL, 0, 0, NULL },
};

bool cda_expr_is_builtin(const char *name)
{
	static const char *const quants[] = { "any", "all", "count", "first", "filter", "map",
					      "partition" };

	for (size_t i = 0; i < sizeof(quants) / sizeof(quants[0]); i++)
		if (!strcmp(quants[i], name))
			return true;
	for (const struct func_def *f = cda_expr_funcs; f->name; f++)
		if (!strcmp(f->name, name))
			return true;
	return false;
}

/* ---- evaluation ---- */

static status_t eval(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out);

/* A fact a loader marked undecided makes the expression unknown, with the loader's reason. */
static status_t known(struct cda_eval *ev, const struct cda_value *v)
{
	if (v->type == CDA_T_UNKNOWN)
		return note(ev, CDA_EVAL_UNKNOWN, "%s", v->s);
	return CDA_EVAL_OK;
}

/*
 * Evaluate a let's expression in the scope set up in *ev, then put back the
 * caller's scope, bindings included: a quantifier inside the let binds over
 * the slots of those it set aside. The first reason noted is kept.
 */
static status_t eval_in(struct cda_eval *ev, const struct cda_eval *caller,
			const struct cda_expr *e, struct cda_value **out)
{
	char reason[sizeof(ev->reason)];
	status_t st = eval(ev, e, out);

	memcpy(reason, ev->reason, sizeof(reason));
	*ev = *caller;
	memcpy(ev->reason, reason, sizeof(reason));
	return st;
}

/*
 * Let i, in the rule's scope: the bindings of quantifiers around the
 * reference are set aside, and only the lets before i are visible, so a let
 * means the same wherever it is used and cannot refer to itself.
 */
static status_t eval_let(struct cda_eval *ev, size_t i, struct cda_value **out)
{
	struct cda_eval caller = *ev;

	ev->nbind = ev->let_base < ev->nbind ? ev->let_base : ev->nbind;
	ev->nlets = i;
	return eval_in(ev, &caller, ev->lets[i].expr, out);
}

/* One set-wide name's result, reason included; done once computed. */
struct cache_entry {
	bool done;
	status_t st;
	struct cda_value *val;
	const char *reason; /* what the evaluation left in ev->reason, or NULL */
};

struct cda_eval_cache {
	size_t n, misses;
	struct cache_entry e[];
};

struct cda_eval_cache *cda_eval_cache_new(struct cda_arena *a, size_t nset_lets)
{
	struct cda_eval_cache *c = cda_arena_alloc(a, sizeof(*c) + nset_lets * sizeof(c->e[0]));

	if (c)
		c->n = nset_lets;
	return c;
}

size_t cda_eval_cache_misses(const struct cda_eval_cache *c)
{
	return c ? c->misses : 0;
}

/*
 * Set-wide let i: over the facts and the set-wide names before it, never a
 * rule's variables, lets or params, so it means the same in every rule.
 */
static status_t eval_set_let_body(struct cda_eval *ev, size_t i, struct cda_value **out)
{
	struct cda_eval caller = *ev;

	ev->nbind = 0;
	ev->nlets = 0;
	ev->params = NULL;
	ev->nset_lets = i;
	return eval_in(ev, &caller, ev->set_lets[i].expr, out);
}

/*
 * The same through the cache: the name is evaluated from an empty reason,
 * so what it notes is its own wherever it is first used; a reuse notes that
 * reason as the evaluation would have (only if none is noted yet).
 */
static status_t eval_set_let(struct cda_eval *ev, size_t i, struct cda_value **out)
{
	struct cache_entry *c = ev->cache && i < ev->cache->n ? &ev->cache->e[i] : NULL;
	char caller[sizeof(ev->reason)];

	if (!c)
		return eval_set_let_body(ev, i, out);
	if (!c->done) {
		memcpy(caller, ev->reason, sizeof(caller));
		ev->reason[0] = '\0';
		c->st = eval_set_let_body(ev, i, &c->val);
		c->reason = ev->reason[0] ? cda_arena_strdup(ev->arena, ev->reason) : NULL;
		c->done = !ev->reason[0] || c->reason; /* out of memory: not kept */
		ev->cache->misses++;
		if (caller[0] || !ev->reason[0])
			memcpy(ev->reason, caller, sizeof(caller));
		*out = c->val;
		return c->st;
	}
	if (c->reason && !ev->reason[0])
		snprintf(ev->reason, sizeof(ev->reason), "%s", c->reason);
	*out = c->val;
	return c->st;
}

/*
 * A call of set-wide function i: its arguments in the caller's scope, its
 * body with only its parameters bound (plus facts and the set-wide names
 * before it). Not cached: the arguments differ from call to call.
 */
static status_t eval_set_fn(struct cda_eval *ev, size_t i, const struct cda_expr *e,
			    struct cda_value **out)
{
	const struct cda_named_expr *f = &ev->set_lets[i];
	struct cda_value *args[MAX_ARGS] = { 0 };
	struct cda_eval caller;
	status_t st;

	if ((size_t)e->nargs != f->nparams)
		return note(ev, CDA_EVAL_ERROR, "%s() takes %zu arguments, got %d", f->fn, f->nparams,
			    e->nargs);
	for (int k = 0; k < e->nargs; k++)
		if ((st = eval(ev, e->args[k], &args[k])))
			return st;
	caller = *ev;
	ev->nbind = 0;
	ev->nlets = 0;
	ev->params = NULL;
	ev->nset_lets = i;
	for (size_t k = 0; k < f->nparams; k++)
		cda_eval_bind(ev, f->params[k], args[k]); /* nparams <= the binding slots */
	return eval_in(ev, &caller, f->expr, out);
}

static status_t eval_ident(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	for (size_t i = ev->nbind; i-- > 0;) {
		if (!strcmp(ev->bind[i].name, e->name)) {
			*out = (struct cda_value *)ev->bind[i].val;
			return CDA_EVAL_OK;
		}
	}
	for (size_t i = 0; i < ev->nlets; i++)
		if (!strcmp(ev->lets[i].name, e->name))
			return eval_let(ev, i, out);
	if (!strcmp(e->name, "params") && ev->params) {
		*out = (struct cda_value *)ev->params;
		return CDA_EVAL_OK;
	}
	for (size_t i = 0; i < ev->nset_lets; i++)
		if (!ev->set_lets[i].fn && !strcmp(ev->set_lets[i].name, e->name))
			return eval_set_let(ev, i, out);
	*out = cda_obj_get(ev->root, e->name);
	if (*out)
		return known(ev, *out);
	return note(ev, CDA_EVAL_UNKNOWN, "no fact '%s'", e->name);
}

static status_t eval_member(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *o;
	status_t st = eval(ev, e->a, &o);

	if (st)
		return st;
	if (o->type != CDA_T_OBJ)
		return note(ev, CDA_EVAL_ERROR, "'%s': %s has no members", e->text,
			    cda_type_name(o->type));
	*out = cda_obj_get(o, e->name);
	if (*out)
		return known(ev, *out);
	return note(ev, CDA_EVAL_UNKNOWN, "no fact '%s'", e->text);
}

static status_t eval_index(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *l, *i;
	status_t st = eval(ev, e->a, &l);

	if (st || (st = eval(ev, e->b, &i)))
		return st;
	if (want(ev, l, CDA_T_LIST, "indexing") || want(ev, i, CDA_T_U64, "an index"))
		return CDA_EVAL_ERROR;
	if (i->u >= l->list.n)
		return note(ev, CDA_EVAL_UNKNOWN, "'%s' has no element %" PRIu64, e->a->text, i->u);
	*out = l->list.items[i->u];
	return CDA_EVAL_OK;
}

static status_t truth(struct cda_eval *ev, const struct cda_expr *e, bool *b)
{
	struct cda_value *v;
	status_t st = eval(ev, e, &v);

	if (st)
		return st;
	if (want(ev, v, CDA_T_BOOL, "a condition"))
		return CDA_EVAL_ERROR;
	*b = v->b;
	return CDA_EVAL_OK;
}

static status_t eval_logic(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	bool is_and = e->bop == B_LAND, x = false, y = false;
	char saved[sizeof(ev->reason)];
	status_t sa, sb;

	memcpy(saved, ev->reason, sizeof(saved));
	sa = truth(ev, e->a, &x);
	if (sa == CDA_EVAL_ERROR)
		return sa;
	/* Short circuit on a decided left side, as in C. */
	if (sa == CDA_EVAL_OK && x != is_and) {
		*out = cda_v_bool(ev->arena, x);
		return *out ? CDA_EVAL_OK : OOM(ev);
	}
	sb = truth(ev, e->b, &y);
	if (sb == CDA_EVAL_ERROR)
		return sb;
	/* unknown && false = false; unknown || true = true; otherwise unknown stays. */
	if (sb == CDA_EVAL_OK && y != is_and) {
		memcpy(ev->reason, saved, sizeof(saved)); /* the unknown side did not matter */
		*out = cda_v_bool(ev->arena, y);
		return *out ? CDA_EVAL_OK : OOM(ev);
	}
	if (sa || sb)
		return CDA_EVAL_UNKNOWN;
	*out = cda_v_bool(ev->arena, y);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t compare(struct cda_eval *ev, enum binop op, struct cda_value *x,
			struct cda_value *y, struct cda_value **out)
{
	bool r;

	if (op == B_EQ || op == B_NE) {
		if (x->type != y->type)
			return note(ev, CDA_EVAL_ERROR, "cannot compare %s with %s",
				    cda_type_name(x->type), cda_type_name(y->type));
		r = cda_value_equal(x, y) == (op == B_EQ);
	} else if (op == B_IN) {
		if (want(ev, y, CDA_T_LIST, "'in'"))
			return CDA_EVAL_ERROR;
		r = false;
		for (size_t i = 0; !r && i < y->list.n; i++)
			r = cda_value_equal(x, y->list.items[i]);
	} else {
		if (want(ev, x, CDA_T_U64, "ordering") || want(ev, y, CDA_T_U64, "ordering"))
			return CDA_EVAL_ERROR;
		switch (op) {
		case B_LT: r = x->u < y->u; break;
		case B_LE: r = x->u <= y->u; break;
		case B_GT: r = x->u > y->u; break;
		default: r = x->u >= y->u; break;
		}
	}
	*out = cda_v_bool(ev->arena, r);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t eval_binary(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *x, *y;
	uint64_t a, b, r;
	status_t st;

	if (e->bop == B_LAND || e->bop == B_LOR)
		return eval_logic(ev, e, out);
	if ((st = eval(ev, e->a, &x)) || (st = eval(ev, e->b, &y)))
		return st;
	if (e->bop >= B_EQ)
		return compare(ev, e->bop, x, y, out);
	if (e->bop == B_ADD && x->type == CDA_T_STR && y->type == CDA_T_STR) {
		*out = cda_v_str(ev->arena, cda_arena_printf(ev->arena, "%s%s", x->s, y->s));
		return *out ? CDA_EVAL_OK : OOM(ev);
	}
	if (want(ev, x, CDA_T_U64, "arithmetic") || want(ev, y, CDA_T_U64, "arithmetic"))
		return CDA_EVAL_ERROR;
	a = x->u;
	b = y->u;
	switch (e->bop) {
	case B_MUL: r = a * b; break;
	case B_DIV:
	case B_MOD:
		if (!b)
			return note(ev, CDA_EVAL_ERROR, "division by zero");
		r = e->bop == B_DIV ? a / b : a % b;
		break;
	case B_ADD: r = a + b; break;
	case B_SUB: r = a - b; break;
	case B_SHL: r = b >= 64 ? 0 : a << b; break;
	case B_SHR: r = b >= 64 ? 0 : a >> b; break;
	case B_AND: r = a & b; break;
	case B_XOR: r = a ^ b; break;
	default: r = a | b; break;
	}
	*out = u64_like(ev, r, (x->flags | y->flags) & CDA_VF_HEX);
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t eval_unary(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *x;
	status_t st = eval(ev, e->a, &x);

	if (st)
		return st;
	if (e->op == '!') {
		if (want(ev, x, CDA_T_BOOL, "'!'"))
			return CDA_EVAL_ERROR;
		*out = cda_v_bool(ev->arena, !x->b);
	} else {
		if (want(ev, x, CDA_T_U64, e->op == '~' ? "'~'" : "unary '-'"))
			return CDA_EVAL_ERROR;
		*out = u64_like(ev, e->op == '~' ? ~x->u : -x->u, x->flags & CDA_VF_HEX);
	}
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t eval_call(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *args[MAX_ARGS] = { 0 };
	status_t st;

	if (!e->func) { /* a set-wide function, found by name */
		for (size_t i = ev->nset_lets; i-- > 0;)
			if (ev->set_lets[i].fn && !strcmp(ev->set_lets[i].fn, e->name))
				return eval_set_fn(ev, i, e, out);
		return note(ev, CDA_EVAL_ERROR, "unknown function '%s'", e->name);
	}
	if (!e->func->impl) { /* has(x): is the fact there? Errors still count as errors. */
		char saved[sizeof(ev->reason)];

		memcpy(saved, ev->reason, sizeof(saved));
		st = eval(ev, e->args[0], &args[0]);
		if (st == CDA_EVAL_ERROR)
			return st;
		memcpy(ev->reason, saved, sizeof(saved)); /* a missing fact here is an answer */
		*out = cda_v_bool(ev->arena, st == CDA_EVAL_OK);
		return *out ? CDA_EVAL_OK : OOM(ev);
	}
	for (int i = 0; i < e->nargs; i++)
		if ((st = eval(ev, e->args[i], &args[i])))
			return st;
	return e->func->impl(ev, args, out);
}

/*
 * partition(v in LIST: key): the items as lists of those with equal keys,
 * the lists in the order their first items come, each in list order. The
 * keys are compared as == does, one list of them beside the result.
 */
static status_t eval_partition(struct cda_eval *ev, const struct cda_expr *e,
			       const struct cda_value *list, struct cda_value **out)
{
	struct cda_value *res = cda_v_list(ev->arena), *keys = cda_v_list(ev->arena), *k;
	bool unknown = false;
	status_t st;

	if (!res || !keys)
		return OOM(ev);
	for (size_t i = 0; i < list->list.n; i++) {
		size_t j = 0;

		if (cda_eval_bind(ev, e->name, list->list.items[i]))
			return note(ev, CDA_EVAL_ERROR, "quantifiers nested too deeply");
		st = eval(ev, e->b, &k);
		cda_eval_unbind(ev);
		if (st == CDA_EVAL_ERROR)
			return st;
		unknown |= st == CDA_EVAL_UNKNOWN;
		if (st)
			continue;
		while (j < keys->list.n && !cda_value_equal(keys->list.items[j], k))
			j++;
		if (j == keys->list.n &&
		    (cda_list_push(ev->arena, keys, k) || cda_list_push(ev->arena, res, cda_v_list(ev->arena))))
			return OOM(ev);
		if (!res->list.items[j] || cda_list_push(ev->arena, res->list.items[j], list->list.items[i]))
			return OOM(ev);
	}
	if (unknown)
		return CDA_EVAL_UNKNOWN;
	*out = res;
	return CDA_EVAL_OK;
}

static status_t eval_quant(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	struct cda_value *list, *res = NULL, *v;
	bool unknown = false, decided = false, want_true = e->quant != Q_ALL;
	uint64_t count = 0;
	char saved[sizeof(ev->reason)];
	status_t st = eval(ev, e->a, &list);

	if (st)
		return st;
	memcpy(saved, ev->reason, sizeof(saved));
	if (want(ev, list, CDA_T_LIST, "a quantifier"))
		return CDA_EVAL_ERROR;
	if (e->quant == Q_PARTITION)
		return eval_partition(ev, e, list, out);
	if (e->quant == Q_FILTER || e->quant == Q_MAP) {
		res = cda_v_list(ev->arena);
		if (!res)
			return OOM(ev);
	}
	for (size_t i = 0; i < list->list.n && !decided; i++) {
		if (cda_eval_bind(ev, e->name, list->list.items[i]))
			return note(ev, CDA_EVAL_ERROR, "quantifiers nested too deeply");
		st = eval(ev, e->b, &v);
		cda_eval_unbind(ev);
		if (st == CDA_EVAL_ERROR)
			return st;
		if (st == CDA_EVAL_UNKNOWN) {
			unknown = true;
			continue;
		}
		if (e->quant == Q_MAP) {
			if (cda_list_push(ev->arena, res, v))
				return OOM(ev);
			continue;
		}
		if (want(ev, v, CDA_T_BOOL, "a quantifier condition"))
			return CDA_EVAL_ERROR;
		if (v->b)
			count++;
		if (e->quant == Q_FILTER && v->b && cda_list_push(ev->arena, res, list->list.items[i]))
			return OOM(ev);
		if (e->quant == Q_FIRST && v->b) {
			memcpy(ev->reason, saved, sizeof(saved));
			*out = list->list.items[i];
			return CDA_EVAL_OK;
		}
		if ((e->quant == Q_ANY || e->quant == Q_ALL) && v->b == want_true)
			decided = true;
	}
	/* A decided any/all stands even if other elements were unknown. */
	if (decided) {
		memcpy(ev->reason, saved, sizeof(saved));
		*out = cda_v_bool(ev->arena, want_true);
		return *out ? CDA_EVAL_OK : OOM(ev);
	}
	if (unknown)
		return CDA_EVAL_UNKNOWN;
	switch (e->quant) {
	case Q_ANY:
	case Q_ALL:
		*out = cda_v_bool(ev->arena, !want_true);
		break;
	case Q_COUNT:
		*out = cda_v_u64(ev->arena, count);
		break;
	case Q_FIRST:
		return note(ev, CDA_EVAL_UNKNOWN, "first(): no element of '%s' matches",
			    e->a->text ? e->a->text : "the list");
	default:
		*out = res;
		break;
	}
	return *out ? CDA_EVAL_OK : OOM(ev);
}

static status_t eval(struct cda_eval *ev, const struct cda_expr *e, struct cda_value **out)
{
	bool c;
	status_t st;

	*out = NULL;
	switch (e->kind) {
	case N_NUM:
		*out = cda_v_u64(ev->arena, e->num);
		break;
	case N_BOOL:
		*out = cda_v_bool(ev->arena, e->num != 0);
		break;
	case N_STR:
		*out = cda_v_str(ev->arena, e->name);
		break;
	case N_IDENT:
		return eval_ident(ev, e, out);
	case N_MEMBER:
		return eval_member(ev, e, out);
	case N_INDEX:
		return eval_index(ev, e, out);
	case N_UNARY:
		return eval_unary(ev, e, out);
	case N_BINARY:
		return eval_binary(ev, e, out);
	case N_COND:
		if ((st = truth(ev, e->a, &c)))
			return st;
		return eval(ev, c ? e->b : e->c, out);
	case N_CALL:
		return eval_call(ev, e, out);
	case N_QUANT:
		return eval_quant(ev, e, out);
	}
	return *out ? CDA_EVAL_OK : OOM(ev);
}

enum cda_eval_status cda_expr_eval(struct cda_eval *ev, const struct cda_expr *e,
				   struct cda_value **out)
{
	return eval(ev, e, out);
}

enum cda_eval_status cda_template_render(struct cda_eval *ev, const struct cda_template *t,
					 const char **out)
{
	const char *s = "";

	for (const struct cda_template_part *p = t->parts; p; p = p->next) {
		struct cda_value *v;
		status_t st = eval(ev, p->expr, &v);

		if (st)
			return st;
		s = cda_arena_printf(ev->arena, "%s%s%s", s, p->literal,
				     cda_value_format(ev->arena, v));
		if (!s)
			return OOM(ev);
	}
	*out = cda_arena_printf(ev->arena, "%s%s", s, t->tail);
	return *out ? CDA_EVAL_OK : OOM(ev);
}
