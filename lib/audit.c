// SPDX-License-Identifier: MIT
/*
 * The audit context (audit.h): each loader's facts go into au->facts under
 * the name of its input kind ("dt", "kernel", "trace" ...), the input
 * recorded for the report; a snapshot hands its members to the same loaders.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "dt.h"
#include "kernel.h"
#include "lines.h"
#include "rules.h"
#include "runtime.h"
#include "snapshot.h"
#include "util.h"

struct cda_audit *cda_audit_new(void)
{
	struct cda_audit *au = calloc(1, sizeof(*au));

	if (!au)
		return NULL;
	au->arena = cda_arena_new();
	if (!au->arena || !(au->facts = cda_v_obj(au->arena))) {
		cda_audit_free(au);
		return NULL;
	}
	return au;
}

void cda_audit_free(struct cda_audit *au)
{
	if (!au)
		return;
	cda_arena_free(au->arena);
	free(au);
}

/* A new input entry; path is copied. NULL on out of memory. */
static struct cda_input *input_new(struct cda_audit *au, const char *kind, const char *path)
{
	struct cda_input *in = cda_arena_grow(au->arena, au->inputs, au->ninputs, &au->capinputs,
					      sizeof(*in));
	const char *copy = cda_arena_strdup(au->arena, cda_display_path(path));

	if (!in || !copy)
		return NULL;
	au->inputs = in;
	in += au->ninputs++;
	*in = (struct cda_input){ .kind = kind, .path = copy };
	return in;
}

int cda_audit_add_input(struct cda_audit *au, const char *kind, const char *path,
			const char *format, struct cda_error *err)
{
	struct cda_input *in = input_new(au, kind, path);

	if (!in)
		return cda_oom(err, NULL);
	in->format = format;
	return 0;
}

/* The reason is a loader's message, "PATH: why": the report has the path apart. */
int cda_audit_add_unreadable(struct cda_audit *au, const char *kind, const char *path,
			     const char *reason, struct cda_error *err)
{
	struct cda_input *in = input_new(au, kind, path);
	size_t n = in ? strlen(in->path) : 0;

	if (in && !strncmp(reason, in->path, n) && !strncmp(reason + n, ": ", 2))
		reason += n + 2;

	if (!in || !(in->unreadable = cda_arena_strdup(au->arena, reason)))
		return cda_oom(err, NULL);
	au->unreadable++;
	return 0;
}

int cda_audit_name_input(struct cda_audit *au, const char *kind, const char *name,
			 struct cda_error *err)
{
	struct cda_input *in = (struct cda_input *)cda_audit_input(au, kind);

	if (in && !(in->name = cda_arena_strdup(au->arena, name)))
		return cda_oom(err, NULL);
	return 0;
}

const struct cda_input *cda_audit_input(const struct cda_audit *au, const char *kind)
{
	for (size_t i = 0; i < au->ninputs; i++)
		if (!strcmp(au->inputs[i].kind, kind))
			return &au->inputs[i];
	return NULL;
}

/*
 * host.page_size is the host's real page size, known only when given:
 * rules that compare the guest's own page size or allocations with the
 * host's must not fail on the strict 64K default (a 4K pKVM guest on a 4K
 * host is the normal case). host.granule keeps the default for layout
 * rules, where a 64K-aligned pool is right on every host. Likewise a
 * platform the user did not give is unknown, with the reason a person
 * needs, so no rule fails because a realm is merely possible.
 */
static void host_facts(struct cda_fb *fb, const struct cda_host *h, struct cda_value *host)
{
	static const char *const platforms[] = { NULL, "cca", "pkvm" };

	cda_fb_hex(fb, host, "granule", h->granule);
	cda_fb_str(fb, host, "granule_source", h->granule_given ? "option" : "default");
	if (h->granule_given)
		cda_fb_hex(fb, host, "page_size", h->granule);
	else
		cda_fb_unknown(fb, host, "page_size",
			       "the host page size is not known: pass --host-granule 4K, 16K or 64K");
	if (h->platform != CDA_PLATFORM_AUTO) {
		cda_fb_str(fb, host, "platform", platforms[h->platform]);
		cda_fb_str(fb, host, "platform_source", "option");
	} else {
		cda_fb_unknown(fb, host, "platform",
			       "the platform is not known: pass --platform cca or --platform pkvm");
	}
	if (h->ipa_bits) {
		cda_fb_u64(fb, host, "ipa_bits", h->ipa_bits);
		cda_fb_str(fb, host, "ipa_bits_source", "option");
		cda_fb_hex(fb, host, "shared_bit", (uint64_t)1 << (h->ipa_bits - 1));
	}
}

int cda_audit_set_host(struct cda_audit *au, const struct cda_host *h, struct cda_error *err)
{
	struct cda_fb fb = { .a = au->arena };
	struct cda_value *host;

	if (h->granule != 4096 && h->granule != 16384 && h->granule != 65536)
		return cda_fail(err, CDA_E_USAGE, "host granule must be 4K, 16K or 64K");
	/* The architecture allows 32..52-bit IPA spaces (ID_AA64MMFR0_EL1.PARange). */
	if (h->ipa_bits && (h->ipa_bits < 32 || h->ipa_bits > 52))
		return cda_fail(err, CDA_E_USAGE, "--ipa-bits must be between 32 and 52");
	/* built apart and set last: a failed allocation leaves no half-built host in the facts */
	host = cda_fb_new_obj(&fb);
	host_facts(&fb, h, host);
	cda_fb_set(&fb, au->facts, "host", host);
	return cda_fb_done(&fb, err);
}

enum cda_exit cda_exit_status(bool findings, bool incomplete)
{
	if (incomplete)
		return findings ? CDA_EXIT_FINDINGS_INCOMPLETE : CDA_EXIT_INCOMPLETE;
	return findings ? CDA_EXIT_FINDINGS : CDA_EXIT_CLEAN;
}

/*
 * Findings past the per-rule limit (au->omitted) count too: a rule's listed
 * findings are its first ones, so a rule with omitted findings lists some.
 */
int cda_audit_exit_code(const struct cda_audit *au, enum cda_severity fail_on,
			bool fail_on_indeterminate)
{
	bool findings = false;
	size_t undecided = au->nindet;

	for (size_t i = 0; i < au->nfindings && !findings; i++) /* accepted ones do not count */
		findings = au->findings[i].rule->severity >= fail_on && !au->findings[i].suppressed &&
			   !au->findings[i].baselined;
	for (size_t i = 0; i < au->nomitted; i++)
		undecided += au->omitted[i].indeterminate;
	return cda_exit_status(findings, au->unreadable || (fail_on_indeterminate && undecided));
}

/* facts.KIND = v */
static int set_facts(struct cda_audit *au, const char *kind, struct cda_value *v,
		     struct cda_error *err)
{
	struct cda_fb fb = { .a = au->arena };

	cda_fb_set(&fb, au->facts, kind, v);
	return cda_fb_done(&fb, err);
}

/* Every loader's facts go in through here: one input per kind. */
static int add_facts(struct cda_audit *au, const char *kind, const char *path,
		     const char *format, struct cda_value *v, struct cda_error *err)
{
	int ret = cda_audit_add_input(au, kind, path, format, err);

	return ret ? ret : set_facts(au, kind, v, err);
}

static int only_one(struct cda_audit *au, const char *kind, const char *what, const char *path,
		    struct cda_error *err)
{
	if (cda_obj_get(au->facts, kind))
		return cda_fail(err, CDA_E_USAGE, "%s: only one %s per audit",
				cda_display_path(path), what);
	return 0;
}

/* A device tree file or directory, or a blob in memory (a snapshot's fdt). */
static int load_dt(struct cda_audit *au, const struct cda_source *src, struct cda_error *err)
{
	const char *path = cda_source_name(src);
	struct dt_tree t;
	struct cda_value *dt;
	int ret;

	if ((ret = only_one(au, "dt", "device tree", path, err)))
		return ret;
	if (src->data && src->len > DT_MAX_BLOB)
		return cda_fail(err, CDA_E_FORMAT, "%s: larger than the %u MiB limit", path,
				DT_MAX_BLOB >> 20);
	if ((ret = src->data ? cda_dt_read_blob(au->arena, path, src->data, src->len, &t, err)
			     : cda_dt_read(au->arena, src->path, &t, err)) ||
	    (ret = cda_dt_facts(au->arena, &t, path, &dt, err)))
		return ret;
	return add_facts(au, "dt", path, t.format, dt, err);
}

int cda_audit_load_dt(struct cda_audit *au, const char *path, struct cda_error *err)
{
	return load_dt(au, &(struct cda_source){ .path = path }, err);
}

/*
 * The probes kernel.probes answers: the rule set's (opts->rules), else the
 * built-in ones read into *own, which the caller frees once they are answered.
 */
static int kernel_queries(const struct cda_kernel_opts *opts, struct cda_ruleset **own,
			  struct cda_probes *out, struct cda_error *err)
{
	int ret;

	*own = NULL;
	if (opts && opts->rules) {
		*out = cda_ruleset_probes(opts->rules);
		return 0;
	}
	if (!(*own = cda_ruleset_new()))
		return cda_oom(err, NULL);
	if ((ret = cda_ruleset_load_builtin_probes(*own, err)))
		return ret;
	*out = cda_ruleset_probes(*own);
	return 0;
}

int cda_audit_load_kernel(struct cda_audit *au, const char *path,
			  const struct cda_kernel_opts *opts, struct cda_error *err)
{
	static const struct cda_kernel_opts none;
	struct cda_ruleset *own = NULL;
	struct cda_probes probes;
	struct cda_value *k;
	const char *format;
	int ret;

	if (!(ret = only_one(au, "kernel", "kernel", path, err)) &&
	    !(ret = kernel_queries(opts, &own, &probes, err)))
		ret = cda_kernel_facts(au->arena, path, opts ? opts : &none, probes, &k, &format, err);
	cda_ruleset_free(own);
	return ret ? ret : add_facts(au, "kernel", path, format, k, err);
}

int cda_audit_load_swiotlb(struct cda_audit *au, const char *path, struct cda_error *err)
{
	struct cda_value *v;
	const char *format;
	int ret;

	if ((ret = only_one(au, "swiotlb", "swiotlb dump", path, err)) ||
	    (ret = cda_swiotlb_facts(au->arena, path, &v, &format, err)))
		return ret;
	return add_facts(au, "swiotlb", path, format, v, err);
}

static int load_dmesg(struct cda_audit *au, const struct cda_source *src, struct cda_error *err)
{
	const char *path = cda_source_name(src);
	struct cda_value *v;
	int ret;

	if ((ret = only_one(au, "dmesg", "boot log", path, err)) ||
	    (ret = cda_dmesg_facts_src(au->arena, src, &v, err)))
		return ret;
	return add_facts(au, "dmesg", path, "text", v, err);
}

int cda_audit_load_dmesg(struct cda_audit *au, const char *path, struct cda_error *err)
{
	return load_dmesg(au, &(struct cda_source){ .path = path }, err);
}

/*
 * The trace's facts know no pool and no shared bit (the rules place its
 * address runs), so it may be loaded before or after the other inputs.
 */
static int load_trace(struct cda_audit *au, const struct cda_source *src, struct cda_error *err)
{
	const char *path = cda_source_name(src);
	const struct cda_value *fmt;
	struct cda_value *v;
	int ret;

	if ((ret = only_one(au, "trace", "trace", path, err)) ||
	    (ret = cda_trace_facts_src(au->arena, src, &v, err)))
		return ret;
	fmt = cda_obj_get(v, "format");
	return add_facts(au, "trace", path,
			 fmt && fmt->type == CDA_T_STR && !strcmp(fmt->s, "trace.dat") ? "trace.dat" : "ftrace",
			 v, err);
}

int cda_audit_load_trace(struct cda_audit *au, const char *path, struct cda_error *err)
{
	return load_trace(au, &(struct cda_source){ .path = path }, err);
}

/* ---- a snapshot: each member to its loader, as if each had been given on its own ---- */

/* A member as a loader's source, named "ARCHIVE:snapshot/NAME". */
static struct cda_source member_src(struct cda_audit *au, const struct cda_snapshot *s,
				    const struct cda_tar_member *m, const char *name)
{
	return (struct cda_source){ .name = cda_snapshot_member_name(au->arena, s, name),
				    .data = m->data, .len = (size_t)m->size };
}

/* The member snapshot/NAME as a source; 0 with src->name NULL when there is none. */
static int take(struct cda_audit *au, struct cda_snapshot *s, const char *name, size_t max,
		struct cda_source *src, struct cda_error *err)
{
	const struct cda_tar_member *m;
	int ret = cda_snapshot_take(s, name, max, &m, err);

	src->name = NULL;
	if (ret || !m)
		return ret;
	*src = member_src(au, s, m, name);
	return src->name ? 0 : cda_oom(err, NULL);
}

/*
 * The "Linux version ..." line a boot log starts with: the image's
 * linux_banner. Read through the line reader, so a compressed log is
 * searched as text; NULL when there is none (a damaged log is the dmesg
 * loader's to report).
 */
static const char *log_banner(struct cda_arena *a, const struct cda_source *log)
{
	static const char needle[] = "Linux version ";
	const char *found = NULL, *line, *p;
	struct cda_error err;
	struct cda_lines lr;
	size_t len;
	bool cut;

	if (!log->name || cda_lines_open_src(&lr, log, &err))
		return NULL;
	while (!found && cda_lines_next(&lr, &line, &len, &cut, &err) > 0) {
		p = memmem(line, len, needle, sizeof(needle) - 1);
		if (p && !cut && (size_t)(p - line) + sizeof(needle) < len &&
		    p[sizeof(needle) - 1] >= '0' && p[sizeof(needle) - 1] <= '9' &&
		    len - (size_t)(p - line) < 512 && !memchr(p, '\0', len - (size_t)(p - line)))
			found = cda_arena_strndup(a, p, len - (size_t)(p - line));
	}
	cda_lines_close(&lr);
	return found;
}

/*
 * Kernel facts from a config alone (the snapshot's config.gz, or --config):
 * the release, the boot log's banner and --system-map say the rest.
 */
static int config_kernel(struct cda_audit *au, struct kconfig_only *in,
			 const struct cda_source *log, struct cda_error *err)
{
	const struct cda_value *rel = cda_obj_path(au->facts, "snapshot.release");
	struct cda_value *k;
	int ret;

	in->release = rel && rel->type == CDA_T_STR ? rel->s : NULL;
	in->banner = log_banner(au->arena, log);
	if ((ret = only_one(au, "kernel", "kernel", in->name, err)) ||
	    (ret = cda_kernel_config_facts(au->arena, in, &k, err)))
		return ret;
	return add_facts(au, "kernel", in->name, "config", k, err);
}

/*
 * The kernel: an image given with it, whose config is --config or else the
 * snapshot's config.gz; or, without an image, what that config, the release
 * and the boot log's banner say alone.
 */
static int snapshot_kernel(struct cda_audit *au, struct cda_snapshot *s, const char *kernel,
			   const struct cda_kernel_opts *opts, const struct cda_source *log,
			   struct cda_error *err)
{
	struct cda_kernel_opts o = opts ? *opts : (struct cda_kernel_opts){ .config_path = NULL };
	struct cda_source cfg = { .name = NULL };
	struct kconfig_only in = { .source = "snapshot", .system_map = o.system_map_path };
	struct cda_ruleset *own = NULL;
	char *buf = NULL;
	int ret;

	if (!o.config_path && (ret = take(au, s, "config.gz", KCONFIG_MAX, &cfg, err)))
		return ret;
	if (kernel) {
		o.config_data = cfg.data;
		o.config_len = cfg.len;
		o.config_name = cfg.name;
		return cda_audit_load_kernel(au, kernel, &o, err);
	}
	if (o.config_path) {
		if ((ret = cda_read_file(o.config_path, KCONFIG_MAX, &buf, &cfg.len, err)))
			return ret;
		cfg.name = cda_display_path(o.config_path);
		cfg.data = (const unsigned char *)buf;
		in.source = "file";
	}
	in.name = cfg.name;
	in.config = cfg.data;
	in.len = cfg.len;
	if (!(ret = cfg.name ? kernel_queries(opts, &own, &in.probes, err) : 0) && cfg.name)
		ret = config_kernel(au, &in, log, err);
	cda_ruleset_free(own);
	free(buf);
	return ret;
}

static int snapshot_virtio(struct cda_audit *au, struct cda_snapshot *s, struct cda_error *err)
{
	struct cda_tar_member *m;
	struct cda_value *v;
	const char *name;
	size_t n;
	int ret;

	if ((ret = cda_snapshot_take_dir(au->arena, s, "virtio", &m, &n, err)) || !n)
		return ret;
	if (!(name = cda_snapshot_member_name(au->arena, s, "virtio")))
		return cda_oom(err, NULL);
	if ((ret = only_one(au, "virtio", "virtio device list", name, err)) ||
	    (ret = cda_virtio_facts(au->arena, name, m, n, cda_obj_path(au->facts, "dt.devices"),
				    &v, err)))
		return ret;
	return add_facts(au, "virtio", name, "sysfs", v, err);
}

/* debugfs/: the swiotlb directory and the pool directories at the debugfs root, as copied. */
static int snapshot_swiotlb(struct cda_audit *au, struct cda_snapshot *s, struct cda_error *err)
{
	struct cda_tar_member *m;
	struct cda_value *v;
	const char *name;
	size_t n;
	int ret;

	if ((ret = cda_snapshot_take_dir(au->arena, s, "debugfs", &m, &n, err)) || !n)
		return ret;
	if (!(name = cda_snapshot_member_name(au->arena, s, "debugfs")))
		return cda_oom(err, NULL);
	if ((ret = only_one(au, "swiotlb", "swiotlb dump", name, err)) ||
	    (ret = cda_swiotlb_facts_members(au->arena, name, m, n, &v, err)))
		return ret;
	return add_facts(au, "swiotlb", name, "snapshot", v, err);
}

static int snapshot_parts(struct cda_audit *au, struct cda_snapshot *s, const char *kernel,
			  const struct cda_kernel_opts *opts, struct cda_error *err)
{
	struct cda_source fdt, log, trace;
	int ret;

	/* the members first, so that a bad one is an error before anything is loaded */
	if ((ret = take(au, s, "fdt", CDA_SNAPSHOT_MEMBER_MAX, &fdt, err)) ||
	    (ret = take(au, s, "dmesg.txt", CDA_SNAPSHOT_MEMBER_MAX, &log, err)) ||
	    (ret = take(au, s, "trace.txt", CDA_SNAPSHOT_MEMBER_MAX, &trace, err)))
		return ret;
	if ((fdt.name && (ret = load_dt(au, &fdt, err))) ||
	    (ret = snapshot_kernel(au, s, kernel, opts, &log, err)) ||
	    (ret = snapshot_swiotlb(au, s, err)) ||
	    (log.name && (ret = load_dmesg(au, &log, err))) ||
	    (ret = snapshot_virtio(au, s, err)))
		return ret;
	/* the trace in any order: the rules, not its loader, compare it with the others */
	return trace.name ? load_trace(au, &trace, err) : 0;
}

int cda_audit_load_snapshot(struct cda_audit *au, const char *path, const char *kernel,
			    const struct cda_kernel_opts *opts, struct cda_error *err)
{
	static const char *const formats[][2] = {
		{ "none", "tar" }, { "gzip", "tar.gz" }, { "xz", "tar.xz" }, { "zstd", "tar.zst" },
	};
	struct cda_snapshot s;
	struct cda_value *v;
	const char *format = "tar";
	int ret;

	if ((ret = only_one(au, "snapshot", "snapshot", path, err)) ||
	    (ret = cda_snapshot_open(au->arena, path, &s, err)))
		return ret;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(s.compression, formats[i][0]))
			format = formats[i][1];
	/* release and cmdline first: the kernel facts of a config alone read the release */
	if ((ret = cda_snapshot_facts(au->arena, &s, &v, err)) ||
	    (ret = add_facts(au, "snapshot", path, format, v, err)) ||
	    (ret = snapshot_parts(au, &s, kernel, opts, err)))
		goto out;
	/* again, now that the loaders have taken their members: the rest is listed as ignored */
	if (!(ret = cda_snapshot_facts(au->arena, &s, &v, err)))
		ret = set_facts(au, "snapshot", v, err);
out:
	cda_snapshot_close(&s);
	return ret;
}
