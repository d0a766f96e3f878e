// SPDX-License-Identifier: MIT
/*
 * dtb2fs: write a .dtb out as a /proc/device-tree style directory, including
 * the "name" pseudo-property Linux adds to every node. Test helper only: it
 * lets the tests check that both input forms give the same facts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

static int dump(const void *fdt, int off, const char *dir)
{
	const char *name = fdt_get_name(fdt, off, NULL);
	char base[256];
	int prop, child;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return -1;
	}
	snprintf(base, sizeof(base), "%s", off ? name : "");
	*strchrnul(base, '@') = '\0';
	if (write_file(dir, "name", base, strlen(base) + 1))
		return -1;
	fdt_for_each_property_offset(prop, fdt, off) {
		const char *pname;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &pname, &len);

		if (!val || write_file(dir, pname, val, (size_t)len))
			return -1;
	}
	fdt_for_each_subnode(child, fdt, off) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", dir, fdt_get_name(fdt, child, NULL));
		if (dump(fdt, child, sub))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	FILE *f;
	size_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: dtb2fs FILE.dtb DIR\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (fdt_check_full(buf, n)) {
		fprintf(stderr, "%s: not a valid DTB\n", argv[1]);
		return 2;
	}
	return dump(buf, 0, argv[2]) ? 1 : 0;
}
