// SPDX-License-Identifier: MIT
/*
 * The table machinery of options.h: getopt_long's array and short-option
 * string made from the option rows, each parsed option applied by its row,
 * and every help text (global, per command, --list-options) printed from the
 * same rows, so the parser, the help and the man-page test cannot disagree.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

#define MAX_OPTS 64     /* getopt_long's array lives on the stack */
#define LONG_VAL 256    /* getopt value of row i with no short form: LONG_VAL + i */
#define HELP_COL 24     /* where help text starts, as in most GNU tools */
#define HELP_WIDTH 79

void *cli_field(const struct opt *opt, struct options *o)
{
	return (char *)o + opt->field;
}

const void *cli_cfield(const struct opt *opt, const struct options *o)
{
	return (const char *)o + opt->field;
}

const struct command *cli_command(const struct cli *cli, const char *name)
{
	for (size_t i = 0; name && i < cli->ncmds; i++)
		if (!strcmp(cli->cmds[i].name, name))
			return &cli->cmds[i];
	return NULL;
}

const struct opt *cli_option(const struct cli *cli, const char *name)
{
	for (size_t i = 0; name && i < cli->nopts; i++)
		if (!strcmp(cli->opts[i].name, name))
			return &cli->opts[i];
	return NULL;
}

/* getopt_long's view of the table: row i answers with its short letter, or LONG_VAL + i. */
static void getopt_tables(const struct cli *cli, struct option *lo, char *shorts)
{
	for (size_t i = 0; i < cli->nopts; i++) {
		const struct opt *r = &cli->opts[i];

		lo[i] = (struct option){ r->name, r->arg ? required_argument : no_argument, NULL,
					 r->short_name ? r->short_name : LONG_VAL + (int)i };
		if (r->short_name) {
			*shorts++ = r->short_name;
			if (r->arg)
				*shorts++ = ':';
		}
	}
	lo[cli->nopts] = (struct option){ 0 };
	*shorts = '\0';
}

static const struct opt *row_of(const struct cli *cli, int val)
{
	if (val >= LONG_VAL && (size_t)(val - LONG_VAL) < cli->nopts)
		return &cli->opts[val - LONG_VAL];
	for (size_t i = 0; val > 0 && val < LONG_VAL && i < cli->nopts; i++)
		if (cli->opts[i].short_name == val)
			return &cli->opts[i];
	return NULL;
}

/* getopt_long said '?': an unknown option, or one whose argument is missing. */
static void unknown_option(const struct cli *cli, char **argv, char *msg, size_t msglen)
{
	const struct opt *r = row_of(cli, optopt);

	if (optopt && optopt < LONG_VAL)
		snprintf(msg, msglen, "option -%c %s", optopt,
			 r && r->arg ? "needs an argument" : "is not known");
	else
		snprintf(msg, msglen, "option '%s' is not known or needs an argument", argv[optind - 1]);
}

/* Apply one parsed option: -1 to go on, or an exit status. */
static int apply(const struct opt *r, struct options *o, const char *arg, char *msg, size_t msglen)
{
	const char **slot = cli_field(r, o);

	switch (r->kind) {
	case OPT_FLAG:
		*(bool *)cli_field(r, o) = true;
		return -1;
	case OPT_INPUT:
		if (*slot) {
			snprintf(msg, msglen, "--%s given twice", r->name);
			return EXIT_USAGE;
		}
		/* fall through */
	case OPT_STRING:
		*slot = arg;
		return -1;
	case OPT_SET:
		return r->set(o, arg, msg, msglen);
	default: /* OPT_HELP, OPT_LIST: the parse loop's */
		return -1;
	}
}

/* "  LEFT" padded to the help column, then text wrapped under it. */
static void print_row(FILE *f, const char *left, const char *text)
{
	static const char indent[HELP_COL + 1] = "                        ";
	struct cda_buf b = { 0 };
	char *wrapped;

	cda_buf_wrap(&b, text, indent, HELP_WIDTH);
	wrapped = cda_buf_take(&b);
	if (!wrapped || strlen(wrapped) <= HELP_COL)
		fprintf(f, "  %s  %s\n", left, text);
	else if (2 + strlen(left) < HELP_COL)
		fprintf(f, "  %-*s%s", HELP_COL - 2, left, wrapped + HELP_COL);
	else
		fprintf(f, "  %s\n%s", left, wrapped);
	free(wrapped);
}

static void print_para(FILE *f, const char *text)
{
	struct cda_buf b = { 0 };
	char *wrapped;

	cda_buf_wrap(&b, text, "", HELP_WIDTH);
	wrapped = cda_buf_take(&b);
	fputs(wrapped ? wrapped : text, f);
	free(wrapped);
}

static void print_option(FILE *f, const struct opt *r)
{
	char letter[5] = "", left[128];

	if (r->short_name)
		snprintf(letter, sizeof(letter), "-%c, ", r->short_name);
	snprintf(left, sizeof(left), "%s--%s%s%s", letter, r->name, r->arg ? " " : "",
		 r->arg ? r->arg : "");
	print_row(f, left, r->help);
}

/* The visible options for the commands in mask, inputs first; skip: the command's own input. */
static void print_options(const struct cli *cli, FILE *f, unsigned mask, const char *skip)
{
	for (int inputs = 1; inputs >= 0; inputs--) {
		bool head = false;

		for (size_t i = 0; i < cli->nopts; i++) {
			const struct opt *r = &cli->opts[i];

			if (!r->help || !(r->commands & mask) || (r->kind == OPT_INPUT) != inputs ||
			    (skip && !strcmp(r->name, skip)))
				continue;
			if (!head)
				fputs(inputs ? "\ninputs:\n" : "\noptions:\n", f);
			head = true;
			print_option(f, r);
		}
	}
}

void cli_help(const struct cli *cli, FILE *f)
{
	fprintf(f, "usage: %s COMMAND [OPTIONS] ARGS\n\n", cli->prog);
	print_para(f, cli->about);
	fputs("\ncommands:\n", f);
	for (size_t i = 0; i < cli->ncmds; i++) {
		char left[128];

		snprintf(left, sizeof(left), "%s%s%s", cli->cmds[i].name, *cli->cmds[i].args ? " " : "",
			 cli->cmds[i].args);
		print_row(f, left, cli->cmds[i].summary);
	}
	print_options(cli, f, ~0u, NULL);
	fputc('\n', f);
	print_para(f, cli->footer);
}

/* "cca-dma-audit dtb --help": the command's synopsis, what it does, and its options. */
static void command_help(const struct cli *cli, const struct command *cmd, FILE *f)
{
	fprintf(f, "usage: %s %s [OPTIONS]%s%s\n\n", cli->prog, cmd->name, *cmd->args ? " " : "",
		cmd->args);
	print_para(f, cmd->summary);
	print_options(cli, f, 1u << (cmd - cli->cmds), cmd->arg_input);
}

/* One visible option a line: --NAME, -X, ARG and the commands it is for, tab-separated. */
static void list_options(const struct cli *cli, FILE *f)
{
	for (size_t i = 0; i < cli->nopts; i++) {
		const struct opt *r = &cli->opts[i];
		char letter[3] = "";
		const char *sep = "";

		if (!r->help)
			continue;
		if (r->short_name)
			snprintf(letter, sizeof(letter), "-%c", r->short_name);
		fprintf(f, "--%s\t%s\t%s\t", r->name, letter, r->arg ? r->arg : "");
		for (size_t c = 0; c < cli->ncmds; c++) {
			if (r->commands & (1u << c)) {
				fprintf(f, "%s%s", sep, cli->cmds[c].name);
				sep = ",";
			}
		}
		fputc('\n', f);
	}
}

/* --help or --list-options, once the command (if any) is known. */
static int run_action(const struct cli *cli, const struct opt *action, int argc, char **argv)
{
	const struct command *cmd = optind < argc ? cli_command(cli, argv[optind]) : NULL;

	if (action->kind == OPT_LIST)
		list_options(cli, stdout);
	else if (cmd)
		command_help(cli, cmd, stdout);
	else
		cli_help(cli, stdout);
	return EXIT_CLEAN;
}

int cli_apply(const struct cli *cli, struct options *o, const char *name, const char *arg,
	      char *msg, size_t msglen)
{
	const struct opt *r = cli_option(cli, name);

	if (!r || r->kind == OPT_HELP || r->kind == OPT_LIST) {
		snprintf(msg, msglen, "no option --%s", name);
		return EXIT_USAGE;
	}
	return apply(r, o, arg, msg, msglen);
}

/* An option as parsed, applied once the whole command line is read. */
struct given {
	const struct opt *row;
	const char *arg;
};

/* The `first` rows, then cli->preset, then the others, each in the order given. */
static int apply_given(const struct cli *cli, struct options *o, const struct given *g, size_t n,
		       char *msg, size_t msglen)
{
	int ret;

	for (int first = 1; first >= 0; first--) {
		if (!first && cli->preset && (ret = cli->preset(o, NULL, msg, msglen)) >= 0)
			return ret;
		for (size_t i = 0; i < n; i++)
			if (g[i].row->first == first && (ret = apply(g[i].row, o, g[i].arg, msg, msglen)) >= 0)
				return ret;
	}
	return -1;
}

int cli_parse(const struct cli *cli, struct options *o, int argc, char **argv, char *msg,
	      size_t msglen)
{
	struct option lo[MAX_OPTS + 1];
	char shorts[2 * MAX_OPTS + 1];
	const struct opt *action = NULL; /* --help or --list-options, once given */
	struct given *g = calloc((size_t)argc + 1, sizeof(*g)); /* optarg points into argv */
	size_t n = 0;
	int c, ret = -1;

	if (!g || cli->nopts > MAX_OPTS) {
		snprintf(msg, msglen, g ? "more than %d options in the table" : "out of memory",
			 MAX_OPTS);
		free(g);
		return EXIT_USAGE;
	}
	getopt_tables(cli, lo, shorts);
	opterr = 0; /* our own messages, so json mode can report them as JSON */
	while (ret < 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct opt *r = row_of(cli, c);

		if (action) /* the rest is read only to find the command the help is for */
			continue;
		if (!r) {
			unknown_option(cli, argv, msg, msglen);
			ret = EXIT_USAGE;
		} else if (r->kind == OPT_HELP || r->kind == OPT_LIST) {
			action = r;
		} else {
			g[n++] = (struct given){ r, optarg };
		}
	}
	if (ret < 0)
		ret = action ? run_action(cli, action, argc, argv) : apply_given(cli, o, g, n, msg, msglen);
	free(g);
	return ret;
}
