// SPDX-License-Identifier: MIT
/*
 * Capability probes: what a kernel can do, decided from evidence, kept as data
 * in rules/probes.json. Each probe lists evidence in order of authority:
 *   {"symbol": [names]}          any named symbol present (symtab or System.map)
 *   {"config": "NAME"}           CONFIG_NAME is y or m
 *   {"member": ["struct.member", ...], "anchor": "function", "cu": "path.c"}
 *                                any struct member present (BTF, else DWARF)
 *   {"version": ["6.15", "6.14.2", ...]}
 *                                first releases carrying the change: "X.Y" counts
 *                                for every later version, "X.Y.Z" only within X.Y.y
 * The first evidence that can be checked decides the probe, yes or no, and the
 * fact records which one did; when none can be checked the probe is unknown and
 * says what was missing. So a backport shows up through a symbol or a struct
 * member even where the version says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "builtin_rules.h"
#include "kernel.h"
#include "util.h"

enum ev_kind { EV_SYMBOL, EV_CONFIG, EV_MEMBER, EV_VERSION };

struct evidence {
	enum ev_kind kind;
	const char **names;
	size_t n;
	const char *anchor, *cu;
};

struct probe {
	const char *name;
	struct evidence *ev;
	size_t nev;
};

struct kprobes {
	struct probe *p;
	size_t n;
};

enum outcome { PROBE_UNAVAILABLE, PROBE_YES, PROBE_NO };

static int bad(struct cda_error *err, const char *probe, const char *what)
{
	return cda_fail(err, CDA_E_RULE, "rules/probes.json: probe %s: %s", probe ? probe : "?", what);
}

static int strings(struct cda_arena *a, json_object *j, const char ***out, size_t *n)
{
	size_t cnt = json_object_is_type(j, json_type_array) ? json_object_array_length(j) : 1;

	*out = cda_arena_alloc(a, cnt * sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		json_object *s = json_object_is_type(j, json_type_array) ? json_object_array_get_idx(j, i) : j;

		if (!json_object_is_type(s, json_type_string))
			return -1;
		if (!((*out)[i] = cda_arena_strdup(a, json_object_get_string(s))))
			return -1;
	}
	*n = cnt;
	return cnt ? 0 : -1;
}

static int parse_evidence(struct cda_arena *a, const char *probe, json_object *j,
			  struct evidence *ev, struct cda_error *err)
{
	static const char *const kinds[] = { "symbol", "config", "member", "version" };
	json_object *v = NULL;
	int found = 0;

	if (!json_object_is_type(j, json_type_object))
		return bad(err, probe, "evidence items must be objects");
	for (size_t k = 0; k < 4; k++) {
		if (json_object_object_get_ex(j, kinds[k], &v)) {
			ev->kind = (enum ev_kind)k;
			found++;
		}
	}
	if (found != 1)
		return bad(err, probe, "each evidence item needs exactly one of symbol, config, member, version");
	json_object_object_get_ex(j, kinds[ev->kind], &v);
	if (strings(a, v, &ev->names, &ev->n))
		return bad(err, probe, "evidence values must be a string or a list of strings");
	json_object_object_foreach(j, key, val) {
		if (!strcmp(key, kinds[ev->kind]))
			continue;
		if (ev->kind == EV_MEMBER && (!strcmp(key, "anchor") || !strcmp(key, "cu")) &&
		    json_object_is_type(val, json_type_string)) {
			const char *s = cda_arena_strdup(a, json_object_get_string(val));

			if (!s)
				return cda_fail(err, CDA_E_NOMEM, "out of memory");
			*(key[0] == 'a' ? &ev->anchor : &ev->cu) = s;
			continue;
		}
		return bad(err, probe, "unknown or misplaced evidence key");
	}
	for (size_t i = 0; i < ev->n; i++) {
		struct kversion kv;

		if (ev->kind == EV_MEMBER && !strchr(ev->names[i], '.'))
			return bad(err, probe, "member evidence is written struct.member");
		if (ev->kind == EV_VERSION && !cda_kversion_parse(ev->names[i], &kv))
			return bad(err, probe, "version evidence is written X.Y or X.Y.Z");
	}
	return 0;
}

int cda_kprobes_load(struct cda_arena *a, struct kprobes **out, struct cda_error *err)
{
	struct kprobes *ps = cda_arena_alloc(a, sizeof(*ps));
	const char *text = NULL;
	json_object *root, *list;
	int ret = 0;

	if (!ps)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	for (size_t i = 0; cda_builtin_probes[i].name; i++)
		text = (const char *)cda_builtin_probes[i].text;
	if (!text)
		return cda_fail(err, CDA_E_RULE, "no built-in probes");
	root = json_tokener_parse(text);
	if (!root || !json_object_object_get_ex(root, "probes", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		ret = bad(err, NULL, "not a {\"probes\": [...]} file");
		goto out;
	}
	ps->n = json_object_array_length(list);
	ps->p = cda_arena_alloc(a, (ps->n ? ps->n : 1) * sizeof(*ps->p));
	if (!ps->p) {
		ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ps->n && !ret; i++) {
		json_object *pj = json_object_array_get_idx(list, i), *name, *ev;
		struct probe *p = &ps->p[i];

		if (!json_object_object_get_ex(pj, "name", &name) ||
		    !json_object_object_get_ex(pj, "evidence", &ev) ||
		    !json_object_is_type(ev, json_type_array) || !json_object_array_length(ev)) {
			ret = bad(err, NULL, "each probe needs a name and a non-empty evidence list");
			break;
		}
		p->name = cda_arena_strdup(a, json_object_get_string(name));
		p->nev = json_object_array_length(ev);
		p->ev = cda_arena_alloc(a, p->nev * sizeof(*p->ev));
		if (!p->name || !p->ev) {
			ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
			break;
		}
		memset(p->ev, 0, p->nev * sizeof(*p->ev));
		for (size_t k = 0; k < p->nev && !ret; k++)
			ret = parse_evidence(a, p->name, json_object_array_get_idx(ev, k), &p->ev[k], err);
	}
out:
	json_object_put(root);
	if (!ret)
		*out = ps;
	return ret;
}

bool cda_kversion_parse(const char *s, struct kversion *v)
{
	unsigned n[3] = { 0, 0, 0 };
	int i = 0;

	for (;;) {
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9') {
			if (n[i] > 100000)
				return false;
			n[i] = n[i] * 10 + (unsigned)(*s++ - '0');
		}
		if (++i == 3 || *s != '.' || s[1] < '0' || s[1] > '9')
			break;
		s++;
	}
	if (i < 2)
		return false;
	/* "6.14.0-15-generic": a distribution's own numbering hides the stable level. */
	*v = (struct kversion){ true, n[0], n[1], n[2], !(i == 3 && n[2] == 0 && *s == '-' &&
							strncmp(s, "-rc", 3)) };
	return true;
}

static int vcmp(const struct kversion *x, const struct kversion *y)
{
	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	if (x->patch != y->patch)
		return x->patch < y->patch ? -1 : 1;
	return 0;
}

static enum outcome check(struct cda_arena *a, const struct evidence *ev, struct kprobe_ctx *c,
			  char *why, size_t whylen, struct cda_error *err, int *ret)
{
	switch (ev->kind) {
	case EV_SYMBOL:
		if (!c->syms->source) {
			snprintf(why, whylen, "no symbol table (a System.map can be given with --system-map)");
			return PROBE_UNAVAILABLE;
		}
		for (size_t i = 0; i < ev->n; i++) {
			if (cda_ksyms_get(c->syms, ev->names[i])) {
				snprintf(why, whylen, "symbol %s present (%s)", ev->names[i], c->syms->source);
				return PROBE_YES;
			}
		}
		snprintf(why, whylen, "%s", ev->n > 1 ? "none of the symbols" : "no symbol");
		for (size_t i = 0; i < ev->n && strlen(why) + 64 < whylen; i++)
			snprintf(why + strlen(why), whylen - strlen(why), "%s%s", i ? ", " : " ",
				 ev->names[i]);
		snprintf(why + strlen(why), whylen - strlen(why), " (%s)", c->syms->source);
		return PROBE_NO;
	case EV_CONFIG: {
		struct cda_value *v = c->config->source ? cda_obj_get(c->config->opts, ev->names[0]) : NULL;
		bool on;

		if (!v) {
			snprintf(why, whylen, "no kernel config (no IKCONFIG; --config was not given)");
			return PROBE_UNAVAILABLE;
		}
		on = !strcmp(v->s, "y") || !strcmp(v->s, "m");
		snprintf(why, whylen, "CONFIG_%s=%s (%s)", ev->names[0], v->s, c->config->source);
		return on ? PROBE_YES : PROBE_NO;
	}
	case EV_MEMBER: {
		enum outcome o = PROBE_UNAVAILABLE;
		const struct ksym *anchor = ev->anchor ? cda_ksyms_get(c->syms, ev->anchor) : NULL;

		for (size_t i = 0; i < ev->n; i++) {
			char strct[128];
			const char *dot = strchr(ev->names[i], '.');
			enum kdebug_result r;
			size_t sl = (size_t)(dot - ev->names[i]);

			if (sl >= sizeof(strct))
				continue;
			memcpy(strct, ev->names[i], sl);
			strct[sl] = '\0';
			if ((*ret = cda_kdebug_member(a, c->debug, strct, dot + 1,
						      anchor ? anchor->addr : 0, ev->cu, &r, why,
						      whylen, err)))
				return PROBE_UNAVAILABLE;
			if (r == KD_FOUND)
				return PROBE_YES;
			if (r == KD_ABSENT)
				o = PROBE_NO;
			else
				return PROBE_UNAVAILABLE;
		}
		if (o == PROBE_NO && ev->n > 1) {
			char from[64] = "";
			const char *paren = strrchr(why, '(');

			snprintf(from, sizeof(from), "%s", paren ? paren : "");
			snprintf(why, whylen, "struct %.*s has none of the members",
				 (int)(strchr(ev->names[0], '.') - ev->names[0]), ev->names[0]);
			for (size_t i = 0; i < ev->n && strlen(why) + 64 < whylen; i++)
				snprintf(why + strlen(why), whylen - strlen(why), "%s%s",
					 i ? ", " : " ", strchr(ev->names[i], '.') + 1);
			snprintf(why + strlen(why), whylen - strlen(why), " %s", from);
		}
		return o;
	}
	case EV_VERSION: {
		bool series_unsure = false;

		if (!c->version.known) {
			snprintf(why, whylen, "kernel version unknown (no linux_banner)");
			return PROBE_UNAVAILABLE;
		}
		for (size_t i = 0; i < ev->n; i++) {
			struct kversion first;
			bool same_series, yes;

			cda_kversion_parse(ev->names[i], &first); /* checked at load */
			same_series = c->version.major == first.major && c->version.minor == first.minor;
			yes = first.patch == 0 ? vcmp(&c->version, &first) >= 0
					       : same_series && c->version.patch >= first.patch;
			if (yes && (first.patch == 0 || c->version.patch_known)) {
				snprintf(why, whylen, "version %u.%u.%u carries it (first in %s)",
					 c->version.major, c->version.minor, c->version.patch,
					 ev->names[i]);
				return PROBE_YES;
			}
			series_unsure |= first.patch && same_series && !c->version.patch_known;
		}
		if (series_unsure) {
			snprintf(why, whylen,
				 "version %u.%u.%u is a distribution release that does not say which "
				 "%u.%u.y stable release it is based on",
				 c->version.major, c->version.minor, c->version.patch,
				 c->version.major, c->version.minor);
			return PROBE_UNAVAILABLE;
		}
		snprintf(why, whylen, "version %u.%u.%u predates %s", c->version.major,
			 c->version.minor, c->version.patch, ev->names[0]);
		for (size_t i = 1; i < ev->n && strlen(why) + 40 < whylen; i++)
			snprintf(why + strlen(why), whylen - strlen(why), "%s%s",
				 i + 1 == ev->n ? " and " : ", ", ev->names[i]);
		return PROBE_NO;
	}
	}
	return PROBE_UNAVAILABLE;
}

static const char *const kind_names[] = { "symbol", "config", "member", "version" };

int cda_kprobes_run(struct cda_arena *a, const struct kprobes *ps, struct kprobe_ctx *ctx,
		    struct cda_value **out, struct cda_error *err)
{
	struct cda_value *all = cda_v_obj(a);
	int ret;

	if (!all)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	for (size_t i = 0; i < ps->n; i++) {
		const struct probe *p = &ps->p[i];
		struct cda_value *o = cda_v_obj(a);
		char missing[768] = "", why[384];
		enum outcome res = PROBE_UNAVAILABLE;
		size_t k;

		if (!o)
			return cda_fail(err, CDA_E_NOMEM, "out of memory");
		if (ctx->unsupported) {
			snprintf(missing, sizeof(missing), "%s", ctx->unsupported);
			k = p->nev;
		} else {
			for (k = 0; k < p->nev; k++) {
				ret = 0;
				res = check(a, &p->ev[k], ctx, why, sizeof(why), err, &ret);
				if (ret)
					return ret;
				if (res != PROBE_UNAVAILABLE)
					break;
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 "%s%s", *missing ? "; " : "", why);
			}
		}
		if (k < p->nev) {
			if (cda_obj_set_bool(a, o, "value", res == PROBE_YES) ||
			    cda_obj_set_str(a, o, "decided_by", why) ||
			    cda_obj_set_str(a, o, "evidence", kind_names[p->ev[k].kind]))
				return cda_fail(err, CDA_E_NOMEM, "out of memory");
		} else {
			char reason[800];

			snprintf(reason, sizeof(reason), "probe %s undecided: %s", p->name, missing);
			if (cda_obj_set(a, o, "value", cda_v_unknown(a, reason)) ||
			    cda_obj_set_str(a, o, "decided_by", reason))
				return cda_fail(err, CDA_E_NOMEM, "out of memory");
		}
		if (cda_obj_set(a, all, p->name, o))
			return cda_fail(err, CDA_E_NOMEM, "out of memory");
	}
	*out = all;
	return 0;
}

int cda_kprobes_want_symbols(struct cda_arena *a, const struct kprobes *ps, struct ksyms *s,
			     struct cda_error *err)
{
	for (size_t i = 0; i < ps->n; i++) {
		for (size_t k = 0; k < ps->p[i].nev; k++) {
			const struct evidence *ev = &ps->p[i].ev[k];

			for (size_t j = 0; ev->kind == EV_SYMBOL && j < ev->n; j++)
				if (cda_ksyms_want(a, s, ev->names[j]) < 0)
					return cda_fail(err, CDA_E_NOMEM, "out of memory");
			if (ev->anchor && cda_ksyms_want(a, s, ev->anchor) < 0)
				return cda_fail(err, CDA_E_NOMEM, "out of memory");
		}
	}
	return 0;
}

int cda_kprobes_config_options(struct cda_arena *a, const struct kprobes *ps,
			       const char *const **out, struct cda_error *err)
{
	const char **v;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].nev; k++)
			cap += ps->p[i].ev[k].kind == EV_CONFIG;
	v = cda_arena_alloc(a, (cap + 1) * sizeof(*v));
	if (!v)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].nev; k++)
			if (ps->p[i].ev[k].kind == EV_CONFIG)
				v[n++] = ps->p[i].ev[k].names[0];
	v[n] = NULL;
	*out = v;
	return 0;
}
