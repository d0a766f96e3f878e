/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - loaders for what a running guest shows: the swiotlb debugfs
 * files (swiotlb.c), the kernel log (dmesg.c) and the dma and swiotlb events
 * of an ftrace text or a trace-cmd trace.dat (trace.c, trace_dat.c). Each
 * turns one artifact into one facts object and knows nothing about rules.
 *
 * Errors: -CDA_E_IO (cannot open or read), -CDA_E_FORMAT (not the expected
 * kind of input, truncated archive, bad value), -CDA_E_NOMEM. A boot log or a
 * trace with a few damaged lines is not an error: those lines are counted in
 * the facts ("malformed") and reported by a rule; a trace most of whose lines
 * are damaged is.
 */
#ifndef CDA_RUNTIME_H
#define CDA_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "ccadma.h"
#include "facts.h"
#include "tar.h"
#include "util.h"

/* swiotlb debugfs: a directory copy, a tar (or tar.gz) archive, `grep -r .` or `head` text. */
int cda_swiotlb_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		      const char **format, struct cda_error *err);
/*
 * The same from archive members already read (a snapshot's debugfs/, named
 * relative to the debugfs directory: "swiotlb/io_tlb_nslabs", "POOL/..."),
 * each taken as a member of a tar of debugfs would be; name is for messages.
 * swiotlb.format is "snapshot".
 */
int cda_swiotlb_facts_members(struct cda_arena *a, const char *name,
			      const struct cda_tar_member *m, size_t n, struct cda_value **out,
			      struct cda_error *err);

/* Kernel log: dmesg, dmesg -T, journalctl -k, with or without timestamps. */
int cda_dmesg_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		    struct cda_error *err);
/* The same for any source: a file, or a snapshot member read in place under its name. */
int cda_dmesg_facts_src(struct cda_arena *a, const struct cda_source *src, struct cda_value **out,
			struct cda_error *err);

/*
 * The virtio devices of /sys/bus/virtio/devices as a snapshot holds them:
 * members "virtioN/features", "device", "vendor", "driver" (the bound
 * driver's name) and "path" (the sysfs device path), read in place. name
 * ("ARCHIVE:snapshot/virtio") is for messages; dt_devices (the dt.devices
 * facts, or NULL) names the DT node of a virtio-mmio device.
 */
int cda_virtio_facts(struct cda_arena *a, const char *name, const struct cda_tar_member *m,
		     size_t n, const struct cda_value *dt_devices, struct cda_value **out,
		     struct cda_error *err);

/*
 * An ftrace text, streamed in constant memory ("-" is standard input), or a
 * trace-cmd trace.dat, known by its magic (read through libtracecmd: a file,
 * standard input redirected from one, or a snapshot member). A trace most of
 * whose lines cannot be read is -CDA_E_FORMAT. The facts know no pool and no
 * shared bit: addresses are grouped by (event, device, field) into runs, and
 * the rules place the runs (rules/runtime.json TRACE001-005).
 */
int cda_trace_facts(struct cda_arena *a, const char *path, struct cda_value **out,
		    struct cda_error *err);
int cda_trace_facts_src(struct cda_arena *a, const struct cda_source *src, struct cda_value **out,
			struct cda_error *err);

#endif
