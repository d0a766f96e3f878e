// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "dt.h"
#include "kernel.h"
#include "runtime.h"
#include "util.h"

struct cda_audit *cda_audit_new(void)
{
	struct cda_audit *au = calloc(1, sizeof(*au));

	if (!au)
		return NULL;
	au->arena = cda_arena_new();
	if (!au->arena || !(au->facts = cda_v_obj(au->arena))) {
		cda_audit_free(au);
		return NULL;
	}
	return au;
}

void cda_audit_free(struct cda_audit *au)
{
	if (!au)
		return;
	cda_arena_free(au->arena);
	free(au);
}

int cda_audit_add_input(struct cda_audit *au, const char *kind, const char *path,
			const char *format, struct cda_error *err)
{
	struct cda_input *in;

	if (au->ninputs == sizeof(au->inputs) / sizeof(au->inputs[0]))
		return cda_fail(err, CDA_E_USAGE, "too many inputs");
	in = &au->inputs[au->ninputs];
	in->kind = kind;
	in->format = format;
	in->path = cda_arena_strdup(au->arena, cda_display_path(path));
	if (!in->path)
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	au->ninputs++;
	return 0;
}

const struct cda_input *cda_audit_input(const struct cda_audit *au, const char *kind)
{
	for (size_t i = 0; i < au->ninputs; i++)
		if (!strcmp(au->inputs[i].kind, kind))
			return &au->inputs[i];
	return NULL;
}

int cda_audit_set_host(struct cda_audit *au, const struct cda_host *h, struct cda_error *err)
{
	struct cda_arena *a = au->arena;
	struct cda_value *host = cda_v_obj(a);
	static const char *const platforms[] = { NULL, "cca", "pkvm" };

	if (h->granule != 4096 && h->granule != 16384 && h->granule != 65536)
		return cda_fail(err, CDA_E_USAGE, "host granule must be 4K, 16K or 64K");
	/* The architecture allows 32..52-bit IPA spaces (ID_AA64MMFR0_EL1.PARange). */
	if (h->ipa_bits && (h->ipa_bits < 32 || h->ipa_bits > 52))
		return cda_fail(err, CDA_E_USAGE, "--ipa-bits must be between 32 and 52");
	if (!host || cda_obj_set_hex(a, host, "granule", h->granule) ||
	    cda_obj_set_str(a, host, "granule_source", h->granule_given ? "option" : "default"))
		goto oom;
	/*
	 * host.page_size is the host's real page size, known only when given:
	 * rules that compare the guest's own page size or allocations with the
	 * host's must not fail on the strict 64K default (a 4K pKVM guest on a
	 * 4K host is the normal case). host.granule keeps the default for
	 * layout rules, where a 64K-aligned pool is right on every host.
	 * Likewise a platform the user did not give is unknown, with the reason
	 * a person needs, so no rule fails because a realm is merely possible.
	 */
	if (cda_obj_set(a, host, "page_size", h->granule_given
			? cda_v_hex(a, h->granule)
			: cda_v_unknown(a, "the host page size is not known: pass --host-granule 4K, 16K or 64K")))
		goto oom;
	if (h->platform != CDA_PLATFORM_AUTO
	    ? cda_obj_set_str(a, host, "platform", platforms[h->platform]) ||
	      cda_obj_set_str(a, host, "platform_source", "option")
	    : cda_obj_set(a, host, "platform",
			  cda_v_unknown(a, "the platform is not known: pass --platform cca or --platform pkvm")))
		goto oom;
	if (h->ipa_bits &&
	    (cda_obj_set_u64(a, host, "ipa_bits", h->ipa_bits) ||
	     cda_obj_set_str(a, host, "ipa_bits_source", "option") ||
	     cda_obj_set_hex(a, host, "shared_bit", (uint64_t)1 << (h->ipa_bits - 1))))
		goto oom;
	if (cda_obj_set(a, au->facts, "host", host))
		goto oom;
	return 0;
oom:
	return cda_fail(err, CDA_E_NOMEM, "out of memory");
}

int cda_audit_exit_code(const struct cda_audit *au, enum cda_severity fail_on,
			bool fail_on_indeterminate)
{
	if (fail_on_indeterminate && au->nindet)
		return 2;
	for (size_t i = 0; i < au->nfindings; i++)
		if (au->findings[i].rule->severity >= fail_on)
			return 1;
	return 0;
}

/* Every loader's facts go in through here: one input per kind. */
static int add_facts(struct cda_audit *au, const char *kind, const char *path,
		     const char *format, struct cda_value *v, struct cda_error *err)
{
	int ret = cda_audit_add_input(au, kind, path, format, err);

	if (ret)
		return ret;
	if (cda_obj_set(au->arena, au->facts, kind, v))
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	return 0;
}

static int only_one(struct cda_audit *au, const char *kind, const char *what, const char *path,
		    struct cda_error *err)
{
	if (cda_obj_get(au->facts, kind))
		return cda_fail(err, CDA_E_USAGE, "%s: only one %s per audit",
				cda_display_path(path), what);
	return 0;
}

int cda_audit_load_dt(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct dt_tree t;
	struct cda_value *dt;
	int ret;

	if ((ret = only_one(au, "dt", "device tree", path, err)) ||
	    (ret = cda_dt_read(au->arena, path, &t, err)) ||
	    (ret = cda_dt_facts(au->arena, &t, cda_display_path(path), &dt, err)))
		return ret;
	return add_facts(au, "dt", path, t.format, dt, err);
}

int cda_audit_load_kernel(struct cda_audit *au, const char *path,
			  const struct cda_kernel_opts *opts, struct cda_error *err)
{
	static const struct cda_kernel_opts none;
	struct cda_value *k;
	const char *format;
	int ret;

	if ((ret = only_one(au, "kernel", "kernel", path, err)) ||
	    (ret = cda_kernel_facts(au->arena, path, opts ? opts : &none, &k, &format, err)))
		return ret;
	return add_facts(au, "kernel", path, format, k, err);
}

int cda_audit_load_swiotlb(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct cda_value *v;
	const char *format;
	int ret;

	if ((ret = only_one(au, "swiotlb", "swiotlb dump", path, err)) ||
	    (ret = cda_swiotlb_facts(au->arena, path, &v, &format, err)))
		return ret;
	return add_facts(au, "swiotlb", path, format, v, err);
}

int cda_audit_load_dmesg(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct cda_value *v;
	int ret;

	if ((ret = only_one(au, "dmesg", "boot log", path, err)) ||
	    (ret = cda_dmesg_facts(au->arena, path, &v, err)))
		return ret;
	return add_facts(au, "dmesg", path, "text", v, err);
}

static bool is_true(const struct cda_value *o, const char *key)
{
	const struct cda_value *v = cda_obj_get(o, key);

	return v && v->type == CDA_T_BOOL && v->b;
}

/*
 * The pools a trace's DMA addresses may lie in, from the facts already loaded:
 * the boot log's default swiotlb range, the device tree's static restricted
 * and shared-dma pools (named by node path), then the boot log's restricted
 * pools that no DT pool already covers. At most max.
 */
static size_t known_pools(const struct cda_audit *au, struct cda_trace_pool *p, size_t max)
{
	const struct cda_value *range = cda_obj_path(au->facts, "dmesg.swiotlb");
	const struct cda_value *dt = cda_obj_path(au->facts, "dt.pools");
	const struct cda_value *rp = cda_obj_path(au->facts, "dmesg.restricted_pools");
	size_t n = 0;
	bool ok = true;

	if (range) {
		uint64_t start = cda_obj_get_u64(range, "start", &ok), end = cda_obj_get_u64(range, "end", &ok);

		if (ok && end > start)
			p[n++] = (struct cda_trace_pool){ "swiotlb", "dmesg", start, end - start };
	}
	for (size_t i = 0; dt && dt->type == CDA_T_LIST && i < dt->list.n && n < max; i++) {
		const struct cda_value *d = dt->list.items[i], *path = cda_obj_get(d, "path");
		uint64_t base, size;

		ok = true;
		base = cda_obj_get_u64(d, "base", &ok);
		size = cda_obj_get_u64(d, "size", &ok);
		if (ok && size && path && path->type == CDA_T_STR && is_true(d, "available") &&
		    is_true(d, "static") && (is_true(d, "restricted") || is_true(d, "shared_dma")))
			p[n++] = (struct cda_trace_pool){ path->s, "dt", base, size };
	}
	for (size_t i = 0; rp && rp->type == CDA_T_LIST && i < rp->list.n && n < max; i++) {
		const struct cda_value *d = rp->list.items[i];
		uint64_t base, size;
		bool covered = false;

		ok = true;
		base = cda_obj_get_u64(d, "base", &ok);
		size = cda_obj_get_u64(d, "size", &ok);
		for (size_t j = 0; j < n; j++)
			covered |= p[j].base == base;
		if (ok && size && !covered)
			p[n++] = (struct cda_trace_pool){
				cda_arena_printf(au->arena, "restricted pool (boot log line %llu)",
						 (unsigned long long)cda_obj_get_u64(d, "line", &ok)), "dmesg", base, size };
	}
	return n;
}

int cda_audit_load_trace(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct cda_trace_pool pools[64];
	struct cda_trace_ctx ctx = { .pools = pools };
	const struct cda_value *bits = cda_obj_path(au->facts, "host.ipa_bits");
	struct cda_value *v;
	int ret;

	if ((ret = only_one(au, "trace", "trace", path, err)))
		return ret;
	ctx.npools = known_pools(au, pools, sizeof(pools) / sizeof(pools[0]));
	for (size_t i = 0; i < ctx.npools; i++)
		if (!pools[i].name)
			return cda_fail(err, CDA_E_NOMEM, "out of memory");
	ctx.ipa_bits = bits && bits->type == CDA_T_U64 ? (unsigned)bits->u : 0;
	if ((ret = cda_trace_facts(au->arena, path, &ctx, &v, err)))
		return ret;
	return add_facts(au, "trace", path, "ftrace", v, err);
}
