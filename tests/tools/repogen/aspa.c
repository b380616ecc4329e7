/*
 * ASPA eContent (draft-ietf-sidrops-aspa-profile, current form):
 *
 *   ASProviderAttestation ::= SEQUENCE {
 *     version [0] INTEGER (1),
 *     customerASID ASID,
 *     providers ProviderASSet }
 *   ProviderASSet ::= SEQUENCE (SIZE(1..MAX)) OF ASID
 *
 * Providers are in ascending order without duplicates and never contain the
 * customer.
 */
#include <string.h>

#include "repogen.h"

/*
 * Append the DER eContent of a to out.  Returns 0.
 */
int
rg_aspa_econtent(const struct aspa_out *a, struct buf *out)
{
	struct buf	seq = { 0 }, ver = { 0 }, prov = { 0 };
	int		i;

	rg_der_uint(&ver, 1);
	rg_der_wrap(&seq, 0xa0, &ver);	/* [0] EXPLICIT: version 1 is present */
	rg_der_uint(&seq, a->customer);
	for (i = 0; i < a->nprov; i++)
		rg_der_uint(&prov, a->prov[i]);
	rg_der_wrap(&seq, 0x30, &prov);
	rg_der_wrap(out, 0x30, &seq);
	return 0;
}
