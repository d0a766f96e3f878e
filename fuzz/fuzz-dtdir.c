// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the device-tree directory walk (a /proc/device-tree copy),
 * through a real temporary directory, since the walk's hazards are the file
 * system's: odd names, symlinks, FIFOs, empty and huge property files, deep
 * nesting. The input is a list of records, each creating one entry:
 *
 *   kind (1 byte: 0 file, 1 directory, 2 symlink, 3 FIFO)
 *   name length (1 byte), name ('/' separates directories, created as needed;
 *   "", "." and ".." components are dropped so nothing lands outside the tree)
 *   data length (2 bytes, little endian), data (file contents or link target)
 *
 * fuzz/run-campaign.sh turns the test device trees into seeds of this form.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Open (creating) the directory for all but the last component of name; the last in *leaf. */
static int parent_dir(int root, char *name, char **leaf)
{
	int fd = dup(root);
	char *save = NULL, *comp = strtok_r(name, "/", &save), *next;

	*leaf = NULL;
	for (; comp && fd >= 0; comp = next) {
		int sub;

		next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, ".") || !strcmp(comp, ".."))
			continue;
		if (!next) {
			*leaf = comp;
			break;
		}
		mkdirat(fd, comp, 0755);
		sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
	}
	if (fd >= 0 && !*leaf) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void create(int root, unsigned kind, char *name, const uint8_t *d, size_t len)
{
	char *leaf;
	int dir = parent_dir(root, name, &leaf), fd;

	if (dir < 0)
		return;
	switch (kind & 3) {
	case 0:
		fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (len && write(fd, d, len) < 0) { /* nothing to do: the walk sees what is there */ }
			close(fd);
		}
		break;
	case 1:
		mkdirat(dir, leaf, 0755);
		break;
	case 2: {
		char target[1024];

		len = len < sizeof(target) - 1 ? len : sizeof(target) - 1;
		memcpy(target, d, len);
		target[len] = '\0';
		if (memchr(target, '\0', len) == NULL && len)
			symlinkat(target, dir, leaf);
		break;
	}
	case 3:
		mkfifoat(dir, leaf, 0644);
		break;
	}
	close(dir);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a RAM file system when there is one: the walk, not the disk, is under test */
	char dir[64];
	struct cda_arena *a;
	size_t i = 0;
	int root;

	snprintf(dir, sizeof(dir), "%s/fuzz-dtdir-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		return 0;
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (root >= 0 && i + 4 <= size) {
		unsigned kind = data[i], nlen = data[i + 1], dlen;
		char name[256];

		if (i + 2 + nlen + 2 > size)
			break;
		memcpy(name, data + i + 2, nlen);
		name[nlen] = '\0';
		i += 2 + nlen;
		dlen = (unsigned)data[i] | (unsigned)data[i + 1] << 8;
		i += 2;
		if (dlen > size - i)
			dlen = (unsigned)(size - i);
		if (strlen(name) == nlen) /* a NUL in a name cannot be created; skip the record */
			create(root, kind, name, data + i, dlen);
		i += dlen;
	}
	if (root >= 0)
		close(root);
	a = cda_arena_new();
	if (a) {
		struct cda_error err;
		struct cda_value *dt;
		struct dt_tree t;

		if (!cda_dt_read_fs(a, dir, &t, &err))
			cda_dt_facts(a, &t, dir, &dt, &err);
		cda_arena_free(a);
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
