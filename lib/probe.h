/* SPDX-License-Identifier: MIT */
/*
 * probe.h - a capability probe as a query: what the rule set asks of a kernel.
 *
 * Probes are rule-set data ("probes" in a rule file, rules/probes.json built
 * in), parsed by the rules loader (rule_probes.c) and explained by `rules`;
 * the kernel loader (kernel_probes.c) answers them from the kernel's evidence
 * and knows nothing of rule files. Each probe lists evidence in order of
 * authority; the first that can be checked decides it.
 */
#ifndef CDA_PROBE_H
#define CDA_PROBE_H

#include <stddef.h>

enum cda_evidence_kind {
	CDA_EV_SYMBOL,  /* any named symbol present (symtab or System.map) */
	CDA_EV_CONFIG,  /* CONFIG_NAME is y or m */
	CDA_EV_MEMBER,  /* any struct member ("struct.member") present (BTF, else DWARF) */
	CDA_EV_VERSION, /* first releases carrying the change: "X.Y" or "X.Y.Z" */
};

/* The evidence kinds by name, as rule files write them, indexed by enum cda_evidence_kind. */
extern const char *const cda_evidence_kinds[4];

struct cda_evidence {
	enum cda_evidence_kind kind;
	const char **names; /* n >= 1; a config names one option */
	size_t n;
	const char *anchor, *cu; /* member evidence: where DWARF looks; NULL: not said */
};

struct cda_probe {
	const char *name;    /* the kernel.probes.NAME key */
	const char *summary;
	const char **refs;
	size_t nrefs;
	struct cda_evidence *ev;
	size_t nev;
	const char *origin;  /* the file it came from */
	const char *json;    /* its object as loaded (plain JSON text): the lossless export */
};

/* A list of probes to answer, in order. */
struct cda_probes {
	const struct cda_probe *const *p;
	size_t n;
};

#endif
