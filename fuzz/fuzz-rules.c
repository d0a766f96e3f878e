// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any text as a rule file. A file that loads is also run
 * against a small fact tree, so the expression evaluator and templates are
 * fuzzed along with the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_audit *au = cda_audit_new();
	struct cda_host host = { .granule = 65536, .platform = CDA_PLATFORM_CCA, .ipa_bits = 48 };
	char *text = malloc(size + 1);
	struct cda_error err;

	if (!rs || !au || !text)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cda_audit_set_host(au, &host, &err))
		goto out;
	{
		struct cda_value *dt = cda_v_obj(au->arena), *pools = cda_v_list(au->arena);
		struct cda_value *p = cda_v_obj(au->arena);

		cda_obj_set_hex(au->arena, p, "base", 0x80001000);
		cda_obj_set_hex(au->arena, p, "size", 0x400000);
		cda_obj_set_str(au->arena, p, "path", "/reserved-memory/p@80001000");
		cda_obj_set_bool(au->arena, p, "restricted", true);
		cda_list_push(au->arena, pools, p);
		cda_obj_set(au->arena, dt, "pools", pools);
		cda_obj_set(au->arena, au->facts, "dt", dt);
	}
	if (!cda_ruleset_load_text(rs, "fuzz.json", text, &err)) {
		char *out = NULL;
		struct cda_report_opts ro = { .format = CDA_FORMAT_JSON, .fail_on = CDA_SEV_ERROR };

		if (!cda_audit_run(au, rs, &err) && !cda_report_render(au, rs, &ro, &out, &err))
			free(out);
	}
out:
	free(text);
	cda_audit_free(au);
	cda_ruleset_free(rs);
	return 0;
}
