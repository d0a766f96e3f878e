// SPDX-License-Identifier: MIT
/*
 * ftrace loader for the dma:* and swiotlb:* events (DOMAIN.md §5), streamed in
 * constant memory. Each address an event carries is put in a group keyed by
 * (event, device, field), and within it in a run: addresses whose extents
 * overlap or touch, with a count, the first line numbers and the extent.
 * A group keeps at most MAX_RUNS runs and merges the two closest when it
 * needs room, so a run may span a gap. The groups are what rules see: one
 * finding per distinct problem, with a count, however long the trace.
 *
 * The loader knows no pool and no shared bit. Which pools there are (the
 * boot log's, the device tree's) and whether the realm's shared bit,
 * BIT(ipa_bits - 1), is known (--ipa-bits) or absent (pKVM) are the rules'
 * to say (rules/runtime.json TRACE001-005): they place each run in a pool
 * and tell shared addresses from private ones, and split a group's runs
 * into one finding per (shared or not, pool). For that a run never mixes
 * addresses that differ in a bit from LOWEST_SHARED_BIT up, where a shared
 * bit can be: whether its addresses carry the bit is the same for all of
 * them. A run that crosses a pool's edge (only a merged one can, in
 * practice) is indeterminate there, never a false finding. Sizes are kept
 * rounded up to each arm64 page size, since the guest's is the kernel's to
 * say.
 *
 * Line forms (event_start(), device_of()): what the tracefs `trace` and
 * `trace_pipe` files print with any of the header options (context-info off,
 * latency-format, verbose, irq-info off, record-tgid), `trace-cmd report`
 * with -l, -t, --ts-diff, --raw-ts and the like, and the field forms of
 * `trace-cmd report -R` and the tracefs `fields` option. A trace-cmd trace.dat
 * (told by its magic, never its name) is read through libtracecmd, each
 * record rendered into the line the text parser reads (trace_dat.c), so one
 * parser decides. Non-dma events are counted; dma lines whose fields do not
 * parse, cut lines and lines that are not trace lines at all are
 * "malformed": counted, their first line numbers kept. A few are a TRACE006
 * note; a trace most of whose lines are malformed was not understood, and is
 * an input error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "runtime.h"
#include "trace_dat.h"
#include "util.h"

/*
 * The tables are fixed, so memory is constant whatever the trace holds; what
 * does not fit is counted as unchecked (TRACE006), never dropped silently.
 * Each is found through an open-addressing hash table of twice its size, so
 * a lookup costs the same with 8 devices or 1024.
 */
#define MAX_GROUPS 4096  /* distinct (event, device, field) keys */
#define MAX_RUNS 8       /* address runs a group keeps */
#define RUN_SLOTS 8192   /* runs of all groups */
#define MAX_ERRORS 256   /* distinct (event, device, error) keys */
#define MAX_DEVICES 1024
#define MAX_DEVNAME 128  /* longer names are unchecked */
#define GROUP_SLOTS 8192 /* powers of two, 2 x their table */
#define ERROR_SLOTS 512
#define DEVICE_SLOTS 2048
#define DMA_MAPPING_ERROR UINT64_MAX
#define DMA_ATTR_MMIO (1ull << 10) /* include/linux/dma-mapping.h, v6.18 */
/*
 * The lowest bit a realm's shared bit can be: BIT(ipa_bits - 1) with
 * ipa_bits 32 at least (--ipa-bits, ID_AA64MMFR0_EL1.PARange). An address
 * below it carries no shared bit, whatever the IPA width.
 */
#define LOWEST_SHARED_BIT (1ull << 31)
#define EXCERPT_LEN 48 /* of the first malformed line, for the error */

enum ev_kind { K_MAP, K_MAP_SG, K_ALLOC, K_ALLOC_SGT, K_BOUNCED, K_SG_ERR, K_ALLOC_ERR, K_COUNT_ONLY };

static const struct ev_def {
	const char *name;
	size_t len; /* strlen(name): compared first, per line */
	enum ev_kind kind;
} events[] = {
#define EV(name, kind) { name, sizeof(name) - 1, kind }
	EV("dma_map_phys", K_MAP), EV("dma_map_page", K_MAP),
	/* MMIO, not memory: no pool and no shared bit to check */
	EV("dma_map_resource", K_COUNT_ONLY),
	EV("dma_unmap_phys", K_COUNT_ONLY), EV("dma_unmap_page", K_COUNT_ONLY),
	EV("dma_unmap_resource", K_COUNT_ONLY),
	EV("dma_alloc", K_ALLOC), EV("dma_alloc_pages", K_ALLOC), EV("dma_alloc_sgt", K_ALLOC_SGT),
	EV("dma_alloc_sgt_err", K_ALLOC_ERR),
	EV("dma_free", K_COUNT_ONLY), EV("dma_free_pages", K_COUNT_ONLY),
	EV("dma_free_sgt", K_COUNT_ONLY),
	EV("dma_map_sg", K_MAP_SG), EV("dma_map_sg_err", K_SG_ERR),
	EV("dma_unmap_sg", K_COUNT_ONLY),
	EV("dma_sync_single_for_cpu", K_COUNT_ONLY), EV("dma_sync_single_for_device", K_COUNT_ONLY),
	EV("dma_sync_sg_for_cpu", K_COUNT_ONLY), EV("dma_sync_sg_for_device", K_COUNT_ONLY),
	EV("swiotlb_bounced", K_BOUNCED),
#undef EV
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

/* The address fields, and whether the address is what the device sees. */
enum field { F_DMA_ADDR, F_DMA_ADDRS, F_PHYS_ADDR, F_PHYS_ADDRS, F_DEV_ADDR, F_SG_ERR_ADDRS };
static const char *const field_names[] = {
	"dma_addr", "dma_addrs", "phys_addr", "phys_addrs", "dev_addr", "dma_addrs",
};
static bool field_is_dma(enum field f)
{
	return f == F_DMA_ADDR || f == F_DMA_ADDRS;
}

static bool kind_is_alloc(enum ev_kind k)
{
	return k == K_ALLOC || k == K_ALLOC_SGT;
}

/*
 * What a group is keyed by: hashed and compared as bytes, so no padding. A
 * group knows no pool and no shared bit: where its addresses lie is kept as
 * runs, and the rules decide which pool a run is in and whether it carries
 * the shared bit.
 */
struct group_key {
	uint8_t ev, field;
	uint16_t dev;
	uint8_t zero[4];
};

/*
 * A run: addresses of one group whose extents overlap or touch, or the closest runs
 * merged when the group has no room for another. The addresses of a run
 * agree on every bit from LOWEST_SHARED_BIT up, so a rule can tell from min
 * alone whether they carry a realm's shared bit (BIT(ipa_bits - 1), one of
 * those bits) and clear it from min, last and end. last: the last byte of
 * the highest extent (an address with size 0 counts one byte).
 */
struct run {
	uint64_t min, last;
};

/* The rest of a run, kept apart: the lookups read only min and last. */
struct run_stats {
	struct cda_line_hits seen;
	uint64_t end, first_addr, first_seq, addr_bits, max_size;
	uint64_t size_bits;       /* OR of the traced sizes */
	uint64_t rounded_bits[3]; /* OR of the sizes rounded up to 4K, 16K and 64K guest pages */
};

/* run[0..nruns) sorted by min; run[nruns..owned) are spare slots the group owns. */
struct group {
	struct group_key k;
	uint8_t nruns, owned;
	uint16_t hot; /* the slot of the run last added to: buffers come in runs too */
	uint16_t run[MAX_RUNS];
};

struct error_key {
	int64_t err; /* errno, or 0 for DMA_MAPPING_ERROR */
	uint16_t dev;
	uint8_t ev, zero[5];
};
_Static_assert(sizeof(struct group_key) == 8 && sizeof(struct error_key) == 16 &&
	       RUN_SLOTS <= UINT16_MAX && MAX_RUNS <= UINT8_MAX,
	       "table keys without padding bytes");

struct errgroup {
	struct error_key k;
	struct cda_line_hits seen;
};

struct trace {
	uint64_t ev_count[NEVENTS];
	uint64_t other_events, comments, content; /* content: lines that are not comments */
	uint64_t mmio_maps; /* dma_map_phys with attrs=MMIO: never bounced, not checked */
	struct cda_line_hits malformed;
	char first_bad[EXCERPT_LEN + 4]; /* the start of the first malformed line */
	const char *first_why;           /* and what was wrong with it */
	char devs[MAX_DEVICES][MAX_DEVNAME + 1];
	size_t ndevs, last_dev;
	struct cda_line_hits unchecked; /* events beyond the group/device limits */
	struct group groups[MAX_GROUPS];
	size_t ngroups;
	struct run runs[RUN_SLOTS];
	struct run_stats stats[RUN_SLOTS];
	size_t nruns;  /* slots given to groups */
	uint64_t seq;  /* addresses added: the order runs were first seen */
	struct errgroup errs[MAX_ERRORS];
	size_t nerrs;
	uint64_t seed; /* of the hash, fnv1a() */
	/* index + 1 into devs, groups, errs; 0 is an empty slot */
	uint16_t dev_slots[DEVICE_SLOTS], group_slots[GROUP_SLOTS], error_slots[ERROR_SLOTS];
};

/* ---- number and field parsing ---- */

/* Hex with an optional 0x (arrays and the field forms have it, %llx fields do not). */
static bool hex64(const char *s, const char *end, uint64_t *out, const char **next)
{
	if (end - s > 2 && s[0] == '0' && s[1] == 'x')
		s += 2;
	return cda_parse_hex(s, end, out, next);
}

/* A count: decimal (%zu), or 0x-prefixed hex (the tracefs fields form prints "0x10 (16)"). */
static bool num64(const char *s, const char *end, uint64_t *out, const char **next)
{
	if (end - s > 2 && s[0] == '0' && s[1] == 'x')
		return cda_parse_hex(s + 2, end, out, next);
	return cda_parse_dec(s, end, out, next);
}

/*
 * The value of " key=" in body: [*v, *vend), up to the next space; a
 * libtraceevent byte array ("ARRAY[00, 10]") up to its bracket.
 */
static bool field(const char *body, const char *end, const char *key, size_t klen,
		  const char **v, const char **vend)
{
	const char *p = memmem(body, (size_t)(end - body), key, klen);

	if (!p)
		return false;
	*v = p + klen;
	if (end - *v > 6 && !memcmp(*v, "ARRAY[", 6)) {
		*vend = memchr(*v, ']', (size_t)(end - *v));
		if (!*vend)
			return false;
		(*vend)++;
		return true;
	}
	*vend = memchr(*v, ' ', (size_t)(end - *v));
	if (!*vend)
		*vend = end;
	return true;
}

typedef bool number_fn(const char *s, const char *end, uint64_t *out, const char **next);

static bool field_num(const char *body, const char *end, const char *key, size_t klen,
		      number_fn *parse, uint64_t *out)
{
	const char *v, *ve, *n;

	return field(body, end, key, klen, &v, &ve) && parse(v, ve, out, &n) && n == ve;
}

#define FIELD_HEX(b, e, k, o) field_num(b, e, " " k "=", sizeof(" " k "=") - 1, hex64, o)
#define FIELD_NUM(b, e, k, o) field_num(b, e, " " k "=", sizeof(" " k "=") - 1, num64, o)

/*
 * Array cursor. The print format's arrays are "{0x1,0x2}" (__print_array;
 * "{}" is empty). The field forms print the raw bytes instead, in the
 * traced machine's byte order (little-endian on arm64): libtraceevent as
 * "ARRAY[00, 10, 86, 43, 00, 00, 00, 00]", the tracefs fields option as
 * "00,10,86,43,00,00,00,00"; width is the element size then.
 */
struct array {
	const char *p, *end;
	unsigned width; /* 0: "{0x..,0x..}" */
};

static bool array_open(const char *body, const char *end, const char *key, size_t klen,
		       unsigned width, struct array *a)
{
	const char *v, *ve;

	if (!field(body, end, key, klen, &v, &ve))
		return false;
	a->width = width;
	if (!width) {
		if (ve - v < 2 || v[0] != '{' || ve[-1] != '}')
			return false;
		a->p = v + 1;
		a->end = ve - 1;
	} else if (ve - v >= 7 && !memcmp(v, "ARRAY[", 6)) {
		a->p = v + 6;
		a->end = ve - 1;
	} else {
		a->p = v;
		a->end = ve;
	}
	return true;
}

/* One "%02x" byte of a field-form array and its separator: ", ", "," or the end. */
static bool array_byte(struct array *a, unsigned *out)
{
	uint64_t b;
	const char *n;

	if (a->end - a->p < 2 || !cda_parse_hex(a->p, a->p + 2, &b, &n) || n != a->p + 2)
		return false;
	*out = (unsigned)b;
	a->p += 2;
	if (a->p < a->end && *a->p == ',')
		a->p += a->p + 1 < a->end && a->p[1] == ' ' ? 2 : 1;
	return true;
}

/* 1 with *out set, 0 at the end, -1 on a malformed element. */
static int array_next(struct array *a, uint64_t *out)
{
	const char *n;

	if (a->p >= a->end)
		return 0;
	if (a->width) {
		uint64_t v = 0;
		unsigned b;

		for (unsigned i = 0; i < a->width; i++) {
			if (!array_byte(a, &b))
				return -1;
			v |= (uint64_t)b << (8 * i);
		}
		*out = v;
		return 1;
	}
	if (!hex64(a->p, a->end, out, &n) || (n < a->end && *n != ','))
		return -1;
	a->p = n + (n < a->end);
	return 1;
}

/* ---- groups ---- */

/* ---- tables ---- */

/*
 * FNV-1a, the one hash of the tables here, started from the offset basis
 * mixed with a seed drawn for each trace: keys crafted to collide in one
 * table layout (a trace whose device names or addresses all land in one
 * run of slots, making every lookup a scan) do not collide in another. The
 * report does not depend on the seed: tables keep their entries in the
 * order they were first seen.
 */
static uint64_t fnv1a(uint64_t seed, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ull ^ seed;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/*
 * Linear probing in slots (nslots a power of two, at most half used) for
 * key: the slot of the entry same() takes for it, or the empty slot where it
 * goes. The hash's high half is folded in: FNV's low bits mix the least.
 */
typedef bool same_fn(const struct trace *t, size_t i, const void *key, size_t len);

static inline size_t probe(const struct trace *t, const uint16_t *slots, size_t nslots,
			   const void *key, size_t len, same_fn *same)
{
	uint64_t h = fnv1a(t->seed, key, len);
	size_t slot = (size_t)(h ^ h >> 32) & (nslots - 1);

	while (slots[slot] && !same(t, slots[slot] - 1u, key, len))
		slot = (slot + 1) & (nslots - 1);
	return slot;
}

static bool same_device(const struct trace *t, size_t i, const void *name, size_t len)
{
	/* names hold no NUL (device_name_ok()), so a shorter one differs at its NUL */
	return !memcmp(t->devs[i], name, len) && !t->devs[i][len];
}

static bool same_group(const struct trace *t, size_t i, const void *key, size_t len)
{
	return !memcmp(&t->groups[i].k, key, len);
}

static bool same_error(const struct trace *t, size_t i, const void *key, size_t len)
{
	return !memcmp(&t->errs[i].k, key, len);
}

/* The device's index; -1 for a name over MAX_DEVNAME, or a new one past MAX_DEVICES. */
static int device_index(struct trace *t, const char *name, size_t len)
{
	size_t slot;

	if (len > MAX_DEVNAME)
		return -1;
	/* events come in runs from one device: skip the hash then */
	if (t->ndevs && same_device(t, t->last_dev, name, len))
		return (int)t->last_dev;
	slot = probe(t, t->dev_slots, DEVICE_SLOTS, name, len, same_device);
	if (!t->dev_slots[slot]) {
		if (t->ndevs == MAX_DEVICES)
			return -1;
		memcpy(t->devs[t->ndevs], name, len);
		t->devs[t->ndevs][len] = '\0';
		t->dev_slots[slot] = (uint16_t)++t->ndevs;
	}
	t->last_dev = t->dev_slots[slot] - 1u;
	return (int)t->last_dev;
}

/* Same bits from LOWEST_SHARED_BIT up: a run never mixes addresses a shared bit can tell apart. */
static bool same_high(uint64_t x, uint64_t y)
{
	return (x ^ y) < LOWEST_SHARED_BIT;
}

static void hits_merge(struct cda_line_hits *to, const struct cda_line_hits *from)
{
	struct cda_line_hits m = { .count = to->count + from->count };
	size_t i = 0, j = 0;

	/* both sorted: the first lines of the two are the first of their union */
	while (m.nlines < CDA_FIRST_LINES && (i < to->nlines || j < from->nlines)) {
		uint64_t l = j == from->nlines || (i < to->nlines && to->lines[i] <= from->lines[j])
			     ? to->lines[i++] : from->lines[j++];

		if (!m.nlines || m.lines[m.nlines - 1] != l)
			m.lines[m.nlines++] = l;
	}
	*to = m;
}

static void run_merge(struct trace *t, uint16_t into, uint16_t slot)
{
	struct run_stats *to = &t->stats[into];
	const struct run_stats *from = &t->stats[slot];

	t->runs[into].min = t->runs[slot].min < t->runs[into].min ? t->runs[slot].min : t->runs[into].min;
	t->runs[into].last = t->runs[slot].last > t->runs[into].last ? t->runs[slot].last
								     : t->runs[into].last;
	if (from->first_seq < to->first_seq)
		to->first_seq = from->first_seq, to->first_addr = from->first_addr;
	hits_merge(&to->seen, &from->seen);
	to->end = from->end > to->end ? from->end : to->end;
	to->max_size = from->max_size > to->max_size ? from->max_size : to->max_size;
	to->addr_bits |= from->addr_bits;
	to->size_bits |= from->size_bits;
	for (size_t i = 0; i < 3; i++)
		to->rounded_bits[i] |= from->rounded_bits[i];
}

/* The run at position i has a new, lower min: move it back to its place. */
static void run_resort(const struct trace *t, struct group *g, size_t i)
{
	for (; i > 0 && t->runs[g->run[i]].min < t->runs[g->run[i - 1]].min; i--) {
		uint16_t x = g->run[i];

		g->run[i] = g->run[i - 1];
		g->run[i - 1] = x;
	}
}

/* Bytes between the runs at positions i and i + 1 (0 if they overlap); UINT64_MAX if they may not merge. */
static uint64_t run_gap(const struct trace *t, const struct group *g, size_t i)
{
	const struct run *x = &t->runs[g->run[i]], *y = &t->runs[g->run[i + 1]];

	if (!same_high(x->min, y->min))
		return UINT64_MAX;
	return y->min > x->last ? y->min - x->last : 0;
}

/* Frees a run slot by merging the two closest runs; false if no two may merge. */
static bool run_make_room(struct trace *t, struct group *g)
{
	uint64_t best = UINT64_MAX, gap;
	size_t at = 0;
	uint16_t freed;

	for (size_t i = 0; i + 1 < g->nruns; i++)
		if ((gap = run_gap(t, g, i)) < best)
			best = gap, at = i;
	if (best == UINT64_MAX)
		return false;
	run_merge(t, g->run[at], g->run[at + 1]);
	freed = g->run[at + 1];
	g->hot = g->run[at]; /* never the freed slot */
	memmove(&g->run[at + 1], &g->run[at + 2], (g->nruns - at - 2) * sizeof(g->run[0]));
	g->run[--g->nruns] = freed;
	return true;
}

/*
 * No room for a run of its own: the address joins the nearest run it may
 * share one with (NULL if none: it is unchecked).
 */
static struct run *run_nearest(struct trace *t, struct group *g, uint64_t addr, uint64_t last)
{
	struct run *best = NULL;
	uint64_t best_gap = UINT64_MAX;
	size_t at = 0;

	for (size_t i = 0; i < g->nruns; i++) {
		struct run *r = &t->runs[g->run[i]];
		uint64_t gap = addr > r->last ? addr - r->last : r->min - last;

		if (same_high(addr, r->min) && gap < best_gap)
			best = r, best_gap = gap, at = i;
	}
	if (best && addr < best->min) {
		best->min = addr;
		run_resort(t, g, at);
	}
	return best;
}

/*
 * The run the address [addr, last] goes in: one its extent overlaps, else a
 * new one. NULL when the group can neither take a new run nor merge two.
 */
static struct run *run_for(struct trace *t, struct group *g, uint64_t addr, uint64_t last)
{
	struct run *r = &t->runs[g->hot];
	size_t i;

	if (g->nruns && addr >= r->min && last <= r->last)
		return r;
	for (i = 0; i < g->nruns; i++) {
		r = &t->runs[g->run[i]];

		/* overlapping or touching: buffers handed out one after another make one run */
		if ((addr <= r->last || addr - r->last == 1) && last >= r->min - (r->min > 0) &&
		    same_high(addr, r->min)) {
			if (addr < r->min) {
				r->min = addr;
				run_resort(t, g, i);
			}
			return r;
		}
	}
	/* a slot is kept back for each group not yet seen */
	if (g->nruns == g->owned && g->owned < MAX_RUNS &&
	    (!g->owned || t->nruns + (MAX_GROUPS - t->ngroups) < RUN_SLOTS))
		g->run[g->owned++] = (uint16_t)t->nruns++;
	if (g->nruns == g->owned && !run_make_room(t, g))
		return run_nearest(t, g, addr, last);
	i = g->nruns++;
	r = &t->runs[g->run[i]];
	*r = (struct run){ .min = addr, .last = last };
	t->stats[g->run[i]] = (struct run_stats){ .first_seq = t->seq, .first_addr = addr };
	run_resort(t, g, i);
	return r;
}

static struct group *group_for(struct trace *t, const struct group_key *key)
{
	size_t slot = probe(t, t->group_slots, GROUP_SLOTS, key, sizeof(*key), same_group);

	if (!t->group_slots[slot]) {
		if (t->ngroups == MAX_GROUPS)
			return NULL;
		t->groups[t->ngroups] = (struct group){ .k = *key };
		t->group_slots[slot] = (uint16_t)++t->ngroups;
	}
	return &t->groups[t->group_slots[slot] - 1];
}

static void add_addr(struct trace *t, unsigned ev, int dev, enum field f, uint64_t addr,
		     uint64_t size, uint64_t line)
{
	static const uint64_t pages[3] = { 4096, 16384, 65536 };
	const struct group_key key = { .ev = (uint8_t)ev, .field = (uint8_t)f, .dev = (uint16_t)dev };
	/* an extent past the top of the address space ends at the top */
	uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;
	uint64_t last = size ? end - (addr + size >= addr) : addr;
	struct group *g = group_for(t, &key);
	struct run *run = g ? run_for(t, g, addr, last) : NULL;
	struct run_stats *r;

	if (!run) {
		cda_line_hits_add(&t->unchecked, line);
		return;
	}
	g->hot = (uint16_t)(run - t->runs);
	r = &t->stats[g->hot];
	t->seq++;
	cda_line_hits_add(&r->seen, line);
	if (last > run->last)
		run->last = last;
	if (end > r->end)
		r->end = end;
	r->addr_bits |= addr;
	r->size_bits |= size;
	/*
	 * A coherent allocation's traced size is the caller's request; the
	 * kernel allocates whole guest pages (dma_direct_alloc() and
	 * dma_direct_alloc_pages(): size = PAGE_ALIGN(size)), and that is what
	 * it shares. Rounded for each arm64 page size: the rules pick the
	 * guest's.
	 */
	for (size_t i = 0; i < 3; i++)
		if (size <= UINT64_MAX - (pages[i] - 1))
			r->rounded_bits[i] |= (size + pages[i] - 1) & ~(pages[i] - 1);
	if (size > r->max_size)
		r->max_size = size;
}

static void add_error(struct trace *t, unsigned ev, int dev, int64_t err, uint64_t line)
{
	const struct error_key key = { .err = err, .dev = (uint16_t)dev, .ev = (uint8_t)ev };
	size_t slot = probe(t, t->error_slots, ERROR_SLOTS, &key, sizeof(key), same_error);

	if (!t->error_slots[slot]) {
		if (t->nerrs == MAX_ERRORS) {
			cda_line_hits_add(&t->unchecked, line);
			return;
		}
		t->errs[t->nerrs] = (struct errgroup){ .k = key };
		t->error_slots[slot] = (uint16_t)++t->nerrs;
	}
	cda_line_hits_add(&t->errs[t->error_slots[slot] - 1].seen, line);
}

/* ---- one event ---- */

/*
 * The names an event's values go by: the print format's (TP_printk) in the
 * text form, the TP_STRUCT__entry field names in the field forms (trace-cmd
 * report -R, the tracefs fields option), where dma_map_sg's sizes are
 * "lengths" (u32) and dma_map_sg_err's physical addresses "phys_addrs".
 */
struct names {
	bool raw;
	const char *sizes, *sg_err_addrs;
	size_t sizes_len, sg_err_len;
	unsigned width, size_width; /* array elements: 0 for "{0x..}", else bytes */
};

static const struct names text_names = {
	false, " sizes=", " dma_addrs=", 7, 11, 0, 0,
};
static const struct names raw_names = {
	true, " lengths=", " phys_addrs=", 9, 12, 8, 4,
};

/*
 * Addresses of an array field, paired with the sizes array when sized. The
 * arrays are checked whole before anything is recorded, so a damaged line
 * adds nothing but its malformed count.
 */
static bool add_array(struct trace *t, unsigned ev, int dev, enum field f, const char *body,
		      const char *end, const char *key, size_t klen, const struct names *nm,
		      bool sized, bool record, uint64_t line)
{
	struct array addrs, sizes = { NULL, NULL, 0 }; /* unused unless sized */
	uint64_t addr, size = 0;
	int r;

	if (!array_open(body, end, key, klen, nm->width, &addrs) ||
	    (sized && !array_open(body, end, nm->sizes, nm->sizes_len, nm->size_width, &sizes)))
		return false;
	while ((r = array_next(&addrs, &addr)) > 0) {
		if (sized && array_next(&sizes, &size) <= 0)
			return false;
		if (record)
			add_addr(t, ev, dev, f, addr, size, line);
	}
	return r == 0 && (!sized || array_next(&sizes, &size) == 0);
}

/* Every array of a line is checked (ARRAY_OK) before any is recorded (ARRAY_ADD). */
#define ARRAY_OK(key, sized) \
	add_array(t, ev, di, 0, body, end, " " key "=", sizeof(" " key "=") - 1, nm, sized, false, line)
#define ARRAY_ADD(key, f, sized) \
	add_array(t, ev, di, f, body, end, " " key "=", sizeof(" " key "=") - 1, nm, sized, true, line)

/*
 * attrs MMIO (DMA_ATTR_MMIO): a mapping of device memory, peer to peer, which
 * dma-direct never bounces and which carries no shared bit, so its addresses
 * say nothing about pools. The text form decodes the attrs ("attrs=MMIO|..."),
 * the field forms give the number.
 */
static bool has_mmio_attr(const char *body, const char *end, const struct names *nm)
{
	const char *a, *e, *m;
	uint64_t attrs;

	if (nm->raw)
		return FIELD_NUM(body, end, "attrs", &attrs) && (attrs & DMA_ATTR_MMIO);
	if (!field(body, end, " attrs=", 7, &a, &e))
		return false;
	/* one memmem, not a call per flag: "attrs=||||..." stays fast */
	for (m = a; (m = memmem(m, (size_t)(e - m), "MMIO", 4)); m += 4)
		if ((m == a || m[-1] == '|') && (e - m == 4 || m[4] == '|'))
			return true;
	return false;
}

/*
 * A device name as dev_name() gives it is printable ASCII. Any other byte (a
 * control character, a terminal escape, a NUL, invalid UTF-8) makes the line
 * malformed: it would otherwise reach the report.
 */
static bool device_name_ok(const char *s, const char *end)
{
	for (; s < end; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* err=%d: "-12"; the tracefs fields form prints an int as "0xfffffff4 (-12)". */
static bool parse_err(const char *body, const char *end, int64_t *out)
{
	const char *v, *ve, *n;
	uint64_t u;
	bool neg;

	if (!field(body, end, " err=", 5, &v, &ve))
		return false;
	if (ve - v > 2 && v[0] == '0' && v[1] == 'x') {
		if (!cda_parse_hex(v + 2, ve, &u, &n) || n != ve || u > UINT32_MAX)
			return false;
		*out = (int32_t)(uint32_t)u;
		return true;
	}
	neg = v < ve && *v == '-';
	if (!cda_parse_dec(v + neg, ve, &u, &n) || n != ve || u > INT32_MAX)
		return false;
	*out = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

/*
 * The device name at the start of the body: "NAME dir=..." in the text form
 * ("dev_name: NAME ..." for swiotlb_bounced), "device=NAME ..." or
 * "dev_name=NAME ..." in the field forms. *nm says which form the body is in.
 */
static bool device_of(unsigned ev, const char *body, const char *end, const char **dev,
		      const char **dev_end, const struct names **nm)
{
	static const char *const prefixes[] = { "device=", "dev_name=" };
	size_t skip = 0;

	*nm = &text_names;
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(prefixes[i]);

		if ((size_t)(end - body) > n && !memcmp(body, prefixes[i], n)) {
			*nm = &raw_names;
			skip = n;
		}
	}
	if (!skip && events[ev].kind == K_BOUNCED) {
		if ((size_t)(end - body) < 10 || memcmp(body, "dev_name: ", 10))
			return false;
		skip = 10;
	}
	*dev = body + skip;
	*dev_end = memchr(*dev, ' ', (size_t)(end - *dev));
	if (!*dev_end)
		*dev_end = end;
	return *dev_end > *dev && device_name_ok(*dev, *dev_end);
}

static bool parse_event(struct trace *t, unsigned ev, const char *body, const char *end,
			uint64_t line)
{
	const struct names *nm;
	const char *dev, *dev_end;
	uint64_t addr, size, phys;
	int64_t err;
	int di;

	if (!device_of(ev, body, end, &dev, &dev_end, &nm))
		return false;
	if (events[ev].kind == K_COUNT_ONLY)
		return true;
	di = device_index(t, dev, (size_t)(dev_end - dev));
	if (di < 0) {
		cda_line_hits_add(&t->unchecked, line);
		return true;
	}
	body = dev_end;
	switch (events[ev].kind) {
	case K_MAP:
		if (!FIELD_HEX(body, end, "dma_addr", &addr) || !FIELD_NUM(body, end, "size", &size) ||
		    !FIELD_HEX(body, end, "phys_addr", &phys))
			return false;
		if (addr == DMA_MAPPING_ERROR) {
			add_error(t, ev, di, 0, line);
			return true;
		}
		if (has_mmio_attr(body, end, nm)) {
			t->mmio_maps++;
			return true;
		}
		add_addr(t, ev, di, F_DMA_ADDR, addr, size, line);
		add_addr(t, ev, di, F_PHYS_ADDR, phys, size, line);
		return true;
	case K_MAP_SG:
		if (!ARRAY_OK("dma_addrs", true) || !ARRAY_OK("phys_addrs", false))
			return false;
		ARRAY_ADD("dma_addrs", F_DMA_ADDRS, true);
		ARRAY_ADD("phys_addrs", F_PHYS_ADDRS, false);
		return true;
	case K_ALLOC:
	case K_ALLOC_SGT:
		if (!FIELD_HEX(body, end, "dma_addr", &addr) || !FIELD_NUM(body, end, "size", &size))
			return false;
		if (events[ev].kind == K_ALLOC_SGT && !ARRAY_OK("phys_addrs", false))
			return false;
		if (addr == DMA_MAPPING_ERROR) {
			add_error(t, ev, di, 0, line);
			return true;
		}
		add_addr(t, ev, di, F_DMA_ADDR, addr, size, line);
		if (events[ev].kind == K_ALLOC_SGT)
			ARRAY_ADD("phys_addrs", F_PHYS_ADDRS, false);
		return true;
	case K_BOUNCED:
		if (!FIELD_HEX(body, end, "dev_addr", &addr) || !FIELD_NUM(body, end, "size", &size))
			return false;
		add_addr(t, ev, di, F_DEV_ADDR, addr, size, line);
		return true;
	case K_SG_ERR:
		/* the text form's "dma_addrs" array holds physical addresses */
		if (!parse_err(body, end, &err) ||
		    !add_array(t, ev, di, 0, body, end, nm->sg_err_addrs, nm->sg_err_len, nm, false,
			       false, line))
			return false;
		add_array(t, ev, di, F_SG_ERR_ADDRS, body, end, nm->sg_err_addrs, nm->sg_err_len, nm,
			  false, true, line);
		add_error(t, ev, di, err, line);
		return true;
	case K_ALLOC_ERR:
		add_error(t, ev, di, -12, line); /* the allocation failed: no memory (-ENOMEM) */
		return true;
	case K_COUNT_ONLY:
		break;
	}
	return true;
}

static int event_index(const char *name, size_t len)
{
	if (len < 8 || (memcmp(name, "dma_", 4) && memcmp(name, "swiotlb_", 8)))
		return -1;
	for (size_t i = 0; i < NEVENTS; i++)
		if (events[i].len == len && !memcmp(events[i].name, name, len))
			return (int)i;
	return -1;
}

/* ---- one line ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* The start of the token that ends at end (after the last space before it). */
static const char *token_start(const char *s, const char *end)
{
	while (end > s && end[-1] != ' ' && end[-1] != '\t')
		end--;
	return end;
}

/* [s, end) is digits with at most one '.': "9.851983", "13554986000", "145168". */
static bool number_token(const char *s, const char *end)
{
	int dots = 0;

	if (s == end || !is_digit(end[-1]))
		return false;
	for (; s < end; s++)
		if (*s == '.' ? ++dots > 1 : !is_digit(*s))
			return false;
	return true;
}

/*
 * Whether the ':' at c ends a header's time column. The forms
 * (kernel/trace/trace_output.c trace_print_time(), lat_print_timestamp(),
 * and trace-cmd report):
 *   "    9.851983: "        seconds (trace, trace-cmd report; -t: 9 places)
 *   " 13554986000: "        a counter clock, trace-cmd --raw-ts
 *   " 145168us!: "          latency-format: microseconds and a delay mark,
 *   " 145781us : "            one of "$@*#!+" or a space
 *   " (+0.004ms): "         latency-format + verbose: "[ts] 145.168ms (+0.004ms): "
 *   " 1234 (+5): "            or "[ts] 1234 (+5): " with a counter clock
 */
static bool time_colon(const char *s, const char *c)
{
	const char *q = c, *tok;

	if (q > s && q[-1] == ')') {
		tok = token_start(s, q);
		return q - tok >= 4 && tok[0] == '(' && tok[1] == '+';
	}
	if (q > s && q[-1] == ' ') /* "145781us :" */
		q--;
	else if (q > s && q[-1] && strchr("$@*#!+", q[-1]))
		q--;
	if (q - s >= 3 && q[-1] == 's' && q[-2] == 'u' && is_digit(q[-3]))
		return number_token(token_start(s, q - 2), q - 2);
	return q == c && number_token(token_start(s, c), c);
}

/*
 * Where the event name starts, NULL if the line has no event header. With
 * context-info off a line starts with the name ("dma_map_page: ..."): a name
 * of lower-case letters, digits and '_', with a '_', right at the start (a
 * header always starts with the task name, right-aligned after a space, or
 * with "task-pid"). Otherwise the name follows the time column's ": ", and
 * trace-cmd report --ts-diff puts "(+29)" before it.
 */
static const char *event_start(const char *s, const char *end)
{
	const char *p = s, *c;
	bool underscore = false;

	while (p < end && ((*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '_'))
		underscore |= *p++ == '_';
	if (p > s && underscore && p < end && *p == ':' && (end - p == 1 || p[1] == ' '))
		return s;
	for (c = s; (c = memchr(c, ':', (size_t)(end - c))); c++) {
		if (end - c < 3 || c[1] != ' ' || !time_colon(s, c))
			continue;
		p = c + 2;
		while (p < end && *p == ' ')
			p++;
		if (end - p > 2 && p[0] == '(' && p[1] == '+') {
			const char *r = memchr(p, ')', (size_t)(end - p));

			if (!r)
				return NULL;
			for (p = r + 1; p < end && *p == ' '; p++)
				;
		}
		return p;
	}
	return NULL;
}

static bool comment_line(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	/* "# tracer: nop" ..., and what trace-cmd report starts with or says */
	return p == end || *p == '#' || (n > 5 && !memcmp(p, "cpus=", 5)) ||
	       (n > 10 && !memcmp(p, "version = ", 10)) ||
	       (n > 9 && !memcmp(p, "CPU ", 4) && memmem(p, n, " is empty", 9));
}

static void bad_line(struct trace *t, const char *s, size_t len, uint64_t line, const char *why)
{
	if (!t->malformed.count) {
		size_t n = len < EXCERPT_LEN ? len : EXCERPT_LEN;

		for (size_t i = 0; i < n; i++)
			t->first_bad[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
		memcpy(t->first_bad + n, len > n ? "..." : "", len > n ? 4 : 1);
		t->first_why = why;
	}
	cda_line_hits_add(&t->malformed, line);
}

/* Reads one line; returns whether it is a trace line (a header or an event line). */
static bool parse_line(void *ctx, const char *s, size_t len, bool cut, uint64_t line)
{
	struct trace *t = ctx;
	const char *end = s + len, *p = s, *name, *name_end;
	int ev;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (comment_line(p, end)) {
		t->comments++;
		/* ftrace's header and trace-cmd's make a trace of no events a trace */
		return (len > 10 && !memcmp(s, "# tracer: ", 10)) ||
		       (len > 5 && !memcmp(s, "cpus=", 5) && is_digit(s[5]));
	}
	t->content++;
	if (cut) {
		bad_line(t, s, len, line, "a line over 64 KiB");
		return false;
	}
	name = event_start(s, end);
	for (name_end = name; name_end && name_end < end && is_ident(*name_end); name_end++)
		;
	if (!name || name_end == name || name_end == end || *name_end != ':') {
		bad_line(t, s, len, line, "no event header ('TASK-PID [CPU] TIMESTAMP: EVENT:' or 'EVENT:')");
		return false;
	}
	ev = event_index(name, (size_t)(name_end - name));
	if (ev < 0) {
		t->other_events++;
		return true;
	}
	t->ev_count[ev]++;
	/* The body, after "name:" and its padding (trace-cmd aligns it with spaces). */
	p = name_end + 1;
	while (p < end && *p == ' ')
		p++;
	/* libtraceevent falls back to the fields when it cannot use the print format */
	if (end - p > 18 && !memcmp(p, "[FAILED TO PARSE] ", 18))
		p += 18;
	if (p == name_end + 1 || p == end || !parse_event(t, (unsigned)ev, p, end, line))
		bad_line(t, s, len, line, "the fields of a dma or swiotlb event do not parse");
	return true;
}

/* ---- facts ---- */

static const char *kind_name(enum ev_kind k)
{
	switch (k) {
	case K_MAP:
	case K_MAP_SG:
		return "map";
	case K_ALLOC:
	case K_ALLOC_SGT:
		return "alloc";
	case K_BOUNCED:
		return "bounced";
	default:
		return "error";
	}
}

static uint64_t lowbit(uint64_t x)
{
	return x & -x;
}

static void run_facts(struct cda_fb *fb, const struct trace *t, size_t group, uint16_t slot,
		      struct cda_value *list)
{
	const struct group *g = &t->groups[group];
	const struct run_stats *r = &t->stats[slot];
	static const char *const rounded[3] = {
		"rounded_4k_size_alignment", "rounded_16k_size_alignment", "rounded_64k_size_alignment",
	};
	struct cda_value *o = cda_fb_push_obj(fb, list);

	cda_fb_u64(fb, o, "group", group);
	cda_fb_line_hits_in(fb, o, &r->seen);
	cda_fb_hex(fb, o, "first_address", r->first_addr);
	cda_fb_hex(fb, o, "min", t->runs[slot].min);
	cda_fb_hex(fb, o, "last", t->runs[slot].last);
	cda_fb_hex(fb, o, "end", r->end);
	cda_fb_hex(fb, o, "max_size", r->max_size);
	cda_fb_hex(fb, o, "addr_bits", r->addr_bits);
	cda_fb_hex(fb, o, "size_alignment", lowbit(r->size_bits));
	for (size_t i = 0; kind_is_alloc(events[g->k.ev].kind) && i < 3; i++)
		cda_fb_hex(fb, o, rounded[i], lowbit(r->rounded_bits[i]));
}

/* Slots with their stats, to sort by first_seq. */
struct seen_slot {
	uint64_t first_seq;
	uint16_t slot;
};

static int cmp_first_seen(const void *pa, const void *pb)
{
	const struct seen_slot *x = pa, *y = pb;

	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

/* A group and its runs, the runs in the order they were first seen. */
static void group_facts(struct cda_fb *fb, const struct trace *t, size_t gi,
			struct cda_value *list)
{
	const struct group *g = &t->groups[gi];
	struct cda_value *o = cda_fb_push_obj(fb, list), *runs;
	struct seen_slot order[MAX_RUNS];

	cda_fb_str(fb, o, "event", events[g->k.ev].name);
	cda_fb_str(fb, o, "kind", kind_name(events[g->k.ev].kind));
	cda_fb_str(fb, o, "field", field_names[g->k.field]);
	cda_fb_str(fb, o, "address_kind", field_is_dma(g->k.field) ? "dma" : "phys");
	cda_fb_str(fb, o, "device", t->devs[g->k.dev]);
	runs = cda_fb_list(fb, o, "runs");
	for (size_t i = 0; i < g->nruns; i++)
		order[i] = (struct seen_slot){ t->stats[g->run[i]].first_seq, g->run[i] };
	qsort(order, g->nruns, sizeof(order[0]), cmp_first_seen);
	for (size_t i = 0; i < g->nruns && cda_fb_ok(fb); i++)
		run_facts(fb, t, gi, order[i].slot, runs);
}

/* An (event, device, error) key: where it was seen, and the errno or DMA_MAPPING_ERROR. */
static void error_facts(struct cda_fb *fb, const struct trace *t, const struct errgroup *e,
			struct cda_value *list)
{
	struct cda_value *o = cda_fb_push_obj(fb, list);
	char code[24];

	snprintf(code, sizeof(code), "%lld", (long long)e->k.err);
	cda_fb_line_hits_in(fb, o, &e->seen);
	cda_fb_str(fb, o, "event", events[e->k.ev].name);
	cda_fb_str(fb, o, "device", t->devs[e->k.dev]);
	cda_fb_str(fb, o, "error", e->k.err ? code : "DMA_MAPPING_ERROR");
}

/* The events traced, each by its count (events not seen are left out); returns the total. */
static uint64_t event_counts(struct cda_fb *fb, const struct trace *t, struct cda_value *counts)
{
	uint64_t total = 0;

	for (size_t i = 0; i < NEVENTS; i++) {
		total += t->ev_count[i];
		if (t->ev_count[i])
			cda_fb_u64(fb, counts, events[i].name, t->ev_count[i]);
	}
	return total;
}

static int build(struct cda_arena *a, const struct trace *t, const char *format, uint64_t nlines,
		 uint64_t bytes, struct cda_value **out, struct cda_error *err)
{
	struct cda_fb fb = { .a = a };
	struct cda_value *f = cda_fb_new_obj(&fb), *counts = cda_fb_new_obj(&fb), *l;
	int ret;

	cda_fb_str(&fb, f, "format", format);
	cda_fb_u64(&fb, f, "lines", nlines);
	cda_fb_u64(&fb, f, "bytes", bytes);
	cda_fb_u64(&fb, f, "events", event_counts(&fb, t, counts));
	cda_fb_set(&fb, f, "event_counts", counts);
	cda_fb_u64(&fb, f, "other_events", t->other_events);
	cda_fb_u64(&fb, f, "mmio_mappings", t->mmio_maps);
	cda_fb_line_hits(&fb, f, "malformed", &t->malformed);
	cda_fb_line_hits(&fb, f, "unchecked", &t->unchecked);
	l = cda_fb_list(&fb, f, "groups");
	for (size_t i = 0; i < t->ngroups && cda_fb_ok(&fb); i++)
		group_facts(&fb, t, i, l);
	l = cda_fb_list(&fb, f, "errors");
	for (size_t i = 0; i < t->nerrs && cda_fb_ok(&fb); i++)
		error_facts(&fb, t, &t->errs[i], l);
	if ((ret = cda_fb_done(&fb, err)))
		return ret;
	*out = f;
	return 0;
}

/* ---- reading ---- */

/*
 * "Never pass on an input that was not understood": a trace more than half
 * of whose lines (not counting comments) could not be read is in a form the
 * reader does not know, or is not a trace; its events cannot be trusted to
 * be the ones that were there, so it is an input error, not a TRACE006 note.
 */
static int mostly_unreadable(const struct trace *t, const char *name, bool dat,
			     struct cda_error *err)
{
	if (!t->malformed.count || t->malformed.count * 2 <= t->content)
		return 0;
	return cda_fail(err, CDA_E_FORMAT,
			"%s: %llu of its %llu %s could not be read (the first, %s %llu, '%s': %s); "
			"expected ftrace event lines as the trace and trace_pipe files or trace-cmd "
			"report print them",
			name, (unsigned long long)t->malformed.count, (unsigned long long)t->content,
			dat ? "events" : "lines", dat ? "event" : "line",
			(unsigned long long)t->malformed.lines[0], t->first_bad, t->first_why);
}

/* Whether the start of src is a trace-cmd trace.dat; *fd is then open on it (-1 otherwise). */
static int sniff_dat(const struct cda_source *src, int *fd, struct cda_error *err)
{
	unsigned char head[CDA_TRACE_DAT_MAGIC_LEN];
	struct stat st;
	ssize_t n;

	*fd = -1;
	if (src->data) {
		if (!cda_trace_dat_magic(src->data, src->len))
			return 0;
		return cda_trace_dat_memfd(src->data, src->len, cda_source_name(src), fd, err);
	}
	/* a pipe cannot be read twice: the line reader names a trace.dat met there */
	if (!strcmp(src->path, "-")) {
		if (fstat(STDIN_FILENO, &st) || !S_ISREG(st.st_mode))
			return 0;
		n = pread(STDIN_FILENO, head, sizeof(head), 0);
		if (n != (ssize_t)sizeof(head) || !cda_trace_dat_magic(head, (size_t)n))
			return 0;
		*fd = dup(STDIN_FILENO);
		return *fd < 0 ? cda_fail(err, CDA_E_IO, "<stdin>: %s", strerror(errno)) : 0;
	}
	*fd = open(src->path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return 0; /* the line reader says why */
	n = fstat(*fd, &st) == 0 && S_ISREG(st.st_mode) ? pread(*fd, head, sizeof(head), 0) : -1;
	if (n != (ssize_t)sizeof(head) || !cda_trace_dat_magic(head, (size_t)n)) {
		close(*fd);
		*fd = -1;
	}
	return 0;
}

int cda_trace_facts_src(struct cda_arena *a, const struct cda_source *src, struct cda_value **out,
			struct cda_error *err)
{
	static const struct cda_lines_kind kind = {
		"an ftrace text", "ftrace event output ('TASK-PID [CPU] TIMESTAMP: EVENT: ...')",
	};
	struct trace *t;
	uint64_t nlines = 0, bytes = 0;
	int fd, ret = sniff_dat(src, &fd, err);

	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t) {
		if (fd >= 0)
			close(fd);
		return cda_oom(err, NULL);
	}
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uintptr_t)t; /* no entropy yet: where the heap is, randomised too */
	if (fd >= 0)
		ret = cda_trace_dat_each(fd, cda_source_name(src), parse_line, t, &nlines, &bytes, err);
	else
		ret = cda_lines_each_src(src, &kind, parse_line, t, &nlines, &bytes, err);
	if (ret == 0)
		ret = mostly_unreadable(t, cda_source_name(src), fd >= 0, err);
	if (ret == 0)
		ret = build(a, t, fd >= 0 ? "trace.dat" : "text", nlines, bytes, out, err);
	free(t);
	return ret;
}

int cda_trace_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		    struct cda_error *err)
{
	return cda_trace_facts_src(a, &(struct cda_source){ .path = path }, out, err);
}
