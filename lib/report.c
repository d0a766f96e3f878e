// SPDX-License-Identifier: MIT
/*
 * Reports: text (compiler style, one block per finding) and JSON (the
 * versioned contract in lib/schema/report-v1.schema.json). Both read the same
 * finding records; JSON is built with json-c so escaping is never hand-rolled.
 * Strings from the inputs are untrusted: JSON is repaired to valid UTF-8 and
 * text has its control characters escaped (text.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "text.h"
#include "util.h"

#define SCHEMA_VERSION 1
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		    JSON_C_TO_STRING_NOSLASHESCAPE)

#ifndef CDA_VERSION
#define CDA_VERSION "0.0.0"
#endif

const char *cda_version(void)
{
	return CDA_VERSION;
}

/* ---- JSON helpers: json-c returns NULL on allocation failure; carry it along. ---- */

struct jb {
	bool oom;
};

static json_object *jset(struct jb *jb, json_object *o, const char *k, json_object *v)
{
	if (!v || !o || json_object_object_add(o, k, v)) {
		json_object_put(v);
		jb->oom = true;
	}
	return v;
}

static void jset_str(struct jb *jb, json_object *o, const char *k, const char *s)
{
	if (s)
		jset(jb, o, k, json_object_new_string(s));
}

static void jpush(struct jb *jb, json_object *arr, json_object *v)
{
	if (!v || !arr || json_object_array_add(arr, v)) {
		json_object_put(v);
		jb->oom = true;
	}
}

static json_object *tool_obj(struct jb *jb)
{
	json_object *t = json_object_new_object();

	jset_str(jb, t, "name", "cca-dma-audit");
	jset_str(jb, t, "version", cda_version());
	return t;
}

static json_object *doc_new(struct jb *jb)
{
	json_object *doc = json_object_new_object();

	jset(jb, doc, "schema_version", json_object_new_int(SCHEMA_VERSION));
	jset(jb, doc, "tool", tool_obj(jb));
	return doc;
}

/* The document as text; invalid UTF-8 from an input becomes U+FFFD, so it stays JSON. */
static int doc_finish(struct jb *jb, json_object *doc, char **out, struct cda_error *err)
{
	size_t len = 0;
	const char *s = jb->oom ? NULL : json_object_to_json_string_length(doc, JSON_FLAGS, &len);

	*out = NULL;
	if (s && cda_utf8_valid(s, len)) {
		*out = malloc(len + 2);
		if (*out)
			memcpy(*out, s, len);
	} else if (s) {
		char *fixed = cda_utf8_repair(s, len);

		len = fixed ? strlen(fixed) : 0;
		*out = fixed ? realloc(fixed, len + 2) : NULL;
		if (fixed && !*out)
			free(fixed);
	}
	if (*out)
		memcpy(*out + len, "\n", 2);
	json_object_put(doc);
	return *out ? 0 : cda_fail(err, CDA_E_NOMEM, "out of memory");
}

static json_object *str_array(struct jb *jb, const char *const *s, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		jpush(jb, a, json_object_new_string(s[i]));
	return a;
}

/* What the summary counts: listed results and those past the per-rule limit. */
struct counts {
	size_t by_sev[CDA_SEV_NEVER + 1];
	size_t indeterminate;
};

static struct counts count_findings(const struct cda_audit *au)
{
	struct counts c = { 0 };

	for (size_t i = 0; i < au->nfindings; i++)
		c.by_sev[au->findings[i].rule->severity]++;
	for (size_t i = 0; i < au->nomitted; i++) {
		c.by_sev[au->omitted[i].rule->severity] += au->omitted[i].findings;
		c.indeterminate += au->omitted[i].indeterminate;
	}
	c.indeterminate += au->nindet;
	return c;
}


/* ---- findings as JSON ---- */

static json_object *finding_json(struct jb *jb, const struct cda_finding *f)
{
	json_object *o = json_object_new_object(), *loc = json_object_new_object();

	jset_str(jb, o, "rule_id", f->rule->id);
	jset_str(jb, o, "name", f->rule->name);
	jset_str(jb, o, "severity", cda_severity_name(f->rule->severity));
	jset_str(jb, o, "subject", f->subject);
	jset_str(jb, o, "message", f->message);
	jset_str(jb, loc, "file", f->file);
	jset_str(jb, loc, "path", f->subject);
	jset_str(jb, loc, "property", f->property);
	jset(jb, o, "location", loc);
	jset_str(jb, o, "fix", f->fix);
	jset(jb, o, "evidence", cda_value_to_json(f->evidence));
	jset(jb, o, "refs", str_array(jb, f->rule->refs, f->rule->nrefs));
	return o;
}

static json_object *indet_json(struct jb *jb, const struct cda_indeterminate *in)
{
	json_object *o = json_object_new_object();

	jset_str(jb, o, "rule_id", in->rule->id);
	jset_str(jb, o, "name", in->rule->name);
	jset_str(jb, o, "severity", cda_severity_name(in->rule->severity));
	jset_str(jb, o, "subject", in->subject);
	jset_str(jb, o, "reason", in->reason);
	return o;
}

static json_object *inputs_json(struct jb *jb, const struct cda_audit *au)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < au->ninputs; i++) {
		json_object *o = json_object_new_object();

		jset_str(jb, o, "kind", au->inputs[i].kind);
		jset_str(jb, o, "path", au->inputs[i].path);
		jset_str(jb, o, "format", au->inputs[i].format);
		jpush(jb, a, o);
	}
	return a;
}

/* The host facts as given: what the user did not give (unknown) is left out, not null. */
static json_object *host_json(const struct cda_value *host)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; o && i < host->obj.n; i++) {
		const struct cda_member *m = &host->obj.m[i];
		json_object *v;

		if (m->val->type == CDA_T_UNKNOWN)
			continue;
		v = cda_value_to_json(m->val);
		if (!v || json_object_object_add(o, m->key, v)) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static json_object *omitted_json(struct jb *jb, const struct cda_audit *au)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < au->nomitted; i++) {
		const struct cda_omitted *om = &au->omitted[i];
		json_object *o = json_object_new_object();

		jset_str(jb, o, "rule_id", om->rule->id);
		jset(jb, o, "findings", json_object_new_int64((int64_t)om->findings));
		jset(jb, o, "indeterminate", json_object_new_int64((int64_t)om->indeterminate));
		jpush(jb, arr, o);
	}
	return arr;
}

static int render_json(const struct cda_audit *au, const struct cda_report_opts *o, char **out,
		       struct cda_error *err)
{
	struct jb jb = { 0 };
	json_object *doc = doc_new(&jb), *inv = json_object_new_object();
	json_object *fa = json_object_new_array(), *ia = json_object_new_array();
	json_object *sum = json_object_new_object();
	const struct cda_value *host = cda_obj_get(au->facts, "host");
	struct counts c = count_findings(au);

	jset_str(&jb, inv, "command", o->command);
	jset_str(&jb, inv, "fail_on", cda_severity_name(o->fail_on));
	jset(&jb, inv, "fail_on_indeterminate", json_object_new_boolean(o->fail_on_indeterminate));
	jset(&jb, doc, "invocation", inv);
	if (host)
		jset(&jb, doc, "host", host_json(host));
	jset(&jb, doc, "inputs", inputs_json(&jb, au));
	for (size_t i = 0; i < au->nfindings; i++)
		jpush(&jb, fa, finding_json(&jb, &au->findings[i]));
	jset(&jb, doc, "findings", fa);
	for (size_t i = 0; i < au->nindet; i++)
		jpush(&jb, ia, indet_json(&jb, &au->indet[i]));
	jset(&jb, doc, "indeterminate", ia);
	jset(&jb, sum, "errors", json_object_new_int64((int64_t)c.by_sev[CDA_SEV_ERROR]));
	jset(&jb, sum, "warnings", json_object_new_int64((int64_t)c.by_sev[CDA_SEV_WARNING]));
	jset(&jb, sum, "notes", json_object_new_int64((int64_t)c.by_sev[CDA_SEV_NOTE]));
	jset(&jb, sum, "indeterminate", json_object_new_int64((int64_t)c.indeterminate));
	if (au->nomitted)
		jset(&jb, sum, "omitted", omitted_json(&jb, au));
	jset(&jb, sum, "rules_run", json_object_new_int64((int64_t)au->rules_run));
	jset(&jb, sum, "rules_not_applicable",
	     json_object_new_int64((int64_t)au->rules_not_applicable));
	jset(&jb, sum, "rules_disabled", json_object_new_int64((int64_t)au->rules_disabled));
	jset(&jb, sum, "checks_passed", json_object_new_int64((int64_t)au->checks_passed));
	jset(&jb, sum, "exit_code", json_object_new_int(cda_audit_exit_code(au, o->fail_on, o->fail_on_indeterminate)));
	jset(&jb, doc, "summary", sum);
	return doc_finish(&jb, doc, out, err);
}

/* ---- text ---- */

static const char *sev_color(enum cda_severity s)
{
	switch (s) {
	case CDA_SEV_ERROR: return "\033[1;31m";
	case CDA_SEV_WARNING: return "\033[1;35m";
	default: return "\033[1;36m";
	}
}

static void plural(struct cda_buf *b, size_t n, const char *what, const char *sep)
{
	cda_buf_printf(b, "%zu %s%s%s", n, what, n == 1 ? "" : "s", sep);
}

/* "ID name"; a rule file from --rules is as untrusted as any input */
static void rule_name_text(struct cda_buf *b, const struct cda_rule *r)
{
	cda_buf_put_text(b, r->id, false);
	cda_buf_printf(b, " ");
	cda_buf_put_text(b, r->name, false);
}

static int render_text(const struct cda_audit *au, const struct cda_report_opts *o, char **out,
		       struct cda_error *err)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	struct cda_buf b = { 0 };
	struct counts c = count_findings(au);

	for (size_t i = 0; i < au->nfindings; i++) {
		const struct cda_finding *f = &au->findings[i];

		cda_buf_printf(&b, "%s", bold);
		cda_buf_put_text(&b, f->file ? f->file : "cca-dma-audit", false);
		cda_buf_printf(&b, "%s: %s%s%s [", reset, o->color ? sev_color(f->rule->severity) : "",
			       cda_severity_name(f->rule->severity), reset);
		rule_name_text(&b, f->rule);
		cda_buf_printf(&b, "]: ");
		cda_buf_put_text(&b, f->subject, false);
		if (f->property) {
			cda_buf_printf(&b, ":");
			cda_buf_put_text(&b, f->property, false);
		}
		cda_buf_printf(&b, ": ");
		cda_buf_put_text(&b, f->message, false);
		cda_buf_printf(&b, "\n");
		if (f->fix) {
			cda_buf_printf(&b, "    fix: ");
			cda_buf_put_text(&b, f->fix, false);
			cda_buf_printf(&b, "\n");
		}
	}
	for (size_t i = 0; i < au->nindet; i++) {
		const struct cda_indeterminate *in = &au->indet[i];
		const struct cda_input *input = cda_audit_input(au, in->rule->inputs[0]);

		cda_buf_printf(&b, "%s", bold);
		cda_buf_put_text(&b, input ? input->path : "cca-dma-audit", false);
		cda_buf_printf(&b, "%s: %sindeterminate%s [", reset, o->color ? "\033[1;33m" : "", reset);
		rule_name_text(&b, in->rule);
		cda_buf_printf(&b, "]: ");
		cda_buf_put_text(&b, in->subject ? in->subject : "-", false);
		cda_buf_printf(&b, ": ");
		cda_buf_put_text(&b, in->reason, false);
		cda_buf_printf(&b, "\n");
	}
	for (size_t i = 0; i < au->nomitted; i++) {
		const struct cda_omitted *om = &au->omitted[i];

		cda_buf_printf(&b, "cca-dma-audit: [");
		rule_name_text(&b, om->rule);
		cda_buf_printf(&b, "]: %zu more findings and %zu more indeterminate results not listed "
			       "(at most %d of each per rule)\n", om->findings, om->indeterminate,
			       CDA_MAX_RESULTS_PER_RULE);
	}
	if (!o->quiet) {
		cda_buf_printf(&b, "cca-dma-audit: ");
		plural(&b, c.by_sev[CDA_SEV_ERROR], "error", ", ");
		plural(&b, c.by_sev[CDA_SEV_WARNING], "warning", ", ");
		plural(&b, c.by_sev[CDA_SEV_NOTE], "note", ", ");
		cda_buf_printf(&b, "%zu indeterminate (%zu rules run, %zu checks passed)\n",
			       c.indeterminate, au->rules_run, au->checks_passed);
	}
	*out = cda_buf_take(&b);
	return *out ? 0 : cda_fail(err, CDA_E_NOMEM, "out of memory");
}

int cda_report_render(const struct cda_audit *au, const struct cda_ruleset *rs,
		      const struct cda_report_opts *opts, char **out, struct cda_error *err)
{
	(void)rs; /* in the API for SARIF, whose driver.rules[] lists the whole rule set */
	if (opts->format == CDA_FORMAT_JSON)
		return render_json(au, opts, out, err);
	return render_text(au, opts, out, err);
}

int cda_report_facts(const struct cda_audit *au, char **out, struct cda_error *err)
{
	struct jb jb = { 0 };
	json_object *doc = doc_new(&jb);

	jset(&jb, doc, "inputs", inputs_json(&jb, au));
	jset(&jb, doc, "facts", cda_value_to_json(au->facts));
	return doc_finish(&jb, doc, out, err);
}

char *cda_report_error_json(const char *message, int exit_code)
{
	struct jb jb = { 0 };
	json_object *doc = doc_new(&jb), *e = json_object_new_object(), *sum;
	char *out = NULL;

	jset_str(&jb, e, "message", message);
	jset(&jb, doc, "error", e);
	sum = jset(&jb, doc, "summary", json_object_new_object());
	jset(&jb, sum, "exit_code", json_object_new_int(exit_code));
	doc_finish(&jb, doc, &out, NULL);
	return out;
}

/* ---- the rule set ---- */

static json_object *rule_json(struct jb *jb, const struct cda_rule *r)
{
	json_object *o = json_object_new_object();

	jset_str(jb, o, "id", r->id);
	jset_str(jb, o, "name", r->name);
	jset_str(jb, o, "severity", cda_severity_name(r->severity));
	jset(jb, o, "enabled", json_object_new_boolean(r->enabled));
	jset_str(jb, o, "summary", r->summary);
	jset(jb, o, "inputs", str_array(jb, r->inputs, r->ninputs));
	jset_str(jb, o, "for_each", r->for_each_src);
	if (r->nlets) {
		json_object *lets = json_object_new_object();

		for (size_t i = 0; i < r->nlets; i++)
			jset_str(jb, lets, r->lets[i].name, r->lets[i].src);
		jset(jb, o, "let", lets);
	}
	jset_str(jb, o, "where", r->where_src);
	jset_str(jb, o, "assert", r->assert_src);
	jset_str(jb, o, "message", r->message_src);
	jset_str(jb, o, "fix", r->fix_src);
	jset_str(jb, o, "why", r->why);
	jset(jb, o, "refs", str_array(jb, r->refs, r->nrefs));
	jset_str(jb, o, "origin", r->origin);
	return o;
}

static void explain_text(struct cda_buf *b, const struct cda_rule *r)
{
	cda_buf_printf(b, "%s %s (%s%s; inputs:", r->id, r->name, cda_severity_name(r->severity),
		       r->enabled ? "" : ", disabled by default");
	for (size_t i = 0; i < r->ninputs; i++)
		cda_buf_printf(b, " %s", r->inputs[i]);
	cda_buf_printf(b, ")\n");
	cda_buf_wrap(b, r->summary, "  ", 78);
	cda_buf_printf(b, "\nwhy:\n");
	cda_buf_wrap(b, r->why, "  ", 78);
	cda_buf_printf(b, "\nchecks:\n");
	if (r->for_each_src)
		cda_buf_printf(b, "  for each %s\n", r->for_each_src);
	for (size_t i = 0; i < r->nlets; i++)
		cda_buf_printf(b, "  let      %s = %s\n", r->lets[i].name, r->lets[i].src);
	if (r->where_src)
		cda_buf_printf(b, "  where    %s\n", r->where_src);
	cda_buf_printf(b, "  assert   %s\n", r->assert_src);
	if (r->fix_src) {
		cda_buf_printf(b, "\nfix:\n");
		cda_buf_wrap(b, r->fix_src, "  ", 78);
	}
	if (r->nrefs) {
		cda_buf_printf(b, "\nreferences:\n");
		for (size_t i = 0; i < r->nrefs; i++)
			cda_buf_printf(b, "  - %s\n", r->refs[i]);
	}
	cda_buf_printf(b, "\ndefined in: %s\n", r->origin);
}

/* Append raw's text to b, escaped as cda_buf_put_text() does, and free raw. */
static void put_escaped(struct cda_buf *b, struct cda_buf *raw, bool keep_newlines)
{
	char *text = cda_buf_take(raw);

	if (text)
		cda_buf_put_text(b, text, keep_newlines);
	else
		b->oom = true;
	free(text);
}

int cda_report_rules(const struct cda_ruleset *rs, const char *id, enum cda_format format,
		     char **out, struct cda_error *err)
{
	const struct cda_rule *one = id ? cda_ruleset_find(rs, id) : NULL;
	struct cda_buf b = { 0 };

	if (id && !one)
		return cda_fail(err, CDA_E_USAGE, "unknown rule '%s' (see 'cca-dma-audit rules')", id);
	if (format == CDA_FORMAT_JSON) {
		struct jb jb = { 0 };
		json_object *doc = doc_new(&jb), *arr = json_object_new_array();

		for (size_t i = 0; i < rs->n; i++)
			if (!one || rs->rules[i] == one)
				jpush(&jb, arr, rule_json(&jb, rs->rules[i]));
		jset(&jb, doc, "rules", arr);
		return doc_finish(&jb, doc, out, err);
	}
	if (one) {
		struct cda_buf raw = { 0 };

		/* laid out by us, so newlines stay; anything else the rule file held is escaped */
		explain_text(&raw, one);
		put_escaped(&b, &raw, true);
	} else {
		cda_buf_printf(&b, "%-8s %-8s %-38s %s\n", "ID", "SEVERITY", "NAME", "SUMMARY");
		for (size_t i = 0; i < rs->n; i++) {
			const struct cda_rule *r = rs->rules[i];
			struct cda_buf line = { 0 };

			cda_buf_printf(&line, "%-8s %-8s %-38s %s%s", r->id, cda_severity_name(r->severity),
				       r->name, r->enabled ? "" : "[disabled] ", r->summary);
			put_escaped(&b, &line, false);
			cda_buf_printf(&b, "\n");
		}
	}
	*out = cda_buf_take(&b);
	return *out ? 0 : cda_fail(err, CDA_E_NOMEM, "out of memory");
}
