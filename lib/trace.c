// SPDX-License-Identifier: MIT
/*
 * ftrace loader for the dma:* and swiotlb:* events (DOMAIN.md §5), streamed in
 * constant memory. Each address an event carries is put in a group keyed by
 * (event, device, field, whether it carries the shared bit, pool it falls
 * in); a group keeps a count, its first line numbers and its extent. The
 * groups are what rules see: one finding per distinct problem, with a count,
 * however long the trace.
 *
 * The realm's shared bit, BIT(ipa_bits - 1), is a property of the realm that
 * the guest never prints (arch/arm64/kernel/rsi.c keeps config.ipa_bits to
 * itself), so it comes only from --ipa-bits (ctx->ipa_bits). It is never
 * guessed from the addresses: where buffers land says nothing about it. With
 * the bit, a DMA address is checked against the pools in its canonical form
 * (dma_to_phys() clears the bit); without it, or on pKVM where there is none,
 * an address is used as it is.
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
#define MAX_GROUPS 4096  /* distinct (event, device, field, shared bit, pool) keys */
#define MAX_ERRORS 256   /* distinct (event, device, error) keys */
#define MAX_DEVICES 1024
#define MAX_DEVNAME 128  /* longer names are unchecked */
#define GROUP_SLOTS 8192 /* powers of two, 2 x their table */
#define ERROR_SLOTS 512
#define DEVICE_SLOTS 2048
#define DMA_MAPPING_ERROR UINT64_MAX
#define DMA_ATTR_MMIO (1ull << 10) /* include/linux/dma-mapping.h, v6.18 */
#define REGION_NONE (-1)
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
 * What a group is keyed by: hashed and compared as bytes, so no padding.
 * shared: the address carries the known bit. high: the bit is not known
 * (and there may be one) and the address is at or above LOWEST_SHARED_BIT,
 * so whether it carries one is not known either.
 */
struct group_key {
	uint8_t ev, field, shared, high;
	int16_t region; /* of the canonical address */
	uint16_t dev;
};

struct group {
	struct group_key k;
	struct cda_line_hits seen;
	uint64_t min, end, addr_bits, max_size, first_addr;
	uint64_t size_bits;    /* OR of the traced sizes */
	uint64_t rounded_bits; /* OR of the sizes rounded up to the guest page (ctx->page_size) */
};

struct error_key {
	int64_t err; /* errno, or 0 for DMA_MAPPING_ERROR */
	uint16_t dev;
	uint8_t ev, zero[5];
};
_Static_assert(sizeof(struct group_key) == 8 && sizeof(struct error_key) == 16,
	       "table keys without padding bytes");

struct errgroup {
	struct error_key k;
	struct cda_line_hits seen;
};

struct trace {
	const struct cda_trace_ctx *ctx;
	uint64_t shared_bit; /* 0: not known, or none (pKVM) */
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

static uint64_t lowbit(uint64_t x)
{
	return x & -x;
}

static void add_addr(struct trace *t, unsigned ev, int dev, enum field f, uint64_t addr,
		     uint64_t size, uint64_t line)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	bool shared = t->shared_bit && (addr & t->shared_bit);
	bool high = !t->shared_bit && !ctx->no_shared_bit && addr >= LOWEST_SHARED_BIT;
	struct group_key key = { .ev = (uint8_t)ev, .field = (uint8_t)f, .shared = shared,
				 .high = high, .dev = (uint16_t)dev, .region = REGION_NONE };
	/* an extent past the top of the address space ends at the top */
	uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;
	uint64_t page = ctx->page_size, first = addr;
	struct group *g;
	size_t slot;

	/* dma_to_phys() clears the bit before the address means memory */
	if (shared)
		addr &= ~t->shared_bit, end &= ~t->shared_bit;
	if (ctx->npools)
		key.region = (int16_t)region_of(ctx, addr, size);
	slot = probe(t, t->group_slots, GROUP_SLOTS, &key, sizeof(key), same_group);
	if (!t->group_slots[slot]) {
		if (t->ngroups == MAX_GROUPS) {
			cda_line_hits_add(&t->unchecked, line);
			return;
		}
		t->groups[t->ngroups] = (struct group){ .k = key, .min = UINT64_MAX, .first_addr = first };
		t->group_slots[slot] = (uint16_t)++t->ngroups;
	}
	g = &t->groups[t->group_slots[slot] - 1];
	cda_line_hits_add(&g->seen, line);
	if (addr < g->min)
		g->min = addr;
	if (end > g->end)
		g->end = end;
	g->addr_bits |= addr;
	g->size_bits |= size;
	/*
	 * A coherent allocation's traced size is the caller's request; the
	 * kernel allocates whole guest pages (dma_direct_alloc() and
	 * dma_direct_alloc_pages(): size = PAGE_ALIGN(size)), and that is what
	 * it shares. The rounding needs the guest's page size.
	 */
	if (page && size <= UINT64_MAX - (page - 1))
		g->rounded_bits |= (size + page - 1) & ~(page - 1);
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

/* Why the shared bit is unknown. */
static const char *no_bit_reason(const struct cda_trace_ctx *ctx)
{
	return ctx->no_shared_bit
		? "not a realm: no address carries a shared bit"
		: "the realm's shared bit is not known: pass --ipa-bits N (the realm's IPA width, from the "
		  "VMM's configuration; the guest never prints it)";
}

/* The size facts of a coherent allocation group (size_alignment, rounded_size_alignment). */
static int alloc_size_facts(struct cda_arena *a, const struct trace *t, const struct group *g,
			    struct cda_value *o)
{
	uint64_t page = t->ctx->page_size;

	return cda_obj_set_hex(a, o, "size_alignment", lowbit(g->size_bits)) ||
	       cda_obj_set(a, o, "rounded_size_alignment", page
			   ? cda_v_hex(a, lowbit(g->rounded_bits))
			   : cda_v_unknown(a, "the guest page size is not known, so neither is the size "
					   "dma_direct_alloc() rounds these buffers to: give the guest "
					   "kernel (audit --kernel)"));
}

static int group_facts(struct cda_arena *a, const struct trace *t, const struct group *g,
		       struct cda_value *list)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	struct cda_value *o = cda_v_obj(a);
	bool dma = field_is_dma(g->k.field);
	int region = g->k.region;
	struct cda_value *shared, *in_pool;

	if (!o)
		return -1;
	/*
	 * Without the bit some addresses still have an answer: one below
	 * LOWEST_SHARED_BIT cannot carry it, nor can one lying in a pool as it
	 * is (pools are RAM in the protected half of the IPA space, below the
	 * bit), and where there is no bit an address means what it says.
	 */
	if (t->shared_bit || !g->k.high || region != REGION_NONE)
		shared = t->shared_bit || !ctx->no_shared_bit ? cda_v_bool(a, g->k.shared)
							       : cda_v_unknown(a, no_bit_reason(ctx));
	else
		shared = cda_v_unknown(a, no_bit_reason(ctx));
	if (!ctx->npools)
		in_pool = cda_v_unknown(a, "no pool addresses known: give the boot log (--dmesg), or "
				       "with audit the device tree, so the tool knows where the pools are");
	else if (!g->k.high || region != REGION_NONE)
		in_pool = cda_v_bool(a, region != REGION_NONE);
	else
		in_pool = cda_v_unknown(a, "these addresses lie in no known pool as they are, but in a "
				       "realm the shared bit is cleared first, and it is not known: pass "
				       "--ipa-bits N, or --platform pkvm");
	if (cda_obj_set_str(a, o, "event", events[g->k.ev].name) ||
	    cda_obj_set_str(a, o, "kind", kind_name(events[g->k.ev].kind)) ||
	    cda_obj_set_str(a, o, "field", field_names[g->k.field]) ||
	    cda_obj_set_str(a, o, "address_kind", dma ? "dma" : "phys") ||
	    cda_obj_set_str(a, o, "device", t->devs[g->k.dev]) ||
	    cda_obj_set_u64(a, o, "count", g->seen.count) ||
	    cda_obj_set(a, o, "lines", cda_line_hits_list(a, &g->seen)) ||
	    cda_obj_set_hex(a, o, "first_address", g->first_addr) ||
	    cda_obj_set_hex(a, o, "min", g->min) ||
	    cda_obj_set_hex(a, o, "end", g->end) ||
	    cda_obj_set_hex(a, o, "max_size", g->max_size) ||
	    /* the largest power of two dividing every address (the shared bit cleared) */
	    cda_obj_set_hex(a, o, "alignment", lowbit(g->addr_bits)) ||
	    (kind_is_alloc(events[g->k.ev].kind) && alloc_size_facts(a, t, g, o)) ||
	    cda_obj_set(a, o, "shared_bit", shared) ||
	    cda_obj_set(a, o, "in_pool", in_pool) ||
	    (region != REGION_NONE && cda_obj_set_str(a, o, "pool", ctx->pools[region].name)) ||
	    cda_list_push(a, list, o))
		return -1;
	return 0;
}

static struct cda_value *bit_fact(struct cda_arena *a, const struct trace *t)
{
	struct cda_value *v;

	if (!t->shared_bit)
		return cda_v_unknown(a, no_bit_reason(t->ctx));
	v = cda_v_obj(a);
	if (!v || cda_obj_set_hex(a, v, "value", t->shared_bit) ||
	    cda_obj_set_u64(a, v, "ipa_bits", t->ctx->ipa_bits) ||
	    cda_obj_set_str(a, v, "source", "option"))
		return NULL;
	return v;
}

static int build(struct cda_arena *a, const struct trace *t, const char *format, uint64_t nlines,
		 uint64_t bytes, struct cda_value **out)
{
	const struct cda_trace_ctx *ctx = t->ctx;
	struct cda_value *f = cda_v_obj(a), *counts = cda_v_obj(a), *groups = cda_v_list(a);
	struct cda_value *errs = cda_v_list(a), *pools = cda_v_list(a), *bitv = bit_fact(a, t);
	uint64_t total = 0;

	if (!f || !counts || !groups || !errs || !pools || !bitv)
		return -1;
	for (size_t i = 0; i < NEVENTS; i++) {
		total += t->ev_count[i];
		if (t->ev_count[i] && cda_obj_set_u64(a, counts, events[i].name, t->ev_count[i]))
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
		if (group_facts(a, t, &t->groups[i], groups))
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
	if (cda_obj_set_str(a, f, "format", format) ||
	    cda_obj_set_u64(a, f, "lines", nlines) || cda_obj_set_u64(a, f, "bytes", bytes) ||
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

int cda_trace_facts_src(struct cda_arena *a, const struct cda_source *src,
			const struct cda_trace_ctx *ctx, struct cda_value **out,
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
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	}
	t->ctx = ctx;
	/* a realm's bit; pKVM has none, whatever --ipa-bits says */
	t->shared_bit = ctx->ipa_bits && !ctx->no_shared_bit ? 1ull << (ctx->ipa_bits - 1) : 0;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uintptr_t)t; /* no entropy yet: where the heap is, randomised too */
	if (fd >= 0)
		ret = cda_trace_dat_each(fd, cda_source_name(src), parse_line, t, &nlines, &bytes, err);
	else
		ret = cda_lines_each_src(src, &kind, parse_line, t, &nlines, &bytes, err);
	if (ret == 0)
		ret = mostly_unreadable(t, cda_source_name(src), fd >= 0, err);
	if (ret == 0 && build(a, t, fd >= 0 ? "trace.dat" : "text", nlines, bytes, out))
		ret = cda_fail(err, CDA_E_NOMEM, "out of memory");
	free(t);
	return ret;
}

int cda_trace_facts(struct cda_arena *a, const char *path, const struct cda_trace_ctx *ctx,
		    struct cda_value **out, struct cda_error *err)
{
	return cda_trace_facts_src(a, &(struct cda_source){ .path = path }, ctx, out, err);
}
