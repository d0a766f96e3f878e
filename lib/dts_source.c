// SPDX-License-Identifier: MIT
/*
 * The lines of a device tree source (dts_source.h): which line of a .dts
 * opens each node and sets each property, by full DT path.
 *
 * Why: findings about a device tree are about a blob, which has no lines,
 * so code scanning (SARIF) can only pin them on line 1 of the .dtb. The
 * .dts the blob was compiled from is what a developer edits; given it
 * (--source), a result can point at the node or the property it names.
 *
 * Why a scanner and not a dts parser: only positions are wanted, never
 * values, so values (<cells>, "strings", [bytes]) and comments are skipped
 * whole, and what is left is braces, names, labels and ';'. Overrides are
 * followed where the file itself says where they go: a top-level `&label {`
 * whose label was put on a node earlier in the file, `&{/path} {`, and the
 * root `/ {` written again. Included files are not read (/include/ and
 * #include lines are skipped): a node or label from one is unknown, and its
 * result keeps the caller's location, which beats a wrong line. A node is
 * placed where it is first opened; a property where it is last set, as the
 * last assignment is the value in the blob. Anything the scanner cannot
 * follow (unbalanced braces, a name where none can be) is an error naming
 * the line, so a wrong file is told, not silently mapped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dts_source.h"
#include "util.h"

#define UNKNOWN_NODE UINT32_MAX /* opened through a label from an included file */
#define MAX_PENDING_LABELS 8

struct dts_node {
	const char *path;
	unsigned line;
};

struct dts_prop {
	uint32_t node;
	const char *name;
	unsigned line;
};

struct dts_label {
	const char *name;
	uint32_t node;
};

struct cda_dts_lines {
	struct cda_arena *own; /* freed by cda_dts_lines_free(); NULL: the caller's */
	struct dts_node *nodes;
	size_t nnodes, capnodes;
	uint32_t *index; /* open addressing by path: node + 1, 0 empty */
	size_t nindex;   /* a power of two, more than twice nnodes */
	struct dts_prop *props;
	size_t nprops, capprops;
	struct dts_label *labels;
	size_t nlabels, caplabels;
};

enum tok_type {
	T_EOF, T_WORD, T_LABEL, T_REF, T_PATHREF, T_ROOT, T_DIRECTIVE,
	T_LBRACE, T_RBRACE, T_SEMI, T_EQ, T_VALUE, T_OTHER,
};

struct tok {
	enum tok_type type;
	const char *s; /* the name, label, reference or directive without its marks */
	size_t len;
	unsigned line;
};

struct scan {
	struct cda_arena *a;
	struct cda_dts_lines *dl;
	const char *name, *p, *end;
	unsigned line;
	struct cda_error *err;
	uint32_t stack[CDA_DTS_MAX_DEPTH];
	unsigned opened[CDA_DTS_MAX_DEPTH]; /* the line of each '{' still open */
	size_t depth;
	struct tok pending[MAX_PENDING_LABELS]; /* labels before the next name */
	size_t npending;
};

/* ---- the index ---- */

static uint32_t path_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The slot of path in the index: its node's, or the empty one it would take. */
static size_t index_slot(const struct cda_dts_lines *dl, const char *path, size_t len)
{
	size_t mask = dl->nindex - 1, i = path_hash(path, len) & mask;

	for (; dl->index[i]; i = (i + 1) & mask) {
		const char *q = dl->nodes[dl->index[i] - 1].path;

		if (!strncmp(q, path, len) && !q[len])
			break;
	}
	return i;
}

static int index_grow(struct scan *s)
{
	struct cda_dts_lines *dl = s->dl;
	size_t n = dl->nindex ? dl->nindex * 2 : 64;
	uint32_t *old = dl->index;
	size_t nold = dl->nindex;

	dl->index = cda_arena_alloc(s->a, n * sizeof(*dl->index));
	if (!dl->index)
		return cda_oom(s->err, s->name);
	dl->nindex = n;
	for (size_t i = 0; i < nold; i++)
		if (old[i]) {
			const char *p = dl->nodes[old[i] - 1].path;

			dl->index[index_slot(dl, p, strlen(p))] = old[i];
		}
	return 0;
}

/* The node at path (len bytes), added with line when new: the first opening wins. */
static int node_intern(struct scan *s, const char *path, size_t len, unsigned line, uint32_t *out)
{
	struct cda_dts_lines *dl = s->dl;
	size_t slot;

	if ((dl->nnodes + 1) * 2 >= dl->nindex && index_grow(s))
		return -CDA_E_NOMEM;
	slot = index_slot(dl, path, len);
	if (dl->index[slot]) {
		*out = dl->index[slot] - 1;
		return 0;
	}
	dl->nodes = cda_arena_grow(s->a, dl->nodes, dl->nnodes, &dl->capnodes, sizeof(*dl->nodes));
	if (!dl->nodes || !(dl->nodes[dl->nnodes].path = cda_arena_strndup(s->a, path, len)))
		return cda_oom(s->err, s->name);
	dl->nodes[dl->nnodes].line = line;
	*out = (uint32_t)dl->nnodes++;
	dl->index[slot] = *out + 1;
	return 0;
}

static int prop_add(struct scan *s, uint32_t node, const struct tok *t)
{
	struct cda_dts_lines *dl = s->dl;

	dl->props = cda_arena_grow(s->a, dl->props, dl->nprops, &dl->capprops, sizeof(*dl->props));
	if (!dl->props || !(dl->props[dl->nprops].name = cda_arena_strndup(s->a, t->s, t->len)))
		return cda_oom(s->err, s->name);
	dl->props[dl->nprops].node = node;
	dl->props[dl->nprops++].line = t->line;
	return 0;
}

static int label_add(struct scan *s, uint32_t node, const struct tok *t)
{
	struct cda_dts_lines *dl = s->dl;

	dl->labels = cda_arena_grow(s->a, dl->labels, dl->nlabels, &dl->caplabels,
				    sizeof(*dl->labels));
	if (!dl->labels || !(dl->labels[dl->nlabels].name = cda_arena_strndup(s->a, t->s, t->len)))
		return cda_oom(s->err, s->name);
	dl->labels[dl->nlabels++].node = node;
	return 0;
}

static uint32_t label_node(const struct cda_dts_lines *dl, const struct tok *t)
{
	for (size_t i = 0; i < dl->nlabels; i++)
		if (!strncmp(dl->labels[i].name, t->s, t->len) && !dl->labels[i].name[t->len])
			return dl->labels[i].node;
	return UNKNOWN_NODE;
}

/* ---- the scanner: tokens, with values and comments skipped whole ---- */

static int bad(struct scan *s, unsigned line, const char *why)
{
	return cda_fail(s->err, CDA_E_FORMAT, "%s: line %u: %s", s->name, line, why);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr(",._+*#?@-", c));
}

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Past the next unescaped close (a '"' or '\''), counting lines; false at the end. */
static bool skip_quoted(struct scan *s, char close)
{
	for (s->p++; s->p < s->end; s->p++) {
		if (*s->p == '\\' && s->p + 1 < s->end)
			s->line += *++s->p == '\n';
		else if (*s->p == '\n')
			s->line++;
		else if (*s->p == close) {
			s->p++;
			return true;
		}
	}
	return false;
}

/* Past a comment at p ("//" or a slash-star one); false when it is not closed. */
static bool skip_comment(struct scan *s)
{
	if (s->p[1] == '/') {
		while (s->p < s->end && *s->p != '\n')
			s->p++;
		return true;
	}
	for (s->p += 2; s->p + 1 < s->end; s->p++) {
		if (*s->p == '\n')
			s->line++;
		else if (*s->p == '*' && s->p[1] == '/') {
			s->p += 2;
			return true;
		}
	}
	return false;
}

static bool at_comment(const struct scan *s)
{
	return s->p + 1 < s->end && s->p[0] == '/' && (s->p[1] == '/' || s->p[1] == '*');
}

/*
 * A preprocessor line ("#include", "#define", "# 12 \"x.dts\"" ...), not a
 * property such as #address-cells: '#', blanks, then a directive or a digit.
 */
static bool at_cpp_line(const struct scan *s)
{
	static const char *const words[] = { "include", "define", "undef", "ifdef", "ifndef", "if",
					      "elif", "else", "endif", "error", "warning",
					      "pragma", "line", NULL };
	const char *q = s->p + 1, *w;

	while (q < s->end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < s->end && *q >= '0' && *q <= '9')
		return true;
	for (w = q; w < s->end && name_char(*w); w++)
		;
	for (size_t i = 0; words[i]; i++)
		if ((size_t)(w - q) == strlen(words[i]) && !strncmp(q, words[i], (size_t)(w - q)))
			return true;
	return false;
}

/* To the end of the line, and of the lines a trailing backslash continues. */
static void skip_line(struct scan *s)
{
	for (; s->p < s->end && *s->p != '\n'; s->p++)
		if (*s->p == '\\' && s->p + 1 < s->end && s->p[1] == '\n') {
			s->p++;
			s->line++;
		}
}

/* Blanks, comments and preprocessor lines; false on an unclosed comment. */
static bool skip_space(struct scan *s)
{
	while (s->p < s->end) {
		if (*s->p == '\n')
			s->line++;
		if (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r' ||
		    *s->p == '\f' || *s->p == '\v')
			s->p++;
		else if (at_comment(s)) {
			if (!skip_comment(s))
				return false;
		} else if (*s->p == '#' && at_cpp_line(s))
			skip_line(s);
		else
			break;
	}
	return true;
}

/*
 * Past <cells> or [bytes] at p, up to its close at nesting 0 (a '>' in a
 * "(a > b)" expression does not close cells); strings, characters and
 * comments inside are skipped. False when it is not closed.
 */
static bool skip_value(struct scan *s, char close)
{
	int parens = 0;

	for (s->p++; s->p < s->end;) {
		char c = *s->p;

		if (c == '"' || c == '\'') {
			if (!skip_quoted(s, c))
				return false;
		} else if (at_comment(s)) {
			if (!skip_comment(s))
				return false;
		} else {
			s->line += c == '\n';
			parens += (c == '(') - (c == ')');
			s->p++;
			if (c == close && parens <= 0)
				return true;
		}
	}
	return false;
}

/* &label or &{/path}: the reference without its marks. */
static int ref_token(struct scan *s, struct tok *t)
{
	const char *q;

	if (s->p + 1 < s->end && s->p[1] == '{') {
		q = memchr(s->p + 2, '}', (size_t)(s->end - s->p - 2));
		if (!q || memchr(s->p, '\n', (size_t)(q - s->p)))
			return bad(s, t->line, "&{ without its }");
		*t = (struct tok){ T_PATHREF, s->p + 2, (size_t)(q - s->p - 2), t->line };
		s->p = q + 1;
		return 0;
	}
	for (q = s->p + 1; q < s->end && label_char(*q); q++)
		;
	*t = (struct tok){ T_REF, s->p + 1, (size_t)(q - s->p - 1), t->line };
	s->p = q;
	return 0;
}

/* "/dts-v1/", "/delete-node/" ... (name without slashes), or a lone '/': the root. */
static void slash_token(struct scan *s, struct tok *t)
{
	const char *q = s->p + 1;

	while (q < s->end && ((*q >= 'a' && *q <= 'z') || *q == '-' || (*q >= '0' && *q <= '9')))
		q++;
	if (q > s->p + 1 && q < s->end && *q == '/') {
		*t = (struct tok){ T_DIRECTIVE, s->p + 1, (size_t)(q - s->p - 1), t->line };
		s->p = q + 1;
		return;
	}
	t->type = T_ROOT;
	s->p++;
}

static void word_token(struct scan *s, struct tok *t)
{
	const char *q = s->p;

	while (q < s->end && name_char(*q))
		q++;
	*t = (struct tok){ T_WORD, s->p, (size_t)(q - s->p), t->line };
	s->p = q;
	if (q < s->end && *q == ':') {
		t->type = T_LABEL;
		s->p++;
	}
}

/* The next token; -CDA_E_FORMAT for a comment, string or value never closed. */
static int next_token(struct scan *s, struct tok *t)
{
	static const char simple[] = "{};=";
	static const enum tok_type simple_types[] = { T_LBRACE, T_RBRACE, T_SEMI, T_EQ };
	const char *c;
	unsigned line;

	if (!skip_space(s))
		return bad(s, s->line, "comment not closed");
	line = s->line;
	*t = (struct tok){ T_EOF, s->p, 0, line };
	if (s->p >= s->end)
		return 0;
	if ((c = strchr(simple, *s->p)) && *c) {
		t->type = simple_types[c - simple];
		s->p++;
	} else if (*s->p == '"' || *s->p == '\'' || *s->p == '<' || *s->p == '[') {
		bool ok = *s->p == '<' ? skip_value(s, '>') : *s->p == '[' ? skip_value(s, ']')
								 : skip_quoted(s, *s->p);

		if (!ok)
			return bad(s, line, "string, <cells> or [bytes] not closed");
		t->type = T_VALUE;
	} else if (*s->p == '&') {
		return ref_token(s, t);
	} else if (*s->p == '/') {
		slash_token(s, t);
	} else if (name_char(*s->p)) {
		word_token(s, t);
	} else {
		t->type = T_OTHER;
		s->p++;
	}
	return 0;
}

/* ---- statements ---- */

static bool directive_is(const struct tok *t, const char *name)
{
	return t->len == strlen(name) && !strncmp(t->s, name, t->len);
}

/* Tokens up to and with the ';' ending a property or a directive. */
static int skip_statement(struct scan *s, unsigned line, const char *what)
{
	struct tok t;

	do {
		if (next_token(s, &t))
			return -CDA_E_FORMAT;
		if (t.type == T_LBRACE || t.type == T_RBRACE || t.type == T_EOF)
			return bad(s, line, what);
	} while (t.type != T_SEMI);
	return 0;
}

static int directive(struct scan *s, const struct tok *t)
{
	struct tok n;

	if (directive_is(t, "include")) /* its file is not read: skip the name */
		return next_token(s, &n) ? -CDA_E_FORMAT
		       : n.type == T_VALUE ? 0 : bad(s, t->line, "/include/ without a file name");
	if (directive_is(t, "delete-node") || directive_is(t, "delete-property") ||
	    directive_is(t, "memreserve"))
		return skip_statement(s, t->line, "directive not ended by ';'");
	return 0; /* /dts-v1/, /plugin/ (their ';' is an empty statement), /omit-if-no-ref/ */
}

/* The node a `name {` at this depth opens (UNKNOWN_NODE under an unknown one). */
static int node_of(struct scan *s, const struct tok *t, uint32_t *node)
{
	uint32_t parent = s->depth ? s->stack[s->depth - 1] : UNKNOWN_NODE;
	const char *pp;
	char *path;

	if (!s->depth && t->type == T_ROOT)
		return node_intern(s, "/", 1, t->line, node);
	if (!s->depth && t->type == T_REF) {
		*node = label_node(s->dl, t);
		return 0;
	}
	if (!s->depth && t->type == T_PATHREF && t->len && t->s[0] == '/')
		return node_intern(s, t->s, t->len, t->line, node);
	if (!s->depth || t->type != T_WORD)
		return bad(s, t->line, s->depth ? "a reference opening a node inside a node"
						 : "a node outside the root node (/ { ... })");
	*node = UNKNOWN_NODE;
	if (parent == UNKNOWN_NODE)
		return 0;
	pp = s->dl->nodes[parent].path;
	path = cda_arena_printf(s->a, "%s/%.*s", strcmp(pp, "/") ? pp : "", (int)t->len, t->s);
	return path ? node_intern(s, path, strlen(path), t->line, node) : cda_oom(s->err, s->name);
}

static int open_node(struct scan *s, const struct tok *t, unsigned brace_line)
{
	uint32_t node;

	if (s->depth == CDA_DTS_MAX_DEPTH)
		return bad(s, t->line, "nodes nested too deep");
	if (node_of(s, t, &node))
		return -s->err->code;
	for (size_t i = 0; node != UNKNOWN_NODE && i < s->npending; i++)
		if (label_add(s, node, &s->pending[i]))
			return -CDA_E_NOMEM;
	s->npending = 0;
	s->opened[s->depth] = brace_line;
	s->stack[s->depth++] = node;
	return 0;
}

/* After a name: a node opens, or a property is set (with a value up to ';', or none). */
static int named(struct scan *s, const struct tok *t)
{
	uint32_t node = s->depth ? s->stack[s->depth - 1] : UNKNOWN_NODE;
	struct tok n;

	if (next_token(s, &n))
		return -CDA_E_FORMAT;
	if (n.type == T_LBRACE)
		return open_node(s, t, n.line);
	if ((n.type != T_SEMI && n.type != T_EQ) || t->type != T_WORD || !s->depth)
		return bad(s, n.line, "expected '{', '=' or ';' after a name");
	s->npending = 0;
	if (node != UNKNOWN_NODE && prop_add(s, node, t))
		return -CDA_E_NOMEM;
	return n.type == T_EQ ? skip_statement(s, t->line, "property not ended by ';'") : 0;
}

static int statement(struct scan *s, const struct tok *t)
{
	switch (t->type) {
	case T_LABEL:
		if (s->npending < MAX_PENDING_LABELS)
			s->pending[s->npending++] = *t;
		return 0;
	case T_DIRECTIVE:
		return directive(s, t);
	case T_WORD: case T_ROOT: case T_REF: case T_PATHREF:
		return named(s, t);
	case T_RBRACE:
		if (!s->depth)
			return bad(s, t->line, "'}' without its '{'");
		s->depth--;
		s->npending = 0;
		return 0;
	case T_SEMI:
		return 0;
	default:
		return bad(s, t->line, "expected a node or a property");
	}
}

static int scan_all(struct scan *s)
{
	struct tok t;

	for (;;) {
		if (next_token(s, &t) || (t.type != T_EOF && statement(s, &t)))
			return -s->err->code;
		if (t.type == T_EOF)
			break;
	}
	if (s->depth)
		return bad(s, s->opened[s->depth - 1], "'{' never closed");
	if (!s->dl->nnodes)
		return cda_fail(s->err, CDA_E_FORMAT, "%s: no device tree node (/ { ... }) in it",
				s->name);
	return 0;
}

int cda_dts_lines_parse(struct cda_arena *a, const char *name, const char *text, size_t len,
			struct cda_dts_lines **out, struct cda_error *err)
{
	const char *nul = memchr(text, '\0', len);
	struct scan s = { .a = a, .name = name, .p = text, .end = text + len, .line = 1,
			  .err = err };

	*out = NULL;
	if (nul)
		return cda_fail(err, CDA_E_FORMAT, "%s: not a device tree source: binary data (a NUL "
				"byte at offset %zu; a .dtb?)", name, (size_t)(nul - text));
	s.dl = cda_arena_alloc(a, sizeof(*s.dl));
	if (!s.dl)
		return cda_oom(err, name);
	if (scan_all(&s))
		return -err->code;
	*out = s.dl;
	return 0;
}

struct cda_dts_lines *cda_dts_lines_load(const char *path, struct cda_error *err)
{
	const char *name = cda_display_path(path);
	struct cda_dts_lines *dl = NULL;
	struct cda_arena *a;
	char *buf = NULL;
	size_t len = 0;

	if (cda_read_file(path, CDA_DTS_MAX_FILE, &buf, &len, err))
		return NULL;
	a = cda_arena_new();
	if (!a)
		cda_oom(err, name);
	else if (cda_dts_lines_parse(a, name, buf, len, &dl, err))
		cda_arena_free(a);
	else
		dl->own = a;
	free(buf);
	return a ? dl : NULL;
}

unsigned cda_dts_line(const struct cda_dts_lines *dl, const char *node_path, const char *property)
{
	size_t slot;
	uint32_t node;

	if (!dl || !node_path || !dl->nindex)
		return 0;
	slot = index_slot(dl, node_path, strlen(node_path));
	if (!dl->index[slot])
		return 0;
	node = dl->index[slot] - 1;
	for (size_t i = dl->nprops; property && i-- > 0;)
		if (dl->props[i].node == node && !strcmp(dl->props[i].name, property))
			return dl->props[i].line;
	return dl->nodes[node].line;
}

void cda_dts_lines_free(struct cda_dts_lines *dl)
{
	if (dl && dl->own)
		cda_arena_free(dl->own);
}
