/* SPDX-License-Identifier: MIT */
/*
 * The command line as data: one table of options and one of commands, from
 * which the parser (getopt_long's array and short-option string), --help,
 * per-command help ("cca-dma-audit dtb --help") and the hidden
 * --list-options (what the man-page test compares against) are all made.
 * In the spirit of git's parse-options and systemd's verbs: adding an option
 * or an input format is a row, not a case in a switch plus a line of help.
 *
 * The machinery (options.c) knows rows, not what they mean: it writes into
 * struct options only through a row's field offset or setter, so the struct
 * itself stays with the commands (cca-dma-audit.c).
 */
#ifndef CDA_CMD_OPTIONS_H
#define CDA_CMD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ccadma.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_INCOMPLETE = 2, EXIT_USAGE = 3 };

/* Where an option's action and state live; defined by the commands. */
struct options;
struct command;

/* How an option row is applied. */
enum opt_kind {
	OPT_FLAG,   /* bool at field: set to true */
	OPT_STRING, /* const char * at field: the argument; the last one given wins */
	OPT_INPUT,  /* const char * at field: an input path, loaded by load; twice is an error */
	OPT_SET,    /* set(o, arg, ...) parses and applies the argument */
	OPT_HELP,   /* --help: global help, or the command's when one is named */
	OPT_LIST,   /* hidden --list-options: the table, one option a line */
};

/*
 * A setter or an input loader: -1 to go on, or an exit status. A setter
 * refusing its argument writes the one-line reason to msg and returns
 * EXIT_USAGE.
 */
typedef int opt_setter(struct options *o, const char *arg, char *msg, size_t msglen);
/* Reads path into the audit; 0, or the error in err (as the library's loaders). */
typedef int opt_loader(struct cda_audit *au, const struct options *o, const char *path,
		       struct cda_error *err);

struct opt {
	const char *name;  /* long name, without "--" */
	char short_name;   /* the one-letter form, or 0 */
	const char *arg;   /* the argument's name in help, or NULL: takes none */
	const char *help;  /* one paragraph, wrapped when printed; NULL: hidden */
	unsigned commands; /* bit (1u << index in the command table) per command it is for */
	enum opt_kind kind;
	size_t field;      /* offsetof(struct options, ...) for FLAG, STRING and INPUT */
	opt_setter *set;   /* OPT_SET */
	opt_loader *load;  /* OPT_INPUT: inputs are loaded in table order */
	/* applied before cli.preset and the other options (--profile, --version) */
	bool first;
};

struct command {
	const char *name;
	const char *args;    /* its positional arguments, for the synopsis */
	int min_args, max_args;
	const char *summary; /* one paragraph, for help */
	/* the OPT_INPUT option its argument stands for, or NULL */
	const char *arg_input;
	int (*run)(struct options *o, const struct command *cmd, int argc, char **argv);
};

/* A whole command line: the tables and the help text around them. */
struct cli {
	const char *prog;  /* "cca-dma-audit" */
	const char *about; /* one paragraph under the global usage line */
	const char *footer; /* the global help's last lines (exit statuses) */
	const struct opt *opts;
	size_t nopts;
	const struct command *cmds;
	size_t ncmds;
	/*
	 * Called once the `first` options are applied and before the others,
	 * so what it sets (the profile file's settings) the command line
	 * overrides; -1 to go on, or an exit status as a setter's. May be NULL.
	 */
	opt_setter *preset;
};

/*
 * Parse argv with getopt_long, then apply each option's row to o in the order
 * given: the `first` rows, cli->preset, the others. Returns -1 to go on with
 * argv[optind] as the command, or an exit status: EXIT_USAGE with the reason
 * in msg, or EXIT_CLEAN after --help or --list-options printed (nothing
 * applied then).
 */
int cli_parse(const struct cli *cli, struct options *o, int argc, char **argv, char *msg,
	      size_t msglen);

/* The command named name, or NULL. */
const struct command *cli_command(const struct cli *cli, const char *name);

/* The option named name (long name), or NULL. */
const struct opt *cli_option(const struct cli *cli, const char *name);

/*
 * Apply the option named name (long name) with arg as if given on the command
 * line (the profile file's way in): -1 to go on, or an exit status with the
 * reason in msg. arg must outlive o.
 */
int cli_apply(const struct cli *cli, struct options *o, const char *name, const char *arg,
	      char *msg, size_t msglen);

/* The global help: usage, commands, inputs, options, footer. */
void cli_help(const struct cli *cli, FILE *f);

/* The field an OPT_FLAG/STRING/INPUT row writes, in o. */
void *cli_field(const struct opt *opt, struct options *o);
const void *cli_cfield(const struct opt *opt, const struct options *o);

#endif
