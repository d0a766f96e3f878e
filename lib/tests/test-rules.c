// SPDX-License-Identifier: MIT
/* Unit tests for rule loading (lib/rules.c) and evaluation (lib/engine.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

	/* the built-in probes: kernel.probes.NAME is checked against the rule set's */
	assert_int_equal(cda_ruleset_load_builtin_probes(rs, &err), 0);
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
	/* json-c stops after one value: a second object must not be dropped unread. */
	expect_load_error("{\"rules\": []}\n{\"rules\": [{\"id\": \"X\"}]}",
			  "t.json:2: invalid JSON: text after the end of the object");
}

static void write_file(const char *dir, const char *name, const char *text, size_t pad)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	if (pad)
		fputs("]}", f);
	fclose(f);
}

static int load_dir(const char *dir, struct cda_error *err)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	int ret = cda_ruleset_load_path(rs, dir, err);

	if (!ret && !cda_ruleset_find(rs, "TST001"))
		fail_msg("%s: TST001 not loaded", dir);
	cda_ruleset_free(rs);
	return ret;
}

static void expect_dir_error(const char *dir, const char *name, const char *why)
{
	struct cda_error err = { 0 };
	char want[256];

	assert_int_equal(load_dir(dir, &err), -CDA_E_RULE);
	snprintf(want, sizeof(want), "%s/%s: %s", dir, name, why);
	assert_string_equal(err.msg, want);
}

/*
 * A rule directory: NAME.json regular files (or links to them), in name
 * order; other names and subdirectories are not read; a NAME.json that is a
 * FIFO, a directory or a dangling link is refused at once, never opened.
 */
static void test_rule_dir(void **state)
{
	char dir[] = "/tmp/cda-rules-XXXXXX", path[256];
	struct cda_error err = { 0 };
	static const char rule[] = RULE("\"assert\": \"true\", \"subject\": \"/\"");

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "a.json", rule, 0);
	write_file(dir, "notes.txt", "not json", 0);
	write_file(dir, ".hidden.json", "not json", 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(path, "b.json", "not json", 0);
	assert_int_equal(load_dir(dir, &err), 0);

	snprintf(path, sizeof(path), "%s/c.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_dir_error(dir, "c.json", "a FIFO, not a regular file");
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_dir_error(dir, "c.json", "a directory, not a regular file");
	rmdir(path);
	assert_int_equal(symlink("c.json", path), 0); /* a link to itself */
	expect_dir_error(dir, "c.json", strerror(ELOOP));
	unlink(path);
	assert_int_equal(symlink("a.json", path), 0); /* a link to a rule file is followed */
	assert_int_equal(load_dir(dir, &err), 0);
	unlink(path);

	/* RULE_FILE_MAX: 4 MiB is read, one byte more is refused. */
	write_file(dir, "big.json", "{\"rules\": [", (4u << 20) - 13);
	assert_int_equal(load_dir(dir, &err), 0);
	write_file(dir, "big.json", "{\"rules\": [", (4u << 20) - 12);
	assert_int_not_equal(load_dir(dir, &err), 0);
	snprintf(path, sizeof(path), "%s/big.json: larger than the 4 MiB limit", dir);
	assert_string_equal(err.msg, path);

	for (const char *const *n = (const char *const[]){ "a.json", "notes.txt", ".hidden.json",
							    "sub/b.json", "sub", "big.json", NULL };
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		assert_int_equal(remove(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
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

static void expect_loads(const char *text)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_error err = { 0 };

	if (cda_ruleset_load_builtin_probes(rs, &err) || cda_ruleset_load_text(rs, "t.json", text, &err))
		fail_msg("rule did not load: %s", err.msg);
	cda_ruleset_free(rs);
}

/* A rule naming a fact the schema does not have is a rule-file error, saying what exists there. */
static void test_fact_paths_unknown(void **state)
{
	(void)state;
	expect_load_error(RULE("\"for_each\": \"pool in dt.pools\", \"assert\": \"aligned(pool.bse, host.granule)\""),
			  "t.json: rule TST001: assert: no fact 'pool.bse'; pool (an item of dt.pools) has: "
			  "path, name, unit_address, index,");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"dtt.pools == 0\""),
			  "assert: no fact 'dtt'; the names here are: host, dt, kernel, swiotlb, dmesg, trace");
	expect_load_error(RULE("\"for_each\": \"pool in dt.pool\", \"assert\": \"true\""),
			  "for_each: no fact 'dt.pool'; dt has: format,");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"true\", \"message\": \"{host.granul}\""),
			  "message: no fact 'host.granul'; host has: granule,");
	expect_load_error(RULE("\"for_each\": \"p in dt.pools\", \"assert\": \"true\", \"evidence\": {\"b\": \"p.base.lo\"}"),
			  "evidence b: no fact 'p.base.lo'; p.base is not an object");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"dt.model[0] == 1\""),
			  "assert: dt.model is not a list");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"params.limit > 1\", \"params\": {\"limt\": 3}"),
			  "assert: no param 'params.limit'; the rule's params are: limt");
}

/* Valid paths load, including optional facts, has(), params and nested lists. */
static void test_fact_paths_valid(void **state)
{
	(void)state;
	expect_loads(RULE("\"for_each\": \"pool in dt.pools\", \"where\": \"pool.restricted && has(pool.alignment)\","
			  "\"assert\": \"aligned(pool.base, host.granule) && len(pool.alloc_ranges) > 0 && pool.alloc_ranges[0].size > params.min\","
			  "\"params\": {\"min\": 4096}, \"message\": \"{pool.path} {size(dt.memory[0].size)}\","
			  "\"fix\": \"{hex(align_up(pool.base, host.granule))}\", \"evidence\": {\"b\": \"pool.base\"}"));
	/* unknown-able facts (a bool or null), and a list in a list */
	expect_loads(RULE("\"subject\": \"/\", \"assert\": \"trace.groups[0].runs[0].addr_bits != 0 && dmesg.swiotlb_mapped && kernel.page_size == 4K\""));
}

/* Quantifier variables take the item schema of their list; filter() keeps the list, first() gives an item. */
static void test_fact_paths_quantifiers(void **state)
{
	(void)state;
	expect_loads(RULE("\"subject\": \"/\", \"assert\": \"all(u in dt.dma_users: any(r in u.memory_regions: r.restricted && has(r.path)))"
			  " && count(p in filter(q in dt.pools: q.static): p.size > 0) == 1"
			  " && first(g in trace.groups: len(g.runs) > 1).device == 'x' && len(map(e in trace.errors: e.error)) == 0\""));
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"any(u in dt.dma_users: u.pth == '/')\""),
			  "assert: no fact 'u.pth'; u (an item of dt.dma_users) has: path, available, iommu,");
	expect_load_error(RULE("\"for_each\": \"dev in dt.dma_users\", \"assert\": \"all(r in dev.memory_regions: r.restricted || r.phandel == 0)\""),
			  "assert: no fact 'r.phandel'; r (an item of dev.memory_regions) has: phandle, path, restricted, available");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"count(p in filter(q in dt.pools: q.static): p.szie > 0) == 1\""),
			  "assert: no fact 'p.szie'; p (an item of filter(q in dt.pools: ...)) has: path,");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"first(g in trace.groups: len(g.runs) > 1).devise == 'x'\""),
			  "assert: no fact 'first(g in trace.groups: ...).devise'; first(g in trace.groups: ...) has: event,");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"any(p in dt.pools: any(p in p.users: p.x))\""),
			  "assert: no fact 'p.x'; p (an item of p.users) is not an object");
}

/* Open objects take any key (kernel.config), or the names they are defined by (probes, trace events). */
static void test_fact_paths_open_objects(void **state)
{
	(void)state;
	expect_loads(RULE("\"subject\": \"/\", \"assert\": \"kernel.config.ANY_OPTION_AT_ALL == 'y' && kernel.probes.realm_guest.value"
			  " && kernel.probes.swiotlb_dynamic.decided_by != '' && trace.event_counts.dma_map_page > 0\""));
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"kernel.probes.realm_gest.value\""),
			  "assert: no fact 'kernel.probes.realm_gest'; kernel.probes has: realm_guest, pkvm_guest,");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"kernel.probes.realm_guest.valu\""),
			  "assert: no fact 'kernel.probes.realm_guest.valu'; kernel.probes.realm_guest has: value, decided_by, evidence");
	expect_load_error(RULE("\"subject\": \"/\", \"assert\": \"trace.event_counts.dma_map > 0\""),
			  "assert: no fact 'trace.event_counts.dma_map'; trace.event_counts has: dma_map_phys,");
}

/*
 * An audit whose facts are dt.pools = [{path:/a, index:1}, {path:/b, index:2}, {path:/c}]
 * and host.granule: real fact names, since rules are checked against the facts schema.
 */
static struct cda_audit *audit_with_pools(void)
{
	struct cda_audit *au = cda_audit_new();
	struct cda_host host = { .granule = 65536 };
	struct cda_value *dt = cda_v_obj(au->arena), *pools = cda_v_list(au->arena);
	struct cda_error err;

	assert_int_equal(cda_audit_set_host(au, &host, &err), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		struct cda_value *o = cda_v_obj(au->arena);

		cda_obj_set_str(au->arena, o, "path", i == 1 ? "/a" : i == 2 ? "/b" : "/c");
		if (i < 3)
			cda_obj_set_u64(au->arena, o, "index", i);
		cda_list_push(au->arena, pools, o);
	}
	cda_obj_set(au->arena, dt, "pools", pools);
	cda_obj_set(au->arena, au->facts, "dt", dt);
	return au;
}

static void test_engine_outcomes(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.pools\", \"assert\": \"i.index < 2\", \"message\": \"v is {i.index}\","
		     "\"property\": \"reg\", \"evidence\": {\"v\": \"i.index\", \"missing\": \"i.alignment\"}"), &err), 0);
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
	assert_string_equal(au->indet[0].reason, "no fact 'i.index'");
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
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	/* where false skips; where unknown is indeterminate; a type error says so */
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.pools\", \"where\": \"i.index != 1\", \"assert\": \"i.index / 0 == 1\""), &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	assert_int_equal(au->nindet, 2);
	assert_string_equal(au->indet[0].subject, "/b");
	assert_string_equal(au->indet[0].reason, "evaluation error: division by zero");
	assert_string_equal(au->indet[1].subject, "/c");
	assert_string_equal(au->indet[1].reason, "no fact 'i.index'"); /* where unknown names the fact */
	cda_audit_free(au);
	cda_ruleset_free(rs);
}

/*
 * let: named sub-expressions. Evaluated only where used (an unused let that
 * would be unknown changes nothing), in the rule's own scope (a quantifier
 * variable of the same name around the use does not leak in), and seeing
 * only the lets before it.
 */
static void test_let(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.pools\", \"let\": {\"idx\": \"i.index\", \"big\": \"idx >= 2\","
		     " \"never\": \"i.alignment > 0\", \"mine\": \"i.path\"},"
		     "\"where\": \"has(i.index)\","
		     "\"assert\": \"!big && all(i in dt.pools: mine == '/a')\","
		     "\"message\": \"{mine}: {idx}\""), &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	/* /a passes, /b fails (big); "never" is unused and unknown: no effect; /c is skipped by where */
	assert_int_equal(au->nfindings, 1);
	assert_string_equal(au->findings[0].message, "/b: 2");
	assert_int_equal(au->nindet, 0);
	assert_int_equal(au->checks_passed, 1);
	cda_audit_free(au);
	cda_ruleset_free(rs);

	expect_load_error(RULE("\"subject\": \"/\", \"let\": {\"a\": \"b > 1\", \"b\": \"dt.pools[0].index\"}, \"assert\": \"a\""),
			  "let a: no fact 'b'; the names here are: host");
	expect_load_error(RULE("\"subject\": \"/\", \"let\": {\"a\": \"a\"}, \"assert\": \"a\""),
			  "let a: no fact 'a'");
	expect_load_error(RULE("\"subject\": \"/\", \"let\": {\"dt\": \"1\"}, \"assert\": \"true\""),
			  "let dt: the name hides the fact 'dt'");
	expect_load_error(RULE("\"for_each\": \"p in dt.pools\", \"let\": {\"p\": \"1\"}, \"assert\": \"true\""),
			  "let \"p\" would hide the rule's for_each variable");
	expect_load_error(RULE("\"subject\": \"/\", \"let\": {\"Bad\": \"1\"}, \"assert\": \"true\""),
			  "let \"Bad\": a name is lower-case letters, digits and '_'");
	expect_load_error(RULE("\"subject\": \"/\", \"let\": [\"x\"], \"assert\": \"true\""),
			  "\"let\" must be an object of NAME: EXPR");
	expect_load_error(RULE("\"for_each\": \"p in x\", \"let\": {\"x\": \"dt.pools\"}, \"assert\": \"true\""),
			  "for_each: no fact 'x'");
}

/* A rule file with set-wide names and rules (RULE_OBJ("N", ...) is rule TST00N, comma-separated). */
#define SET_LETS(lets, rules) "{\"let\": {" lets "}, \"rules\": [" rules "]}"
#define RULE_OBJ(n, extra)                                                                   \
	"{\"id\": \"TST00" n "\", \"name\": \"t" n "\", \"severity\": \"error\", \"summary\": \"s\","   \
	"\"why\": \"w\", \"inputs\": [\"dt\"], \"message\": \"m\", " extra "}"

/*
 * Set-wide names (a rule file's top-level "let"): every rule may use them; a
 * rule's own let hides one; unused, one that would be unknown changes
 * nothing; a quantifier inside one does not disturb the variables around the
 * use; `rules ID` learns which ones a rule uses, through one another too.
 */
static void test_set_let(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	if (cda_ruleset_load_text(rs, "a.json", SET_LETS(
		"\"two\": \"2\", \"big\": \"two > 1\", \"unused\": \"dt.pools[7].index\","
		" \"has_b\": \"any(q in dt.pools: q.path == '/b')\"",
		RULE_OBJ("1", "\"for_each\": \"i in dt.pools\", \"where\": \"has(i.index)\","
			 "\"assert\": \"i.index < two && big\"") ","
		RULE_OBJ("2", "\"for_each\": \"i in dt.pools\", \"where\": \"has(i.index)\","
			 "\"let\": {\"two\": \"5\"}, \"assert\": \"i.index < two\"") ","
		RULE_OBJ("3", "\"subject\": \"/\", \"assert\": \"all(x in dt.pools: has_b && x.path != '')\"")),
		&err))
		fail_msg("%s", err.msg);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	/* TST001: /a passes, /b fails; TST002's own "two" hides the set's: both pass; TST003 passes */
	assert_int_equal(au->nfindings, 1);
	assert_string_equal(au->findings[0].rule->id, "TST001");
	assert_string_equal(au->findings[0].subject, "/b");
	assert_int_equal(au->nindet, 0);
	assert_int_equal(au->checks_passed, 4);
	cda_audit_free(au);
	/* uses: in definition order, "two" through "big"; TST002 uses none */
	assert_int_equal(rs->rules[0]->nuses, 2);
	assert_string_equal(rs->rules[0]->uses[0].name, "two");
	assert_string_equal(rs->rules[0]->uses[1].name, "big");
	assert_string_equal(rs->rules[0]->uses[1].origin, "a.json");
	assert_int_equal(rs->rules[1]->nuses, 0);

	/* A later file's definition replaces the name for the rules already loaded. */
	assert_int_equal(cda_ruleset_load_text(rs, "b.json", SET_LETS("\"two\": \"3\"", ""), &err), 0);
	assert_int_equal(rs->nlets, 4);
	assert_string_equal(rs->rules[0]->uses[0].origin, "b.json");
	au = audit_with_pools();
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	cda_audit_free(au);
	cda_ruleset_free(rs);

	/* Scope: facts and the set-wide names before it; never a rule's variable, let or params. */
	expect_load_error(SET_LETS("\"x\": \"i.index\"", RULE_OBJ("1",
		"\"for_each\": \"i in dt.pools\", \"assert\": \"x > 0\"")), "t.json: let x: no fact 'i'");
	expect_load_error(SET_LETS("\"x\": \"params.n\"", RULE_OBJ("1",
		"\"subject\": \"/\", \"params\": {\"n\": 1}, \"assert\": \"x > 0\"")), "let x: no fact 'params'");
	expect_load_error(SET_LETS("\"x\": \"y\", \"y\": \"1\"", ""), "let x: refers to 'y', defined after it");
	expect_load_error(SET_LETS("\"x\": \"1\"", RULE_OBJ("1",
		"\"subject\": \"/\", \"let\": {\"a\": \"1\"}, \"assert\": \"z > 0\"")),
			  "rule TST001: assert: no fact 'z'; the names here are: a, x, host");
	expect_load_error(SET_LETS("\"dt\": \"1\"", ""), "t.json: let dt: the name hides the fact 'dt'");
	expect_load_error(SET_LETS("\"params\": \"1\"", ""), "let \"params\": a name is lower-case");
	expect_load_error(SET_LETS("\"Big\": \"1\"", ""), "let \"Big\": a name is lower-case");
	expect_load_error("{\"let\": 1, \"rules\": []}", "t.json: \"let\" must be an object of NAME: EXPR");
}

/*
 * Set-wide functions ("NAME(P, ...)" keys): a call binds the parameters to
 * the arguments; checked at load (arity, unknown names, recursion, the
 * parameters' member names at each call); a later file replaces one by NAME.
 * A plain name's cached value belongs to one audit: the next sees its facts.
 */
static void test_set_function(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	if (cda_ruleset_load_text(rs, "a.json", SET_LETS(
		"\"npools\": \"len(dt.pools)\", \"below( x , k)\": \"x.index < k\","
		" \"small(x)\": \"below(x, npools - 1)\"",
		RULE_OBJ("1", "\"for_each\": \"i in dt.pools\", \"where\": \"has(i.index)\","
			 "\"assert\": \"small(i) && count(q in dt.pools: has(q.index) && below(q, 3)) == 2\"")),
		&err))
		fail_msg("%s", err.msg);
	assert_int_equal(rs->nlets, 3);
	assert_string_equal(rs->lets[1].fn, "below");
	assert_int_equal(rs->lets[1].nparams, 2);
	assert_string_equal(rs->lets[1].params[1], "k");
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 1); /* /a: 1 < 2; /b: 2 < 2 fails */
	assert_string_equal(au->findings[0].subject, "/b");
	/* uses, in definition order: through small() to below() and npools */
	assert_int_equal(rs->rules[0]->nuses, 3);
	assert_string_equal(rs->rules[0]->uses[1].name, "below( x , k)");
	cda_audit_free(au);
	/* a new audit with other facts: npools is computed again (4 pools: both pass) */
	au = audit_with_pools();
	cda_list_push(au->arena, cda_obj_get(cda_obj_get(au->facts, "dt"), "pools"),
		      cda_v_obj(au->arena));
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	cda_audit_free(au);
	/* a later file replaces below() by its name, whatever its parameters are called */
	assert_int_equal(cda_ruleset_load_text(rs, "b.json", SET_LETS("\"below(y, k)\": \"true\"", ""),
						&err), 0);
	assert_int_equal(rs->nlets, 3);
	cda_ruleset_free(rs);

	expect_load_error(SET_LETS("\"f(x)\": \"f(x) + 1\"", ""),
			  "t.json: let f(x): 'f' refers to itself: a set-wide name may not be recursive");
	expect_load_error(SET_LETS("\"f(x)\": \"g(x)\", \"g(x)\": \"f(x)\"", ""),
			  "t.json: let f(x): refers to 'g(x)', defined after it");
	expect_load_error(SET_LETS("\"n\": \"n + 1\"", ""), "let n: 'n' refers to itself");
	expect_load_error(SET_LETS("\"f(x, y)\": \"x + y\"", RULE_OBJ("1",
		"\"subject\": \"/\", \"assert\": \"f(1) > 0\"")), "rule TST001: assert: f() takes 2 arguments, got 1");
	expect_load_error(SET_LETS("\"f(x)\": \"x\"", RULE_OBJ("1",
		"\"subject\": \"/\", \"assert\": \"g(1) > 0\"")),
			  "assert: unknown function 'g'; the set-wide functions here are: f(x)");
	expect_load_error(SET_LETS("\"f(x)\": \"x.bse > 0\"", RULE_OBJ("1",
		"\"for_each\": \"i in dt.pools\", \"assert\": \"f(i)\"")), "assert, in f(x): no fact 'x.bse'");
	expect_load_error(SET_LETS("\"f(x)\": \"i.index\"", ""), "let f(x): no fact 'i'");
	expect_load_error(SET_LETS("\"f(x, x)\": \"x\"", ""), "let \"f(x, x)\": a function is NAME(P, ...)");
	expect_load_error(SET_LETS("\"len(x)\": \"x\"", ""), "let \"len(x)\": a function is");
	expect_load_error(SET_LETS("\"f()\": \"1\"", ""), "let \"f()\": a function is");
	expect_load_error(SET_LETS("\"f(a,b,c,d,e)\": \"1\"", ""), "let \"f(a,b,c,d,e)\": a function is");
	expect_load_error(SET_LETS("\"f(x) y\": \"1\"", ""), "let \"f(x) y\": a function is");
}

/* Facts are checked once a source is loaded: a file of a directory may use a name a later one defines. */
static void test_set_let_dir(void **state)
{
	char dir[] = "/tmp/cda-rules-XXXXXX", path[256];
	struct cda_error err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "a.json", RULE("\"subject\": \"/\", \"assert\": \"later\""), 0);
	write_file(dir, "b.json", SET_LETS("\"later\": \"true\"", ""), 0);
	assert_int_equal(load_dir(dir, &err), 0);
	snprintf(path, sizeof(path), "%s/b.json", dir);
	assert_int_equal(remove(path), 0);
	assert_int_equal(load_dir(dir, &err), -CDA_E_RULE);
	snprintf(path, sizeof(path), "%s/a.json: rule TST001: assert: no fact 'later'", dir);
	if (strncmp(err.msg, path, strlen(path)))
		fail_msg("error '%s' is not '%s...'", err.msg, path);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	assert_int_equal(remove(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A let whose quantifier runs inside another quantifier leaves that one's variable alone. */
static void test_let_inside_quantifier(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
	struct cda_error err = { 0 };

	(void)state;
	assert_int_equal(cda_ruleset_load_text(rs, "t.json",
		RULE("\"for_each\": \"i in dt.pools\", \"let\": {\"has_b\": \"any(q in dt.pools: q.path == '/b')\"},"
		     "\"assert\": \"all(x in dt.pools: has_b && x.path != '')\""), &err), 0);
	assert_int_equal(cda_audit_run(au, rs, &err), 0);
	assert_int_equal(au->nfindings, 0);
	assert_int_equal(au->nindet, 0);
	assert_int_equal(au->checks_passed, 3);
	cda_audit_free(au);
	cda_ruleset_free(rs);
}

static void test_override_disable_and_inputs(void **state)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = audit_with_pools();
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
	au = audit_with_pools();
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
		cmocka_unit_test(test_rule_dir),
		cmocka_unit_test(test_builtin_rules_load),
		cmocka_unit_test(test_fact_paths_unknown),
		cmocka_unit_test(test_fact_paths_valid),
		cmocka_unit_test(test_fact_paths_quantifiers),
		cmocka_unit_test(test_fact_paths_open_objects),
		cmocka_unit_test(test_engine_outcomes),
		cmocka_unit_test(test_engine_where_and_errors),
		cmocka_unit_test(test_let),
		cmocka_unit_test(test_set_let),
		cmocka_unit_test(test_set_function),
		cmocka_unit_test(test_set_let_dir),
		cmocka_unit_test(test_let_inside_quantifier),
		cmocka_unit_test(test_override_disable_and_inputs),
		cmocka_unit_test(test_facts_json),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
