/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - the archive cca-dma-audit-collect writes inside a running
 * guest: a tar archive, gzip'd (xz, zstd or none are read too), whose members
 * sit under snapshot/ (format 1, see cmd/cca-dma-audit-collect):
 *
 *   FORMAT             "cca-dma-audit-snapshot 1"
 *   release, cmdline   uname -r, /proc/cmdline
 *   fdt                /sys/firmware/fdt
 *   dmesg.txt          the kernel log
 *   config.gz          /proc/config.gz (optional)
 *   debugfs/...        the swiotlb debugfs files, real contents
 *   virtio/virtioN/    features, device, vendor, driver, path
 *   trace.txt          the dma and swiotlb events (optional)
 *   errors             what the collector could not capture, "what: why" lines
 *
 * This reads the archive and hands out its members, which the loaders read
 * in place (no temporary files) under names such as
 * "snap.tar.gz:snapshot/dmesg.txt"; audit.c wires them to the loaders.
 *
 * Errors: -CDA_E_IO (cannot open or read), -CDA_E_FORMAT (not a tar archive,
 * truncated or corrupt, no snapshot/FORMAT member or a format other than 1,
 * past the decompression cap, a member over its limit, a member we read that
 * is not a regular file or is listed twice, more than CDA_SNAPSHOT_MAX_MEMBERS
 * members), -CDA_E_NOMEM.
 */
#ifndef CDA_SNAPSHOT_H
#define CDA_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "ccadma.h"
#include "facts.h"
#include "tar.h"

#define CDA_SNAPSHOT_FORMAT 1
#define CDA_SNAPSHOT_DIR "snapshot/"
/* The snapshot file as read, compressed or not; its tar is bounded by --max-decompressed. */
#define CDA_SNAPSHOT_FILE_MAX (1ull << 30)
/* Members in the archive: a guest with 64 virtio devices and 8 pools has ~400. */
#define CDA_SNAPSHOT_MAX_MEMBERS 4096
/* One member: a trace.txt is the largest (the collector traces into 4 MiB a CPU by default). */
#define CDA_SNAPSHOT_MEMBER_MAX (256u << 20)
/* The members kept as text in the facts: FORMAT, release, cmdline, errors. */
#define CDA_SNAPSHOT_TEXT_MAX (64u << 10)

struct cda_snapshot {
	const char *name;          /* display name of the archive */
	const char *compression;   /* "gzip", "xz", "zstd" or "none" */
	unsigned char *tar;        /* the (decompressed) archive, owned; members point into it */
	size_t len;
	struct cda_tar_member *m;  /* members under snapshot/, names without that prefix */
	bool *taken;               /* per member: a loader read it */
	size_t n;
	const char **outside;      /* members not under snapshot/ (names as stored) */
	size_t noutside;
};

/*
 * Read the archive at path ("-": standard input) and check its FORMAT. Names
 * and the member table live in a; close frees the archive bytes, so the
 * loaders must have copied what they keep.
 */
int cda_snapshot_open(struct cda_arena *a, const char *path, struct cda_snapshot *s,
		      struct cda_error *err);
void cda_snapshot_close(struct cda_snapshot *s);

/*
 * The regular file member snapshot/NAME in *out, marked taken; 0 with *out
 * NULL when there is none. -CDA_E_FORMAT (and *out NULL) when it is a link,
 * a directory, listed twice or larger than max.
 */
int cda_snapshot_take(struct cda_snapshot *s, const char *name, size_t max,
		      const struct cda_tar_member **out, struct cda_error *err);
/*
 * Every member under snapshot/DIR/ (dir without slashes), marked taken, as
 * tar members named relative to DIR, in archive order (arena copies). 0 with
 * *n 0 when there is none.
 */
int cda_snapshot_take_dir(struct cda_arena *a, struct cda_snapshot *s, const char *dir,
			  struct cda_tar_member **out, size_t *n, struct cda_error *err);

/* "ARCHIVE:snapshot/NAME", the name errors and the report give a member (arena). */
const char *cda_snapshot_member_name(struct cda_arena *a, const struct cda_snapshot *s,
				     const char *name);

/*
 * The "snapshot" facts: format, compression, release, cmdline, what the
 * collector could not capture (the errors member) and the members no loader
 * took. Call after the loaders have taken theirs.
 */
int cda_snapshot_facts(struct cda_arena *a, struct cda_snapshot *s, struct cda_value **out,
		       struct cda_error *err);

#endif
