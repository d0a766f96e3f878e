// SPDX-License-Identifier: MIT
/*
 * Static fact checking of rules against lib/schema/facts-v1.schema.json; see
 * rule_facts.h. The schema is read as JSON Schema draft-07 as far as member
 * and item lookup needs: $ref (a JSON pointer into the document), properties,
 * additionalProperties, propertyNames, items, type, and the anyOf/oneOf/allOf
 * branches used for facts that may be unknown (null). One extension keyword,
 * "x-cda-keys": "probes", says an open object's keys are the probe names of
 * rules/probes.json, so the probe list is not written twice.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "expr_internal.h"
#include "rule_facts.h"
#include "rules.h"
#include "util.h"

#define MAX_REF_DEPTH 16   /* $ref and branch nesting; more means a broken schema */
#define MAX_PATH_DEPTH 128 /* a path printed deeper than this ends in "..." */
#define NAMES_CAP 128      /* names listed in a message... */
#define NAMES_TEXT 360     /* ...and at most this much of them, so the line stays one line */

struct cda_fact_schema {
	json_object *schema; /* the whole document, for $ref */
	json_object *facts;  /* properties.facts: the top-level facts */
	json_object *probes; /* rules/probes.json: the keys kernel.probes may have... */
	const struct cda_ruleset *rs; /* ...or, when set, the probes of this rule set */
};

/* ---- loading ---- */

int cda_fact_schema_load(struct cda_fact_schema **out, struct cda_error *err)
{
	struct cda_fact_schema *fs = calloc(1, sizeof(*fs));
	const char *probes = NULL;

	*out = NULL;
	if (!fs)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	/* Both files are built in and validated by the tests: failing here means the build is broken. */
	fs->schema = json_tokener_parse((const char *)cda_builtin_schema[0].text);
	if (!fs->schema || json_pointer_get(fs->schema, "/properties/facts/properties", &fs->facts)) {
		cda_fact_schema_free(fs);
		return cda_fail(err, CDA_E_RULE, "%s: not a facts schema (no properties.facts)",
				cda_builtin_schema[0].name);
	}
	for (size_t i = 0; cda_builtin_probes[i].name; i++)
		probes = (const char *)cda_builtin_probes[i].text; /* as kernel_probes.c: the last */
	if (probes && !(fs->probes = json_tokener_parse(probes))) {
		cda_fact_schema_free(fs);
		return cda_fail(err, CDA_E_RULE, "rules/probes.json: invalid JSON");
	}
	*out = fs;
	return 0;
}

void cda_fact_schema_free(struct cda_fact_schema *fs)
{
	if (!fs)
		return;
	json_object_put(fs->schema);
	json_object_put(fs->probes);
	free(fs);
}

/* ---- schema lookup ---- */

/* Follow "$ref": "#/definitions/x" (a JSON pointer into the document); NULL when it dangles. */
static json_object *deref(const struct cda_fact_schema *fs, json_object *node)
{
	for (int i = 0; node && i < MAX_REF_DEPTH; i++) {
		json_object *ref, *to;
		const char *s;

		if (!json_object_is_type(node, json_type_object) ||
		    !json_object_object_get_ex(node, "$ref", &ref))
			return node;
		s = json_object_get_string(ref);
		if (!s || s[0] != '#' || json_pointer_get(fs->schema, s + 1, &to))
			return NULL;
		node = to;
	}
	return NULL;
}

static json_object *get(json_object *node, const char *key)
{
	json_object *v = NULL;

	if (!json_object_is_type(node, json_type_object) || !json_object_object_get_ex(node, key, &v))
		return NULL;
	return v;
}

/* Length of a JSON array; 0 for anything else, so loops need no type check. */
static size_t alen(json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

/* "type" is t, or a list holding t. */
static bool has_type(json_object *node, const char *t)
{
	json_object *ty = get(node, "type");

	if (json_object_is_type(ty, json_type_string))
		return !strcmp(json_object_get_string(ty), t);
	for (size_t i = 0; i < alen(ty); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(ty, i)), t))
			return true;
	return false;
}

/* The node says what its values are (so it can rule out objects or lists). */
static bool typed(json_object *node)
{
	return get(node, "type") || get(node, "enum") || get(node, "const");
}

static const char *const branch_keys[] = { "anyOf", "oneOf", "allOf", NULL };

enum found { FOUND, MISSING, WRONG_TYPE };

static bool in_string_array(json_object *arr, const char *name)
{
	for (size_t i = 0; i < alen(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		if (json_object_is_type(s, json_type_string) && !strcmp(json_object_get_string(s), name))
			return true;
	}
	return false;
}

void cda_fact_schema_use_probes(struct cda_fact_schema *fs, const struct cda_ruleset *rs)
{
	fs->rs = rs;
}

static bool is_probe(const struct cda_fact_schema *fs, const char *name)
{
	json_object *list = get(fs->probes, "probes");

	if (fs->rs)
		return cda_ruleset_find_probe(fs->rs, name) != NULL;

	for (size_t i = 0; i < alen(list); i++) {
		json_object *n = get(json_object_array_get_idx(list, i), "name");

		if (n && !strcmp(json_object_get_string(n), name))
			return true;
	}
	return false;
}

/* May an open object (additionalProperties is a schema) have this key? */
static bool key_allowed(const struct cda_fact_schema *fs, json_object *node, const char *name)
{
	json_object *keys = get(node, "x-cda-keys"), *pn = deref(fs, get(node, "propertyNames"));

	if (keys && !strcmp(json_object_get_string(keys), "probes"))
		return is_probe(fs, name);
	if (get(pn, "enum"))
		return in_string_array(get(pn, "enum"), name);
	return true; /* a pattern, or nothing: any name */
}

/*
 * The schema of member name of node. FOUND sets *out (NULL: any value, not
 * checked further); MISSING: an object without that member; WRONG_TYPE: not
 * an object at all.
 */
static enum found member_of(const struct cda_fact_schema *fs, json_object *node, const char *name,
			    int depth, json_object **out)
{
	json_object *props, *addl;
	bool self = false, branch_obj = false, branch_other = false;

	*out = NULL;
	node = deref(fs, node);
	if (!node || depth > MAX_REF_DEPTH || !json_object_is_type(node, json_type_object))
		return FOUND; /* a dangling $ref or a boolean schema: not ours to judge */
	if ((props = get(node, "properties"))) {
		json_object *child = get(props, name);

		if (child) {
			*out = deref(fs, child);
			return FOUND;
		}
		self = true;
	}
	for (const char *const *k = branch_keys; *k; k++) {
		json_object *br = get(node, *k);

		for (size_t i = 0; i < alen(br); i++) {
			enum found f = member_of(fs, json_object_array_get_idx(br, i), name, depth + 1, out);

			if (f == FOUND)
				return FOUND;
			branch_obj |= f == MISSING;
			branch_other |= f == WRONG_TYPE;
		}
	}
	self |= has_type(node, "object");
	if (!self)
		return branch_obj ? MISSING : (branch_other || typed(node)) ? WRONG_TYPE : FOUND;
	addl = get(node, "additionalProperties");
	if (!addl)
		return FOUND; /* JSON Schema: an object without additionalProperties is open */
	if (json_object_is_type(addl, json_type_boolean))
		return json_object_get_boolean(addl) ? FOUND : MISSING;
	if (!key_allowed(fs, node, name))
		return MISSING;
	*out = deref(fs, addl);
	return FOUND;
}

/* The item schema of a list schema; FOUND with *out NULL when it says nothing of its items. */
static enum found items_of(const struct cda_fact_schema *fs, json_object *node, int depth,
			   json_object **out)
{
	bool branch_other = false;

	*out = NULL;
	node = deref(fs, node);
	if (!node || depth > MAX_REF_DEPTH || !json_object_is_type(node, json_type_object))
		return FOUND;
	if (get(node, "items")) {
		*out = deref(fs, get(node, "items"));
		return FOUND;
	}
	for (const char *const *k = branch_keys; *k; k++) {
		json_object *br = get(node, *k);

		for (size_t i = 0; i < alen(br); i++) {
			enum found f = items_of(fs, json_object_array_get_idx(br, i), depth + 1, out);

			if (f == FOUND)
				return FOUND;
			branch_other = true;
		}
	}
	if (has_type(node, "array"))
		return FOUND;
	return branch_other || typed(node) ? WRONG_TYPE : FOUND;
}

/* ---- the names that do exist, for messages ---- */

struct names {
	const char *v[NAMES_CAP];
	size_t n;
};

static void names_add(struct names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return;
	if (ns->n < NAMES_CAP)
		ns->v[ns->n++] = name;
}

static void names_add_keys(struct names *ns, json_object *obj)
{
	if (!json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, key, val) {
		(void)val;
		names_add(ns, key);
	}
}

static void names_add_strings(struct names *ns, json_object *arr, const char *member)
{
	for (size_t i = 0; i < alen(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		if (member)
			s = get(s, member);
		if (json_object_is_type(s, json_type_string))
			names_add(ns, json_object_get_string(s));
	}
}

/* Every member name node allows, in schema order. */
static void names_of(const struct cda_fact_schema *fs, json_object *node, int depth,
		     struct names *ns)
{
	json_object *keys, *pn;

	node = deref(fs, node);
	if (!node || depth > MAX_REF_DEPTH)
		return;
	names_add_keys(ns, get(node, "properties"));
	keys = get(node, "x-cda-keys");
	for (size_t i = 0; keys && fs->rs && i < fs->rs->nprobes; i++)
		names_add(ns, fs->rs->probes[i]->name);
	if (keys && !fs->rs && !strcmp(json_object_get_string(keys), "probes"))
		names_add_strings(ns, get(fs->probes, "probes"), "name");
	if ((pn = deref(fs, get(node, "propertyNames"))))
		names_add_strings(ns, get(pn, "enum"), NULL);
	for (const char *const *k = branch_keys; *k; k++) {
		json_object *br = get(node, *k);

		for (size_t i = 0; i < alen(br); i++)
			names_of(fs, json_object_array_get_idx(br, i), depth + 1, ns);
	}
}

/* "a, b, c", cut with "..." rather than letting a long list run past one line. */
static void names_join(const struct names *ns, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ns->n; i++) {
		const char *sep = i ? ", " : "";

		if (used + strlen(sep) + strlen(ns->v[i]) + 5 > (len < NAMES_TEXT ? len : NAMES_TEXT)) {
			snprintf(buf + used, len - used, "%s...", sep);
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s", sep, ns->v[i]);
	}
}

/* ---- walking a rule's expressions ---- */

/* What an expression is, as far as the schema says. */
struct shape {
	json_object *node; /* NULL: nothing known, not checked further */
	bool params;       /* the rule's params object */
};

/* A variable bound by for_each or a quantifier, innermost first. */
struct binding {
	const char *name;
	struct shape shape;
	const struct cda_expr *list; /* what it ranges over, for messages */
	const struct binding *up;
};

struct checker {
	const struct cda_fact_schema *fs;
	const struct cda_rule *r;
	const struct shape *let_shapes; /* of the rule's lets, as far as checked */
	size_t nlets;                   /* the lets a name may refer to here */
	const struct cda_named_expr *set_lets; /* the rule set's names, checked when used */
	size_t nset;                    /* those a name may refer to here */
	size_t nall;                    /* all of them, to tell a later one from none */
	bool *used;                     /* per set-wide name: the rule uses it; may be NULL */
	const char *where; /* "assert", "evidence NAME", ... */
	char *msg;
	size_t msglen;
};

static int check(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		 int depth, struct shape *out);

static int fail(struct checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct checker *ck, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ck->msg, ck->msglen, "%s: ", ck->where);

	if (n >= 0 && (size_t)n < ck->msglen) {
		va_start(ap, fmt);
		vsnprintf(ck->msg + n, ck->msglen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The expression as a fact path, e.g. pool.memory_regions[].path, for messages. */
static void path_text(const struct cda_expr *e, char *buf, size_t len, int depth)
{
	char sub[160];

	if (depth > MAX_PATH_DEPTH) {
		snprintf(buf, len, "...");
		return;
	}
	switch (e->kind) {
	case N_IDENT:
		snprintf(buf, len, "%s", e->name);
		return;
	case N_MEMBER:
		path_text(e->a, sub, sizeof(sub), depth + 1);
		snprintf(buf, len, "%s.%s", sub, e->name);
		return;
	case N_INDEX:
		path_text(e->a, sub, sizeof(sub), depth + 1);
		snprintf(buf, len, "%s[]", sub);
		return;
	case N_QUANT:
		if (e->quant == Q_FIRST || e->quant == Q_FILTER) {
			path_text(e->a, sub, sizeof(sub), depth + 1);
			snprintf(buf, len, "%s(%s in %s: ...)", e->quant == Q_FIRST ? "first" : "filter",
				 e->name, sub);
			return;
		}
		break;
	default:
		break;
	}
	snprintf(buf, len, "(...)");
}

/* The place a member was looked up in: "pool (an item of dt.pools)", "dt", "pool.compatible". */
static void place_text(const struct binding *scope, const struct cda_expr *e, char *buf, size_t len)
{
	char list[160];

	path_text(e, buf, len, 0);
	if (e->kind != N_IDENT)
		return;
	for (const struct binding *b = scope; b; b = b->up) {
		if (strcmp(b->name, e->name))
			continue;
		path_text(b->list, list, sizeof(list), 0);
		snprintf(buf, len, "%s (an item of %s)", e->name, list);
		return;
	}
}

static int no_name(struct checker *ck, const struct binding *scope, const struct cda_expr *e)
{
	struct names ns = { .n = 0 };
	char have[NAMES_TEXT + 8];

	for (const struct binding *b = scope; b; b = b->up)
		names_add(&ns, b->name);
	for (size_t i = 0; i < ck->nlets; i++)
		names_add(&ns, ck->r->lets[i].name);
	if (ck->r->params)
		names_add(&ns, "params");
	for (size_t i = 0; i < ck->nset; i++)
		names_add(&ns, ck->set_lets[i].name);
	names_add_keys(&ns, ck->fs->facts);
	names_join(&ns, have, sizeof(have));
	return fail(ck, "no fact '%s'; the names here are: %s", e->name, have);
}

/*
 * Set-wide name i, where a rule uses it: its shape, found by checking it in
 * its own scope (the facts and the set-wide names before it), as the
 * evaluator evaluates it. Its facts were checked when the set was loaded.
 */
static int check_set_let(struct checker *ck, size_t i, struct shape *out)
{
	static const struct cda_rule no_rule;
	struct checker in = *ck;

	if (ck->used)
		ck->used[i] = true;
	in.r = &no_rule;
	in.nlets = 0;
	in.nset = i;
	return check(&in, NULL, ck->set_lets[i].expr, 0, out);
}

/*
 * A set-wide name may refer only to those before it (ck->nset is the one
 * being checked), so none can be recursive: say so when one refers to
 * itself or a later one (fn: as a function). 0 when name is no such one.
 */
static int no_recursion(struct checker *ck, const char *name, bool fn)
{
	for (size_t j = ck->nset; j < ck->nall; j++) {
		const struct cda_named_expr *l = &ck->set_lets[j];

		if (!(fn ? l->fn && !strcmp(l->fn, name) : !l->fn && !strcmp(l->name, name)))
			continue;
		if (j == ck->nset)
			return fail(ck, "'%s' refers to itself: a set-wide name may not be recursive",
				    name);
		return fail(ck, "refers to '%s', defined after it: a set-wide name sees only those "
			    "before it, so none can be recursive", l->name);
	}
	return 0;
}

static int check_ident(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		       struct shape *out)
{
	/* The evaluator's order: bound variables, lets, params, set-wide names, top-level facts. */
	for (const struct binding *b = scope; b; b = b->up) {
		if (!strcmp(b->name, e->name)) {
			*out = b->shape;
			return 0;
		}
	}
	for (size_t i = 0; i < ck->nlets; i++) {
		if (!strcmp(ck->r->lets[i].name, e->name)) {
			*out = ck->let_shapes[i];
			return 0;
		}
	}
	if (!strcmp(e->name, "params") && ck->r->params) {
		out->params = true;
		return 0;
	}
	for (size_t i = 0; i < ck->nset; i++)
		if (!ck->set_lets[i].fn && !strcmp(ck->set_lets[i].name, e->name))
			return check_set_let(ck, i, out);
	if (!(out->node = deref(ck->fs, get(ck->fs->facts, e->name))))
		return no_recursion(ck, e->name, false) ? -1 : no_name(ck, scope, e);
	return 0;
}

static int no_function(struct checker *ck, const struct cda_expr *e)
{
	struct names ns = { .n = 0 };
	char have[NAMES_TEXT + 8];

	if (no_recursion(ck, e->name, true))
		return -1;
	for (size_t i = 0; i < ck->nset; i++)
		if (ck->set_lets[i].fn)
			names_add(&ns, ck->set_lets[i].name);
	names_join(&ns, have, sizeof(have));
	return fail(ck, "unknown function '%s'; the set-wide functions here are: %s", e->name,
		    ns.n ? have : "(none)");
}

/*
 * A call of a set-wide function: its arguments in the caller's scope, then
 * its body with only the parameters bound, each to its argument's shape, so
 * r.min in the body is checked against what r is at this call.
 */
static int check_call(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		      int depth)
{
	static const struct cda_rule no_rule;
	struct binding params[CDA_EXPR_MAX_PARAMS];
	const struct binding *up = NULL;
	struct checker in = *ck;
	struct shape ignored;
	char where[160];
	size_t i = ck->nset;

	while (i-- > 0 && !(ck->set_lets[i].fn && !strcmp(ck->set_lets[i].fn, e->name)))
		;
	if (i == (size_t)-1)
		return no_function(ck, e);
	if ((size_t)e->nargs != ck->set_lets[i].nparams)
		return fail(ck, "%s() takes %zu arguments, got %d", e->name,
			    ck->set_lets[i].nparams, e->nargs);
	for (int k = 0; k < e->nargs; k++) {
		params[k] = (struct binding){ .name = ck->set_lets[i].params[k],
					      .list = e->args[k], .up = up };
		if (check(ck, scope, e->args[k], depth + 1, &params[k].shape))
			return -1;
		up = &params[k];
	}
	if (ck->used)
		ck->used[i] = true;
	snprintf(where, sizeof(where), "%s, in %s", ck->where, ck->set_lets[i].name);
	in.where = where;
	in.r = &no_rule;
	in.nlets = 0;
	in.nset = i;
	if (check(&in, up, ck->set_lets[i].expr, depth + 1, &ignored))
		return -1;
	return 0;
}

static int check_param(struct checker *ck, const struct cda_expr *e)
{
	const struct cda_value *p = ck->r->params;
	struct names ns = { .n = 0 };
	char have[NAMES_TEXT + 8];

	if (cda_obj_get(p, e->name))
		return 0;
	for (size_t i = 0; i < p->obj.n; i++)
		names_add(&ns, p->obj.m[i].key);
	names_join(&ns, have, sizeof(have));
	return fail(ck, "no param 'params.%s'; the rule's params are: %s", e->name,
		    ns.n ? have : "(none)");
}

static int check_member(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
			int depth, struct shape *out)
{
	struct shape base = { 0 };
	struct names ns = { .n = 0 };
	char path[200], place[200], have[NAMES_TEXT + 8];

	if (check(ck, scope, e->a, depth + 1, &base))
		return -1;
	if (base.params)
		return check_param(ck, e);
	if (!base.node)
		return 0;
	switch (member_of(ck->fs, base.node, e->name, 0, &out->node)) {
	case FOUND:
		return 0;
	case WRONG_TYPE:
		path_text(e, path, sizeof(path), 0);
		place_text(scope, e->a, place, sizeof(place));
		return fail(ck, "no fact '%s'; %s is not an object", path, place);
	case MISSING:
		break;
	}
	path_text(e, path, sizeof(path), 0);
	place_text(scope, e->a, place, sizeof(place));
	names_of(ck->fs, base.node, 0, &ns);
	names_join(&ns, have, sizeof(have));
	if (!ns.n)
		return fail(ck, "no fact '%s'; %s has no members", path, place);
	return fail(ck, "no fact '%s'; %s has: %s", path, place, have);
}

/* The item schema of list e (of shape list); an error if the schema says e is no list. */
static int item_shape(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		      struct shape list, struct shape *item)
{
	char place[200];

	*item = (struct shape){ 0 };
	if (!list.node || items_of(ck->fs, list.node, 0, &item->node) == FOUND)
		return 0;
	place_text(scope, e, place, sizeof(place));
	return fail(ck, "%s is not a list", place);
}

static int check_index(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		       int depth, struct shape *out)
{
	struct shape list = { 0 }, idx;

	if (check(ck, scope, e->a, depth + 1, &list) || check(ck, scope, e->b, depth + 1, &idx))
		return -1;
	return item_shape(ck, scope, e->a, list, out);
}

static int check_quant(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		       int depth, struct shape *out)
{
	struct shape list = { 0 }, body;
	struct binding var = { .name = e->name, .list = e->a, .up = scope };

	if (check(ck, scope, e->a, depth + 1, &list) ||
	    item_shape(ck, scope, e->a, list, &var.shape) ||
	    check(ck, &var, e->b, depth + 1, &body))
		return -1;
	if (e->quant == Q_FILTER)
		*out = list;
	else if (e->quant == Q_FIRST)
		*out = var.shape;
	return 0;
}

/* Check e and say what it is (*out); 0 or -1 with the message in ck. */
static int check(struct checker *ck, const struct binding *scope, const struct cda_expr *e,
		 int depth, struct shape *out)
{
	struct shape sub;

	*out = (struct shape){ 0 };
	if (!e || depth > CDA_EXPR_MAX_HEIGHT) /* the parser's bound: never reached */
		return 0;
	switch (e->kind) {
	case N_IDENT:
		return check_ident(ck, scope, e, out);
	case N_MEMBER:
		return check_member(ck, scope, e, depth, out);
	case N_INDEX:
		return check_index(ck, scope, e, depth, out);
	case N_QUANT:
		return check_quant(ck, scope, e, depth, out);
	case N_CALL:
		if (!e->func)
			return check_call(ck, scope, e, depth);
		/* fall through */
	default:
		/* Operators, ?: and function calls: check the operands; the result is not checked. */
		if (check(ck, scope, e->a, depth + 1, &sub) || check(ck, scope, e->b, depth + 1, &sub) ||
		    check(ck, scope, e->c, depth + 1, &sub))
			return -1;
		for (int i = 0; i < e->nargs; i++)
			if (check(ck, scope, e->args[i], depth + 1, &sub))
				return -1;
		return 0;
	}
}

static int check_expr(struct checker *ck, const struct binding *scope, const char *where,
		      const struct cda_expr *e)
{
	struct shape ignored;

	ck->where = where;
	return check(ck, scope, e, 0, &ignored);
}

static int check_template(struct checker *ck, const struct binding *scope, const char *where,
			  const struct cda_template *t)
{
	for (const struct cda_template_part *p = t ? t->parts : NULL; p; p = p->next)
		if (check_expr(ck, scope, where, p->expr))
			return -1;
	return 0;
}

/*
 * Each let in order, seeing only the lets before it (as the evaluator does),
 * so none refers to itself or a later one; and none hides a top-level fact,
 * which would make "dt" mean two things in one rule. Their shapes are kept
 * for the expressions that use them.
 */
static int check_lets(struct checker *ck, const struct binding *scope)
{
	struct shape *shapes;

	if (!ck->r->nlets)
		return 0;
	shapes = calloc(ck->r->nlets, sizeof(*shapes));
	if (!shapes)
		return fail(ck, "out of memory");
	ck->let_shapes = shapes;
	for (size_t i = 0; i < ck->r->nlets; i++) {
		char where[96];

		snprintf(where, sizeof(where), "let %s", ck->r->lets[i].name);
		ck->where = where;
		if (get(ck->fs->facts, ck->r->lets[i].name))
			return fail(ck, "the name hides the fact '%s'", ck->r->lets[i].name);
		ck->nlets = i;
		if (check(ck, scope, ck->r->lets[i].expr, 0, &shapes[i]))
			return -1;
	}
	ck->nlets = ck->r->nlets;
	return 0;
}

static int check_rule(struct checker *ck)
{
	const struct cda_rule *r = ck->r;
	struct binding var = { .name = r->for_var, .list = r->for_list };
	const struct binding *scope = NULL;
	struct shape list;

	if (r->for_list) {
		if (check(ck, NULL, r->for_list, 0, &list) ||
		    item_shape(ck, NULL, r->for_list, list, &var.shape))
			return -1;
		scope = &var;
	}
	if (check_lets(ck, scope))
		return -1;
	if (check_expr(ck, scope, "where", r->where) || check_expr(ck, scope, "assert", r->assert_) ||
	    check_template(ck, scope, "message", r->message) ||
	    check_template(ck, scope, "fix", r->fix) ||
	    check_template(ck, scope, "subject", r->subject) ||
	    check_template(ck, scope, "property", r->property))
		return -1;
	for (size_t i = 0; i < r->nevidence; i++) {
		char where[96];

		snprintf(where, sizeof(where), "evidence %s", r->evidence[i].name);
		if (check_expr(ck, scope, where, r->evidence[i].expr))
			return -1;
	}
	return 0;
}

int cda_rule_check_facts(const struct cda_fact_schema *fs, const struct cda_named_expr *set_lets,
			 size_t nset, const struct cda_rule *r, bool *used, char *msg, size_t msglen)
{
	struct checker ck = { .fs = fs, .r = r, .set_lets = set_lets, .nset = nset, .nall = nset,
			      .used = used,
			      .where = "for_each", .msg = msg, .msglen = msglen };
	int ret = check_rule(&ck);

	free((void *)ck.let_shapes);
	return ret;
}

int cda_set_let_check_facts(const struct cda_fact_schema *fs, const struct cda_named_expr *set_lets,
			    size_t nset, size_t i, char *msg, size_t msglen)
{
	static const struct cda_rule no_rule;
	const struct cda_named_expr *l = &set_lets[i];
	struct checker ck = { .fs = fs, .r = &no_rule, .set_lets = set_lets, .nset = i,
			      .nall = nset, .msg = msg, .msglen = msglen };
	struct binding params[CDA_EXPR_MAX_PARAMS];
	const struct binding *up = NULL;
	struct shape ignored;
	char where[96];

	snprintf(where, sizeof(where), "let %s", l->name);
	ck.where = where;
	if (get(fs->facts, l->fn ? l->fn : l->name))
		return fail(&ck, "the name hides the fact '%s'", l->fn ? l->fn : l->name);
	for (size_t k = 0; k < l->nparams; k++) { /* of any shape: checked again at each call */
		params[k] = (struct binding){ .name = l->params[k], .list = l->expr, .up = up };
		up = &params[k];
	}
	return check(&ck, up, l->expr, 0, &ignored);
}
