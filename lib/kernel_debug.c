// SPDX-License-Identifier: MIT
/*
 * Struct layouts from kernel debug info, without walking all of it.
 *
 * BTF (the .BTF section, include/uapi/linux/btf.h) is a few MB even for a
 * distro kernel: one linear pass over its type records finds a struct by name.
 * Without BTF, DWARF is read through libdw, but only the compile unit that
 * defines the struct: the CU holding an anchor function's address (found via
 * .debug_aranges by dwarf_addrdie), else the CU whose name ends in a given
 * source path. A debug vmlinux has thousands of CUs; we parse one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "kernel.h"
#include "util.h"

/* ---- BTF ---- */

#define BTF_MAGIC 0xeB9F

enum {
	BTF_KIND_INT = 1, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT, BTF_KIND_UNION,
	BTF_KIND_ENUM, BTF_KIND_FWD, BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE, BTF_KIND_CONST,
	BTF_KIND_RESTRICT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_VAR, BTF_KIND_DATASEC,
	BTF_KIND_FLOAT, BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG, BTF_KIND_ENUM64,
};

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4); /* BTF is in the target's byte order: little-endian arm64 */
	return v;
}

/* Bytes of kind-specific data that follow a 12-byte btf_type; -1 for an unknown kind. */
static long btf_extra(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static const char *btf_str(const unsigned char *strs, uint32_t slen, uint32_t off)
{
	if (off >= slen || !memchr(strs + off, '\0', slen - off))
		return NULL;
	return (const char *)strs + off;
}

/* 1 found (members filled), 0 not in BTF, <0 error. */
static int btf_struct(struct cda_arena *a, struct kdebug *d, const char *strct,
		      struct cda_error *err)
{
	const unsigned char *b = d->btf, *types, *strs;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	size_t pos = 0;

	if (d->btf_len < 24 || (b[0] | b[1] << 8) != BTF_MAGIC)
		return cda_fail(err, CDA_E_FORMAT, "corrupt .BTF section: bad magic");
	hdr_len = rd32(b + 4);
	type_off = rd32(b + 8);
	type_len = rd32(b + 12);
	str_off = rd32(b + 16);
	str_len = rd32(b + 20);
	if (hdr_len < 24 || hdr_len > d->btf_len ||
	    (uint64_t)type_off + type_len > d->btf_len - hdr_len ||
	    (uint64_t)str_off + str_len > d->btf_len - hdr_len)
		return cda_fail(err, CDA_E_FORMAT, "corrupt .BTF section: sections out of bounds");
	types = b + hdr_len + type_off;
	strs = b + hdr_len + str_off;
	while (pos + 12 <= type_len) {
		uint32_t info = rd32(types + pos + 4);
		unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		long extra = btf_extra(kind, vlen);
		const char *name;

		if (extra < 0)
			return cda_fail(err, CDA_E_FORMAT, "corrupt .BTF section: unknown type kind %u",
					kind);
		if ((uint64_t)pos + 12 + (uint64_t)extra > type_len)
			return cda_fail(err, CDA_E_FORMAT, "corrupt .BTF section: type record cut short");
		if (kind == BTF_KIND_STRUCT &&
		    (name = btf_str(strs, str_len, rd32(types + pos))) && !strcmp(name, strct)) {
			const unsigned char *m = types + pos + 12;

			d->members = cda_arena_alloc(a, (vlen ? vlen : 1) * sizeof(*d->members));
			if (!d->members)
				return cda_oom(err, NULL);
			d->nmembers = 0;
			for (unsigned i = 0; i < vlen; i++, m += 12) {
				const char *mn = btf_str(strs, str_len, rd32(m));

				if (mn && *mn)
					d->members[d->nmembers++] = mn;
			}
			return 1;
		}
		pos += 12 + (size_t)extra;
	}
	return 0;
}

/* ---- DWARF ---- */

static int dwarf_struct_in_cu(struct cda_arena *a, struct kdebug *d, Dwarf_Die *cu,
			      const char *strct, struct cda_error *err)
{
	Dwarf_Die die, m;

	if (dwarf_child(cu, &die) != 0)
		return 0;
	do {
		const char *n;
		size_t cap = 16;

		if (dwarf_tag(&die) != DW_TAG_structure_type || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		n = dwarf_diename(&die);
		if (!n || strcmp(n, strct))
			continue;
		d->nmembers = 0;
		d->members = cda_arena_alloc(a, cap * sizeof(*d->members));
		if (!d->members)
			return cda_oom(err, NULL);
		if (dwarf_child(&die, &m) != 0)
			return 1;
		do {
			const char *mn;

			if (dwarf_tag(&m) != DW_TAG_member || !(mn = dwarf_diename(&m)))
				continue;
			if (d->nmembers == cap) {
				const char **nm = cda_arena_alloc(a, 2 * cap * sizeof(*nm));

				if (!nm)
					return cda_oom(err, NULL);
				memcpy(nm, d->members, cap * sizeof(*nm));
				d->members = nm;
				cap *= 2;
			}
			d->members[d->nmembers++] = mn;
		} while (dwarf_siblingof(&m, &m) == 0);
		return 1;
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix) && (n == k || s[n - k - 1] == '/');
}

/* 1 found, 0 not found, <0 error. *why says which CU was read. */
static int dwarf_struct(struct cda_arena *a, struct kdebug *d, const char *strct,
			uint64_t anchor, const char *cu_name, char *why, size_t whylen,
			struct cda_error *err)
{
	Dwarf *dbg;
	Dwarf_Die cu;

	if (!d->dwarf_tried) {
		d->dwarf_tried = true;
		d->dwarf = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
		d->has_dwarf = d->dwarf != NULL;
	}
	if (!d->has_dwarf)
		return 0;
	dbg = d->dwarf;
	if (anchor && dwarf_addrdie(dbg, anchor, &cu)) {
		const char *n = dwarf_diename(&cu);
		int r = dwarf_struct_in_cu(a, d, &cu, strct, err);

		snprintf(why, whylen, "DWARF, CU %s", n ? n : "?");
		if (r)
			return r;
	}
	if (cu_name) {
		Dwarf_Off off = 0, next;
		size_t hsize;

		/* Only CU headers and their first DIE are read here, not the CUs' contents. */
		while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
			const char *n;

			if (dwarf_offdie(dbg, off + hsize, &cu) && (n = dwarf_diename(&cu)) &&
			    ends_with(n, cu_name)) {
				snprintf(why, whylen, "DWARF, CU %s", n);
				return dwarf_struct_in_cu(a, d, &cu, strct, err);
			}
			off = next;
		}
	}
	return 0;
}

void cda_kdebug_init(struct kdebug *d, Elf *elf, bool use_btf)
{
	memset(d, 0, sizeof(*d));
	d->elf = elf;
	d->use_btf = use_btf;
	if (elf) {
		Elf_Data *btf = cda_elf_section(elf, ".BTF", NULL);

		if (btf && btf->d_buf && btf->d_size) {
			d->btf = btf->d_buf;
			d->btf_len = btf->d_size;
		}
	}
}

void cda_kdebug_free(struct kdebug *d)
{
	if (d->dwarf)
		dwarf_end(d->dwarf);
	d->dwarf = NULL;
}

const char *cda_kdebug_kind(const struct kdebug *d)
{
	if (d->btf && d->use_btf)
		return "btf";
	if (d->has_dwarf || (d->elf && cda_elf_section(d->elf, ".debug_info", NULL)))
		return "dwarf";
	return "none";
}

int cda_kdebug_member(struct cda_arena *a, struct kdebug *d, const char *strct,
		      const char *member, uint64_t anchor_addr, const char *cu_name,
		      enum kdebug_result *res, char *why, size_t whylen, struct cda_error *err)
{
	int r = 0;

	*res = KD_UNAVAILABLE;
	if (!d->cached_struct || strcmp(d->cached_struct, strct)) {
		char where[256] = "";

		d->cached_struct = NULL;
		if (d->btf && d->use_btf) {
			r = btf_struct(a, d, strct, err);
			snprintf(where, sizeof(where), "BTF");
		} else if (d->elf) {
			r = dwarf_struct(a, d, strct, anchor_addr, cu_name, where, sizeof(where), err);
		}
		if (r < 0)
			return r;
		if (r == 0) {
			if (d->btf && d->use_btf)
				snprintf(why, whylen, "struct %s is not in the BTF", strct);
			else if (!d->has_dwarf)
				snprintf(why, whylen, "no BTF or DWARF debug info");
			else
				snprintf(why, whylen, "struct %s not found in DWARF%s%s", strct,
					 *where ? " " : "", where);
			return 0;
		}
		d->cached_struct = cda_arena_strdup(a, strct);
		d->cached_from = cda_arena_strdup(a, where);
		if (!d->cached_struct || !d->cached_from)
			return cda_oom(err, NULL);
	}
	*res = KD_ABSENT;
	for (size_t i = 0; i < d->nmembers; i++)
		if (!strcmp(d->members[i], member))
			*res = KD_FOUND;
	snprintf(why, whylen, "struct %s %s member %s (%s)", strct,
		 *res == KD_FOUND ? "has" : "has no", member, d->cached_from);
	return 0;
}
