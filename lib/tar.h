/* SPDX-License-Identifier: MIT */
/*
 * tar.h - reader of a whole tar archive held in memory (already
 * decompressed): POSIX ustar, GNU and pax, as GNU tar, busybox tar and
 * Python's tarfile write them. It hands each member to a callback and knows
 * nothing about what the archive holds; the swiotlb loader and the snapshot
 * archive reader decide which members they take.
 *
 * Names are whole: a GNU long-name record ('L') or a pax path= record ('x')
 * replaces the name the next header holds cut at 100 bytes, and the ustar
 * prefix field is joined to the name. Metadata records (long names and long
 * link names, pax headers, global pax headers, volume labels) are consumed
 * here and never reach the callback.
 *
 * Errors, all -CDA_E_FORMAT naming the archive: a header whose size or
 * checksum field is not octal, a checksum mismatch, a member running past the
 * end ("truncated tar archive"), a corrupt pax record, a name longer than
 * CDA_TAR_NAME_MAX bytes.
 */
#ifndef CDA_TAR_H
#define CDA_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"

#define CDA_TAR_NAME_MAX 4096 /* PATH_MAX: a long-name record naming a member */

struct cda_tar_member {
	const char *name;          /* NUL-terminated, as stored (GNU/pax long names resolved) */
	char type;                 /* '0' regular file ('\0' and '7' mapped to '0'), '5' directory,
				    * or the raw typeflag for others ('1' hard link, '2' symlink ...) */
	const unsigned char *data; /* file contents inside the archive buffer */
	uint64_t size;
};

/* Called per member; a non-zero return stops the walk and is returned. */
typedef int cda_tar_fn(void *ctx, const struct cda_tar_member *m, struct cda_error *err);

/* A ustar header ("ustar" magic) opens b: POSIX, GNU and pax archives all have it. */
bool cda_is_tar(const unsigned char *b, size_t len);

/*
 * Walks a whole in-memory (already decompressed) archive up to its
 * end-of-archive block (or its last byte); -CDA_E_FORMAT naming `name` for a
 * truncated or corrupt one.
 */
int cda_tar_each(const unsigned char *b, size_t len, const char *name, cda_tar_fn *fn, void *ctx,
		 struct cda_error *err);

/*
 * What a link, device or FIFO typeflag is, for messages ("a symbolic link");
 * NULL for any other.
 */
const char *cda_tar_kind(char type);

#endif
