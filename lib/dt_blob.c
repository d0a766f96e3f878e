// SPDX-License-Identifier: MIT
/* .dtb reader: libfdt validates the whole blob first, then the walk cannot leave it. */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt.h"
#include "util.h"

struct blob_walk {
	struct cda_arena *a;
	const void *fdt;
	struct dt_tree *t;
	const char *name; /* the input, for errors */
	const char *strings; /* the strings block in the blob */
	const char *names;   /* its arena copy: property names point into it */
	struct cda_error *err;
};

/* The property at off, into n. */
static int add_prop(struct blob_walk *w, int off, struct dt_node *n)
{
	const char *pname;
	int len;
	const void *val = fdt_getprop_by_offset(w->fdt, off, &pname, &len);

	if (!val || len < 0)
		return cda_fail(w->err, CDA_E_FORMAT, "%s: " DT_PATH_FMT ": corrupt property: %s",
				w->name, DT_PATH_ARG(n), fdt_strerror(len));
	if ((size_t)len > DT_MAX_PROP)
		return cda_fail(w->err, CDA_E_FORMAT,
				"%s: " DT_PATH_FMT ": property larger than the %u MiB limit",
				w->name, DT_PATH_ARG(n), DT_MAX_PROP >> 20);
	/*
	 * Names are shared through the strings block: one long name used by
	 * every property must not be copied once per property.
	 */
	if (cda_dt_add_prop(w->a, n, w->names + (pname - w->strings), val, (size_t)len))
		return cda_oom(w->err, w->name);
	return 0;
}

/* A node at off, child of the top of the stack, pushed. */
static int add_node(struct blob_walk *w, int off, struct dt_node **stack, int *depth)
{
	const char *cname = fdt_get_name(w->fdt, off, NULL);
	int d = *depth;

	if (!cname)
		return cda_fail(w->err, CDA_E_FORMAT, "%s: " DT_PATH_FMT ": corrupt node name", w->name,
				DT_PATH_ARG(stack[d]));
	/* it refuses a node deeper than DT_MAX_DEPTH, so the stack holds it */
	*depth = d + 1;
	return cda_dt_add_node(w->a, w->t, stack[d], d, cname, w->name, &stack[d + 1], w->err);
}

/*
 * One pass over the structure block's tags, in document order, the stack
 * holding the open nodes. (libfdt's node iterators re-read every subtree once
 * per ancestor level and every property twice, which was most of the time of
 * auditing a thousand board trees.) check_structure() and fdt_check_full()
 * have vouched for the block: it nests and ends.
 */
static int walk(struct blob_walk *w)
{
	struct dt_node *stack[DT_MAX_DEPTH + 2] = { w->t->root };
	int depth = -1, off, next, ret = 0;

	for (off = 0; !ret; off = next) {
		switch (fdt_next_tag(w->fdt, off, &next)) {
		case FDT_BEGIN_NODE: /* the first is the root's, which the tree has */
			if (depth < 0)
				depth = 0;
			else
				ret = add_node(w, off, stack, &depth);
			break;
		case FDT_PROP:
			ret = depth < 0 ? -1 : add_prop(w, off, stack[depth]);
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return 0; /* the root's end */
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END before the root's end, or a bad tag */
			ret = -1;
		}
		if (ret == -1 || next < 0)
			return cda_fail(w->err, CDA_E_FORMAT, "%s: corrupt structure block at offset %d",
					w->name, off);
	}
	return ret;
}

/*
 * Our own bounded walk of the structure block, run before libfdt looks at it:
 * libfdt 1.6.1's fdt_check_full() both crashed and looped without end on
 * fuzzed blobs. Each step advances at least one 4-byte token, so this always
 * ends; a blob it accepts has in-bounds, NUL-terminated names and strings,
 * property values inside the block, balanced nesting and one root. (How deep
 * is the tree walk's to refuse: it names the node.)
 * Returns NULL if well formed, else the reason. Caller checked totalsize <= len.
 */
static const char *check_structure(const unsigned char *b)
{
	uint64_t total = fdt_totalsize(b), so = fdt_off_dt_struct(b), stro = fdt_off_dt_strings(b);
	uint64_t ss = fdt_version(b) >= 17 ? fdt_size_dt_struct(b) : total - so;
	uint64_t strs = fdt_version(b) >= 17 ? fdt_size_dt_strings(b) : total - stro;
	uint64_t p, end;
	int depth = 0, roots = 0;

	if (so > total || ss > total - so || stro > total || strs > total - stro)
		return "structure or strings block outside the blob";
	for (p = so, end = so + ss; p + 4 <= end;) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(b + p));
		const unsigned char *nul;
		uint64_t plen, nameoff;

		p += 4;
		switch (tag) {
		case FDT_BEGIN_NODE:
			nul = memchr(b + p, '\0', end - p);
			if (!nul)
				return "unterminated node name";
			p = ((uint64_t)(nul - b) + 1 + 3) & ~(uint64_t)3;
			if (++depth == 1 && ++roots > 1)
				return "more than one root node";
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return "unbalanced end of node";
			break;
		case FDT_PROP:
			if (depth == 0 || end - p < 8)
				return "property outside a node";
			plen = fdt32_ld((const fdt32_t *)(b + p));
			nameoff = fdt32_ld((const fdt32_t *)(b + p + 4));
			p += 8;
			if (plen > end - p)
				return "property value runs past the structure block";
			if (nameoff >= strs || !memchr(b + stro + nameoff, '\0', strs - nameoff))
				return "property name outside the strings block";
			p = (p + plen + 3) & ~(uint64_t)3;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth || roots != 1 ? "unbalanced nodes" : NULL;
		default:
			return "unknown structure token";
		}
	}
	return "no end token";
}

int cda_dt_read_blob(struct cda_arena *a, const char *name, const void *blob, size_t len,
		     struct dt_tree *t, struct cda_error *err)
{
	struct blob_walk w = { .a = a, .fdt = blob, .t = t, .name = name, .err = err };
	const char *why;
	char *names;
	size_t strs;
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
	why = check_structure(blob);
	if (why)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt device tree blob: %s", name, why);
	ret = fdt_check_full(blob, len);
	if (ret)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt device tree blob: %s", name,
				fdt_strerror(ret));
	w.strings = (const char *)blob + fdt_off_dt_strings(blob);
	strs = fdt_size_dt_strings(blob); /* version >= 16; check_structure() bounded it */
	if (fdt_version(blob) < 17)
		strs = fdt_totalsize(blob) - fdt_off_dt_strings(blob);
	names = cda_arena_alloc(a, strs + 1);
	t->root = cda_dt_node_new(a, NULL, "");
	if (!names || !t->root)
		return cda_oom(err, name);
	w.names = memcpy(names, w.strings, strs);
	t->nnodes = 1;
	ret = walk(&w);
	if (ret)
		return ret;
	nrsv = fdt_num_mem_rsv(blob);
	if (nrsv < 0)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt memory reservation block: %s",
				name, fdt_strerror(nrsv));
	if ((unsigned)nrsv > DT_MAX_MEMRESERVE)
		return cda_fail(err, CDA_E_FORMAT, "%s: more than %u /memreserve/ entries", name,
				DT_MAX_MEMRESERVE);
	t->rsv = cda_arena_alloc(a, (size_t)nrsv * sizeof(*t->rsv) + 1);
	if (!t->rsv)
		return cda_oom(err, name);
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
