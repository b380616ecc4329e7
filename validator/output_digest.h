/*
 * Digests of what an output file is written from (validator/outkeep.h):
 * the build of Reef, the format and the payloads, never the run's time.
 * Each digest starts with output_digest_begin() and adds the sets the
 * file prints.
 */
#ifndef REEF_VALIDATOR_OUTPUT_DIGEST_H
#define REEF_VALIDATOR_OUTPUT_DIGEST_H

#include "common/hash.h"
#include "validator/output.h"

/*
 * Start ctx with what (names the format and its version), the program
 * and the TA names.  0 or -1.  On any failure, release ctx with
 * hash_sha256_cleanup().
 */
int	output_digest_begin(struct hash_sha256_ctx *ctx, const char *what,
	    const struct output_data *d);

/* Add every VRP, router key or ASPA of d, in set order.  0 or -1. */
int	output_digest_vrps(struct hash_sha256_ctx *ctx,
	    const struct output_data *d);
int	output_digest_rks(struct hash_sha256_ctx *ctx,
	    const struct output_data *d);
int	output_digest_aspas(struct hash_sha256_ctx *ctx,
	    const struct output_data *d);

/*
 * The whole digest of a file that prints all three sets: begin with
 * what, then the VRPs, router keys and ASPAs, into md.  0 or -1.
 */
int	output_digest_payloads(const struct output_data *d, const char *what,
	    unsigned char *md);

#endif
