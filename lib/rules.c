// SPDX-License-Identifier: MIT
/*
 * Rule files: {"let": {NAME: EXPR, ...}, "rules": [ {rule}, ... ]}, the
 * set-wide names ("let") optional, beside "probes" (rule_probes.c); see
 * man/cca-dma-audit-rules.5.scd.in.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "builtin_rules.h"
#include "rule_facts.h"
#include "rules.h"
#include "util.h"

#define RULE_FILE_MAX (4u << 20)

/*
 * A rule set plus what only loading needs: the facts schema every rule is
 * checked against, parsed once per rule set when the first rule is loaded.
 * Kept here, not in struct cda_ruleset, because evaluation never needs it.
 */
struct ruleset_state {
	struct cda_ruleset rs; /* first, so a struct cda_ruleset * points to the whole */
	struct cda_fact_schema *facts;
};

struct loader {
	struct cda_ruleset *rs;
	const char *origin;
	const char *id; /* rule being loaded, for messages */
	struct cda_error *err;
};

static int bad(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct loader *ld, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ld->id)
		return cda_fail(ld->err, CDA_E_RULE, "%s: rule %s: %s", ld->origin, ld->id, what);
	return cda_fail(ld->err, CDA_E_RULE, "%s: %s", ld->origin, what);
}

static const char *const rule_keys[] = {
	"id", "name", "severity", "summary", "why", "inputs", "refs", "for_each", "where",
	"assert", "message", "fix", "subject", "property", "evidence", "params", "enabled", "let",
	"suppressible", /* false: --suppressions cannot hide its findings (suppress.c) */
	"origin", /* written by `rules --format json`, ignored: a rule's origin is where it is loaded from */
	NULL,
};

static int get_string(struct loader *ld, json_object *o, const char *key, bool required,
		      const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return bad(ld, "missing \"%s\"", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(ld, "\"%s\" must be a string", key);
	*out = cda_arena_strdup(ld->rs->arena, json_object_get_string(v));
	return *out ? 0 : cda_oom(ld->err, NULL);
}

/* An optional true/false; true when absent ("enabled", "suppressible"). */
static int get_bool(struct loader *ld, json_object *o, const char *key, bool *out)
{
	json_object *v;

	*out = true;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return bad(ld, "\"%s\" must be true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_string_list(struct loader *ld, json_object *o, const char *key,
			   const char ***out, size_t *n)
{
	json_object *v;
	size_t len;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(ld, "\"%s\" must be a list of strings", key);
	len = json_object_array_length(v);
	*out = cda_arena_alloc(ld->rs->arena, (len + 1) * sizeof(char *));
	if (!*out)
		return cda_oom(ld->err, NULL);
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string))
			return bad(ld, "\"%s\" must be a list of strings", key);
		(*out)[i] = cda_arena_strdup(ld->rs->arena, json_object_get_string(e));
	}
	*n = len;
	return 0;
}

static int compile_expr(struct loader *ld, const char *what, const char *src, struct cda_expr **e)
{
	char msg[300];

	*e = NULL;
	if (!src)
		return 0;
	if (cda_expr_parse(ld->rs->arena, src, e, msg, sizeof(msg)))
		return bad(ld, "%s: %s", what, msg);
	return 0;
}

static int compile_template(struct loader *ld, const char *what, const char *src,
			    struct cda_template **t)
{
	char msg[300];

	*t = NULL;
	if (!src)
		return 0;
	if (cda_template_parse(ld->rs->arena, src, t, msg, sizeof(msg)))
		return bad(ld, "%s: %s", what, msg);
	return 0;
}

static bool valid_id(const char *s)
{
	size_t letters = 0, digits = 0;

	while (isupper((unsigned char)s[letters]))
		letters++;
	while (isdigit((unsigned char)s[letters + digits]))
		digits++;
	return letters >= 2 && letters <= 8 && digits == 3 && !s[letters + digits];
}

static bool valid_slug(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* Rule params: an object of integers and strings, visible to expressions as params.NAME. */
static int load_params(struct loader *ld, json_object *o, struct cda_rule *r)
{
	struct cda_fb fb = { .a = ld->rs->arena };
	json_object *p;

	if (!json_object_object_get_ex(o, "params", &p))
		return 0;
	if (!json_object_is_type(p, json_type_object))
		return bad(ld, "\"params\" must be an object");
	r->params = cda_fb_new_obj(&fb);
	json_object_object_foreach(p, key, val) {
		if (json_object_is_type(val, json_type_int) && json_object_get_int64(val) >= 0)
			cda_fb_u64(&fb, r->params, key, (uint64_t)json_object_get_int64(val));
		else if (json_object_is_type(val, json_type_string))
			cda_fb_str(&fb, r->params, key, json_object_get_string(val));
		else
			return bad(ld, "param \"%s\" must be a non-negative integer or a string", key);
	}
	return cda_fb_done(&fb, ld->err);
}

/* An object of NAME: EXPR ("evidence", "let"), compiled in file order; absent is none. */
static int load_named(struct loader *ld, json_object *o, const char *key,
		      struct cda_named_expr **out, size_t *n)
{
	json_object *obj;
	size_t i = 0;
	int ret;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &obj))
		return 0;
	if (!json_object_is_type(obj, json_type_object))
		return bad(ld, "\"%s\" must be an object of NAME: EXPR", key);
	*out = cda_arena_alloc(ld->rs->arena,
			       (size_t)json_object_object_length(obj) * sizeof(**out));
	if (!*out && json_object_object_length(obj))
		return cda_oom(ld->err, NULL);
	json_object_object_foreach(obj, name, val) {
		struct cda_named_expr *d = &(*out)[i++];

		if (!json_object_is_type(val, json_type_string))
			return bad(ld, "%s \"%s\" must be an expression string", key, name);
		d->name = cda_arena_strdup(ld->rs->arena, name);
		d->src = cda_arena_strdup(ld->rs->arena, json_object_get_string(val));
		if (!d->name || !d->src)
			return cda_oom(ld->err, NULL);
		if ((ret = compile_expr(ld, key, d->src, &d->expr)))
			return ret;
	}
	*n = i;
	return 0;
}

/* A let's name: an identifier of lower-case letters, digits and '_'. */
static bool valid_let_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z') && *s != '_')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/*
 * "let": {"NAME": "EXPR", ...}, a guard or value the rule's expressions
 * would otherwise repeat. Names are checked here against the rule's own
 * names; that a let hides no fact, and refers only to the lets before it,
 * is checked with the facts schema (rule_facts.c).
 */
static int load_lets(struct loader *ld, json_object *o, struct cda_rule *r)
{
	int ret = load_named(ld, o, "let", &r->lets, &r->nlets);

	for (size_t i = 0; !ret && i < r->nlets; i++) {
		const char *key = r->lets[i].name;

		if (!valid_let_name(key))
			return bad(ld, "let \"%s\": a name is lower-case letters, digits and '_'", key);
		if (!strcmp(key, "params") || (r->for_var && !strcmp(key, r->for_var)))
			return bad(ld, "let \"%s\" would hide the rule's %s", key,
				   strcmp(key, "params") ? "for_each variable" : "params");
	}
	return ret;
}

static int check_rule_keys(struct loader *ld, json_object *o)
{
	json_object_object_foreach(o, key, val) {
		bool known = false;

		(void)val;
		for (const char *const *k = rule_keys; *k && !known; k++)
			known = !strcmp(*k, key);
		if (!known)
			return bad(ld, "unknown key \"%s\"", key);
	}
	return 0;
}

/* The rule's text members, before anything is compiled; subject and property are templates. */
static int load_rule_strings(struct loader *ld, json_object *o, struct cda_rule *r,
			     const char **sev, const char **subject, const char **property)
{
	int ret;

	if ((ret = get_string(ld, o, "name", true, &r->name)) ||
	    (ret = get_string(ld, o, "severity", true, sev)) ||
	    (ret = get_string(ld, o, "summary", true, &r->summary)) ||
	    (ret = get_string(ld, o, "why", true, &r->why)) ||
	    (ret = get_string(ld, o, "for_each", false, &r->for_each_src)) ||
	    (ret = get_string(ld, o, "where", false, &r->where_src)) ||
	    (ret = get_string(ld, o, "assert", true, &r->assert_src)) ||
	    (ret = get_string(ld, o, "message", true, &r->message_src)) ||
	    (ret = get_string(ld, o, "fix", false, &r->fix_src)) ||
	    (ret = get_string(ld, o, "subject", false, subject)) ||
	    (ret = get_string(ld, o, "property", false, property)) ||
	    (ret = get_string_list(ld, o, "inputs", &r->inputs, &r->ninputs)) ||
	    (ret = get_string_list(ld, o, "refs", &r->refs, &r->nrefs)))
		return ret;
	if (!valid_slug(r->name))
		return bad(ld, "name \"%s\" must be lower-case letters, digits and '-'", r->name);
	ret = cda_severity_parse(*sev);
	if (ret < 0 || ret == CDA_SEV_NEVER)
		return bad(ld, "severity \"%s\" is not error, warning or note", *sev);
	r->severity = (enum cda_severity)ret;
	if (!r->ninputs)
		return bad(ld, "\"inputs\" must name at least one input (e.g. [\"dt\"])");
	return 0;
}

/* for_each's binding; a rule with one names each element by its variable unless it says otherwise. */
static int load_binding(struct loader *ld, struct cda_rule *r, const char **subject)
{
	char msg[300];

	if (!r->for_each_src)
		return *subject ? 0 : bad(ld, "a rule without for_each needs a \"subject\"");
	if (cda_binding_parse(ld->rs->arena, r->for_each_src, &r->for_var, &r->for_list, msg,
			      sizeof(msg)))
		return bad(ld, "for_each: %s", msg);
	if (!*subject)
		*subject = cda_arena_printf(ld->rs->arena, "{%s}", r->for_var);
	return 0;
}

static int load_rule(struct loader *ld, json_object *o, struct cda_rule **out)
{
	struct cda_rule *r = cda_arena_alloc(ld->rs->arena, sizeof(*r));
	const char *sev, *subject, *property;
	int ret;

	if (!r)
		return cda_oom(ld->err, NULL);
	if (!json_object_is_type(o, json_type_object))
		return bad(ld, "each rule must be an object");
	if ((ret = get_string(ld, o, "id", true, &r->id)))
		return ret;
	ld->id = r->id;
	if (!valid_id(r->id))
		return bad(ld, "id must be 2-8 capital letters and 3 digits, e.g. GRAN001");
	if ((ret = check_rule_keys(ld, o)) ||
	    (ret = load_rule_strings(ld, o, r, &sev, &subject, &property)) ||
	    (ret = load_binding(ld, r, &subject)) || (ret = load_lets(ld, o, r)) ||
	    (ret = compile_expr(ld, "where", r->where_src, &r->where)) ||
	    (ret = compile_expr(ld, "assert", r->assert_src, &r->assert_)) ||
	    (ret = compile_template(ld, "message", r->message_src, &r->message)) ||
	    (ret = compile_template(ld, "fix", r->fix_src, &r->fix)) ||
	    (ret = compile_template(ld, "subject", subject, &r->subject)) ||
	    (ret = compile_template(ld, "property", property, &r->property)) ||
	    (ret = load_named(ld, o, "evidence", &r->evidence, &r->nevidence)) ||
	    (ret = load_params(ld, o, r)))
		return ret;
	if ((ret = get_bool(ld, o, "enabled", &r->enabled)) ||
	    (ret = get_bool(ld, o, "suppressible", &r->suppressible)))
		return ret;
	r->origin = cda_arena_strdup(ld->rs->arena, ld->origin);
	r->json = cda_arena_strdup(ld->rs->arena, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	if (!r->origin || !r->json)
		return cda_oom(ld->err, NULL);
	*out = r;
	return 0;
}

/*
 * Add a set-wide name, or replace the one of the same name in place (as
 * add_rule() does for ids), so the rules already loaded see the new meaning.
 */
static int add_set_let(struct loader *ld, const struct cda_named_expr *l)
{
	struct cda_ruleset *rs = ld->rs;

	for (size_t i = 0; i < rs->nlets; i++) {
		if (!strcmp(rs->lets[i].fn ? rs->lets[i].fn : rs->lets[i].name,
			    l->fn ? l->fn : l->name)) {
			rs->lets[i] = *l;
			return 0;
		}
	}
	if (rs->nlets == rs->lets_cap) {
		size_t cap = rs->lets_cap ? rs->lets_cap * 2 : 16;
		struct cda_named_expr *nl = realloc(rs->lets, cap * sizeof(*nl));

		if (!nl)
			return cda_oom(ld->err, NULL);
		rs->lets = nl;
		rs->lets_cap = cap;
	}
	rs->lets[rs->nlets++] = *l;
	return 0;
}

/* The next NAME of a signature, ended by one of `ends`, into the arena; NULL if none. */
static const char *sig_word(struct loader *ld, const char **p, const char *ends)
{
	const char *s = *p + strspn(*p, " "), *e = s + strcspn(s, " ,()");
	char *w = cda_arena_strndup(ld->rs->arena, s, (size_t)(e - s));

	e += strspn(e, " ");
	if (!w || !*e || !strchr(ends, *e) || !valid_let_name(w) || !strcmp(w, "params"))
		return NULL;
	*p = e + 1;
	return w;
}

/*
 * A set-wide function's key, "NAME(P, ...)": NAME, not a built-in, and one
 * to CDA_EXPR_MAX_PARAMS distinct parameter names, parsed once here (a
 * function of nothing is a plain name). A plain name is left as it is.
 */
static int parse_signature(struct loader *ld, struct cda_named_expr *l)
{
	const char *p = l->name;

	if (!strchr(p, '('))
		return 0;
	if (!(l->fn = sig_word(ld, &p, "(")) || cda_expr_is_builtin(l->fn))
		goto bad_sig;
	do {
		if (l->nparams == CDA_EXPR_MAX_PARAMS || !(l->params[l->nparams] = sig_word(ld, &p, ",)")))
			goto bad_sig;
		for (size_t k = 0; k < l->nparams; k++)
			if (!strcmp(l->params[k], l->params[l->nparams]))
				goto bad_sig;
		l->nparams++;
	} while (p[-1] == ',');
	if (!p[strspn(p, " ")])
		return 0;
bad_sig:
	return bad(ld, "let \"%s\": a function is NAME(P, ...), 1 to %d distinct parameters, "
		   "each lower-case letters, digits and '_', the NAME not a built-in function",
		   l->name, CDA_EXPR_MAX_PARAMS);
}

/* A rule file's top-level "let": names every rule of the set may use (rules.h). */
static int load_set_lets(struct loader *ld, json_object *root)
{
	struct cda_named_expr *lets = NULL;
	size_t n;
	int ret = load_named(ld, root, "let", &lets, &n);

	for (size_t i = 0; !ret && i < n; i++) {
		if ((ret = parse_signature(ld, &lets[i])))
			return ret;
		if (!lets[i].fn && (!valid_let_name(lets[i].name) || !strcmp(lets[i].name, "params")))
			return bad(ld, "let \"%s\": a name is lower-case letters, digits and '_', not params",
				   lets[i].name);
		lets[i].origin = cda_arena_strdup(ld->rs->arena, ld->origin);
		if (!lets[i].origin)
			return cda_oom(ld->err, NULL);
		ret = add_set_let(ld, &lets[i]);
	}
	return ret;
}

/* Note in r which set-wide names it uses (used: the checker's flags), for `rules ID`. */
static int note_uses(struct cda_ruleset *rs, struct cda_rule *r, const bool *used,
		     struct cda_error *err)
{
	struct cda_named_expr *uses;
	size_t n = 0;

	for (size_t i = 0; i < rs->nlets; i++)
		n += used[i];
	r->nuses = 0;
	if (!n)
		return 0;
	if (!(uses = cda_arena_alloc(rs->arena, n * sizeof(*uses))))
		return cda_oom(err, NULL);
	for (size_t i = 0; i < rs->nlets; i++)
		if (used[i])
			uses[r->nuses++] = rs->lets[i];
	r->uses = uses;
	return 0;
}

/*
 * Every fact the set-wide names and the rules name must exist (rule_facts.h):
 * a typo is a rule-file error, not a silent skip. Run when a source is loaded,
 * over the whole set: a later file may have redefined a name rules use.
 */
static int check_set(struct cda_ruleset *rs, struct cda_error *err)
{
	struct ruleset_state *st = (struct ruleset_state *)rs;
	bool *used;
	char msg[512];
	int ret = 0;

	if (!st->facts && (ret = cda_fact_schema_load(&st->facts, err)))
		return ret;
	cda_fact_schema_use_probes(st->facts, rs); /* a --rules file may add probes */
	for (size_t i = 0; i < rs->nlets; i++)
		if (cda_set_let_check_facts(st->facts, rs->lets, rs->nlets, i, msg, sizeof(msg)))
			return cda_fail(err, CDA_E_RULE, "%s: %s", rs->lets[i].origin, msg);
	if (!(used = malloc(rs->nlets + 1)))
		return cda_oom(err, NULL);
	for (size_t i = 0; i < rs->n && !ret; i++) {
		struct cda_rule *r = rs->rules[i];

		memset(used, 0, rs->nlets);
		if (cda_rule_check_facts(st->facts, rs->lets, rs->nlets, r, used, msg, sizeof(msg)))
			ret = cda_fail(err, CDA_E_RULE, "%s: rule %s: %s", r->origin, r->id, msg);
		else
			ret = note_uses(rs, r, used, err);
	}
	free(used);
	return ret;
}

/* Add, or replace a rule with the same id (how --rules overrides built-in rules). */
static int add_rule(struct loader *ld, struct cda_rule *r, size_t first_of_file)
{
	struct cda_ruleset *rs = ld->rs;

	for (size_t i = 0; i < rs->n; i++) {
		bool same_id = !strcmp(rs->rules[i]->id, r->id);

		if (i >= first_of_file && (same_id || !strcmp(rs->rules[i]->name, r->name)))
			return bad(ld, "duplicate rule id or name in one file");
		if (same_id) {
			rs->rules[i] = r;
			return 0;
		}
		if (!strcmp(rs->rules[i]->name, r->name))
			return bad(ld, "name \"%s\" is already used by rule %s", r->name, rs->rules[i]->id);
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct cda_rule **nr = realloc(rs->rules, cap * sizeof(*nr));

		if (!nr)
			return cda_oom(ld->err, NULL);
		rs->rules = nr;
		rs->cap = cap;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

/* One rule file, facts not checked yet (check_set()). */
static int load_text(struct cda_ruleset *rs, const char *origin, const char *text,
		     struct cda_error *err)
{
	struct loader ld = { .rs = rs, .origin = origin, .err = err };
	struct json_tokener *tok = json_tokener_new();
	json_object *root = NULL, *list;
	size_t first = rs->n;
	int ret = 0;

	if (!tok)
		return cda_oom(err, NULL);
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	/* The parser stops after one value: text after it (a second object) would be dropped. */
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    text[tok->char_offset + strspn(text + tok->char_offset, " \t\r\n")]) {
		size_t off = tok->char_offset, line = 1;

		off += root ? strspn(text + off, " \t\r\n") : 0;
		for (size_t i = 0; i < off && text[i]; i++)
			line += text[i] == '\n';
		ret = cda_fail(err, CDA_E_RULE, "%s:%zu: invalid JSON: %s", origin, line,
			       root ? "text after the end of the object"
			       : json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	/* "probes" alone (rules/probes.json) is a rule file too; a file's probes load before its rules */
	if (!json_object_is_type(root, json_type_object) ||
	    (!json_object_object_get_ex(root, "rules", &list) &&
	     !json_object_object_get_ex(root, "probes", NULL)) ||
	    (list && !json_object_is_type(list, json_type_array))) {
		ret = bad(&ld, "expected an object {\"rules\": [...]}");
		goto out;
	}
	if ((ret = cda_ruleset_load_probes(rs, origin, root, err)) || (ret = load_set_lets(&ld, root)))
		goto out;
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct cda_rule *r = NULL;

		ld.id = NULL;
		if ((ret = load_rule(&ld, json_object_array_get_idx(list, i), &r)) ||
		    (ret = add_rule(&ld, r, first)))
			goto out;
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

int cda_ruleset_load_text(struct cda_ruleset *rs, const char *origin, const char *text,
			  struct cda_error *err)
{
	int ret = load_text(rs, origin, text, err);

	return ret ? ret : check_set(rs, err);
}

/* Load the text read from path, and free it. */
static int load_read(struct cda_ruleset *rs, const char *path, char *text, size_t len,
		     struct cda_error *err)
{
	int ret;

	if (strlen(text) != len)
		ret = cda_fail(err, CDA_E_RULE, "%s: contains a NUL byte", path);
	else
		ret = load_text(rs, path, text, err);
	free(text);
	return ret;
}

/* A rule file named on the command line: it may be a pipe (--rules <(...)). */
static int load_file(struct cda_ruleset *rs, const char *path, struct cda_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret = cda_read_file(path, RULE_FILE_MAX, &text, &len, err);

	return ret ? ret : load_read(rs, path, text, len, err);
}

/*
 * NAME.json in a rule directory: a regular file, or a symbolic link to one (a
 * rule directory is the user's own configuration, like a conf.d). A FIFO,
 * socket, device or directory is refused, not opened: it would hang the run.
 */
static int load_entry(struct cda_ruleset *rs, int dirfd, const char *name, const char *path,
		      struct cda_error *err)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	const char *why;
	int fd = cda_open_regular(dirfd, name, true, &st, &why), ret;

	if (fd < 0)
		return cda_fail(err, CDA_E_RULE, "%s: %s", path, why);
	ret = cda_read_fd(fd, path, RULE_FILE_MAX, &text, &len, err);
	return ret ? ret : load_read(rs, path, text, len, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rule files in a directory: NAME.json, not hidden, not in subdirectories. */
static int load_dir(struct cda_ruleset *rs, const char *path, struct cda_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!d) {
		ret = cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	for (;;) {
		struct dirent *de;
		size_t l;

		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				ret = cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
			break;
		}
		l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn) {
				ret = cda_oom(err, NULL);
				goto out;
			}
			names = nn;
		}
		if (!(names[n++] = strdup(de->d_name))) {
			ret = cda_oom(err, NULL);
			goto out;
		}
	}
	if (!ret && !n)
		ret = cda_fail(err, CDA_E_RULE, "%s: no *.json rule files in directory", path);
	/* Name order, so overrides between files are deterministic. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++) {
		char *full = malloc(strlen(path) + strlen(names[i]) + 2);

		if (!full) {
			ret = cda_oom(err, NULL);
			break;
		}
		sprintf(full, "%s/%s", path, names[i]);
		ret = load_entry(rs, dirfd(d), names[i], full, err);
		free(full);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int cda_ruleset_load_path(struct cda_ruleset *rs, const char *path, struct cda_error *err)
{
	struct stat st;

	int ret;

	if (stat(path, &st))
		return cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
	ret = S_ISDIR(st.st_mode) ? load_dir(rs, path, err) : load_file(rs, path, err);
	return ret ? ret : check_set(rs, err);
}

int cda_ruleset_load_builtin(struct cda_ruleset *rs, struct cda_error *err)
{
	int ret = cda_ruleset_load_builtin_probes(rs, err);

	for (size_t i = 0; !ret && cda_builtin_rules[i].name; i++)
		ret = load_text(rs, cda_builtin_rules[i].name,
				(const char *)cda_builtin_rules[i].text, err);
	return ret ? ret : check_set(rs, err);
}

struct cda_ruleset *cda_ruleset_new(void)
{
	struct ruleset_state *st = calloc(1, sizeof(*st));

	if (st && !(st->rs.arena = cda_arena_new())) {
		free(st);
		return NULL;
	}
	return st ? &st->rs : NULL;
}

void cda_ruleset_free(struct cda_ruleset *rs)
{
	if (!rs)
		return;
	cda_fact_schema_free(((struct ruleset_state *)rs)->facts);
	cda_arena_free(rs->arena);
	free(rs->rules);
	free(rs->lets);
	free(rs);
}

const struct cda_rule *cda_ruleset_find(const struct cda_ruleset *rs, const char *id_or_name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i]->id, id_or_name) || !strcmp(rs->rules[i]->name, id_or_name))
			return rs->rules[i];
	return NULL;
}

int cda_ruleset_set_enabled(struct cda_ruleset *rs, const char *id_or_name, bool on,
			    struct cda_error *err)
{
	struct cda_rule *r = (struct cda_rule *)cda_ruleset_find(rs, id_or_name);

	if (!r)
		return cda_fail(err, CDA_E_USAGE, "unknown rule '%s' (see 'cca-dma-audit rules')",
				id_or_name);
	r->enabled = on;
	return 0;
}

/* Record a change in rs->overrides, replacing one of the same rule and kind. */
static int note_override(struct cda_ruleset *rs, const struct cda_rule *r, bool is_severity,
			 int value, const char *from, struct cda_error *err)
{
	struct cda_rule_override *o = NULL;

	for (size_t i = 0; i < rs->noverrides && !o; i++)
		if (!strcmp(rs->overrides[i].rule_id, r->id) && rs->overrides[i].is_severity == is_severity)
			o = &rs->overrides[i];
	if (!o) {
		o = cda_arena_grow(rs->arena, rs->overrides, rs->noverrides, &rs->overrides_cap,
				   sizeof(*o));
		if (!o)
			return cda_oom(err, NULL);
		rs->overrides = o;
		o = &rs->overrides[rs->noverrides++];
	}
	*o = (struct cda_rule_override){ .rule_id = r->id, .is_severity = is_severity,
					 .value = value, .from = cda_arena_strdup(rs->arena, from) };
	return o->from ? 0 : cda_oom(err, NULL);
}

int cda_ruleset_override(struct cda_ruleset *rs, const char *id_or_name, int severity, int enabled,
			 const char *from, struct cda_error *err)
{
	struct cda_rule *r = (struct cda_rule *)cda_ruleset_find(rs, id_or_name);
	int ret = 0;

	if (!r)
		return cda_fail(err, CDA_E_USAGE, "unknown rule '%s' (see 'cca-dma-audit rules')",
				id_or_name);
	if (severity >= 0) {
		if (severity >= CDA_SEV_NEVER)
			return cda_fail(err, CDA_E_USAGE, "%s: a rule's severity is error, warning or note",
					r->id);
		r->severity = (enum cda_severity)severity;
		ret = note_override(rs, r, true, severity, from, err);
	}
	if (!ret && enabled >= 0) {
		r->enabled = enabled;
		ret = note_override(rs, r, false, enabled, from, err);
	}
	return ret;
}

static const char *const sev_names[] = {
	[CDA_SEV_NOTE] = "note", [CDA_SEV_WARNING] = "warning",
	[CDA_SEV_ERROR] = "error", [CDA_SEV_NEVER] = "never",
};

const char *cda_severity_name(enum cda_severity s)
{
	return s >= CDA_SEV_NOTE && s <= CDA_SEV_NEVER ? sev_names[s] : "?";
}

int cda_severity_parse(const char *s)
{
	for (int i = CDA_SEV_NOTE; i <= CDA_SEV_NEVER; i++)
		if (!strcmp(s, sev_names[i]))
			return i;
	return -1;
}
