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
static void parse_swiotlb(struct cda_fb *fb, const char *val, struct cda_value *sw)
{
	char *end;
	const char *s = val;

	cda_fb_str(fb, sw, "value", val);
	if (isdigit((unsigned char)*s)) {
		uint64_t slabs = strtoull(s, &end, 0);
		uint64_t eff = slabs > UINT64_MAX - IO_TLB_SEGSIZE
			       ? slabs : (slabs + IO_TLB_SEGSIZE - 1) / IO_TLB_SEGSIZE * IO_TLB_SEGSIZE;

		s = end;
		cda_fb_u64(fb, sw, "slabs", slabs);
		cda_fb_u64(fb, sw, "slabs_effective", eff);
		cda_fb_hex(fb, sw, "bytes", eff << IO_TLB_SHIFT);
	}
	if (*s == ',')
		s++;
	if (isdigit((unsigned char)*s)) {
		uint64_t areas = strtoull(s, &end, 0);

		s = end;
		cda_fb_u64(fb, sw, "areas", areas);
		cda_fb_u64(fb, sw, "areas_effective", areas ? roundup_pow2(areas) : 1);
	}
	if (*s == ',')
		s++;
	if (!strcmp(s, "force"))
		cda_fb_bool(fb, sw, "force", true);
	if (!strcmp(s, "noforce"))
		cda_fb_bool(fb, sw, "noforce", true);
}

/* obj.swiotlb, made on the first swiotlb= with force and noforce false. */
static struct cda_value *swiotlb_obj(struct cda_fb *fb, struct cda_value *obj)
{
	struct cda_value *sw = cda_obj_get(obj, "swiotlb");

	if (!sw) {
		sw = cda_fb_obj(fb, obj, "swiotlb");
		cda_fb_bool(fb, sw, "force", false);
		cda_fb_bool(fb, sw, "noforce", false);
	}
	return sw;
}

void cda_cmdline_facts(struct cda_fb *fb, const char *cmdline, struct cda_value *obj)
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
		if (!strcmp(arg, "swiotlb"))
			parse_swiotlb(fb, val, swiotlb_obj(fb, obj));
		else if (!strcmp(arg, "mem_encrypt") || !strcmp(arg, "rodata"))
			cda_fb_str(fb, obj, arg, val);
	}
}
