// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any byte string as each runtime input in turn - a swiotlb
 * dump (grep text, tar, tar.gz), a boot log and a trace - then the trace once
 * more with the boot log's pools and a shared bit known, and once as a pKVM
 * guest's (no shared bit), so the pool and bit paths run too. The loaders
 * take files, so the bytes go to a memfd. Bytes that start with trace.dat's
 * magic go to libtracecmd in a child process (lib/trace_dat.c): what is
 * fuzzed there is the parent's reading of the child's lines and end.
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
	static const struct cda_host pkvm = { .granule = 4096, .platform = CDA_PLATFORM_PKVM };
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
	for (int i = 0; i < 2; i++) {
		if (!(au = cda_audit_new()))
			break;
		cda_audit_set_host(au, i ? &pkvm : &host, &err);
		if (cda_audit_load_dmesg(au, path, &err) == 0)
			cda_audit_load_trace(au, path, &err);
		cda_audit_free(au);
	}
out:
	close(fd);
	return 0;
}
