/*
 * The memo of incremental validation: for each publication point, one
 * record of what its last full validation produced, kept across runs in
 * a directory of its own (by default CACHEDIR/memo).  validator/ppmemo.h
 * decides what goes into a record and when one may be reused; this file
 * only stores records and frames them.
 *
 * Layout: MEMO/<h>, where <h> is the hex SHA-256 of the manifest's rsync
 * URI, holds
 *	"REEFMEMO" | format version (4 bytes) | tag (32 bytes) |
 *	payload length (4 bytes) | payload | SHA-256 of everything before
 *	(32 bytes) | tail
 * The tail is what a reader of the payload rarely needs (ppmemo.c keeps
 * a publication point's report entries there): memo_get() reads the
 * payload alone and says where the tail is; memo_get_tail() reads it
 * when wanted.  Its integrity is the caller's to check (the payload can
 * hold the tail's digest).
 * The tag names the program and configuration that wrote the record (the
 * caller passes, for instance, the digest of the running executable and
 * the flags that change validation), so a record written by another build
 * or under other rules is never read back.  A record is a cache, not a
 * source of truth: it is written to a temporary file and renamed without
 * fsync, and one that is truncated, corrupt or of another tag reads as
 * absent.
 *
 * Thread-safe: records of different publication points may be read and
 * written from several threads at once.
 */
#ifndef REEF_VALIDATOR_MEMO_H
#define REEF_VALIDATOR_MEMO_H

#include <stddef.h>
#include <stdint.h>

#define MEMO_TAG_LEN	32
/* Largest record read back (a publication point with every limit hit). */
#define MEMO_MAX_RECORD	(256LL * 1024 * 1024)

struct memo;

/*
 * Open (creating it if needed) the memo directory dir for records of tag.
 * Returns a handle (free with memo_close()) or NULL after logging why.
 */
struct memo	*memo_open(const char *dir, const unsigned char *tag);

/* Release the handle; the directory stays.  NULL is allowed. */
void		 memo_close(struct memo *m);

/*
 * Where a record's tail lies in its file; data, when not NULL, holds it
 * already (read with the payload, in the same buffer).
 */
struct memo_tail {
	size_t			 off, len;
	const unsigned char	*data;
};

/*
 * The payload of the record for key (a manifest URI) in *buf (malloc'd,
 * the caller frees) and *len, and where its tail is in *tail (NULL: not
 * wanted).  Returns 0, or -1 when there is no usable record.  Either way
 * the record is kept by memo_sweep().
 */
int		 memo_get(struct memo *m, const char *key, unsigned char **buf,
		    size_t *len, struct memo_tail *tail);

/*
 * Read the tail memo_get() placed at *tail into buf (tail->len bytes).
 * Returns 0, or -1 when the record is gone or no longer that long.
 */
int		 memo_get_tail(struct memo *m, const char *key,
		    const struct memo_tail *tail, unsigned char *buf);

/*
 * The tail of key's record will be read later in this run
 * (memo_get_tail()): neither memo_put() nor memo_drop() changes that
 * record until the handle is closed.
 */
void		 memo_lend(struct memo *m, const char *key);

/*
 * Replace the record for key by payload and tail (tlen bytes, NULL when
 * 0).  Returns 0, or -1 (logged).
 */
int		 memo_put(struct memo *m, const char *key,
		    const unsigned char *payload, size_t len,
		    const unsigned char *tail, size_t tlen);

/* Remove the record for key, if any. */
void		 memo_drop(struct memo *m, const char *key);

/*
 * Remove every record neither read nor written through this handle:
 * those of publication points the run no longer reached.  Call it only
 * after a complete run.  Returns the number removed.
 */
size_t		 memo_sweep(struct memo *m);

/*
 * A growable byte buffer for payloads, and a bounded reader.  Writers
 * record an allocation failure in ->failed and ignore later writes;
 * readers set ->failed on reading past the end or a malformed string.
 */
struct memo_wbuf {
	unsigned char	*data;
	size_t		 len, cap;
	int		 failed;
};

struct memo_rbuf {
	const unsigned char *data;
	size_t		 len, off;
	int		 failed;
};

void		 memo_w_bytes(struct memo_wbuf *, const void *, size_t);
void		 memo_w_u8(struct memo_wbuf *, uint8_t);
void		 memo_w_u32(struct memo_wbuf *, uint32_t);
void		 memo_w_u64(struct memo_wbuf *, uint64_t);
/* A string (NULL allowed, read back as NULL). */
void		 memo_w_str(struct memo_wbuf *, const char *);
void		 memo_wbuf_free(struct memo_wbuf *);

int		 memo_r_bytes(struct memo_rbuf *, void *, size_t);
uint8_t		 memo_r_u8(struct memo_rbuf *);
uint32_t	 memo_r_u32(struct memo_rbuf *);
uint64_t	 memo_r_u64(struct memo_rbuf *);
/* A string written by memo_w_str(), pointing into the buffer (no copy):
 * valid while the buffer lives.  NULL for a NULL string or on failure. */
const char	*memo_r_str(struct memo_rbuf *);

#endif
