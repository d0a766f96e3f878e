// SPDX-License-Identifier: MIT
/*
 * The "probes" of a rule file (probe.h): parsed and checked when the rule set
 * is loaded, so a bad probe fails at start-up like a bad rule (exit 3), and
 * a probe of a later file replaces the one of the same name, as rules do by
 * id. The built-in probes are rules/probes.json. See the PROBES section of
 * cca-dma-audit-rules(5).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "builtin_rules.h"
#include "probe.h"
#include "rules.h"
#include "util.h"

const char *const cda_evidence_kinds[4] = { "symbol", "config", "member", "version" };

/* "origin" is written by `rules --format json` and ignored: a probe's origin is where it is loaded from. */
static const char *const probe_keys[] = { "name", "summary", "refs", "evidence", "origin", NULL };

static int bad(struct cda_error *err, const char *origin, const char *probe, const char *what)
{
	return cda_fail(err, CDA_E_RULE, "%s: probe %s: %s", origin, probe ? probe : "?", what);
}

/* A string or a non-empty list of strings; -1 if it is neither (or out of memory). */
static int strings(struct cda_arena *a, json_object *j, const char ***out, size_t *n)
{
	bool list = json_object_is_type(j, json_type_array);
	size_t cnt = list ? json_object_array_length(j) : 1;

	*out = cda_arena_alloc(a, (cnt ? cnt : 1) * sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		json_object *s = list ? json_object_array_get_idx(j, i) : j;

		if (!json_object_is_type(s, json_type_string) ||
		    !((*out)[i] = cda_arena_strdup(a, json_object_get_string(s))))
			return -1;
	}
	*n = cnt;
	return cnt ? 0 : -1;
}

/* "X.Y" or "X.Y.Z", numbers only: the first release carrying a change. */
static bool valid_version(const char *s)
{
	int parts = 0;

	for (;;) {
		size_t d = strspn(s, "0123456789");

		if (!d || d > 6)
			return false;
		parts++;
		s += d;
		if (!*s)
			return parts >= 2;
		if (*s++ != '.' || parts == 3)
			return false;
	}
}

/* The keys an evidence item may have besides its kind: anchor and cu, for member only. */
static int evidence_extras(struct cda_arena *a, const char *origin, const char *probe,
			   json_object *j, struct cda_evidence *ev, struct cda_error *err)
{
	json_object_object_foreach(j, key, val) {
		const char *s;

		if (!strcmp(key, cda_evidence_kinds[ev->kind]))
			continue;
		if (ev->kind != CDA_EV_MEMBER || (strcmp(key, "anchor") && strcmp(key, "cu")) ||
		    !json_object_is_type(val, json_type_string))
			return bad(err, origin, probe, "unknown or misplaced evidence key");
		if (!(s = cda_arena_strdup(a, json_object_get_string(val))))
			return cda_oom(err, NULL);
		*(key[0] == 'a' ? &ev->anchor : &ev->cu) = s;
	}
	return 0;
}

static int parse_evidence(struct cda_arena *a, const char *origin, const char *probe,
			  json_object *j, struct cda_evidence *ev, struct cda_error *err)
{
	json_object *v = NULL;
	int found = 0, ret;

	if (!json_object_is_type(j, json_type_object))
		return bad(err, origin, probe, "evidence items must be objects");
	for (size_t k = 0; k < 4; k++) {
		if (json_object_object_get_ex(j, cda_evidence_kinds[k], NULL)) {
			ev->kind = (enum cda_evidence_kind)k;
			found++;
		}
	}
	if (found != 1)
		return bad(err, origin, probe,
			   "each evidence item needs exactly one of symbol, config, member, version");
	json_object_object_get_ex(j, cda_evidence_kinds[ev->kind], &v);
	if (strings(a, v, &ev->names, &ev->n))
		return bad(err, origin, probe, "evidence values must be a string or a list of strings");
	if (ev->kind == CDA_EV_CONFIG && ev->n != 1)
		return bad(err, origin, probe, "config evidence names one option");
	if ((ret = evidence_extras(a, origin, probe, j, ev, err)))
		return ret;
	for (size_t i = 0; i < ev->n; i++) {
		if (ev->kind == CDA_EV_MEMBER && !strchr(ev->names[i], '.'))
			return bad(err, origin, probe, "member evidence is written struct.member");
		if (ev->kind == CDA_EV_VERSION && !valid_version(ev->names[i]))
			return bad(err, origin, probe, "version evidence is written X.Y or X.Y.Z");
	}
	return 0;
}

static int string_member(struct cda_arena *a, const char *origin, const char *probe,
			 json_object *j, const char *key, const char **out, struct cda_error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(j, key, &v) || !json_object_is_type(v, json_type_string))
		return cda_fail(err, CDA_E_RULE, "%s: probe %s: needs a \"%s\" string", origin,
				probe ? probe : "?", key);
	return (*out = cda_arena_strdup(a, json_object_get_string(v))) ? 0 : cda_oom(err, NULL);
}

static int parse_probe(struct cda_arena *a, const char *origin, json_object *j,
		       struct cda_probe *p, struct cda_error *err)
{
	json_object *ev, *refs;
	int ret;

	if (!json_object_is_type(j, json_type_object))
		return bad(err, origin, NULL, "each probe must be an object");
	if ((ret = string_member(a, origin, NULL, j, "name", &p->name, err)) ||
	    (ret = string_member(a, origin, p->name, j, "summary", &p->summary, err)))
		return ret;
	json_object_object_foreach(j, key, val) {
		bool known = false;

		(void)val;
		for (const char *const *k = probe_keys; *k && !known; k++)
			known = !strcmp(*k, key);
		if (!known)
			return bad(err, origin, p->name, "unknown key (a probe has name, summary, refs, evidence)");
	}
	if (json_object_object_get_ex(j, "refs", &refs) &&
	    (!json_object_is_type(refs, json_type_array) ||
	     (json_object_array_length(refs) && strings(a, refs, &p->refs, &p->nrefs))))
		return bad(err, origin, p->name, "\"refs\" must be a list of strings");
	if (!json_object_object_get_ex(j, "evidence", &ev) || !json_object_is_type(ev, json_type_array) ||
	    !(p->nev = json_object_array_length(ev)))
		return bad(err, origin, p->name, "needs a non-empty \"evidence\" list");
	if (!(p->ev = cda_arena_alloc(a, p->nev * sizeof(*p->ev))) || !(p->origin = cda_arena_strdup(a, origin)) ||
	    !(p->json = cda_arena_strdup(a, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN))))
		return cda_oom(err, NULL);
	memset(p->ev, 0, p->nev * sizeof(*p->ev));
	for (size_t k = 0; k < p->nev && !ret; k++)
		ret = parse_evidence(a, origin, p->name, json_object_array_get_idx(ev, k), &p->ev[k], err);
	return ret;
}

/* Add, or replace the probe of the same name from an earlier file. */
static int add_probe(struct cda_ruleset *rs, struct cda_probe *p, size_t first_of_file,
		     struct cda_error *err)
{
	struct cda_probe **v;

	for (size_t i = 0; i < rs->nprobes; i++) {
		if (strcmp(rs->probes[i]->name, p->name))
			continue;
		if (i >= first_of_file)
			return bad(err, p->origin, p->name, "defined twice in one file");
		rs->probes[i] = p;
		return 0;
	}
	v = cda_arena_grow(rs->arena, rs->probes, rs->nprobes, &rs->probes_cap, sizeof(*v));
	if (!v)
		return cda_oom(err, NULL);
	rs->probes = v;
	rs->probes[rs->nprobes++] = p;
	return 0;
}

int cda_ruleset_load_probes(struct cda_ruleset *rs, const char *origin, json_object *root,
			    struct cda_error *err)
{
	size_t first = rs->nprobes;
	json_object *list;
	int ret = 0;

	if (!json_object_object_get_ex(root, "probes", &list))
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return cda_fail(err, CDA_E_RULE, "%s: \"probes\" must be a list of probes", origin);
	for (size_t i = 0; i < json_object_array_length(list) && !ret; i++) {
		struct cda_probe *p = cda_arena_alloc(rs->arena, sizeof(*p));

		if (!p)
			return cda_oom(err, NULL);
		memset(p, 0, sizeof(*p));
		if (!(ret = parse_probe(rs->arena, origin, json_object_array_get_idx(list, i), p, err)))
			ret = add_probe(rs, p, first, err);
	}
	return ret;
}

/* Parsed here, not as a rule file: a file of probes alone needs no facts schema (nor its parse). */
int cda_ruleset_load_builtin_probes(struct cda_ruleset *rs, struct cda_error *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && cda_builtin_probes[i].name; i++) {
		json_object *root = json_tokener_parse((const char *)cda_builtin_probes[i].text);

		ret = root ? cda_ruleset_load_probes(rs, cda_builtin_probes[i].name, root, err)
			   : cda_fail(err, CDA_E_RULE, "%s: invalid JSON", cda_builtin_probes[i].name);
		json_object_put(root);
	}
	return ret;
}

struct cda_probes cda_ruleset_probes(const struct cda_ruleset *rs)
{
	return (struct cda_probes){ (const struct cda_probe *const *)rs->probes, rs->nprobes };
}

const struct cda_probe *cda_ruleset_find_probe(const struct cda_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nprobes; i++)
		if (!strcmp(rs->probes[i]->name, name))
			return rs->probes[i];
	return NULL;
}
