// SPDX-License-Identifier: MIT
/*
 * Rule evaluation: for each enabled rule whose inputs are loaded, bind each
 * element of for_each, test where, then assert. A false assert is a finding;
 * an unknown or erroneous where/assert is an indeterminate result carrying the
 * reason, never a pass and never a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "report.h"
#include "util.h"

struct run {
	struct cda_audit *au;
	const struct cda_rule *rule;
	struct cda_eval ev;
	struct cda_error *err;
	struct cda_omitted over; /* this rule's results past the per-rule limit */
	size_t nfound, nundecided;
};

static const char *render_or(struct run *r, const struct cda_template *t, const char *dflt)
{
	const char *s;

	if (!t)
		return dflt;
	r->ev.reason[0] = '\0';
	return cda_template_render(&r->ev, t, &s) == CDA_EVAL_OK ? s : dflt;
}

static const char *subject_of(struct run *r)
{
	return render_or(r, r->rule->subject, "/");
}

/*
 * How many results of rule before this one have its key, the occurrence its
 * fingerprint is told apart by (report.h): the rule's results so far are the
 * last ones of the array, in the order found (sorting comes after all rules).
 */
static size_t finding_occurrence(const struct cda_audit *au, const struct cda_rule *rule,
				 uint64_t key)
{
	size_t n = 0;

	for (size_t i = au->nfindings; i-- && au->findings[i].rule == rule;)
		n += au->findings[i].key == key;
	return n;
}

static size_t indet_occurrence(const struct cda_audit *au, const struct cda_rule *rule,
			       uint64_t key)
{
	size_t n = 0;

	for (size_t i = au->nindet; i-- && au->indet[i].rule == rule;)
		n += au->indet[i].key == key;
	return n;
}

/*
 * Record the current element as undecided, with the reason the last
 * evaluation left in ev.reason. The reason is copied before the subject is
 * rendered, because rendering reuses that buffer.
 */
static int add_indeterminate(struct run *r, bool with_subject, enum cda_eval_status st)
{
	struct cda_audit *au = r->au;
	const struct cda_input *input = cda_audit_input(au, r->rule->inputs[0]);
	const char *reason = r->ev.reason[0] ? r->ev.reason : "unknown";
	const char *why, *subject, *fp;
	struct cda_indeterminate *in;
	uint64_t key;

	if (++r->nundecided > CDA_MAX_RESULTS_PER_RULE) {
		r->over.indeterminate++;
		return 0;
	}
	why = st == CDA_EVAL_ERROR ? cda_arena_printf(au->arena, "evaluation error: %s", reason)
				   : cda_arena_strdup(au->arena, reason);
	subject = with_subject ? subject_of(r) : NULL;
	key = cda_result_key(r->rule, input ? input->name : NULL, subject, NULL);
	fp = cda_fingerprint(au->arena, key, indet_occurrence(au, r->rule, key));
	in = cda_arena_grow(au->arena, au->indet, au->nindet, &au->capindet, sizeof(*in));
	if (!in || !why || !fp)
		return cda_oom(r->err, NULL);
	au->indet = in;
	in[au->nindet++] = (struct cda_indeterminate){ r->rule, input ? input->path : NULL, subject,
						       why, key, fp };
	return 0;
}

/* The finding's evidence: unknown evidence is left out rather than invented. */
static struct cda_value *evidence_of(struct run *r, struct cda_fb *fb)
{
	const struct cda_rule *rule = r->rule;
	struct cda_value *o = cda_fb_new_obj(fb), *v;

	for (size_t i = 0; i < rule->nevidence && cda_fb_ok(fb); i++) {
		r->ev.reason[0] = '\0';
		if (cda_expr_eval(&r->ev, rule->evidence[i].expr, &v) == CDA_EVAL_OK)
			cda_fb_set(fb, o, rule->evidence[i].name, v);
	}
	return o;
}

static int add_finding(struct run *r)
{
	const struct cda_rule *rule = r->rule;
	struct cda_audit *au = r->au;
	const struct cda_input *input = cda_audit_input(au, rule->inputs[0]);
	struct cda_finding f = { .rule = rule };
	struct cda_fb fb = { .a = au->arena };
	struct cda_finding *arr;
	int ret;

	if (++r->nfound > CDA_MAX_RESULTS_PER_RULE) {
		r->over.findings++; /* counted, not rendered: the limit bounds time too */
		return 0;
	}
	f.subject = subject_of(r);
	f.file = input ? input->path : NULL;
	f.property = render_or(r, rule->property, NULL);
	/* A message that cannot be rendered must not cost the finding itself. */
	f.message = render_or(r, rule->message, NULL);
	if (!f.message)
		f.message = cda_arena_printf(au->arena, "%s (message unavailable: %s)", rule->summary,
					     r->ev.reason);
	f.fix = render_or(r, rule->fix, NULL);
	if (!f.message)
		return cda_oom(r->err, NULL);
	f.evidence = evidence_of(r, &fb);
	if ((ret = cda_fb_done(&fb, r->err)))
		return ret;
	f.key = cda_result_key(rule, input ? input->name : NULL, f.subject, f.property);
	f.fingerprint = cda_fingerprint(au->arena, f.key, finding_occurrence(au, rule, f.key));
	if (!f.fingerprint)
		return cda_oom(r->err, NULL);
	arr = cda_arena_grow(au->arena, au->findings, au->nfindings, &au->capfindings, sizeof(*arr));
	if (!arr)
		return cda_oom(r->err, NULL);
	au->findings = arr;
	arr[au->nfindings++] = f;
	return 0;
}

static const char *input_path(const struct cda_audit *au, const struct cda_rule *rule)
{
	const struct cda_input *input = cda_audit_input(au, rule->inputs[0]);

	return input ? input->path : NULL;
}

static int add_omitted(struct run *r)
{
	struct cda_audit *au = r->au;
	struct cda_omitted *o = cda_arena_grow(au->arena, au->omitted, au->nomitted,
					       &au->capomitted, sizeof(*o));

	if (!o)
		return cda_oom(r->err, NULL);
	au->omitted = o;
	o[au->nomitted++] = r->over;
	return 0;
}

/* Evaluate where and assert for the current bindings. */
static int check_one(struct run *r)
{
	const struct cda_rule *rule = r->rule;
	struct cda_value *v;
	enum cda_eval_status st;

	if (rule->where) {
		r->ev.reason[0] = '\0';
		st = cda_expr_eval(&r->ev, rule->where, &v);
		if (st == CDA_EVAL_OK && v->type != CDA_T_BOOL) {
			st = CDA_EVAL_ERROR;
			snprintf(r->ev.reason, sizeof(r->ev.reason), "where is not a condition");
		}
		if (st)
			return add_indeterminate(r, true, st);
		if (!v->b)
			return 0;
	}
	r->ev.reason[0] = '\0';
	st = cda_expr_eval(&r->ev, rule->assert_, &v);
	if (st == CDA_EVAL_OK && v->type != CDA_T_BOOL) {
		st = CDA_EVAL_ERROR;
		snprintf(r->ev.reason, sizeof(r->ev.reason), "assert is not a condition");
	}
	if (st)
		return add_indeterminate(r, true, st);
	if (v->b) {
		r->au->checks_passed++;
		return 0;
	}
	return add_finding(r);
}

static int run_rule(struct run *r)
{
	const struct cda_rule *rule = r->rule;
	struct cda_value *list;
	enum cda_eval_status st;
	int ret = 0;

	r->ev.nbind = 0;
	r->ev.params = rule->params;
	r->ev.lets = rule->lets;
	r->ev.nlets = 0; /* for_each sees no let: they may use its variable */
	r->ev.let_base = 0;
	if (!rule->for_list) {
		r->ev.nlets = rule->nlets;
		return check_one(r);
	}
	r->ev.reason[0] = '\0';
	st = cda_expr_eval(&r->ev, rule->for_list, &list);
	if (st == CDA_EVAL_OK && list->type != CDA_T_LIST) {
		st = CDA_EVAL_ERROR;
		snprintf(r->ev.reason, sizeof(r->ev.reason), "for_each is not a list");
	}
	if (st)
		return add_indeterminate(r, false, st);
	r->ev.nlets = rule->nlets;
	r->ev.let_base = 1; /* the for_each variable */
	for (size_t i = 0; i < list->list.n && !ret; i++) {
		cda_eval_bind(&r->ev, rule->for_var, list->list.items[i]);
		ret = check_one(r);
		cda_eval_unbind(&r->ev);
	}
	return ret;
}

static int cmp_str_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Deterministic order for reports and golden tests: rule id, then subject. */
static int cmp_finding(const void *pa, const void *pb)
{
	const struct cda_finding *a = pa, *b = pb;
	int c = strcmp(a->rule->id, b->rule->id);

	if (!c)
		c = cmp_str_null(a->subject, b->subject);
	if (!c)
		c = cmp_str_null(a->property, b->property);
	return c ? c : cmp_str_null(a->message, b->message);
}

static int cmp_indet(const void *pa, const void *pb)
{
	const struct cda_indeterminate *a = pa, *b = pb;
	int c = strcmp(a->rule->id, b->rule->id);

	if (!c)
		c = cmp_str_null(a->subject, b->subject);
	return c ? c : strcmp(a->reason, b->reason);
}

bool cda_audit_rule_ran(const struct cda_audit *au, const struct cda_rule *rule)
{
	if (!rule->enabled)
		return false;
	for (size_t i = 0; i < rule->ninputs; i++)
		if (!cda_obj_get(au->facts, rule->inputs[i]))
			return false;
	return true;
}

int cda_audit_run(struct cda_audit *au, const struct cda_ruleset *rs, struct cda_error *err)
{
	struct run r = { .au = au, .err = err };
	int ret = 0;

	r.ev.arena = au->arena;
	r.ev.root = au->facts;
	r.ev.set_lets = rs->lets;
	r.ev.nset_lets = rs->nlets;
	/* Set-wide names read only facts: each is computed once per audit. */
	if (!(r.ev.cache = cda_eval_cache_new(au->arena, rs->nlets)))
		return cda_oom(err, NULL);
	for (size_t i = 0; i < rs->n && !ret; i++) {
		r.rule = rs->rules[i];
		if (!r.rule->enabled) {
			au->rules_disabled++;
		} else if (!cda_audit_rule_ran(au, r.rule)) {
			au->rules_not_applicable++;
		} else {
			au->rules_run++;
			r.over = (struct cda_omitted){ .rule = r.rule };
			r.over.file = input_path(au, r.rule);
			r.nfound = r.nundecided = 0;
			ret = run_rule(&r);
			if (!ret && (r.over.findings || r.over.indeterminate))
				ret = add_omitted(&r);
		}
	}
	if (au->nfindings)
		qsort(au->findings, au->nfindings, sizeof(*au->findings), cmp_finding);
	if (au->nindet)
		qsort(au->indet, au->nindet, sizeof(*au->indet), cmp_indet);
	return ret;
}
