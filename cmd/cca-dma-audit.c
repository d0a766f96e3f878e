// SPDX-License-Identifier: MIT
/*
 * cca-dma-audit: the command line. Parses options, calls libccadma, writes the
 * report and picks the exit status; nothing else. Exit status (stable):
 *   0  no finding at or above --fail-on
 *   1  findings at or above --fail-on
 *   2  analysis incomplete: an input could not be read or parsed (or, with
 *      --fail-on-indeterminate, a rule could not be decided)
 *   3  usage or configuration error: bad option, bad rule file, unknown rule id
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ccadma.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_INCOMPLETE = 2, EXIT_USAGE = 3 };

#define MAX_LIST 64

struct options {
	struct cda_host host;
	enum cda_format format;
	enum cda_severity fail_on;
	bool fail_on_indeterminate, facts, quiet;
	const char *color; /* auto|always|never */
	const char *output;
	const char *rules[MAX_LIST];
	size_t nrules;
	struct { const char *id; bool on; } toggles[MAX_LIST];
	size_t ntoggles;
	struct cda_kernel_opts kernel;
	/* inputs: from the command's argument or --dtb/--kernel/--swiotlb/--dmesg/--trace */
	const char *dtb, *kernel_path, *swiotlb, *dmesg, *trace;
	const char *snapshot; /* --snapshot: holds the tree, log, dump and trace itself */
};

struct command {
	const char *name;
	const char *args;   /* positional arguments, for usage */
	int min_args, max_args;
	int (*run)(struct options *o, int argc, char **argv);
};

static const char usage_text[] =
	"usage: cca-dma-audit COMMAND [OPTIONS] ARGS\n"
	"\n"
	"Audit the DMA setup of an Arm CCA Realm or pKVM protected guest before boot.\n"
	"\n"
	"commands:\n"
	"  dtb FILE|DIR|-        audit a guest device tree: a .dtb blob, - for standard\n"
	"                        input, or a /proc/device-tree style directory copy\n"
	"  vmlinux FILE          audit a guest kernel: vmlinux ELF, arm64 Image, a gzip,\n"
	"                        xz, bzip2, zstd or lz4 compressed one, or an EFI zboot\n"
	"                        vmlinuz\n"
	"  swiotlb PATH          audit a copy of /sys/kernel/debug/swiotlb: a directory,\n"
	"                        a tar archive, or the output of grep -r . or head on it\n"
	"  trace FILE|-          audit the dma:* and swiotlb:* events of an ftrace text\n"
	"                        or a trace-cmd trace.dat\n"
	"  audit                 audit every input given with the options below at once,\n"
	"                        with the rules that need two of them\n"
	"  rules [ID]            list the rule set, or explain one rule\n"
	"\n"
	"inputs (any command but rules; audit needs at least one):\n"
	"  --dtb FILE|DIR|-      guest device tree, as for the dtb command\n"
	"  --kernel FILE         guest kernel image, as for the vmlinux command\n"
	"  --swiotlb PATH        swiotlb debugfs copy, as for the swiotlb command\n"
	"  --dmesg FILE|-        the guest's kernel log (dmesg, dmesg -T, journalctl -k)\n"
	"  --trace FILE|-        ftrace text or trace.dat, as for the trace command\n"
	"  --snapshot FILE|-     a snapshot made in the guest by cca-dma-audit-collect:\n"
	"                        its device tree, boot log, swiotlb files, trace and\n"
	"                        virtio feature bits at once (with --kernel, its\n"
	"                        config.gz is the kernel's config)\n"
	"\n"
	"options:\n"
	"  --host-granule SIZE   host page size: 4K, 16K or 64K (default 64K, the\n"
	"                        strictest host; shared memory must be aligned to it)\n"
	"  --platform P          cca, pkvm or auto (default auto: rules that need the\n"
	"                        platform are indeterminate)\n"
	"  --ipa-bits N          realm IPA width, 32..52, from the VMM's configuration:\n"
	"                        shared DMA addresses carry bit N-1 (never guessed:\n"
	"                        without it the trace rules that need it are\n"
	"                        indeterminate)\n"
	"  --config FILE         vmlinux: the kernel's .config (plain or gzip'd), used\n"
	"                        instead of an embedded IKCONFIG\n"
	"  --system-map FILE     vmlinux: System.map or /proc/kallsyms, for images\n"
	"                        without a symbol table\n"
	"  --no-btf              vmlinux: read struct layouts from DWARF, ignoring .BTF\n"
	"  --max-decompressed SIZE\n"
	"                        refuse a compressed input that decompresses to more\n"
	"                        than SIZE bytes (K, M or G suffix; default 1G)\n"
	"  --format F            text or json (default text)\n"
	"  -o, --output FILE     write the report to FILE instead of standard output\n"
	"  --fail-on SEV         error, warning, note or never (default error): the\n"
	"                        lowest severity that makes the exit status 1\n"
	"  --fail-on-indeterminate\n"
	"                        exit 2 when a rule could not be decided\n"
	"  --rules FILE|DIR      add rules, or override built-in rules by id (repeatable)\n"
	"  --enable ID           enable a rule by id or name (repeatable)\n"
	"  --disable ID          disable a rule by id or name (repeatable)\n"
	"  --facts               print the facts rules see, as JSON, instead of findings\n"
	"  -q, --quiet           text: no summary line\n"
	"  --color WHEN          auto, always or never (default auto; NO_COLOR is honoured)\n"
	"  -V, --version         print the version and exit\n"
	"  -h, --help            print this help and exit\n"
	"\n"
	"exit status: 0 clean, 1 findings at or above --fail-on, 2 an input could not be\n"
	"read or parsed, 3 usage or rule file error. See cca-dma-audit(1).\n";

static int write_out(const struct options *o, const char *text);

/* Errors go to stderr as one line; in json mode a JSON error document also goes to the report. */
static int fail(const struct options *o, int status, const char *msg)
{
	char *safe = cda_text_escape(msg); /* msg may quote a hostile file's name or bytes */

	fprintf(stderr, "cca-dma-audit: %s\n", safe ? safe : msg);
	free(safe);
	if (o && o->format == CDA_FORMAT_JSON) {
		char *doc = cda_report_error_json(msg, status);

		if (doc)
			write_out(o, doc); /* status already says it failed */
		free(doc);
	}
	return status;
}

static int status_of(const struct cda_error *err)
{
	switch (err->code) {
	case CDA_E_RULE:
	case CDA_E_USAGE:
		return EXIT_USAGE;
	default:
		return EXIT_INCOMPLETE;
	}
}

static int write_out(const struct options *o, const char *text)
{
	FILE *f = o->output ? fopen(o->output, "w") : stdout;
	int bad;

	if (!f) {
		char msg[1100];

		snprintf(msg, sizeof(msg), "%s: %s", o->output, strerror(errno));
		return fail(NULL, EXIT_INCOMPLETE, msg);
	}
	bad = fputs(text, f) < 0;
	bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
	if (bad) {
		char msg[1100];

		snprintf(msg, sizeof(msg), "%s: write error: %s",
			 o->output ? o->output : "<stdout>", strerror(errno));
		return fail(NULL, EXIT_INCOMPLETE, msg);
	}
	return 0;
}

static bool want_color(const struct options *o)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!strcmp(o->color, "always"))
		return true;
	if (!strcmp(o->color, "never") || o->output || (nc && *nc))
		return false;
	return isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb"));
}

static int load_rules(struct options *o, struct cda_ruleset **out)
{
	struct cda_ruleset *rs = cda_ruleset_new();
	struct cda_error err = { 0 };
	int ret = 0;

	if (!rs)
		return fail(o, EXIT_INCOMPLETE, "out of memory");
	ret = cda_ruleset_load_builtin(rs, &err);
	for (size_t i = 0; !ret && i < o->nrules; i++)
		ret = cda_ruleset_load_path(rs, o->rules[i], &err);
	for (size_t i = 0; !ret && i < o->ntoggles; i++)
		ret = cda_ruleset_set_enabled(rs, o->toggles[i].id, o->toggles[i].on, &err);
	if (ret) {
		cda_ruleset_free(rs);
		/* Any rule-set problem is a configuration error, whatever its cause. */
		return fail(o, err.code == CDA_E_NOMEM ? EXIT_INCOMPLETE : EXIT_USAGE, err.msg);
	}
	*out = rs;
	return 0;
}

static int cmd_rules(struct options *o, int argc, char **argv)
{
	struct cda_ruleset *rs = NULL;
	struct cda_error err = { 0 };
	char *text = NULL;
	int ret = load_rules(o, &rs);

	if (ret)
		return ret;
	if (cda_report_rules(rs, argc ? argv[0] : NULL, o->format, &text, &err))
		ret = fail(o, status_of(&err), err.msg);
	else
		ret = write_out(o, text);
	free(text);
	cda_ruleset_free(rs);
	return ret;
}

/*
 * A snapshot holds the tree, the log, the dump and the trace: the same part
 * from two places would leave the audit to pick one, so it is refused (the
 * kernel image is not in a snapshot, and is welcome).
 */
static int snapshot_conflict(const struct options *o, struct cda_error *err)
{
	const struct { const char *path, *opt, *member; } parts[] = {
		{ o->dtb, "--dtb", "fdt" }, { o->swiotlb, "--swiotlb", "debugfs/" },
		{ o->dmesg, "--dmesg", "dmesg.txt" }, { o->trace, "--trace", "trace.txt" },
	};

	for (size_t i = 0; o->snapshot && i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i].path)
			continue;
		err->code = CDA_E_USAGE;
		snprintf(err->msg, sizeof(err->msg),
			 "--snapshot and %s (or the command's argument) both give the %s: the "
			 "snapshot's is snapshot/%s; give one or the other", parts[i].opt,
			 i == 0 ? "device tree" : i == 1 ? "swiotlb files" : i == 2 ? "boot log"
										: "trace",
			 parts[i].member);
		return -CDA_E_USAGE;
	}
	return 0;
}

/* Load every input given; the trace last, because it is checked against the pools the others name. */
static int load_inputs(struct cda_audit *au, const struct options *o, struct cda_error *err)
{
	const char *const paths[] = { o->dtb, o->kernel_path, o->swiotlb, o->dmesg, o->trace,
				      o->snapshot };
	int stdin_users = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		stdin_users += paths[i] && !strcmp(paths[i], "-");
	if (stdin_users > 1) {
		err->code = CDA_E_USAGE;
		snprintf(err->msg, sizeof(err->msg), "standard input (-) can feed only one input");
		return -CDA_E_USAGE;
	}
	if (snapshot_conflict(o, err))
		return -err->code;
	if (o->snapshot)
		return cda_audit_load_snapshot(au, o->snapshot, o->kernel_path, &o->kernel, err)
		       ? -err->code : 0;
	if (o->dtb && cda_audit_load_dt(au, o->dtb, err))
		return -err->code;
	if (o->kernel_path && cda_audit_load_kernel(au, o->kernel_path, &o->kernel, err))
		return -err->code;
	if (o->swiotlb && cda_audit_load_swiotlb(au, o->swiotlb, err))
		return -err->code;
	if (o->dmesg && cda_audit_load_dmesg(au, o->dmesg, err))
		return -err->code;
	if (o->trace && cda_audit_load_trace(au, o->trace, err))
		return -err->code;
	return 0;
}

/* Shared by every audit command: load the inputs, then print facts or findings. */
static int run_audit(struct options *o, const char *command)
{
	struct cda_report_opts ro = {
		.format = o->format, .fail_on = o->fail_on, .quiet = o->quiet,
		.fail_on_indeterminate = o->fail_on_indeterminate, .command = command,
	};
	struct cda_ruleset *rs = NULL;
	struct cda_audit *au = NULL;
	struct cda_error err = { 0 };
	char *text = NULL;
	int ret;

	if ((ret = load_rules(o, &rs)))
		return ret;
	au = cda_audit_new();
	if (!au) {
		ret = fail(o, EXIT_INCOMPLETE, "out of memory");
		goto out;
	}
	if (cda_audit_set_host(au, &o->host, &err) || load_inputs(au, o, &err)) {
		ret = fail(o, status_of(&err), err.msg);
		goto out;
	}
	if (o->facts) {
		ret = cda_report_facts(au, &text, &err) ? fail(o, EXIT_INCOMPLETE, err.msg)
							 : write_out(o, text);
		goto out;
	}
	ro.color = want_color(o);
	if (cda_audit_run(au, rs, &err) || cda_report_render(au, rs, &ro, &text, &err)) {
		ret = fail(o, EXIT_INCOMPLETE, err.msg);
		goto out;
	}
	ret = write_out(o, text);
	if (!ret)
		ret = cda_audit_exit_code(au, o->fail_on, o->fail_on_indeterminate);
out:
	free(text);
	cda_audit_free(au);
	cda_ruleset_free(rs);
	return ret;
}

/* The command's own argument fills the input its option would; both at once is an error. */
static int run_with(struct options *o, const char *command, const char **slot, const char *opt,
		    const char *path)
{
	char msg[256];

	if (*slot) {
		snprintf(msg, sizeof(msg), "%s: %s given twice (argument and option)", command, opt);
		return fail(o, EXIT_USAGE, msg);
	}
	*slot = path;
	return run_audit(o, command);
}

static int cmd_dtb(struct options *o, int argc, char **argv)
{
	(void)argc;
	return run_with(o, "dtb", &o->dtb, "--dtb", argv[0]);
}

static int cmd_vmlinux(struct options *o, int argc, char **argv)
{
	(void)argc;
	return run_with(o, "vmlinux", &o->kernel_path, "--kernel", argv[0]);
}

static int cmd_swiotlb(struct options *o, int argc, char **argv)
{
	(void)argc;
	return run_with(o, "swiotlb", &o->swiotlb, "--swiotlb", argv[0]);
}

static int cmd_trace(struct options *o, int argc, char **argv)
{
	(void)argc;
	return run_with(o, "trace", &o->trace, "--trace", argv[0]);
}

static int cmd_audit(struct options *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!o->dtb && !o->kernel_path && !o->swiotlb && !o->dmesg && !o->trace && !o->snapshot)
		return fail(o, EXIT_USAGE, "audit: no input (give --dtb, --kernel, --swiotlb, --dmesg, "
			    "--trace or --snapshot)");
	return run_audit(o, "audit");
}

static const struct command commands[] = {
	{ "dtb", "FILE|DIR|-", 1, 1, cmd_dtb },
	{ "vmlinux", "FILE", 1, 1, cmd_vmlinux },
	{ "swiotlb", "PATH", 1, 1, cmd_swiotlb },
	{ "trace", "FILE|-", 1, 1, cmd_trace },
	{ "audit", "", 0, 0, cmd_audit },
	{ "rules", "[ID]", 0, 1, cmd_rules },
};

static int parse_granule(const char *s, uint64_t *out)
{
	static const struct { const char *name; uint64_t v; } g[] = {
		{ "4K", 4096 }, { "16K", 16384 }, { "64K", 65536 },
		{ "4096", 4096 }, { "16384", 16384 }, { "65536", 65536 },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		if (!strcasecmp(s, g[i].name)) {
			*out = g[i].v;
			return 0;
		}
	}
	return -1;
}

/* "1000", "64K", "512M", "2G" (binary units); at least 1 byte, and no overflow. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	if (*p) {
		const char *u = strchr("KMG", *p & ~0x20);

		if (!u || !*u || p[1])
			return -1;
		shift = 10 * (unsigned)(u - "KMG" + 1);
	}
	if (!v || v > UINT64_MAX >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

enum {
	OPT_HOST_GRANULE = 256, OPT_PLATFORM, OPT_IPA_BITS, OPT_FORMAT, OPT_FAIL_ON,
	OPT_FAIL_ON_INDET, OPT_RULES, OPT_ENABLE, OPT_DISABLE, OPT_FACTS, OPT_COLOR,
	OPT_CONFIG, OPT_SYSTEM_MAP, OPT_NO_BTF, OPT_DTB, OPT_KERNEL, OPT_SWIOTLB, OPT_DMESG,
	OPT_TRACE, OPT_MAX_DECOMPRESSED, OPT_SNAPSHOT,
};

static const struct option long_opts[] = {
	{ "host-granule", required_argument, NULL, OPT_HOST_GRANULE },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "ipa-bits", required_argument, NULL, OPT_IPA_BITS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },
	{ "no-btf", no_argument, NULL, OPT_NO_BTF },
	{ "max-decompressed", required_argument, NULL, OPT_MAX_DECOMPRESSED },
	{ "dtb", required_argument, NULL, OPT_DTB },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "swiotlb", required_argument, NULL, OPT_SWIOTLB },
	{ "dmesg", required_argument, NULL, OPT_DMESG },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "fail-on-indeterminate", no_argument, NULL, OPT_FAIL_ON_INDET },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "enable", required_argument, NULL, OPT_ENABLE },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "facts", no_argument, NULL, OPT_FACTS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit status. msg receives a usage error. */
static int parse_options(struct options *o, int argc, char **argv, char *msg, size_t msglen)
{
	int c;

	opterr = 0; /* our own messages, so json mode can report them as JSON */
	while ((c = getopt_long(argc, argv, "o:qVh", long_opts, NULL)) != -1) {
		const char *arg = optarg;
		int sev;

		switch (c) {
		case OPT_HOST_GRANULE:
			if (parse_granule(arg, &o->host.granule)) {
				snprintf(msg, msglen, "--host-granule: '%s' is not 4K, 16K or 64K", arg);
				return EXIT_USAGE;
			}
			o->host.granule_given = true;
			break;
		case OPT_PLATFORM:
			if (!strcmp(arg, "cca")) {
				o->host.platform = CDA_PLATFORM_CCA;
			} else if (!strcmp(arg, "pkvm")) {
				o->host.platform = CDA_PLATFORM_PKVM;
			} else if (!strcmp(arg, "auto")) {
				o->host.platform = CDA_PLATFORM_AUTO;
			} else {
				snprintf(msg, msglen, "--platform: '%s' is not cca, pkvm or auto", arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_IPA_BITS: {
			char *end;
			unsigned long v = strtoul(arg, &end, 10);

			if (*end || end == arg || v < 32 || v > 52) {
				snprintf(msg, msglen, "--ipa-bits: '%s' is not a number from 32 to 52", arg);
				return EXIT_USAGE;
			}
			o->host.ipa_bits = (unsigned)v;
			break;
		}
		case OPT_FORMAT:
			if (!strcmp(arg, "text")) {
				o->format = CDA_FORMAT_TEXT;
			} else if (!strcmp(arg, "json")) {
				o->format = CDA_FORMAT_JSON;
			} else {
				snprintf(msg, msglen, "--format: '%s' is not text or json", arg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			o->output = arg;
			break;
		case OPT_CONFIG:
			o->kernel.config_path = arg;
			break;
		case OPT_SYSTEM_MAP:
			o->kernel.system_map_path = arg;
			break;
		case OPT_NO_BTF:
			o->kernel.no_btf = true;
			break;
		case OPT_MAX_DECOMPRESSED: {
			uint64_t max;

			if (parse_size(arg, &max)) {
				snprintf(msg, msglen, "--max-decompressed: '%s' is not a size in bytes "
					 "(a number, with K, M or G for KiB, MiB or GiB)", arg);
				return EXIT_USAGE;
			}
			cda_set_max_decompressed(max); /* for every input of this run */
			break;
		}
		case OPT_DTB:
		case OPT_KERNEL:
		case OPT_SWIOTLB:
		case OPT_DMESG:
		case OPT_TRACE:
		case OPT_SNAPSHOT: {
			const char **slot = c == OPT_DTB ? &o->dtb : c == OPT_KERNEL ? &o->kernel_path
					    : c == OPT_SWIOTLB ? &o->swiotlb : c == OPT_DMESG ? &o->dmesg
					    : c == OPT_TRACE ? &o->trace : &o->snapshot;

			if (*slot) {
				const struct option *lo = long_opts;

				while (lo->name && lo->val != c)
					lo++;
				snprintf(msg, msglen, "--%s given twice", lo->name);
				return EXIT_USAGE;
			}
			*slot = arg;
			break;
		}
		case OPT_FAIL_ON:
			sev = cda_severity_parse(arg);
			if (sev < 0) {
				snprintf(msg, msglen, "--fail-on: '%s' is not error, warning, note or never", arg);
				return EXIT_USAGE;
			}
			o->fail_on = (enum cda_severity)sev;
			break;
		case OPT_FAIL_ON_INDET:
			o->fail_on_indeterminate = true;
			break;
		case OPT_RULES:
		case OPT_ENABLE:
		case OPT_DISABLE:
			if (o->nrules == MAX_LIST || o->ntoggles == MAX_LIST) {
				snprintf(msg, msglen, "too many --rules/--enable/--disable options");
				return EXIT_USAGE;
			}
			if (c == OPT_RULES) {
				o->rules[o->nrules++] = arg;
			} else {
				o->toggles[o->ntoggles].id = arg;
				o->toggles[o->ntoggles++].on = c == OPT_ENABLE;
			}
			break;
		case OPT_FACTS:
			o->facts = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_COLOR:
			if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
				snprintf(msg, msglen, "--color: '%s' is not auto, always or never", arg);
				return EXIT_USAGE;
			}
			o->color = arg;
			break;
		case 'V':
			printf("cca-dma-audit %s\n", cda_version());
			return EXIT_CLEAN;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_CLEAN;
		default:
			if (optopt && optopt < 256)
				snprintf(msg, msglen, "option -%c %s", optopt,
					 optopt == 'o' ? "needs an argument" : "is not known");
			else
				snprintf(msg, msglen, "option '%s' is not known or needs an argument",
					 argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = {
		.host = { .granule = 65536 },
		.fail_on = CDA_SEV_ERROR,
		.color = "auto",
	};
	const struct command *cmd = NULL;
	char msg[512] = "";
	int ret, nargs;

	ret = parse_options(&o, argc, argv, msg, sizeof(msg));
	if (ret >= 0)
		return ret == EXIT_USAGE ? fail(&o, ret, msg) : ret;
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return fail(&o, EXIT_USAGE, "no command given");
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		snprintf(msg, sizeof(msg), "unknown command '%s' (try --help)", argv[optind]);
		return fail(&o, EXIT_USAGE, msg);
	}
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		snprintf(msg, sizeof(msg), "usage: cca-dma-audit %s [OPTIONS] %s", cmd->name, cmd->args);
		return fail(&o, EXIT_USAGE, msg);
	}
	return cmd->run(&o, nargs, argv + optind + 1);
}
