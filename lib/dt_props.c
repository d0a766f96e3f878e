// SPDX-License-Identifier: MIT
/*
 * Reading the in-memory tree: property lookup, strings, big-endian cells,
 * status and #*-cells, as the kernel's of_* helpers read them. Shared by
 * dt_facts.c and dt_devices.c; it knows neither.
 */
#include <string.h>

#include <libfdt.h>

#include "dt_props.h"
#include "util.h"

/*
 * Binary search: the props are sorted (cda_dt_sort), and a node a hostile
 * tree gives a million properties is looked up once per child. Of repeated
 * names the first as read, as the kernel's of_find_property() finds.
 */
const struct dt_prop *cda_dt_prop(const struct dt_node *n, const char *name)
{
	size_t lo = 0, hi = n->prop_bits & cda_dt_name_bit(name) ? n->nprops : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = n->props[mid].name;
		/* the first byte decides most steps: a call to strcmp saved (a rule walk's hot path) */
		int c = (unsigned char)m[0] - (unsigned char)name[0];

		if ((c ? c : strcmp(m, name)) < 0)
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
bool cda_dt_prop_is_strings(const struct dt_prop *p)
{
	return p && p->len && p->val[p->len - 1] == '\0';
}

const char *cda_dt_prop_str(const struct dt_node *n, const char *name)
{
	const struct dt_prop *p = cda_dt_prop(n, name);

	return cda_dt_prop_is_strings(p) ? (const char *)p->val : NULL;
}

bool cda_dt_prop_has_string(const struct dt_node *n, const char *name, const char *want)
{
	const struct dt_prop *p = cda_dt_prop(n, name);

	if (!cda_dt_prop_is_strings(p))
		return false;
	for (size_t off = 0; off < p->len; off += strlen((const char *)p->val + off) + 1)
		if (!strcmp((const char *)p->val + off, want))
			return true;
	return false;
}

bool cda_dt_available(const struct dt_node *n)
{
	const char *s = cda_dt_prop_str(n, "status");

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

/*
 * The kernel reads at most two cells into a phys_addr_t, so anything else is
 * refused here rather than silently truncated.
 */
int cda_dt_node_cells(const struct dt_node *n, const char *pname, unsigned dflt, bool allow_pci,
		      unsigned *out, bool *present, const char *input, struct cda_error *err)
{
	const struct dt_prop *p = cda_dt_prop(n, pname);
	uint32_t v;

	if (present)
		*present = p != NULL;
	*out = dflt;
	if (!p)
		return 0;
	if (p->len != 4)
		return cda_fail(err, CDA_E_FORMAT, "%s: " DT_PATH_FMT ": %s is %zu bytes, expected 4",
				input, DT_PATH_ARG(n), pname, p->len);
	v = cda_dt_be32(p->val);
	/* PCI buses use 3 address cells (phys.hi flags + 64-bit address). */
	if (v < 1 || v > (allow_pci ? 3u : 2u))
		return cda_fail(err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": %s = %u is not supported (expected 1 or 2%s)",
				input, DT_PATH_ARG(n), pname, v,
				allow_pci ? ", or 3 on a PCI bus" : "");
	*out = v;
	return 0;
}
