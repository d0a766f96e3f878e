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
