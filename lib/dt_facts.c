// SPDX-License-Identifier: MIT
/*
 * Device tree -> "dt" facts. What is extracted, and why, follows how Linux
 * reads the tree (DOMAIN.md §3): reserved regions from /reserved-memory
 * (drivers/of/of_reserved_mem.c), pool users from memory-region
 * (drivers/of/device.c of_dma_set_restricted_buffer), switches from
 * /chosen bootargs. Fact names are documented in lib/schema/facts-v1.schema.json (and the generated man/cca-dma-audit-rules.5).
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cmdline.h"
#include "dt_facts.h"
#include "util.h"

/* include/linux/of.h: what Linux assumes when the root has no #*-cells. */
#define OF_ROOT_NODE_ADDR_CELLS_DEFAULT 1
#define OF_ROOT_NODE_SIZE_CELLS_DEFAULT 1

/*
 * Binary search: the props are sorted (cda_dt_sort), and a node a hostile
 * tree gives a million properties is looked up once per child. Of repeated
 * names the first as read, as the kernel's of_find_property() finds.
 */
const struct dt_prop *cda_dt_prop(const struct dt_node *n, const char *name)
{
	size_t lo = 0, hi = n->nprops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(n->props[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n->nprops && !strcmp(n->props[lo].name, name) ? &n->props[lo] : NULL;
}

uint32_t cda_dt_be32(const unsigned char *p)
{
	return fdt32_ld((const fdt32_t *)p); /* libfdt's unaligned big-endian load */
}

uint64_t cda_dt_read_cells(const unsigned char *p, unsigned cells)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < cells; i++)
		v = v << 32 | cda_dt_be32(p + 4 * i);
	return v;
}

/* A string or string list property ends in NUL, as libfdt's fdt_stringlist_* expect. */
static bool is_strings(const struct dt_prop *p)
{
	return p && p->len && p->val[p->len - 1] == '\0';
}

const char *cda_dt_prop_str(const struct dt_node *n, const char *name)
{
	const struct dt_prop *p = cda_dt_prop(n, name);

	return is_strings(p) ? (const char *)p->val : NULL;
}

bool cda_dt_prop_has_string(const struct dt_node *n, const char *name, const char *want)
{
	const struct dt_prop *p = cda_dt_prop(n, name);

	if (!is_strings(p))
		return false;
	for (size_t off = 0; off < p->len; off += strlen((const char *)p->val + off) + 1)
		if (!strcmp((const char *)p->val + off, want))
			return true;
	return false;
}

static struct cda_value *string_list(struct dt_ctx *c, const struct dt_prop *p)
{
	struct cda_value *l = cda_v_list(c->a);

	if (!l || !is_strings(p))
		return l;
	for (size_t off = 0; off < p->len; off += strlen((const char *)p->val + off) + 1)
		if (cda_list_push(c->a, l, cda_v_str(c->a, (const char *)p->val + off)))
			return NULL;
	return l;
}

/*
 * The kernel reads at most two cells into a phys_addr_t, so anything else is
 * refused here rather than silently truncated.
 */
int cda_dt_node_cells(struct dt_ctx *c, const struct dt_node *n, const char *pname, unsigned dflt,
		      bool allow_pci, unsigned *out, bool *present)
{
	const struct dt_prop *p = cda_dt_prop(n, pname);
	uint32_t v;

	if (present)
		*present = p != NULL;
	*out = dflt;
	if (!p)
		return 0;
	if (p->len != 4)
		return cda_fail(c->err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": %s is %zu bytes, expected 4", c->name,
				DT_PATH_ARG(n), pname, p->len);
	v = cda_dt_be32(p->val);
	/* PCI buses use 3 address cells (phys.hi flags + 64-bit address). */
	if (v < 1 || v > (allow_pci ? 3u : 2u))
		return cda_fail(c->err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": %s = %u is not supported (expected 1 or 2%s)",
				c->name, DT_PATH_ARG(n), pname, v,
				allow_pci ? ", or 3 on a PCI bus" : "");
	*out = v;
	return 0;
}

static struct cda_value *range_obj(struct dt_ctx *c, uint64_t base, uint64_t size)
{
	struct cda_value *o = cda_v_obj(c->a);

	if (!o || cda_obj_set_hex(c->a, o, "base", base) || cda_obj_set_hex(c->a, o, "size", size))
		return NULL;
	return o;
}

bool cda_dt_available(const struct dt_node *n)
{
	const char *s = cda_dt_prop_str(n, "status");

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}


static int add_memory(struct dt_ctx *c)
{
	struct cda_value *mem = cda_v_list(c->a);
	size_t tuple = 4 * (c->root_ac + c->root_sc);

	if (!mem || cda_obj_set(c->a, c->dt, "memory", mem))
		return DT_OOM(c);
	for (size_t i = 0; i < c->t->root->nkids; i++) {
		const struct dt_node *n = c->t->root->kids[i];
		const char *dtype = cda_dt_prop_str(n, "device_type");
		const struct dt_prop *reg = cda_dt_prop(n, "reg");

		if (!dtype || strcmp(dtype, "memory") || !cda_dt_available(n) || !reg)
			continue;
		/* early_init_dt_scan_memory(): whole tuples only, size 0 skipped. */
		for (size_t off = 0; off + tuple <= reg->len; off += tuple) {
			uint64_t base = cda_dt_read_cells(reg->val + off, c->root_ac);
			uint64_t size = cda_dt_read_cells(reg->val + off + 4 * c->root_ac, c->root_sc);
			struct cda_value *r;

			if (!size)
				continue;
			r = range_obj(c, base, size);
			if (!r || cda_obj_set_str(c->a, r, "path", n->path) || cda_list_push(c->a, mem, r))
				return DT_OOM(c);
		}
	}
	return 0;
}

static int add_error(struct dt_ctx *c, struct cda_value *errs, const char *fmt, const char *what)
{
	return cda_list_push(c->a, errs, cda_v_str(c->a, cda_arena_printf(c->a, fmt, what)))
		       ? DT_OOM(c) : 0;
}

/* One /reserved-memory child: of_reserved_mem.c's view of it. */
static int add_pool(struct dt_ctx *c, struct dt_node *n, unsigned ac, unsigned sc, uint64_t index)
{
	struct cda_arena *a = c->a;
	struct cda_value *p = cda_v_obj(a), *errs = cda_v_list(a), *users = cda_v_list(a);
	const struct dt_prop *reg = cda_dt_prop(n, "reg"), *size = cda_dt_prop(n, "size"),
			     *align = cda_dt_prop(n, "alignment"), *ranges = cda_dt_prop(n, "alloc-ranges"),
			     *compat = cda_dt_prop(n, "compatible"), *ph = cda_dt_prop(n, "phandle");
	const char *at = strchr(n->name, '@');

	if (!p || !errs || !users)
		return DT_OOM(c);
	if (cda_obj_set_str(a, p, "path", n->path) || cda_obj_set_str(a, p, "name", n->name) ||
	    cda_obj_set_u64(a, p, "index", index) ||
	    cda_obj_set_bool(a, p, "available", cda_dt_available(n)) ||
	    cda_obj_set_bool(a, p, "restricted", cda_dt_prop_has_string(n, "compatible", "restricted-dma-pool")) ||
	    cda_obj_set_bool(a, p, "shared_dma", cda_dt_prop_has_string(n, "compatible", "shared-dma-pool")) ||
	    cda_obj_set_bool(a, p, "dma_pool",
			     cda_dt_prop_has_string(n, "compatible", "restricted-dma-pool") ||
			     cda_dt_prop_has_string(n, "compatible", "shared-dma-pool")) ||
	    cda_obj_set_bool(a, p, "static", reg != NULL) ||
	    cda_obj_set_bool(a, p, "no_map", cda_dt_prop(n, "no-map") != NULL) ||
	    cda_obj_set_bool(a, p, "reusable", cda_dt_prop(n, "reusable") != NULL) ||
	    cda_obj_set_bool(a, p, "cma_default", cda_dt_prop(n, "linux,cma-default") != NULL) ||
	    cda_obj_set_bool(a, p, "dma_default", cda_dt_prop(n, "linux,dma-default") != NULL) ||
	    cda_obj_set(a, p, "users", users) || cda_obj_set(a, p, "errors", errs))
		return DT_OOM(c);
	if (at && cda_obj_set_str(a, p, "unit_address", at + 1))
		return DT_OOM(c);
	if (compat && cda_obj_set(a, p, "compatible", string_list(c, compat)))
		return DT_OOM(c);
	if (ph && ph->len == 4 && cda_obj_set_hex(a, p, "phandle", cda_dt_be32(ph->val)))
		return DT_OOM(c);
	if (reg) {
		size_t tuple = 4 * (ac + sc);

		/* __reserved_mem_reserve_reg(): only the first tuple becomes the region. */
		if (!reg->len || reg->len % tuple) {
			if (add_error(c, errs, "invalid reg property (%s)", "length is not a whole number of (address, size) tuples"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "base", cda_dt_read_cells(reg->val, ac)) ||
			   cda_obj_set_hex(a, p, "size", cda_dt_read_cells(reg->val + 4 * ac, sc)) ||
			   cda_obj_set_u64(a, p, "reg_count", reg->len / tuple)) {
			return DT_OOM(c);
		}
	} else if (size) {
		/* __reserved_mem_alloc_size(): size and alignment must match the root cells. */
		if (size->len != 4 * sc) {
			if (add_error(c, errs, "invalid %s property", "size"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "size", cda_dt_read_cells(size->val, sc))) {
			return DT_OOM(c);
		}
	} else if (add_error(c, errs, "%s", "neither reg nor size")) {
		return -CDA_E_NOMEM;
	}
	if (!reg && align) {
		if (align->len != 4 * ac) {
			if (add_error(c, errs, "invalid %s property", "alignment"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "alignment", cda_dt_read_cells(align->val, ac))) {
			return DT_OOM(c);
		}
	}
	if (!reg && ranges) {
		struct cda_value *l = cda_v_list(a);
		size_t tuple = 4 * (ac + sc);

		if (!l || cda_obj_set(a, p, "alloc_ranges", l))
			return DT_OOM(c);
		for (size_t off = 0; off + tuple <= ranges->len; off += tuple)
			if (cda_list_push(a, l, range_obj(c, cda_dt_read_cells(ranges->val + off, ac),
							   cda_dt_read_cells(ranges->val + off + 4 * ac, sc))))
				return DT_OOM(c);
	}
	return cda_list_push(a, c->pools, p) ? DT_OOM(c) : 0;
}


/* An available static region as the overlap sweep sees it. */
struct extent {
	uint64_t base, end; /* end exclusive, saturated at 2^64-1 */
	uint64_t index;     /* the pool's index: its place under /reserved-memory */
	bool dma;           /* the pool's dma_pool */
	struct cda_value *pool;
};

static int cmp_extent(const void *pa, const void *pb)
{
	const struct extent *a = pa, *b = pb;

	return a->base < b->base ? -1 : a->base > b->base;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* How many of sorted v[0..n) are < x (below) or <= x (!below). */
static size_t count_le(const uint64_t *v, size_t n, uint64_t x, bool below)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (below ? v[mid] < x : v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t end_of(uint64_t base, uint64_t size)
{
	return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

/* Note once in x's list that x overlaps y, while there is room (the caller sets the flag). */
static int note_overlap(struct dt_ctx *c, struct cda_value *x, const struct cda_value *y)
{
	struct cda_value *l = cda_obj_get(x, "overlaps"), *o;

	if (l->list.n == DT_MAX_OVERLAPS_LISTED)
		return 0;
	/* Entries share their region's index value: the same pointer means the same region. */
	for (size_t i = 0; i < l->list.n; i++)
		if (cda_obj_get(l->list.items[i], "index") == cda_obj_get(y, "index"))
			return 0;
	o = cda_v_obj(c->a);
	if (!o || cda_obj_set(c->a, o, "path", cda_obj_get(y, "path")) ||
	    cda_obj_set(c->a, o, "index", cda_obj_get(y, "index")) ||
	    cda_obj_set(c->a, o, "dma_pool", cda_obj_get(y, "dma_pool")) ||
	    cda_list_push(c->a, l, o))
		return DT_OOM(c);
	return 0;
}

struct by_end {
	uint64_t end;
	size_t pos; /* in ex */
};

static int cmp_by_end(const void *pa, const void *pb)
{
	const struct by_end *a = pa, *b = pb;

	return a->end < b->end ? -1 : a->end > b->end;
}

/*
 * For each region (ex sorted by base), the overlapping region of lowest index
 * among the DMA pools (first[2 * i + 1]) and among the others (first[2 * i]),
 * as positions in ex, or SIZE_MAX. Regions [b, e) and [b', e') overlap when
 * b' < e and e' > b: a sweep in order of e inserts every region with b' < e
 * into a Fenwick tree over the ends (reversed, so "e' > b" is a prefix) that
 * keeps the lowest index per prefix. n log n.
 */
static int lowest_partners(struct dt_ctx *c, const struct extent *ex, size_t k, size_t *first)
{
	uint64_t *ends = cda_arena_alloc(c->a, (k + 1) * sizeof(*ends));
	struct by_end *q = cda_arena_alloc(c->a, (k + 1) * sizeof(*q));
	size_t *tree = cda_arena_alloc(c->a, 2 * (k + 1) * sizeof(*tree)); /* positions in ex */
	size_t m = 0, next = 0;

	if (!ends || !q || !tree)
		return DT_OOM(c);
	for (size_t i = 0; i < k; i++) {
		ends[i] = ex[i].end;
		q[i] = (struct by_end){ ex[i].end, i };
	}
	qsort(ends, k, sizeof(*ends), cmp_u64);
	for (size_t i = 0; i < k; i++)
		if (!m || ends[m - 1] != ends[i])
			ends[m++] = ends[i];
	qsort(q, k, sizeof(*q), cmp_by_end);
	for (size_t i = 0; i < 2 * (k + 1); i++)
		tree[i] = SIZE_MAX;
	for (size_t qi = 0; qi < k; qi++) {
		size_t x = q[qi].pos;

		for (; next < k && ex[next].base < ex[x].end; next++) {
			/* The end's rank from the top, 1-based: the largest end is 1. */
			for (size_t r = m - count_le(ends, m, ex[next].end, true); r <= m; r += r & -r) {
				size_t *t = &tree[2 * r + ex[next].dma];

				if (*t == SIZE_MAX || ex[*t].index > ex[next].index)
					*t = next;
			}
		}
		/* The inserted regions that end after x's base: ranks 1 .. (ends > base). */
		for (size_t dma = 0; dma < 2; dma++) {
			size_t best = SIZE_MAX;

			for (size_t r = m - count_le(ends, m, ex[x].base, false); r; r -= r & -r) {
				size_t t = tree[2 * r + dma];

				if (t != SIZE_MAX && (best == SIZE_MAX || ex[t].index < ex[best].index))
					best = t;
			}
			first[2 * x + dma] = best;
		}
	}
	return 0;
}

/*
 * Up to want of the regions ex[0..r) that end after b, in base order, into
 * out: a descent of the max-end tree mx (leaves from p), O(want log n).
 */
static void ending_after(const uint64_t *mx, size_t p, size_t node, size_t lo, size_t hi,
			 size_t r, uint64_t b, size_t *out, size_t *nout, size_t want)
{
	if (*nout == want || lo >= r || mx[node] <= b)
		return;
	if (node >= p) {
		out[(*nout)++] = lo;
		return;
	}
	ending_after(mx, p, 2 * node, lo, lo + (hi - lo) / 2, r, b, out, nout, want);
	ending_after(mx, p, 2 * node + 1, lo + (hi - lo) / 2, hi, r, b, out, nout, want);
}

/*
 * Which available static regions overlap each other or a /memreserve/ entry,
 * as of_reserved_mem.c's __rmem_check_for_overlap() would report. A region
 * lists at most DT_MAX_OVERLAPS_LISTED of the regions it overlaps (a hostile
 * tree of thousands of regions over one range must not cost n^2), and
 * overlaps_truncated says when there are more. So that the rules still judge
 * every region, its list starts with the overlapping DMA pool and the other
 * overlapping region of lowest index below its own, when there are such
 * (lowest_partners()); the rest, in order of base, come from a tree of the
 * regions sorted by base that keeps the highest end of each span: the
 * regions starting before this one ends, pruned to those ending after it
 * starts. How many it overlaps in all is counted with two binary searches:
 * the regions starting before its end, less those ending at or before its
 * base. /memreserve/ entries are sorted too, with a running maximum of their
 * ends, so one binary search answers whether a region meets any of them.
 * n log n for any tree.
 */
static int add_overlaps(struct dt_ctx *c)
{
	size_t n = c->pools->list.n, k = 0, nr = c->t->nrsv, p = 1;
	struct extent *ex = cda_arena_alloc(c->a, (n + 1) * sizeof(*ex));
	struct extent *rsv = cda_arena_alloc(c->a, (nr + 1) * sizeof(*rsv));
	uint64_t *max_end = cda_arena_alloc(c->a, (nr + 1) * sizeof(*max_end));
	uint64_t *bases = cda_arena_alloc(c->a, (n + 1) * sizeof(*bases));
	uint64_t *ends = cda_arena_alloc(c->a, (n + 1) * sizeof(*ends));
	size_t *first = cda_arena_alloc(c->a, 2 * (n + 1) * sizeof(*first));
	size_t found[DT_MAX_OVERLAPS_LISTED + 1];
	uint64_t *mx;
	int ret;

	if (!ex || !rsv || !max_end || !bases || !ends || !first)
		return DT_OOM(c);
	for (size_t i = 0; i < n; i++) {
		struct cda_value *pl = c->pools->list.items[i];
		const struct cda_value *av = cda_obj_get(pl, "available"), *st = cda_obj_get(pl, "static");
		bool ok = true;
		uint64_t base = cda_obj_get_u64(pl, "base", &ok), size = cda_obj_get_u64(pl, "size", &ok);

		if (cda_obj_set(c->a, pl, "overlaps", cda_v_list(c->a)) ||
		    cda_obj_set_bool(c->a, pl, "memreserve_overlap", false))
			return DT_OOM(c);
		if (ok && size && av->b && st->b)
			ex[k++] = (struct extent){ base, end_of(base, size), i,
						   cda_obj_get(pl, "dma_pool")->b, pl };
	}
	qsort(ex, k, sizeof(*ex), cmp_extent);
	if ((ret = lowest_partners(c, ex, k, first)))
		return ret;
	while (p < k)
		p *= 2;
	if (!(mx = cda_arena_alloc(c->a, 2 * p * sizeof(*mx))))
		return DT_OOM(c);
	for (size_t i = 0; i < k; i++) {
		bases[i] = ex[i].base;
		ends[i] = mx[p + i] = ex[i].end;
	}
	for (size_t i = p - 1; i > 0; i--)
		mx[i] = mx[2 * i] > mx[2 * i + 1] ? mx[2 * i] : mx[2 * i + 1];
	qsort(ends, k, sizeof(*ends), cmp_u64);
	for (size_t i = 0; i < k; i++) {
		size_t before_end = count_le(bases, k, ex[i].end, true), nfound = 0;
		size_t all = before_end - count_le(ends, k, ex[i].base, false) - 1;
		struct cda_value *x = ex[i].pool;

		for (size_t dma = 0; dma < 2; dma++) {
			size_t f = first[2 * i + dma];

			if (f != SIZE_MAX && ex[f].index < ex[i].index &&
			    (ret = note_overlap(c, x, ex[f].pool)))
				return ret;
		}
		ending_after(mx, p, 1, 0, p, before_end, ex[i].base, found, &nfound,
			     DT_MAX_OVERLAPS_LISTED + 1);
		for (size_t j = 0; j < nfound; j++)
			if (found[j] != i && (ret = note_overlap(c, x, ex[found[j]].pool)))
				return ret;
		if (all > cda_obj_get(x, "overlaps")->list.n &&
		    cda_obj_set_bool(c->a, x, "overlaps_truncated", true))
			return DT_OOM(c);
	}
	for (size_t i = 0; i < nr; i++)
		rsv[i] = (struct extent){ c->t->rsv[i].base,
					  end_of(c->t->rsv[i].base, c->t->rsv[i].size), 0, false, NULL };
	qsort(rsv, nr, sizeof(*rsv), cmp_extent);
	for (size_t i = 0; i < nr; i++)
		max_end[i] = i && max_end[i - 1] > rsv[i].end ? max_end[i - 1] : rsv[i].end;
	for (size_t i = 0; i < k; i++) {
		/* The /memreserve/ entries starting before this region ends: [0, lo). */
		size_t lo = 0, hi = nr;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (rsv[mid].base < ex[i].end)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && max_end[lo - 1] > ex[i].base &&
		    cda_obj_set_bool(c->a, ex[i].pool, "memreserve_overlap", true))
			return DT_OOM(c);
	}
	return 0;
}

static int add_reserved_memory(struct dt_ctx *c)
{
	struct cda_arena *a = c->a;
	struct dt_node *rm = NULL;
	struct cda_value *o;
	unsigned ac, sc;
	bool has_ac, has_sc;
	int ret;

	c->pools = cda_v_list(a);
	if (!c->pools || cda_obj_set(a, c->dt, "pools", c->pools))
		return DT_OOM(c);
	for (size_t i = 0; i < c->t->root->nkids && !rm; i++)
		if (!strcmp(c->t->root->kids[i]->name, "reserved-memory"))
			rm = c->t->root->kids[i];
	if (!rm)
		return 0;
	if ((ret = cda_dt_node_cells(c, rm, "#address-cells", c->root_ac, false, &ac, &has_ac)) ||
	    (ret = cda_dt_node_cells(c, rm, "#size-cells", c->root_sc, false, &sc, &has_sc)))
		return ret;
	o = cda_v_obj(a);
	if (!o || cda_obj_set_str(a, o, "path", rm->path) ||
	    cda_obj_set_bool(a, o, "ranges", cda_dt_prop(rm, "ranges") != NULL) ||
	    cda_obj_set(a, c->dt, "reserved_memory", o))
		return DT_OOM(c);
	if ((has_ac && cda_obj_set_u64(a, o, "address_cells", ac)) ||
	    (has_sc && cda_obj_set_u64(a, o, "size_cells", sc)))
		return DT_OOM(c);
	c->pool_nodes = cda_arena_alloc(a, (rm->nkids + 1) * sizeof(*c->pool_nodes));
	if (!c->pool_nodes)
		return DT_OOM(c);
	for (size_t i = 0; i < rm->nkids; i++) {
		c->pool_nodes[i] = rm->kids[i];
		if ((ret = add_pool(c, rm->kids[i], ac, sc, i)))
			return ret;
	}
	return add_overlaps(c);
}

static int add_chosen(struct dt_ctx *c)
{
	const struct dt_node *ch = NULL;
	struct cda_value *o;
	const char *args;

	for (size_t i = 0; i < c->t->root->nkids && !ch; i++)
		if (!strcmp(c->t->root->kids[i]->name, "chosen"))
			ch = c->t->root->kids[i];
	if (!ch)
		return 0;
	o = cda_v_obj(c->a);
	if (!o || cda_obj_set_str(c->a, o, "path", ch->path) || cda_obj_set(c->a, c->dt, "chosen", o))
		return DT_OOM(c);
	args = cda_dt_prop_str(ch, "bootargs");
	if (args && (cda_obj_set_str(c->a, o, "bootargs", args) || cda_cmdline_facts(c->a, args, o)))
		return DT_OOM(c);
	return 0;
}

static int add_root(struct dt_ctx *c)
{
	const struct dt_node *root = c->t->root;
	const struct dt_prop *compat = cda_dt_prop(root, "compatible");
	const char *model = cda_dt_prop_str(root, "model");
	struct cda_value *rsv = cda_v_list(c->a);
	int ret;

	if ((ret = cda_dt_node_cells(c, root, "#address-cells", OF_ROOT_NODE_ADDR_CELLS_DEFAULT, false,
			      &c->root_ac, NULL)) ||
	    (ret = cda_dt_node_cells(c, root, "#size-cells", OF_ROOT_NODE_SIZE_CELLS_DEFAULT, false,
			      &c->root_sc, NULL)))
		return ret;
	if (cda_obj_set_str(c->a, c->dt, "format", c->t->format) ||
	    cda_obj_set_u64(c->a, c->dt, "address_cells", c->root_ac) ||
	    cda_obj_set_u64(c->a, c->dt, "size_cells", c->root_sc) ||
	    (model && cda_obj_set_str(c->a, c->dt, "model", model)) ||
	    (compat && cda_obj_set(c->a, c->dt, "compatible", string_list(c, compat))))
		return DT_OOM(c);
	if (!rsv || cda_obj_set(c->a, c->dt, "memreserve", rsv))
		return DT_OOM(c);
	for (size_t i = 0; i < c->t->nrsv; i++)
		if (cda_list_push(c->a, rsv, range_obj(c, c->t->rsv[i].base, c->t->rsv[i].size)))
			return DT_OOM(c);
	return 0;
}

int cda_dt_facts(struct cda_arena *a, const struct dt_tree *t, const char *name,
		 struct cda_value **out, struct cda_error *err)
{
	struct dt_ctx c = { .a = a, .t = t, .name = name, .err = err };
	int ret;

	c.dt = cda_v_obj(a);
	if (!c.dt)
		return DT_OOM(&c);
	if ((ret = add_root(&c)) || (ret = add_memory(&c)) || (ret = add_reserved_memory(&c)) ||
	    (ret = cda_dt_devices(&c)) || (ret = add_chosen(&c)))
		return ret;
	*out = c.dt;
	return 0;
}
