// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any text as an expression, then as a message template,
 * evaluated over a small fact tree with every value type (integers, strings,
 * booleans, lists, objects, unknowns) and a bound variable. The rule-file
 * target reaches expressions only through valid JSON; this one goes straight
 * at the parser's and evaluator's limits (nesting, literals, quantifiers).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cda_value *facts(struct cda_arena *a)
{
	struct cda_value *root = cda_v_obj(a), *host = cda_v_obj(a), *dt = cda_v_obj(a);
	struct cda_value *pools = cda_v_list(a), *names = cda_v_list(a);

	for (int i = 0; i < 3; i++) {
		struct cda_value *p = cda_v_obj(a);

		cda_obj_set_hex(a, p, "base", 0x80001000ull + (uint64_t)i * 0x400000);
		cda_obj_set_hex(a, p, "size", i == 2 ? 0 : 0x400000);
		cda_obj_set_str(a, p, "path", i ? "/reserved-memory/b@0" : "/reserved-memory/a@0");
		cda_obj_set_bool(a, p, "restricted", i != 1);
		cda_obj_set(a, p, "alignment", cda_v_unknown(a, "no alignment in this test tree"));
		cda_list_push(a, pools, p);
		cda_list_push(a, names, cda_v_str(a, i ? "virtio" : "pci"));
	}
	cda_obj_set_u64(a, host, "granule", 65536);
	cda_obj_set_u64(a, host, "ipa_bits", 48);
	cda_obj_set_str(a, host, "platform", "cca");
	cda_obj_set(a, host, "page_size", cda_v_unknown(a, "pass --host-granule"));
	cda_obj_set(a, dt, "pools", pools);
	cda_obj_set(a, dt, "names", names);
	cda_obj_set(a, root, "host", host);
	cda_obj_set(a, root, "dt", dt);
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cda_arena *a = cda_arena_new();
	char *text = malloc(size + 1), err[256];
	struct cda_expr *e;
	struct cda_template *t;
	struct cda_value *out;
	const char *s;

	if (!a || !text)
		goto done;
	memcpy(text, data, size);
	text[size] = '\0';
	{
		struct cda_eval ev = { .arena = a, .root = facts(a) };
		const struct cda_value *pools = cda_obj_get(cda_obj_get(ev.root, "dt"), "pools");

		if (pools && pools->type == CDA_T_LIST && pools->list.n)
			cda_eval_bind(&ev, "pool", pools->list.items[0]);
		if (!cda_expr_parse(a, text, &e, err, sizeof(err)))
			cda_expr_eval(&ev, e, &out);
		if (!cda_template_parse(a, text, &t, err, sizeof(err)))
			cda_template_render(&ev, t, &s);
	}
done:
	free(text);
	cda_arena_free(a);
	return 0;
}
