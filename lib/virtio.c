// SPDX-License-Identifier: MIT
/*
 * The "virtio" facts: the devices of /sys/bus/virtio/devices as a snapshot
 * holds them (virtio/virtioN/{features,device,vendor,driver,path}; see
 * runtime.h). What a confidential guest needs from each is whether its driver
 * negotiated VIRTIO_F_ACCESS_PLATFORM: without it virtio_ring bypasses the
 * DMA API (vring_use_dma_api()) and with it every bounce pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "util.h"

#define VIRTIO_MAX_DEVICES 1024
#define VIRTIO_VALUE_MAX 4096       /* one sysfs file: features is 64 (or 128) characters */
#define VIRTIO_F_VERSION_1 32       /* include/uapi/linux/virtio_config.h */
#define VIRTIO_F_ACCESS_PLATFORM 33

enum vfile { VF_FEATURES, VF_DEVICE, VF_VENDOR, VF_DRIVER, VF_PATH, VF_COUNT };

static const char *const vfile_names[VF_COUNT] = {
	"features", "device", "vendor", "driver", "path",
};

struct vdev {
	char name[64];
	const struct cda_tar_member *f[VF_COUNT];
};

struct vload {
	struct cda_arena *a;
	struct cda_fb fb; /* builds the facts */
	const char *name; /* "ARCHIVE:snapshot/virtio", for messages */
	struct cda_error *err;
	struct vdev *d;
	size_t n;
};

/* include/uapi/linux/virtio_ids.h */
static const char *device_type(uint64_t id)
{
	static const char *const names[] = {
		[1] = "net", [2] = "block", [3] = "console", [4] = "rng", [5] = "balloon",
		[6] = "iomem", [7] = "rpmsg", [8] = "scsi", [9] = "9p", [10] = "mac80211-wlan",
		[11] = "rproc-serial", [12] = "caif", [13] = "memory-balloon", [16] = "gpu",
		[17] = "clock", [18] = "input", [19] = "vsock", [20] = "crypto",
		[21] = "signal-dist", [22] = "pstore", [23] = "iommu", [24] = "mem", [25] = "sound",
		[26] = "fs", [27] = "pmem", [28] = "rpmb", [29] = "mac80211-hwsim",
		[30] = "video-encoder", [31] = "video-decoder", [32] = "scmi", [33] = "nitro-sec-mod",
		[34] = "i2c-adapter", [35] = "watchdog", [36] = "can", [37] = "dmabuf",
		[38] = "param-serv", [39] = "audio-policy", [40] = "bt", [41] = "gpio",
	};
	return id < sizeof(names) / sizeof(names[0]) && names[id] ? names[id] : NULL;
}

/* Group "virtioN/FILE" members by device; other names are not what the collector writes. */
static int group(struct vload *l, const struct cda_tar_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(m[i].name, '/');
		size_t dl = slash ? (size_t)(slash - m[i].name) : strlen(m[i].name);
		struct vdev *d = NULL;
		int f;

		if (!slash || !dl || dl >= sizeof(d->name) || m[i].type == '5')
			continue; /* only virtioN/FILE: the collector writes nothing else */
		for (f = 0; slash && f < VF_COUNT && strcmp(slash + 1, vfile_names[f]); f++)
			;
		for (size_t k = 0; k < l->n && !d; k++)
			if (strlen(l->d[k].name) == dl && !memcmp(l->d[k].name, m[i].name, dl))
				d = &l->d[k];
		if (!d) {
			if (l->n == VIRTIO_MAX_DEVICES)
				return cda_fail(l->err, CDA_E_FORMAT, "%s: more than %d devices", l->name,
						VIRTIO_MAX_DEVICES);
			d = &l->d[l->n++];
			memcpy(d->name, m[i].name, dl);
			d->name[dl] = '\0';
		}
		if (f == VF_COUNT)
			continue; /* a file a later collector may add */
		if (m[i].type != '0')
			return cda_fail(l->err, CDA_E_FORMAT, "%s/%s: not a regular file", l->name,
					m[i].name);
		if (d->f[f])
			return cda_fail(l->err, CDA_E_FORMAT, "%s/%s: listed twice", l->name, m[i].name);
		if (m[i].size > VIRTIO_VALUE_MAX || memchr(m[i].data, '\0', (size_t)m[i].size))
			return cda_fail(l->err, CDA_E_FORMAT, "%s/%s: not a sysfs value (a NUL byte, or "
					"over %d bytes)", l->name, m[i].name, VIRTIO_VALUE_MAX);
		d->f[f] = &m[i];
	}
	return 0;
}

/* A file's text without its trailing newline (arena); NULL if absent or not copied (l->fb). */
static char *text(struct vload *l, const struct vdev *d, enum vfile f)
{
	size_t n;
	char *t;

	if (!d->f[f])
		return NULL;
	n = (size_t)d->f[f]->size;
	while (n && strchr(" \t\r\n", d->f[f]->data[n - 1]))
		n--;
	t = cda_arena_strndup(l->a, (const char *)d->f[f]->data, n);
	cda_fb_check(&l->fb, !t);
	return t;
}

/* "0x0001" as device_show() prints it. */
static bool parse_id(const char *s, uint64_t *v)
{
	const char *end;

	return s && !strncmp(s, "0x", 2) && cda_parse_hex(s + 2, s + strlen(s), v, &end) && !*end;
}

/*
 * The device's parent in the sysfs path: a PCI function ("0000:00:01.0",
 * virtio-pci) or a platform device ("a003e00.virtio_mmio", virtio-mmio, named
 * by of_device_make_bus_id() as "<address>.<node name>").
 */
static void transport(struct vload *l, struct cda_value *o, const char *path,
		      const struct cda_value *dt_devices)
{
	const char *last = strrchr(path, '/'), *p = last;
	unsigned dom, bus, dev, fn;
	char parent[256], tail;

	while (p && p > path && p[-1] != '/')
		p--;
	if (!last || !p || p == last || (size_t)(last - p) >= sizeof(parent)) {
		cda_fb_str(&l->fb, o, "transport", "other");
		return;
	}
	memcpy(parent, p, (size_t)(last - p));
	parent[last - p] = '\0';
	if (sscanf(parent, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4) {
		cda_fb_str(&l->fb, o, "transport", "pci");
		cda_fb_str(&l->fb, o, "pci_function", parent);
		return;
	}
	if (!strstr(path, "/platform/")) {
		cda_fb_str(&l->fb, o, "transport", "other");
		return;
	}
	cda_fb_str(&l->fb, o, "transport", "mmio");
	cda_fb_str(&l->fb, o, "platform_device", parent);
	for (size_t i = 0; dt_devices && dt_devices->type == CDA_T_LIST && i < dt_devices->list.n; i++) {
		const struct cda_value *dd = dt_devices->list.items[i];
		const struct cda_value *id = cda_obj_get(dd, "bus_id"), *node = cda_obj_get(dd, "path");

		if (id && id->type == CDA_T_STR && !strcmp(id->s, parent) && node &&
		    node->type == CDA_T_STR) {
			cda_fb_str(&l->fb, o, "dt_node", node->s);
			return;
		}
	}
}

/*
 * The negotiated feature bits. features_show() prints dev->features, bit i at
 * position i; the driver's probe sets them (virtio_dev_probe()), so a device
 * with no driver bound has negotiated nothing and every bit reads 0.
 */
static int features(struct vload *l, struct cda_value *o, const struct vdev *d, const char *drv)
{
	struct cda_fb *fb = &l->fb;
	const char *bits = text(l, d, VF_FEATURES);
	const char *why = NULL;
	struct cda_value *list;
	size_t n;

	if (!cda_fb_ok(fb))
		return cda_fb_done(fb, l->err);
	if (!drv)
		why = cda_arena_printf(l->a, "%s has no driver bound: nothing was negotiated, so "
				       "sysfs shows every feature bit as 0", d->name);
	else if (!bits)
		why = cda_arena_printf(l->a, "the snapshot has no virtio/%s/features (the collector "
				       "could not read it)", d->name);
	if (!drv || !bits) {
		cda_fb_unknown(fb, o, "access_platform", why);
		cda_fb_unknown(fb, o, "version_1", why);
		return 0;
	}
	n = strlen(bits);
	if (!n || strspn(bits, "01") != n)
		return cda_fail(l->err, CDA_E_FORMAT, "%s/%s/features: not a feature bit string "
				"(sysfs prints one '0' or '1' per bit)", l->name, d->name);
	list = cda_fb_list(fb, o, "features");
	for (size_t i = 0; i < n && cda_fb_ok(fb); i++)
		if (bits[i] == '1')
			cda_fb_push_u64(fb, list, i);
	cda_fb_bool(fb, o, "access_platform",
		    n > VIRTIO_F_ACCESS_PLATFORM && bits[VIRTIO_F_ACCESS_PLATFORM] == '1');
	cda_fb_bool(fb, o, "version_1", n > VIRTIO_F_VERSION_1 && bits[VIRTIO_F_VERSION_1] == '1');
	return 0;
}

static int device_facts(struct vload *l, const struct vdev *d, const struct cda_value *dt_devices,
			struct cda_value *list)
{
	struct cda_fb *fb = &l->fb;
	struct cda_value *o = cda_fb_push_obj(fb, list);
	const char *dev = text(l, d, VF_DEVICE), *vendor = text(l, d, VF_VENDOR);
	const char *drv = text(l, d, VF_DRIVER), *path = text(l, d, VF_PATH);
	uint64_t id, vid;

	if (!cda_fb_ok(fb))
		return cda_fb_done(fb, l->err);
	cda_fb_str(fb, o, "name", d->name);
	if (dev && !parse_id(dev, &id))
		return cda_fail(l->err, CDA_E_FORMAT, "%s/%s/device: not a device id ('0x0001')",
				l->name, d->name);
	if (vendor && !parse_id(vendor, &vid))
		return cda_fail(l->err, CDA_E_FORMAT, "%s/%s/vendor: not a vendor id ('0x1af4')",
				l->name, d->name);
	if (dev) {
		cda_fb_u64(fb, o, "device_id", id);
		cda_fb_str(fb, o, "type", device_type(id) ? device_type(id) : "unknown");
	}
	if (vendor)
		cda_fb_hex(fb, o, "vendor", vid);
	if (drv && !*drv)
		drv = NULL;
	if (drv)
		cda_fb_str(fb, o, "driver", drv);
	cda_fb_bool(fb, o, "bound", drv != NULL);
	if (path && *path) {
		cda_fb_str(fb, o, "path", path);
		transport(l, o, path, dt_devices);
	}
	return features(l, o, d, drv);
}

/* virtio2 before virtio10, as the kernel numbers them. */
static int cmp_dev(const void *x, const void *y)
{
	const char *a = ((const struct vdev *)x)->name, *b = ((const struct vdev *)y)->name;
	size_t pa = strcspn(a, "0123456789"), pb = strcspn(b, "0123456789");

	if (pa == pb && !strncmp(a, b, pa) && strlen(a + pa) != strlen(b + pb))
		return strlen(a + pa) < strlen(b + pb) ? -1 : 1;
	return strcmp(a, b);
}

int cda_virtio_facts(struct cda_arena *a, const char *name, const struct cda_tar_member *m,
		     size_t n, const struct cda_value *dt_devices, struct cda_value **out,
		     struct cda_error *err)
{
	struct vload l = { .a = a, .fb = { .a = a }, .name = name, .err = err };
	struct cda_value *o = cda_fb_new_obj(&l.fb), *list = cda_fb_list(&l.fb, o, "devices");
	int ret = 0;

	if (!(l.d = calloc(VIRTIO_MAX_DEVICES, sizeof(*l.d))))
		return cda_oom(err, NULL);
	if ((ret = group(&l, m, n)))
		goto out;
	qsort(l.d, l.n, sizeof(*l.d), cmp_dev);
	for (size_t i = 0; i < l.n && !ret; i++)
		ret = device_facts(&l, &l.d[i], dt_devices, list);
	if (!ret)
		ret = cda_fb_done(&l.fb, err);
	if (!ret)
		*out = o;
out:
	free(l.d);
	return ret;
}
