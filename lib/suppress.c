// SPDX-License-Identifier: MIT
/*
 * Suppressions and the baseline (suppress.h): loading the two files, which
 * are configuration (a bad one is a usage error, exit 3, naming the file and
 * the entry), and marking an audit's findings with them. The report (report.c)
 * shows what was marked and the notes: entries expired, stale or refused.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "rules.h"
#include "suppress.h"

/* Configuration files are small; a larger one is a mistake, not a list. */
#define MAX_CONFIG_FILE (64u << 20)

static const char *const entry_keys[] = {
	"rule", "subject", "fingerprint", "reason", "expires", NULL,
};

bool cda_date_valid(const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

struct cda_suppress *cda_suppress_new(const char *today)
{
	struct cda_suppress *s;
	time_t now = time(NULL);
	struct tm tm;

	if (today && !cda_date_valid(today))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->arena = cda_arena_new())) {
		free(s);
		return NULL;
	}
	if (today)
		memcpy(s->today, today, sizeof(s->today));
	else if (!gmtime_r(&now, &tm) || !strftime(s->today, sizeof(s->today), "%Y-%m-%d", &tm))
		memcpy(s->today, "1970-01-01", sizeof(s->today));
	return s;
}

void cda_suppress_free(struct cda_suppress *s)
{
	if (!s)
		return;
	cda_arena_free(s->arena);
	free(s);
}

/* The file parsed as JSON; a file that cannot be read or parsed is a usage error. */
static int read_json(const char *path, json_object **out, struct cda_error *err)
{
	enum json_tokener_error jerr;
	char *text;
	size_t len;
	int ret = cda_read_file(path, MAX_CONFIG_FILE, &text, &len, err);

	if (ret == -CDA_E_NOMEM)
		return ret;
	if (ret) { /* the reader's message, as a configuration error */
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		return cda_fail(err, CDA_E_USAGE, "%s", why);
	}
	*out = json_tokener_parse_verbose(text, &jerr);
	free(text);
	if (!*out)
		return cda_fail(err, CDA_E_USAGE, "%s: not JSON: %s", path,
				json_tokener_error_desc(jerr));
	return 0;
}

/* An optional string key of an entry, into the arena; -1 when it is not a string. */
static int entry_str(struct cda_suppress *s, json_object *e, const char *key, const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(e, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = cda_arena_strdup(s->arena, json_object_get_string(v));
	return *out ? 0 : -2;
}

/* What is wrong with entry e, or NULL; fills x. */
static const char *entry_parse(struct cda_suppress *s, json_object *e, struct cda_suppression *x)
{
	if (!json_object_is_type(e, json_type_object))
		return "not an object";
	json_object_object_foreach(e, key, val) {
		bool known = false;

		(void)val;
		for (const char *const *k = entry_keys; *k && !known; k++)
			known = !strcmp(*k, key);
		if (!known)
			return "unknown key (rule, subject, fingerprint, reason, expires)";
	}
	for (size_t i = 0; entry_keys[i]; i++) {
		const char **f[] = { &x->rule, &x->subject, &x->fingerprint, &x->reason, &x->expires };
		int r = entry_str(s, e, entry_keys[i], f[i]);

		if (r)
			return r == -2 ? "out of memory" : "a value is not a string";
	}
	if (!x->reason || !x->reason[0])
		return "missing \"reason\" (say why it is accepted)";
	if (!x->rule && !x->fingerprint)
		return "give \"rule\" (with an optional \"subject\" glob) or \"fingerprint\"";
	if (x->expires && !cda_date_valid(x->expires))
		return "\"expires\" is not a date YYYY-MM-DD";
	x->expired = x->expires && strcmp(x->expires, s->today) < 0;
	return NULL;
}

static int add_entry(struct cda_suppress *s, const char *path, size_t i, json_object *e,
		     struct cda_error *err)
{
	struct cda_suppression x = { 0 };
	const char *why = entry_parse(s, e, &x);
	struct cda_suppression *arr;

	if (why)
		return cda_fail(err, CDA_E_USAGE, "%s: entry %zu: %s", path, i + 1, why);
	x.from = cda_arena_printf(s->arena, "%s: entry %zu", path, i + 1);
	arr = cda_arena_grow(s->arena, s->s, s->n, &s->cap, sizeof(*s->s));
	if (!x.from || !arr)
		return cda_oom(err, NULL);
	s->s = arr;
	s->s[s->n++] = x;
	return 0;
}

static int add_file(struct cda_suppress *s, const char *path, struct cda_error *err)
{
	const char **arr = cda_arena_grow(s->arena, s->files, s->nfiles, &s->capfiles,
					  sizeof(*s->files));

	if (!arr || !(arr[s->nfiles] = cda_arena_strdup(s->arena, path)))
		return cda_oom(err, NULL);
	s->files = arr;
	s->nfiles++;
	return 0;
}

int cda_suppress_load(struct cda_suppress *s, const char *path, struct cda_error *err)
{
	json_object *root, *list;
	int ret = read_json(path, &root, err);

	if (ret)
		return ret;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "suppressions", &list) ||
	    !json_object_is_type(list, json_type_array))
		ret = cda_fail(err, CDA_E_USAGE, "%s: not a suppressions file "
			       "({\"suppressions\": [...]})", path);
	for (size_t i = 0; !ret && i < json_object_array_length(list); i++)
		ret = add_entry(s, path, i, json_object_array_get_idx(list, i), err);
	if (!ret)
		ret = add_file(s, path, err);
	json_object_put(root);
	return ret;
}

static int add_fingerprint(struct cda_suppress *s, json_object *f)
{
	json_object *fp;
	const char **arr;
	bool *seen;
	size_t cap = s->capbase;

	if (!json_object_object_get_ex(f, "fingerprint", &fp) ||
	    !json_object_is_type(fp, json_type_string))
		return -CDA_E_USAGE;
	arr = cda_arena_grow(s->arena, s->base_fp, s->nbase, &cap, sizeof(*arr));
	seen = cda_arena_grow(s->arena, s->base_seen, s->nbase, &s->capbase, sizeof(*seen));
	if (!arr || !seen || !(arr[s->nbase] = cda_arena_strdup(s->arena, json_object_get_string(fp))))
		return -CDA_E_NOMEM;
	s->base_fp = arr;
	s->base_seen = seen;
	seen[s->nbase++] = false;
	return 0;
}

/* The fingerprints of a report's list key ("findings", "suppressed"); a missing one is empty. */
static int add_fingerprints(struct cda_suppress *s, json_object *root, const char *key,
			    bool required)
{
	json_object *list;
	int ret = 0;

	if (!json_object_object_get_ex(root, key, &list))
		return required ? -CDA_E_USAGE : 0;
	if (!json_object_is_type(list, json_type_array))
		return -CDA_E_USAGE;
	for (size_t i = 0; !ret && i < json_object_array_length(list); i++)
		ret = add_fingerprint(s, json_object_array_get_idx(list, i));
	return ret;
}

int cda_baseline_load(struct cda_suppress *s, const char *path, struct cda_error *err)
{
	json_object *root, *v;
	int ret = read_json(path, &root, err);

	if (ret)
		return ret;
	if (!json_object_object_get_ex(root, "schema_version", &v) || json_object_get_int(v) != 1 ||
	    !json_object_is_type(v, json_type_int))
		ret = -CDA_E_USAGE;
	if (!ret)
		ret = add_fingerprints(s, root, "findings", true);
	if (!ret)
		ret = add_fingerprints(s, root, "suppressed", false);
	if (!ret)
		s->baseline = cda_arena_strdup(s->arena, path);
	json_object_put(root);
	if (ret == -CDA_E_NOMEM || (!ret && !s->baseline))
		return cda_oom(err, NULL);
	if (ret)
		return cda_fail(err, CDA_E_USAGE, "%s: not a cca-dma-audit JSON report (schema_version "
				"1, \"findings\" with fingerprints)", path);
	return 0;
}

static bool entry_matches(const struct cda_suppression *x, const struct cda_finding *f)
{
	if (x->fingerprint && strcmp(x->fingerprint, f->fingerprint))
		return false;
	if (x->rule && strcmp(x->rule, f->rule->id) && strcmp(x->rule, f->rule->name))
		return false;
	return !x->subject || !fnmatch(x->subject, f->subject ? f->subject : "", 0);
}

/* The first unexpired entry matching f; a refusal is counted on the entry. */
static struct cda_suppression *suppression_of(struct cda_suppress *s, const struct cda_finding *f)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cda_suppression *x = &s->s[i];

		if (x->expired || !entry_matches(x, f))
			continue;
		if (f->rule->suppressible)
			return x;
		x->refused++;
	}
	return NULL;
}

static bool in_baseline(struct cda_suppress *s, const char *fp)
{
	bool found = false;

	for (size_t i = 0; i < s->nbase; i++)
		if (!strcmp(s->base_fp[i], fp))
			found = s->base_seen[i] = true; /* every copy: a fingerprint listed twice is one */
	return found;
}

int cda_audit_suppress(struct cda_audit *au, struct cda_suppress *s)
{
	for (size_t i = 0; i < au->nfindings; i++) {
		struct cda_finding *f = &au->findings[i];
		struct cda_suppression *x = suppression_of(s, f);

		if (x) {
			f->suppressed = x;
			x->matched++;
			s->suppressed++;
		}
		f->baselined = s->baseline && in_baseline(s, f->fingerprint);
		s->baselined += f->baselined && !x;
	}
	for (size_t i = 0; i < s->nbase; i++)
		s->fixed += !s->base_seen[i];
	au->suppress = s;
	return 0;
}
