// SPDX-License-Identifier: MIT
/* .dtb reader: libfdt validates the whole blob first, then the walk cannot leave it. */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt.h"
#include "util.h"

static int walk(struct cda_arena *a, const void *fdt, int off, struct dt_node *n, int depth,
		struct dt_tree *t, const char *name, struct cda_error *err)
{
	int prop, child;

	fdt_for_each_property_offset(prop, fdt, off) {
		const char *pname;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &pname, &len);

		if (!val || len < 0)
			return cda_fail(err, CDA_E_FORMAT, "%s: %s: corrupt property: %s", name,
					n->path, fdt_strerror(len));
		if (cda_dt_add_prop(a, n, pname, val, (size_t)len))
			return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	}
	fdt_for_each_subnode(child, fdt, off) {
		const char *cname = fdt_get_name(fdt, child, NULL);
		struct dt_node *kid;
		int ret;

		if (!cname)
			return cda_fail(err, CDA_E_FORMAT, "%s: %s: corrupt node name", name, n->path);
		if (depth + 1 > DT_MAX_DEPTH)
			return cda_fail(err, CDA_E_FORMAT, "%s: %s: nodes nested deeper than %d",
					name, n->path, DT_MAX_DEPTH);
		if (++t->nnodes > DT_MAX_NODES)
			return cda_fail(err, CDA_E_FORMAT, "%s: more than %d nodes", name, DT_MAX_NODES);
		kid = cda_dt_node_new(a, n, cname);
		if (!kid || cda_dt_add_kid(a, n, kid))
			return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
		if ((ret = walk(a, fdt, child, kid, depth + 1, t, name, err)))
			return ret;
	}
	return 0;
}

int cda_dt_read_blob(struct cda_arena *a, const char *name, const void *blob, size_t len,
		     struct dt_tree *t, struct cda_error *err)
{
	int ret, nrsv;

	memset(t, 0, sizeof(*t));
	t->format = "dtb";
	if (len < sizeof(struct fdt_header))
		return cda_fail(err, CDA_E_FORMAT,
				"%s: not a device tree blob: %zu bytes is shorter than the header",
				name, len);
	if (fdt_magic(blob) != FDT_MAGIC)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: not a device tree blob (bad magic 0x%08x, expected 0x%08x)",
				name, fdt_magic(blob), FDT_MAGIC);
	/*
	 * libfdt 1.6.1 (Debian 12) crashes inside fdt_check_full() on some
	 * pre-v16 blobs (found by fuzz/fuzz-dtb.c), and reads through unaligned
	 * block offsets (dtc issue #178). dtc and every kernel-era tree write
	 * v16/v17 with aligned blocks, so refuse the rest before libfdt sees it.
	 */
	if (fdt_version(blob) < 16)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: device tree blob version %u is not supported (need 16 or later)",
				name, fdt_version(blob));
	if (fdt_off_dt_struct(blob) % 4 || fdt_off_mem_rsvmap(blob) % 8)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: corrupt device tree blob: misaligned structure or reservation block",
				name);
	if (fdt_totalsize(blob) > len)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: truncated: header says %u bytes, file has %zu", name,
				fdt_totalsize(blob), len);
	ret = fdt_check_full(blob, len);
	if (ret)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt device tree blob: %s", name,
				fdt_strerror(ret));
	t->root = cda_dt_node_new(a, NULL, "");
	if (!t->root)
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	t->nnodes = 1;
	ret = walk(a, blob, 0, t->root, 0, t, name, err);
	if (ret)
		return ret;
	nrsv = fdt_num_mem_rsv(blob);
	if (nrsv < 0)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt memory reservation block: %s",
				name, fdt_strerror(nrsv));
	t->rsv = cda_arena_alloc(a, (size_t)nrsv * sizeof(*t->rsv) + 1);
	if (!t->rsv)
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	for (int i = 0; i < nrsv; i++) {
		uint64_t base, size;

		if ((ret = fdt_get_mem_rsv(blob, i, &base, &size)))
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt memory reservation %d: %s",
					name, i, fdt_strerror(ret));
		t->rsv[t->nrsv++] = (struct dt_rsv){ base, size };
	}
	cda_dt_sort(t->root);
	return 0;
}
