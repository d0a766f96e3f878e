// SPDX-License-Identifier: MIT
/*
 * cca-dma-audit: the command line. Its option and command tables (the parser
 * and every help text are made from them, see options.h), the commands, and
 * the exit status; nothing else. Exit status (stable; an analysis that ran
 * gets its status from cda_exit_status(), where the contract is written):
 *   0  clean: no finding at or above --fail-on, and complete
 *   1  findings at or above --fail-on, and complete
 *   2  analysis incomplete (an input could not be read or parsed, or, with
 *      --fail-on-indeterminate, a rule could not be decided), no findings
 *   3  usage or configuration error: bad option, bad rule file, unknown rule id,
 *      bad profile
 *   4  findings at or above --fail-on, and the analysis incomplete
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "builtin_rules.h" /* cda_ruleset_version, for --version */
#include "ccadma.h"
#include "options.h"
#include "dts_source.h"
#include "suppress.h"
#include "profile.h"
#include "util.h"

#define MAX_LIST 64
#define MAX_TREE_ARGS 100000 /* dtb's paths: a shell's ARG_MAX allows about this many */

struct options {
	struct cda_host host;
	enum cda_format format;
	enum cda_severity fail_on;
	bool fail_on_indeterminate, facts, quiet;
	const char *color; /* auto|always|never */
	const char *output;
	const char *rules[MAX_LIST];
	size_t nrules;
	const char *suppressions[MAX_LIST]; /* --suppressions FILE, in order */
	size_t nsuppressions;
	const char *baseline; /* --baseline REPORT.json */
	/*
	 * --enable, --disable and --severity in the order given: sev or on is -1
	 * when not set; from: "command line", or "profile FILE" for a profile's
	 */
	struct { const char *id, *from; int idlen, on, sev; } toggles[MAX_LIST];
	size_t ntoggles;
	const char *from; /* where the toggles being applied come from */
	const char *profile; /* --profile, or the default one once found */
	bool no_profile;
	struct profile prof;
	char profile_from[300];
	struct cda_kernel_opts kernel;
	/* inputs (OPT_INPUT rows): from the command's argument or their option */
	const char *dtb, *kernel_path, *swiotlb, *dmesg, *trace;
	const char *snapshot; /* --snapshot: holds the tree, log, dump and trace itself */
	const char *source; /* --source FILE.dts: SARIF places DT results at its lines */
};

static const struct cli cli; /* the tables, at the end of the file */

static int write_out(const struct options *o, const char *text);

/* One line on stderr; msg may quote a hostile file's name or bytes. */
static void say(const char *msg)
{
	char *safe = cda_text_escape(msg);

	fprintf(stderr, "cca-dma-audit: %s\n", safe ? safe : msg);
	free(safe);
}

/* Errors go to stderr as one line; in json mode a JSON error document also goes to the report. */
static int fail(const struct options *o, int status, const char *msg)
{
	say(msg);
	if (o && o->format != CDA_FORMAT_TEXT) {
		char *doc = o->format == CDA_FORMAT_JSON    ? cda_report_error_json(msg, status)
			    : o->format == CDA_FORMAT_SARIF ? cda_report_error_sarif(msg, status)
							    : cda_report_error_junit(msg, status);

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

/* A rule the profile names is not in the rule set: say which file and key. */
static void profile_error(const struct options *o, size_t i, struct cda_error *err)
{
	char why[sizeof(err->msg)];

	memcpy(why, err->msg, sizeof(why));
	cda_fail(err, err->code, "%s: key %s: %s", o->profile,
		 o->toggles[i].sev >= 0 ? "severity" : o->toggles[i].on ? "enable" : "disable", why);
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
	for (size_t i = 0; !ret && i < o->ntoggles; i++) {
		char id[256]; /* --severity's id is its argument up to '=' */

		snprintf(id, sizeof(id), "%.*s", o->toggles[i].idlen, o->toggles[i].id);
		ret = cda_ruleset_override(rs, id, o->toggles[i].sev, o->toggles[i].on,
					   o->toggles[i].from, &err);
		if (ret && o->toggles[i].from == o->profile_from)
			profile_error(o, i, &err);
	}
	if (ret) {
		cda_ruleset_free(rs);
		/* Any rule-set problem is a configuration error, whatever its cause. */
		return fail(o, err.code == CDA_E_NOMEM ? EXIT_INCOMPLETE : EXIT_USAGE, err.msg);
	}
	*out = rs;
	return 0;
}

static int cmd_rules(struct options *o, const struct command *cmd, int argc, char **argv)
{
	struct cda_ruleset *rs = NULL;
	struct cda_error err = { 0 };
	char *text = NULL;
	int ret = load_rules(o, &rs);

	(void)cmd;
	if (ret)
		return ret;
	if (o->format == CDA_FORMAT_JUNIT || o->format == CDA_FORMAT_SARIF)
		ret = fail(o, EXIT_USAGE, "rules: --format junit and sarif are for audit reports "
			   "(use text or json)");
	else if (cda_report_rules(rs, argc ? argv[0] : NULL, o->format, &text, &err))
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

/* The path an OPT_INPUT row holds in o, or NULL (for any other row too). */
static const char *input_path(const struct opt *r, const struct options *o)
{
	return r->kind == OPT_INPUT ? *(const char *const *)cli_cfield(r, o) : NULL;
}

/* Load every input given, in the table's order (the trace last: see its row). */
static int load_inputs(struct cda_audit *au, const struct options *o, struct cda_error *err)
{
	int stdin_users = 0;

	for (size_t i = 0; i < cli.nopts; i++) {
		const char *path = input_path(&cli.opts[i], o);

		stdin_users += path && !strcmp(path, "-");
	}
	if (stdin_users > 1) {
		err->code = CDA_E_USAGE;
		snprintf(err->msg, sizeof(err->msg), "standard input (-) can feed only one input");
		return -CDA_E_USAGE;
	}
	if (snapshot_conflict(o, err))
		return -err->code;
	for (size_t i = 0; i < cli.nopts; i++) {
		const char *path = input_path(&cli.opts[i], o);

		if (path && cli.opts[i].load(au, o, path, err))
			return -err->code;
	}
	return 0;
}

/*
 * The suppressions files and the baseline, or *out NULL when none is given:
 * configuration, so any problem is a usage error (exit 3). CDA_TODAY
 * (YYYY-MM-DD) stands for today's date, for tests of expiry.
 */
static int load_accepted(const struct options *o, struct cda_suppress **out);

/*
 * --source FILE.dts, *out NULL when not given. Read whatever the format, so a
 * bad file is an error in every one (exit 2), not only where it is used;
 * given without a device tree to be the source of, a usage error.
 */
static int source_usage(const struct options *o)
{
	if (o->source && !strcmp(o->source, "-")) /* it would race the input for stdin */
		return fail(o, EXIT_USAGE, "--source: give the .dts as a file, not standard input");
	if (!o->source || o->dtb || o->snapshot)
		return 0;
	return fail(o, EXIT_USAGE, "--source: the .dts of the device tree audited, but no device "
		    "tree is given (dtb FILE, --dtb or --snapshot)");
}

static int load_source(const struct options *o, struct cda_dts_lines **out)
{
	struct cda_error err = { 0 };

	*out = o->source ? cda_dts_lines_load(o->source, &err) : NULL;
	return o->source && !*out ? fail(o, status_of(&err), err.msg) : 0;
}

static int load_accepted(const struct options *o, struct cda_suppress **out)
{
	const char *today = getenv("CDA_TODAY");
	struct cda_error err = { 0 };
	int ret = 0;

	*out = NULL;
	if (!o->nsuppressions && !o->baseline)
		return 0;
	if (today && !cda_date_valid(today))
		return fail(o, EXIT_USAGE, "CDA_TODAY: not a date YYYY-MM-DD");
	*out = cda_suppress_new(today);
	if (!*out)
		return fail(o, EXIT_INCOMPLETE, "out of memory");
	for (size_t i = 0; !ret && i < o->nsuppressions; i++)
		ret = cda_suppress_load(*out, o->suppressions[i], &err);
	if (!ret && o->baseline)
		ret = cda_baseline_load(*out, o->baseline, &err);
	return ret ? fail(o, err.code == CDA_E_NOMEM ? EXIT_INCOMPLETE : EXIT_USAGE, err.msg) : 0;
}

/* What every audit command holds from start to report. */
struct run {
	struct cda_ruleset *rs;
	struct cda_audit *au;
	struct cda_suppress *sup;
	struct cda_dts_lines *src; /* --source */
};

static void run_free(struct run *r)
{
	cda_dts_lines_free(r->src);
	cda_audit_free(r->au);
	cda_suppress_free(r->sup);
	cda_ruleset_free(r->rs);
}

/* The rule set, the accepted findings, and an audit holding the host: 0 or an exit status. */
static int run_begin(struct options *o, struct run *r)
{
	struct cda_error err = { 0 };
	int ret;

	if ((ret = source_usage(o)) || (ret = load_rules(o, &r->rs)) ||
	    (ret = load_accepted(o, &r->sup)) || (ret = load_source(o, &r->src)))
		return ret;
	o->kernel.rules = r->rs; /* kernel.probes answers the rule set's probes */
	if (!(r->au = cda_audit_new()))
		return fail(o, EXIT_INCOMPLETE, "out of memory");
	if (cda_audit_set_host(r->au, &o->host, &err))
		return fail(o, status_of(&err), err.msg);
	return 0;
}

/* The report of an audit whose rules ran, and the exit status that goes with it. */
static int run_report(struct options *o, const char *command, struct run *r)
{
	struct cda_report_opts ro = {
		.format = o->format, .fail_on = o->fail_on, .quiet = o->quiet,
		.fail_on_indeterminate = o->fail_on_indeterminate, .command = command,
		.profile = o->profile, .color = want_color(o), .source = r->src,
		.source_path = o->source,
	};
	struct cda_error err = { 0 };
	char *text = NULL;
	int ret;

	if ((r->sup && cda_audit_suppress(r->au, r->sup)) ||
	    cda_report_render(r->au, r->rs, &ro, &text, &err))
		return fail(o, EXIT_INCOMPLETE, err.msg);
	ret = write_out(o, text);
	free(text);
	return ret ? ret : cda_audit_exit_code(r->au, o->fail_on, o->fail_on_indeterminate);
}

/* Shared by every audit command: load the inputs, then print facts or findings. */
static int run_audit(struct options *o, const char *command)
{
	struct run r = { 0 };
	struct cda_error err = { 0 };
	char *text = NULL;
	int ret = run_begin(o, &r);

	if (ret)
		goto out;
	if (load_inputs(r.au, o, &err)) {
		ret = fail(o, status_of(&err), err.msg);
	} else if (o->facts) {
		ret = cda_report_facts(r.au, &text, &err) ? fail(o, EXIT_INCOMPLETE, err.msg)
							  : write_out(o, text);
	} else {
		ret = cda_audit_run(r.au, r.rs, &err) ? fail(o, EXIT_INCOMPLETE, err.msg)
						      : run_report(o, command, &r);
	}
out:
	free(text);
	run_free(&r);
	return ret;
}

/*
 * An input of many that could not be read: one line on stderr, as for a lone
 * input, and the report lists it; the run goes on (exit 2, or 4).
 */
static void unreadable(const char *path, const char *reason, void *ctx)
{
	char msg[sizeof(((struct cda_error *)0)->msg) + 300];

	(void)ctx;
	snprintf(msg, sizeof(msg), "%s: %s", path, reason);
	say(msg);
}

/*
 * dtb with several paths, or a directory of blobs: one report over every
 * tree, each audited on its own (a tree that cannot be read is listed as
 * such, and the others are audited all the same). Every path is listed
 * first, so that a file reached twice is refused before anything runs; a
 * path that holds no tree is an unreadable input, in its place.
 */
static int run_batch(struct options *o, int argc, char **argv)
{
	struct cda_dt_list *lists = calloc((size_t)argc, sizeof(*lists));
	char **why = calloc((size_t)argc, sizeof(*why)); /* a path's listing error */
	struct cda_error err = { 0 };
	struct run r = { 0 };
	int ret = 0;

	if (o->facts || o->source)
		ret = fail(o, EXIT_USAGE, o->facts ? "dtb: --facts takes one device tree"
					: "dtb: --source is the .dts of one device tree");
	else if (!lists || !why)
		ret = fail(o, EXIT_INCOMPLETE, "out of memory");
	for (int i = 0; !ret && i < argc; i++)
		if (cda_dt_list(argv[i], &lists[i], &err) && !(why[i] = strdup(err.msg)))
			ret = fail(o, EXIT_INCOMPLETE, "out of memory");
	if (!ret && cda_dt_lists_check(lists, (size_t)argc, &err))
		ret = fail(o, status_of(&err), err.msg);
	if (!ret)
		ret = run_begin(o, &r);
	for (int i = 0; !ret && i < argc; i++) {
		if (why[i])
			say(why[i]);
		ret = why[i] ? cda_audit_add_unreadable(r.au, "dt", argv[i], why[i], &err)
			     : cda_audit_dt_list_into(r.au, r.rs, &lists[i], unreadable, NULL, &err);
		if (ret)
			ret = fail(o, EXIT_INCOMPLETE, err.msg);
	}
	if (!ret)
		ret = run_report(o, "dtb", &r);
	for (int i = 0; lists && why && i < argc; i++) {
		cda_dt_list_free(&lists[i]);
		free(why[i]);
	}
	free(lists);
	free(why);
	run_free(&r);
	return ret;
}

/* One tree (a file, "-", or a /proc/device-tree copy) or many (ccadma.h, cda_dt_list()). */
static bool many_trees(int argc, char **argv)
{
	struct cda_dt_list l = { 0 };
	struct cda_error err = { 0 };
	bool many;

	if (argc != 1)
		return true;
	many = !cda_dt_list(argv[0], &l, &err) && (l.n != 1 || strcmp(l.paths[0], argv[0]));
	cda_dt_list_free(&l);
	return many;
}

/* dtb, vmlinux, swiotlb, trace: the argument fills the input its option would; both is an error. */
static int cmd_input(struct options *o, const struct command *cmd, int argc, char **argv)
{
	const struct opt *in = cli_option(&cli, cmd->arg_input);
	const char **slot = cli_field(in, o);
	char msg[256];

	if (*slot) {
		snprintf(msg, sizeof(msg), "%s: --%s given twice (argument and option)", cmd->name,
			 in->name);
		return fail(o, EXIT_USAGE, msg);
	}
	if (cmd->max_args > 1 && many_trees(argc, argv))
		return run_batch(o, argc, argv);
	*slot = argv[0];
	return run_audit(o, cmd->name);
}

/* "audit: no input (give --dtb, ... or --snapshot)", the inputs named from the table. */
static int no_input(const struct options *o)
{
	struct cda_buf b = { 0 };
	size_t n = 0, k = 0;
	char *msg;
	int ret;

	for (size_t i = 0; i < cli.nopts; i++)
		n += cli.opts[i].kind == OPT_INPUT;
	cda_buf_printf(&b, "audit: no input (give ");
	for (size_t i = 0; i < cli.nopts; i++) {
		if (cli.opts[i].kind != OPT_INPUT)
			continue;
		cda_buf_printf(&b, "%s--%s", k == 0 ? "" : k == n - 1 ? " or " : ", ", cli.opts[i].name);
		k++;
	}
	cda_buf_printf(&b, ")");
	msg = cda_buf_take(&b);
	ret = fail(o, EXIT_USAGE, msg ? msg : "audit: no input");
	free(msg);
	return ret;
}

/* audit: every input given as an option, at least one. */
static int cmd_audit(struct options *o, const struct command *cmd, int argc, char **argv)
{
	(void)cmd, (void)argc, (void)argv;
	for (size_t i = 0; i < cli.nopts; i++)
		if (input_path(&cli.opts[i], o))
			return run_audit(o, "audit");
	return no_input(o);
}

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

/*
 * Setters (OPT_SET rows): -1 to go on, or an exit status with the usage
 * error in msg. Each names its option, as the user typed it, in the error.
 */
static int usage(char *msg, size_t msglen, const char *opt, const char *arg, const char *want)
{
	snprintf(msg, msglen, "--%s: '%s' is not %s", opt, arg, want);
	return EXIT_USAGE;
}

/* The index of arg in names (a NULL-terminated list), or -1. */
static int choice(const char *arg, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return -1;
}

static int set_granule(struct options *o, const char *arg, char *msg, size_t msglen)
{
	if (parse_granule(arg, &o->host.granule))
		return usage(msg, msglen, "host-granule", arg, "4K, 16K or 64K");
	o->host.granule_given = true;
	return -1;
}

static int set_platform(struct options *o, const char *arg, char *msg, size_t msglen)
{
	static const char *const names[] = { "cca", "pkvm", "auto", NULL };
	static const enum cda_platform values[] = { CDA_PLATFORM_CCA, CDA_PLATFORM_PKVM,
						    CDA_PLATFORM_AUTO };
	int i = choice(arg, names);

	if (i < 0)
		return usage(msg, msglen, "platform", arg, "cca, pkvm or auto");
	o->host.platform = values[i];
	return -1;
}

static int set_ipa_bits(struct options *o, const char *arg, char *msg, size_t msglen)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*end || end == arg || v < 32 || v > 52)
		return usage(msg, msglen, "ipa-bits", arg, "a number from 32 to 52");
	o->host.ipa_bits = (unsigned)v;
	return -1;
}

static int set_format(struct options *o, const char *arg, char *msg, size_t msglen)
{
	static const char *const names[] = { "text", "json", "junit", "sarif", NULL };
	static const enum cda_format values[] = { CDA_FORMAT_TEXT, CDA_FORMAT_JSON,
						  CDA_FORMAT_JUNIT, CDA_FORMAT_SARIF };
	int i = choice(arg, names);

	if (i < 0)
		return usage(msg, msglen, "format", arg, "text, json, junit or sarif");
	o->format = values[i];
	return -1;
}

static int set_max_decompressed(struct options *o, const char *arg, char *msg, size_t msglen)
{
	uint64_t max;

	(void)o;
	if (parse_size(arg, &max))
		return usage(msg, msglen, "max-decompressed", arg, "a size in bytes "
			     "(a number, with K, M or G for KiB, MiB or GiB)");
	cda_set_max_decompressed(max); /* for every input of this run */
	return -1;
}

static int set_fail_on(struct options *o, const char *arg, char *msg, size_t msglen)
{
	int sev = cda_severity_parse(arg);

	if (sev < 0)
		return usage(msg, msglen, "fail-on", arg, "error, warning, note or never");
	o->fail_on = (enum cda_severity)sev;
	return -1;
}

static int set_color(struct options *o, const char *arg, char *msg, size_t msglen)
{
	static const char *const names[] = { "auto", "always", "never", NULL };

	if (choice(arg, names) < 0)
		return usage(msg, msglen, "color", arg, "auto, always or never");
	o->color = arg;
	return -1;
}

/* --rules, --enable and --disable share one limit, as the rule set applies them in turn. */
static int too_many(const struct options *o, char *msg, size_t msglen)
{
	if (o->nrules < MAX_LIST && o->ntoggles < MAX_LIST)
		return 0;
	snprintf(msg, msglen, "too many --rules/--enable/--disable/--severity options");
	return EXIT_USAGE;
}

static int add_rules(struct options *o, const char *arg, char *msg, size_t msglen)
{
	if (too_many(o, msg, msglen))
		return EXIT_USAGE;
	o->rules[o->nrules++] = arg;
	return -1;
}

static int toggle(struct options *o, const char *arg, size_t idlen, int on, int sev, char *msg,
		  size_t msglen)
{
	if (too_many(o, msg, msglen))
		return EXIT_USAGE;
	if (idlen > 200)
		return usage(msg, msglen, on < 0 ? "severity" : on ? "enable" : "disable", arg,
			     "a rule id or name");
	o->toggles[o->ntoggles].id = arg;
	o->toggles[o->ntoggles].idlen = (int)idlen;
	o->toggles[o->ntoggles].sev = sev;
	o->toggles[o->ntoggles].from = o->from;
	o->toggles[o->ntoggles++].on = on;
	return -1;
}

static int enable(struct options *o, const char *arg, char *msg, size_t msglen)
{
	return toggle(o, arg, strlen(arg), 1, -1, msg, msglen);
}

static int disable(struct options *o, const char *arg, char *msg, size_t msglen)
{
	return toggle(o, arg, strlen(arg), 0, -1, msg, msglen);
}

/* --severity ID=LEVEL: the rule's id or name checked when the rule set is loaded. */
static int set_severity(struct options *o, const char *arg, char *msg, size_t msglen)
{
	const char *eq = strrchr(arg, '=');
	int sev = eq ? cda_severity_parse(eq + 1) : -1;

	if (!eq || eq == arg || sev < 0 || sev == CDA_SEV_NEVER)
		return usage(msg, msglen, "severity", arg, "ID=LEVEL, LEVEL error, warning or note");
	return toggle(o, arg, (size_t)(eq - arg), -1, sev, msg, msglen);
}

static int add_suppressions(struct options *o, const char *arg, char *msg, size_t msglen)
{
	if (o->nsuppressions == MAX_LIST) {
		snprintf(msg, msglen, "too many --suppressions options");
		return EXIT_USAGE;
	}
	o->suppressions[o->nsuppressions++] = arg;
	return -1;
}

static int set_profile(struct options *o, const char *arg, char *msg, size_t msglen)
{
	(void)msg, (void)msglen;
	o->profile = arg;
	o->no_profile = false;
	return -1;
}

static int no_profile(struct options *o, const char *arg, char *msg, size_t msglen)
{
	(void)arg, (void)msg, (void)msglen;
	o->profile = NULL;
	o->no_profile = true;
	return -1;
}

/*
 * cli.preset: the profile's settings, before the command line's. The default
 * file is looked for only in the current directory, where a CI job runs.
 */
static int apply_profile(struct options *o, const char *arg, char *msg, size_t msglen)
{
	int ret;

	(void)arg;
	if (!o->profile && !o->no_profile && !access(PROFILE_DEFAULT, F_OK))
		o->profile = PROFILE_DEFAULT;
	if (!o->profile)
		return -1;
	snprintf(o->profile_from, sizeof(o->profile_from), "profile %s", o->profile);
	o->from = o->profile_from;
	ret = profile_apply(&o->prof, &cli, o, o->profile, msg, msglen);
	o->from = "command line";
	return ret;
}

static int version(struct options *o, const char *arg, char *msg, size_t msglen)
{
	(void)o, (void)arg, (void)msg, (void)msglen;
	printf("cca-dma-audit %s\nrule set %s\n", cda_version(), cda_ruleset_version);
	return EXIT_CLEAN;
}

/* Loaders (OPT_INPUT rows): the library's, given what else they need from o. */
static int load_dt(struct cda_audit *au, const struct options *o, const char *path,
		   struct cda_error *err)
{
	(void)o;
	return cda_audit_load_dt(au, path, err);
}

static int load_kernel(struct cda_audit *au, const struct options *o, const char *path,
		       struct cda_error *err)
{
	if (o->snapshot) /* load_snapshot reads it, with the snapshot's config */
		return 0;
	return cda_audit_load_kernel(au, path, &o->kernel, err);
}

static int load_swiotlb(struct cda_audit *au, const struct options *o, const char *path,
			struct cda_error *err)
{
	(void)o;
	return cda_audit_load_swiotlb(au, path, err);
}

static int load_dmesg(struct cda_audit *au, const struct options *o, const char *path,
		      struct cda_error *err)
{
	(void)o;
	return cda_audit_load_dmesg(au, path, err);
}

static int load_trace(struct cda_audit *au, const struct options *o, const char *path,
		      struct cda_error *err)
{
	(void)o;
	return cda_audit_load_trace(au, path, err);
}

static int load_snapshot(struct cda_audit *au, const struct options *o, const char *path,
			 struct cda_error *err)
{
	return cda_audit_load_snapshot(au, path, o->kernel_path, &o->kernel, err);
}

/* The commands, by index: an option's .commands names them with ON(). */
enum { C_DTB, C_VMLINUX, C_SWIOTLB, C_TRACE, C_AUDIT, C_RULES };
#define ON(c) (1u << C_##c)
#define ALL (~0u)
#define AUDITS (~ON(RULES)) /* every command that reads inputs */

#define FIELD(f) .field = offsetof(struct options, f)
#define INPUT(f, loader) .kind = OPT_INPUT, FIELD(f), .load = loader
#define SET(fn) .kind = OPT_SET, .set = fn

static const struct command command_table[] = {
	[C_DTB] = { "dtb", "FILE|DIR|-...", 1, MAX_TREE_ARGS, "audit guest device trees: .dtb "
		    "blobs, - for standard input, /proc/device-tree style directory copies, or "
		    "directories searched for *.dtb; several make one report, each tree audited on "
		    "its own", "dtb", cmd_input },
	[C_VMLINUX] = { "vmlinux", "FILE", 1, 1, "audit a guest kernel: vmlinux ELF, arm64 Image, "
			"a gzip, xz, bzip2, zstd or lz4 compressed one, or an EFI zboot vmlinuz",
			"kernel", cmd_input },
	[C_SWIOTLB] = { "swiotlb", "PATH", 1, 1, "audit a copy of /sys/kernel/debug/swiotlb: a "
			"directory, a tar archive, or the output of grep -r . or head on it",
			"swiotlb", cmd_input },
	[C_TRACE] = { "trace", "FILE|-", 1, 1, "audit the dma:* and swiotlb:* events of an ftrace "
		      "text or a trace-cmd trace.dat", "trace", cmd_input },
	[C_AUDIT] = { "audit", "", 0, 0, "audit every input given as an option at once (at least "
		      "one), with the rules that need two of them", NULL, cmd_audit },
	[C_RULES] = { "rules", "[ID]", 0, 1, "list the rule set, or explain one rule", NULL,
		      cmd_rules },
};

/*
 * Every option, in --help's order. OPT_INPUT rows are also the inputs, loaded
 * in this order: the trace after the others, because its addresses are
 * checked against the pools they name.
 */
static const struct opt option_table[] = {
	{ "dtb", 0, "FILE|DIR|-", "guest device tree, as for the dtb command", AUDITS,
	  INPUT(dtb, load_dt) },
	{ "kernel", 0, "FILE", "guest kernel image, as for the vmlinux command", AUDITS,
	  INPUT(kernel_path, load_kernel) },
	{ "swiotlb", 0, "PATH", "swiotlb debugfs copy, as for the swiotlb command", AUDITS,
	  INPUT(swiotlb, load_swiotlb) },
	{ "dmesg", 0, "FILE|-", "the guest's kernel log (dmesg, dmesg -T, journalctl -k)", AUDITS,
	  INPUT(dmesg, load_dmesg) },
	{ "trace", 0, "FILE|-", "ftrace text or trace.dat, as for the trace command", AUDITS,
	  INPUT(trace, load_trace) },
	{ "snapshot", 0, "FILE|-", "a snapshot made in the guest by cca-dma-audit-collect: its "
	  "device tree, boot log, swiotlb files, trace and virtio feature bits at once (with "
	  "--kernel, its config.gz is the kernel's config)", AUDITS, INPUT(snapshot, load_snapshot) },
	{ "host-granule", 0, "SIZE", "host page size: 4K, 16K or 64K (default 64K, the strictest "
	  "host; shared memory must be aligned to it)", AUDITS, SET(set_granule) },
	{ "platform", 0, "P", "cca, pkvm or auto (default auto: rules that need the platform are "
	  "indeterminate)", AUDITS, SET(set_platform) },
	{ "ipa-bits", 0, "N", "realm IPA width, 32..52, from the VMM's configuration: shared DMA "
	  "addresses carry bit N-1 (never guessed: without it the trace rules that need it are "
	  "indeterminate)", AUDITS, SET(set_ipa_bits) },
	{ "config", 0, "FILE", "vmlinux: the kernel's .config (plain or gzip'd), used instead of "
	  "an embedded IKCONFIG", AUDITS, .kind = OPT_STRING, FIELD(kernel.config_path) },
	{ "system-map", 0, "FILE", "vmlinux: System.map or /proc/kallsyms, for images without a "
	  "symbol table", AUDITS, .kind = OPT_STRING, FIELD(kernel.system_map_path) },
	{ "no-btf", 0, NULL, "vmlinux: read struct layouts from DWARF, ignoring .BTF", AUDITS,
	  .kind = OPT_FLAG, FIELD(kernel.no_btf) },
	{ "max-decompressed", 0, "SIZE", "refuse a compressed input that decompresses to more "
	  "than SIZE bytes (K, M or G suffix; default 1G)", AUDITS, SET(set_max_decompressed) },
	{ "format", 0, "F", "text, json, junit or sarif (default text); junit: JUnit XML, one test "
	  "case per input and rule run, for CI test-report views; sarif: SARIF 2.1.0, for code "
	  "scanning", ALL, SET(set_format) },
	{ "output", 'o', "FILE", "write the report to FILE instead of standard output", ALL,
	  .kind = OPT_STRING, FIELD(output) },
	{ "fail-on", 0, "SEV", "error, warning, note or never (default error): the lowest "
	  "severity that makes the exit status 1", AUDITS, SET(set_fail_on) },
	{ "fail-on-indeterminate", 0, NULL, "an undecided rule makes the analysis incomplete: "
	  "exit 2, or 4 with findings", AUDITS,
	  .kind = OPT_FLAG, FIELD(fail_on_indeterminate) },
	{ "rules", 0, "FILE|DIR", "add rules, or override built-in rules by id (repeatable)", ALL,
	  SET(add_rules) },
	{ "enable", 0, "ID", "enable a rule by id or name (repeatable)", ALL, SET(enable) },
	{ "disable", 0, "ID", "disable a rule by id or name (repeatable)", ALL, SET(disable) },
	{ "severity", 0, "ID=LEVEL", "report a rule (id or name) as error, warning or note instead "
	  "of its own severity; --fail-on follows (repeatable)", ALL, SET(set_severity) },
	{ "suppressions", 0, "FILE", "accept findings listed in FILE (JSON: rule and subject glob, "
	  "or fingerprint, with a reason and an optional expiry date): reported as suppressed, "
	  "not counted for --fail-on (repeatable)", AUDITS, SET(add_suppressions) },
	{ "baseline", 0, "REPORT", "a previous JSON report: findings whose fingerprint is in it "
	  "are marked baselined and not counted for --fail-on", AUDITS, .kind = OPT_STRING,
	  FIELD(baseline) },
	{ "source", 0, "FILE.dts", "the device tree source the audited .dtb was compiled from: "
	  "SARIF places results about a node or property at its line there, not at line 1 of "
	  "the .dtb", ON(DTB) | ON(AUDIT), .kind = OPT_STRING, FIELD(source) },
	{ "facts", 0, NULL, "print the facts rules see, as JSON, instead of findings", AUDITS,
	  .kind = OPT_FLAG, FIELD(facts) },
	{ "quiet", 'q', NULL, "text: no summary line", AUDITS, .kind = OPT_FLAG, FIELD(quiet) },
	{ "color", 0, "WHEN", "auto, always or never (default auto; NO_COLOR is honoured)", AUDITS,
	  SET(set_color) },
	{ "profile", 0, "FILE", "read settings from the profile FILE (JSON: host granule, platform, "
	  "IPA bits, fail-on, rules enabled, disabled and re-levelled, suppressions, baseline); "
	  "options given "
	  "on the command line override it. Default: " PROFILE_DEFAULT " in the current "
	  "directory, if there is one", ALL, SET(set_profile), .first = true },
	{ "no-profile", 0, NULL, "read no profile, not even " PROFILE_DEFAULT, ALL,
	  SET(no_profile), .first = true },
	{ "version", 'V', NULL, "print the version and the rule-set version, and exit", ALL,
	  SET(version), .first = true },
	{ "help", 'h', NULL, "print this help, or with a command the command's, and exit", ALL,
	  .kind = OPT_HELP },
	/* hidden: the table as data, for the man-page test (testdata/run-man-options.py)
	 * and the bash completion (completions/cca-dma-audit.bash) */
	{ "list-options", 0, NULL, NULL, ALL, .kind = OPT_LIST },
};

static const struct cli cli = {
	.prog = "cca-dma-audit",
	.about = "Audit the DMA setup of an Arm CCA Realm or pKVM protected guest before boot.",
	.footer = "'cca-dma-audit COMMAND --help' lists the options a command takes. Exit status: "
		  "0 clean, 1 findings at or above --fail-on, 2 analysis incomplete (an input "
		  "could not be read or parsed, or an undecided rule with --fail-on-indeterminate) "
		  "and no findings, 3 usage or rule file error, 4 findings and analysis incomplete. "
		  "See cca-dma-audit(1).",
	.opts = option_table, .nopts = sizeof(option_table) / sizeof(option_table[0]),
	.cmds = command_table, .ncmds = sizeof(command_table) / sizeof(command_table[0]),
	.preset = apply_profile,
};

static int run(struct options *o, int argc, char **argv)
{
	const struct command *cmd;
	char msg[512] = "";
	int ret, nargs;

	ret = cli_parse(&cli, o, argc, argv, msg, sizeof(msg));
	if (ret >= 0)
		return ret == EXIT_USAGE ? fail(o, ret, msg) : ret;
	if (optind >= argc) {
		cli_help(&cli, stderr);
		return fail(o, EXIT_USAGE, "no command given");
	}
	cmd = cli_command(&cli, argv[optind]);
	if (!cmd) {
		snprintf(msg, sizeof(msg), "unknown command '%s' (try --help)", argv[optind]);
		return fail(o, EXIT_USAGE, msg);
	}
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		snprintf(msg, sizeof(msg), "usage: cca-dma-audit %s [OPTIONS] %s", cmd->name, cmd->args);
		return fail(o, EXIT_USAGE, msg);
	}
	return cmd->run(o, cmd, nargs, argv + optind + 1);
}

int main(int argc, char **argv)
{
	struct options o = {
		.host = { .granule = 65536 },
		.fail_on = CDA_SEV_ERROR,
		.color = "auto",
		.from = "command line",
	};
	int ret = run(&o, argc, argv);

	profile_free(&o.prof); /* the options point into it until here */
	return ret;
}
