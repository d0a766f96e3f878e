// SPDX-License-Identifier: MIT
/*
 * What a report holds, written once: the invocation, host, inputs, findings,
 * indeterminate results and summary go through the writer's primitives
 * (report.h) and each format is a backend of them, so text and JSON cannot
 * drift apart (iproute2's json_print). JSON is the versioned contract in
 * lib/schema/report-v1.schema.json; text is compiler style, one line per
 * finding with its fix and evidence indented below it.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "report.h"
#include "suppress.h"
#include "text.h"
#include "util.h"

#define SCHEMA_VERSION 1

#ifndef CDA_VERSION
#define CDA_VERSION "0.0.0"
#endif

const char *cda_version(void)
{
	return CDA_VERSION;
}

/* Every JSON document opens with its version and the tool (keyed backends only). */
static void doc_head(struct cda_rw *w)
{
	cda_rw_open_object(w, NULL);
	cda_rw_u64(w, CDA_RW_KEYED, "schema_version", NULL, SCHEMA_VERSION);
	cda_rw_open_object(w, "tool");
	cda_rw_str(w, CDA_RW_KEYED, "name", NULL, "cca-dma-audit");
	cda_rw_str(w, CDA_RW_KEYED, "version", NULL, cda_version());
	cda_rw_close(w);
}

static void strs_write(struct cda_rw *w, const char *key, const char *const *s, size_t n)
{
	cda_rw_open_array(w, key);
	for (size_t i = 0; i < n; i++)
		cda_rw_str(w, CDA_RW_KEYED, NULL, NULL, s[i]);
	cda_rw_close(w);
}

/* What the summary counts: listed results and those past the per-rule limit. */
struct counts {
	size_t by_sev[CDA_SEV_NEVER + 1];
	size_t indeterminate;
};

static struct counts count_findings(const struct cda_audit *au)
{
	struct counts c = { 0 };

	for (size_t i = 0; i < au->nfindings; i++) /* a suppressed finding is counted apart */
		c.by_sev[au->findings[i].rule->severity] += !au->findings[i].suppressed;
	for (size_t i = 0; i < au->nomitted; i++) {
		c.by_sev[au->omitted[i].rule->severity] += au->omitted[i].findings;
		c.indeterminate += au->omitted[i].indeterminate;
	}
	c.indeterminate += au->nindet;
	return c;
}

static enum cda_rw_color sev_color(enum cda_severity s)
{
	switch (s) {
	case CDA_SEV_ERROR: return CDA_RW_ERROR;
	case CDA_SEV_WARNING: return CDA_RW_WARNING;
	default: return CDA_RW_NOTE;
	}
}

/* ---- fingerprints (report.h) ---- */

#define FNV_BASIS 14695981039346656037u
#define FNV_PRIME 1099511628211u

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
	return h;
}

/* Past "N" or "N, N, ..." at p (after "line " or "lines "). */
static const char *skip_line_numbers(const char *p)
{
	while (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		if (p[0] != ',' || p[1] != ' ' || !isdigit((unsigned char)p[2]))
			break;
		p += 2;
	}
	return p;
}

/* The subject hashed without line numbers: "line 42" and "line 57" are one. */
static uint64_t fnv_subject(uint64_t h, const char *s)
{
	for (const char *p = s; *p;) {
		bool word = p == s || !isalnum((unsigned char)p[-1]);
		size_t n = !word ? 0 : !strncmp(p, "line ", 5) ? 5 : !strncmp(p, "lines ", 6) ? 6 : 0;

		h = fnv1a(h, p, n ? n : 1);
		p = n ? skip_line_numbers(p + n) : p + 1;
	}
	return h;
}

uint64_t cda_result_key(const struct cda_rule *rule, const char *name, const char *subject,
			const char *property)
{
	const char *kind = rule->ninputs ? rule->inputs[0] : "";
	uint64_t h = fnv1a(FNV_BASIS, "cca-dma-audit/v1", sizeof("cca-dma-audit/v1"));

	h = fnv1a(h, rule->id, strlen(rule->id) + 1);
	h = fnv1a(h, kind, strlen(kind) + 1);
	if (name) /* only in a run over many: a lone input's fingerprints stay as they were */
		h = fnv1a(h, name, strlen(name) + 1);
	h = fnv1a(fnv_subject(h, subject ? subject : ""), "", 1);
	return fnv1a(h, property ? property : "", property ? strlen(property) + 1 : 1);
}

const char *cda_fingerprint(struct cda_arena *a, uint64_t key, size_t occurrence)
{
	char n[24];

	if (occurrence) {
		snprintf(n, sizeof(n), "#%zu", occurrence);
		key = fnv1a(key, n, strlen(n));
	}
	return cda_arena_printf(a, "%016" PRIx64, key);
}

/* ---- the parts of a report ---- */

/*
 * Every rule re-levelled, disabled or enabled after loading, and from where;
 * listed only when there is one. Text: one line, "cca-dma-audit: rules
 * changed: GRAN001 severity warning (command line), ...", dropped by -q.
 */
static void overrides_write(struct cda_rw *w, const struct cda_report_opts *o)
{
	unsigned text = o->quiet ? 0 : CDA_RW_TEXT;

	if (!o->rules || !o->rules->noverrides)
		return;
	cda_rw_open_array(w, "rule_overrides");
	for (size_t i = 0; i < o->rules->noverrides; i++) {
		const struct cda_rule_override *ov = &o->rules->overrides[i];

		cda_rw_open_object(w, NULL);
		cda_rw_str(w, CDA_RW_KEYED | text, "rule_id",
			   i ? ", %s " : "cca-dma-audit: rules changed: %s ", ov->rule_id);
		if (ov->is_severity)
			cda_rw_str(w, CDA_RW_KEYED | text, "severity", "severity %s",
				   cda_severity_name((enum cda_severity)ov->value));
		else
			cda_rw_bool(w, CDA_RW_KEYED, "enabled", NULL, ov->value);
		cda_rw_str(w, text, NULL, "%s", ov->is_severity ? NULL : ov->value ? "enabled" : "disabled");
		cda_rw_str(w, CDA_RW_KEYED | text, "from", " (%s)", ov->from);
		cda_rw_close(w);
	}
	cda_rw_str(w, text, NULL, "\n", "");
	cda_rw_close(w);
}

/* The suppressions files and the baseline given, when given. */
static void accepted_inputs_write(struct cda_rw *w, const struct cda_suppress *s)
{
	if (!s)
		return;
	if (s->nfiles)
		strs_write(w, "suppressions", s->files, s->nfiles);
	cda_rw_str(w, CDA_RW_KEYED, "baseline", NULL, s->baseline);
}

static void invocation_write(struct cda_rw *w, const struct cda_audit *au,
			     const struct cda_report_opts *o)
{
	cda_rw_open_object(w, "invocation");
	cda_rw_str(w, CDA_RW_KEYED, "command", NULL, o->command);
	cda_rw_str(w, CDA_RW_KEYED, "fail_on", NULL, cda_severity_name(o->fail_on));
	cda_rw_bool(w, CDA_RW_KEYED, "fail_on_indeterminate", NULL, o->fail_on_indeterminate);
	cda_rw_str(w, CDA_RW_KEYED, "profile", NULL, o->profile); /* left out when none */
	overrides_write(w, o);
	accepted_inputs_write(w, au->suppress);
	cda_rw_close(w);
}

/* The host facts as given: what the user did not give (unknown) is left out, not null. */
static void host_write(struct cda_rw *w, const struct cda_value *host)
{
	cda_rw_open_object(w, "host");
	for (size_t i = 0; i < host->obj.n; i++)
		if (host->obj.m[i].val->type != CDA_T_UNKNOWN)
			cda_rw_value(w, CDA_RW_KEYED, host->obj.m[i].key, NULL, host->obj.m[i].val);
	cda_rw_close(w);
}

/*
 * Each input and, in a report (status), its status: "audited", or
 * "unreadable" with the reason (one of many that could not be read; text:
 * "PATH: unreadable: REASON"). A facts document has only inputs it read.
 */
static void inputs_write(struct cda_rw *w, const struct cda_audit *au, bool status)
{
	cda_rw_open_array(w, "inputs");
	for (size_t i = 0; i < au->ninputs; i++) {
		const struct cda_input *in = &au->inputs[i];

		cda_rw_open_object(w, NULL);
		cda_rw_str(w, CDA_RW_KEYED, "kind", NULL, in->kind);
		cda_rw_color_str(w, in->unreadable ? CDA_RW_ANY : CDA_RW_KEYED, CDA_RW_BOLD, "path",
				 "%s: ", in->path);
		cda_rw_str(w, CDA_RW_KEYED, "format", NULL, in->format);
		if (status)
			cda_rw_color_str(w, in->unreadable ? CDA_RW_ANY : CDA_RW_KEYED, CDA_RW_ERROR,
					 "status", "%s: ", in->unreadable ? "unreadable" : "audited");
		cda_rw_str(w, CDA_RW_ANY, "reason", "%s\n", in->unreadable);
		cda_rw_close(w);
	}
	cda_rw_close(w);
}

/* A finding's location: keyed backends only (text leads with the file). */
static void location_write(struct cda_rw *w, const struct cda_finding *f)
{
	cda_rw_open_object(w, "location");
	cda_rw_str(w, CDA_RW_KEYED, "file", NULL, f->file);
	cda_rw_str(w, CDA_RW_KEYED, "path", NULL, f->subject);
	cda_rw_str(w, CDA_RW_KEYED, "property", NULL, f->property);
	cda_rw_close(w);
}

/*
 * "FILE: SEVERITY [ID NAME]: SUBJECT[:PROPERTY]: MESSAGE", then the fix and
 * the evidence indented. Text leads with the file and severity that JSON puts
 * later (severity after the name, the file in "location"): those are written
 * once per mode.
 */
static void finding_write(struct cda_rw *w, const struct cda_audit *au,
			  const struct cda_finding *f)
{
	const char *sev = cda_severity_name(f->rule->severity);

	cda_rw_open_object(w, NULL);
	cda_rw_color_str(w, CDA_RW_TEXT, CDA_RW_BOLD, NULL, "%s: ", f->file ? f->file : "cca-dma-audit");
	cda_rw_color_str(w, CDA_RW_TEXT, sev_color(f->rule->severity), NULL, "%s [", sev);
	cda_rw_str(w, CDA_RW_ANY, "rule_id", "%s ", f->rule->id);
	cda_rw_str(w, CDA_RW_ANY, "name", "%s]: ", f->rule->name);
	cda_rw_str(w, CDA_RW_KEYED, "severity", NULL, sev);
	cda_rw_str(w, CDA_RW_ANY, "subject", "%s", f->subject);
	cda_rw_str(w, CDA_RW_TEXT, NULL, ":%s", f->property);
	cda_rw_str(w, CDA_RW_ANY, "message", ": %s", f->message);
	cda_rw_str(w, CDA_RW_TEXT, NULL, "%s\n", f->baselined ? " (baselined)" : "");
	if (au->suppress && au->suppress->baseline) /* with a baseline, every finding says */
		cda_rw_bool(w, CDA_RW_KEYED, "baselined", NULL, f->baselined);
	location_write(w, f);
	cda_rw_str(w, CDA_RW_KEYED, "fingerprint", NULL, f->fingerprint);
	cda_rw_str(w, CDA_RW_ANY, "fix", "    fix: %s\n", f->fix);
	cda_rw_value(w, CDA_RW_ANY, "evidence", "    evidence: %s\n", f->evidence);
	strs_write(w, "refs", f->rule->refs, f->rule->nrefs);
	cda_rw_close(w);
}

/* "INPUT: indeterminate [ID NAME]: SUBJECT: REASON"; the input is the rule's first. */
static void indet_write(struct cda_rw *w, const struct cda_indeterminate *in)
{
	cda_rw_open_object(w, NULL);
	cda_rw_color_str(w, CDA_RW_TEXT, CDA_RW_BOLD, NULL, "%s: ", in->file ? in->file : "cca-dma-audit");
	cda_rw_color_str(w, CDA_RW_TEXT, CDA_RW_INDET, NULL, "%s [", "indeterminate");
	cda_rw_str(w, CDA_RW_ANY, "rule_id", "%s ", in->rule->id);
	cda_rw_str(w, CDA_RW_ANY, "name", "%s]: ", in->rule->name);
	cda_rw_str(w, CDA_RW_KEYED, "severity", NULL, cda_severity_name(in->rule->severity));
	cda_rw_str(w, CDA_RW_KEYED, "file", NULL, in->file);
	cda_rw_str(w, CDA_RW_KEYED, "subject", NULL, in->subject);
	cda_rw_str(w, CDA_RW_TEXT, NULL, "%s", in->subject ? in->subject : "-");
	cda_rw_str(w, CDA_RW_ANY, "reason", ": %s\n", in->reason);
	cda_rw_str(w, CDA_RW_KEYED, "fingerprint", NULL, in->fingerprint);
	cda_rw_close(w);
}

/*
 * A suppressed finding: JSON has it whole, with the entry that hides it;
 * text one line, "FILE: suppressed [ID NAME]: SUBJECT: MESSAGE (REASON; FROM)".
 */
static void suppressed_write(struct cda_rw *w, const struct cda_finding *f, unsigned text)
{
	const struct cda_suppression *x = f->suppressed;

	cda_rw_open_object(w, NULL);
	cda_rw_str(w, text, NULL, "%s: suppressed [", f->file ? f->file : "cca-dma-audit");
	cda_rw_str(w, CDA_RW_KEYED | text, "rule_id", "%s ", f->rule->id);
	cda_rw_str(w, CDA_RW_KEYED | text, "name", "%s]: ", f->rule->name);
	cda_rw_str(w, CDA_RW_KEYED, "severity", NULL, cda_severity_name(f->rule->severity));
	cda_rw_str(w, CDA_RW_KEYED | text, "subject", "%s", f->subject);
	cda_rw_str(w, CDA_RW_KEYED | text, "message", ": %s", f->message);
	location_write(w, f);
	cda_rw_str(w, CDA_RW_KEYED, "fingerprint", NULL, f->fingerprint);
	cda_rw_open_object(w, "suppression");
	cda_rw_str(w, CDA_RW_KEYED | text, "reason", " (%s; ", x->reason);
	cda_rw_str(w, CDA_RW_KEYED, "expires", NULL, x->expires);
	cda_rw_str(w, CDA_RW_KEYED | text, "from", "%s)\n", x->from);
	cda_rw_close(w);
	cda_rw_close(w);
}

static void results_write(struct cda_rw *w, const struct cda_audit *au, bool quiet)
{
	cda_rw_open_array(w, "findings");
	for (size_t i = 0; i < au->nfindings; i++)
		if (!au->findings[i].suppressed)
			finding_write(w, au, &au->findings[i]);
	cda_rw_close(w);
	cda_rw_open_array(w, "indeterminate");
	for (size_t i = 0; i < au->nindet; i++)
		indet_write(w, &au->indet[i]);
	cda_rw_close(w);
	if (!au->suppress || !au->suppress->nfiles)
		return;
	cda_rw_open_array(w, "suppressed"); /* -q: the summary's count says enough */
	for (size_t i = 0; i < au->nfindings; i++)
		if (au->findings[i].suppressed)
			suppressed_write(w, &au->findings[i], quiet ? 0 : CDA_RW_TEXT);
	cda_rw_close(w);
}

/*
 * Rules with more results than they list. Written by mode: text lists them
 * after the results, before the summary line; JSON has them inside "summary".
 * Structure reaches keyed backends whatever the mode, so it is kept to theirs.
 */
static void omitted_write(struct cda_rw *w, const struct cda_audit *au, unsigned mode)
{
	bool keyed = mode & CDA_RW_KEYED;

	if (keyed)
		cda_rw_open_array(w, "omitted");
	for (size_t i = 0; i < au->nomitted; i++) {
		const struct cda_omitted *om = &au->omitted[i];

		if (keyed)
			cda_rw_open_object(w, NULL);
		cda_rw_str(w, mode, "rule_id", "cca-dma-audit: [%s ", om->rule->id);
		cda_rw_str(w, mode & CDA_RW_TEXT, NULL, "%s]: ", om->rule->name);
		cda_rw_u64(w, mode, "findings", "%s more findings and ", om->findings);
		cda_rw_u64(w, mode, "indeterminate", "%s more indeterminate results not listed ",
			   om->indeterminate);
		cda_rw_u64(w, mode & CDA_RW_TEXT, NULL, "(at most %s of each per rule)\n",
			   CDA_MAX_RESULTS_PER_RULE);
		if (keyed)
			cda_rw_close(w);
	}
	if (keyed)
		cda_rw_close(w);
}

/* One note about a suppressions entry; text: "cca-dma-audit: note: FROM: MESSAGE". */
static void note_write(struct cda_rw *w, unsigned mode, const char *from, const char *kind,
		       const char *msg)
{
	if (mode & CDA_RW_KEYED)
		cda_rw_open_object(w, NULL);
	cda_rw_str(w, mode, "from", "cca-dma-audit: note: %s: ", from);
	cda_rw_str(w, mode & CDA_RW_KEYED, "kind", NULL, kind);
	cda_rw_str(w, mode, "message", "%s\n", msg);
	if (mode & CDA_RW_KEYED)
		cda_rw_close(w);
}

/*
 * Entries that did not do what they say: expired (suppress nothing now),
 * stale (matched nothing: the finding is gone, or the entry is wrong) or
 * refused (matched findings of a rule that is not suppressible). Written by
 * mode, as omitted_write(): text above the summary line, JSON in it.
 */
static void notes_write(struct cda_rw *w, const struct cda_suppress *s, unsigned mode)
{
	char msg[160];

	if (mode & CDA_RW_KEYED)
		cda_rw_open_array(w, "notes");
	for (size_t i = 0; i < s->n; i++) {
		const struct cda_suppression *x = &s->s[i];

		if (x->expired) {
			snprintf(msg, sizeof(msg), "expired on %s: it no longer suppresses", x->expires);
			note_write(w, mode, x->from, "expired", msg);
		} else if (x->refused) {
			snprintf(msg, sizeof(msg), "matched %zu finding(s) of a rule that is not "
				 "suppressible: they stay", x->refused);
			note_write(w, mode, x->from, "not_suppressible", msg);
		} else if (!x->matched) {
			note_write(w, mode, x->from, "stale", "matched no finding (stale)");
		}
	}
	if (mode & CDA_RW_KEYED)
		cda_rw_close(w);
}

/*
 * With --suppressions or --baseline: "suppressions": {"suppressed": N,
 * "notes": [...]} and "baseline": {"entries", "baselined", "fixed"} in the
 * summary; the text summary line counts them.
 */
static void accepted_write(struct cda_rw *w, const struct cda_suppress *s, unsigned mode)
{
	if (!s)
		return;
	if (s->nfiles) {
		cda_rw_open_object(w, "suppressions");
		cda_rw_u64(w, mode, "suppressed", ", %s suppressed", s->suppressed);
		notes_write(w, s, CDA_RW_KEYED);
		cda_rw_close(w);
	}
	if (s->baseline) {
		cda_rw_open_object(w, "baseline");
		cda_rw_u64(w, CDA_RW_KEYED, "entries", NULL, s->nbase);
		cda_rw_u64(w, mode, "baselined", ", %s baselined", s->baselined);
		cda_rw_u64(w, mode, "fixed", ", %s fixed", s->fixed);
		cda_rw_close(w);
	}
}

/* "cca-dma-audit: N errors, N warnings, N notes, N indeterminate (...)"; -q drops the text. */
static void summary_write(struct cda_rw *w, const struct cda_audit *au,
			  const struct cda_report_opts *o)
{
	unsigned mode = o->quiet ? CDA_RW_KEYED : CDA_RW_ANY;
	struct counts c = count_findings(au);

	cda_rw_open_object(w, "summary");
	cda_rw_count(w, mode, "errors", "cca-dma-audit: %s, ", c.by_sev[CDA_SEV_ERROR], "error");
	cda_rw_count(w, mode, "warnings", "%s, ", c.by_sev[CDA_SEV_WARNING], "warning");
	cda_rw_count(w, mode, "notes", "%s, ", c.by_sev[CDA_SEV_NOTE], "note");
	cda_rw_u64(w, mode, "indeterminate", au->suppress ? "%s indeterminate" : "%s indeterminate ",
		   c.indeterminate);
	accepted_write(w, au->suppress, mode);
	cda_rw_str(w, au->suppress ? mode & CDA_RW_TEXT : 0, NULL, "%s", " ");
	if (au->nomitted)
		omitted_write(w, au, CDA_RW_KEYED);
	cda_rw_u64(w, mode, "rules_run", "(%s rules run, ", au->rules_run);
	cda_rw_u64(w, CDA_RW_KEYED, "rules_not_applicable", NULL, au->rules_not_applicable);
	cda_rw_u64(w, CDA_RW_KEYED, "rules_disabled", NULL, au->rules_disabled);
	cda_rw_u64(w, mode, "checks_passed", "%s checks passed)\n", au->checks_passed);
	cda_rw_u64(w, CDA_RW_KEYED, "exit_code", NULL,
		   (uint64_t)cda_audit_exit_code(au, o->fail_on, o->fail_on_indeterminate));
	cda_rw_close(w);
}

void cda_report_write(struct cda_rw *w, const struct cda_audit *au,
		      const struct cda_report_opts *o)
{
	const struct cda_value *host = cda_obj_get(au->facts, "host");

	doc_head(w);
	invocation_write(w, au, o);
	if (host)
		host_write(w, host);
	inputs_write(w, au, true);
	results_write(w, au, o->quiet);
	omitted_write(w, au, CDA_RW_TEXT);
	if (au->suppress && !o->quiet)
		notes_write(w, au->suppress, CDA_RW_TEXT);
	summary_write(w, au, o);
	cda_rw_close(w);
}

/* so: SARIF's, kept by the caller until the writer is finished */
static struct cda_rw *writer_new(enum cda_format format, bool color,
				 const struct cda_sarif_opts *so)
{
	if (format == CDA_FORMAT_SARIF)
		return cda_rw_sarif_new(so);
	return format == CDA_FORMAT_JSON ? cda_rw_json_new() : cda_rw_text_new(color);
}

int cda_report_render(const struct cda_audit *au, const struct cda_ruleset *rs,
		      const struct cda_report_opts *opts, char **out, struct cda_error *err)
{
	struct cda_report_opts o = *opts;
	struct cda_sarif_opts so = { rs, opts->source, opts->source_path };
	struct cda_rw *w;

	if (opts->format == CDA_FORMAT_JUNIT) /* per input x rule: its own emitter */
		return cda_report_junit(au, rs, out, err);
	if (!o.rules)
		o.rules = rs; /* for the rules re-levelled or toggled it records */
	w = writer_new(opts->format, opts->color, &so);
	if (!w)
		return cda_oom(err, NULL);
	cda_report_write(w, au, &o);
	return cda_rw_finish(w, out, err);
}

int cda_report_facts(const struct cda_audit *au, char **out, struct cda_error *err)
{
	struct cda_rw *w = cda_rw_json_new();

	if (!w)
		return cda_oom(err, NULL);
	doc_head(w);
	inputs_write(w, au, false);
	cda_rw_value(w, CDA_RW_KEYED, "facts", NULL, au->facts);
	cda_rw_close(w);
	return cda_rw_finish(w, out, err);
}

char *cda_report_error_json(const char *message, int exit_code)
{
	struct cda_rw *w = cda_rw_json_new();
	char *out = NULL;

	if (!w)
		return NULL;
	doc_head(w);
	cda_rw_open_object(w, "error");
	cda_rw_str(w, CDA_RW_KEYED, "message", NULL, message);
	cda_rw_close(w);
	cda_rw_open_object(w, "summary");
	cda_rw_u64(w, CDA_RW_KEYED, "exit_code", NULL, (uint64_t)exit_code);
	cda_rw_close(w);
	cda_rw_close(w);
	cda_rw_finish(w, &out, NULL);
	return out;
}

/* ---- json-c helpers for the rule set below; json-c returns NULL on allocation failure ---- */

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

static json_object *doc_new(struct jb *jb)
{
	json_object *doc = json_object_new_object(), *t = json_object_new_object();

	jset(jb, doc, "schema_version", json_object_new_int(SCHEMA_VERSION));
	jset_str(jb, t, "name", "cca-dma-audit");
	jset_str(jb, t, "version", cda_version());
	jset(jb, doc, "tool", t);
	return doc;
}

static int doc_finish(struct jb *jb, json_object *doc, char **out, struct cda_error *err)
{
	*out = jb->oom ? NULL : cda_json_text(doc);
	json_object_put(doc);
	return *out ? 0 : cda_oom(err, NULL);
}

/* ---- the rule set ---- */

/*
 * An object as it was loaded (its text, so no key a rule or probe file may
 * hold is lost: the export is a rule file --rules reads back), with where
 * it came from; "origin" is informational, and ignored when loaded.
 */
static json_object *loaded_json(struct jb *jb, const char *text, const char *origin)
{
	json_object *o = json_tokener_parse(text);

	if (!o)
		jb->oom = true;
	jset_str(jb, o, "origin", origin);
	return o;
}

/* A rule as loaded, with its severity and state now (after --severity, --enable, --disable). */
static json_object *rule_json(struct jb *jb, const struct cda_rule *r)
{
	json_object *o = loaded_json(jb, r->json, r->origin);

	jset_str(jb, o, "severity", cda_severity_name(r->severity));
	jset(jb, o, "enabled", json_object_new_boolean(r->enabled));
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
	for (size_t i = 0; i < r->nuses; i++)
		cda_buf_printf(b, "  set-wide %s = %s (%s)\n", r->uses[i].name, r->uses[i].src,
			       r->uses[i].origin);
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

/* ---- probes: rule-set data too (probe.h) ---- */

static void explain_probe_text(struct cda_buf *b, const struct cda_probe *p)
{
	cda_buf_printf(b, "%s (probe: kernel.probes.%s)\n", p->name, p->name);
	cda_buf_wrap(b, p->summary, "  ", 78);
	cda_buf_printf(b, "\nevidence, in order (the first that can be checked decides):\n");
	for (size_t k = 0; k < p->nev; k++) {
		const struct cda_evidence *e = &p->ev[k];

		cda_buf_printf(b, "  %zu. %-7s", k + 1, cda_evidence_kinds[e->kind]);
		for (size_t i = 0; i < e->n; i++)
			cda_buf_printf(b, "%s%s", i ? ", " : " ", e->names[i]);
		if (e->anchor || e->cu)
			cda_buf_printf(b, " (anchor %s, cu %s)", e->anchor ? e->anchor : "-",
				       e->cu ? e->cu : "-");
		cda_buf_printf(b, "\n");
	}
	if (p->nrefs) {
		cda_buf_printf(b, "\nreferences:\n");
		for (size_t i = 0; i < p->nrefs; i++)
			cda_buf_printf(b, "  - %s\n", p->refs[i]);
	}
	cda_buf_printf(b, "\ndefined in: %s\n", p->origin);
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

/* The set-wide names, as a rule file's top-level "let" writes them, in definition order. */
static json_object *lets_json(struct jb *jb, const struct cda_named_expr *lets, size_t n)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < n; i++)
		jset_str(jb, o, lets[i].name, lets[i].src);
	return o;
}

/*
 * The rule set as JSON, a rule file itself: the set-wide names, every rule
 * and every probe, so `--rules` reads it back to the same rule set. One rule
 * comes with the set-wide names it uses; one probe alone.
 */
static int rules_json(const struct cda_ruleset *rs, const char *id, const struct cda_rule *one,
		      const struct cda_probe *probe, char **out, struct cda_error *err)
{
	struct jb jb = { 0 };
	json_object *doc = doc_new(&jb), *arr;

	if (!probe) {
		jset(&jb, doc, "let", one ? lets_json(&jb, one->uses, one->nuses)
					  : lets_json(&jb, rs->lets, rs->nlets));
		arr = json_object_new_array();
		for (size_t i = 0; i < rs->n; i++)
			if (!one || rs->rules[i] == one)
				jpush(&jb, arr, rule_json(&jb, rs->rules[i]));
		jset(&jb, doc, "rules", arr);
	}
	if (!one) {
		arr = json_object_new_array();
		for (size_t i = 0; i < rs->nprobes; i++)
			if (!id || rs->probes[i] == probe)
				jpush(&jb, arr, loaded_json(&jb, rs->probes[i]->json, rs->probes[i]->origin));
		jset(&jb, doc, "probes", arr);
	}
	return doc_finish(&jb, doc, out, err);
}

/* After the rules in the list, the probes: kernel.probes.NAME, what rules read of a kernel. */
static void probes_text(struct cda_buf *b, const struct cda_ruleset *rs)
{
	if (!rs->nprobes)
		return;
	cda_buf_printf(b, "\n%-26s %s\n", "PROBE", "SUMMARY");
	for (size_t i = 0; i < rs->nprobes; i++) {
		struct cda_buf line = { 0 };

		cda_buf_printf(&line, "%-26s %s", rs->probes[i]->name, rs->probes[i]->summary);
		put_escaped(b, &line, false);
		cda_buf_printf(b, "\n");
	}
}

int cda_report_rules(const struct cda_ruleset *rs, const char *id, enum cda_format format,
		     char **out, struct cda_error *err)
{
	const struct cda_rule *one = id ? cda_ruleset_find(rs, id) : NULL;
	const struct cda_probe *probe = id && !one ? cda_ruleset_find_probe(rs, id) : NULL;
	struct cda_buf b = { 0 };

	if (id && !one && !probe)
		return cda_fail(err, CDA_E_USAGE, "unknown rule '%s' (see 'cca-dma-audit rules')", id);
	if (format == CDA_FORMAT_JSON)
		return rules_json(rs, id, one, probe, out, err);
	if (probe) {
		struct cda_buf raw = { 0 };

		explain_probe_text(&raw, probe);
		put_escaped(&b, &raw, true);
	} else if (one) {
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
		probes_text(&b, rs);
	}
	*out = cda_buf_take(&b);
	return *out ? 0 : cda_oom(err, NULL);
}
