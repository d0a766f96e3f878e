// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any byte string as a snapshot archive (--snapshot), so
 * the archive walk, the FORMAT check and every member's loader run on it,
 * the virtio members and the kernel facts from a config alone too. The
 * loader takes a file, so the bytes go to a memfd. Seeds are the snapshot
 * test archives, decompressed (fuzz/run-campaign.sh).
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
	int fd = memfd_create("fuzz-snapshot", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((au = cda_audit_new())) {
		cda_audit_set_host(au, &host, &err);
		cda_audit_load_snapshot(au, path, NULL, NULL, &err);
		cda_audit_free(au);
	}
out:
	close(fd);
	return 0;
}
