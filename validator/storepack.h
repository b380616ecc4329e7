/*
 * The file format of one stored copy of a publication point
 * (validator/store.h): the manifest and every file it lists, packed in
 * one file, so saving or dropping a copy creates or frees one inode
 * instead of one per object.
 *
 * Layout, integers big-endian:
 *	magic "REEFPAK1" (8 bytes)  count (u32)
 *	count times: name length (u8, 1 to 255)  name  0  length (u32)  bytes
 * and nothing after the last file.  The first file is the manifest, so
 * the manifest alone can be read without the rest.  A name is a plain
 * file name (no '/', no NUL, not starting with '.'), each at most once;
 * a file is at most MAX_FILE_SIZE bytes (common/limits.h).
 */
#ifndef REEF_VALIDATOR_STOREPACK_H
#define REEF_VALIDATOR_STOREPACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

#define STOREPACK_MAGIC		"REEFPAK1"
#define STOREPACK_MAGIC_LEN	8
/* The manifest and what it lists. */
#define STOREPACK_MAX_FILES	(MAX_MANIFEST_ENTRIES + 1)

/* One file to pack, or one file of a parsed pack. */
struct store_file {
	const char		*name;	/* manifest file name (or the manifest's) */
	const unsigned char	*der;
	size_t			 len;
};

/* A parsed pack: files[] point into buf (names too: stored with their NUL). */
struct storepack {
	unsigned char		*buf;	/* owned: the whole pack */
	size_t			 len;
	struct store_file	*files;	/* in the pack's order */
	struct store_file	*sorted; /* the same, by name (for lookups) */
	size_t			 nfiles;
};

/*
 * Write nfiles files (files[0] the manifest) as a pack to fd, from its
 * current offset.  Returns 0, or -1 with errno set (EINVAL for a name
 * the format cannot hold or an empty list).
 */
int	storepack_write(int fd, const struct store_file *files, size_t nfiles);

/*
 * Parse the pack buf (len bytes), taking buf over (malloc'd; freed by
 * storepack_free(), also on failure).  Returns 0, or -1 with why.
 */
int	storepack_parse(unsigned char *buf, size_t len, struct storepack *p,
	    char *why, size_t whylen);

/* Read the whole pack open on fd and parse it.  Returns 0, or -1 (why). */
int	storepack_load(int fd, struct storepack *p, char *why, size_t whylen);

/*
 * Read only the first file of the pack open on fd: its name into name
 * (namelen bytes, MAX_FILENAME_LENGTH + 1 suffice) and its bytes into
 * *der (malloc'd), *len.  Returns 0, or -1 (why).
 */
int	storepack_load_first(int fd, char *name, size_t namelen,
	    unsigned char **der, size_t *len, char *why, size_t whylen);

/* The file called name in p, or NULL. */
const struct store_file *storepack_find(const struct storepack *p,
	    const char *name);

/* Release what p holds (not p itself). */
void	storepack_free(struct storepack *p);

#endif
