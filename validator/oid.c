/*
 * RPKI object identifiers, as DER content octets.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>

#include "validator/oid.h"

/* Longest content octet string in the table below. */
#define OID_MAX_DER	11

struct oid_def {
	const char	*text;
	size_t		 len;
	unsigned char	 der[OID_MAX_DER];
};

/* 1.2.840.113549.1.9.16.1.x is 2a 86 48 86 f7 0d 01 09 10 01 x. */
#define SMIME_CT(x)	{ 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, (x) }

static const struct oid_def oid_table[OID_COUNT] = {
	[OID_SIGNED_DATA] = { "1.2.840.113549.1.7.2", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 } },
	[OID_CT_ROA] = { "1.2.840.113549.1.9.16.1.24", 11, SMIME_CT(24) },
	[OID_CT_MFT] = { "1.2.840.113549.1.9.16.1.26", 11, SMIME_CT(26) },
	[OID_CT_GBR] = { "1.2.840.113549.1.9.16.1.35", 11, SMIME_CT(35) },
	[OID_CT_RSC] = { "1.2.840.113549.1.9.16.1.48", 11, SMIME_CT(48) },
	[OID_CT_ASPA] = { "1.2.840.113549.1.9.16.1.49", 11, SMIME_CT(49) },
	[OID_CT_TAK] = { "1.2.840.113549.1.9.16.1.50", 11, SMIME_CT(50) },
	[OID_CT_SPL] = { "1.2.840.113549.1.9.16.1.51", 11, SMIME_CT(51) },
	[OID_CONTENT_TYPE] = { "1.2.840.113549.1.9.3", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03 } },
	[OID_MESSAGE_DIGEST] = { "1.2.840.113549.1.9.4", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 } },
	[OID_SIGNING_TIME] = { "1.2.840.113549.1.9.5", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05 } },
	[OID_BINARY_SIGNING_TIME] = { "1.2.840.113549.1.9.16.2.46", 11,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02,
	    0x2e } },
	[OID_SHA256] = { "2.16.840.1.101.3.4.2.1", 9,
	    { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 } },
	[OID_RSA] = { "1.2.840.113549.1.1.1", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 } },
	[OID_SHA256_RSA] = { "1.2.840.113549.1.1.11", 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b } },
};

int
oid_is(const ASN1_OBJECT *obj, enum oid_id id)
{
	const struct oid_def	*d;

	if (obj == NULL || (unsigned int)id >= OID_COUNT)
		return 0;
	d = &oid_table[id];
	if ((size_t)OBJ_length(obj) != d->len)
		return 0;
	return memcmp(OBJ_get0_data(obj), d->der, d->len) == 0;
}

const char *
oid_text(enum oid_id id)
{
	if ((unsigned int)id >= OID_COUNT)
		return "?";
	return oid_table[id].text;
}

ASN1_OBJECT *
oid_new(enum oid_id id)
{
	if ((unsigned int)id >= OID_COUNT)
		return NULL;
	/* no_name = 1: the dotted form only, never a registered short name */
	return OBJ_txt2obj(oid_table[id].text, 1);
}

char *
oid_format(const ASN1_OBJECT *obj, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (obj == NULL || OBJ_obj2txt(buf, (int)size, obj, 1) < 0)
		snprintf(buf, size, "?");
	return buf;
}
