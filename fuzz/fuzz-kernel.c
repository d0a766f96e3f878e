// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any byte string as a kernel image, through format
 * detection, decompression, ELF/symbols/IKCONFIG/BTF/DWARF reading and the
 * probes. The loader takes a file (it maps it), so the bytes go to a memfd.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ccadma.h"
#include "lower-cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cda_kernel_opts opts;
	struct cda_audit *au;
	struct cda_error err;
	char path[64];
	int fd = memfd_create("fuzz-kernel", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && (au = cda_audit_new())) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		cda_audit_load_kernel(au, path, &opts, &err);
		cda_audit_free(au);
	}
	close(fd);
	return 0;
}
