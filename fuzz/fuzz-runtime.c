// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any byte string as each runtime input in turn - a swiotlb
 * dump (grep text, tar, tar.gz), a boot log and a trace - then the trace once
 * more with the boot log's pools and a shared bit known, so the pool and
 * bit paths run too. The loaders take files, so the bytes go to a memfd.
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
	static const struct cda_host host = { .granule = 65536, .ipa_bits = 48 };
	struct cda_audit *au;
	struct cda_error err;
	char path[64];
	int fd = memfd_create("fuzz-runtime", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((au = cda_audit_new())) {
		cda_audit_load_swiotlb(au, path, &err);
		cda_audit_load_trace(au, path, &err);
		cda_audit_free(au);
	}
	if ((au = cda_audit_new())) {
		cda_audit_set_host(au, &host, &err);
		if (cda_audit_load_dmesg(au, path, &err) == 0)
			cda_audit_load_trace(au, path, &err);
		cda_audit_free(au);
	}
out:
	close(fd);
	return 0;
}
