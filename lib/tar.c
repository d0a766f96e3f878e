// SPDX-License-Identifier: MIT
/*
 * tar.c - walk a tar archive held in memory (POSIX ustar, GNU, pax), handing
 * each member to a callback. Owns the header checks (octal fields, checksum,
 * bounds) and the long names; what a member means is the caller's (tar.h).
 */
#include <stddef.h>
#include <string.h>

#include "tar.h"
#include "util.h"

#define TAR_BLOCK 512

/* A header block (POSIX ustar; GNU headers share the fields used here). */
struct tar_header {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
	char typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32];
	char devmajor[8], devminor[8], prefix[155], pad[12];
};
_Static_assert(sizeof(struct tar_header) == TAR_BLOCK, "a tar header is one block");
#define CHKSUM_AT offsetof(struct tar_header, chksum)
#define CHKSUM_LEN sizeof(((struct tar_header *)0)->chksum)
/* prefix "/" name, NUL */
#define TAR_PATH_MAX (sizeof(((struct tar_header *)0)->prefix) + 1 + \
		      sizeof(((struct tar_header *)0)->name) + 1)

/* What metadata records say of the next member; reset once a member takes it. */
struct tar_next {
	char name[CDA_TAR_NAME_MAX + 1];
	size_t nlen; /* 0: the member's own header names it */
	bool have_size;
	uint64_t size;
};

/* An octal header field: leading blanks, digits, then blanks or NULs. */
static int tar_number(const char *field, size_t len, uint64_t *out)
{
	const unsigned char *f = (const unsigned char *)field;
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

bool cda_is_tar(const unsigned char *b, size_t len)
{
	return len >= TAR_BLOCK &&
	       !memcmp(b + offsetof(struct tar_header, magic), "ustar", 5);
}

const char *cda_tar_kind(char type)
{
	switch (type) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a FIFO";
	default: return NULL;
	}
}

static bool zero_block(const unsigned char *h)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/*
 * The checksum is the sum of the header bytes with the field itself read as
 * blanks. POSIX sums unsigned bytes; some old tars summed signed chars, and
 * GNU tar accepts either, so this does too.
 */
static bool checksum_ok(const unsigned char *h, uint64_t sum)
{
	uint64_t u = 0;
	int64_t s = 0;

	for (size_t i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = i - CHKSUM_AT < CHKSUM_LEN ? ' ' : h[i];

		u += c;
		s += (signed char)c;
	}
	return u == sum || (s >= 0 && (uint64_t)s == sum);
}

static int set_name(struct tar_next *nx, const char *val, size_t n, const char *name, size_t at,
		    struct cda_error *err)
{
	if (n > CDA_TAR_NAME_MAX)
		return cda_fail(err, CDA_E_FORMAT, "%s: tar entry name longer than %d bytes at byte %zu",
				name, CDA_TAR_NAME_MAX, at);
	memcpy(nx->name, val, n);
	nx->name[n] = '\0';
	nx->nlen = n;
	return 0;
}

/*
 * A pax extended header: "LENGTH KEY=VALUE\n" records, LENGTH counting the
 * whole record. path= names the next member; size= gives its size when the
 * header's 12 octal digits cannot (8 GiB and up). Other keys change nothing
 * this reader reports.
 */
static int pax_records(const unsigned char *d, size_t size, struct tar_next *nx, const char *name,
		       size_t at, struct cda_error *err)
{
	const char *end = (const char *)d + size;

	for (size_t i = 0; i < size;) {
		const char *r = (const char *)d + i, *sp, *kv, *ve;
		uint64_t rl;
		size_t klen;

		if (!cda_parse_dec(r, end, &rl, &sp) || sp == end || *sp != ' ' ||
		    rl <= (uint64_t)(sp + 1 - r) || rl > size - i || r[rl - 1] != '\n')
			goto corrupt;
		kv = sp + 1;
		klen = (size_t)(r + rl - 1 - kv);
		if (memchr(kv, '\0', klen))
			goto corrupt; /* a name with a NUL would be cut short */
		if (klen >= 5 && !memcmp(kv, "path=", 5)) {
			int ret = set_name(nx, kv + 5, klen - 5, name, at, err);

			if (ret)
				return ret;
		} else if (klen >= 5 && !memcmp(kv, "size=", 5)) {
			if (!cda_parse_dec(kv + 5, kv + klen, &nx->size, &ve) || ve != kv + klen)
				goto corrupt;
			nx->have_size = true;
		}
		i += (size_t)rl;
	}
	return 0;
corrupt:
	return cda_fail(err, CDA_E_FORMAT, "%s: corrupt pax header at byte %zu", name, at);
}

/* A record about other records or the archive, not a member (strchr finds a NUL too). */
static bool is_meta(char type)
{
	return type && strchr("LxgKV", type);
}

/* The member's name: a long name if one came before, else the header's (prefix/name). */
static const char *member_name(const struct tar_header *h, const struct tar_next *nx, char *path)
{
	size_t pl = 0, nl = strnlen(h->name, sizeof(h->name));

	if (nx->nlen)
		return nx->name;
	/* the POSIX prefix field (GNU headers have "ustar  " and no prefix) */
	if (h->prefix[0] && !memcmp(h->magic, "ustar\0", 6)) {
		pl = strnlen(h->prefix, sizeof(h->prefix));
		memcpy(path, h->prefix, pl);
		path[pl++] = '/';
	}
	memcpy(path + pl, h->name, nl);
	path[pl + nl] = '\0';
	return path;
}

/* '\0' (old tars) and '7' (contiguous) are regular files; so is nothing else. */
static char member_type(char type, const char *name)
{
	size_t n = strlen(name);

	/* A pre-POSIX tar marks a directory by the trailing slash alone. */
	if (type == '\0' && n && name[n - 1] == '/')
		return '5';
	return type == '\0' || type == '7' ? '0' : type;
}

int cda_tar_each(const unsigned char *b, size_t len, const char *name, cda_tar_fn *fn, void *ctx,
		 struct cda_error *err)
{
	char path[TAR_PATH_MAX];
	struct tar_next nx = { .nlen = 0 };
	size_t off = 0;

	while (off + TAR_BLOCK <= len) {
		const unsigned char *block = b + off, *data = block + TAR_BLOCK;
		struct tar_header h;
		uint64_t size, sum;
		int ret = 0;
		char type;

		if (zero_block(block))
			return 0; /* end-of-archive block: what follows is padding */
		memcpy(&h, block, sizeof(h)); /* the archive buffer need not be aligned */
		type = h.typeflag;
		if (tar_number(h.size, sizeof(h.size), &size) ||
		    tar_number(h.chksum, sizeof(h.chksum), &sum))
			return cda_fail(err, CDA_E_FORMAT, "%s: corrupt tar header at byte %zu", name, off);
		if (!checksum_ok(block, sum))
			return cda_fail(err, CDA_E_FORMAT, "%s: tar header checksum mismatch at byte %zu",
					name, off);
		if (nx.have_size && !is_meta(type))
			size = nx.size;
		if (size > len - off - TAR_BLOCK)
			return cda_fail(err, CDA_E_FORMAT, "%s: truncated tar archive", name);
		switch (type) {
		case 'L': /* GNU long name: the data, NUL-terminated */
			ret = set_name(&nx, (const char *)data, strnlen((const char *)data, (size_t)size),
				       name, off, err);
			break;
		case 'x':
			ret = pax_records(data, (size_t)size, &nx, name, off, err);
			break;
		case 'g': /* global pax records, long link names and volume labels name no member */
		case 'K':
		case 'V':
			break;
		default: {
			struct cda_tar_member m = { .name = member_name(&h, &nx, path), .data = data,
						    .size = size };

			m.type = member_type(type, m.name);
			ret = fn(ctx, &m, err);
			nx.nlen = 0;
			nx.have_size = false;
		}
		}
		if (ret)
			return ret;
		off += TAR_BLOCK + (size_t)((size + TAR_BLOCK - 1) & ~(uint64_t)(TAR_BLOCK - 1));
	}
	if (off != len)
		return cda_fail(err, CDA_E_FORMAT, "%s: truncated tar archive", name);
	return 0;
}
