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

static bool wanted(const char *const *want, const char *name, size_t len)
{
	for (; *want; want++)
		if (strlen(*want) == len && !strncmp(*want, name, len))
			return true;
	return false;
}

int cda_kconfig_parse(struct cda_arena *a, const char *text, size_t len,
		      const char *const *want, struct kconfig *kc)
{
	const char *p = text, *end = text + len;

	if (!(kc->opts = cda_v_obj(a)))
		return -CDA_E_NOMEM;
	for (const char *const *w = want; *w; w++)
		if (cda_obj_set_str(a, kc->opts, *w, "n"))
			return -CDA_E_NOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
		const char *name, *eq;
		size_t nlen;

		/* "CONFIG_FOO=value" sets; "# CONFIG_FOO is not set" stays "n". */
		if ((size_t)(eol - p) > 7 && !strncmp(p, "CONFIG_", 7) &&
		    (eq = memchr(p, '=', (size_t)(eol - p)))) {
			name = p + 7;
			nlen = (size_t)(eq - name);
			if (eol - eq >= 2 && eq[1] == 'y') {
				kc->arm64 |= nlen == 5 && !memcmp(name, "ARM64", 5);
				kc->big_endian |= nlen == 14 && !memcmp(name, "CPU_BIG_ENDIAN", 14);
			}
			if (wanted(want, name, nlen)) {
				char key[128], *val;
				size_t vlen = (size_t)(eol - eq - 1);

				if (vlen && eq[vlen] == '\r')
					vlen--;
				if (nlen < sizeof(key) && (val = cda_arena_strndup(a, eq + 1, vlen))) {
					memcpy(key, name, nlen);
					key[nlen] = '\0';
					if (cda_obj_set_str(a, kc->opts, key, val))
						return -CDA_E_NOMEM;
				} else if (nlen < sizeof(key)) {
					return -CDA_E_NOMEM;
				}
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int looks_like_config(const char *text, size_t len)
{
	/* Every .config has CONFIG_ lines; binary junk has none. */
	return memchr(text, '\0', len) == NULL && memmem(text, len, "CONFIG_", 7) != NULL;
}

int cda_kconfig_load_file(struct cda_arena *a, const char *path, const char *const *want,
			  struct kconfig *kc, struct cda_error *err)
{
	char *buf = NULL;
	size_t len;
	int ret = cda_read_file(path, KCONFIG_MAX, &buf, &len, err);

	if (ret)
		return ret;
	ret = cda_kconfig_load_mem(a, cda_display_path(path), (unsigned char *)buf, len, want, kc,
				   err);
	free(buf);
	return ret;
}

int cda_kconfig_load_mem(struct cda_arena *a, const char *name, const unsigned char *data,
			 size_t len, const char *const *want, struct kconfig *kc,
			 struct cda_error *err)
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
			return ret == -CDA_E_NOMEM ? cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name)
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
	ret = cda_kconfig_parse(a, text, len, want, kc);
	if (ret) {
		ret = cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
		goto out;
	}
	kc->source = "file";
out:
	free(plain);
	return ret;
}

int cda_kconfig_from_ikconfig(struct cda_arena *a, const unsigned char *data, size_t len,
			      const char *name, const char *const *want, struct kconfig *kc,
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
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	if (ret == CDA_GUNZIP_OVER)
		return cda_fail_decompressed(err, name, "embedded config (IKCONFIG)",
					     cda_max_decompressed());
	if (ret || !looks_like_config((char *)plain, plen)) {
		free(plain);
		return cda_fail(err, CDA_E_FORMAT, "%s: embedded config (IKCONFIG) is corrupt", name);
	}
	ret = cda_kconfig_parse(a, (char *)plain, plen, want, kc);
	free(plain);
	if (ret)
		return cda_fail(err, CDA_E_NOMEM, "%s: out of memory", name);
	kc->source = "ikconfig";
	return 0;
}
