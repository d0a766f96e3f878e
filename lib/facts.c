// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "facts.h"

static struct cda_value *v_new(struct cda_arena *a, enum cda_type t)
{
	struct cda_value *v = cda_arena_alloc(a, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

struct cda_value *cda_v_u64(struct cda_arena *a, uint64_t u)
{
	struct cda_value *v = v_new(a, CDA_T_U64);

	if (v)
		v->u = u;
	return v;
}

struct cda_value *cda_v_hex(struct cda_arena *a, uint64_t u)
{
	struct cda_value *v = cda_v_u64(a, u);

	if (v)
		v->flags |= CDA_VF_HEX;
	return v;
}

struct cda_value *cda_v_bool(struct cda_arena *a, bool b)
{
	struct cda_value *v = v_new(a, CDA_T_BOOL);

	if (v)
		v->b = b;
	return v;
}

struct cda_value *cda_v_str(struct cda_arena *a, const char *s)
{
	struct cda_value *v = v_new(a, CDA_T_STR);

	if (v && !(v->s = cda_arena_strdup(a, s)))
		return NULL;
	return v;
}

struct cda_value *cda_v_unknown(struct cda_arena *a, const char *reason)
{
	struct cda_value *v = cda_v_str(a, reason);

	if (v)
		v->type = CDA_T_UNKNOWN;
	return v;
}

struct cda_value *cda_v_list(struct cda_arena *a)
{
	return v_new(a, CDA_T_LIST);
}

struct cda_value *cda_v_obj(struct cda_arena *a)
{
	return v_new(a, CDA_T_OBJ);
}

int cda_list_push(struct cda_arena *a, struct cda_value *list, struct cda_value *v)
{
	struct cda_value **items;

	if (!v || list->type != CDA_T_LIST)
		return -1;
	items = cda_arena_grow(a, list->list.items, list->list.n, &list->list.cap, sizeof(*items));
	if (!items)
		return -1;
	list->list.items = items;
	items[list->list.n++] = v;
	return 0;
}

int cda_obj_set(struct cda_arena *a, struct cda_value *obj, const char *key, struct cda_value *v)
{
	struct cda_member *m;

	if (!v || obj->type != CDA_T_OBJ)
		return -1;
	for (size_t i = 0; i < obj->obj.n; i++) {
		if (!strcmp(obj->obj.m[i].key, key)) {
			obj->obj.m[i].val = v;
			return 0;
		}
	}
	m = cda_arena_grow(a, obj->obj.m, obj->obj.n, &obj->obj.cap, sizeof(*m));
	if (!m)
		return -1;
	obj->obj.m = m;
	m[obj->obj.n].key = cda_arena_strdup(a, key);
	if (!m[obj->obj.n].key)
		return -1;
	m[obj->obj.n++].val = v;
	return 0;
}

struct cda_value *cda_obj_get(const struct cda_value *obj, const char *key)
{
	if (!obj || obj->type != CDA_T_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->obj.n; i++)
		if (!strcmp(obj->obj.m[i].key, key))
			return obj->obj.m[i].val;
	return NULL;
}

uint64_t cda_obj_get_u64(const struct cda_value *obj, const char *key, bool *ok)
{
	const struct cda_value *v = cda_obj_get(obj, key);

	if (!v || v->type != CDA_T_U64) {
		*ok = false;
		return 0;
	}
	return v->u;
}

struct cda_value *cda_obj_path(const struct cda_value *obj, const char *path)
{
	char key[128];
	const struct cda_value *cur = obj;

	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		cur = cda_obj_get(cur, key);
		path += n + (dot ? 1 : 0);
	}
	return (struct cda_value *)cur;
}

int cda_obj_set_u64(struct cda_arena *a, struct cda_value *o, const char *k, uint64_t u)
{
	return cda_obj_set(a, o, k, cda_v_u64(a, u));
}

int cda_obj_set_hex(struct cda_arena *a, struct cda_value *o, const char *k, uint64_t u)
{
	return cda_obj_set(a, o, k, cda_v_hex(a, u));
}

int cda_obj_set_bool(struct cda_arena *a, struct cda_value *o, const char *k, bool b)
{
	return cda_obj_set(a, o, k, cda_v_bool(a, b));
}

int cda_obj_set_str(struct cda_arena *a, struct cda_value *o, const char *k, const char *s)
{
	return cda_obj_set(a, o, k, cda_v_str(a, s));
}

bool cda_value_equal(const struct cda_value *x, const struct cda_value *y)
{
	if (x->type != y->type)
		return false;
	switch (x->type) {
	case CDA_T_U64:
		return x->u == y->u;
	case CDA_T_BOOL:
		return x->b == y->b;
	case CDA_T_STR:
	case CDA_T_UNKNOWN:
		return !strcmp(x->s, y->s);
	case CDA_T_LIST:
		if (x->list.n != y->list.n)
			return false;
		for (size_t i = 0; i < x->list.n; i++)
			if (!cda_value_equal(x->list.items[i], y->list.items[i]))
				return false;
		return true;
	case CDA_T_OBJ:
		if (x->obj.n != y->obj.n)
			return false;
		for (size_t i = 0; i < x->obj.n; i++) {
			struct cda_value *o = cda_obj_get(y, x->obj.m[i].key);

			if (!o || !cda_value_equal(x->obj.m[i].val, o))
				return false;
		}
		return true;
	}
	return false;
}

const char *cda_type_name(enum cda_type t)
{
	switch (t) {
	case CDA_T_U64:
		return "integer";
	case CDA_T_BOOL:
		return "bool";
	case CDA_T_STR:
		return "string";
	case CDA_T_LIST:
		return "list";
	case CDA_T_OBJ:
		return "object";
	case CDA_T_UNKNOWN:
		return "unknown";
	}
	return "?";
}

#define JSON_SAFE_INT ((uint64_t)1 << 53)

struct json_object *cda_value_to_json(const struct cda_value *v)
{
	struct json_object *j = NULL;
	char buf[24];

	switch (v->type) {
	case CDA_T_U64:
		if ((v->flags & CDA_VF_HEX) || v->u > JSON_SAFE_INT) {
			snprintf(buf, sizeof(buf), "0x%" PRIx64, v->u);
			return json_object_new_string(buf);
		}
		return json_object_new_int64((int64_t)v->u);
	case CDA_T_BOOL:
		return json_object_new_boolean(v->b);
	case CDA_T_STR:
		return json_object_new_string(v->s);
	case CDA_T_UNKNOWN:
		return NULL; /* JSON null; the reason is kept next to it by the loader */
	case CDA_T_LIST:
		j = json_object_new_array();
		for (size_t i = 0; j && i < v->list.n; i++) {
			struct json_object *e = cda_value_to_json(v->list.items[i]);

			if ((!e && v->list.items[i]->type != CDA_T_UNKNOWN) ||
			    json_object_array_add(j, e)) {
				json_object_put(e);
				json_object_put(j);
				return NULL;
			}
		}
		return j;
	case CDA_T_OBJ:
		j = json_object_new_object();
		for (size_t i = 0; j && i < v->obj.n; i++) {
			struct json_object *e = cda_value_to_json(v->obj.m[i].val);

			if ((!e && v->obj.m[i].val->type != CDA_T_UNKNOWN) ||
			    json_object_object_add(j, v->obj.m[i].key, e)) {
				json_object_put(e);
				json_object_put(j);
				return NULL;
			}
		}
		return j;
	}
	return NULL;
}
