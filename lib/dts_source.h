/* SPDX-License-Identifier: MIT */
/*
 * dts_source.h - where each node and property of a device tree source (.dts)
 * is written, by full DT path, for reports that point at source lines
 * (--source FILE.dts: SARIF results at the .dts line, not line 1 of the .dtb).
 *
 * A scanner, not a dts compiler: it follows the file's braces, labels and
 * &label / &{/path} overrides, and nothing it includes (/include/, #include
 * are skipped), so a node written only in an included file is not found and
 * the caller keeps its own location. See dts_source.c for why.
 */
#ifndef CDA_DTS_SOURCE_H
#define CDA_DTS_SOURCE_H

#include <stddef.h>

#include "ccadma.h"

/* A larger .dts is a mistake (a preprocessed SoC tree is a few MiB at most). */
#define CDA_DTS_MAX_FILE (32u << 20)
/* Deeper nesting is hostile input, not a device tree (real ones are < 16 deep). */
#define CDA_DTS_MAX_DEPTH 256

struct cda_arena;
struct cda_dts_lines;

/*
 * Read and index path ("-": standard input). NULL on error, with err set:
 * -CDA_E_IO (cannot be read), -CDA_E_FORMAT (too large, binary data, not
 * a device tree source: unbalanced braces, too deep, no node at all),
 * -CDA_E_NOMEM. The message names the file, and the line when there is one.
 */
struct cda_dts_lines *cda_dts_lines_load(const char *path, struct cda_error *err);

/*
 * Index text[0..len) (name is for messages) into arena a, which owns the
 * result: cda_dts_lines_free() on it does nothing, freeing a frees it. For
 * text in memory and for out-of-memory tests. Errors as above; 0 or -code.
 */
int cda_dts_lines_parse(struct cda_arena *a, const char *name, const char *text, size_t len,
			struct cda_dts_lines **out, struct cda_error *err);

/*
 * The line (from 1) where the node at node_path ("/", "/soc/serial@1000")
 * is first opened, or, when property is given and set in it, where that
 * property is last set (the value the blob holds); 0 when the node is not
 * in the file. A property not set in the file gives the node's line.
 */
unsigned cda_dts_line(const struct cda_dts_lines *dl, const char *node_path, const char *property);

void cda_dts_lines_free(struct cda_dts_lines *dl);

#endif
