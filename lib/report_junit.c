// SPDX-License-Identifier: MIT
/*
 * JUnit XML (--format junit), for the test-report views of GitLab, Jenkins
 * and Azure: one <testsuite> per input, one <testcase> per input x rule run
 * on it (classname the input, name "ID rule-name"). A rule with findings on
 * the input is a <failure> (message: the first finding's; body: every
 * finding, one per line, with severity, subject and fix); one that could not
 * be decided is <skipped message="reason">; one that held is a plain test
 * case. A rule is listed under the input its findings name (its first
 * input). Rules disabled or not run for want of an input are left out, as
 * the summary's "N rules run" leaves them out: no test case claims a check
 * that was never made. An input that could not be read (one of many: the
 * others are audited) is a suite of one test case in <error>; so is the
 * whole document when no report can be made (an input of a single-input
 * run that cannot be read, a usage error).
 *
 * Its own emitter over the audit results, not a backend of the report writer
 * (report.h): the writer streams the report's parts (findings, then
 * indeterminate results, then the summary), while JUnit is shaped by input x
 * rule, needs the rule list, which rules ran, and counts ahead of each suite.
 *
 * Inputs are hostile: every string goes through the text report's escaping
 * first (cda_buf_put_text: control characters, which XML 1.0 does not allow
 * at all, invalid UTF-8 and bidi overrides become \xNN or \u{NNNN}), then
 * through XML's. Output is deterministic: no timestamp, no host name, time 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "report.h"
#include "text.h"
#include "util.h"

/* A test case's outcome and the count of each kind, for a suite's or the document's header. */
enum outcome { PASSED, FAILED, SKIPPED, ERRORED };

struct tally {
	size_t tests, by[ERRORED + 1];
};

/*
 * s in XML: escaped as for a terminal, then &, <, > and " as entities, and
 * the noncharacters U+FFFE and U+FFFF, which XML 1.0 does not allow either.
 * A body keeps its newlines (body), an attribute has none.
 */
static void xml_put(struct cda_buf *b, const char *s, bool body)
{
	struct cda_buf t = { 0 };
	const unsigned char *p;
	char *safe;
	size_t run = 0, i;

	cda_buf_put_text(&t, s, body);
	if (!(safe = cda_buf_take(&t))) {
		b->oom = true;
		return;
	}
	p = (const unsigned char *)safe;
	for (i = 0; p[i]; i++) {
		const char *ent = p[i] == '&' ? "&amp;" : p[i] == '<' ? "&lt;" : p[i] == '>' ? "&gt;"
				: p[i] == '"' ? "&quot;" : NULL;
		bool nonchar = p[i] == 0xef && p[i + 1] == 0xbf && (p[i + 2] == 0xbe || p[i + 2] == 0xbf);

		if (!ent && !nonchar)
			continue;
		cda_buf_printf(b, "%.*s", (int)(i - run), safe + run);
		if (nonchar) {
			cda_buf_printf(b, "\\u{%s}", p[i + 2] == 0xbe ? "fffe" : "ffff");
			i += 2;
		} else {
			cda_buf_printf(b, "%s", ent);
		}
		run = i + 1;
	}
	cda_buf_printf(b, "%s", safe + run);
	free(safe);
}

/* ATTR="value", value escaped; NULL writes nothing. */
static void xml_attr(struct cda_buf *b, const char *attr, const char *v)
{
	if (!v)
		return;
	cda_buf_printf(b, " %s=\"", attr);
	xml_put(b, v, false);
	cda_buf_printf(b, "\"");
}

static void counts_attrs(struct cda_buf *b, const struct tally *t)
{
	cda_buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"0\"",
		       t->tests, t->by[FAILED], t->by[ERRORED], t->by[SKIPPED]);
}

/* The input an undecided result is about: the rule's first, as the text report says. */
static bool indet_on(const struct cda_indeterminate *in, const struct cda_input *input)
{
	return in->file && !strcmp(in->file, input->path);
}

/*
 * A finding on the input that fails its test case: one suppressed or
 * baselined (suppress.h) is accepted, as for the exit status, so it does not.
 */
static bool finding_on(const struct cda_finding *f, const struct cda_input *input)
{
	return f->file && !strcmp(f->file, input->path) && !f->suppressed && !f->baselined;
}

/* A line built in l, escaped into b; l is consumed. */
static void put_line(struct cda_buf *b, struct cda_buf *l)
{
	char *s = cda_buf_take(l);

	if (s)
		xml_put(b, s, false);
	else
		b->oom = true;
	free(s);
}

/* "SEVERITY: SUBJECT[:PROPERTY]: MESSAGE; fix: FIX", one line. */
static void finding_line(struct cda_buf *b, const struct cda_finding *f)
{
	struct cda_buf l = { 0 };

	cda_buf_printf(&l, "%s: %s", cda_severity_name(f->rule->severity), f->subject);
	if (f->property)
		cda_buf_printf(&l, ":%s", f->property);
	cda_buf_printf(&l, ": %s", f->message);
	if (f->fix)
		cda_buf_printf(&l, "; fix: %s", f->fix);
	put_line(b, &l);
	cda_buf_printf(b, "\n");
}

/* "indeterminate: SUBJECT: REASON", one line; the subject is "-" when there is none. */
static void indet_line(struct cda_buf *b, const struct cda_indeterminate *in, bool message)
{
	struct cda_buf l = { 0 };

	cda_buf_printf(&l, "%s%s: %s", message ? "" : "indeterminate: ",
		       in->subject ? in->subject : "-", in->reason);
	put_line(b, &l);
	if (!message)
		cda_buf_printf(b, "\n");
}

/* "N more findings and N more indeterminate results not listed", when a rule passed the limit. */
static void omitted_line(struct cda_buf *b, const struct cda_audit *au, const struct cda_rule *r,
			 const struct cda_input *input)
{
	for (size_t i = 0; i < au->nomitted; i++)
		if (au->omitted[i].rule == r && au->omitted[i].file &&
		    !strcmp(au->omitted[i].file, input->path))
			cda_buf_printf(b, "%zu more findings and %zu more indeterminate results not "
				       "listed (at most %d of each per rule)\n", au->omitted[i].findings,
				       au->omitted[i].indeterminate, CDA_MAX_RESULTS_PER_RULE);
}

/* The rule's results on the input, in a <failure> or <skipped>; nothing when it held. */
static enum outcome results_write(struct cda_buf *b, const struct cda_audit *au,
				  const struct cda_input *input, const struct cda_rule *r)
{
	const struct cda_finding *first = NULL;
	const struct cda_indeterminate *undecided = NULL;

	for (size_t i = 0; i < au->nfindings && !first; i++)
		if (au->findings[i].rule == r && finding_on(&au->findings[i], input))
			first = &au->findings[i];
	for (size_t i = 0; i < au->nindet && !undecided; i++)
		if (au->indet[i].rule == r && indet_on(&au->indet[i], input))
			undecided = &au->indet[i];
	if (!first && !undecided)
		return PASSED;
	if (first) {
		cda_buf_printf(b, ">\n      <failure");
		xml_attr(b, "message", first->message);
		xml_attr(b, "type", cda_severity_name(r->severity));
	} else {
		cda_buf_printf(b, ">\n      <skipped message=\"");
		indet_line(b, undecided, true);
		cda_buf_printf(b, "\" type=\"indeterminate\"");
	}
	cda_buf_printf(b, ">");
	for (size_t i = 0; i < au->nfindings; i++)
		if (au->findings[i].rule == r && finding_on(&au->findings[i], input))
			finding_line(b, &au->findings[i]);
	for (size_t i = 0; i < au->nindet; i++)
		if (au->indet[i].rule == r && indet_on(&au->indet[i], input))
			indet_line(b, &au->indet[i], false);
	omitted_line(b, au, r, input);
	cda_buf_printf(b, "</%s>\n    </testcase>\n", first ? "failure" : "skipped");
	return first ? FAILED : SKIPPED;
}

static void testcase_open(struct cda_buf *b, const char *classname, const char *name)
{
	cda_buf_printf(b, "    <testcase");
	xml_attr(b, "classname", classname);
	xml_attr(b, "name", name);
	cda_buf_printf(b, " time=\"0\"");
}

/* One test case per rule run on the input; the suite's counts go to t. */
static void cases_write(struct cda_buf *b, const struct cda_audit *au,
			const struct cda_ruleset *rs, const struct cda_input *input, struct tally *t)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct cda_rule *r = rs->rules[i];
		enum outcome o;
		char name[256];

		if (!r->ninputs || strcmp(r->inputs[0], input->kind) || !cda_audit_rule_ran(au, r))
			continue;
		snprintf(name, sizeof(name), "%s %s", r->id, r->name);
		testcase_open(b, input->path, name);
		o = results_write(b, au, input, r);
		if (o == PASSED)
			cda_buf_printf(b, "/>\n");
		t->tests++;
		t->by[o]++;
	}
}

static void suite_write(struct cda_buf *b, const char *name, const char *cases,
			const struct tally *t)
{
	cda_buf_printf(b, "  <testsuite");
	xml_attr(b, "name", name);
	counts_attrs(b, t);
	cda_buf_printf(b, ">\n%s  </testsuite>\n", cases);
}

static void add_tally(struct tally *sum, const struct tally *t)
{
	sum->tests += t->tests;
	for (size_t k = 0; k <= ERRORED; k++)
		sum->by[k] += t->by[k];
}

/* The document: the suites, written after their counts are known. */
static char *document(const char *suites, const struct tally *sum)
{
	struct cda_buf b = { 0 };

	cda_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
		       "name=\"cca-dma-audit\"");
	counts_attrs(&b, sum);
	cda_buf_printf(&b, ">\n%s</testsuites>\n", suites);
	return cda_buf_take(&b);
}

/*
 * A suite of one test case in <error>: something that stopped a check being
 * made (name: an input that could not be read, or the tool itself).
 */
static void error_suite(struct cda_buf *suites, const char *name, const char *message,
			const char *type, struct tally *sum)
{
	struct cda_buf cases = { 0 };
	struct tally t = { .tests = 1, .by[ERRORED] = 1 };
	char *c;

	testcase_open(&cases, name, "inputs");
	cda_buf_printf(&cases, ">\n      <error");
	xml_attr(&cases, "message", message);
	xml_attr(&cases, "type", type);
	cda_buf_printf(&cases, "/>\n    </testcase>\n");
	if ((c = cda_buf_take(&cases)))
		suite_write(suites, name, c, &t);
	else
		suites->oom = true;
	free(c);
	add_tally(sum, &t);
}

int cda_report_junit(const struct cda_audit *au, const struct cda_ruleset *rs, char **out,
		     struct cda_error *err)
{
	struct cda_buf suites = { 0 };
	struct tally sum = { 0 };
	char *all;

	*out = NULL;
	for (size_t i = 0; i < au->ninputs; i++) {
		struct cda_buf cases = { 0 };
		struct tally t = { 0 };
		char *c;

		if (au->inputs[i].unreadable) {
			error_suite(&suites, au->inputs[i].path, au->inputs[i].unreadable, "unreadable",
				    &sum);
			continue;
		}
		cases_write(&cases, au, rs, &au->inputs[i], &t);
		if (!(c = cda_buf_take(&cases))) {
			suites.oom = true;
			break;
		}
		suite_write(&suites, au->inputs[i].path, c, &t);
		add_tally(&sum, &t);
		free(c);
	}
	all = cda_buf_take(&suites);
	if (all)
		*out = document(all, &sum);
	free(all);
	return *out ? 0 : cda_oom(err, NULL);
}

char *cda_report_error_junit(const char *message, int exit_code)
{
	struct cda_buf s = { 0 };
	struct tally sum = { 0 };
	char type[32], *suites, *doc = NULL;

	snprintf(type, sizeof(type), "exit %d", exit_code);
	error_suite(&s, "cca-dma-audit", message, type, &sum);
	if ((suites = cda_buf_take(&s)))
		doc = document(suites, &sum);
	free(suites);
	return doc;
}
