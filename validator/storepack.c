/*
 * One stored copy of a publication point as one file; see storepack.h.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/be32.h"
#include "common/fdread.h"
#include "validator/storepack.h"

/* Bytes before a file's name: its length. */
#define NAME_HDR	1
/* Bytes between a name and the file: its NUL, the file's length. */
#define DATA_HDR	5
#define HEAD_LEN	(STOREPACK_MAGIC_LEN + 4)
/* A pack larger than this is not ours. */
#define PACK_MAX_SIZE	((uint64_t)1 << 32)
/* iovecs gathered per writev(2). */
#define WRITE_IOVS	256

/* Can the format hold this name?  Returns its length, or 0. */
static size_t
name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > MAX_FILENAME_LENGTH || name[0] == '.' ||
	    strchr(name, '/') != NULL)
		return 0;
	return n;
}

/* writev(2) all of iov[0..n), retrying short writes. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
storepack_write(int fd, const struct store_file *files, size_t nfiles)
{
	unsigned char head[HEAD_LEN];
	unsigned char (*hdr)[NAME_HDR + MAX_FILENAME_LENGTH + DATA_HDR];
	struct iovec iov[WRITE_IOVS];
	size_t i, nl, k;
	int n = 0, rc = -1;

	if (nfiles == 0 || nfiles > STOREPACK_MAX_FILES) {
		errno = EINVAL;
		return -1;
	}
	/* One name-and-lengths block per file of a batch. */
	if ((hdr = malloc(WRITE_IOVS / 2 * sizeof(*hdr))) == NULL)
		return -1;
	memcpy(head, STOREPACK_MAGIC, STOREPACK_MAGIC_LEN);
	be32_put(head + STOREPACK_MAGIC_LEN, (uint32_t)nfiles);
	iov[n].iov_base = head;
	iov[n++].iov_len = sizeof(head);
	for (i = 0, k = 0; i < nfiles; i++) {
		if ((nl = name_ok(files[i].name)) == 0 ||
		    files[i].len > MAX_FILE_SIZE) {
			errno = EINVAL;
			goto out;
		}
		if (n + 2 > WRITE_IOVS) {
			if (writev_all(fd, iov, n) == -1)
				goto out;
			n = 0;
			k = 0;
		}
		hdr[k][0] = (unsigned char)nl;
		memcpy(hdr[k] + NAME_HDR, files[i].name, nl);
		hdr[k][NAME_HDR + nl] = '\0';
		be32_put(hdr[k] + NAME_HDR + nl + 1, (uint32_t)files[i].len);
		iov[n].iov_base = hdr[k];
		iov[n++].iov_len = NAME_HDR + nl + DATA_HDR;
		iov[n].iov_base = (void *)files[i].der;
		iov[n++].iov_len = files[i].len;
		k++;
	}
	if (writev_all(fd, iov, n) == -1)
		goto out;
	rc = 0;
 out:
	free(hdr);
	return rc;
}

/*
 * Parse the file at *off of buf (len bytes) into f.  Returns 0, or -1
 * with why.
 */
static int
parse_file(const unsigned char *buf, size_t len, size_t *off,
    struct store_file *f, char *why, size_t whylen)
{
	size_t o = *off, nl;
	uint32_t fl;

	if (len - o < NAME_HDR) {
		snprintf(why, whylen, "truncated at byte %zu", o);
		return -1;
	}
	nl = buf[o];
	if (nl == 0 || len - o - NAME_HDR < nl + DATA_HDR) {
		snprintf(why, whylen, "bad name length at byte %zu", o);
		return -1;
	}
	f->name = (const char *)buf + o + NAME_HDR;
	if (buf[o + NAME_HDR + nl] != '\0' || memchr(f->name, '\0', nl) !=
	    NULL || name_ok(f->name) != nl) {
		snprintf(why, whylen, "bad file name at byte %zu", o);
		return -1;
	}
	o += NAME_HDR + nl + 1;
	fl = be32_get(buf + o);
	o += 4;
	if (fl > MAX_FILE_SIZE || len - o < fl) {
		snprintf(why, whylen, "bad length of %s", f->name);
		return -1;
	}
	f->der = buf + o;
	f->len = fl;
	*off = o + fl;
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct store_file *)a)->name,
	    ((const struct store_file *)b)->name);
}

int
storepack_parse(unsigned char *buf, size_t len, struct storepack *p,
    char *why, size_t whylen)
{
	size_t i, n, off = HEAD_LEN;

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = len;
	if (len < HEAD_LEN || memcmp(buf, STOREPACK_MAGIC,
	    STOREPACK_MAGIC_LEN) != 0) {
		snprintf(why, whylen, "not a stored copy");
		goto fail;
	}
	n = be32_get(buf + STOREPACK_MAGIC_LEN);
	/* Every file takes at least NAME_HDR + 1 + DATA_HDR bytes. */
	if (n == 0 || n > STOREPACK_MAX_FILES ||
	    n > (len - HEAD_LEN) / (NAME_HDR + 1 + DATA_HDR)) {
		snprintf(why, whylen, "bad file count %zu", n);
		goto fail;
	}
	if ((p->files = calloc(n, sizeof(*p->files))) == NULL ||
	    (p->sorted = calloc(n, sizeof(*p->sorted))) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (parse_file(buf, len, &off, &p->files[i], why, whylen) == -1)
			goto fail;
	if (off != len) {
		snprintf(why, whylen, "%zu bytes after the last file",
		    len - off);
		goto fail;
	}
	memcpy(p->sorted, p->files, n * sizeof(*p->files));
	qsort(p->sorted, n, sizeof(*p->sorted), cmp_name);
	for (i = 1; i < n; i++)
		if (strcmp(p->sorted[i - 1].name, p->sorted[i].name) == 0) {
			snprintf(why, whylen, "%s twice", p->sorted[i].name);
			goto fail;
		}
	p->nfiles = n;
	return 0;
 fail:
	storepack_free(p);
	return -1;
}

int
storepack_load(int fd, struct storepack *p, char *why, size_t whylen)
{
	struct stat sb;
	unsigned char *buf;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size >= PACK_MAX_SIZE) {
		snprintf(why, whylen, "not a stored copy");
		return -1;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	/* One more byte to notice a file that grew. */
	n = fd_read_full(fd, buf, (size_t)sb.st_size + 1);
	if (n != (ssize_t)sb.st_size) {
		snprintf(why, whylen, "stored copy: %s", n == -1 ?
		    strerror(errno) : "changed while read");
		free(buf);
		return -1;
	}
	return storepack_parse(buf, (size_t)n, p, why, whylen);
}

int
storepack_load_first(int fd, char *name, size_t namelen,
    unsigned char **der, size_t *len, char *why, size_t whylen)
{
	unsigned char head[HEAD_LEN + NAME_HDR + MAX_FILENAME_LENGTH +
	    DATA_HDR];
	size_t nl;
	uint32_t fl;

	*der = NULL;
	*len = 0;
	if (fd_pread_full(fd, head, HEAD_LEN + NAME_HDR, 0) == -1 ||
	    memcmp(head, STOREPACK_MAGIC, STOREPACK_MAGIC_LEN) != 0 ||
	    be32_get(head + STOREPACK_MAGIC_LEN) == 0) {
		snprintf(why, whylen, "not a stored copy");
		return -1;
	}
	nl = head[HEAD_LEN];
	if (nl == 0 || nl >= namelen || fd_pread_full(fd, head + HEAD_LEN +
	    NAME_HDR, nl + DATA_HDR, HEAD_LEN + NAME_HDR) == -1) {
		snprintf(why, whylen, "stored copy: bad first file");
		return -1;
	}
	memcpy(name, head + HEAD_LEN + NAME_HDR, nl + 1);
	fl = be32_get(head + HEAD_LEN + NAME_HDR + nl + 1);
	if (name[nl] != '\0' || name_ok(name) != nl || fl > MAX_FILE_SIZE) {
		snprintf(why, whylen, "stored copy: bad first file");
		return -1;
	}
	if ((*der = malloc(fl == 0 ? 1 : fl)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (fd_pread_full(fd, *der, fl, (off_t)(HEAD_LEN + NAME_HDR + nl +
	    DATA_HDR)) == -1) {
		snprintf(why, whylen, "stored copy: truncated");
		free(*der);
		*der = NULL;
		return -1;
	}
	*len = fl;
	return 0;
}

const struct store_file *
storepack_find(const struct storepack *p, const char *name)
{
	struct store_file key = { .name = name };

	if (p->nfiles == 0)
		return NULL;
	return bsearch(&key, p->sorted, p->nfiles, sizeof(*p->sorted),
	    cmp_name);
}

void
storepack_free(struct storepack *p)
{
	free(p->buf);
	free(p->files);
	free(p->sorted);
	memset(p, 0, sizeof(*p));
}
