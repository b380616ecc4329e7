/*
 * Error Report PDUs (8210bis section 5.8), the error codes (section 12)
 * and the reply to a PDU that failed to decode.
 */
#include <stdint.h>
#include <string.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

/* Highest error code each protocol version defines. */
#define RTR_ERR_MAX_V0		RTR_ERR_DUPLICATE_ANNOUNCE	/* RFC 6810 */
#define RTR_ERR_MAX_V1		RTR_ERR_UNEXPECTED_VERSION	/* RFC 8210 */
#define RTR_ERR_MAX_V2		RTR_ERR_CACHE_SHUTDOWN		/* 8210bis */

const char *
pdu_strerror(int err)
{
	switch (err) {
	case PDU_OK:
		return "success";
	case PDU_INCOMPLETE:
		return "incomplete PDU";
	case PDU_ENOMEM:
		return "out of memory";
	case PDU_EVERSION:
		return "unsupported protocol version";
	case PDU_ETYPE:
		return "unsupported PDU type for this version";
	case PDU_ELENGTH:
		return "bad PDU length";
	case PDU_EZERO:
		return "reserved field not zero";
	case PDU_EFLAGS:
		return "reserved flag bits set";
	case PDU_EPREFIX:
		return "bad prefix, prefix length or max length";
	case PDU_EINTERVAL:
		return "timing interval out of range";
	case PDU_EASPA:
		return "bad ASPA provider list";
	case PDU_EERROR:
		return "malformed Error Report";
	case PDU_EDIRECTION:
		return "PDU not valid in this direction";
	case PDU_EINVAL:
		return "value cannot be encoded";
	case PDU_ETOOBIG:
		return "PDU too big";
	case PDU_ENOREPLY:
		return "no Error Report may answer an Error Report";
	default:
		return "unknown error";
	}
}

uint16_t
pdu_err_to_rtr(int err)
{
	switch (err) {
	case PDU_EVERSION:
		return RTR_ERR_UNSUPPORTED_VERSION;
	case PDU_ETYPE:
		return RTR_ERR_UNSUPPORTED_TYPE;
	case PDU_EASPA:
		return RTR_ERR_ASPA_PROVIDER_LIST;
	case PDU_EDIRECTION:
		return RTR_ERR_INVALID_REQUEST;
	case PDU_ENOMEM:
		return RTR_ERR_INTERNAL;
	default:
		return RTR_ERR_CORRUPT_DATA;
	}
}

const char *
pdu_rtr_error_name(unsigned int code)
{
	static const char *const names[] = {
		"Corrupt Data",
		"Internal Error",
		"No Data Available",
		"Invalid Request",
		"Unsupported Protocol Version",
		"Unsupported PDU Type",
		"Withdrawal of Unknown Record",
		"Duplicate Announcement Received",
		"Unexpected Protocol Version",
		"ASPA Provider List Error",
		"Transport Error",
		"Ordering Error",
		"Cache Restart",
		"Cache Shutdown",
	};

	if (code >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[code];
}

int
pdu_rtr_error_valid(unsigned int version, unsigned int code)
{
	switch (version) {
	case PDU_VERSION_0:
		return code <= RTR_ERR_MAX_V0;
	case PDU_VERSION_1:
		return code <= RTR_ERR_MAX_V1;
	case PDU_VERSION_2:
		return code <= RTR_ERR_MAX_V2;
	default:
		return 0;
	}
}

/* 8210bis section 12: only these three leave the session usable. */
int
pdu_rtr_error_fatal(unsigned int code)
{
	return !(code == RTR_ERR_NO_DATA ||
	    code == RTR_ERR_UNSUPPORTED_VERSION ||
	    code == RTR_ERR_CACHE_RESTART);
}

/* Length of the UTF-8 sequence led by c, or 0 if c cannot lead one. */
static size_t
utf8_seqlen(uint8_t c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * RFC 3629 section 4: no overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * no surrogates (ED A0..BF), nothing above U+10FFFF (F4 90..BF, F5..).
 */
int
pdu_utf8_valid(const uint8_t *p, size_t n)
{
	size_t	 i = 0, k, len;
	uint8_t	 lo, hi;

	while (i < n) {
		if ((len = utf8_seqlen(p[i])) == 0 || len > n - i)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		if (p[i] == 0xe0)
			lo = 0xa0;
		else if (p[i] == 0xed)
			hi = 0x9f;
		else if (p[i] == 0xf0)
			lo = 0x90;
		else if (p[i] == 0xf4)
			hi = 0x8f;
		for (k = 1; k < len; k++) {
			if (p[i + k] < (k == 1 ? lo : 0x80) ||
			    p[i + k] > (k == 1 ? hi : 0xbf))
				return 0;
		}
		i += len;
	}
	return 1;
}

/* Cut text to at most max bytes without splitting a UTF-8 character. */
static size_t
text_cut(const char *text, size_t max)
{
	size_t	 n = strlen(text);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((uint8_t)text[n] & 0xc0) == 0x80)
		n--;
	return n;
}

int
pdu_put_error_report(struct pdu_buf *b, uint8_t version, uint16_t code,
    const uint8_t *pdu, size_t pdulen, const char *text)
{
	size_t	 tlen, total;
	uint8_t	*p;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if (!pdu_rtr_error_valid(version, code))
		return PDU_EINVAL;
	if (pdu == NULL)
		pdulen = 0;
	if (pdulen > PDU_ERROR_ENCAP_MAX)
		pdulen = PDU_ERROR_ENCAP_MAX;
	tlen = text == NULL ? 0 : text_cut(text, PDU_ERROR_TEXT_MAX);
	if (tlen > 0 && !pdu_utf8_valid((const uint8_t *)text, tlen))
		return PDU_EINVAL;
	total = PDU_ERROR_REPORT_MIN_LEN + pdulen + tlen;
	if ((p = pdu_buf_grow(b, total)) == NULL)
		return PDU_ENOMEM;
	pdu_write_header(p, version, PDU_ERROR_REPORT, code, total);
	pdu_be32(p + 8, pdulen);
	if (pdulen > 0)
		memcpy(p + 12, pdu, pdulen);
	pdu_be32(p + 12 + pdulen, tlen);
	if (tlen > 0)
		memcpy(p + 16 + pdulen, text, tlen);
	return PDU_OK;
}

int
pdu_put_error_for(struct pdu_buf *b, uint8_t version, int err,
    const uint8_t *pdu, size_t len, const char *text)
{
	uint16_t	 code;

	/* section 5.8: an Error Report never answers an Error Report */
	if (err == PDU_EERROR || (pdu != NULL && len >= 2 &&
	    pdu[1] == PDU_ERROR_REPORT))
		return PDU_ENOREPLY;
	code = pdu_err_to_rtr(err);
	/* section 12: only codes the session's version defines */
	if (!pdu_rtr_error_valid(version, code))
		code = RTR_ERR_CORRUPT_DATA;
	if (text == NULL)
		text = pdu_strerror(err);
	return pdu_put_error_report(b, version, code, pdu, len, text);
}
