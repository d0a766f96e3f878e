/* SPDX-License-Identifier: MIT */
/*
 * facts.h - the typed value tree that loaders fill and rules read.
 *
 * A value is a u64, bool, string, list or object; objects keep insertion order
 * so --facts output is stable. Integers that are addresses or sizes carry
 * CDA_VF_HEX so that JSON prints them as "0x..." strings and messages as hex;
 * counts stay decimal. Everything lives in the arena passed at creation.
 *
 * Errors: constructors return NULL only when the arena is out of memory.
 */
#ifndef CDA_FACTS_H
#define CDA_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct json_object;
struct cda_error;

enum cda_type {
	CDA_T_U64,
	CDA_T_BOOL,
	CDA_T_STR,
	CDA_T_LIST,
	CDA_T_OBJ,
	CDA_T_UNKNOWN, /* a fact a loader could not decide; s holds the reason */
};

#define CDA_VF_HEX 0x1u /* integer is an address or size: print as hex */

struct cda_value;
struct cda_obj_index;

struct cda_member {
	const char *key;
	struct cda_value *val;
};

struct cda_value {
	enum cda_type type;
	unsigned flags;
	union {
		uint64_t u;
		bool b;
		const char *s;
		struct {
			struct cda_value **items;
			size_t n, cap;
		} list;
		struct {
			struct cda_member *m;
			size_t n, cap;
			struct cda_obj_index *ix; /* NULL, or by key (cda_obj_index()) */
		} obj;
	};
};

struct cda_value *cda_v_u64(struct cda_arena *a, uint64_t u);
struct cda_value *cda_v_hex(struct cda_arena *a, uint64_t u);
struct cda_value *cda_v_bool(struct cda_arena *a, bool b);
struct cda_value *cda_v_str(struct cda_arena *a, const char *s); /* copies s */
struct cda_value *cda_v_list(struct cda_arena *a);
struct cda_value *cda_v_obj(struct cda_arena *a);
/* An undecided fact: rules reading it are indeterminate with this reason. */
struct cda_value *cda_v_unknown(struct cda_arena *a, const char *reason);

/* Append to a list; returns 0 or -1 on out of memory. */
int cda_list_push(struct cda_arena *a, struct cda_value *list, struct cda_value *v);
/* Set key in an object (replacing an existing key); key is copied. 0 or -1. */
int cda_obj_set(struct cda_arena *a, struct cda_value *obj, const char *key, struct cda_value *v);
/*
 * Index obj by key, so cda_obj_set() and cda_obj_get() take constant time for
 * an object of thousands of keys (the kernel config); it stays indexed. 0 or -1.
 */
int cda_obj_index(struct cda_arena *a, struct cda_value *obj);
/* Member lookup; NULL when absent or obj is not an object. */
struct cda_value *cda_obj_get(const struct cda_value *obj, const char *key);
/* A u64 member's value; when it is absent or not a u64, clears *ok and returns 0 (*ok is never set). */
uint64_t cda_obj_get_u64(const struct cda_value *obj, const char *key, bool *ok);
/* Dotted path lookup from an object, e.g. "dt.reserved_memory.path"; NULL when absent. */
struct cda_value *cda_obj_path(const struct cda_value *obj, const char *path);

/* Shorthands used by loaders: set key to a new value; 0 or -1 on out of memory. */
int cda_obj_set_u64(struct cda_arena *a, struct cda_value *o, const char *k, uint64_t u);
int cda_obj_set_hex(struct cda_arena *a, struct cda_value *o, const char *k, uint64_t u);
int cda_obj_set_bool(struct cda_arena *a, struct cda_value *o, const char *k, bool b);
int cda_obj_set_str(struct cda_arena *a, struct cda_value *o, const char *k, const char *s);

/*
 * The fact builder: what loaders write facts with, so that a loader reads as
 * a list of facts instead of a chain of "|| return out of memory". Like
 * cda_buf, it records the first failed allocation and from then on does
 * nothing: setters return void and are no-ops once oom is set or when the
 * target is NULL (the node a failed constructor returned), constructors
 * return NULL. The loader asks once, with cda_fb_done(), at the end or before
 * it reads back what it built.
 */
struct cda_fb {
	struct cda_arena *a;
	const char *name; /* the input named in the error ("NAME: out of memory"); may be NULL */
	bool oom;
};

/* Set obj.key; a NULL v counts as a failed allocation (it came from a constructor). */
void cda_fb_set(struct cda_fb *fb, struct cda_value *obj, const char *key, struct cda_value *v);
void cda_fb_u64(struct cda_fb *fb, struct cda_value *obj, const char *key, uint64_t u);
void cda_fb_hex(struct cda_fb *fb, struct cda_value *obj, const char *key, uint64_t u);
void cda_fb_bool(struct cda_fb *fb, struct cda_value *obj, const char *key, bool b);
void cda_fb_str(struct cda_fb *fb, struct cda_value *obj, const char *key, const char *s);
void cda_fb_unknown(struct cda_fb *fb, struct cda_value *obj, const char *key, const char *reason);
/* A new object / list at obj.key; NULL after a failure. */
struct cda_value *cda_fb_obj(struct cda_fb *fb, struct cda_value *obj, const char *key);
struct cda_value *cda_fb_list(struct cda_fb *fb, struct cda_value *obj, const char *key);
/* Append to list (v NULL: a failed allocation); push_obj returns the new element. */
void cda_fb_push(struct cda_fb *fb, struct cda_value *list, struct cda_value *v);
void cda_fb_push_str(struct cda_fb *fb, struct cda_value *list, const char *s);
void cda_fb_push_u64(struct cda_fb *fb, struct cda_value *list, uint64_t u);
void cda_fb_push_hex(struct cda_fb *fb, struct cda_value *list, uint64_t u);
struct cda_value *cda_fb_push_obj(struct cda_fb *fb, struct cda_value *list);
/* A free-standing object or list (a root, or one attached later); NULL after a failure. */
struct cda_value *cda_fb_new_obj(struct cda_fb *fb);
struct cda_value *cda_fb_new_list(struct cda_fb *fb);
/* Record a failure a helper outside the builder reported (its return value: 0 is none). */
void cda_fb_check(struct cda_fb *fb, int ret);
/* Arena memory through the builder: NULL (and oom recorded) on failure. */
void *cda_fb_alloc(struct cda_fb *fb, size_t size);
/* No allocation failed so far: what was built can be read back. */
bool cda_fb_ok(const struct cda_fb *fb);
/* 0, or -CDA_E_NOMEM with err saying "NAME: out of memory" (cda_oom()). */
int cda_fb_done(const struct cda_fb *fb, struct cda_error *err);

/* A deep copy of v in a (an object copied unindexed); NULL on out of memory. */
struct cda_value *cda_value_copy(struct cda_arena *a, const struct cda_value *v);

/* Structural equality (flags ignored). */
bool cda_value_equal(const struct cda_value *x, const struct cda_value *y);

const char *cda_type_name(enum cda_type t);

/*
 * JSON form of a value (unknown is null): hex integers as "0x..." strings, other integers as JSON
 * numbers (or "0x..." strings above 2^53, which JSON readers cannot hold exactly).
 * Returns a new json-c reference or NULL on out of memory.
 */
struct json_object *cda_value_to_json(const struct cda_value *v);

#endif
