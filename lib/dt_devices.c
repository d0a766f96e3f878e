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

/* A phandle and its node, indexed once so memory-region lookups are O(log n). */
struct phandle_ref {
	uint32_t phandle;
	size_t order; /* tree-walk order, so duplicates resolve to the first */
	const struct dt_node *node;
	struct cda_value *pool; /* the node's dt.pools entry, when it is a reserved region */
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
		c->phandles[c->nphandles] = (struct phandle_ref){ ph, c->nphandles, n, NULL };
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

	c->phandles = cda_arena_alloc(c->a, (n + 1) * sizeof(*c->phandles));
	if (!c->phandles)
		return DT_OOM(c);
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
	if ((ret = cda_dt_node_cells(c, n, "#address-cells", n->parent ? 2 : c->root_ac, true,
				     &cac, NULL)) ||
	    (ret = cda_dt_node_cells(c, n, "#size-cells", n->parent ? 1 : c->root_sc, false, &csc,
				     NULL)) ||
	    (ret = cda_dt_node_cells(c, up, "#address-cells", up->parent ? 2 : c->root_ac, true,
				     &pac, NULL)))
		return ret;
	l = cda_v_list(c->a);
	if (!l || cda_obj_set(c->a, dev, "dma_ranges", l))
		return DT_OOM(c);
	tuple = 4 * (cac + pac + csc);
	for (size_t off = 0; off + tuple <= dr->len; off += tuple) {
		struct cda_value *r = cda_v_obj(c->a);

		if (!r || cda_obj_set_hex(c->a, r, "child", read_addr(dr->val + off, cac)) ||
		    cda_obj_set_hex(c->a, r, "parent", read_addr(dr->val + off + 4 * cac, pac)) ||
		    cda_obj_set_hex(c->a, r, "size",
				    cda_dt_read_cells(dr->val + off + 4 * (cac + pac), csc)) ||
		    cda_list_push(c->a, l, r))
			return DT_OOM(c);
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
 * Is the DMA address of this device's memory not its physical address? A
 * PCI host bridge's own dma-ranges apply to the devices behind it; for any
 * node, those of the buses above it (of_dma_get_range()).
 */
static bool dma_translated(const struct dt_ctx *c, const struct dt_node *n, bool pci_host)
{
	if (pci_host && dma_ranges_offset(c, n))
		return true;
	for (const struct dt_node *b = n->parent; b; b = b->parent)
		if (dma_ranges_offset(c, b))
			return true;
	return false;
}

/*
 * The address of n's first reg entry on the root bus, through every parent's
 * ranges, as of_translate_address() does. False when a bus has no ranges (not
 * translatable) or the address falls outside them.
 */
static bool root_address(const struct dt_ctx *c, const struct dt_node *n, uint64_t *out)
{
	const struct dt_prop *reg = cda_dt_prop(n, "reg");
	unsigned ac = addr_cells(c, n->parent);
	uint64_t addr;

	if (!reg || is_pci_bus(n->parent) || reg->len < 4 * ac)
		return false;
	addr = read_addr(reg->val, ac);
	for (const struct dt_node *bus = n->parent; bus->parent; bus = bus->parent) {
		const struct dt_prop *r = cda_dt_prop(bus, "ranges");
		unsigned cac = addr_cells(c, bus), pac = addr_cells(c, bus->parent);
		unsigned csc = cells_or(bus, "#size-cells", 1);
		size_t tuple = 4 * (cac + pac + csc);
		bool found = false;

		if (!r)
			return false;
		for (size_t off = 0; r->len && off + tuple <= r->len && !found; off += tuple) {
			uint64_t child = read_addr(r->val + off, cac);
			uint64_t parent = read_addr(r->val + off + 4 * cac, pac);
			uint64_t size = cda_dt_read_cells(r->val + off + 4 * (cac + pac), csc);

			if (addr >= child && addr - child < size) {
				addr = addr - child + parent;
				found = true;
			}
		}
		if (r->len && !found)
			return false;
	}
	*out = addr;
	return true;
}

/* of_device_make_bus_id(): "<address>.<node name>", the name dma and swiotlb events print. */
static const char *bus_id(const struct dt_ctx *c, const struct dt_node *n)
{
	const char *at = strchr(n->name, '@');
	uint64_t addr;

	if (!n->parent || !root_address(c, n, &addr))
		return NULL;
	return cda_arena_printf(c->a, "%llx.%.*s", (unsigned long long)addr,
				(int)(at ? (size_t)(at - n->name) : strlen(n->name)), n->name);
}

/* Available as the kernel sees it: the node and every node above it. */
static bool available_path(const struct dt_node *n)
{
	for (; n; n = n->parent)
		if (!cda_dt_available(n))
			return false;
	return true;
}

/*
 * memory-region, resolved: each entry's region and what it is, and the first
 * available restricted pool (of_dma_set_restricted_buffer() takes that one
 * only). With record_users, n is also added to each named pool's users.
 */
static int memory_regions(struct dt_ctx *c, const struct dt_node *n, struct cda_value *dev,
			  bool record_users)
{
	struct cda_arena *a = c->a;
	const struct dt_prop *mr = cda_dt_prop(n, "memory-region");
	struct cda_value *regions = cda_v_list(a);
	const char *first = NULL;
	uint64_t nrestricted = 0;

	if (!regions || cda_obj_set(a, dev, "memory_regions", regions))
		return DT_OOM(c);
	for (size_t off = 0; mr && off + 4 <= mr->len; off += 4) {
		uint32_t ph = cda_dt_be32(mr->val + off);
		const struct phandle_ref *ref = by_phandle(c, ph);
		const struct dt_node *target = ref ? ref->node : NULL;
		struct cda_value *r = cda_v_obj(a);
		bool restricted = target && cda_dt_prop_has_string(target, "compatible",
								    "restricted-dma-pool");
		bool avail = target && cda_dt_available(target);

		if (!r || cda_obj_set_hex(a, r, "phandle", ph) ||
		    cda_obj_set_bool(a, r, "restricted", restricted) ||
		    cda_obj_set_bool(a, r, "shared_dma",
				     target && cda_dt_prop_has_string(target, "compatible",
								      "shared-dma-pool")) ||
		    cda_obj_set_bool(a, r, "reusable", target && cda_dt_prop(target, "reusable")) ||
		    cda_obj_set_bool(a, r, "available", avail) || cda_list_push(a, regions, r))
			return DT_OOM(c);
		if (target && cda_obj_set_str(a, r, "path", target->path))
			return DT_OOM(c);
		if (restricted && avail && !nrestricted++)
			first = target->path;
		if (record_users && ref && ref->pool && cda_dt_available(n) &&
		    cda_list_push(a, cda_obj_get(ref->pool, "users"), cda_v_str(a, n->path)))
			return DT_OOM(c);
	}
	if (cda_obj_set_u64(a, dev, "restricted_count", nrestricted) ||
	    (first && cda_obj_set_str(a, dev, "restricted_pool", first)))
		return DT_OOM(c);
	return 0;
}

/* dt.dma_users[]: a node with memory-region, as POOL005/POOL006 read it. */
static int add_dma_user(struct dt_ctx *c, const struct dt_node *n, struct cda_value *users)
{
	struct cda_arena *a = c->a;
	struct cda_value *dev = cda_v_obj(a);
	int ret;

	if (!dev || cda_obj_set_str(a, dev, "path", n->path) ||
	    cda_obj_set_bool(a, dev, "available", cda_dt_available(n)) ||
	    cda_obj_set_bool(a, dev, "iommu", cda_dt_prop(n, "iommus") || cda_dt_prop(n, "iommu-map")) ||
	    cda_obj_set_bool(a, dev, "pci_host", is_pci_bus(n)) ||
	    cda_obj_set_bool(a, dev, "dma_coherent", cda_dt_prop(n, "dma-coherent") != NULL))
		return DT_OOM(c);
	if ((ret = memory_regions(c, n, dev, true)) || (ret = add_dma_ranges(c, n, dev)))
		return ret;
	return cda_list_push(a, users, dev) ? DT_OOM(c) : 0;
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

/* dt.devices[]: one DMA-capable node the rules judge. */
static int add_device(struct dt_ctx *c, const struct dt_node *n, const char *kind,
		      size_t npci_hosts, struct cda_value *devices)
{
	struct cda_arena *a = c->a;
	struct cda_value *dev = cda_v_obj(a);
	const struct dt_prop *dom = cda_dt_prop(n, "linux,pci-domain");
	const char *id = bus_id(c, n), *pool = coherent_pool(c, n);
	bool pci_host = !strcmp(kind, "pci-host");
	int ret;

	if (!dev || cda_obj_set_str(a, dev, "path", n->path) ||
	    cda_obj_set_str(a, dev, "kind", kind) ||
	    cda_obj_set_bool(a, dev, "available", available_path(n)) ||
	    cda_obj_set_bool(a, dev, "iommu", cda_dt_prop(n, "iommus") || cda_dt_prop(n, "iommu-map")) ||
	    cda_obj_set_bool(a, dev, "dma_coherent", cda_dt_prop(n, "dma-coherent") != NULL) ||
	    cda_obj_set_bool(a, dev, "dma_translated", dma_translated(c, n, pci_host)) ||
	    (id && cda_obj_set_str(a, dev, "bus_id", id)) ||
	    (pool && cda_obj_set_str(a, dev, "coherent_pool", pool)))
		return DT_OOM(c);
	/*
	 * PCI devices are named "DDDD:BB:SS.F" by domain. The domain is
	 * linux,pci-domain when given; with a single host bridge it is 0.
	 */
	if (pci_host && (dom ? dom->len == 4 : npci_hosts == 1) &&
	    cda_obj_set_str(a, dev, "pci_prefix",
			    cda_arena_printf(a, "%04x:", dom ? cda_dt_be32(dom->val) : 0)))
		return DT_OOM(c);
	if ((ret = memory_regions(c, n, dev, false)))
		return ret;
	return cda_list_push(a, devices, dev) ? DT_OOM(c) : 0;
}

static size_t count_pci_hosts(const struct dt_node *n)
{
	size_t k = is_pci_bus(n) && !is_pci_bus(n->parent);

	for (size_t i = 0; i < n->nkids; i++)
		k += count_pci_hosts(n->kids[i]);
	return k;
}

struct lists {
	struct cda_value *users, *devices, *its;
	size_t npci_hosts;
};

static int walk_nodes(struct dt_ctx *c, const struct dt_node *n, struct lists *l)
{
	const char *kind = n->parent ? device_kind(n) : NULL;
	int ret;

	if (cda_dt_prop(n, "memory-region") && (ret = add_dma_user(c, n, l->users)))
		return ret;
	if (kind && (ret = add_device(c, n, kind, l->npci_hosts, l->devices)))
		return ret;
	if (cda_dt_prop_has_string(n, "compatible", "arm,gic-v3-its")) {
		struct cda_value *o = cda_v_obj(c->a);

		if (!o || cda_obj_set_str(c->a, o, "path", n->path) ||
		    cda_obj_set_bool(c->a, o, "available", cda_dt_available(n)) ||
		    cda_list_push(c->a, l->its, o))
			return DT_OOM(c);
	}
	for (size_t i = 0; i < n->nkids; i++)
		if ((ret = walk_nodes(c, n->kids[i], l)))
			return ret;
	return 0;
}

int cda_dt_devices(struct dt_ctx *c)
{
	struct lists l = { cda_v_list(c->a), cda_v_list(c->a), cda_v_list(c->a),
			   count_pci_hosts(c->t->root) };
	int ret;

	if (!l.users || !l.devices || !l.its || cda_obj_set(c->a, c->dt, "dma_users", l.users) ||
	    cda_obj_set(c->a, c->dt, "devices", l.devices) || cda_obj_set(c->a, c->dt, "its", l.its))
		return DT_OOM(c);
	if ((ret = index_phandles(c)))
		return ret;
	return walk_nodes(c, c->t->root, &l);
}
