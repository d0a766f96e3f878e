// SPDX-License-Identifier: MIT
/* Unit tests for rule loading (lib/rules.c) and evaluation (lib/engine.c). */
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

#define RULE(extra)                                                                      \
	"{\"rules\": [{\"id\": \"TST001\", \"name\": \"t\", \"severity\": \"error\","     \
	"\"summary\": \"s\", \"why\": \"w\", \"inputs\": [\"dt\"], \"message\": \"m\", " extra "}]}"

static void expect_load_error(const char *text, const char *needle)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_error err = { 0 };

	assert_int_equal(cda_ruleset_load_text(rs, "t.json", text, &err), -CDA_E_RULE);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	assert_int_equal(strncmp(err.msg, "t.json", 6), 0);
	cda_ruleset_free(rs);
}

static void test_rule_file_errors(void **state)
{
	(void)state;
	expect_load_error("{\"rules\": [", "invalid JSON");
	expect_load_error("[]", "expected an object");
	expect_load_error(RULE("\"assert\": \"1 +\", \"subject\": \"/\""), "rule TST001: assert:");
	expect_load_error(RULE("\"assert\": \"true\", \"colour\": 1"), "unknown key \"colour\"");
	expect_load_error(RULE("\"assert\": \"true\", \"message\": 3"), "\"message\" must be a string");
	expect_load_error(RULE("\"assert\": \"true\", \"severity\": \"fatal\""), "not error, warning or note");
	expect_load_error(RULE("\"assert\": \"true\", \"for_each\": \"x of y\""), "for_each");
	expect_load_error(RULE("\"assert\": \"true\""), "needs a \"subject\"");
	expect_load_error(RULE("\"assert\": \"true\", \"subject\": \"{a\""), "subject");
	expect_load_error(RULE("\"assert\": \"true\", \"subject\": \"/\", \"inputs\": []"), "at least one input");
	expect_load_error(RULE("\"assert\": \"true\", \"subject\": \"/\", \"id\": \"tst1\""), "id must be");
	expect_load_error(RULE("\"assert\": \"true\", \"subject\": \"/\", \"name\": \"Bad Name\""), "lower-case");
	expect_load_error(RULE("\"subject\": \"/\""), "missing \"assert\"");
	expect_load_error("{\"rules\": [" "{\"id\": \"TST001\", \"name\": \"a\", \"severity\": \"note\", \"summary\": \"s\", \"why\": \"w\", \"inputs\": [\"dt\"], \"message\": \"m\", \"assert\": \"true\", \"subject\": \"/\"},"
			  "{\"id\": \"TST001\", \"name\": \"b\", \"severity\": \"note\", \"summary\": \"s\", \"why\": \"w\", \"inputs\": [\"dt\"], \"message\": \"m\", \"assert\": \"true\", \"subject\": \"/\"}]}",
			  "duplicate");
}

static void test_builtin_rules_load(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_builtin(rs, &err), 0);
	assert_true(rs->n >= 12);
	assert_non_null(cda_ruleset_find(rs, "GRAN001"));
	assert_non_null(cda_ruleset_find(rs, "restricted-pool-static-granule"));
	assert_int_equal(cda_ruleset_set_enabled(rs, "NOPE999", false, &err), -CDA_E_USAGE);
	cda_ruleset_free(rs);
}

/* An audit whose facts are dt.items = [{v:1},{v:2},{} ] and host.granule. */
static struct cda_audit *audit_with_items(void)
{
	struct cda_audit *au = cda_audit_new();
	struct cda_host host = { .granule = 65536 };
	struct cda_value *dt = cda_v_obj(au->arena), *items = cda_v_list(au->arena);
	struct cda_error err;

	assert_int_equal(cda_audit_set_host(au, &host, &err), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		struct cda_value *o = cda_v_obj(au->arena);

		cda_obj_set_str(au->arena, o, "path", i == 1 ? "/a" : i == 2 ? "/b" : "/c");
		if (i < 3)
			cda_obj_set_u64(au->arena, o, "v", i);
		cda_list_push(au->arena, items, o);
	}
	cda_obj_set(au->arena, dt, "items", items);
	cda_obj_set(au->arena, au->facts, "dt", dt);
	return au;
}

static void test_engine_outcomes(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_items();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.items\", \"assert\": \"i.v < 2\", \"message\": \"v is {i.v}\","
		     "\"property\": \"reg\", \"evidence\": {\"v\": \"i.v\", \"missing\": \"i.nope\"}"), &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	/* /a passes, /b fails, /c lacks v: indeterminate, not a pass and not a finding */
	assert_int_equal(au->nfindings, 1);
	assert_string_equal(au->findings[0].subject, "/b");
	assert_string_equal(au->findings[0].message, "v is 2");
	assert_string_equal(au->findings[0].property, "reg");
	assert_int_equal(cda_obj_get(au->findings[0].evidence, "v")->u, 2);
	assert_null(cda_obj_get(au->findings[0].evidence, "missing")); /* unknown evidence is left out */
	assert_int_equal(au->nindet, 1);
	assert_string_equal(au->indet[0].subject, "/c");
	assert_string_equal(au->indet[0].reason, "no fact 'i.v'");
	assert_int_equal(au->checks_passed, 1);
	assert_int_equal(cda_audit_exit_code(au, CDA_SEV_ERROR, false), 1);
	assert_int_equal(cda_audit_exit_code(au, CDA_SEV_NEVER, false), 0);
	assert_int_equal(cda_audit_exit_code(au, CDA_SEV_NEVER, true), 2);
	cda_audit_free(au);
	cda_ruleset_free(rs);
}

static void test_engine_where_and_errors(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_items();
	struct cda_error err = { 0 };

	(void)state;
	/* where false skips; where unknown is indeterminate; a type error says so */
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.items\", \"where\": \"i.v != 1\", \"assert\": \"i.v / 0 == 1\""), &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	assert_int_equal(au->nindet, 2);
	assert_string_equal(au->indet[0].subject, "/b");
	assert_string_equal(au->indet[0].reason, "evaluation error: division by zero");
	assert_string_equal(au->indet[1].subject, "/c");
	assert_string_equal(au->indet[1].reason, "no fact 'i.v'"); /* where unknown names the fact */
	cda_audit_free(au);
	cda_ruleset_free(rs);
}

static void test_override_disable_and_inputs(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_items();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_text(rs, "a.json", RULE("\"subject\": \"/\", \"assert\": \"false\""), &err), 0);
	/* same id from a later file replaces the rule */
	assert_int_equal(cda_ruleset_load_text(rs, "b.json", RULE("\"subject\": \"/\", \"assert\": \"true\""), &err), 0);
	assert_int_equal(rs->n, 1);
	assert_string_equal(rs->rules[0]->origin, "b.json");
	assert_int_equal(cda_ruleset_load_text(rs, "c.json",
		"{\"rules\": [{\"id\": \"TST002\", \"name\": \"k\", \"severity\": \"note\", \"summary\": \"s\","
		"\"why\": \"w\", \"inputs\": [\"kernel\"], \"message\": \"m\", \"assert\": \"false\", \"subject\": \"/\"},"
		"{\"id\": \"TST003\", \"name\": \"off\", \"severity\": \"note\", \"summary\": \"s\", \"enabled\": false,"
		"\"why\": \"w\", \"inputs\": [\"dt\"], \"message\": \"m\", \"assert\": \"false\", \"subject\": \"/\"}]}", &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	assert_int_equal(au->rules_run, 1);
	assert_int_equal(au->rules_not_applicable, 1); /* no kernel loaded */
	assert_int_equal(au->rules_disabled, 1);
	cda_audit_free(au);
	/* --enable turns an opt-in rule on */
	au = audit_with_items();
	assert_int_equal(cda_ruleset_set_enabled(rs, "off", true, &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 1);
	assert_string_equal(au->findings[0].rule->id, "TST003");
	cda_audit_free(au);
	cda_ruleset_free(rs);
}

static void test_facts_json(void **state)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_value *o = cda_v_obj(a);
	struct json_object *j;

	(void)state;
	cda_obj_set_hex(a, o, "base", 0x80000000);
	cda_obj_set_u64(a, o, "count", 3);
	cda_obj_set_u64(a, o, "huge", UINT64_MAX);
	cda_obj_set_str(a, o, "path", "/a/b");
	j = cda_value_to_json(o);
	assert_string_equal(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"base\":\"0x80000000\",\"count\":3,\"huge\":\"0xffffffffffffffff\",\"path\":\"/a/b\"}");
	json_object_put(j);
	cda_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_file_errors),
		cmocka_unit_test(test_builtin_rules_load),
		cmocka_unit_test(test_engine_outcomes),
		cmocka_unit_test(test_engine_where_and_errors),
		cmocka_unit_test(test_override_disable_and_inputs),
		cmocka_unit_test(test_facts_json),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
