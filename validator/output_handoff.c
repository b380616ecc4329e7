/*
 * reef.handoff: the binary file reef-rtrd loads (common/handoff.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/handoff.h"
#include "validator/output.h"
#include "validator/output_digest.h"

/*
 * d as the hand-off format's input; *names (malloc'd, the caller frees
 * it) holds the TA names it points to.  0 or -1 (ENOMEM).
 */
static int
handoff_of(const struct output_data *d, struct handoff_data *h,
    char ***names)
{
	size_t i;

	*names = NULL;
	/* handoff_data wants mutable pointers; encoding only reads them. */
	if (d->nta > 0 && (*names = calloc(d->nta, sizeof(**names))) == NULL)
		return -1;
	for (i = 0; i < d->nta; i++)
		(*names)[i] = (char *)d->ta_names[i];
	h->created = d->buildtime;
	h->ta_names = *names;
	h->nta = d->nta;
	h->vrps = (struct vrpset *)d->vrps;
	h->rks = (struct rkset *)d->rks;
	h->aspas = (struct aspaset *)d->aspas;
	return 0;
}

/*
 * Encode the sets and TA names and write them to fp; the body (what
 * follows the header) begins at *body.  Returns 0, or -1 when the data
 * does not fit the format (an unfrozen set, a ta index or name
 * handoff_encode() refuses), on ENOMEM or a write error.
 */
int
output_handoff_split(FILE *fp, const struct output_data *d, uint64_t *body)
{
	struct handoff_data h;
	char **names;
	uint8_t *buf = NULL;
	size_t len;
	int rc = -1;

	if (handoff_of(d, &h, &names) == -1)
		return -1;
	if (handoff_encode(&h, &buf, &len) != 0)
		goto out;
	if (fwrite(buf, 1, len, fp) != len)
		goto out;
	*body = HANDOFF_HEADER_LEN;
	rc = 0;
 out:
	free(buf);
	free(names);
	return rc;
}

int
output_handoff(FILE *fp, const struct output_data *d)
{
	uint64_t body;

	return output_handoff_split(fp, d, &body);
}

/* The header alone, as output_handoff_split() begins. */
int
output_handoff_head(FILE *fp, const struct output_data *d)
{
	struct handoff_data h;
	uint8_t head[HANDOFF_HEADER_LEN];
	char **names;
	int rc;

	if (handoff_of(d, &h, &names) == -1)
		return -1;
	handoff_encode_header(&h, head);
	rc = fwrite(head, 1, sizeof(head), fp) == sizeof(head) ? 0 : -1;
	free(names);
	return rc;
}

/*
 * What the body of reef.handoff (after the header, before the digest
 * that ends it) is written from: the program, the TA names and the sets.
 */
int
output_handoff_body_inputs(const struct output_data *d, unsigned char *md)
{
	return output_digest_payloads(d, "reef reef.handoff body 1", md);
}
