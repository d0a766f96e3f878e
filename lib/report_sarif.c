// SPDX-License-Identifier: MIT
/*
 * The SARIF 2.1.0 backend of the report writer (report.h): the JSON report
 * the primitives built, reshaped when finished into one SARIF run for code
 * scanning services (GitHub's among them). What a report says is still
 * report.c's, written once; this file only says where SARIF puts it:
 *
 *   - tool.driver.rules[]: the whole rule set, in its order (ruleIndex);
 *     level from the severity, properties.security-severity from it too
 *     (error 8.0 "high", warning 5.0 "medium", note 2.0 "low": GitHub ranks
 *     security alerts by it), help = why and the fix;
 *   - a finding: a result of kind "fail" at its input file (the path as
 *     given, relative to the working directory when under it, else a file:
 *     URI) and its subject as a logical location; about a device tree
 *     input, with --source FILE.dts, at the line of the .dts that opens its
 *     node or sets its property (dts_source.h) when the .dts has it: a
 *     developer edits the source, and a blob has no lines;
 *   - an indeterminate result: kind "review", level "none" (SARIF allows
 *     only "none" for a kind other than "fail"), the reason as its message;
 *   - the fingerprint (report.h) as partialFingerprints "ccaDmaAudit/v1".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dts_source.h"
#include "report.h"
#include "rules.h"
#include "util.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#ifndef CDA_INFORMATION_URI /* the project's home page, when a build knows it */
#define CDA_INFORMATION_URI "man:cca-dma-audit(1)"
#endif
#define FINGERPRINT_KEY "ccaDmaAudit/v1"

/* json-c answers NULL when out of memory: sb.oom remembers it */
struct sb {
	bool oom;
	const struct cda_ruleset *rs;
	const struct cda_dts_lines *source; /* --source, or NULL */
	const char *source_path;
	const char *cwd;        /* working directory, to make input paths relative; NULL: unknown */
	json_object *inputs;    /* the report's "inputs", to find an indeterminate result's file */
};

static json_object *put(struct sb *b, json_object *o, const char *k, json_object *v)
{
	if (!v || !o || json_object_object_add(o, k, v)) {
		json_object_put(v);
		b->oom = true;
		return NULL;
	}
	return v;
}

static void put_str(struct sb *b, json_object *o, const char *k, const char *s)
{
	if (s)
		put(b, o, k, json_object_new_string(s));
}

static json_object *push(struct sb *b, json_object *a, json_object *v)
{
	if (!v || !a || json_object_array_add(a, v)) {
		json_object_put(v);
		b->oom = true;
		return NULL;
	}
	return v;
}

/* {"text": s}: SARIF's message and multiformatMessageString */
static json_object *text_obj(struct sb *b, const char *s)
{
	json_object *o = json_object_new_object();

	put_str(b, o, "text", s);
	return o;
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *level_of(enum cda_severity s)
{
	return s == CDA_SEV_ERROR ? "error" : s == CDA_SEV_WARNING ? "warning" : "note";
}

static const char *security_severity(enum cda_severity s)
{
	return s == CDA_SEV_ERROR ? "8.0" : s == CDA_SEV_WARNING ? "5.0" : "2.0";
}

/* ---- tool.driver.rules[] ---- */

/* help: why, then the fix and the references; markdown sets them apart. */
static json_object *rule_help(struct sb *b, const struct cda_rule *r)
{
	struct cda_buf t = { 0 }, md = { 0 };
	json_object *o = json_object_new_object();
	char *s;

	cda_buf_printf(&t, "%s", r->why ? r->why : r->summary);
	cda_buf_printf(&md, "%s", r->why ? r->why : r->summary);
	if (r->fix_src) {
		cda_buf_printf(&t, "\n\nFix: %s", r->fix_src);
		cda_buf_printf(&md, "\n\n**Fix:** %s", r->fix_src);
	}
	for (size_t i = 0; i < r->nrefs; i++) {
		cda_buf_printf(&t, "%s%s", i ? "\n- " : "\n\nReferences:\n- ", r->refs[i]);
		cda_buf_printf(&md, "%s%s", i ? "\n- " : "\n\n**References:**\n\n- ", r->refs[i]);
	}
	s = cda_buf_take(&t);
	put_str(b, o, "text", s);
	b->oom |= !s;
	free(s);
	s = cda_buf_take(&md);
	put_str(b, o, "markdown", s);
	b->oom |= !s;
	free(s);
	return o;
}

/* properties.tags: "security", "dma" and the inputs the rule reads */
static json_object *rule_properties(struct sb *b, const struct cda_rule *r)
{
	json_object *o = json_object_new_object(), *tags = json_object_new_array();

	push(b, tags, json_object_new_string("security"));
	push(b, tags, json_object_new_string("dma"));
	for (size_t i = 0; i < r->ninputs; i++)
		push(b, tags, json_object_new_string(r->inputs[i]));
	put(b, o, "tags", tags);
	put_str(b, o, "security-severity", security_severity(r->severity));
	put_str(b, o, "precision", "high");
	return o;
}

static json_object *rule_desc(struct sb *b, const struct cda_rule *r)
{
	json_object *o = json_object_new_object(), *conf = json_object_new_object();

	put_str(b, o, "id", r->id);
	put_str(b, o, "name", r->name);
	put(b, o, "shortDescription", text_obj(b, r->summary));
	put(b, o, "fullDescription", text_obj(b, r->why ? r->why : r->summary));
	put(b, o, "help", rule_help(b, r));
	put_str(b, conf, "level", level_of(r->severity));
	put(b, conf, "enabled", json_object_new_boolean(r->enabled));
	put(b, o, "defaultConfiguration", conf);
	put(b, o, "properties", rule_properties(b, r));
	return o;
}

static json_object *driver(struct sb *b, json_object *report)
{
	json_object *d = json_object_new_object(), *rules = json_object_new_array();
	const char *version = get_str(get(report, "tool"), "version");

	put_str(b, d, "name", "cca-dma-audit");
	put_str(b, d, "version", version);
	put_str(b, d, "semanticVersion", version);
	put_str(b, d, "informationUri", CDA_INFORMATION_URI);
	for (size_t i = 0; i < b->rs->n; i++)
		push(b, rules, rule_desc(b, b->rs->rules[i]));
	put(b, d, "rules", rules);
	return d;
}

/* ---- results ---- */

static bool uri_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~/", c);
}

/*
 * The input path as a URI reference: relative to the working directory when
 * under it (code scanning wants repository-relative URIs), a file: URI when
 * elsewhere, percent-encoded either way.
 */
static char *path_uri(const struct sb *b, const char *path)
{
	size_t n = b->cwd ? strlen(b->cwd) : 0;
	struct cda_buf u = { 0 };

	if (path[0] == '/' && n && !strncmp(path, b->cwd, n) && path[n] == '/')
		path += n + 1;
	else if (path[0] == '/')
		cda_buf_printf(&u, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		cda_buf_printf(&u, uri_plain(*p) ? "%c" : "%%%02X", *p);
	return cda_buf_take(&u);
}

/*
 * region: line (the .dts line of a DT result), else the line of a log or
 * trace finding (its subject "line N"), else line 1 standing for the whole
 * file (a blob has no lines): code scanning places a result by its startLine.
 */
static json_object *region(struct sb *b, const char *subject, unsigned dts_line)
{
	json_object *r = json_object_new_object();
	const char *end = NULL;
	uint64_t line = dts_line;

	if (!line && subject && !strncmp(subject, "line ", 5) &&
	    (!cda_parse_dec(subject + 5, subject + strlen(subject), &line, &end) || *end || !line ||
	     line > INT32_MAX))
		line = 0;
	put(b, r, "startLine", json_object_new_int64(line ? (int64_t)line : 1));
	return r;
}

/* Whether file is one of the report's device tree inputs. */
static bool dt_input(const struct sb *b, const char *file)
{
	size_t n = b->inputs ? json_object_array_length(b->inputs) : 0;

	for (size_t i = 0; file && i < n; i++) {
		json_object *in = json_object_array_get_idx(b->inputs, i);
		const char *k = get_str(in, "kind"), *p = get_str(in, "path");

		if (k && p && !strcmp(k, "dt") && !strcmp(p, file))
			return true;
	}
	return false;
}

/* The --source line of a result about a DT input (subject: a DT path), or 0. */
static unsigned source_line(const struct sb *b, const char *file, const char *subject,
			    const char *property)
{
	if (!b->source || !b->source_path || !subject || subject[0] != '/' ||
	    !dt_input(b, file))
		return 0;
	return cda_dts_line(b->source, subject, property);
}

/* locations[0]: the input file, and the subject (DT node, symbol, debugfs file, ...) */
static json_object *location(struct sb *b, const char *file, const char *subject,
			     const char *property)
{
	json_object *loc = json_object_new_object(), *art = json_object_new_object(), *phys;
	unsigned line = source_line(b, file, subject, property);
	char *uri = line ? path_uri(b, b->source_path) : file ? path_uri(b, file) : NULL;

	if ((file || line) && !uri)
		b->oom = true;
	if (uri) {
		put_str(b, art, "uri", uri);
		phys = put(b, loc, "physicalLocation", json_object_new_object());
		put(b, phys, "artifactLocation", art);
		put(b, phys, "region", region(b, subject, line));
	} else {
		json_object_put(art);
	}
	free(uri);
	if (subject) {
		json_object *ll = put(b, loc, "logicalLocations", json_object_new_array());
		json_object *one = push(b, ll, json_object_new_object());
		struct cda_buf fq = { 0 };
		char *s;

		cda_buf_printf(&fq, "%s%s%s", subject, property ? ":" : "", property ? property : "");
		s = cda_buf_take(&fq);
		put_str(b, one, "name", property ? property : subject);
		put_str(b, one, "fullyQualifiedName", s);
		b->oom |= !s;
		free(s);
	}
	return loc;
}

static size_t rule_index(const struct sb *b, const char *id, const struct cda_rule **rule)
{
	for (size_t i = 0; id && i < b->rs->n; i++)
		if (!strcmp(b->rs->rules[i]->id, id)) {
			*rule = b->rs->rules[i];
			return i;
		}
	*rule = NULL;
	return 0;
}

/* What every result has: rule, message, location, fingerprint. */
static json_object *result_common(struct sb *b, json_object *r, const char *message,
				  const char *file, const char *property, const struct cda_rule **rule)
{
	json_object *res = json_object_new_object(), *locs, *fp;
	size_t idx = rule_index(b, get_str(r, "rule_id"), rule);

	put_str(b, res, "ruleId", get_str(r, "rule_id"));
	if (*rule)
		put(b, res, "ruleIndex", json_object_new_int64((int64_t)idx));
	put(b, res, "message", text_obj(b, message ? message : "-"));
	locs = put(b, res, "locations", json_object_new_array());
	push(b, locs, location(b, file, get_str(r, "subject"), property));
	fp = put(b, res, "partialFingerprints", json_object_new_object());
	put_str(b, fp, FINGERPRINT_KEY, get_str(r, "fingerprint"));
	return res;
}

static json_object *finding_result(struct sb *b, json_object *f)
{
	json_object *loc = get(f, "location");
	const struct cda_rule *rule;
	json_object *res = result_common(b, f, get_str(f, "message"), get_str(loc, "file"),
					 get_str(loc, "property"), &rule);
	json_object *props;

	put_str(b, res, "kind", "fail");
	put_str(b, res, "level", rule ? level_of(rule->severity) : "warning");
	props = put(b, res, "properties", json_object_new_object());
	put_str(b, props, "fix", get_str(f, "fix"));
	if (get(f, "evidence"))
		put(b, props, "evidence", json_object_get(get(f, "evidence")));
	return res;
}

/*
 * A finding of a report with a baseline (--baseline) has "baselined": SARIF's
 * baselineState, "unchanged" (in the baseline) or "new"; none without one.
 */
static json_object *baselined_finding_result(struct sb *b, json_object *f)
{
	json_object *res = finding_result(b, f), *bl = get(f, "baselined");

	if (bl)
		put_str(b, res, "baselineState", json_object_get_boolean(bl) ? "unchanged" : "new");
	return res;
}

/* A suppressed finding: a result with suppressions[], accepted outside the log (--suppressions). */
static json_object *suppressed_result(struct sb *b, json_object *f)
{
	json_object *res = finding_result(b, f), *sup = get(f, "suppression");
	json_object *arr = put(b, res, "suppressions", json_object_new_array());
	json_object *one = push(b, arr, json_object_new_object()), *props;

	put_str(b, one, "kind", "external");
	put_str(b, one, "status", "accepted");
	put_str(b, one, "justification", get_str(sup, "reason"));
	props = put(b, one, "properties", json_object_new_object());
	put_str(b, props, "from", get_str(sup, "from"));
	put_str(b, props, "expires", get_str(sup, "expires"));
	return res;
}

static json_object *indet_result(struct sb *b, json_object *in)
{
	const char *id = get_str(in, "rule_id");
	const struct cda_rule *r = NULL;
	const char *file;
	json_object *res, *props;

	rule_index(b, id, &r);
	file = get_str(in, "file");
	res = result_common(b, in, get_str(in, "reason"), file, NULL, &r);
	put_str(b, res, "kind", "review");
	put_str(b, res, "level", "none");
	props = put(b, res, "properties", json_object_new_object());
	put(b, props, "indeterminate", json_object_new_boolean(true));
	return res;
}

static json_object *results(struct sb *b, json_object *report)
{
	json_object *out = json_object_new_array(), *a;
	size_t n;

	a = get(report, "findings");
	n = a ? json_object_array_length(a) : 0;
	for (size_t i = 0; i < n; i++)
		push(b, out, baselined_finding_result(b, json_object_array_get_idx(a, i)));
	a = get(report, "indeterminate");
	n = a ? json_object_array_length(a) : 0;
	for (size_t i = 0; i < n; i++)
		push(b, out, indet_result(b, json_object_array_get_idx(a, i)));
	a = get(report, "suppressed");
	n = a ? json_object_array_length(a) : 0;
	for (size_t i = 0; i < n; i++)
		push(b, out, suppressed_result(b, json_object_array_get_idx(a, i)));
	return out;
}

/*
 * An input of many that could not be read (the others were audited): an
 * error notification of the invocation, located at the input.
 */
static void unreadable_notes(struct sb *b, json_object *inv)
{
	size_t n = b->inputs ? json_object_array_length(b->inputs) : 0;
	json_object *notes = NULL;

	for (size_t i = 0; i < n; i++) {
		json_object *in = json_object_array_get_idx(b->inputs, i), *note, *locs, *phys, *art;
		const char *reason = get_str(in, "reason");
		char *uri;

		if (!reason)
			continue;
		if (!notes)
			notes = put(b, inv, "toolExecutionNotifications", json_object_new_array());
		note = push(b, notes, json_object_new_object());
		put_str(b, note, "level", "error");
		put(b, note, "message", text_obj(b, reason));
		locs = put(b, note, "locations", json_object_new_array());
		phys = put(b, push(b, locs, json_object_new_object()), "physicalLocation",
			   json_object_new_object());
		art = put(b, phys, "artifactLocation", json_object_new_object());
		if (!(uri = path_uri(b, get_str(in, "path"))))
			b->oom = true;
		put_str(b, art, "uri", uri);
		free(uri);
	}
}

/* invocations[0]: the exit status and, in its properties, the JSON report's summary */
static json_object *invocation(struct sb *b, json_object *report)
{
	json_object *inv = json_object_new_object(), *sum = get(report, "summary");
	json_object *code = get(sum, "exit_code"), *props;

	put(b, inv, "executionSuccessful", json_object_new_boolean(true));
	if (code)
		put(b, inv, "exitCode", json_object_new_int64(json_object_get_int64(code)));
	unreadable_notes(b, inv);
	props = put(b, inv, "properties", json_object_new_object());
	if (sum)
		put(b, props, "summary", json_object_get(sum));
	return inv;
}

static json_object *sarif_doc(json_object *report, const void *ctx)
{
	const struct cda_sarif_opts *so = ctx;
	struct sb b = { .rs = so->rs, .source = so->source, .source_path = so->source_path,
			.inputs = get(report, "inputs") };
	json_object *doc = json_object_new_object(), *runs, *run, *tool, *invs;
	char *cwd = getcwd(NULL, 0);

	b.cwd = cwd;
	put_str(&b, doc, "$schema", SARIF_SCHEMA);
	put_str(&b, doc, "version", "2.1.0");
	runs = put(&b, doc, "runs", json_object_new_array());
	run = push(&b, runs, json_object_new_object());
	tool = put(&b, run, "tool", json_object_new_object());
	put(&b, tool, "driver", driver(&b, report));
	invs = put(&b, run, "invocations", json_object_new_array());
	push(&b, invs, invocation(&b, report));
	put(&b, run, "results", results(&b, report));
	put_str(&b, run, "columnKind", "utf16CodeUnits");
	free(cwd);
	if (b.oom) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

struct cda_rw *cda_rw_sarif_new(const struct cda_sarif_opts *so)
{
	return cda_rw_tree_new(sarif_doc, so);
}

/* ---- when no report could be made ---- */

char *cda_report_error_sarif(const char *message, int exit_code)
{
	struct sb b = { 0 };
	json_object *doc = json_object_new_object(), *runs, *run, *tool, *drv, *inv, *notes, *note;
	char *out;

	put_str(&b, doc, "$schema", SARIF_SCHEMA);
	put_str(&b, doc, "version", "2.1.0");
	runs = put(&b, doc, "runs", json_object_new_array());
	run = push(&b, runs, json_object_new_object());
	tool = put(&b, run, "tool", json_object_new_object());
	drv = put(&b, tool, "driver", json_object_new_object());
	put_str(&b, drv, "name", "cca-dma-audit");
	put_str(&b, drv, "version", cda_version());
	put_str(&b, drv, "semanticVersion", cda_version());
	put_str(&b, drv, "informationUri", CDA_INFORMATION_URI);
	put(&b, drv, "rules", json_object_new_array()); /* code scanning wants the array */
	inv = push(&b, put(&b, run, "invocations", json_object_new_array()), json_object_new_object());
	put(&b, inv, "executionSuccessful", json_object_new_boolean(false));
	put(&b, inv, "exitCode", json_object_new_int(exit_code));
	notes = put(&b, inv, "toolExecutionNotifications", json_object_new_array());
	note = push(&b, notes, json_object_new_object());
	put(&b, note, "message", text_obj(&b, message));
	put_str(&b, note, "level", "error");
	put(&b, run, "results", json_object_new_array());
	out = b.oom ? NULL : cda_json_text(doc);
	json_object_put(doc);
	return out;
}
