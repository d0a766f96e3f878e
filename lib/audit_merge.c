// SPDX-License-Identifier: MIT
/*
 * Many inputs of one kind in one report (audit.h, cda_audit_merge()): each
 * input is audited alone, in an audit of its own, so rules see one tree as
 * they always do, and its results are copied into the report's audit, which
 * keeps no facts but the host's. Copying, not sharing an arena, is what keeps
 * a run over a thousand board trees in the memory of one: each audit's facts
 * are freed as soon as its results are copied. Counts add up over the inputs.
 *
 * A list of trees is cut into as many contiguous parts as there are CPUs,
 * each audited on a thread into an audit of its own, and the parts are merged
 * in the list's order: the report is the same on any machine, and a thousand
 * board trees take a second on two CPUs rather than two.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "util.h"

struct merge {
	struct cda_arena *a;
	bool oom;
};

/* s copied; NULL stays NULL. */
static const char *copy_str(struct merge *m, const char *s)
{
	char *c = s ? cda_arena_strdup(m->a, s) : NULL;

	m->oom |= s && !c;
	return c;
}

/* Room for one more of n elements in *arr; NULL (and m->oom) when out of memory. */
static void *grow(struct merge *m, void *arr, size_t n, size_t *cap, size_t elem)
{
	void *g = m->oom ? NULL : cda_arena_grow(m->a, arr, n, cap, elem);

	m->oom |= !g;
	return g;
}

static void merge_inputs(struct merge *m, struct cda_audit *into, const struct cda_audit *from)
{
	for (size_t i = 0; i < from->ninputs; i++) {
		const struct cda_input *in = &from->inputs[i];
		struct cda_input *c = grow(m, into->inputs, into->ninputs, &into->capinputs, sizeof(*c));

		if (!c)
			return;
		into->inputs = c;
		into->inputs[into->ninputs++] = (struct cda_input){
			.kind = in->kind, .format = in->format, .path = copy_str(m, in->path),
			.name = copy_str(m, in->name), .unreadable = copy_str(m, in->unreadable),
		};
		/* the kind loaded, for cda_audit_rule_ran(): its facts stay behind */
		if (!cda_obj_get(into->facts, in->kind))
			m->oom |= cda_obj_set(m->a, into->facts, in->kind, cda_v_obj(m->a)) != 0;
	}
	into->unreadable += from->unreadable;
}

static void merge_findings(struct merge *m, struct cda_audit *into, const struct cda_audit *from)
{
	for (size_t i = 0; i < from->nfindings && !m->oom; i++) {
		const struct cda_finding *f = &from->findings[i];
		struct cda_finding *c = grow(m, into->findings, into->nfindings, &into->capfindings,
					     sizeof(*c));

		if (!c)
			return;
		into->findings = c;
		c += into->nfindings++;
		*c = (struct cda_finding){
			.rule = f->rule, .subject = copy_str(m, f->subject), .file = copy_str(m, f->file),
			.property = copy_str(m, f->property), .message = copy_str(m, f->message),
			.fix = copy_str(m, f->fix), .key = f->key,
			.fingerprint = copy_str(m, f->fingerprint),
		};
		if (f->evidence && !(c->evidence = cda_value_copy(m->a, f->evidence)))
			m->oom = true;
	}
}

static void merge_indeterminate(struct merge *m, struct cda_audit *into,
				const struct cda_audit *from)
{
	for (size_t i = 0; i < from->nindet; i++) {
		const struct cda_indeterminate *in = &from->indet[i];
		struct cda_indeterminate *c = grow(m, into->indet, into->nindet, &into->capindet,
						   sizeof(*c));

		if (!c)
			return;
		into->indet = c;
		into->indet[into->nindet++] = (struct cda_indeterminate){
			.rule = in->rule, .file = copy_str(m, in->file), .subject = copy_str(m, in->subject),
			.reason = copy_str(m, in->reason), .key = in->key,
			.fingerprint = copy_str(m, in->fingerprint),
		};
	}
}

static void merge_omitted(struct merge *m, struct cda_audit *into, const struct cda_audit *from)
{
	for (size_t i = 0; i < from->nomitted; i++) {
		struct cda_omitted *c = grow(m, into->omitted, into->nomitted, &into->capomitted,
					     sizeof(*c));

		if (!c)
			return;
		into->omitted = c;
		into->omitted[into->nomitted] = from->omitted[i];
		into->omitted[into->nomitted++].file = copy_str(m, from->omitted[i].file);
	}
}

int cda_audit_merge(struct cda_audit *into, const struct cda_audit *from, struct cda_error *err)
{
	struct merge m = { .a = into->arena };

	merge_inputs(&m, into, from);
	merge_findings(&m, into, from);
	merge_indeterminate(&m, into, from);
	merge_omitted(&m, into, from);
	into->rules_run += from->rules_run;
	into->rules_not_applicable += from->rules_not_applicable;
	into->rules_disabled += from->rules_disabled;
	into->checks_passed += from->checks_passed;
	return m.oom ? cda_oom(err, NULL) : 0;
}

/* A new audit holding a copy of batch's host (a tree's, a part's); NULL: out of memory. */
static struct cda_audit *audit_with_host(const struct cda_audit *batch)
{
	const struct cda_value *host = cda_obj_get(batch->facts, "host");
	struct cda_audit *au = cda_audit_new();
	struct cda_value *h = au && host ? cda_value_copy(au->arena, host) : NULL;

	if (au && host && (!h || cda_obj_set(au->arena, au->facts, "host", h))) {
		cda_audit_free(au);
		return NULL;
	}
	return au;
}

int cda_audit_dt_into(struct cda_audit *batch, const struct cda_ruleset *rs, const char *path,
		      const char *name, struct cda_error *err)
{
	struct cda_audit *au = audit_with_host(batch);
	int ret;

	if (!au)
		return cda_oom(err, NULL);
	ret = cda_audit_load_dt(au, path, err);
	if (ret && ret != -CDA_E_NOMEM && cda_audit_add_unreadable(batch, "dt", path, err->msg, err))
		ret = -CDA_E_NOMEM; /* else recorded: the caller says so and goes on */
	if (!ret && !(ret = cda_audit_name_input(au, "dt", name, err)) &&
	    !(ret = cda_audit_run(au, rs, err)))
		ret = cda_audit_merge(batch, au, err);
	cda_audit_free(au);
	return ret;
}

/*
 * Trees from..to of a list, audited into an audit of their own: a part of
 * cda_audit_dt_list_into(), run on a thread of its own. Nothing is shared
 * but the rule set and the list, which no audit writes.
 */
struct part {
	struct cda_audit *au;
	const struct cda_ruleset *rs;
	const struct cda_dt_list *l;
	size_t from, to;
	int ret;
	struct cda_error err;
};

static void *part_run(void *arg)
{
	struct part *p = arg;

	for (size_t i = p->from; i < p->to && !p->ret; i++)
		if (cda_audit_dt_into(p->au, p->rs, p->l->paths[i], p->l->names[i], &p->err) ==
		    -CDA_E_NOMEM)
			p->ret = -CDA_E_NOMEM; /* else audited, or recorded as unreadable */
	return NULL;
}

/* Threads worth starting: one per CPU, at most PARTS_MAX, and no more than one per PART_MIN trees. */
#define PARTS_MAX 8
#define PART_MIN 16

static size_t parts_for(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k = cpus > 0 ? (size_t)cpus : 1;

	if (k > PARTS_MAX)
		k = PARTS_MAX;
	if (k > n / PART_MIN)
		k = n / PART_MIN;
	return k ? k : 1;
}

int cda_audit_dt_list_into(struct cda_audit *batch, const struct cda_ruleset *rs,
			   const struct cda_dt_list *l, cda_unreadable_fn *told, void *ctx,
			   struct cda_error *err)
{
	struct part parts[PARTS_MAX] = { 0 };
	pthread_t tid[PARTS_MAX];
	size_t k = parts_for(l->n), first = batch->ninputs, started = 0;
	int ret = 0;

	for (size_t i = 0; i < k; i++) {
		parts[i] = (struct part){ .au = audit_with_host(batch), .rs = rs, .l = l,
					  .from = l->n * i / k, .to = l->n * (i + 1) / k };
		if (!parts[i].au)
			ret = cda_oom(err, NULL);
	}
	/* the first part runs here; a thread that cannot start runs here too */
	for (size_t i = 1; !ret && i < k; i++, started++)
		if (pthread_create(&tid[i], NULL, part_run, &parts[i]))
			break;
	if (!ret)
		part_run(&parts[0]);
	for (size_t i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	for (size_t i = started + 1; !ret && i < k; i++)
		part_run(&parts[i]);
	for (size_t i = 0; i < k; i++) {
		if (!ret && parts[i].ret)
			ret = cda_fail(err, parts[i].err.code, "%s", parts[i].err.msg);
		if (!ret)
			ret = cda_audit_merge(batch, parts[i].au, err);
		cda_audit_free(parts[i].au);
	}
	for (size_t i = first; !ret && told && i < batch->ninputs; i++)
		if (batch->inputs[i].unreadable)
			told(batch->inputs[i].path, batch->inputs[i].unreadable, ctx);
	return ret;
}
