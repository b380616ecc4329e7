/*
 * RPKI manifests (RFC 9286): the eContent as a plain struct, its checks
 * against the EE certificate, and the manifest number comparison a
 * validator needs to notice a replayed (older) manifest.
 */
#ifndef REEF_VALIDATOR_MFT_H
#define REEF_VALIDATOR_MFT_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

struct cert;

/* RFC 9286 section 4.2.1: manifestNumber is at most 20 octets. */
#define MFT_NUMBER_MAX_LEN	20

struct mft_file {
	char		*name;		/* portable file name, NUL-terminated */
	unsigned char	 hash[HASH_SHA256_LEN];
};

struct mft {
	/* manifestNumber, big-endian magnitude without leading zeros */
	unsigned char	 number[MFT_NUMBER_MAX_LEN];
	size_t		 number_len;	/* 0 for the number zero */
	int64_t		 this_update;
	int64_t		 next_update;
	struct mft_file	*files;		/* sorted by name (strcmp), unique */
	size_t		 nfiles;
	int		 has_signing_time;
	int64_t		 signing_time;
	struct cert	*ee;		/* EE certificate (mft_parse() only) */
};

/*
 * Decode the Manifest eContent der (len bytes) and check it against RFC
 * 9286 section 4.  Returns a new mft without EE (free with mft_free()),
 * or NULL after logging why.
 */
struct mft	*mft_parse_econtent(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * RFC 9286 section 5.1: the EE certificate must use inherit for all its
 * resources (item 2) and its validity must cover thisUpdate..nextUpdate
 * (item 3).  Returns 0, or -1 after logging why.
 */
int		 mft_check_ee(const char *fn, const struct mft *mft,
		    const struct cert *ee);

/*
 * Parse a whole .mft file: CMS wrapper, EE profile (cert_parse_ee()),
 * eContent and mft_check_ee().  The EE is not checked against its issuer.
 * Returns a new mft (free with mft_free()), or NULL after logging why.
 */
struct mft	*mft_parse(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * RFC 9286 section 6.3/6.4: whether the manifest is current at now.
 * Returns 0, or -1 with a reason naming the RFC in why (whylen bytes).
 */
int		 mft_check_current(const struct mft *mft, int64_t now,
		    char *why, size_t whylen);

/* Compare manifest numbers: <0 if a is older than b, 0 if equal, >0 if newer. */
int		 mft_compare(const struct mft *a, const struct mft *b);

/* Format the manifest number in lowercase hex ("0" for zero) into buf. */
#define MFT_NUMBER_STRLEN	(2 * MFT_NUMBER_MAX_LEN + 1)
void		 mft_number_hex(const struct mft *mft,
		    char buf[MFT_NUMBER_STRLEN]);

/* The entry named name, or NULL (binary search). */
const struct mft_file *mft_find(const struct mft *mft, const char *name);

/*
 * RFC 9286 section 4.2.2: returns 1 if name (len bytes) is a valid
 * manifest file name: portable characters, exactly one dot, not first,
 * followed by three lowercase letters; else 0.
 */
int		 mft_valid_filename(const char *name, size_t len);

/*
 * Returns 1 if the extension of the NUL-terminated name is in the IANA
 * "RPKI Repository Name Schemes" registry (asa cer crl gbr mft roa sig
 * spl tak), else 0: files of other types are listed but not processed.
 */
int		 mft_known_extension(const char *name);

/* Release mft and everything it owns; NULL is allowed. */
void		 mft_free(struct mft *mft);

#endif
