// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_MIN (64 * 1024)
#define ALIGN_TO 16

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(ALIGN_TO) unsigned char mem[];
};

struct cda_arena {
	struct chunk *head;
	bool limited; /* cda_arena_limit(): only left more bytes are handed out */
	size_t left;
};

struct cda_arena *cda_arena_new(void)
{
	return calloc(1, sizeof(struct cda_arena));
}

void cda_arena_free(struct cda_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void cda_arena_limit(struct cda_arena *a, size_t bytes)
{
	a->limited = true;
	a->left = bytes;
}

void *cda_arena_alloc(struct cda_arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t need;

	if (size > SIZE_MAX / 2)
		return NULL;
	need = (size + ALIGN_TO - 1) & ~(size_t)(ALIGN_TO - 1);
	if (a->limited) {
		if (need > a->left)
			return NULL;
		a->left -= need;
	}
	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* A big one-off allocation goes behind the head so the head's free space is kept. */
		if (a->head && need > CHUNK_MIN) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->mem + c->used;

	c->used += need;
	memset(p, 0, size);
	return p;
}

char *cda_arena_strndup(struct cda_arena *a, const char *s, size_t n)
{
	char *d = cda_arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *cda_arena_strdup(struct cda_arena *a, const char *s)
{
	return cda_arena_strndup(a, s, strlen(s));
}

void *cda_arena_grow(struct cda_arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *p;

	if (n < *cap)
		return arr;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	p = cda_arena_alloc(a, ncap * elem);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, arr, n * elem);
	*cap = ncap;
	return p;
}

char *cda_arena_printf(struct cda_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *d;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	d = cda_arena_alloc(a, (size_t)n + 1);
	if (!d)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}
