// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

#define IO_TLB_SEGSIZE 128 /* include/linux/swiotlb.h */
#define IO_TLB_SHIFT 11

/* Like the kernel's next_arg(): whitespace-separated, double quotes group. */
static const char *next_arg(const char *p, char *buf, size_t bufsz)
{
	size_t n = 0;
	int quoted = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return NULL;
	for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < bufsz)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	return p;
}

static uint64_t roundup_pow2(uint64_t x)
{
	uint64_t r = 1;

	while (r < x && r < ((uint64_t)1 << 63))
		r <<= 1;
	return r;
}

/* kernel/dma/swiotlb.c setup_io_tlb_npages(), with simple_strtoul(..., 0). */
static int parse_swiotlb(struct cda_arena *a, const char *val, struct cda_value *sw)
{
	char *end;
	const char *s = val;

	if (cda_obj_set_str(a, sw, "value", val))
		return -1;
	if (isdigit((unsigned char)*s)) {
		uint64_t slabs = strtoull(s, &end, 0);
		uint64_t eff = slabs > UINT64_MAX - IO_TLB_SEGSIZE
			       ? slabs : (slabs + IO_TLB_SEGSIZE - 1) / IO_TLB_SEGSIZE * IO_TLB_SEGSIZE;

		s = end;
		if (cda_obj_set_u64(a, sw, "slabs", slabs) ||
		    cda_obj_set_u64(a, sw, "slabs_effective", eff) ||
		    cda_obj_set_hex(a, sw, "bytes", eff << IO_TLB_SHIFT))
			return -1;
	}
	if (*s == ',')
		s++;
	if (isdigit((unsigned char)*s)) {
		uint64_t areas = strtoull(s, &end, 0);

		s = end;
		if (cda_obj_set_u64(a, sw, "areas", areas) ||
		    cda_obj_set_u64(a, sw, "areas_effective", areas ? roundup_pow2(areas) : 1))
			return -1;
	}
	if (*s == ',')
		s++;
	if (!strcmp(s, "force") && cda_obj_set_bool(a, sw, "force", true))
		return -1;
	if (!strcmp(s, "noforce") && cda_obj_set_bool(a, sw, "noforce", true))
		return -1;
	return 0;
}

int cda_cmdline_facts(struct cda_arena *a, const char *cmdline, struct cda_value *obj)
{
	char arg[1024];
	const char *p = cmdline;

	while ((p = next_arg(p, arg, sizeof(arg)))) {
		char *eq = strchr(arg, '=');
		const char *val = eq ? eq + 1 : "";

		if (!strcmp(arg, "--"))
			break; /* the rest is for init */
		if (eq)
			*eq = '\0';
		if (!strcmp(arg, "swiotlb")) {
			struct cda_value *sw = cda_obj_get(obj, "swiotlb");

			if (!sw) {
				sw = cda_v_obj(a);
				if (!sw || cda_obj_set_bool(a, sw, "force", false) ||
				    cda_obj_set_bool(a, sw, "noforce", false) ||
				    cda_obj_set(a, obj, "swiotlb", sw))
					return -1;
			}
			if (parse_swiotlb(a, val, sw))
				return -1;
		} else if ((!strcmp(arg, "mem_encrypt") || !strcmp(arg, "rodata")) &&
			   cda_obj_set_str(a, obj, arg, val)) {
			return -1;
		}
	}
	return 0;
}
