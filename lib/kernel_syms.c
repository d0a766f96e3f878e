// SPDX-License-Identifier: MIT
/*
 * The few kernel symbols the audit needs. A vmlinux has ~200k symbols; rather
 * than storing them, the wanted names go into a small hash table first and one
 * pass over .symtab (or a System.map) marks the ones present.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "kernel.h"
#include "util.h"

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int rehash(struct ksyms *s)
{
	size_t nslots = s->nslots ? s->nslots * 2 : 64;
	int *slots = malloc(nslots * sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < nslots; i++)
		slots[i] = -1;
	for (size_t i = 0; i < s->n; i++) {
		size_t j = hash(s->v[i].name, strlen(s->v[i].name)) & (nslots - 1);

		while (slots[j] >= 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = (int)i;
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = nslots;
	return 0;
}

static struct ksym *lookup(const struct ksyms *s, const char *name, size_t len)
{
	if (!s->nslots)
		return NULL;
	for (size_t j = hash(name, len) & (s->nslots - 1); s->slots[j] >= 0;
	     j = (j + 1) & (s->nslots - 1)) {
		struct ksym *k = &s->v[s->slots[j]];

		if (!strncmp(k->name, name, len) && k->name[len] == '\0')
			return k;
	}
	return NULL;
}

int cda_ksyms_want(struct cda_arena *a, struct ksyms *s, const char *name)
{
	struct ksym *k = lookup(s, name, strlen(name));

	if (k)
		return (int)(k - s->v);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct ksym *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = (struct ksym){ .name = cda_arena_strdup(a, name) };
	if (!s->v[s->n].name)
		return -1;
	s->n++;
	if (s->n * 2 > s->nslots) /* keep the table at most half full */
		return rehash(s) ? -1 : (int)s->n - 1;
	{
		size_t j = hash(name, strlen(name)) & (s->nslots - 1);

		while (s->slots[j] >= 0)
			j = (j + 1) & (s->nslots - 1);
		s->slots[j] = (int)s->n - 1;
	}
	return (int)s->n - 1;
}

const struct ksym *cda_ksyms_get(const struct ksyms *s, const char *name)
{
	struct ksym *k = lookup(s, name, strlen(name));

	return k && k->found ? k : NULL;
}

static void mark(struct ksyms *s, const char *name, size_t len, uint64_t addr)
{
	struct ksym *k = lookup(s, name, len);

	/* The first definition wins; later ones are usually local duplicates. */
	if (k && !k->found) {
		k->found = true;
		k->addr = addr;
	}
}

/*
 * The symbol table's shape, each fault with its own cause: symbols are read
 * at libelf's entry size, so a header that says another (0 in a damaged
 * file) would miscount them.
 */
static int check_symtab(struct kimage *ki, Elf_Scn *scn, const GElf_Shdr *sh, Elf_Data **d,
			struct cda_error *err)
{
	size_t want = gelf_fsize(ki->elf, ELF_T_SYM, 1, EV_CURRENT), idx = elf_ndxscn(scn);

	if (sh->sh_entsize != want)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: corrupt ELF symbol table (section %zu): sh_entsize is %llu, not %zu",
				ki->name, idx, (unsigned long long)sh->sh_entsize, want);
	if (sh->sh_size % want)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: corrupt ELF symbol table (section %zu): size %llu is not a whole number of %zu-byte entries",
				ki->name, idx, (unsigned long long)sh->sh_size, want);
	*d = elf_getdata(scn, NULL);
	if (!*d)
		return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF symbol table (section %zu): %s",
				ki->name, idx, elf_errno() ? elf_errmsg(-1) : "no data");
	if ((*d)->d_size < sh->sh_size)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: corrupt ELF symbol table (section %zu): %zu of its %llu bytes readable",
				ki->name, idx, (*d)->d_size, (unsigned long long)sh->sh_size);
	return 0;
}

int cda_ksyms_from_elf(struct ksyms *s, struct kimage *ki, struct cda_error *err)
{
	Elf_Scn *scn = NULL;
	int ret;

	while ((scn = elf_nextscn(ki->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d = NULL;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		if ((ret = check_symtab(ki, scn, &sh, &d, err)))
			return ret;
		n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym))
				return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF symbol %zu", ki->name, i);
			if (sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) == STT_SECTION ||
			    GELF_ST_TYPE(sym.st_info) == STT_FILE)
				continue;
			name = elf_strptr(ki->elf, sh.sh_link, sym.st_name);
			if (!name)
				return cda_fail(err, CDA_E_FORMAT, "%s: corrupt ELF symbol name %zu",
						ki->name, i);
			mark(s, name, strlen(name), sym.st_value);
		}
		s->source = "symtab";
		return 0;
	}
	return 0;
}

/* "ffff800008000000 T _text" or /proc/kallsyms "... t name\t[module]". */
int cda_ksyms_from_map(struct ksyms *s, const char *path, struct cda_error *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned long lineno = 0;
	size_t good = 0;
	int ret = 0;

	if (!f)
		return cda_fail(err, CDA_E_IO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end, *name;
		uint64_t addr;
		size_t len;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s:%lu: line too long for a symbol map",
				       path, lineno);
			goto out;
		}
		errno = 0;
		addr = strtoull(p, &end, 16);
		if (end == p || errno || end - p > 16 || *end != ' ' || !end[1] || end[2] != ' ') {
			ret = cda_fail(err, CDA_E_FORMAT,
				       "%s:%lu: not a System.map line (want 'ADDRESS TYPE NAME')",
				       path, lineno);
			goto out;
		}
		name = end + 3;
		len = strcspn(name, " \t\r\n");
		if (!len) {
			ret = cda_fail(err, CDA_E_FORMAT, "%s:%lu: symbol name missing", path, lineno);
			goto out;
		}
		mark(s, name, len, addr);
		good++;
	}
	if (ferror(f)) {
		ret = cda_fail(err, CDA_E_IO, "%s: read error", path);
		goto out;
	}
	if (!good) {
		ret = cda_fail(err, CDA_E_FORMAT, "%s: no symbols", path);
		goto out;
	}
	s->source = "system-map";
out:
	fclose(f);
	return ret;
}

void cda_ksyms_free(struct ksyms *s)
{
	free(s->v);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
