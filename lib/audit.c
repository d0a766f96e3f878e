// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "dt.h"
#include "kernel.h"
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

const struct cda_value *cda_audit_facts(const struct cda_audit *au)
{
	return au->facts;
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
	if (h->platform != CDA_PLATFORM_AUTO &&
	    (cda_obj_set_str(a, host, "platform", platforms[h->platform]) ||
	     cda_obj_set_str(a, host, "platform_source", "option")))
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

int cda_audit_load_dt(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct dt_tree t;
	struct cda_value *dt;
	int ret;

	if (cda_obj_get(au->facts, "dt"))
		return cda_fail(err, CDA_E_USAGE, "%s: only one device tree per audit",
				cda_display_path(path));
	if ((ret = cda_dt_read(au->arena, path, &t, err)) ||
	    (ret = cda_dt_facts(au->arena, &t, cda_display_path(path), &dt, err)) ||
	    (ret = cda_audit_add_input(au, "dt", path, t.format, err)))
		return ret;
	if (cda_obj_set(au->arena, au->facts, "dt", dt))
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	return 0;
}

int cda_audit_load_kernel(struct cda_audit *au, const char *path,
			  const struct cda_kernel_opts *opts, struct cda_error *err)
{
	static const struct cda_kernel_opts none;
	struct cda_value *k;
	const char *format;
	int ret;

	if (cda_obj_get(au->facts, "kernel"))
		return cda_fail(err, CDA_E_USAGE, "%s: only one kernel per audit",
				cda_display_path(path));
	if ((ret = cda_kernel_facts(au->arena, path, opts ? opts : &none, &k, &format, err)) ||
	    (ret = cda_audit_add_input(au, "kernel", path, format, err)))
		return ret;
	if (cda_obj_set(au->arena, au->facts, "kernel", k))
		return cda_fail(err, CDA_E_NOMEM, "out of memory");
	return 0;
}
