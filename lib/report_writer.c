// SPDX-License-Identifier: MIT
/*
 * The report writer's primitives and its backends (report.h): text, laid out
 * by each primitive's format, and JSON, built with json-c from the keys so
 * escaping is never hand-rolled; SARIF (report_sarif.c) is the JSON tree
 * reshaped when it is finished. The primitives only route a call to the
 * backend that its mode names; what a report holds is report.c's business.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "text.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		    JSON_C_TO_STRING_NOSLASHESCAPE)
#define JSON_MAX_DEPTH 8

/* ---- the primitives: route by mode ---- */

static bool sees(const struct cda_rw *w, unsigned mode)
{
	return mode & (w->ops->keyed ? CDA_RW_KEYED : CDA_RW_TEXT);
}

void cda_rw_open_object(struct cda_rw *w, const char *key)
{
	if (w->ops->keyed)
		w->ops->open(w, key, false);
}

void cda_rw_open_array(struct cda_rw *w, const char *key)
{
	if (w->ops->keyed)
		w->ops->open(w, key, true);
}

void cda_rw_close(struct cda_rw *w)
{
	if (w->ops->keyed)
		w->ops->close(w);
}

void cda_rw_color_str(struct cda_rw *w, unsigned mode, enum cda_rw_color c, const char *key,
		      const char *fmt, const char *s)
{
	if (sees(w, mode) && s)
		w->ops->str(w, key, fmt, c, s);
}

void cda_rw_str(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, const char *s)
{
	cda_rw_color_str(w, mode, CDA_RW_PLAIN, key, fmt, s);
}

void cda_rw_u64(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t u)
{
	if (sees(w, mode))
		w->ops->u64(w, key, fmt, u, false);
}

void cda_rw_hex(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t u)
{
	if (sees(w, mode))
		w->ops->u64(w, key, fmt, u, true);
}

void cda_rw_count(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, uint64_t n,
		  const char *noun)
{
	char t[96];

	if (!sees(w, mode))
		return;
	if (w->ops->keyed) {
		w->ops->u64(w, key, fmt, n, false);
		return;
	}
	snprintf(t, sizeof(t), "%" PRIu64 " %s%s", n, noun, n == 1 ? "" : "s");
	w->ops->str(w, key, fmt, CDA_RW_PLAIN, t);
}

void cda_rw_bool(struct cda_rw *w, unsigned mode, const char *key, const char *fmt, bool b)
{
	if (sees(w, mode))
		w->ops->boolean(w, key, fmt, b);
}

void cda_rw_value(struct cda_rw *w, unsigned mode, const char *key, const char *fmt,
		  const struct cda_value *v)
{
	if (sees(w, mode) && v)
		w->ops->value(w, key, fmt, v);
}

int cda_rw_finish(struct cda_rw *w, char **out, struct cda_error *err)
{
	return w->ops->finish(w, out, err);
}

/* ---- text ---- */

struct text_rw {
	struct cda_rw w;
	struct cda_buf b;
	bool color;
};

static const char *const color_on[] = {
	[CDA_RW_PLAIN] = "", [CDA_RW_BOLD] = "\033[1m", [CDA_RW_ERROR] = "\033[1;31m",
	[CDA_RW_WARNING] = "\033[1;35m", [CDA_RW_NOTE] = "\033[1;36m", [CDA_RW_INDET] = "\033[1;33m",
};

/*
 * fmt with its "%s" or "%-Ns" replaced by val, in color c; val is escaped
 * when it came from an input (escape), and is then padded to N columns.
 */
static void text_put(struct text_rw *t, const char *fmt, enum cda_rw_color c, const char *val,
		     bool escape)
{
	const char *pct = fmt ? strchr(fmt, '%') : NULL, *on = t->color ? color_on[c] : "";
	char *conv = NULL; /* the 's' */
	long width = 0;
	size_t start;

	if (!fmt)
		return;
	if (!pct) {
		cda_buf_printf(&t->b, "%s", fmt);
		return;
	}
	if (pct[1] == '-')
		width = strtol(pct + 2, &conv, 10);
	else
		conv = strchr(pct, 's');
	cda_buf_printf(&t->b, "%.*s%s", (int)(pct - fmt), fmt, on);
	start = t->b.n;
	if (escape)
		cda_buf_put_text(&t->b, val, false);
	else
		cda_buf_printf(&t->b, "%s", val);
	if (!t->b.oom && t->b.n - start < (size_t)width)
		cda_buf_printf(&t->b, "%*s", (int)(width - (long)(t->b.n - start)), "");
	cda_buf_printf(&t->b, "%s%s", *on ? "\033[0m" : "", conv + 1);
}

static void text_open(struct cda_rw *w, const char *key, bool array)
{
	(void)w, (void)key, (void)array;
}

static void text_close(struct cda_rw *w)
{
	(void)w;
}

static void text_str(struct cda_rw *w, const char *key, const char *fmt, enum cda_rw_color c,
		     const char *s)
{
	(void)key;
	text_put((struct text_rw *)w, fmt, c, s, true);
}

static void u64_text(char *buf, size_t n, uint64_t u, bool hex)
{
	snprintf(buf, n, hex ? "0x%" PRIx64 : "%" PRIu64, u);
}

static void text_u64(struct cda_rw *w, const char *key, const char *fmt, uint64_t u, bool hex)
{
	char buf[24];

	(void)key;
	u64_text(buf, sizeof(buf), u, hex);
	text_put((struct text_rw *)w, fmt, CDA_RW_PLAIN, buf, false);
}

static void text_bool(struct cda_rw *w, const char *key, const char *fmt, bool b)
{
	(void)key;
	text_put((struct text_rw *)w, fmt, CDA_RW_PLAIN, b ? "true" : "false", false);
}

static void value_text(struct cda_buf *b, const struct cda_value *v, bool top);

/* "[a, b]"; an object's members "k=v, k=v", in braces when nested. */
static void items_text(struct cda_buf *b, const struct cda_value *v, bool top)
{
	bool list = v->type == CDA_T_LIST;
	size_t n = list ? v->list.n : v->obj.n;

	cda_buf_printf(b, "%s", list ? "[" : top ? "" : "{");
	for (size_t i = 0; i < n; i++) {
		cda_buf_printf(b, "%s", i ? ", " : "");
		if (!list) {
			cda_buf_put_text(b, v->obj.m[i].key, false);
			cda_buf_printf(b, "=");
		}
		value_text(b, list ? v->list.items[i] : v->obj.m[i].val, false);
	}
	cda_buf_printf(b, "%s", list ? "]" : top ? "" : "}");
}

/* A value's compact text, escaped: hex stays hex, as in messages. */
static void value_text(struct cda_buf *b, const struct cda_value *v, bool top)
{
	char num[24];

	switch (v->type) {
	case CDA_T_U64:
		u64_text(num, sizeof(num), v->u, v->flags & CDA_VF_HEX);
		cda_buf_printf(b, "%s", num);
		break;
	case CDA_T_BOOL:
		cda_buf_printf(b, "%s", v->b ? "true" : "false");
		break;
	case CDA_T_STR:
		cda_buf_put_text(b, v->s, false);
		break;
	case CDA_T_UNKNOWN:
		cda_buf_printf(b, "unknown");
		break;
	case CDA_T_LIST:
	case CDA_T_OBJ:
		items_text(b, v, top);
		break;
	}
}

static void text_value(struct cda_rw *w, const char *key, const char *fmt, const struct cda_value *v)
{
	struct cda_buf vb = { 0 };
	char *s;

	(void)key;
	if ((v->type == CDA_T_OBJ && !v->obj.n) || (v->type == CDA_T_LIST && !v->list.n))
		return;
	value_text(&vb, v, true);
	s = cda_buf_take(&vb);
	if (s)
		text_put((struct text_rw *)w, fmt, CDA_RW_PLAIN, s, false);
	else
		w->oom = true;
	free(s);
}

static int text_finish(struct cda_rw *w, char **out, struct cda_error *err)
{
	struct text_rw *t = (struct text_rw *)w;
	bool oom = w->oom;

	*out = cda_buf_take(&t->b);
	free(t);
	if (*out && oom) {
		free(*out);
		*out = NULL;
	}
	return *out ? 0 : cda_oom(err, NULL);
}

static const struct cda_rw_ops text_ops = {
	.keyed = false, .open = text_open, .close = text_close, .str = text_str, .u64 = text_u64,
	.boolean = text_bool, .value = text_value, .finish = text_finish,
};

struct cda_rw *cda_rw_text_new(bool color)
{
	struct text_rw *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w.ops = &text_ops;
	t->color = color;
	return &t->w;
}

/* ---- JSON: a stack of open json-c containers; a NULL from json-c is out of memory ---- */

struct jw_rw {
	struct cda_rw w;
	cda_rw_tree_fn *reshape; /* NULL: the tree is the document (JSON) */
	const void *ctx;
	json_object *root;
	json_object *stack[JSON_MAX_DEPTH];
	size_t depth; /* may pass JSON_MAX_DEPTH: then nothing is added (oom) until closed back */
};

/* Add v to the innermost container, which then owns it; v NULL is JSON null when null_ok. */
static bool jw_add(struct jw_rw *j, const char *key, json_object *v, bool null_ok)
{
	json_object *top = j->depth && j->depth <= JSON_MAX_DEPTH ? j->stack[j->depth - 1] : NULL;
	int bad = (!v && !null_ok) || !top;

	if (!bad && json_object_is_type(top, json_type_array))
		bad = json_object_array_add(top, v);
	else if (!bad)
		bad = !key || json_object_object_add(top, key, v);
	if (bad) {
		json_object_put(v);
		j->w.oom = true;
	}
	return !bad;
}

static void jw_open(struct cda_rw *w, const char *key, bool array)
{
	struct jw_rw *j = (struct jw_rw *)w;
	json_object *o = array ? json_object_new_array() : json_object_new_object();

	if (!j->depth && !j->root)
		j->root = o;
	else if (!jw_add(j, key, o, false))
		o = NULL; /* freed; what goes inside is dropped too */
	if (j->depth < JSON_MAX_DEPTH)
		j->stack[j->depth] = o;
	if (!o || j->depth >= JSON_MAX_DEPTH)
		w->oom = true;
	j->depth++;
}

static void jw_close(struct cda_rw *w)
{
	struct jw_rw *j = (struct jw_rw *)w;

	if (j->depth)
		j->depth--;
}

static void jw_string(struct cda_rw *w, const char *key, const char *fmt, enum cda_rw_color c,
		     const char *s)
{
	(void)fmt, (void)c;
	jw_add((struct jw_rw *)w, key, json_object_new_string(s), false);
}

static void jw_u64(struct cda_rw *w, const char *key, const char *fmt, uint64_t u, bool hex)
{
	char buf[24];

	(void)fmt;
	u64_text(buf, sizeof(buf), u, true);
	jw_add((struct jw_rw *)w, key,
		 hex ? json_object_new_string(buf) : json_object_new_int64((int64_t)u), false);
}

static void jw_boolean(struct cda_rw *w, const char *key, const char *fmt, bool b)
{
	(void)fmt;
	jw_add((struct jw_rw *)w, key, json_object_new_boolean(b), false);
}

static void jw_value(struct cda_rw *w, const char *key, const char *fmt, const struct cda_value *v)
{
	(void)fmt;
	jw_add((struct jw_rw *)w, key, cda_value_to_json(v), v->type == CDA_T_UNKNOWN);
}

char *cda_json_text(struct json_object *doc)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(doc, JSON_FLAGS, &len);
	char *out = NULL, *fixed;

	if (s && cda_utf8_valid(s, len)) {
		out = malloc(len + 2);
		if (out)
			memcpy(out, s, len);
	} else if (s) {
		fixed = cda_utf8_repair(s, len);
		len = fixed ? strlen(fixed) : 0;
		out = fixed ? realloc(fixed, len + 2) : NULL;
		if (fixed && !out)
			free(fixed);
	}
	if (out)
		memcpy(out + len, "\n", 2);
	return out;
}

static int jw_finish(struct cda_rw *w, char **out, struct cda_error *err)
{
	struct jw_rw *j = (struct jw_rw *)w;
	json_object *doc = w->oom || !j->root ? NULL : j->reshape ? j->reshape(j->root, j->ctx) : j->root;

	*out = doc ? cda_json_text(doc) : NULL;
	if (doc != j->root)
		json_object_put(doc);
	json_object_put(j->root);
	free(j);
	return *out ? 0 : cda_oom(err, NULL);
}

static const struct cda_rw_ops jw_ops = {
	.keyed = true, .open = jw_open, .close = jw_close, .str = jw_string, .u64 = jw_u64,
	.boolean = jw_boolean, .value = jw_value, .finish = jw_finish,
};

struct cda_rw *cda_rw_tree_new(cda_rw_tree_fn *reshape, const void *ctx)
{
	struct jw_rw *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->w.ops = &jw_ops;
	j->reshape = reshape;
	j->ctx = ctx;
	return &j->w;
}

struct cda_rw *cda_rw_json_new(void)
{
	return cda_rw_tree_new(NULL, NULL);
}
