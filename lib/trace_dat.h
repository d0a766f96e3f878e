/* SPDX-License-Identifier: MIT */
/*
 * trace_dat.h - the trace-cmd trace.dat reader behind cda_trace_facts()
 * (runtime.h): libtracecmd reads the file, each record becomes the text line
 * trace.c's parser reads.
 */
#ifndef CDA_TRACE_DAT_H
#define CDA_TRACE_DAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccadma.h"

/* "\x17\x08\x44tracing": every trace.dat version starts with it (trace-cmd.dat(5)). */
#define CDA_TRACE_DAT_MAGIC_LEN 10
/*
 * CPU seconds the libtracecmd child may spend (RLIMIT_CPU): a hostile file
 * that sends the library into a loop is stopped by SIGXCPU and reported as
 * corrupt instead of hanging the tool. A real 1.3 MB trace.dat takes 0.3 s.
 */
#define CDA_TRACE_DAT_CPU_SECONDS 300

bool cda_trace_dat_magic(const unsigned char *p, size_t n);

/* An in-memory trace.dat (a snapshot member) as a descriptor libtracecmd can read. */
int cda_trace_dat_memfd(const unsigned char *data, size_t len, const char *name, int *fd,
			struct cda_error *err);

/*
 * Call fn for each record of the trace.dat open at fd (which this closes),
 * in time order, as the line "EVENT: FIELDS" (the event's print format, as
 * trace-cmd report prints it), numbered from 1; *nrecords and *bytes get the
 * record count and the file size. libtracecmd runs in a child process, so
 * nothing it prints reaches the terminal and a crash in it on a corrupt file
 * is an error here, not the end of the run. Errors: -CDA_E_FORMAT (not a
 * trace.dat libtracecmd can read: truncated, corrupt), -CDA_E_IO,
 * -CDA_E_NOMEM.
 */
int cda_trace_dat_each(int fd, const char *name,
		       bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t n),
		       void *ctx, uint64_t *nrecords, uint64_t *bytes, struct cda_error *err);

#endif
