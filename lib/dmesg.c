// SPDX-License-Identifier: MIT
/*
 * Kernel log loader. Lines are matched on the message text the kernel prints
 * (DOMAIN.md §2), found anywhere in the line, so every prefix works: dmesg
 * ("[    0.000000] "), dmesg -T ("[Sat Nov 21 10:00:00 2026] "), journalctl -k
 * ("Nov 21 10:00:00 host kernel: "), syslog levels ("<6>") or none. The log is
 * streamed; events keep a count and their first line numbers, not every line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "runtime.h"
#include "util.h"

#define MAX_POOLS 64   /* restricted pools kept; more are counted */
#define MAX_RMEM 64    /* reserved-memory nodes kept; lines about more are counted */
#define RMEM_NAME 128  /* longest node name or compatible kept; longer is malformed */

struct event {
	struct cda_line_hits hits;
	uint64_t sum, max; /* pages leaked in total; the largest failed request */
};

enum ev_id {
	EV_SWIOTLB_FULL, EV_DECRYPT_FAIL, EV_ENCRYPT_FAIL, EV_DMA_LEAK, EV_POOL_INIT_FAIL,
	EV_POOL_HIGHMEM, EV_RSI_UNSUPPORTED, EV_MEM_ENCRYPT, EV_MALFORMED, EV_BBML2,
	EV_SHARING_WARN, EV_POOL_DECRYPT_FAIL, EV_COUNT,
};

static const char *const ev_names[EV_COUNT] = {
	"swiotlb_full", "decrypt_failures", "encrypt_failures", "dma_leaks",
	"restricted_pool_init_failures", "restricted_pool_highmem", "rsi_unsupported",
	"mem_encrypt_active", "malformed", "bbml2_noabort", "sharing_warnings",
	"pool_decrypt_failures",
};

struct pool {
	uint64_t base, size_mib, line;
};

/*
 * A /reserved-memory node as drivers/of/of_reserved_mem.c names it in the
 * log: rmem->name, the node name with its unit address. Its lines are merged
 * by that name, so a node in the list has everything the log says of it.
 */
struct rmem {
	char name[RMEM_NAME];
	char compat[RMEM_NAME]; /* "initialized node NAME, compatible id COMPAT"; "" without */
	uint64_t line, base, size;
	bool reserved, no_map, reusable, refused;
};

/* A GITS_BASERn table as its_setup_baser() prints it. */
struct its_table {
	uint64_t base, size, line;
};

struct dmesg {
	struct event ev[EV_COUNT];
	bool have_range, booted;
	uint64_t start, end, range_line, ranges;
	struct pool pools[MAX_POOLS];
	size_t npools;
	uint64_t pools_seen;
	char rsi[32];
	uint64_t rsi_line;
	bool have_pkvm;
	uint64_t pkvm_words[4], pkvm_line;
	struct its_table its[MAX_POOLS];
	size_t nits;
	uint64_t its_seen;
	struct rmem rmem[MAX_RMEM];
	size_t nrmem;
	uint64_t rmem_dropped;
	/* of the "swiotlb buffer is full" line with the fewest slots in use */
	bool have_full_slots;
	uint64_t full_used, full_total;
};

/*
 * The rest of "swiotlb buffer is full (sz: N bytes), total T (slots), used U
 * (slots)" (swiotlb_tbl_map_single()): the failure with the fewest slots in
 * use is kept. A pool that fails with most slots free is not full: no run of
 * free slots fits the request where the search looks (XIN010).
 */
static void parse_full_slots(struct dmesg *d, const char *p, const char *end);

static void hit(struct event *e, uint64_t line, uint64_t add)
{
	cda_line_hits_add(&e->hits, line);
	e->sum += add;
	if (add > e->max)
		e->max = add;
}

static const char *find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

/* Just past the first needle in s, where a message's values start; NULL if absent. */
static const char *after(const char *s, size_t len, const char *needle)
{
	const char *p = find(s, len, needle);

	return p ? p + strlen(needle) : NULL;
}

/* A hex number ("0x" optional) at *p, which moves past it; false on no digits or overflow. */
static bool hexnum(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return cda_parse_hex(s, end, out, p);
}

static bool decnum(const char **p, const char *end, uint64_t *out)
{
	return cda_parse_dec(*p, end, out, p);
}

static void parse_full_slots(struct dmesg *d, const char *p, const char *end)
{
	static const char total[] = " bytes), total ", used[] = " (slots), used ";
	uint64_t t, u;

	if ((size_t)(end - p) < sizeof(total) - 1 || memcmp(p, total, sizeof(total) - 1))
		return;
	p += sizeof(total) - 1;
	if (!decnum(&p, end, &t) || (size_t)(end - p) < sizeof(used) - 1 ||
	    memcmp(p, used, sizeof(used) - 1))
		return;
	p += sizeof(used) - 1;
	if (!decnum(&p, end, &u) || u > t)
		return;
	if (!d->have_full_slots || u < d->full_used)
		d->full_used = u, d->full_total = t;
	d->have_full_slots = true;
}

static bool lit(const char **p, const char *end, const char *want)
{
	size_t n = strlen(want);

	if ((size_t)(end - *p) < n || memcmp(*p, want, n))
		return false;
	*p += n;
	return true;
}

/* "software IO TLB: mapped [mem 0x...-0x...] (64MB)": end is exclusive (start + bytes). */
static bool parse_range(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	uint64_t s, e;

	if (!hexnum(&p, end, &s) || !lit(&p, end, "-") || !hexnum(&p, end, &e) ||
	    !lit(&p, end, "]") || e <= s)
		return false;
	d->ranges++;
	if (!d->have_range) { /* the first is the boot-time pool; later ones are re-inits */
		d->have_range = true;
		d->start = s;
		d->end = e;
		d->range_line = line;
	}
	return true;
}

/* "...created restricted DMA pool at 0x0000000050000000, size 64 MiB" */
static bool parse_pool(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	uint64_t base, mib;

	if (!hexnum(&p, end, &base) || !lit(&p, end, ", size ") || !decnum(&p, end, &mib) ||
	    mib > (UINT64_MAX >> 20))
		return false;
	d->pools_seen++;
	if (d->npools < MAX_POOLS)
		d->pools[d->npools++] = (struct pool){ base, mib, line };
	return true;
}

/* "hypervisor services detected (0x%08lx 0x%08lx 0x%08lx 0x%08lx)" printed a3..a0. */
static bool parse_pkvm(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	uint64_t w[4];

	for (int i = 0; i < 4; i++)
		if (!hexnum(&p, end, &w[i]) || !lit(&p, end, i == 3 ? ")" : " "))
			return false;
	d->have_pkvm = true;
	memcpy(d->pkvm_words, w, sizeof(w));
	d->pkvm_line = line;
	return true;
}

static bool digits(const char **p, const char *end)
{
	const char *s = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

static bool alpha3(const char *p)
{
	for (int i = 0; i < 3; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z')))
			return false;
	return true;
}

/*
 * Whether a line carries a kernel log prefix: a syslog level ("<6>"), dmesg's
 * "[    0.152420] " (also after dmesg -x's "kern  :info  : "), dmesg -T's
 * "[Sat Nov 21 09:12:01 2026] ", dmesg --time-format iso's
 * "2026-11-21T09:12:01,...", or journalctl's and syslog's "HOST kernel: ". A
 * log is known by these even when none of its messages is one this loader
 * reads; what has none of them and no such message is not a kernel log.
 */
static bool log_prefix(const char *s, size_t len)
{
	const char *end = s + len, *p = s, *b;

	if (p < end && *p == '<' && (++p, digits(&p, end)) && p < end && *p == '>')
		return true;
	p = s;
	if (end - p >= 11 && digits(&p, end) && p - s == 4 && *p == '-' && p[3] == '-' && p[6] == 'T')
		return true;
	b = memchr(s, '[', len < 32 ? len : 32);
	if (b) {
		p = b + 1;
		while (p < end && *p == ' ')
			p++;
		if (digits(&p, end) && p < end && *p == '.' && (++p, digits(&p, end)) && p < end &&
		    *p == ']')
			return true;
		if (end - b > 9 && alpha3(b + 1) && b[4] == ' ' && alpha3(b + 5) && b[8] == ' ' &&
		    memchr(b, ']', (size_t)(end - b) < 32 ? (size_t)(end - b) : 32))
			return true;
	}
	return memmem(s, len < 128 ? len : 128, " kernel: ", 9) != NULL;
}

/*
 * "ITS@0x...: allocated 8192 Devices @40a0000 (indirect, esz 8, psz 64K, shr 1)"
 * (its_setup_baser()): the address is physical, hex without 0x. The table is
 * PAGE_SIZE << order bytes, and the count is that size over the entry size
 * (8 for an indirect table), rounded down: the size is the power of two that
 * count * entry rounds up to. In a realm its_alloc_pages_node() shares it.
 */
static bool parse_its(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	uint64_t count, base, esz, size = 1;
	const char *at = memchr(p, '@', (size_t)(end - p)), *q;
	bool indirect;

	if (!decnum(&p, end, &count) || !at || (p = at + 1, !hexnum(&p, end, &base)) ||
	    !lit(&p, end, " (") || !(q = find(p, (size_t)(end - p), "esz ")))
		return false;
	indirect = lit(&p, end, "indirect");
	p = q + 4;
	if (!decnum(&p, end, &esz) || !esz || esz > 256 || count > (UINT64_MAX >> 9))
		return false;
	while (size < count * (indirect ? 8 : esz))
		size <<= 1;
	d->its_seen++;
	if (d->nits < MAX_POOLS)
		d->its[d->nits++] = (struct its_table){ base, size < 4096 ? 4096 : size, line };
	return true;
}

/*
 * A WARNING from the arm64 memory-sharing code: set_memory_decrypted() with an
 * unaligned address (arch/arm64/mm/mem_encrypt.c, returns 0 without sharing),
 * realm_set_memory_{en,de}crypted() and the page-table walk under it
 * (arch/arm64/mm/pageattr.c), or a refused linear-map split
 * (split_kernel_leaf_mapping() in arch/arm64/mm/mmu.c).
 */
static bool sharing_warning(const char *s, size_t len)
{
	return find(s, len, "WARNING: ") &&
	       (find(s, len, "at arch/arm64/mm/pageattr.c:") ||
		find(s, len, "at arch/arm64/mm/mem_encrypt.c:") ||
		find(s, len, "split_kernel_leaf_mapping+"));
}

/*
 * A node name or compatible id, [p, e), copied to out (RMEM_NAME bytes);
 * false when it is empty, too long or has a space.
 */
static bool rmem_word(const char *p, const char *e, char *out)
{
	size_t n = (size_t)(e - p);

	if (n == 0 || n >= RMEM_NAME || memchr(p, ' ', n))
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/*
 * The node called name, added at line when new; NULL when MAX_RMEM nodes are
 * kept already (the line is then counted in rmem_dropped, so a rule knows a
 * name missing from the list may still be in the log).
 */
static struct rmem *rmem_node(struct dmesg *d, const char *name, uint64_t line)
{
	struct rmem *r;

	for (size_t i = 0; i < d->nrmem; i++)
		if (!strcmp(d->rmem[i].name, name))
			return &d->rmem[i];
	if (d->nrmem == MAX_RMEM) {
		d->rmem_dropped++;
		return NULL;
	}
	r = &d->rmem[d->nrmem++];
	strcpy(r->name, name); /* both RMEM_NAME bytes */
	r->line = line;
	return r;
}

/*
 * "%pa..%pa (%lu KiB) map|nomap reusable|non-reusable NAME": the region
 * kept after its init function took it or when none matched
 * (fdt_init_reserved_mem_node(); kernels after v6.1, which prints none). The
 * end is inclusive (base + size - 1) and the KiB are size / 1024, which must
 * agree.
 */
static bool parse_rmem_region(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	uint64_t base, last, kib;
	bool no_map, reusable;
	char name[RMEM_NAME];
	struct rmem *r;

	if (!hexnum(&p, end, &base) || !lit(&p, end, "..") || !hexnum(&p, end, &last) ||
	    !lit(&p, end, " (") || !decnum(&p, end, &kib) || !lit(&p, end, " KiB) ") ||
	    last < base || last - base == UINT64_MAX || (last - base + 1) >> 10 != kib)
		return false;
	no_map = lit(&p, end, "nomap ");
	if (!no_map && !lit(&p, end, "map "))
		return false;
	reusable = lit(&p, end, "reusable ");
	if ((!reusable && !lit(&p, end, "non-reusable ")) || !rmem_word(p, end, name))
		return false;
	r = rmem_node(d, name, line);
	if (r) {
		r->reserved = true;
		r->base = base;
		r->size = last - base + 1;
		r->no_map = no_map;
		r->reusable = reusable;
	}
	return true;
}

/* "initialized node NAME, compatible id COMPAT" (__reserved_mem_init_node()): its init function succeeded. */
static bool parse_rmem_init(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	const char *sep = find(p, (size_t)(end - p), ", compatible id ");
	const char *id = after(p, (size_t)(end - p), ", compatible id ");
	char name[RMEM_NAME], compat[RMEM_NAME];
	struct rmem *r;

	if (!sep || !rmem_word(p, sep, name) || !rmem_word(id, end, compat))
		return false;
	r = rmem_node(d, name, line);
	if (r)
		strcpy(r->compat, compat);
	return true;
}

/* "node NAME compatible matching fail": its init function refused it, the region is given back. */
static bool parse_rmem_refused(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	static const char tail[] = " compatible matching fail";
	size_t n = sizeof(tail) - 1;
	char name[RMEM_NAME];
	struct rmem *r;

	if ((size_t)(end - p) <= n || memcmp(end - n, tail, n) || !rmem_word(p, end - n, name))
		return false;
	r = rmem_node(d, name, line);
	if (r)
		r->refused = true;
	return true;
}

/*
 * What follows "OF: reserved mem: " (pr_fmt of drivers/of/of_reserved_mem.c).
 * Its other messages (bad properties, overlaps) are not read; false only for
 * one of the three above that does not parse.
 */
static bool parse_rmem(struct dmesg *d, const char *p, const char *end, uint64_t line)
{
	const char *q = p;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t')) /* a console may pad lines */
		end--;
	if (lit(&q, end, "0x"))
		return parse_rmem_region(d, p, end, line);
	if (lit(&q, end, "initialized node "))
		return parse_rmem_init(d, q, end, line);
	if (lit(&q, end, "node ") && find(q, (size_t)(end - q), " compatible matching fail"))
		return parse_rmem_refused(d, q, end, line);
	return true;
}

/* "N pages will be leaked" of a failed en/decryption, counted as ev. */
static bool parse_leak(struct dmesg *d, const char *p, const char *end, uint64_t line, int ev)
{
	uint64_t n;
	bool ok = decnum(&p, end, &n) && lit(&p, end, " pages will be leaked");

	hit(&d->ev[ev], line, ok ? n : 0);
	return ok;
}

/* Read one line; true when it is a kernel log line (for the reader's sniffing). */
static bool parse_line(void *ctx, const char *s, size_t len, bool cut, uint64_t line)
{
	struct dmesg *d = ctx;
	const char *end = s + len, *p;
	bool ok = true, known = true;
	uint64_t n;

	(void)cut; /* a cut line is still searched: the messages sit at its start */
	if ((p = after(s, len, "software IO TLB: mapped [mem "))) {
		ok = parse_range(d, p, end, line);
	} else if ((p = after(s, len, "created restricted DMA pool at "))) {
		ok = parse_pool(d, p, end, line);
	} else if ((p = after(s, len, "OF: reserved mem: "))) {
		ok = parse_rmem(d, p, end, line);
	} else if ((p = after(s, len, "RME: Using RSI version "))) {
		const char *v = p, *ve = v;

		while (ve < end && ve - v < (ptrdiff_t)sizeof(d->rsi) - 1 &&
		       ((*ve >= '0' && *ve <= '9') || *ve == '.'))
			ve++;
		ok = ve > v;
		if (ok) {
			memcpy(d->rsi, v, (size_t)(ve - v));
			d->rsi[ve - v] = '\0';
			d->rsi_line = line;
		}
	} else if (find(s, len, "RME: RMM doesn't support RSI version")) {
		hit(&d->ev[EV_RSI_UNSUPPORTED], line, 0);
	} else if (find(s, len, "Memory encryption is active and system is using DMA bounce buffers")) {
		hit(&d->ev[EV_MEM_ENCRYPT], line, 0);
	} else if ((p = after(s, len, "swiotlb buffer is full (sz: "))) {
		ok = decnum(&p, end, &n);
		hit(&d->ev[EV_SWIOTLB_FULL], line, ok ? n : 0);
		if (ok)
			parse_full_slots(d, p, end);
	} else if ((p = after(s, len, "Failed to decrypt memory, "))) {
		ok = parse_leak(d, p, end, line, EV_DECRYPT_FAIL);
	} else if ((p = after(s, len, "Failed to encrypt memory, "))) {
		ok = parse_leak(d, p, end, line, EV_ENCRYPT_FAIL);
	} else if (find(s, len, "leaking DMA memory that can't be re-encrypted")) {
		hit(&d->ev[EV_DMA_LEAK], line, 0);
	} else if (find(s, len, "failed to initialise \"restricted-dma-pool\" memory node")) {
		hit(&d->ev[EV_POOL_INIT_FAIL], line, 0);
	} else if (find(s, len, "Restricted DMA pool must be accessible within the linear mapping")) {
		hit(&d->ev[EV_POOL_HIGHMEM], line, 0);
	} else if ((p = after(s, len, "hypervisor services detected ("))) {
		ok = parse_pkvm(d, p, end, line);
	} else if (find(s, len, "CPU features: detected: BBM Level 2 without conflict abort")) {
		hit(&d->ev[EV_BBML2], line, 0);
	} else if (sharing_warning(s, len)) {
		hit(&d->ev[EV_SHARING_WARN], line, 0);
	} else if (find(s, len, "Failed to decrypt default memory pool") ||
		   find(s, len, "Failed to decrypt restricted DMA pool")) {
		hit(&d->ev[EV_POOL_DECRYPT_FAIL], line, 0);
	} else if (find(s, len, "ITS@") && (p = after(s, len, ": allocated "))) {
		ok = parse_its(d, p, end, line);
	} else if (find(s, len, "Booting Linux on physical CPU") || find(s, len, "Linux version ")) {
		d->booted = true;
	} else {
		known = log_prefix(s, len);
	}
	if (!ok)
		hit(&d->ev[EV_MALFORMED], line, 0);
	return known;
}

/* dmesg.reserved_mem: the nodes of_reserved_mem.c named, in the order first named. */
static void build_rmem(struct cda_fb *fb, const struct dmesg *d, struct cda_value *f)
{
	struct cda_value *list = cda_fb_list(fb, f, "reserved_mem");

	cda_fb_u64(fb, f, "reserved_mem_dropped", d->rmem_dropped);
	for (size_t i = 0; i < d->nrmem && cda_fb_ok(fb); i++) {
		const struct rmem *r = &d->rmem[i];
		struct cda_value *o = cda_fb_push_obj(fb, list);

		cda_fb_str(fb, o, "name", r->name);
		cda_fb_u64(fb, o, "line", r->line);
		cda_fb_bool(fb, o, "reserved", r->reserved);
		cda_fb_bool(fb, o, "refused", r->refused);
		if (r->compat[0])
			cda_fb_str(fb, o, "initialized", r->compat);
		if (!r->reserved)
			continue;
		cda_fb_hex(fb, o, "base", r->base);
		cda_fb_hex(fb, o, "size", r->size);
		cda_fb_bool(fb, o, "no_map", r->no_map);
		cda_fb_bool(fb, o, "reusable", r->reusable);
	}
}

/* The swiotlb line, the restricted pools and the ITS tables: where memory went at boot. */
static void build_regions(struct cda_fb *fb, const struct dmesg *d, struct cda_value *f)
{
	struct cda_value *l;

	if (d->have_range) {
		struct cda_value *r = cda_fb_obj(fb, f, "swiotlb");

		cda_fb_hex(fb, r, "start", d->start);
		cda_fb_hex(fb, r, "end", d->end);
		cda_fb_hex(fb, r, "size", d->end - d->start);
		cda_fb_u64(fb, r, "line", d->range_line);
		cda_fb_u64(fb, r, "times_printed", d->ranges);
	}
	l = cda_fb_list(fb, f, "restricted_pools");
	for (size_t i = 0; i < d->npools && cda_fb_ok(fb); i++) {
		struct cda_value *p = cda_fb_push_obj(fb, l);

		cda_fb_hex(fb, p, "base", d->pools[i].base);
		cda_fb_hex(fb, p, "size", d->pools[i].size_mib << 20);
		cda_fb_u64(fb, p, "size_mib", d->pools[i].size_mib);
		cda_fb_u64(fb, p, "line", d->pools[i].line);
	}
	cda_fb_u64(fb, f, "restricted_pools_seen", d->pools_seen);
	build_rmem(fb, d, f);
	l = cda_fb_list(fb, f, "its_tables");
	cda_fb_u64(fb, f, "its_tables_seen", d->its_seen);
	for (size_t i = 0; i < d->nits && cda_fb_ok(fb); i++) {
		struct cda_value *t = cda_fb_push_obj(fb, l);

		cda_fb_hex(fb, t, "base", d->its[i].base);
		cda_fb_hex(fb, t, "size", d->its[i].size);
		cda_fb_u64(fb, t, "line", d->its[i].line);
	}
}

/* What kind of guest the log shows: swiotlb set up at boot, a realm, pKVM services. */
static void build_guest(struct cda_fb *fb, const struct dmesg *d, struct cda_value *f)
{
	uint64_t bits = d->pkvm_words[3];
	struct cda_value *o;

	/*
	 * Whether the boot-time swiotlb line is there. Its absence means
	 * something only if the log reaches back to boot; a rotated ring
	 * buffer may simply have lost it.
	 */
	if (d->have_range || d->booted)
		cda_fb_bool(fb, f, "swiotlb_mapped", d->have_range);
	else
		cda_fb_unknown(fb, f, "swiotlb_mapped",
			       "the log does not reach back to boot (no 'Booting Linux' or "
			       "'Linux version' line), so the swiotlb line may have rotated out");
	if (d->rsi[0]) {
		o = cda_fb_obj(fb, f, "rsi");
		cda_fb_str(fb, o, "version", d->rsi);
		cda_fb_u64(fb, o, "line", d->rsi_line);
	}
	/* A realm says so twice: the RSI version line and the bounce-buffer warning. */
	cda_fb_bool(fb, f, "realm", d->rsi[0] || d->ev[EV_MEM_ENCRYPT].hits.count);
	if (!d->have_pkvm)
		return;
	/* pkvm_init_hyp_services(): bits 2-4 HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE; 7 MMIO_GUARD. */
	o = cda_fb_obj(fb, f, "kvm");
	cda_fb_hex(fb, o, "features", bits);
	cda_fb_bool(fb, o, "hyp_meminfo", bits >> 2 & 1);
	cda_fb_bool(fb, o, "mem_share", bits >> 3 & 1);
	cda_fb_bool(fb, o, "mem_unshare", bits >> 4 & 1);
	cda_fb_bool(fb, o, "mmio_guard", bits >> 7 & 1);
	cda_fb_bool(fb, o, "pkvm_services", (bits & 0x1c) != 0);
	cda_fb_u64(fb, o, "line", d->pkvm_line);
}

static int build(struct cda_arena *a, const struct dmesg *d, uint64_t nlines,
		 struct cda_value **out, struct cda_error *err)
{
	struct cda_fb fb = { .a = a };
	struct cda_value *f = cda_fb_new_obj(&fb);
	int ret;

	cda_fb_u64(&fb, f, "lines", nlines);
	cda_fb_bool(&fb, f, "starts_at_boot", d->booted);
	build_regions(&fb, d, f);
	build_guest(&fb, d, f);
	for (int i = 0; i < EV_COUNT; i++) {
		const struct event *ev = &d->ev[i];
		struct cda_value *e = cda_fb_line_hits(&fb, f, ev_names[i], &ev->hits);

		if (i == EV_DECRYPT_FAIL || i == EV_ENCRYPT_FAIL) /* the pages they leak */
			cda_fb_u64(&fb, e, "pages", ev->sum);
		if (i == EV_SWIOTLB_FULL)
			cda_fb_u64(&fb, e, "largest_request", ev->max);
		if (i == EV_SWIOTLB_FULL && d->have_full_slots) {
			cda_fb_u64(&fb, e, "least_used", d->full_used);
			cda_fb_u64(&fb, e, "total_slots", d->full_total);
		}
	}
	if ((ret = cda_fb_done(&fb, err)))
		return ret;
	*out = f;
	return 0;
}

int cda_dmesg_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		    struct cda_error *err)
{
	return cda_dmesg_facts_src(a, &(struct cda_source){ .path = path }, out, err);
}

int cda_dmesg_facts_src(struct cda_arena *a, const struct cda_source *src, struct cda_value **out,
			struct cda_error *err)
{
	static const struct cda_lines_kind kind = {
		"a kernel log", "dmesg, dmesg -T or journalctl -k output",
	};
	struct dmesg *d = calloc(1, sizeof(*d));
	uint64_t nlines;
	int ret;

	if (!d)
		return cda_oom(err, NULL);
	ret = cda_lines_each_src(src, &kind, parse_line, d, &nlines, NULL, err);
	if (ret == 0)
		ret = build(a, d, nlines, out, err);
	free(d);
	return ret;
}
