/* SPDX-License-Identifier: MIT */
/*
 * The profile file (--profile FILE, or ./.cca-dma-audit.json): the settings a
 * fleet writes once, as JSON. Each key stands for an option row and is
 * applied through it (cli_apply), before the command line, which therefore
 * wins; the format is in cca-dma-audit(1), PROFILE.
 */
#ifndef CDA_CMD_PROFILE_H
#define CDA_CMD_PROFILE_H

#include <stddef.h>

#include "options.h"

/* The name looked for in the current directory when no --profile is given. */
#define PROFILE_DEFAULT ".cca-dma-audit.json"

/* What the applied options point into; lives until profile_free(). */
struct profile {
	struct json_object *doc;
	struct cda_arena *arena; /* joined paths and "ID=LEVEL" strings */
};

/*
 * Read path and apply its keys to o through cli's rows. -1 to go on, or
 * EXIT_USAGE with "PATH: key KEY: reason" (or "PATH: reason") in msg.
 */
int profile_apply(struct profile *p, const struct cli *cli, struct options *o, const char *path,
		  char *msg, size_t msglen);

void profile_free(struct profile *p);

#endif
