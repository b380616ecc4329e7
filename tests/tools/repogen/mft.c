/*
 * Manifest eContent (RFC 9286 section 4.2):
 *
 *   Manifest ::= SEQUENCE {
 *     version        [0] INTEGER DEFAULT 0,
 *     manifestNumber INTEGER (0..MAX),
 *     thisUpdate     GeneralizedTime,
 *     nextUpdate     GeneralizedTime,
 *     fileHashAlg    OBJECT IDENTIFIER,
 *     fileList       SEQUENCE SIZE (0..MAX) OF FileAndHash }
 *   FileAndHash ::= SEQUENCE { file IA5String, hash BIT STRING }
 */
#include <string.h>

#include "repogen.h"

/*
 * Append the DER eContent of a manifest listing the n entries (in the order
 * given) to out.  Returns 0.
 */
int
rg_mft_econtent(uint64_t num, int64_t this_upd, int64_t next_upd,
    struct mft_entry *e, size_t n, struct buf *out)
{
	struct buf	 seq = { 0 }, list = { 0 }, fah, bits;
	size_t		 i;
	uint8_t		 h[33];

	/* version is DEFAULT 0, so DER omits it. */
	rg_der_uint(&seq, num);
	rg_der_gtime(&seq, this_upd);
	rg_der_gtime(&seq, next_upd);
	rg_der_oid(&seq, OID_SHA256);
	for (i = 0; i < n; i++) {
		memset(&fah, 0, sizeof(fah));
		memset(&bits, 0, sizeof(bits));
		rg_der_tlv(&fah, 0x16, (const uint8_t *)e[i].name,
		    strlen(e[i].name));
		h[0] = 0;	/* no unused bits */
		memcpy(h + 1, e[i].hash, 32);
		rg_der_tlv(&fah, 0x03, h, sizeof(h));
		rg_der_wrap(&list, 0x30, &fah);
	}
	rg_der_wrap(&seq, 0x30, &list);
	rg_der_wrap(out, 0x30, &seq);
	return 0;
}
