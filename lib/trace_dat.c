// SPDX-License-Identifier: MIT
/*
 * trace-cmd trace.dat reader (trace_dat.h): libtracecmd opens the file and
 * hands out its records in time order; libtraceevent renders each dma:* and
 * swiotlb:* record with the event's own print format, the line trace-cmd
 * report prints, so trace.c's one text parser decides what every event
 * means.
 *
 * libtracecmd runs in a child process that writes the lines into a pipe:
 * it prints to stdout and stderr on some errors ("File possibly truncated"
 * is a printf), and a corrupt file can make it fail in ways a library must
 * not pass on to its caller. The child's output goes to a memory file whose
 * first line becomes the error message; a child that dies on a signal is a
 * corrupt input, reported like any other.
 *
 * Pipe protocol, one record a line: control bytes in a rendered line become
 * '?' (a device name cannot smuggle a newline), so a line starting with
 * \1 is the child's last word ("\1OK" or "\1ERR reason") and one starting
 * with \2 was cut at CDA_LINE_MAX, as the text reader cuts long lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event-parse.h>
#include <event-utils.h>
#include <trace-cmd.h>

#include "lines.h"
#include "trace_dat.h"
#include "util.h"

#define MSG_MAX 200

bool cda_trace_dat_magic(const unsigned char *p, size_t n)
{
	return n >= CDA_TRACE_DAT_MAGIC_LEN && !memcmp(p, "\x17\x08\x44tracing", CDA_TRACE_DAT_MAGIC_LEN);
}

int cda_trace_dat_memfd(const unsigned char *data, size_t len, const char *name, int *fd,
			struct cda_error *err)
{
	size_t done = 0;

	*fd = memfd_create("trace.dat", MFD_CLOEXEC);
	if (*fd < 0)
		return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
	while (done < len) {
		ssize_t n = write(*fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			close(*fd);
			*fd = -1;
			return cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(e));
		}
		done += (size_t)n;
	}
	return 0;
}

/* ---- the child ---- */

/*
 * libtraceevent and libtracecmd log through tep_vprint(), a weak symbol
 * meant to be overridden: the first warning is kept for the error message,
 * nothing is printed. Only the child calls into them.
 */
static char first_warning[MSG_MAX];

int tep_vprint(const char *name, enum tep_loglevel level, bool print_err, const char *fmt,
	       va_list ap)
{
	(void)name;
	(void)print_err;
	if (level <= TEP_LOG_WARNING && !first_warning[0])
		vsnprintf(first_warning, sizeof(first_warning), fmt, ap);
	return 0;
}

struct child {
	struct tep_handle *tep;
	struct trace_seq seq;
	FILE *out;
};

/* One rendered line into the pipe, control bytes made '?', cut at CDA_LINE_MAX. */
static void emit(FILE *out, char *s, size_t len)
{
	bool cut = len > CDA_LINE_MAX;

	if (cut)
		len = CDA_LINE_MAX;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	if (cut)
		fputc('\2', out);
	fwrite(s, 1, len, out);
	fputc('\n', out);
}

/*
 * "[CPU] NS: NAME: FIELDS": a header of the child's own making (no task
 * name, which a trace may make anything), then what trace-cmd report
 * prints. Only the dma and swiotlb events are rendered; the rest are counted.
 */
static int on_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct child *c = data;
	struct tep_event *ev = tep_find_event_by_record(c->tep, rec);

	(void)h;
	trace_seq_reset(&c->seq);
	trace_seq_printf(&c->seq, "[%03d] %llu: ", cpu, rec->ts);
	if (!ev)
		trace_seq_puts(&c->seq, "(a record of no known event type)");
	else if (ev->system && (!strcmp(ev->system, "dma") || !strcmp(ev->system, "swiotlb")))
		tep_print_event(c->tep, &c->seq, rec, "%s: %s", TEP_PRINT_NAME, TEP_PRINT_INFO);
	else
		trace_seq_printf(&c->seq, "%s: ", ev->name ? ev->name : "");
	trace_seq_terminate(&c->seq);
	if (c->seq.state != TRACE_SEQ__GOOD)
		return -1;
	emit(c->out, c->seq.buffer, c->seq.len);
	return ferror(c->out) ? -1 : 0;
}

/* Why libtracecmd failed: its first warning, or the first line it printed. */
static const char *failure(int logfd, char *buf, size_t size)
{
	ssize_t n;
	char *nl;

	if (first_warning[0])
		return first_warning;
	fflush(stdout);
	n = pread(logfd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if ((nl = strchr(buf, '\n')))
		*nl = '\0';
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf[0] ? buf : "its headers, event formats or CPU data are cut short or damaged";
}

static void child_main(int fd, int outfd)
{
	struct child c = { 0 };
	struct tracecmd_input *h;
	char buf[MSG_MAX];
	int logfd = memfd_create("libtracecmd-log", MFD_CLOEXEC);

	if (logfd >= 0) {
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
	}
	c.out = fdopen(outfd, "w");
	if (!c.out)
		_exit(1);
	tep_set_loglevel(TEP_LOG_WARNING);
	tracecmd_set_loglevel(TEP_LOG_WARNING);
	/* no plugins: what an event means must not depend on this machine's plugin directories */
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!h) {
		fprintf(c.out, "\1ERR %s\n", failure(logfd, buf, sizeof(buf)));
		fclose(c.out);
		_exit(0);
	}
	c.tep = tracecmd_get_tep(h);
	trace_seq_init(&c.seq);
	if (tracecmd_iterate_events(h, NULL, 0, on_record, &c) < 0)
		fprintf(c.out, "\1ERR reading its events failed: %s\n", failure(logfd, buf, sizeof(buf)));
	else
		fputs("\1OK\n", c.out);
	fclose(c.out);
	/* freed, so a leak checker (the valgrind test runs) sees the child end clean */
	trace_seq_destroy(&c.seq);
	tracecmd_close(h);
	_exit(0);
}

/* ---- the parent ---- */

struct reader {
	FILE *in;
	char *line;
	size_t cap;
	char status[MSG_MAX + 8];
};

static int read_lines(struct reader *r,
		      bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t n),
		      void *ctx, uint64_t *n)
{
	ssize_t len;

	while ((len = getline(&r->line, &r->cap, r->in)) > 0) {
		char *s = r->line;
		bool cut = false;

		if (s[len - 1] == '\n')
			s[--len] = '\0';
		if (s[0] == '\1') {
			snprintf(r->status, sizeof(r->status), "%s", s + 1);
			break;
		}
		if (s[0] == '\2')
			cut = true, s++, len--;
		fn(ctx, s, (size_t)len, cut, ++*n);
	}
	return ferror(r->in) ? -1 : 0;
}

static int child_error(const char *name, int status, const char *said, struct cda_error *err)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
		return cda_fail(err, CDA_E_FORMAT,
				"%s: a trace-cmd trace.dat that libtracecmd could not read within %d CPU "
				"seconds (the limit against a file that loops the library); the file is "
				"corrupt or hostile", name, CDA_TRACE_DAT_CPU_SECONDS);
	if (WIFSIGNALED(status))
		return cda_fail(err, CDA_E_FORMAT,
				"%s: a trace-cmd trace.dat that libtracecmd could not read: it stopped on "
				"signal %d (%s); the file is truncated or corrupt",
				name, WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (!strncmp(said, "ERR ", 4))
		return cda_fail(err, CDA_E_FORMAT,
				"%s: a trace-cmd trace.dat that libtracecmd could not read: %s", name,
				said + 4);
	return cda_fail(err, CDA_E_FORMAT,
			"%s: a trace-cmd trace.dat that libtracecmd could not read to its end "
			"(exit status %d)", name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/*
 * Fork the child that reads fd (which the parent closes) into the pipe's
 * write end; the parent keeps pfd[0]. Returns the child's pid, or -1.
 */
static pid_t spawn(int fd, int pfd[2])
{
	pid_t pid;

	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid == 0) {
		struct rlimit cpu = { CDA_TRACE_DAT_CPU_SECONDS, CDA_TRACE_DAT_CPU_SECONDS };

		close(pfd[0]);
		signal(SIGPIPE, SIG_DFL);
		setrlimit(RLIMIT_CPU, &cpu); /* a looping library ends on SIGXCPU */
		child_main(fd, pfd[1]);
	}
	close(fd);
	close(pfd[1]);
	return pid;
}

/* Read the child's lines from rfd (closed here), then wait for it; 0, or -1 on a read error. */
static int drain(int rfd, pid_t pid, struct reader *r,
		 bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t n),
		 void *ctx, uint64_t *n, int *status)
{
	int ret;

	r->in = fdopen(rfd, "r");
	ret = r->in ? read_lines(r, fn, ctx, n) : -1;
	if (r->in)
		fclose(r->in); /* before waiting: a child still writing gets EPIPE, not a hang */
	else
		close(rfd);
	free(r->line);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return ret;
}

int cda_trace_dat_each(int fd, const char *name,
		       bool (*fn)(void *ctx, const char *line, size_t len, bool cut, uint64_t n),
		       void *ctx, uint64_t *nrecords, uint64_t *bytes, struct cda_error *err)
{
	struct reader r = { 0 };
	struct stat st;
	int pfd[2], status = 0, ret;
	pid_t pid;

	*nrecords = 0;
	*bytes = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
		close(fd);
		return ret;
	}
	pid = spawn(fd, pfd);
	if (pid < 0) {
		ret = cda_fail(err, CDA_E_IO, "%s: %s", name, strerror(errno));
		close(pfd[0]);
		return ret;
	}
	if (drain(pfd[0], pid, &r, fn, ctx, nrecords, &status))
		return cda_fail(err, CDA_E_IO, "%s: reading libtracecmd's output failed", name);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !strcmp(r.status, "OK"))
		return 0;
	return child_error(name, status, r.status, err);
}
