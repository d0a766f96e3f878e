// SPDX-License-Identifier: MIT
/*
 * Unit tests for the report writer (report.h): one enumeration of a report
 * drives every backend, text shows a finding's evidence, and a new backend
 * (here a recording one, as SARIF will be) needs only the ops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "audit.h"
#include "report.h"

static const char *inputs[] = { "dt" };
static const char *refs[] = { "https://example.org/ref" };
static const struct cda_rule rule = {
	.id = "TST001", .name = "test-rule", .severity = CDA_SEV_ERROR,
	.inputs = inputs, .ninputs = 1, .refs = refs, .nrefs = 1,
};

/* One finding (with evidence unless bare), one indeterminate result, on input guest.dtb. */
static struct cda_audit *audit_one(struct cda_finding *f, struct cda_indeterminate *in, bool bare)
{
	struct cda_audit *au = cda_audit_new();
	struct cda_value *ev;
	struct cda_error err = { 0 };

	assert_non_null(au);
	assert_int_equal(cda_audit_add_input(au, "dt", "guest.dtb", "dtb", &err), 0);
	ev = cda_v_obj(au->arena);
	if (!bare) {
		struct cda_value *lines = cda_v_list(au->arena);

		cda_list_push(au->arena, lines, cda_v_u64(au->arena, 1));
		cda_list_push(au->arena, lines, cda_v_u64(au->arena, 2));
		cda_obj_set_u64(au->arena, ev, "count", 3);
		cda_obj_set_hex(au->arena, ev, "first_address", 0x9eff7000);
		cda_obj_set(au->arena, ev, "lines", lines);
		cda_obj_set_str(au->arena, ev, "pool", "a\033b"); /* from an input: escaped in text */
	}
	*f = (struct cda_finding){ .rule = &rule, .subject = "/pool", .file = "guest.dtb",
				   .property = "reg", .message = "bad pool", .fix = "move it",
				   .evidence = ev };
	*in = (struct cda_indeterminate){ .rule = &rule, .file = "guest.dtb",
					  .reason = "no granule" };
	au->findings = f;
	au->nfindings = 1;
	au->indet = in;
	au->nindet = 1;
	au->rules_run = 1;
	return au;
}

static char *render(const struct cda_audit *au, enum cda_format format, bool quiet)
{
	struct cda_report_opts o = { .format = format, .fail_on = CDA_SEV_ERROR, .quiet = quiet,
				     .command = "dtb" };
	struct cda_error err = { 0 };
	char *out = NULL;

	assert_int_equal(cda_report_render(au, NULL, &o, &out, &err), 0);
	assert_non_null(out);
	return out;
}

static void test_text(void **state)
{
	struct cda_finding f;
	struct cda_indeterminate in;
	struct cda_audit *au = audit_one(&f, &in, false);
	char *out = render(au, CDA_FORMAT_TEXT, false);

	(void)state;
	assert_string_equal(out,
		"guest.dtb: error [TST001 test-rule]: /pool:reg: bad pool\n"
		"    fix: move it\n"
		"    evidence: count=3, first_address=0x9eff7000, lines=[1, 2], pool=a\\x1bb\n"
		"guest.dtb: indeterminate [TST001 test-rule]: -: no granule\n"
		"cca-dma-audit: 1 error, 0 warnings, 0 notes, 1 indeterminate (1 rules run, 0 checks passed)\n");
	free(out);
	cda_audit_free(au);
}

/* No evidence, no "evidence:" line; -q drops the summary line only. */
static void test_text_bare_quiet(void **state)
{
	struct cda_finding f;
	struct cda_indeterminate in;
	struct cda_audit *au = audit_one(&f, &in, true);
	char *out = render(au, CDA_FORMAT_TEXT, true);

	(void)state;
	assert_string_equal(out,
		"guest.dtb: error [TST001 test-rule]: /pool:reg: bad pool\n"
		"    fix: move it\n"
		"guest.dtb: indeterminate [TST001 test-rule]: -: no granule\n");
	free(out);
	cda_audit_free(au);
}

static void test_json(void **state)
{
	struct cda_finding f;
	struct cda_indeterminate in;
	struct cda_audit *au = audit_one(&f, &in, false);
	char *out = render(au, CDA_FORMAT_JSON, true);
	json_object *doc = json_tokener_parse(out), *fa, *ev, *v;

	(void)state;
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "findings", &fa));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(fa, 0), "evidence", &ev));
	assert_true(json_object_object_get_ex(ev, "first_address", &v));
	assert_string_equal(json_object_get_string(v), "0x9eff7000");
	assert_true(json_object_object_get_ex(doc, "summary", &v));
	assert_true(json_object_object_get_ex(v, "exit_code", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_null(strstr(out, "\\/")); /* paths keep their slashes */
	json_object_put(doc);
	free(out);
	cda_audit_free(au);
}

/* ---- a third backend: records what a keyed backend is given, as "path=value" lines ---- */

struct rec {
	struct cda_rw w;
	struct cda_buf log;
	const char *path[8];
	size_t depth;
};

static void rec_line(struct cda_rw *w, const char *key, const char *val)
{
	struct rec *r = (struct rec *)w;

	for (size_t i = 0; i < r->depth; i++)
		cda_buf_printf(&r->log, "%s.", r->path[i]);
	cda_buf_printf(&r->log, "%s=%s\n", key ? key : "[]", val);
}

static void rec_open(struct cda_rw *w, const char *key, bool array)
{
	struct rec *r = (struct rec *)w;

	(void)array;
	assert_true(r->depth < 8);
	r->path[r->depth++] = key ? key : "[]";
}

static void rec_close(struct cda_rw *w)
{
	struct rec *r = (struct rec *)w;

	assert_true(r->depth > 0);
	r->depth--;
}

static void rec_str(struct cda_rw *w, const char *key, const char *fmt, enum cda_rw_color c,
		    const char *s)
{
	(void)fmt, (void)c;
	rec_line(w, key, s);
}

static void rec_u64(struct cda_rw *w, const char *key, const char *fmt, uint64_t u, bool hex)
{
	char buf[32];

	(void)fmt;
	snprintf(buf, sizeof(buf), hex ? "0x%llx" : "%llu", (unsigned long long)u);
	rec_line(w, key, buf);
}

static void rec_bool(struct cda_rw *w, const char *key, const char *fmt, bool b)
{
	(void)fmt;
	rec_line(w, key, b ? "true" : "false");
}

static void rec_value(struct cda_rw *w, const char *key, const char *fmt, const struct cda_value *v)
{
	(void)fmt;
	rec_line(w, key, cda_type_name(v->type));
}

static int rec_finish(struct cda_rw *w, char **out, struct cda_error *err)
{
	(void)err;
	*out = cda_buf_take(&((struct rec *)w)->log);
	return 0;
}

static const struct cda_rw_ops rec_ops = {
	.keyed = true, .open = rec_open, .close = rec_close, .str = rec_str, .u64 = rec_u64,
	.boolean = rec_bool, .value = rec_value, .finish = rec_finish,
};

static void test_new_backend(void **state)
{
	struct cda_finding f;
	struct cda_indeterminate in;
	struct cda_audit *au = audit_one(&f, &in, false);
	struct cda_report_opts o = { .fail_on = CDA_SEV_WARNING, .command = "dtb" };
	struct rec r = { .w.ops = &rec_ops };
	char *out = NULL;

	(void)state;
	cda_report_write(&r.w, au, &o);
	assert_int_equal(r.depth, 0); /* every open closed */
	assert_int_equal(cda_rw_finish(&r.w, &out, NULL), 0);
	assert_non_null(strstr(out, "[].schema_version=1\n"));
	assert_non_null(strstr(out, "[].findings.[].rule_id=TST001\n"));
	assert_non_null(strstr(out, "[].findings.[].location.property=reg\n"));
	assert_non_null(strstr(out, "[].findings.[].evidence=object\n"));
	assert_non_null(strstr(out, "[].indeterminate.[].reason=no granule\n"));
	assert_non_null(strstr(out, "[].summary.exit_code=1\n"));
	assert_null(strstr(out, "cca-dma-audit: ")); /* text-only parts stay out */
	free(out);
	cda_audit_free(au);
}

/* The text backend's primitives: padding, plural counts, colors, NULL and empty values. */
static void test_text_primitives(void **state)
{
	struct cda_rw *w = cda_rw_text_new(true);
	struct cda_audit *au = cda_audit_new();
	char *out = NULL;

	(void)state;
	assert_non_null(w);
	cda_rw_str(w, CDA_RW_ANY, "k", "[%-6s]", "ab");
	cda_rw_str(w, CDA_RW_KEYED, "k", "never %s", "x");
	cda_rw_str(w, CDA_RW_ANY, "k", "never %s", NULL);
	cda_rw_count(w, CDA_RW_ANY, "n", " %s", 1, "rule");
	cda_rw_count(w, CDA_RW_ANY, "n", " %s", 2, "rule");
	cda_rw_color_str(w, CDA_RW_TEXT, CDA_RW_ERROR, NULL, " %s!", "error");
	cda_rw_value(w, CDA_RW_ANY, "ev", " evidence: %s", cda_v_obj(au->arena));
	cda_rw_hex(w, CDA_RW_ANY, "a", " %s", 0x1000);
	cda_rw_bool(w, CDA_RW_ANY, "b", " %s", false);
	assert_int_equal(cda_rw_finish(w, &out, NULL), 0);
	assert_string_equal(out, "[ab    ] 1 rule 2 rules \033[1;31merror\033[0m! 0x1000 false");
	free(out);
	cda_audit_free(au);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_bare_quiet),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_new_backend),
		cmocka_unit_test(test_text_primitives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
