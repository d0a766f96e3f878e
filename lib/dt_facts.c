// SPDX-License-Identifier: MIT
/*
 * Device tree -> "dt" facts. What is extracted, and why, follows how Linux
 * reads the tree (DOMAIN.md §3): reserved regions from /reserved-memory
 * (drivers/of/of_reserved_mem.c), pool users from memory-region
 * (drivers/of/device.c of_dma_set_restricted_buffer), switches from
 * /chosen bootargs. Fact names are documented in man/cca-dma-audit-rules.5.scd.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cmdline.h"
#include "dt.h"
#include "util.h"

/* include/linux/of.h: what Linux assumes when the root has no #*-cells. */
#define OF_ROOT_NODE_ADDR_CELLS_DEFAULT 1
#define OF_ROOT_NODE_SIZE_CELLS_DEFAULT 1

struct ctx {
	struct cda_arena *a;
	const struct dt_tree *t;
	const char *name; /* input name for errors */
	struct cda_error *err;
	struct cda_value *dt;
	struct cda_value *pools;     /* list, in path order */
	struct dt_node **pool_nodes; /* parallel to pools */
	unsigned root_ac, root_sc;
};

#define OOM(c) cda_fail((c)->err, CDA_E_NOMEM, "%s: out of memory", (c)->name)

static const struct dt_prop *prop(const struct dt_node *n, const char *name)
{
	for (size_t i = 0; i < n->nprops; i++)
		if (!strcmp(n->props[i].name, name))
			return &n->props[i];
	return NULL;
}

static uint32_t be32(const unsigned char *p)
{
	return fdt32_ld((const fdt32_t *)p); /* libfdt's unaligned big-endian load */
}

/* Read `cells` big-endian cells as one number; only the low 64 bits are kept. */
static uint64_t read_cells(const unsigned char *p, unsigned cells)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* A string or string list property ends in NUL, as libfdt's fdt_stringlist_* expect. */
static bool is_strings(const struct dt_prop *p)
{
	return p && p->len && p->val[p->len - 1] == '\0';
}

static const char *prop_str(const struct dt_node *n, const char *name)
{
	const struct dt_prop *p = prop(n, name);

	return is_strings(p) ? (const char *)p->val : NULL;
}

static bool prop_has_string(const struct dt_node *n, const char *name, const char *want)
{
	const struct dt_prop *p = prop(n, name);

	if (!is_strings(p))
		return false;
	for (size_t off = 0; off < p->len; off += strlen((const char *)p->val + off) + 1)
		if (!strcmp((const char *)p->val + off, want))
			return true;
	return false;
}

static struct cda_value *string_list(struct ctx *c, const struct dt_prop *p)
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
 * #address-cells / #size-cells of node n, or dflt when absent. The kernel reads
 * at most two cells into a phys_addr_t, so anything else is refused here rather
 * than silently truncated. Returns 0, or -CDA_E_FORMAT.
 */
static int node_cells(struct ctx *c, const struct dt_node *n, const char *pname, unsigned dflt,
		      bool allow_pci, unsigned *out, bool *present)
{
	const struct dt_prop *p = prop(n, pname);
	uint32_t v;

	if (present)
		*present = p != NULL;
	*out = dflt;
	if (!p)
		return 0;
	if (p->len != 4)
		return cda_fail(c->err, CDA_E_FORMAT, "%s: %s: %s is %zu bytes, expected 4",
				c->name, n->path, pname, p->len);
	v = be32(p->val);
	/* PCI buses use 3 address cells (phys.hi flags + 64-bit address). */
	if (v < 1 || v > (allow_pci ? 3u : 2u))
		return cda_fail(c->err, CDA_E_FORMAT,
				"%s: %s: %s = %u is not supported (expected 1 or 2%s)", c->name,
				n->path, pname, v, allow_pci ? ", or 3 on a PCI bus" : "");
	*out = v;
	return 0;
}

static struct cda_value *range_obj(struct ctx *c, uint64_t base, uint64_t size)
{
	struct cda_value *o = cda_v_obj(c->a);

	if (!o || cda_obj_set_hex(c->a, o, "base", base) || cda_obj_set_hex(c->a, o, "size", size))
		return NULL;
	return o;
}

static bool available(const struct dt_node *n)
{
	const char *s = prop_str(n, "status");

	/* of_fdt_device_is_available(): absent, "okay" or "ok". */
	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

static int add_memory(struct ctx *c)
{
	struct cda_value *mem = cda_v_list(c->a);
	size_t tuple = 4 * (c->root_ac + c->root_sc);

	if (!mem || cda_obj_set(c->a, c->dt, "memory", mem))
		return OOM(c);
	for (size_t i = 0; i < c->t->root->nkids; i++) {
		const struct dt_node *n = c->t->root->kids[i];
		const char *dtype = prop_str(n, "device_type");
		const struct dt_prop *reg = prop(n, "reg");

		if (!dtype || strcmp(dtype, "memory") || !available(n) || !reg)
			continue;
		/* early_init_dt_scan_memory(): whole tuples only, size 0 skipped. */
		for (size_t off = 0; off + tuple <= reg->len; off += tuple) {
			uint64_t base = read_cells(reg->val + off, c->root_ac);
			uint64_t size = read_cells(reg->val + off + 4 * c->root_ac, c->root_sc);
			struct cda_value *r;

			if (!size)
				continue;
			r = range_obj(c, base, size);
			if (!r || cda_obj_set_str(c->a, r, "path", n->path) || cda_list_push(c->a, mem, r))
				return OOM(c);
		}
	}
	return 0;
}

static int add_error(struct ctx *c, struct cda_value *errs, const char *fmt, const char *what)
{
	return cda_list_push(c->a, errs, cda_v_str(c->a, cda_arena_printf(c->a, fmt, what)))
		       ? OOM(c) : 0;
}

/* One /reserved-memory child: of_reserved_mem.c's view of it. */
static int add_pool(struct ctx *c, struct dt_node *n, unsigned ac, unsigned sc, uint64_t index)
{
	struct cda_arena *a = c->a;
	struct cda_value *p = cda_v_obj(a), *errs = cda_v_list(a), *users = cda_v_list(a);
	const struct dt_prop *reg = prop(n, "reg"), *size = prop(n, "size"),
			     *align = prop(n, "alignment"), *ranges = prop(n, "alloc-ranges"),
			     *compat = prop(n, "compatible"), *ph = prop(n, "phandle");
	const char *at = strchr(n->name, '@');

	if (!p || !errs || !users)
		return OOM(c);
	if (cda_obj_set_str(a, p, "path", n->path) || cda_obj_set_str(a, p, "name", n->name) ||
	    cda_obj_set_u64(a, p, "index", index) ||
	    cda_obj_set_bool(a, p, "available", available(n)) ||
	    cda_obj_set_bool(a, p, "restricted", prop_has_string(n, "compatible", "restricted-dma-pool")) ||
	    cda_obj_set_bool(a, p, "shared_dma", prop_has_string(n, "compatible", "shared-dma-pool")) ||
	    cda_obj_set_bool(a, p, "static", reg != NULL) ||
	    cda_obj_set_bool(a, p, "no_map", prop(n, "no-map") != NULL) ||
	    cda_obj_set_bool(a, p, "reusable", prop(n, "reusable") != NULL) ||
	    cda_obj_set_bool(a, p, "cma_default", prop(n, "linux,cma-default") != NULL) ||
	    cda_obj_set_bool(a, p, "dma_default", prop(n, "linux,dma-default") != NULL) ||
	    cda_obj_set(a, p, "users", users) || cda_obj_set(a, p, "errors", errs))
		return OOM(c);
	if (at && cda_obj_set_str(a, p, "unit_address", at + 1))
		return OOM(c);
	if (compat && cda_obj_set(a, p, "compatible", string_list(c, compat)))
		return OOM(c);
	if (ph && ph->len == 4 && cda_obj_set_hex(a, p, "phandle", be32(ph->val)))
		return OOM(c);
	if (reg) {
		size_t tuple = 4 * (ac + sc);

		/* __reserved_mem_reserve_reg(): only the first tuple becomes the region. */
		if (!reg->len || reg->len % tuple) {
			if (add_error(c, errs, "invalid reg property (%s)", "length is not a whole number of (address, size) tuples"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "base", read_cells(reg->val, ac)) ||
			   cda_obj_set_hex(a, p, "size", read_cells(reg->val + 4 * ac, sc)) ||
			   cda_obj_set_u64(a, p, "reg_count", reg->len / tuple)) {
			return OOM(c);
		}
	} else if (size) {
		/* __reserved_mem_alloc_size(): size and alignment must match the root cells. */
		if (size->len != 4 * sc) {
			if (add_error(c, errs, "invalid %s property", "size"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "size", read_cells(size->val, sc))) {
			return OOM(c);
		}
	} else if (add_error(c, errs, "%s", "neither reg nor size")) {
		return -CDA_E_NOMEM;
	}
	if (!reg && align) {
		if (align->len != 4 * ac) {
			if (add_error(c, errs, "invalid %s property", "alignment"))
				return -CDA_E_NOMEM;
		} else if (cda_obj_set_hex(a, p, "alignment", read_cells(align->val, ac))) {
			return OOM(c);
		}
	}
	if (!reg && ranges) {
		struct cda_value *l = cda_v_list(a);
		size_t tuple = 4 * (ac + sc);

		if (!l || cda_obj_set(a, p, "alloc_ranges", l))
			return OOM(c);
		for (size_t off = 0; off + tuple <= ranges->len; off += tuple)
			if (cda_list_push(a, l, range_obj(c, read_cells(ranges->val + off, ac),
							   read_cells(ranges->val + off + 4 * ac, sc))))
				return OOM(c);
	}
	return cda_list_push(a, c->pools, p) ? OOM(c) : 0;
}

static int add_reserved_memory(struct ctx *c)
{
	struct cda_arena *a = c->a;
	struct dt_node *rm = NULL;
	struct cda_value *o;
	unsigned ac, sc;
	bool has_ac, has_sc;
	int ret;

	c->pools = cda_v_list(a);
	if (!c->pools || cda_obj_set(a, c->dt, "pools", c->pools))
		return OOM(c);
	for (size_t i = 0; i < c->t->root->nkids && !rm; i++)
		if (!strcmp(c->t->root->kids[i]->name, "reserved-memory"))
			rm = c->t->root->kids[i];
	if (!rm)
		return 0;
	if ((ret = node_cells(c, rm, "#address-cells", c->root_ac, false, &ac, &has_ac)) ||
	    (ret = node_cells(c, rm, "#size-cells", c->root_sc, false, &sc, &has_sc)))
		return ret;
	o = cda_v_obj(a);
	if (!o || cda_obj_set_str(a, o, "path", rm->path) ||
	    cda_obj_set_bool(a, o, "ranges", prop(rm, "ranges") != NULL) ||
	    cda_obj_set(a, c->dt, "reserved_memory", o))
		return OOM(c);
	if ((has_ac && cda_obj_set_u64(a, o, "address_cells", ac)) ||
	    (has_sc && cda_obj_set_u64(a, o, "size_cells", sc)))
		return OOM(c);
	c->pool_nodes = cda_arena_alloc(a, (rm->nkids + 1) * sizeof(*c->pool_nodes));
	if (!c->pool_nodes)
		return OOM(c);
	for (size_t i = 0; i < rm->nkids; i++) {
		c->pool_nodes[i] = rm->kids[i];
		if ((ret = add_pool(c, rm->kids[i], ac, sc, i)))
			return ret;
	}
	return 0;
}

static struct cda_value *pool_of(struct ctx *c, const struct dt_node *n)
{
	for (size_t i = 0; i < c->pools->list.n; i++)
		if (c->pool_nodes[i] == n)
			return c->pools->list.items[i];
	return NULL;
}

static const struct dt_node *by_phandle(const struct dt_node *n, uint32_t ph)
{
	const struct dt_prop *p = prop(n, "phandle");

	if (!p)
		p = prop(n, "linux,phandle");
	if (p && p->len == 4 && be32(p->val) == ph)
		return n;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct dt_node *r = by_phandle(n->kids[i], ph);

		if (r)
			return r;
	}
	return NULL;
}

static int add_dma_ranges(struct ctx *c, const struct dt_node *n, struct cda_value *dev)
{
	const struct dt_prop *dr = prop(n, "dma-ranges");
	unsigned cac, csc, pac;
	struct cda_value *l;
	size_t tuple;
	int ret;

	if (!dr)
		return 0;
	/* Child addresses in n's own cells, parent addresses in the parent's. */
	if ((ret = node_cells(c, n, "#address-cells", 2, true, &cac, NULL)) ||
	    (ret = node_cells(c, n, "#size-cells", 1, false, &csc, NULL)) ||
	    (ret = node_cells(c, n->parent, "#address-cells",
			      n->parent->parent ? 2 : c->root_ac, true, &pac, NULL)))
		return ret;
	l = cda_v_list(c->a);
	if (!l || cda_obj_set(c->a, dev, "dma_ranges", l))
		return OOM(c);
	tuple = 4 * (cac + pac + csc);
	for (size_t off = 0; off + tuple <= dr->len; off += tuple) {
		/* For 3-cell PCI addresses the low two cells are the address. */
		uint64_t child = read_cells(dr->val + off + 4 * (cac - (cac > 2)), cac > 2 ? 2 : cac);
		uint64_t parent = read_cells(dr->val + off + 4 * (cac + (pac > 2)), pac > 2 ? 2 : pac);
		uint64_t size = read_cells(dr->val + off + 4 * (cac + pac), csc);
		struct cda_value *r = cda_v_obj(c->a);

		if (!r || cda_obj_set_hex(c->a, r, "child", child) ||
		    cda_obj_set_hex(c->a, r, "parent", parent) ||
		    cda_obj_set_hex(c->a, r, "size", size) || cda_list_push(c->a, l, r))
			return OOM(c);
	}
	return 0;
}

/* A node with memory-region: which pools, in order, and what the kernel will use. */
static int add_dma_user(struct ctx *c, const struct dt_node *n, struct cda_value *users)
{
	struct cda_arena *a = c->a;
	const struct dt_prop *mr = prop(n, "memory-region");
	struct cda_value *dev = cda_v_obj(a), *regions = cda_v_list(a);
	const char *dtype = prop_str(n, "device_type");
	const char *first = NULL;
	uint64_t nrestricted = 0;
	int ret;

	if (!dev || !regions)
		return OOM(c);
	if (cda_obj_set_str(a, dev, "path", n->path) ||
	    cda_obj_set_bool(a, dev, "available", available(n)) ||
	    cda_obj_set_bool(a, dev, "iommu", prop(n, "iommus") || prop(n, "iommu-map")) ||
	    cda_obj_set_bool(a, dev, "pci_host", dtype && !strcmp(dtype, "pci")) ||
	    cda_obj_set_bool(a, dev, "dma_coherent", prop(n, "dma-coherent") != NULL) ||
	    cda_obj_set(a, dev, "memory_regions", regions))
		return OOM(c);
	for (size_t off = 0; off + 4 <= mr->len; off += 4) {
		uint32_t ph = be32(mr->val + off);
		const struct dt_node *target = by_phandle(c->t->root, ph);
		struct cda_value *pool = target ? pool_of(c, target) : NULL;
		struct cda_value *r = cda_v_obj(a);
		bool restricted = target && prop_has_string(target, "compatible", "restricted-dma-pool");
		bool avail = target && available(target);

		if (!r || cda_obj_set_hex(a, r, "phandle", ph) ||
		    cda_obj_set_bool(a, r, "restricted", restricted) ||
		    cda_obj_set_bool(a, r, "available", avail) || cda_list_push(a, regions, r))
			return OOM(c);
		if (target && cda_obj_set_str(a, r, "path", target->path))
			return OOM(c);
		/* of_dma_set_restricted_buffer(): the first available restricted pool wins. */
		if (restricted && avail && !nrestricted++)
			first = target->path;
		if (pool && available(n) &&
		    cda_list_push(a, cda_obj_get(pool, "users"), cda_v_str(a, n->path)))
			return OOM(c);
	}
	if (cda_obj_set_u64(a, dev, "restricted_count", nrestricted) ||
	    (first && cda_obj_set_str(a, dev, "restricted_pool", first)))
		return OOM(c);
	if ((ret = add_dma_ranges(c, n, dev)))
		return ret;
	return cda_list_push(a, users, dev) ? OOM(c) : 0;
}

static int walk_nodes(struct ctx *c, const struct dt_node *n, struct cda_value *users,
		      struct cda_value *its)
{
	int ret;

	if (prop(n, "memory-region") && (ret = add_dma_user(c, n, users)))
		return ret;
	if (prop_has_string(n, "compatible", "arm,gic-v3-its")) {
		struct cda_value *o = cda_v_obj(c->a);

		if (!o || cda_obj_set_str(c->a, o, "path", n->path) ||
		    cda_obj_set_bool(c->a, o, "available", available(n)) || cda_list_push(c->a, its, o))
			return OOM(c);
	}
	for (size_t i = 0; i < n->nkids; i++)
		if ((ret = walk_nodes(c, n->kids[i], users, its)))
			return ret;
	return 0;
}

static int add_chosen(struct ctx *c)
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
		return OOM(c);
	args = prop_str(ch, "bootargs");
	if (args && (cda_obj_set_str(c->a, o, "bootargs", args) || cda_cmdline_facts(c->a, args, o)))
		return OOM(c);
	return 0;
}

static int add_root(struct ctx *c)
{
	const struct dt_node *root = c->t->root;
	const struct dt_prop *compat = prop(root, "compatible");
	const char *model = prop_str(root, "model");
	struct cda_value *rsv = cda_v_list(c->a);
	int ret;

	if ((ret = node_cells(c, root, "#address-cells", OF_ROOT_NODE_ADDR_CELLS_DEFAULT, false,
			      &c->root_ac, NULL)) ||
	    (ret = node_cells(c, root, "#size-cells", OF_ROOT_NODE_SIZE_CELLS_DEFAULT, false,
			      &c->root_sc, NULL)))
		return ret;
	if (cda_obj_set_str(c->a, c->dt, "format", c->t->format) ||
	    cda_obj_set_u64(c->a, c->dt, "address_cells", c->root_ac) ||
	    cda_obj_set_u64(c->a, c->dt, "size_cells", c->root_sc) ||
	    (model && cda_obj_set_str(c->a, c->dt, "model", model)) ||
	    (compat && cda_obj_set(c->a, c->dt, "compatible", string_list(c, compat))))
		return OOM(c);
	if (!rsv || cda_obj_set(c->a, c->dt, "memreserve", rsv))
		return OOM(c);
	for (size_t i = 0; i < c->t->nrsv; i++)
		if (cda_list_push(c->a, rsv, range_obj(c, c->t->rsv[i].base, c->t->rsv[i].size)))
			return OOM(c);
	return 0;
}

int cda_dt_facts(struct cda_arena *a, const struct dt_tree *t, const char *name,
		 struct cda_value **out, struct cda_error *err)
{
	struct ctx c = { .a = a, .t = t, .name = name, .err = err };
	struct cda_value *users = cda_v_list(a), *its = cda_v_list(a);
	int ret;

	c.dt = cda_v_obj(a);
	if (!c.dt || !users || !its)
		return OOM(&c);
	if ((ret = add_root(&c)) || (ret = add_memory(&c)) || (ret = add_reserved_memory(&c)))
		return ret;
	if (cda_obj_set(a, c.dt, "dma_users", users) || cda_obj_set(a, c.dt, "its", its))
		return OOM(&c);
	if ((ret = walk_nodes(&c, t->root, users, its)) || (ret = add_chosen(&c)))
		return ret;
	*out = c.dt;
	return 0;
}
