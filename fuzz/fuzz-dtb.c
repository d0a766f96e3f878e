// SPDX-License-Identifier: MIT
/* libFuzzer target: any byte string as a .dtb, through the loader and fact extraction. */
#include <stddef.h>
#include <stdint.h>

#include "dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cda_arena *a = cda_arena_new();
	struct cda_error err;
	struct cda_value *dt;
	struct dt_tree t;

	if (!a)
		return 0;
	if (!cda_dt_read_blob(a, "fuzz.dtb", data, size, &t, &err))
		cda_dt_facts(a, &t, "fuzz.dtb", &dt, &err);
	cda_arena_free(a);
	return 0;
}
