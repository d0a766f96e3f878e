// SPDX-License-Identifier: MIT
/*
 * ftrace loader for the dma:* and swiotlb:* events (DOMAIN.md §5), streamed in
 * constant memory. Each address an event carries is put in a group keyed by
 * (event, device, field, highest set bit, pool it falls in, pool it falls in
 * with that bit cleared); a group keeps a count, its first line numbers and
 * its extent. The groups are what rules see: one finding per distinct
 * problem, with a count, however long the trace.
 *
 * Why the highest bit is in the key: in a realm a shared buffer's DMA address
 * carries BIT(ipa_bits - 1) (top fact 1). Without --ipa-bits that bit is only
 * known once the whole trace has been read (the highest bit DMA addresses use
 * and physical addresses never do), so each group remembers its highest bit and
 * both pool matches, and the decision is taken at the end.
 *
 * The header before the event name ("comm-pid [cpu] flags ts: ") depends on
 * the trace options, so a line is read from the first ": " after a digit (the
 * timestamp's colon) onward. Non-dma events are counted; dma lines whose
 * fields do not parse or whose device name is not printable ASCII, cut lines
 * and lines that are not trace lines at all are "malformed": counted, their
 * first line numbers kept, never fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lines.h"
#include "runtime.h"
#include "util.h"

/*
 * The tables are fixed, so memory is constant whatever the trace holds; what
 * does not fit is counted as unchecked (TRACE006), never dropped silently.
 * Each is found through an open-addressing hash table of twice its size, so
 * a lookup costs the same with 8 devices or 1024.
 */
#define MAX_GROUPS 4096  /* distinct (event, device, field, bit, pool) keys */
#define MAX_ERRORS 256   /* distinct (event, device, error) keys */
#define MAX_DEVICES 1024
#define MAX_DEVNAME 128  /* longer names are unchecked */
#define GROUP_SLOTS 8192 /* powers of two, 2 x their table */
#define ERROR_SLOTS 512
#define DEVICE_SLOTS 2048
#define DMA_MAPPING_ERROR UINT64_MAX
#define REGION_NONE (-1)
#define MIN_SHARED_BIT 31 /* ipa_bits >= 32 */

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

/* What a group is keyed by: hashed and compared as bytes, so no padding. */
struct group_key {
	uint8_t ev, field, hb, zero;
	int16_t reg_raw, reg_strip;
	uint16_t dev;
};

struct group {
	struct group_key k;
	struct cda_line_hits seen;
	uint64_t min, end, or_bits, max_size, first_addr;
};

struct error_key {
	int64_t err; /* errno, or 0 for DMA_MAPPING_ERROR */
	uint16_t dev;
	uint8_t ev, zero[5];
};
_Static_assert(sizeof(struct group_key) == 10 && sizeof(struct error_key) == 16,
	       "table keys without padding bytes");

struct errgroup {
	struct error_key k;
	struct cda_line_hits seen;
};

struct trace {
	const struct cda_trace_ctx *ctx;
	uint64_t ev_count[NEVENTS];
	uint64_t other_events, comments;
	uint64_t mmio_maps; /* dma_map_phys with attrs=MMIO: never bounced, not checked */
	struct cda_line_hits malformed;
	char devs[MAX_DEVICES][MAX_DEVNAME + 1];
	size_t ndevs, last_dev;
	struct cda_line_hits unchecked; /* events beyond the group/device limits */
	struct group groups[MAX_GROUPS];
	size_t ngroups;
	struct errgroup errs[MAX_ERRORS];
	size_t nerrs;
	uint64_t seed; /* of the hash, fnv1a() */
	/* index + 1 into devs, groups, errs; 0 is an empty slot */
	uint16_t dev_slots[DEVICE_SLOTS], group_slots[GROUP_SLOTS], error_slots[ERROR_SLOTS];
};

/* ---- number and field parsing ---- */

/* Hex with an optional 0x (arrays have it, %llx fields do not). */
static bool hex64(const char *s, const char *end, uint64_t *out, const char **next)
{
	if (end - s > 2 && s[0] == '0' && s[1] == 'x')
		s += 2;
	return cda_parse_hex(s, end, out, next);
}

/* The value of " key=" in body: [*v, *vend). */
static bool field(const char *body, const char *end, const char *key, size_t klen,
		  const char **v, const char **vend)
{
	const char *p = memmem(body, (size_t)(end - body), key, klen);

	if (!p)
		return false;
	*v = p + klen;
	*vend = memchr(*v, ' ', (size_t)(end - *v));
	if (!*vend)
		*vend = end;
	return true;
}

static bool field_hex(const char *body, const char *end, const char *key, size_t klen,
		      uint64_t *out)
{
	const char *v, *ve, *n;

	return field(body, end, key, klen, &v, &ve) && hex64(v, ve, out, &n) && n == ve;
}

static bool field_dec(const char *body, const char *end, const char *key, size_t klen,
		      uint64_t *out)
{
	const char *v, *ve, *n;

	return field(body, end, key, klen, &v, &ve) && cda_parse_dec(v, ve, out, &n) && n == ve;
}

#define FIELD_HEX(b, e, k, o) field_hex(b, e, " " k "=", sizeof(" " k "=") - 1, o)
#define FIELD_DEC(b, e, k, o) field_dec(b, e, " " k "=", sizeof(" " k "=") - 1, o)

/* Array cursor over "{0x1,0x2}" (__print_array); "{}" is empty. */
struct array {
	const char *p, *end;
};

static bool array_open(const char *body, const char *end, const char *key, size_t klen,
		       struct array *a)
{
	const char *v, *ve;

	if (!field(body, end, key, klen, &v, &ve) || ve - v < 2 || v[0] != '{' || ve[-1] != '}')
		return false;
	a->p = v + 1;
	a->end = ve - 1;
	return true;
}

/* 1 with *out set, 0 at the end, -1 on a malformed element. */
static int array_next(struct array *a, uint64_t *out)
{
	const char *n;

	if (a->p >= a->end)
		return 0;
	if (!hex64(a->p, a->end, out, &n) || (n < a->end && *n != ','))
		return -1;
	a->p = n + (n < a->end);
	return 1;
}

/* ---- groups ---- */

static int region_of(const struct cda_trace_ctx *ctx, uint64_t addr, uint64_t size)
{
	uint64_t last = addr + (size ? size - 1 : 0);

	if (last < addr)
		return REGION_NONE;
	for (size_t i = 0; i < ctx->npools; i++) {
		const struct cda_trace_pool *p = &ctx->pools[i];

		if (addr >= p->base && last - p->base < p->size)
			return (int)i;
	}
	return REGION_NONE;
}

static int hibit(uint64_t x)
{
	return x ? 63 - __builtin_clzll(x) : 0;
}

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

static void add_addr(struct trace *t, unsigned ev, int dev, enum field f, uint64_t addr,
		     uint64_t size, uint64_t line)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	int hb = hibit(addr);
	struct group_key key = { .ev = (uint8_t)ev, .field = (uint8_t)f, .hb = (uint8_t)hb,
				 .dev = (uint16_t)dev, .reg_raw = REGION_NONE,
				 .reg_strip = REGION_NONE };
	/* an extent past the top of the address space ends at the top */
	uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;
	struct group *g;
	size_t slot;

	if (ctx->npools) {
		key.reg_raw = (int16_t)region_of(ctx, addr, size);
		if (key.reg_raw == REGION_NONE && hb >= MIN_SHARED_BIT)
			key.reg_strip = (int16_t)region_of(ctx, addr & ~(1ull << hb), size);
	}
	slot = probe(t, t->group_slots, GROUP_SLOTS, &key, sizeof(key), same_group);
	if (!t->group_slots[slot]) {
		if (t->ngroups == MAX_GROUPS) {
			cda_line_hits_add(&t->unchecked, line);
			return;
		}
		t->groups[t->ngroups] =
			(struct group){ .k = key, .min = UINT64_MAX, .first_addr = addr };
		t->group_slots[slot] = (uint16_t)++t->ngroups;
	}
	g = &t->groups[t->group_slots[slot] - 1];
	cda_line_hits_add(&g->seen, line);
	if (addr < g->min)
		g->min = addr;
	if (end > g->end)
		g->end = end;
	/*
	 * A coherent allocation's traced size is the caller's request; the
	 * kernel allocates whole pages (dma_direct_alloc(): PAGE_ALIGN(size)),
	 * so only its base says how it is aligned. Streaming mappings are
	 * bounced exactly as traced: base and size both count.
	 */
	g->or_bits |= addr | (events[ev].kind == K_ALLOC || events[ev].kind == K_ALLOC_SGT ? 0 : size);
	if (size > g->max_size)
		g->max_size = size;
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

/* ---- one line ---- */

/*
 * Addresses of an array field, paired with the sizes array when sized. The
 * arrays are checked whole before anything is recorded, so a damaged line
 * adds nothing but its malformed count.
 */
static bool add_array(struct trace *t, unsigned ev, int dev, enum field f, const char *body,
		      const char *end, const char *key, size_t klen, bool sized, bool record,
		      uint64_t line)
{
	struct array addrs, sizes = { NULL, NULL }; /* unused unless sized */
	uint64_t addr, size = 0;
	int r;

	if (!array_open(body, end, key, klen, &addrs) ||
	    (sized && !array_open(body, end, " sizes=", 7, &sizes)))
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
	add_array(t, ev, di, 0, body, end, " " key "=", sizeof(" " key "=") - 1, sized, false, line)
#define ARRAY_ADD(key, f, sized) \
	add_array(t, ev, di, f, body, end, " " key "=", sizeof(" " key "=") - 1, sized, true, line)

/*
 * attrs=MMIO (DMA_ATTR_MMIO, decoded by the dma events' attrs table): a
 * mapping of device memory, peer to peer, which dma-direct never bounces and
 * which carries no shared bit, so its addresses say nothing about pools.
 */
static bool has_mmio_attr(const char *body, const char *end)
{
	const char *a = memmem(body, (size_t)(end - body), " attrs=", 7), *e, *m;

	if (!a)
		return false;
	a += 7;
	e = memchr(a, ' ', (size_t)(end - a));
	if (!e)
		e = end;
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

static bool parse_event(struct trace *t, unsigned ev, const char *body, const char *end,
			uint64_t line)
{
	const char *dev = body, *dev_end;
	uint64_t addr, size, phys, err;
	int di;

	if (events[ev].kind == K_BOUNCED) {
		if ((size_t)(end - body) < 10 || memcmp(body, "dev_name: ", 10))
			return false;
		dev += 10;
	}
	dev_end = memchr(dev, ' ', (size_t)(end - dev));
	if (!dev_end || dev_end == dev || !device_name_ok(dev, dev_end))
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
		if (!FIELD_HEX(body, end, "dma_addr", &addr) || !FIELD_DEC(body, end, "size", &size) ||
		    !FIELD_HEX(body, end, "phys_addr", &phys))
			return false;
		if (addr == DMA_MAPPING_ERROR) {
			add_error(t, ev, di, 0, line);
			return true;
		}
		if (has_mmio_attr(body, end)) {
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
		if (!FIELD_HEX(body, end, "dma_addr", &addr) || !FIELD_DEC(body, end, "size", &size))
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
		if (!FIELD_HEX(body, end, "dev_addr", &addr) || !FIELD_DEC(body, end, "size", &size))
			return false;
		add_addr(t, ev, di, F_DEV_ADDR, addr, size, line);
		return true;
	case K_SG_ERR: {
		const char *v, *ve, *n;
		bool neg;

		/* err=%d is negative; the "dma_addrs" array holds physical addresses. */
		if (!field(body, end, " err=", 5, &v, &ve))
			return false;
		neg = v < ve && *v == '-';
		if (!cda_parse_dec(v + neg, ve, &err, &n) || n != ve || err > INT32_MAX ||
		    !ARRAY_OK("dma_addrs", false))
			return false;
		ARRAY_ADD("dma_addrs", F_SG_ERR_ADDRS, false);
		add_error(t, ev, di, neg ? -(int64_t)err : (int64_t)err, line);
		return true;
	}
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

static void parse_line(void *ctx, const char *s, size_t len, bool cut, uint64_t line)
{
	struct trace *t = ctx;
	const char *end = s + len, *p = s, *name, *name_end;
	int ev;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	/* comments, and the "cpus=N" / "version = 6" lines trace-cmd report starts with */
	if (p == end || *p == '#' || (end - p > 5 && !memcmp(p, "cpus=", 5)) ||
	    (end - p > 10 && !memcmp(p, "version = ", 10))) {
		t->comments++;
		return;
	}
	if (cut)
		goto bad;
	/* The timestamp's colon: ": " right after a digit. */
	for (;;) {
		p = memchr(p, ':', (size_t)(end - p));
		if (!p || end - p < 3)
			goto bad;
		if (p[1] == ' ' && p > s && p[-1] >= '0' && p[-1] <= '9')
			break;
		p++;
	}
	name = p + 2;
	name_end = memchr(name, ':', (size_t)(end - name));
	if (!name_end || name_end == name)
		goto bad;
	ev = event_index(name, (size_t)(name_end - name));
	if (ev < 0) {
		t->other_events++;
		return;
	}
	t->ev_count[ev]++;
	/* The body, after "name:" and its padding (trace-cmd aligns it with spaces). */
	p = name_end + 1;
	while (p < end && *p == ' ')
		p++;
	if (p == name_end + 1 || p == end || !parse_event(t, (unsigned)ev, p, end, line))
		goto bad;
	return;
bad:
	cda_line_hits_add(&t->malformed, line);
}

/* ---- facts ---- */

struct bit {
	int index;          /* -1 unknown */
	const char *source; /* "option" or "inferred" */
	const char *why;    /* how it was inferred, or why it is unknown */
};

/*
 * The realm's shared bit. Given: BIT(ipa_bits - 1). Otherwise the highest bit
 * device-visible addresses use, when no physical address reaches it (a shared
 * alias lies above all of the IPA space's RAM), or when clearing it puts the
 * addresses into a known pool.
 */
static struct bit find_bit(struct cda_arena *a, const struct trace *t)
{
	int hdma = -1, hphys = -1, hpool = -1;

	if (t->ctx->ipa_bits)
		return (struct bit){ (int)t->ctx->ipa_bits - 1, "option",
				     "--ipa-bits" };
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct group *g = &t->groups[i];

		if (field_is_dma(g->k.field) && g->k.hb > hdma && g->min != 0)
			hdma = g->k.hb;
		if (!field_is_dma(g->k.field) && g->k.hb > hphys)
			hphys = g->k.hb;
		if (field_is_dma(g->k.field) && g->k.reg_raw == REGION_NONE &&
		    g->k.reg_strip != REGION_NONE && g->k.hb > hpool)
			hpool = g->k.hb;
	}
	if (hdma >= MIN_SHARED_BIT && hphys >= 0 && hdma > hphys)
		return (struct bit){ hdma, "inferred",
			cda_arena_printf(a, "DMA addresses use bit %d, which no physical address in the "
					 "trace reaches (ipa_bits %d)", hdma, hdma + 1) };
	if (hdma >= MIN_SHARED_BIT && hpool == hdma)
		return (struct bit){ hdma, "inferred",
			cda_arena_printf(a, "with bit %d cleared, DMA addresses fall in a known pool "
					 "(ipa_bits %d)", hdma, hdma + 1) };
	return (struct bit){ -1, NULL,
		"no --ipa-bits, and the trace does not show the shared bit: no DMA address uses a "
		"bit (31 or above) that physical addresses never reach" };
}

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

static int group_facts(struct cda_arena *a, const struct trace *t, const struct group *g,
		       const struct bit *bit, struct cda_value *list)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	struct cda_value *o = cda_v_obj(a);
	bool dma = field_is_dma(g->k.field), has_bit = bit->index >= 0 && g->k.hb == bit->index;
	uint64_t strip = has_bit ? 1ull << bit->index : 0;
	int region = has_bit ? g->k.reg_strip : g->k.reg_raw;
	struct cda_value *shared, *in_pool;

	if (!o)
		return -1;
	/*
	 * Without the bit, an address that lies in a pool as it is still has an
	 * answer: pools are RAM in the protected half of the IPA space, below the
	 * shared bit, so such an address cannot carry it.
	 */
	shared = bit->index >= 0 || g->k.reg_raw != REGION_NONE ? cda_v_bool(a, has_bit)
							      : cda_v_unknown(a, bit->why);
	if (!ctx->npools)
		in_pool = cda_v_unknown(a, "no pool addresses known: give the boot log (--dmesg), or "
				       "with audit the device tree, so the tool knows where the pools are");
	else if (region != REGION_NONE || bit->index >= 0 || g->k.reg_strip == REGION_NONE)
		in_pool = cda_v_bool(a, region != REGION_NONE);
	else
		in_pool = cda_v_unknown(a, bit->why);
	if (cda_obj_set_str(a, o, "event", events[g->k.ev].name) ||
	    cda_obj_set_str(a, o, "kind", kind_name(events[g->k.ev].kind)) ||
	    cda_obj_set_str(a, o, "field", field_names[g->k.field]) ||
	    cda_obj_set_str(a, o, "address_kind", dma ? "dma" : "phys") ||
	    cda_obj_set_str(a, o, "device", t->devs[g->k.dev]) ||
	    cda_obj_set_u64(a, o, "count", g->seen.count) ||
	    cda_obj_set(a, o, "lines", cda_line_hits_list(a, &g->seen)) ||
	    cda_obj_set_hex(a, o, "first_address", g->first_addr) ||
	    cda_obj_set_hex(a, o, "min", g->min - strip) ||
	    cda_obj_set_hex(a, o, "end", g->end - strip) ||
	    cda_obj_set_hex(a, o, "max_size", g->max_size) ||
	    /* the largest power of two dividing every address and size */
	    cda_obj_set_hex(a, o, "alignment", (g->or_bits & ~strip) & -(g->or_bits & ~strip)) ||
	    cda_obj_set(a, o, "shared_bit", shared) ||
	    cda_obj_set(a, o, "in_pool", in_pool) ||
	    (region != REGION_NONE && cda_obj_set_str(a, o, "pool", ctx->pools[region].name)) ||
	    cda_list_push(a, list, o))
		return -1;
	return 0;
}

static int build(struct cda_arena *a, const struct trace *t, uint64_t nlines, uint64_t bytes,
		 struct cda_value **out)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	struct cda_value *f = cda_v_obj(a), *counts = cda_v_obj(a), *groups = cda_v_list(a);
	struct cda_value *errs = cda_v_list(a), *pools = cda_v_list(a), *bitv;
	struct bit bit = find_bit(a, t);
	uint64_t total = 0;

	if (!f || !counts || !groups || !errs || !pools || !bit.why)
		return -1;
	for (size_t i = 0; i < NEVENTS; i++) {
		total += t->ev_count[i];
		if (t->ev_count[i] && cda_obj_set_u64(a, counts, events[i].name, t->ev_count[i]))
			return -1;
	}
	if (bit.index >= 0) {
		bitv = cda_v_obj(a);
		if (!bitv || cda_obj_set_hex(a, bitv, "value", 1ull << bit.index) ||
		    cda_obj_set_u64(a, bitv, "ipa_bits", (uint64_t)bit.index + 1) ||
		    cda_obj_set_str(a, bitv, "source", bit.source) ||
		    cda_obj_set_str(a, bitv, "reason", bit.why))
			return -1;
	} else if (!(bitv = cda_v_unknown(a, bit.why))) {
		return -1;
	}
	for (size_t i = 0; i < ctx->npools; i++) {
		struct cda_value *p = cda_v_obj(a);

		if (!p || cda_obj_set_str(a, p, "name", ctx->pools[i].name) ||
		    cda_obj_set_str(a, p, "source", ctx->pools[i].source) ||
		    cda_obj_set_hex(a, p, "base", ctx->pools[i].base) ||
		    cda_obj_set_hex(a, p, "size", ctx->pools[i].size) || cda_list_push(a, pools, p))
			return -1;
	}
	for (size_t i = 0; i < t->ngroups; i++)
		if (group_facts(a, t, &t->groups[i], &bit, groups))
			return -1;
	for (size_t i = 0; i < t->nerrs; i++) {
		const struct errgroup *e = &t->errs[i];
		struct cda_value *o = cda_line_hits_value(a, &e->seen);
		long long code = e->k.err;

		if (!o || cda_obj_set_str(a, o, "event", events[e->k.ev].name) ||
		    cda_obj_set_str(a, o, "device", t->devs[e->k.dev]) ||
		    cda_obj_set_str(a, o, "error", code ? cda_arena_printf(a, "%lld", code)
						   : "DMA_MAPPING_ERROR") ||
		    cda_list_push(a, errs, o))
			return -1;
	}
	if (cda_obj_set_u64(a, f, "lines", nlines) || cda_obj_set_u64(a, f, "bytes", bytes) ||
	    cda_obj_set_u64(a, f, "events", total) || cda_obj_set(a, f, "event_counts", counts) ||
	    cda_obj_set_u64(a, f, "other_events", t->other_events) ||
	    cda_obj_set_u64(a, f, "mmio_mappings", t->mmio_maps) ||
	    cda_obj_set(a, f, "malformed", cda_line_hits_value(a, &t->malformed)) ||
	    cda_obj_set(a, f, "unchecked", cda_line_hits_value(a, &t->unchecked)) ||
	    cda_obj_set(a, f, "shared_bit", bitv) || cda_obj_set(a, f, "pools", pools) ||
	    cda_obj_set(a, f, "groups", groups) || cda_obj_set(a, f, "errors", errs))
		return -1;
	*out = f;
	return 0;
}

/* ---- sniffing ---- */

struct reading {
	struct trace *t;
	bool known; /* an event line (or ftrace's own header) was seen */
};

/*
 * Whether a line is an event line, "TIMESTAMP: EVENT: ": found as
 * parse_line() finds them, but with the timestamp all digits (one '.' at
 * most) and the event name an identifier, so prose with a colon after a
 * number ("vmlinux-6.14.1: error [...]: ...") is not taken for a trace.
 */
static bool event_line(const char *s, size_t len)
{
	const char *end = s + len, *p = s, *q, *name;
	int dots = 0;

	for (;; p++) {
		p = memchr(p, ':', (size_t)(end - p));
		if (!p || end - p < 3)
			return false;
		if (p[1] == ' ' && p > s && p[-1] >= '0' && p[-1] <= '9')
			break;
	}
	for (q = p; q > s && q[-1] != ' ' && q[-1] != '\t'; q--)
		if (q[-1] == '.' ? ++dots > 1 : q[-1] < '0' || q[-1] > '9')
			return false;
	for (name = q = p + 2; q < end && *q != ':'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '_'))
			return false;
	return q < end && q > name;
}

/*
 * parse_line(), and for the reader whether the line was a trace line: an
 * event line, whether or not a dma one, or the header ftrace ("# tracer:
 * nop") or trace-cmd report ("cpus=4") starts with, so a trace of zero events
 * is still a trace.
 */
static bool read_line(void *ctx, const char *s, size_t len, bool cut, uint64_t line)
{
	struct reading *r = ctx;

	parse_line(r->t, s, len, cut, line);
	if (!r->known)
		r->known = event_line(s, len) || (len > 10 && !memcmp(s, "# tracer: ", 10)) ||
			   (len > 5 && !memcmp(s, "cpus=", 5) && s[5] >= '0' && s[5] <= '9');
	return r->known;
}

int cda_trace_facts(struct cda_arena *a, const char *path, const struct cda_trace_ctx *ctx,
		    struct cda_value **out, struct cda_error *err)
{
	static const struct cda_lines_kind kind = {
		"an ftrace text", "ftrace event output ('TASK-PID [CPU] TIMESTAMP: EVENT: ...')",
	};
	struct trace *t = calloc(1, sizeof(*t));
	struct reading r = { t, false };
	uint64_t nlines, bytes;
	int ret;

	if (!t)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	t->ctx = ctx;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uintptr_t)t; /* no entropy yet: where the heap is, randomised too */
	ret = cda_lines_each(path, &kind, read_line, &r, &nlines, &bytes, err);
	if (ret == 0 && build(a, t, nlines, bytes, out))
		ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
	free(t);
	return ret;
}
