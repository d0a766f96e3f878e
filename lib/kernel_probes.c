// SPDX-License-Identifier: MIT
/*
 * Capability probes answered: what a kernel can do, decided from evidence.
 * The probes are queries of the rule set (probe.h; built in: rules/probes.json),
 * each listing evidence in order of authority:
 *   symbol   any named symbol present (symtab or System.map)
 *   config   CONFIG_NAME is y or m (an option the config does not name is not set)
 *   member   any struct member present (BTF, else DWARF)
 *   version  first releases carrying the change: "X.Y" counts for every later
 *            version, "X.Y.Z" only within X.Y.y
 * The first evidence that can be checked decides the probe, yes or no, and the
 * fact records which one did; when none can be checked the probe is unknown and
 * says what was missing. So a backport shows up through a symbol or a struct
 * member even where the version says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "util.h"

enum outcome { PROBE_UNAVAILABLE, PROBE_YES, PROBE_NO };

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

/* Any of the symbols present: needs a symbol table. */
static enum outcome check_symbol(const struct cda_evidence *ev, struct kprobe_ctx *c, char *why,
				 size_t whylen)
{
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
}

/* CONFIG_NAME y or m: needs a config. */
static enum outcome check_config(const struct cda_evidence *ev, struct kprobe_ctx *c, char *why,
				 size_t whylen)
{
	struct cda_value *v;
	const char *val;

	if (!c->config->source) {
		snprintf(why, whylen, "no kernel config (no IKCONFIG; --config was not given)");
		return PROBE_UNAVAILABLE;
	}
	/* an option the .config does not name is not set (its dependencies are not met) */
	v = cda_obj_get(c->config->opts, ev->names[0]);
	val = v && v->type == CDA_T_STR ? v->s : "n";
	snprintf(why, whylen, "CONFIG_%s=%s (%s)", ev->names[0], val, c->config->source);
	return !strcmp(val, "y") || !strcmp(val, "m") ? PROBE_YES : PROBE_NO;
}

/* Any of the struct members present: needs BTF or DWARF; *ret receives an error. */
static enum outcome check_member(struct cda_arena *a, const struct cda_evidence *ev,
				 struct kprobe_ctx *c, char *why, size_t whylen, struct cda_error *err,
				 int *ret)
{
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

/* The version at or past one of the first releases: needs the version. */
static enum outcome check_version(const struct cda_evidence *ev, struct kprobe_ctx *c, char *why,
				  size_t whylen)
{
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

/* Check one piece of evidence: yes, no, or unavailable with why saying what was missing. */
static enum outcome check(struct cda_arena *a, const struct cda_evidence *ev, struct kprobe_ctx *c,
			  char *why, size_t whylen, struct cda_error *err, int *ret)
{
	switch (ev->kind) {
	case CDA_EV_SYMBOL:
		return check_symbol(ev, c, why, whylen);
	case CDA_EV_CONFIG:
		return check_config(ev, c, why, whylen);
	case CDA_EV_MEMBER:
		return check_member(a, ev, c, why, whylen, err, ret);
	case CDA_EV_VERSION:
		return check_version(ev, c, why, whylen);
	}
	return PROBE_UNAVAILABLE;
}

/*
 * Decide probe p into o: by the first evidence that can be checked, else
 * unknown, saying what each piece lacked. 0, or an error reading debug info.
 */
static int run_probe(struct cda_fb *fb, const struct cda_probe *p, struct kprobe_ctx *ctx,
		     struct cda_value *o, struct cda_error *err)
{
	char missing[768] = "", why[384], reason[800];
	enum outcome res = PROBE_UNAVAILABLE;
	size_t k;
	int ret = 0;

	if (ctx->unsupported) {
		snprintf(missing, sizeof(missing), "%s", ctx->unsupported);
		k = p->nev;
	} else {
		for (k = 0; k < p->nev; k++) {
			res = check(fb->a, &p->ev[k], ctx, why, sizeof(why), err, &ret);
			if (ret)
				return ret;
			if (res != PROBE_UNAVAILABLE)
				break;
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", *missing ? "; " : "", why);
		}
	}
	if (k < p->nev) {
		cda_fb_bool(fb, o, "value", res == PROBE_YES);
		cda_fb_str(fb, o, "decided_by", why);
		cda_fb_str(fb, o, "evidence", cda_evidence_kinds[p->ev[k].kind]);
		return 0;
	}
	snprintf(reason, sizeof(reason), "probe %s undecided: %s", p->name, missing);
	cda_fb_unknown(fb, o, "value", reason);
	cda_fb_str(fb, o, "decided_by", reason);
	return 0;
}

int cda_kprobes_run(struct cda_arena *a, struct cda_probes ps, struct kprobe_ctx *ctx,
		    struct cda_value **out, struct cda_error *err)
{
	struct cda_fb fb = { .a = a };
	struct cda_value *all = cda_fb_new_obj(&fb);
	int ret;

	for (size_t i = 0; i < ps.n && cda_fb_ok(&fb); i++) {
		struct cda_value *o = cda_fb_obj(&fb, all, ps.p[i]->name);

		if (o && (ret = run_probe(&fb, ps.p[i], ctx, o, err)))
			return ret;
	}
	if ((ret = cda_fb_done(&fb, err)))
		return ret;
	*out = all;
	return 0;
}

int cda_kprobes_want_symbols(struct cda_arena *a, struct cda_probes ps, struct ksyms *s,
			     struct cda_error *err)
{
	for (size_t i = 0; i < ps.n; i++) {
		for (size_t k = 0; k < ps.p[i]->nev; k++) {
			const struct cda_evidence *ev = &ps.p[i]->ev[k];

			for (size_t j = 0; ev->kind == CDA_EV_SYMBOL && j < ev->n; j++)
				if (cda_ksyms_want(a, s, ev->names[j]) < 0)
					return cda_oom(err, NULL);
			if (ev->anchor && cda_ksyms_want(a, s, ev->anchor) < 0)
				return cda_oom(err, NULL);
		}
	}
	return 0;
}
