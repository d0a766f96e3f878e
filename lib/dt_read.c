// SPDX-License-Identifier: MIT
/*
 * Reading a device tree from a path: a directory goes to the
 * /proc/device-tree reader (dt_fs.c), anything else (a file, "-") is read
 * whole and goes to the blob reader (dt_blob.c). It sits above both readers
 * so that neither they nor the tree they build (dt_tree.c) know each other.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dt.h"
#include "util.h"

int cda_dt_read(struct cda_arena *a, const char *path, struct dt_tree *t, struct cda_error *err)
{
	bool from_stdin = !strcmp(path, "-");
	struct stat st;
	char *buf;
	size_t len;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!from_stdin && stat(path, &st))
		return cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
	if (!from_stdin && S_ISDIR(st.st_mode))
		return cda_dt_read_fs(a, path, t, err);
	ret = cda_read_file(path, DT_MAX_BLOB, &buf, &len, err);
	if (ret)
		return ret;
	ret = cda_dt_read_blob(a, cda_display_path(path), buf, len, t, err);
	free(buf);
	return ret;
}
