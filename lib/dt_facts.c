// SPDX-License-Identifier: MIT
/*
 * Device tree -> "dt" facts. What is extracted, and why, follows how Linux
 * reads the tree (DOMAIN.md §3): reserved regions from /reserved-memory
 * (drivers/of/of_reserved_mem.c), pool users from memory-region
 * (drivers/of/device.c of_dma_set_restricted_buffer), switches from
 * /chosen bootargs. Fact names are documented in lib/schema/facts-v1.schema.json (and the generated man/cca-dma-audit-rules.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "dt_facts.h"
#include "dt_props.h"
#include "util.h"

/* include/linux/of.h: what Linux assumes when the root has no #*-cells. */
#define OF_ROOT_NODE_ADDR_CELLS_DEFAULT 1
#define OF_ROOT_NODE_SIZE_CELLS_DEFAULT 1

/* obj.key: the strings of a string-list property (empty when it is not one). */
static void set_string_list(struct dt_ctx *c, struct cda_value *obj, const char *key,
			    const struct dt_prop *p)
{
	struct cda_value *l = cda_fb_list(&c->fb, obj, key);

	if (!cda_dt_prop_is_strings(p))
		return;
	for (size_t off = 0; off < p->len; off += strlen((const char *)p->val + off) + 1)
		cda_fb_push_str(&c->fb, l, (const char *)p->val + off);
}

/* {base, size} appended to list; the new entry. */
static struct cda_value *push_range(struct dt_ctx *c, struct cda_value *list, uint64_t base,
				    uint64_t size)
{
	struct cda_value *o = cda_fb_push_obj(&c->fb, list);

	cda_fb_hex(&c->fb, o, "base", base);
	cda_fb_hex(&c->fb, o, "size", size);
	return o;
}

static int add_memory(struct dt_ctx *c)
{
	struct cda_value *mem = cda_fb_list(&c->fb, c->dt, "memory");
	size_t tuple = 4 * (c->root_ac + c->root_sc);

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

			if (size)
				cda_fb_str(&c->fb, push_range(c, mem, base, size), "path", n->path);
		}
	}
	return cda_fb_done(&c->fb, c->err);
}

static void add_error(struct dt_ctx *c, struct cda_value *errs, const char *fmt, const char *what)
{
	cda_fb_push_str(&c->fb, errs, cda_arena_printf(c->a, fmt, what));
}

/*
 * Where a pool is: reg (__reserved_mem_reserve_reg(): only the first tuple
 * becomes the region), or size, alignment and alloc-ranges
 * (__reserved_mem_alloc_size(): sized in the root cells).
 */
static void add_pool_extent(struct dt_ctx *c, const struct dt_node *n, struct cda_value *p,
			    struct cda_value *errs, unsigned ac, unsigned sc)
{
	struct cda_fb *fb = &c->fb;
	const struct dt_prop *reg = cda_dt_prop(n, "reg"), *size = cda_dt_prop(n, "size");
	const struct dt_prop *align = cda_dt_prop(n, "alignment");
	const struct dt_prop *ranges = cda_dt_prop(n, "alloc-ranges");
	size_t tuple = 4 * (ac + sc);
	struct cda_value *l;

	if (reg && (!reg->len || reg->len % tuple)) {
		add_error(c, errs, "invalid reg property (%s)",
			  "length is not a whole number of (address, size) tuples");
	} else if (reg) {
		cda_fb_hex(fb, p, "base", cda_dt_read_cells(reg->val, ac));
		cda_fb_hex(fb, p, "size", cda_dt_read_cells(reg->val + 4 * ac, sc));
		cda_fb_u64(fb, p, "reg_count", reg->len / tuple);
	}
	if (reg)
		return;
	if (size && size->len != 4 * sc)
		add_error(c, errs, "invalid %s property", "size");
	else if (size)
		cda_fb_hex(fb, p, "size", cda_dt_read_cells(size->val, sc));
	else
		add_error(c, errs, "%s", "neither reg nor size");
	if (align && align->len != 4 * ac)
		add_error(c, errs, "invalid %s property", "alignment");
	else if (align)
		cda_fb_hex(fb, p, "alignment", cda_dt_read_cells(align->val, ac));
	if (!ranges)
		return;
	l = cda_fb_list(fb, p, "alloc_ranges");
	for (size_t off = 0; off + tuple <= ranges->len; off += tuple)
		push_range(c, l, cda_dt_read_cells(ranges->val + off, ac),
			   cda_dt_read_cells(ranges->val + off + 4 * ac, sc));
}

/* One /reserved-memory child: of_reserved_mem.c's view of it. */
static void add_pool(struct dt_ctx *c, struct dt_node *n, unsigned ac, unsigned sc, uint64_t index)
{
	struct cda_fb *fb = &c->fb;
	const struct dt_prop *compat = cda_dt_prop(n, "compatible");
	const struct dt_prop *ph = cda_dt_prop(n, "phandle");
	const char *at = strchr(n->name, '@');
	bool restricted = cda_dt_prop_has_string(n, "compatible", "restricted-dma-pool");
	bool shared = cda_dt_prop_has_string(n, "compatible", "shared-dma-pool");
	struct cda_value *p = cda_fb_push_obj(fb, c->pools), *errs;

	cda_fb_str(fb, p, "path", n->path);
	cda_fb_str(fb, p, "name", n->name);
	cda_fb_u64(fb, p, "index", index);
	cda_fb_bool(fb, p, "available", cda_dt_available(n));
	cda_fb_bool(fb, p, "restricted", restricted);
	cda_fb_bool(fb, p, "shared_dma", shared);
	cda_fb_bool(fb, p, "dma_pool", restricted || shared);
	cda_fb_bool(fb, p, "static", cda_dt_prop(n, "reg") != NULL);
	cda_fb_bool(fb, p, "no_map", cda_dt_prop(n, "no-map") != NULL);
	cda_fb_bool(fb, p, "reusable", cda_dt_prop(n, "reusable") != NULL);
	cda_fb_bool(fb, p, "cma_default", cda_dt_prop(n, "linux,cma-default") != NULL);
	cda_fb_bool(fb, p, "dma_default", cda_dt_prop(n, "linux,dma-default") != NULL);
	cda_fb_list(fb, p, "users");
	errs = cda_fb_list(fb, p, "errors");
	if (at)
		cda_fb_str(fb, p, "unit_address", at + 1);
	if (compat)
		set_string_list(c, p, "compatible", compat);
	if (ph && ph->len == 4)
		cda_fb_hex(fb, p, "phandle", cda_dt_be32(ph->val));
	add_pool_extent(c, n, p, errs, ac, sc);
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
static void note_overlap(struct dt_ctx *c, struct cda_value *x, const struct cda_value *y)
{
	struct cda_value *l = cda_obj_get(x, "overlaps"), *o;

	if (!cda_fb_ok(&c->fb) || l->list.n == DT_MAX_OVERLAPS_LISTED)
		return;
	/* Entries share their region's index value: the same pointer means the same region. */
	for (size_t i = 0; i < l->list.n; i++)
		if (cda_obj_get(l->list.items[i], "index") == cda_obj_get(y, "index"))
			return;
	o = cda_fb_push_obj(&c->fb, l);
	cda_fb_set(&c->fb, o, "path", cda_obj_get(y, "path"));
	cda_fb_set(&c->fb, o, "index", cda_obj_get(y, "index"));
	cda_fb_set(&c->fb, o, "dma_pool", cda_obj_get(y, "dma_pool"));
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
	uint64_t *ends = cda_fb_alloc(&c->fb, (k + 1) * sizeof(*ends));
	struct by_end *q = cda_fb_alloc(&c->fb, (k + 1) * sizeof(*q));
	size_t *tree = cda_fb_alloc(&c->fb, 2 * (k + 1) * sizeof(*tree)); /* positions in ex */
	size_t m = 0, next = 0;

	if (!cda_fb_ok(&c->fb))
		return cda_fb_done(&c->fb, c->err);
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

/* memreserve_overlap of the regions ex[0..k): a running maximum over the sorted entries. */
static void mark_memreserve(struct dt_ctx *c, const struct extent *ex, size_t k)
{
	size_t nr = c->t->nrsv;
	struct extent *rsv = cda_fb_alloc(&c->fb, (nr + 1) * sizeof(*rsv));
	uint64_t *max_end = cda_fb_alloc(&c->fb, (nr + 1) * sizeof(*max_end));

	if (!cda_fb_ok(&c->fb))
		return;
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
		if (lo && max_end[lo - 1] > ex[i].base)
			cda_fb_bool(&c->fb, ex[i].pool, "memreserve_overlap", true);
	}
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
	size_t n = c->pools->list.n, k = 0, p = 1;
	struct cda_fb *fb = &c->fb;
	struct extent *ex = cda_fb_alloc(fb, (n + 1) * sizeof(*ex));
	uint64_t *bases = cda_fb_alloc(fb, (n + 1) * sizeof(*bases));
	uint64_t *ends = cda_fb_alloc(fb, (n + 1) * sizeof(*ends));
	size_t *first = cda_fb_alloc(fb, 2 * (n + 1) * sizeof(*first));
	size_t found[DT_MAX_OVERLAPS_LISTED + 1];
	uint64_t *mx;
	int ret;

	for (size_t i = 0; i < n && cda_fb_ok(fb); i++) {
		cda_fb_list(fb, c->pools->list.items[i], "overlaps");
		cda_fb_bool(fb, c->pools->list.items[i], "memreserve_overlap", false);
	}
	if (!cda_fb_ok(fb))
		return cda_fb_done(fb, c->err);
	for (size_t i = 0; i < n; i++) {
		struct cda_value *pl = c->pools->list.items[i];
		const struct cda_value *av = cda_obj_get(pl, "available"), *st = cda_obj_get(pl, "static");
		bool ok = true;
		uint64_t base = cda_obj_get_u64(pl, "base", &ok), size = cda_obj_get_u64(pl, "size", &ok);

		if (ok && size && av->b && st->b)
			ex[k++] = (struct extent){ base, end_of(base, size), i,
						   cda_obj_get(pl, "dma_pool")->b, pl };
	}
	qsort(ex, k, sizeof(*ex), cmp_extent);
	if ((ret = lowest_partners(c, ex, k, first)))
		return ret;
	while (p < k)
		p *= 2;
	if (!(mx = cda_fb_alloc(fb, 2 * p * sizeof(*mx))))
		return cda_fb_done(fb, c->err);
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

			if (f != SIZE_MAX && ex[f].index < ex[i].index)
				note_overlap(c, x, ex[f].pool);
		}
		ending_after(mx, p, 1, 0, p, before_end, ex[i].base, found, &nfound,
			     DT_MAX_OVERLAPS_LISTED + 1);
		for (size_t j = 0; j < nfound; j++)
			if (found[j] != i)
				note_overlap(c, x, ex[found[j]].pool);
		if (all > cda_obj_get(x, "overlaps")->list.n)
			cda_fb_bool(fb, x, "overlaps_truncated", true);
	}
	mark_memreserve(c, ex, k);
	return cda_fb_done(fb, c->err);
}

static int add_reserved_memory(struct dt_ctx *c)
{
	struct cda_fb *fb = &c->fb;
	struct dt_node *rm = NULL;
	struct cda_value *o;
	unsigned ac, sc;
	bool has_ac, has_sc;
	int ret;

	c->pools = cda_fb_list(fb, c->dt, "pools");
	for (size_t i = 0; i < c->t->root->nkids && !rm; i++)
		if (!strcmp(c->t->root->kids[i]->name, "reserved-memory"))
			rm = c->t->root->kids[i];
	if (!rm)
		return cda_fb_done(fb, c->err);
	if ((ret = cda_dt_node_cells(rm, "#address-cells", c->root_ac, false, &ac, &has_ac, c->name,
				     c->err)) ||
	    (ret = cda_dt_node_cells(rm, "#size-cells", c->root_sc, false, &sc, &has_sc, c->name,
				     c->err)))
		return ret;
	o = cda_fb_obj(fb, c->dt, "reserved_memory");
	cda_fb_str(fb, o, "path", rm->path);
	cda_fb_bool(fb, o, "ranges", cda_dt_prop(rm, "ranges") != NULL);
	if (has_ac)
		cda_fb_u64(fb, o, "address_cells", ac);
	if (has_sc)
		cda_fb_u64(fb, o, "size_cells", sc);
	c->pool_nodes = cda_fb_alloc(fb, (rm->nkids + 1) * sizeof(*c->pool_nodes));
	for (size_t i = 0; i < rm->nkids && cda_fb_ok(fb); i++) {
		c->pool_nodes[i] = rm->kids[i];
		add_pool(c, rm->kids[i], ac, sc, i);
	}
	if ((ret = cda_fb_done(fb, c->err)))
		return ret;
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
	o = cda_fb_obj(&c->fb, c->dt, "chosen");
	cda_fb_str(&c->fb, o, "path", ch->path);
	args = cda_dt_prop_str(ch, "bootargs");
	if (args) {
		cda_fb_str(&c->fb, o, "bootargs", args);
		cda_cmdline_facts(&c->fb, args, o);
	}
	return cda_fb_done(&c->fb, c->err);
}

static int add_root(struct dt_ctx *c)
{
	struct cda_fb *fb = &c->fb;
	const struct dt_node *root = c->t->root;
	const struct dt_prop *compat = cda_dt_prop(root, "compatible");
	const char *model = cda_dt_prop_str(root, "model");
	struct cda_value *rsv;
	int ret;

	if ((ret = cda_dt_node_cells(root, "#address-cells", OF_ROOT_NODE_ADDR_CELLS_DEFAULT, false,
				     &c->root_ac, NULL, c->name, c->err)) ||
	    (ret = cda_dt_node_cells(root, "#size-cells", OF_ROOT_NODE_SIZE_CELLS_DEFAULT, false,
				     &c->root_sc, NULL, c->name, c->err)))
		return ret;
	cda_fb_str(fb, c->dt, "format", c->t->format);
	cda_fb_u64(fb, c->dt, "address_cells", c->root_ac);
	cda_fb_u64(fb, c->dt, "size_cells", c->root_sc);
	if (model)
		cda_fb_str(fb, c->dt, "model", model);
	if (compat)
		set_string_list(c, c->dt, "compatible", compat);
	rsv = cda_fb_list(fb, c->dt, "memreserve");
	for (size_t i = 0; i < c->t->nrsv; i++)
		push_range(c, rsv, c->t->rsv[i].base, c->t->rsv[i].size);
	return cda_fb_done(fb, c->err);
}

int cda_dt_facts(struct cda_arena *a, const struct dt_tree *t, const char *name,
		 struct cda_value **out, struct cda_error *err)
{
	struct dt_ctx c = { .a = a, .fb = { a, name, false }, .t = t, .name = name, .err = err };
	int ret;

	c.dt = cda_fb_new_obj(&c.fb);
	if ((ret = cda_fb_done(&c.fb, err)) || (ret = add_root(&c)) || (ret = add_memory(&c)) ||
	    (ret = add_reserved_memory(&c)) || (ret = cda_dt_devices(&c)) || (ret = add_chosen(&c)))
		return ret;
	*out = c.dt;
	return 0;
}
