// SPDX-License-Identifier: MIT
/*
 * Kernel configuration: a .config file (plain or gzip'd, as /proc/config.gz),
 * or the copy a kernel built with CONFIG_IKCONFIG carries between "IKCFG_ST"
 * and "IKCFG_ED" as gzip data (kernel/configs.c, scripts/extract-ikconfig).
 */
#include <stdlib.h>
#include <string.h>


#include "decompress_stream.h"
#include "kernel.h"
#include "util.h"

/* Set option name (nlen bytes, without CONFIG_) to val (NULL: it could not be copied). */
static void set_option(struct cda_fb *fb, struct kconfig *kc, const char *name, size_t nlen,
		       const char *val)
{
	char key[128];

	if (nlen >= sizeof(key))
		return; /* no Kconfig symbol is that long */
	memcpy(key, name, nlen);
	key[nlen] = '\0';
	cda_fb_str(fb, kc->opts, key, val);
}

/*
 * One line: "CONFIG_FOO=value" sets FOO to value as written ("y", "m", "8",
 * "\"text\""), the last such line winning as in Kconfig; "# CONFIG_FOO is not
 * set" sets it to "n". Other lines say nothing.
 */
static void parse_line(struct cda_fb *fb, struct kconfig *kc, const char *p, const char *eol)
{
	static const char unset[] = " is not set";
	const size_t ulen = sizeof(unset) - 1;
	const char *name, *eq;
	size_t nlen, vlen;

	if (eol > p && eol[-1] == '\r')
		eol--;
	if ((size_t)(eol - p) > 9 + ulen && !strncmp(p, "# CONFIG_", 9) &&
	    !memcmp(eol - ulen, unset, ulen)) {
		name = p + 9;
		nlen = (size_t)(eol - ulen - name);
		if (!memchr(name, ' ', nlen))
			set_option(fb, kc, name, nlen, "n");
		return;
	}
	if ((size_t)(eol - p) <= 7 || strncmp(p, "CONFIG_", 7) ||
	    !(eq = memchr(p, '=', (size_t)(eol - p))))
		return;
	name = p + 7;
	nlen = (size_t)(eq - name);
	vlen = (size_t)(eol - eq - 1);
	if (vlen && eq[1] == 'y') {
		kc->arm64 |= nlen == 5 && !memcmp(name, "ARM64", 5);
		kc->big_endian |= nlen == 14 && !memcmp(name, "CPU_BIG_ENDIAN", 14);
	}
	if (nlen)
		set_option(fb, kc, name, nlen, cda_arena_strndup(fb->a, eq + 1, vlen));
}

/* The object is indexed: a distribution config has ~10,000 options, and rules look them up by name. */
int cda_kconfig_parse(struct cda_arena *a, const char *name, const char *text, size_t len,
		      struct kconfig *kc, struct cda_error *err)
{
	struct cda_fb fb = { a, name, false };
	const char *p = text, *end = text + len;

	kc->opts = cda_fb_new_obj(&fb);
	if (kc->opts)
		cda_fb_check(&fb, cda_obj_index(a, kc->opts));
	while (p < end && cda_fb_ok(&fb)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;

		parse_line(&fb, kc, p, eol);
		p = eol + 1;
	}
	return cda_fb_done(&fb, err);
}

static int looks_like_config(const char *text, size_t len)
{
	/* Every .config has CONFIG_ lines; binary junk has none. */
	return memchr(text, '\0', len) == NULL && memmem(text, len, "CONFIG_", 7) != NULL;
}

int cda_kconfig_load_file(struct cda_arena *a, const char *path, struct kconfig *kc,
			  struct cda_error *err)
{
	char *buf = NULL;
	size_t len;
	int ret = cda_read_file(path, KCONFIG_MAX, &buf, &len, err);

	if (ret)
		return ret;
	ret = cda_kconfig_load_mem(a, cda_display_path(path), (unsigned char *)buf, len, kc, err);
	free(buf);
	return ret;
}

int cda_kconfig_load_mem(struct cda_arena *a, const char *name, const unsigned char *data,
			 size_t len, struct kconfig *kc, struct cda_error *err)
{
	unsigned char *plain = NULL;
	const char *text = (const char *)data;
	size_t plen;
	int ret;

	if (len > KCONFIG_MAX)
		return cda_fail(err, CDA_E_FORMAT, "%s: larger than %u MiB: not a kernel .config", name,
				KCONFIG_MAX >> 20);
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		ret = cda_gunzip(data, len, cda_max_decompressed(), &plain, &plen);
		if (ret)
			return ret == -CDA_E_NOMEM ? cda_oom(err, name)
			     : ret == CDA_GUNZIP_OVER ? cda_fail_decompressed(err, name, "gzip data",
									       cda_max_decompressed())
			     : cda_fail(err, CDA_E_FORMAT, "%s: corrupt or truncated gzip data", name);
		text = (const char *)plain;
		len = plen;
	}
	if (!looks_like_config(text, len)) {
		ret = cda_fail(err, CDA_E_FORMAT, "%s: not a kernel .config (no CONFIG_ lines)", name);
		goto out;
	}
	ret = cda_kconfig_parse(a, name, text, len, kc, err);
	if (ret)
		goto out;
	kc->source = "file";
out:
	free(plain);
	return ret;
}

int cda_kconfig_from_ikconfig(struct cda_arena *a, const unsigned char *data, size_t len,
			      const char *name, struct kconfig *kc,
			      struct cda_error *err)
{
	const unsigned char *st = memmem(data, len, "IKCFG_ST", 8), *ed;
	unsigned char *plain = NULL;
	size_t plen;
	int ret;

	if (!st)
		return 0;
	st += 8;
	ed = memmem(st, len - (size_t)(st - data), "IKCFG_ED", 8);
	if (!ed)
		return cda_fail(err, CDA_E_FORMAT, "%s: embedded config (IKCFG_ST) has no IKCFG_ED end marker",
				name);
	ret = cda_gunzip(st, (size_t)(ed - st), cda_max_decompressed(), &plain, &plen);
	if (ret == -CDA_E_NOMEM)
		return cda_oom(err, name);
	if (ret == CDA_GUNZIP_OVER)
		return cda_fail_decompressed(err, name, "embedded config (IKCONFIG)",
					     cda_max_decompressed());
	if (ret || !looks_like_config((char *)plain, plen)) {
		free(plain);
		return cda_fail(err, CDA_E_FORMAT, "%s: embedded config (IKCONFIG) is corrupt", name);
	}
	ret = cda_kconfig_parse(a, name, (char *)plain, plen, kc, err);
	free(plain);
	if (ret)
		return ret;
	kc->source = "ikconfig";
	return 0;
}
