/*
 * reef.handoff: the binary file reef-rtrd loads (common/handoff.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/handoff.h"
#include "validator/output.h"

/*
 * Encode the sets and TA names and write them to fp.  Returns 0, or -1
 * when the data does not fit the format (an unfrozen set, a ta index or
 * name handoff_encode() refuses), on ENOMEM or a write error.
 */
int
output_handoff(FILE *fp, const struct output_data *d)
{
	struct handoff_data h;
	char **names = NULL;
	uint8_t *buf = NULL;
	size_t i, len;
	int rc = -1;

	/* handoff_data wants mutable pointers; encoding only reads them. */
	if (d->nta > 0 && (names = calloc(d->nta, sizeof(*names))) == NULL)
		return -1;
	for (i = 0; i < d->nta; i++)
		names[i] = (char *)d->ta_names[i];
	h.created = d->buildtime;
	h.ta_names = names;
	h.nta = d->nta;
	h.vrps = (struct vrpset *)d->vrps;
	h.rks = (struct rkset *)d->rks;
	h.aspas = (struct aspaset *)d->aspas;
	if (handoff_encode(&h, &buf, &len) != 0)
		goto out;
	if (fwrite(buf, 1, len, fp) != len)
		goto out;
	rc = 0;
 out:
	free(buf);
	free(names);
	return rc;
}
