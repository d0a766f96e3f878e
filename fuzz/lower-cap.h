/* SPDX-License-Identifier: MIT */
/*
 * lower-cap.h - for the fuzz targets that decompress (kernel, runtime): a
 * 64 MiB decompression cap instead of the default 1 GiB, so a bomb is still
 * refused, and within libFuzzer's per-input timeout. Defines libFuzzer's
 * initialisation hook, so include it once per target.
 */
#ifndef CDA_FUZZ_LOWER_CAP_H
#define CDA_FUZZ_LOWER_CAP_H

#include "ccadma.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cda_set_max_decompressed(64u << 20);
	return 0;
}

#endif
