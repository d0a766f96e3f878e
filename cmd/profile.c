// SPDX-License-Identifier: MIT
/*
 * The profile file: reading it and turning each key into its option, so a
 * profile can set nothing the command line could not, and every value is
 * checked by the same setter. Relative paths in it are taken from the
 * profile's directory, so a profile and its suppressions travel together.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "profile.h"
#include "util.h"

#define PROFILE_MAX (1u << 20) /* a profile is a page of settings, not data */

/* What a key's value must be. */
enum shape {
	SCALAR, /* a string, or an integer given as its decimal */
	FLAG,   /* a boolean: true gives the option, false leaves it out */
	LIST,   /* an array of strings, the option given once for each */
	LEVELS, /* an object {"ID": "LEVEL"}, --severity ID=LEVEL for each */
	PATH,   /* a string, a path relative to the profile's directory */
	PATHS,  /* such a path, or an array of them (a repeatable option) */
};

static const struct key {
	const char *key, *option;
	enum shape shape;
} keys[] = {
	{ "host_granule", "host-granule", SCALAR },
	{ "platform", "platform", SCALAR },
	{ "ipa_bits", "ipa-bits", SCALAR },
	{ "fail_on", "fail-on", SCALAR },
	{ "fail_on_indeterminate", "fail-on-indeterminate", FLAG },
	{ "rules", "rules", PATHS },
	{ "enable", "enable", LIST },
	{ "disable", "disable", LIST },
	{ "severity", "severity", LEVELS },
	{ "suppressions", "suppressions", PATHS },
	{ "baseline", "baseline", PATH },
};

/* The state of one profile_apply: where to write, and what to say on error. */
struct ctx {
	struct profile *p;
	const struct cli *cli;
	struct options *o;
	const char *path, *key;
	char *msg;
	size_t msglen;
};

static int refuse(struct ctx *c, const char *reason)
{
	if (c->key)
		snprintf(c->msg, c->msglen, "%s: key %s: %s", c->path, c->key, reason);
	else
		snprintf(c->msg, c->msglen, "%s: %s", c->path, reason);
	return EXIT_USAGE;
}

static int give(struct ctx *c, const char *option, const char *arg)
{
	char why[400];
	int ret;

	if (!arg)
		return refuse(c, "out of memory");
	if ((ret = cli_apply(c->cli, c->o, option, arg, why, sizeof(why))) >= 0)
		return ret == EXIT_USAGE ? refuse(c, why) : ret;
	return -1;
}

/* v, a path relative to the profile's directory, as a path from here. */
static const char *rebase(struct ctx *c, const char *v)
{
	const char *slash = strrchr(c->path, '/');

	if (*v == '/' || !slash)
		return v;
	return cda_arena_printf(c->p->arena, "%.*s/%s", (int)(slash - c->path), c->path, v);
}

static int give_string(struct ctx *c, const struct key *k, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		return refuse(c, k->shape == SCALAR ? "want a string or an integer"
			      : k->shape == PATH || k->shape == PATHS ? "want a path (a string)"
			      : "want an array of strings");
	return give(c, k->option, k->shape >= PATH ? rebase(c, json_object_get_string(v))
						   : json_object_get_string(v));
}

static int give_each(struct ctx *c, const struct key *k, struct json_object *v)
{
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return refuse(c, k->shape == LIST ? "want an array of strings" : "want an array of paths");
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if ((ret = give_string(c, k, json_object_array_get_idx(v, i))) >= 0)
			return ret;
	return -1;
}

static int give_levels(struct ctx *c, const struct key *k, struct json_object *v)
{
	int ret;

	if (!json_object_is_type(v, json_type_object))
		return refuse(c, "want an object of rule id: level");
	json_object_object_foreach(v, id, level) {
		if (!json_object_is_type(level, json_type_string))
			return refuse(c, "want an object of rule id: level (a string)");
		ret = give(c, k->option, cda_arena_printf(c->p->arena, "%s=%s", id,
							    json_object_get_string(level)));
		if (ret >= 0)
			return ret;
	}
	return -1;
}

static int apply_key(struct ctx *c, const struct key *k, struct json_object *v)
{
	if (!cli_option(c->cli, k->option))
		return refuse(c, "not supported by this build");
	switch (k->shape) {
	case SCALAR:
		if (json_object_is_type(v, json_type_int))
			return give(c, k->option, cda_arena_printf(c->p->arena, "%lld",
								   (long long)json_object_get_int64(v)));
		/* fall through */
	case PATH:
		return give_string(c, k, v);
	case FLAG:
		if (!json_object_is_type(v, json_type_boolean))
			return refuse(c, "want true or false");
		return json_object_get_boolean(v) ? give(c, k->option, "") : -1;
	case PATHS:
		if (json_object_is_type(v, json_type_string))
			return give_string(c, k, v);
		/* fall through */
	case LIST:
		return give_each(c, k, v);
	default:
		return give_levels(c, k, v);
	}
}

static int apply_doc(struct ctx *c, struct json_object *doc)
{
	struct json_object *version;
	int ret;

	if (!json_object_is_type(doc, json_type_object))
		return refuse(c, "a profile is a JSON object, {\"profile\": 1, ...}");
	c->key = "profile";
	if (!json_object_object_get_ex(doc, "profile", &version) ||
	    !json_object_is_type(version, json_type_int) || json_object_get_int64(version) != 1)
		return refuse(c, "want 1, the profile format's version, as in {\"profile\": 1, ...}");
	json_object_object_foreach(doc, name, v) {
		const struct key *k = NULL;

		c->key = name;
		for (size_t i = 0; !k && i < sizeof(keys) / sizeof(keys[0]); i++)
			k = strcmp(keys[i].key, name) ? NULL : &keys[i];
		if (!k && strcmp(name, "profile"))
			return refuse(c, "not a profile key (see cca-dma-audit(1), PROFILE)");
		if (k && (ret = apply_key(c, k, v)) >= 0)
			return ret;
	}
	return -1;
}

int profile_apply(struct profile *p, const struct cli *cli, struct options *o, const char *path,
		  char *msg, size_t msglen)
{
	struct ctx c = { p, cli, o, path, NULL, msg, msglen };
	struct cda_error err = { 0 };
	enum json_tokener_error jerr;
	char *text = NULL;
	size_t len;

	if (cda_read_file(path, PROFILE_MAX, &text, &len, &err)) {
		snprintf(msg, msglen, "%s", err.msg);
		return EXIT_USAGE;
	}
	p->arena = cda_arena_new();
	p->doc = json_tokener_parse_verbose(text, &jerr);
	free(text);
	if (!p->arena) {
		snprintf(msg, msglen, "%s: out of memory", path);
		return EXIT_USAGE;
	}
	if (!p->doc) {
		snprintf(msg, msglen, "%s: not JSON: %s", path, json_tokener_error_desc(jerr));
		return EXIT_USAGE;
	}
	return apply_doc(&c, p->doc);
}

void profile_free(struct profile *p)
{
	json_object_put(p->doc);
	cda_arena_free(p->arena);
	*p = (struct profile){ 0 };
}
