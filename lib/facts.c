// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "facts.h"
#include "util.h"

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

/*
 * The index of an object of many keys (cda_obj_index()): open addressing by
 * key hash, slots holding member index + 1 (0: free), at most half full.
 * Objects are small but for one, the kernel config's ~10,000 options, where a
 * linear search makes building the object quadratic and each lookup slow.
 */
struct cda_obj_index {
	size_t *slots;
	size_t nslots; /* a power of two */
};

static size_t key_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of key: the one holding it, or the free one where it goes. */
static size_t index_slot(const struct cda_value *obj, const char *key)
{
	const struct cda_obj_index *ix = obj->obj.ix;
	size_t h = key_hash(key) & (ix->nslots - 1);

	while (ix->slots[h] && strcmp(obj->obj.m[ix->slots[h] - 1].key, key))
		h = (h + 1) & (ix->nslots - 1);
	return h;
}

/* (Re)build the index with room for twice the members. */
static int index_build(struct cda_arena *a, struct cda_value *obj)
{
	struct cda_obj_index *ix = cda_arena_alloc(a, sizeof(*ix));
	size_t n = 64;

	while (n < 4 * (obj->obj.n + 1))
		n *= 2;
	if (!ix || !(ix->slots = cda_arena_alloc(a, n * sizeof(*ix->slots))))
		return -1;
	ix->nslots = n;
	obj->obj.ix = ix;
	for (size_t i = 0; i < obj->obj.n; i++)
		ix->slots[index_slot(obj, obj->obj.m[i].key)] = i + 1;
	return 0;
}

int cda_obj_index(struct cda_arena *a, struct cda_value *obj)
{
	return obj->type == CDA_T_OBJ ? index_build(a, obj) : -1;
}

int cda_obj_set(struct cda_arena *a, struct cda_value *obj, const char *key, struct cda_value *v)
{
	struct cda_member *m;
	size_t slot = 0;

	if (!v || obj->type != CDA_T_OBJ)
		return -1;
	if (obj->obj.ix && 2 * (obj->obj.n + 1) > obj->obj.ix->nslots && index_build(a, obj))
		return -1;
	if (obj->obj.ix && obj->obj.ix->slots[slot = index_slot(obj, key)]) {
		obj->obj.m[obj->obj.ix->slots[slot] - 1].val = v;
		return 0;
	}
	for (size_t i = 0; !obj->obj.ix && i < obj->obj.n; i++) {
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
	if (obj->obj.ix)
		obj->obj.ix->slots[slot] = obj->obj.n;
	return 0;
}

struct cda_value *cda_obj_get(const struct cda_value *obj, const char *key)
{
	size_t slot;

	if (!obj || obj->type != CDA_T_OBJ)
		return NULL;
	if (obj->obj.ix) {
		slot = index_slot(obj, key);
		return obj->obj.ix->slots[slot] ? obj->obj.m[obj->obj.ix->slots[slot] - 1].val : NULL;
	}
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

/* A value made for the builder: records the failure when there is none. */
static struct cda_value *fb_made(struct cda_fb *fb, struct cda_value *v)
{
	if (!v)
		fb->oom = true;
	return v;
}

void cda_fb_set(struct cda_fb *fb, struct cda_value *obj, const char *key, struct cda_value *v)
{
	if (fb->oom || !obj)
		return;
	if (!v || cda_obj_set(fb->a, obj, key, v))
		fb->oom = true;
}

void cda_fb_u64(struct cda_fb *fb, struct cda_value *obj, const char *key, uint64_t u)
{
	if (!fb->oom && obj)
		cda_fb_set(fb, obj, key, cda_v_u64(fb->a, u));
}

void cda_fb_hex(struct cda_fb *fb, struct cda_value *obj, const char *key, uint64_t u)
{
	if (!fb->oom && obj)
		cda_fb_set(fb, obj, key, cda_v_hex(fb->a, u));
}

void cda_fb_bool(struct cda_fb *fb, struct cda_value *obj, const char *key, bool b)
{
	if (!fb->oom && obj)
		cda_fb_set(fb, obj, key, cda_v_bool(fb->a, b));
}

/* s NULL: a string that could not be made (cda_arena_printf() failed). */
void cda_fb_str(struct cda_fb *fb, struct cda_value *obj, const char *key, const char *s)
{
	if (!fb->oom && obj)
		cda_fb_set(fb, obj, key, s ? cda_v_str(fb->a, s) : NULL);
}

void cda_fb_unknown(struct cda_fb *fb, struct cda_value *obj, const char *key, const char *reason)
{
	if (!fb->oom && obj)
		cda_fb_set(fb, obj, key, reason ? cda_v_unknown(fb->a, reason) : NULL);
}

/* obj.key = v, a new container; v, or NULL once the builder has failed. */
static struct cda_value *fb_set_new(struct cda_fb *fb, struct cda_value *obj, const char *key,
				    struct cda_value *v)
{
	cda_fb_set(fb, obj, key, v);
	return fb->oom ? NULL : v;
}

struct cda_value *cda_fb_obj(struct cda_fb *fb, struct cda_value *obj, const char *key)
{
	return fb->oom || !obj ? NULL : fb_set_new(fb, obj, key, cda_fb_new_obj(fb));
}

struct cda_value *cda_fb_list(struct cda_fb *fb, struct cda_value *obj, const char *key)
{
	return fb->oom || !obj ? NULL : fb_set_new(fb, obj, key, cda_fb_new_list(fb));
}

void cda_fb_push(struct cda_fb *fb, struct cda_value *list, struct cda_value *v)
{
	if (fb->oom || !list)
		return;
	if (!v || cda_list_push(fb->a, list, v))
		fb->oom = true;
}

void cda_fb_push_str(struct cda_fb *fb, struct cda_value *list, const char *s)
{
	if (!fb->oom && list)
		cda_fb_push(fb, list, s ? cda_v_str(fb->a, s) : NULL);
}

void cda_fb_push_u64(struct cda_fb *fb, struct cda_value *list, uint64_t u)
{
	if (!fb->oom && list)
		cda_fb_push(fb, list, cda_v_u64(fb->a, u));
}

void cda_fb_push_hex(struct cda_fb *fb, struct cda_value *list, uint64_t u)
{
	if (!fb->oom && list)
		cda_fb_push(fb, list, cda_v_hex(fb->a, u));
}

struct cda_value *cda_fb_push_obj(struct cda_fb *fb, struct cda_value *list)
{
	struct cda_value *v;

	if (fb->oom || !list)
		return NULL;
	v = cda_fb_new_obj(fb);
	cda_fb_push(fb, list, v);
	return fb->oom ? NULL : v;
}

struct cda_value *cda_fb_new_obj(struct cda_fb *fb)
{
	return fb->oom ? NULL : fb_made(fb, cda_v_obj(fb->a));
}

struct cda_value *cda_fb_new_list(struct cda_fb *fb)
{
	return fb->oom ? NULL : fb_made(fb, cda_v_list(fb->a));
}

void cda_fb_check(struct cda_fb *fb, int ret)
{
	if (ret)
		fb->oom = true;
}

void *cda_fb_alloc(struct cda_fb *fb, size_t size)
{
	void *p = fb->oom ? NULL : cda_arena_alloc(fb->a, size);

	if (!p)
		fb->oom = true;
	return p;
}

bool cda_fb_ok(const struct cda_fb *fb)
{
	return !fb->oom;
}

int cda_fb_done(const struct cda_fb *fb, struct cda_error *err)
{
	return fb->oom ? cda_oom(err, fb->name) : 0;
}

struct cda_value *cda_value_copy(struct cda_arena *a, const struct cda_value *v)
{
	struct cda_value *c = v_new(a, v->type);
	bool ok = c;

	if (!c)
		return NULL;
	if (v->type == CDA_T_LIST) {
		for (size_t i = 0; ok && i < v->list.n; i++)
			ok = !cda_list_push(a, c, cda_value_copy(a, v->list.items[i]));
	} else if (v->type == CDA_T_OBJ) {
		for (size_t i = 0; ok && i < v->obj.n; i++)
			ok = !cda_obj_set(a, c, v->obj.m[i].key, cda_value_copy(a, v->obj.m[i].val));
	} else {
		*c = *v;
		if (v->type == CDA_T_STR || v->type == CDA_T_UNKNOWN)
			ok = (c->s = cda_arena_strdup(a, v->s)) != NULL;
	}
	c->flags = v->flags;
	return ok ? c : NULL;
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
