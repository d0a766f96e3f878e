/* SPDX-License-Identifier: MIT */
/*
 * arena.h - bump allocator owning every fact, parsed rule and DT node of an audit.
 *
 * Facts form a tree with many small nodes that all live exactly as long as the
 * audit; one arena per audit makes "free everything on every path" a single call.
 * Allocation failure returns NULL; callers report -CDA_E_NOMEM.
 */
#ifndef CDA_ARENA_H
#define CDA_ARENA_H

#include <stddef.h>

struct cda_arena;

struct cda_arena *cda_arena_new(void);
void cda_arena_free(struct cda_arena *a);

/*
 * For tests: from now on, fail every allocation once `bytes` more have been
 * handed out, so out-of-memory paths can be driven at each allocation.
 */
void cda_arena_limit(struct cda_arena *a, size_t bytes);

/* Zero-filled, 16-byte aligned; NULL on overflow or out of memory. */
void *cda_arena_alloc(struct cda_arena *a, size_t size);
/* Copies of C strings / byte ranges; the copy is always NUL-terminated. */
char *cda_arena_strdup(struct cda_arena *a, const char *s);
char *cda_arena_strndup(struct cda_arena *a, const char *s, size_t n);
/*
 * Make room for one more element in an arena array of n elements with
 * capacity *cap (arena blocks cannot be resized: a full array is copied into
 * one twice the size). Returns the array to use, or NULL on out of memory.
 */
void *cda_arena_grow(struct cda_arena *a, void *arr, size_t n, size_t *cap, size_t elem);
/* printf into the arena; NULL on error. */
char *cda_arena_printf(struct cda_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
