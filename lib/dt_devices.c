// SPDX-License-Identifier: MIT
/*
 * Device tree -> the device half of the "dt" facts: which nodes reference
 * which reserved regions (memory-region), and the nodes the kernel sets up
 * DMA for that the rules care about (virtio-mmio devices, PCI host bridges,
 * nodes with memory-region or behind an IOMMU). What is extracted follows
 * drivers/of/device.c of_dma_configure_id() and of_dma_set_restricted_buffer(),
 * kernel/dma/coherent.c (a device's shared-dma-pool is memory-region[0]) and
 * drivers/of/platform.c of_device_make_bus_id() (the device name a trace
 * shows). Fact names are documented in man/cca-dma-audit-rules.5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_facts.h"
#include "dt_props.h"

/* A phandle and its node, indexed once so memory-region lookups are O(log n). */
struct phandle_ref {
	uint32_t phandle;
	size_t order; /* tree-walk order, so duplicates resolve to the first */
	const struct dt_node *node;
	struct cda_value *pool; /* the node's dt.pools entry, when it is a reserved region */
	struct cda_value *entry; /* its memory_regions[] entry, built once and shared */
	const struct dt_node *last_user; /* the last node added to the pool's users */
};

static uint32_t node_phandle(const struct dt_node *n, bool *has)
{
	const struct dt_prop *p = cda_dt_prop(n, "phandle");

	if (!p)
		p = cda_dt_prop(n, "linux,phandle");
	*has = p && p->len == 4;
	return *has ? cda_dt_be32(p->val) : 0;
}

static size_t count_phandles(const struct dt_node *n)
{
	size_t k = 0;
	bool has;

	node_phandle(n, &has);
	for (size_t i = 0; i < n->nkids; i++)
		k += count_phandles(n->kids[i]);
	return k + has;
}

static void collect_phandles(struct dt_ctx *c, const struct dt_node *n)
{
	bool has;
	uint32_t ph = node_phandle(n, &has);

	if (has) {
		c->phandles[c->nphandles] = (struct phandle_ref){ ph, c->nphandles, n, NULL, NULL, NULL };
		c->nphandles++;
	}
	for (size_t i = 0; i < n->nkids; i++)
		collect_phandles(c, n->kids[i]);
}

static int cmp_phandle(const void *pa, const void *pb)
{
	const struct phandle_ref *a = pa, *b = pb;

	return a->phandle < b->phandle ? -1 : a->phandle > b->phandle;
}

static int cmp_phandle_order(const void *pa, const void *pb)
{
	const struct phandle_ref *a = pa, *b = pb;
	int c = cmp_phandle(pa, pb);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* The first node (in tree order, as the kernel's lookup) with phandle ph, or NULL. */
static struct phandle_ref *by_phandle(const struct dt_ctx *c, uint32_t ph)
{
	struct phandle_ref key = { .phandle = ph };
	struct phandle_ref *r = bsearch(&key, c->phandles, c->nphandles, sizeof(key), cmp_phandle);

	while (r && r > c->phandles && r[-1].phandle == ph)
		r--;
	return r;
}

/*
 * Index every phandle once: a tree walk per memory-region entry would be
 * quadratic on a hostile tree. Pools are tied to their entries here too.
 */
static int index_phandles(struct dt_ctx *c)
{
	size_t n = count_phandles(c->t->root);

	c->phandles = cda_fb_alloc(&c->fb, (n + 1) * sizeof(*c->phandles));
	if (!c->phandles)
		return cda_fb_done(&c->fb, c->err);
	collect_phandles(c, c->t->root);
	qsort(c->phandles, c->nphandles, sizeof(*c->phandles), cmp_phandle_order);
	for (size_t i = 0; i < c->pools->list.n; i++) {
		bool has;
		uint32_t ph = node_phandle(c->pool_nodes[i], &has);
		struct phandle_ref *r = has ? by_phandle(c, ph) : NULL;

		if (r && r->node == c->pool_nodes[i])
			r->pool = c->pools->list.items[i];
	}
	return 0;
}

/* A cell count for address arithmetic that must not fail the audit: dflt when unusable. */
static unsigned cells_or(const struct dt_node *n, const char *name, unsigned dflt)
{
	const struct dt_prop *p = n ? cda_dt_prop(n, name) : NULL;
	uint32_t v = p && p->len == 4 ? cda_dt_be32(p->val) : 0;

	return v >= 1 && v <= 3 ? v : dflt;
}

/* #address-cells a node's children use; the root's default is the tree's. */
static unsigned addr_cells(const struct dt_ctx *c, const struct dt_node *bus)
{
	return cells_or(bus, "#address-cells", bus && bus->parent ? 2 : c->root_ac);
}

/* The low 64 bits of an address of `cells` cells (a PCI address's phys.hi is dropped). */
static uint64_t read_addr(const unsigned char *p, unsigned cells)
{
	return cells > 2 ? cda_dt_read_cells(p + 4, 2) : cda_dt_read_cells(p, cells);
}

static bool is_pci_bus(const struct dt_node *n)
{
	const char *t = n ? cda_dt_prop_str(n, "device_type") : NULL;

	return t && !strcmp(t, "pci");
}

/*
 * dt.dma_users[].dma_ranges: the node's own dma-ranges, child addresses in
 * its cells, parent addresses in its parent's (the root has no parent: its
 * own dma-ranges map into its own address space).
 */
static int add_dma_ranges(struct dt_ctx *c, const struct dt_node *n, struct cda_value *dev)
{
	const struct dt_prop *dr = cda_dt_prop(n, "dma-ranges");
	const struct dt_node *up = n->parent ? n->parent : n;
	unsigned cac, csc, pac;
	struct cda_value *l;
	size_t tuple;
	int ret;

	if (!dr)
		return 0;
	if ((ret = cda_dt_node_cells(n, "#address-cells", n->parent ? 2 : c->root_ac, true, &cac,
				     NULL, c->name, c->err)) ||
	    (ret = cda_dt_node_cells(n, "#size-cells", n->parent ? 1 : c->root_sc, false, &csc,
				     NULL, c->name, c->err)) ||
	    (ret = cda_dt_node_cells(up, "#address-cells", up->parent ? 2 : c->root_ac, true, &pac,
				     NULL, c->name, c->err)))
		return ret;
	l = cda_fb_list(&c->fb, dev, "dma_ranges");
	tuple = 4 * (cac + pac + csc);
	for (size_t off = 0; off + tuple <= dr->len; off += tuple) {
		struct cda_value *r = cda_fb_push_obj(&c->fb, l);

		cda_fb_hex(&c->fb, r, "child", read_addr(dr->val + off, cac));
		cda_fb_hex(&c->fb, r, "parent", read_addr(dr->val + off + 4 * cac, pac));
		cda_fb_hex(&c->fb, r, "size",
			   cda_dt_read_cells(dr->val + off + 4 * (cac + pac), csc));
	}
	return 0;
}

/* Does bus's dma-ranges move addresses (an entry whose child and parent differ)? */
static bool dma_ranges_offset(const struct dt_ctx *c, const struct dt_node *bus)
{
	const struct dt_prop *dr = cda_dt_prop(bus, "dma-ranges");
	unsigned cac = addr_cells(c, bus), csc = cells_or(bus, "#size-cells", 1);
	unsigned pac = addr_cells(c, bus->parent ? bus->parent : bus);
	size_t tuple = 4 * (cac + pac + csc);

	for (size_t off = 0; dr && off + tuple <= dr->len; off += tuple)
		if (read_addr(dr->val + off, cac) != read_addr(dr->val + off + 4 * cac, pac))
			return true;
	return false;
}

/*
 * A bus's ranges as a lookup table: the child address space cut at every
 * entry's start and end, each piece owned by the first entry (in property
 * order, as of_translate_one() takes it) that covers it. Built once per bus,
 * so translating the reg of each of n devices below a bus of r entries costs
 * log r, not r: a hostile tree has 1,000-entry ranges on each of 32 nested
 * buses over 100,000 devices.
 */
struct xlate_map {
	enum { RANGES_NONE, RANGES_IDENTITY, RANGES_TABLE } kind;
	size_t n;           /* pieces */
	uint64_t *start;    /* sorted; piece i is [start[i], start[i + 1]) (the last to 2^64) */
	const unsigned char **owner; /* piece i's tuple, or NULL */
	unsigned cac, pac;
};

/* One node on the path from the root to the node being visited. */
struct bus {
	bool available;   /* it and every node above it (of_device_is_available on the path) */
	bool translated;  /* the dma-ranges of it or a node above it move addresses */
	bool own_offset;  /* its own dma-ranges move addresses */
	bool map_built;
	struct xlate_map map;
};

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* The first index i in sorted v[0..n) with v[i] >= x. */
static size_t lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Union-find "next piece not yet owned", so each piece is given an owner once. */
static size_t next_free(size_t *next, size_t i)
{
	size_t root = i;

	while (next[root] != root)
		root = next[root];
	while (next[i] != root) {
		size_t up = next[i];

		next[i] = root;
		i = up;
	}
	return root;
}

static int build_map(struct dt_ctx *c, const struct dt_node *bus, struct xlate_map *m)
{
	const struct dt_prop *r = cda_dt_prop(bus, "ranges");
	unsigned csc = cells_or(bus, "#size-cells", 1);
	size_t tuple, nt, np = 0;
	size_t *next;

	/* the slot held the map of an earlier bus at this depth (a sibling): start empty */
	*m = (struct xlate_map){ .cac = addr_cells(c, bus) };
	m->pac = addr_cells(c, bus->parent);
	m->kind = !r ? RANGES_NONE : !r->len ? RANGES_IDENTITY : RANGES_TABLE;
	if (m->kind != RANGES_TABLE)
		return 0;
	tuple = 4 * (m->cac + m->pac + csc);
	nt = r->len / tuple;
	m->start = cda_fb_alloc(&c->fb, (2 * nt + 1) * sizeof(*m->start));
	m->owner = cda_fb_alloc(&c->fb, (2 * nt + 1) * sizeof(*m->owner));
	next = cda_fb_alloc(&c->fb, (2 * nt + 2) * sizeof(*next));
	if (!cda_fb_ok(&c->fb))
		return cda_fb_done(&c->fb, c->err);
	/* Cut points: each entry's first address and the one after its last. */
	for (size_t i = 0; i < nt; i++) {
		const unsigned char *e = r->val + i * tuple;
		uint64_t child = read_addr(e, m->cac);
		uint64_t size = cda_dt_read_cells(e + 4 * (m->cac + m->pac), csc);

		if (!size)
			continue;
		m->start[np++] = child;
		if (size <= UINT64_MAX - child)
			m->start[np++] = child + size;
	}
	qsort(m->start, np, sizeof(*m->start), cmp_u64);
	for (size_t i = 0; i < np; i++)
		if (!m->n || m->start[m->n - 1] != m->start[i])
			m->start[m->n++] = m->start[i];
	for (size_t i = 0; i <= m->n; i++)
		next[i] = i; /* next[m->n] is the end sentinel */
	for (size_t i = 0; i < nt; i++) {
		const unsigned char *e = r->val + i * tuple;
		uint64_t child = read_addr(e, m->cac);
		uint64_t size = cda_dt_read_cells(e + 4 * (m->cac + m->pac), csc);
		size_t end;

		if (!size)
			continue;
		end = size <= UINT64_MAX - child ? lower_bound(m->start, m->n, child + size) : m->n;
		for (size_t k = next_free(next, lower_bound(m->start, m->n, child)); k < end;
		     k = next_free(next, k)) {
			m->owner[k] = e;
			next[k] = k + 1;
		}
	}
	return 0;
}

/* addr in the child space of the bus of map m, in its parent's space; false when outside. */
static bool map_translate(const struct xlate_map *m, uint64_t *addr)
{
	size_t k;
	const unsigned char *e;

	if (m->kind == RANGES_IDENTITY)
		return true;
	k = lower_bound(m->start, m->n, *addr);
	if (k == m->n || m->start[k] != *addr)
		k--; /* the piece that starts at or below addr; wraps when none */
	e = k < m->n ? m->owner[k] : NULL;
	if (!e)
		return false;
	*addr = *addr - read_addr(e, m->cac) + read_addr(e + 4 * m->cac, m->pac);
	return true;
}

/*
 * The address of n's first reg entry on the root bus, through every parent's
 * ranges, as of_translate_address() does. False when a bus has no ranges (not
 * translatable) or the address falls outside them. up[0..depth) are the nodes
 * above n, the root first.
 */
static int root_address(struct dt_ctx *c, const struct dt_node *n, struct bus *up, int depth,
			uint64_t *out, bool *ok)
{
	const struct dt_prop *reg = cda_dt_prop(n, "reg");
	unsigned ac = addr_cells(c, n->parent);
	const struct dt_node *bus = n->parent;
	uint64_t addr;
	int ret;

	*ok = false;
	if (!reg || is_pci_bus(n->parent) || reg->len < 4 * ac)
		return 0;
	addr = read_addr(reg->val, ac);
	for (int d = depth - 1; d > 0; d--, bus = bus->parent) {
		if (!up[d].map_built && (ret = build_map(c, bus, &up[d].map)))
			return ret;
		up[d].map_built = true;
		if (up[d].map.kind == RANGES_NONE || !map_translate(&up[d].map, &addr))
			return 0;
	}
	*out = addr;
	*ok = true;
	return 0;
}

/* of_device_make_bus_id(): "<address>.<node name>", the name dma and swiotlb events print. */
static int bus_id(struct dt_ctx *c, const struct dt_node *n, struct bus *up, int depth,
		  const char **out)
{
	const char *at = strchr(n->name, '@');
	uint64_t addr;
	bool ok;
	int ret;

	*out = NULL;
	if (!n->parent)
		return 0;
	if ((ret = root_address(c, n, up, depth, &addr, &ok)) || !ok)
		return ret;
	*out = cda_arena_printf(c->a, "%llx.%.*s", (unsigned long long)addr,
				(int)(at ? (size_t)(at - n->name) : strlen(n->name)), n->name);
	cda_fb_check(&c->fb, !*out);
	return 0;
}

/*
 * A memory-region entry for phandle ph: what the region is. The same for
 * every node naming that region, so built once per region and shared.
 */
static struct cda_value *region_entry(struct dt_ctx *c, uint32_t ph, struct phandle_ref *ref)
{
	struct cda_fb *fb = &c->fb;
	const struct dt_node *t = ref ? ref->node : NULL;
	struct cda_value *r;

	if (ref && ref->entry)
		return ref->entry;
	r = cda_fb_new_obj(fb);
	cda_fb_hex(fb, r, "phandle", ph);
	cda_fb_bool(fb, r, "restricted", t && cda_dt_prop_has_string(t, "compatible",
									 "restricted-dma-pool"));
	cda_fb_bool(fb, r, "shared_dma", t && cda_dt_prop_has_string(t, "compatible",
									 "shared-dma-pool"));
	cda_fb_bool(fb, r, "reusable", t && cda_dt_prop(t, "reusable"));
	cda_fb_bool(fb, r, "available", t && cda_dt_available(t));
	if (t)
		cda_fb_str(fb, r, "path", t->path);
	if (!cda_fb_ok(fb))
		return NULL;
	if (ref)
		ref->entry = r;
	return r;
}

/* memory-region, resolved: the facts add_dma_user() and add_device() both give a node. */
struct regions {
	struct cda_value *list;  /* each entry's region and what it is */
	uint64_t nrestricted;    /* available restricted pools among them */
	const char *first;       /* the first of those: of_dma_set_restricted_buffer() takes only it */
};

/*
 * Resolve n's memory-region and add n (when available) once to the users of
 * each pool it names. Counts the entries against DT_MAX_REGION_REFS.
 */
static int memory_regions(struct dt_ctx *c, const struct dt_node *n, struct regions *out)
{
	struct cda_fb *fb = &c->fb;
	const struct dt_prop *mr = cda_dt_prop(n, "memory-region");
	struct cda_value *user = NULL;

	*out = (struct regions){ cda_fb_new_list(fb), 0, NULL };
	if (!mr)
		return 0;
	c->nregion_refs += mr->len / 4;
	if (c->nregion_refs > DT_MAX_REGION_REFS)
		return cda_fail(c->err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": more than %u memory-region entries in the tree",
				c->name, DT_PATH_ARG(n), DT_MAX_REGION_REFS);
	for (size_t off = 0; off + 4 <= mr->len && cda_fb_ok(fb); off += 4) {
		uint32_t ph = cda_dt_be32(mr->val + off);
		struct phandle_ref *ref = by_phandle(c, ph);
		struct cda_value *r = region_entry(c, ph, ref);

		cda_fb_push(fb, out->list, r);
		if (!r)
			break;
		if (cda_obj_get(r, "restricted")->b && cda_obj_get(r, "available")->b &&
		    !out->nrestricted++)
			out->first = ref->node->path;
		/* A node naming a pool twice is one user; its path string is shared. */
		if (!ref || !ref->pool || ref->last_user == n || !cda_dt_available(n))
			continue;
		ref->last_user = n;
		if (!user)
			user = cda_v_str(c->a, n->path);
		cda_fb_push(fb, cda_obj_get(ref->pool, "users"), user);
	}
	return cda_fb_done(fb, c->err);
}

static void set_regions(struct dt_ctx *c, struct cda_value *dev, const struct regions *r)
{
	cda_fb_set(&c->fb, dev, "memory_regions", r->list);
	cda_fb_u64(&c->fb, dev, "restricted_count", r->nrestricted);
	if (r->first)
		cda_fb_str(&c->fb, dev, "restricted_pool", r->first);
}

/* dt.dma_users[]: a node with memory-region, as POOL005/POOL006 read it. */
static int add_dma_user(struct dt_ctx *c, const struct dt_node *n, const struct regions *regions,
			struct cda_value *users)
{
	struct cda_fb *fb = &c->fb;
	struct cda_value *dev = cda_fb_push_obj(fb, users);

	cda_fb_str(fb, dev, "path", n->path);
	cda_fb_bool(fb, dev, "available", cda_dt_available(n));
	cda_fb_bool(fb, dev, "iommu", cda_dt_prop(n, "iommus") || cda_dt_prop(n, "iommu-map"));
	cda_fb_bool(fb, dev, "pci_host", is_pci_bus(n));
	cda_fb_bool(fb, dev, "dma_coherent", cda_dt_prop(n, "dma-coherent") != NULL);
	set_regions(c, dev, regions);
	return add_dma_ranges(c, n, dev);
}

static const char *device_kind(const struct dt_node *n)
{
	if (is_pci_bus(n) && !is_pci_bus(n->parent))
		return "pci-host";
	if (cda_dt_prop_has_string(n, "compatible", "virtio,mmio"))
		return "virtio-mmio";
	if (cda_dt_prop(n, "memory-region") || cda_dt_prop(n, "iommus") ||
	    cda_dt_prop(n, "iommu-map"))
		return "other";
	return NULL;
}

/*
 * The shared-dma-pool a driver would use through of_reserved_mem_device_init():
 * memory-region[0] when it is an available, non-reusable shared-dma-pool
 * (a reusable one is CMA, whose pages dma-direct decrypts like any other).
 */
static const char *coherent_pool(const struct dt_ctx *c, const struct dt_node *n)
{
	const struct dt_prop *mr = cda_dt_prop(n, "memory-region");
	const struct phandle_ref *ref = mr && mr->len >= 4 ? by_phandle(c, cda_dt_be32(mr->val)) : NULL;
	const struct dt_node *t = ref ? ref->node : NULL;

	if (!t || !cda_dt_available(t) || cda_dt_prop(t, "reusable") ||
	    !cda_dt_prop_has_string(t, "compatible", "shared-dma-pool"))
		return NULL;
	return t->path;
}

struct lists {
	struct cda_value *users, *devices, *its;
	size_t npci_hosts;
	struct bus up[DT_MAX_DEPTH + 1]; /* the nodes from the root to the one visited */
};

/* dt.devices[]: one DMA-capable node the rules judge; it is l->up[depth]. */
static int add_device(struct dt_ctx *c, const struct dt_node *n, const char *kind,
		      const struct regions *regions, struct lists *l, int depth)
{
	struct cda_fb *fb = &c->fb;
	struct cda_value *dev;
	const struct dt_prop *dom = cda_dt_prop(n, "linux,pci-domain");
	const char *id, *pool = coherent_pool(c, n);
	bool pci_host = !strcmp(kind, "pci-host");
	/* of_dma_get_range(): a PCI host bridge's own dma-ranges apply to the devices behind it. */
	bool translated = (pci_host && l->up[depth].own_offset) || l->up[depth - 1].translated;
	int ret;

	if ((ret = bus_id(c, n, l->up, depth, &id)))
		return ret;
	dev = cda_fb_push_obj(fb, l->devices);
	cda_fb_str(fb, dev, "path", n->path);
	cda_fb_str(fb, dev, "kind", kind);
	cda_fb_bool(fb, dev, "available", l->up[depth].available);
	cda_fb_bool(fb, dev, "iommu", cda_dt_prop(n, "iommus") || cda_dt_prop(n, "iommu-map"));
	cda_fb_bool(fb, dev, "dma_coherent", cda_dt_prop(n, "dma-coherent") != NULL);
	cda_fb_bool(fb, dev, "dma_translated", translated);
	if (id)
		cda_fb_str(fb, dev, "bus_id", id);
	if (pool)
		cda_fb_str(fb, dev, "coherent_pool", pool);
	/*
	 * PCI devices are named "DDDD:BB:SS.F" by domain. The domain is
	 * linux,pci-domain when given; with a single host bridge it is 0.
	 */
	if (pci_host && (dom ? dom->len == 4 : l->npci_hosts == 1))
		cda_fb_str(fb, dev, "pci_prefix",
			   cda_arena_printf(c->a, "%04x:", dom ? cda_dt_be32(dom->val) : 0));
	set_regions(c, dev, regions);
	return 0;
}

static size_t count_pci_hosts(const struct dt_node *n)
{
	size_t k = is_pci_bus(n) && !is_pci_bus(n->parent);

	for (size_t i = 0; i < n->nkids; i++)
		k += count_pci_hosts(n->kids[i]);
	return k;
}

/*
 * What a node's descendants inherit is worked out once, on the way down
 * (l->up[depth]), not by walking up from every device.
 */
static int walk_nodes(struct dt_ctx *c, const struct dt_node *n, struct lists *l, int depth)
{
	const char *kind = n->parent ? device_kind(n) : NULL;
	struct bus *b = &l->up[depth];
	struct regions regions = { 0 };
	int ret;

	b->own_offset = dma_ranges_offset(c, n);
	b->available = cda_dt_available(n) && (!depth || l->up[depth - 1].available);
	b->translated = b->own_offset || (depth && l->up[depth - 1].translated);
	b->map_built = false;
	if ((cda_dt_prop(n, "memory-region") || kind) && (ret = memory_regions(c, n, &regions)))
		return ret;
	if (cda_dt_prop(n, "memory-region") && (ret = add_dma_user(c, n, &regions, l->users)))
		return ret;
	if (kind && (ret = add_device(c, n, kind, &regions, l, depth)))
		return ret;
	if (cda_dt_prop_has_string(n, "compatible", "arm,gic-v3-its")) {
		struct cda_value *o = cda_fb_push_obj(&c->fb, l->its);

		cda_fb_str(&c->fb, o, "path", n->path);
		cda_fb_bool(&c->fb, o, "available", cda_dt_available(n));
	}
	if ((ret = cda_fb_done(&c->fb, c->err)))
		return ret;
	for (size_t i = 0; i < n->nkids; i++)
		if ((ret = walk_nodes(c, n->kids[i], l, depth + 1)))
			return ret;
	return 0;
}

int cda_dt_devices(struct dt_ctx *c)
{
	struct lists *l = cda_fb_alloc(&c->fb, sizeof(*l)); /* ~2 KiB: not on the stack */
	int ret;

	if (!l)
		return cda_fb_done(&c->fb, c->err);
	l->users = cda_fb_list(&c->fb, c->dt, "dma_users");
	l->devices = cda_fb_list(&c->fb, c->dt, "devices");
	l->its = cda_fb_list(&c->fb, c->dt, "its");
	l->npci_hosts = count_pci_hosts(c->t->root);
	if ((ret = cda_fb_done(&c->fb, c->err)) || (ret = index_phandles(c)))
		return ret;
	return walk_nodes(c, c->t->root, l, 0);
}
