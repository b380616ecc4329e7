/*
 * reef show, text output: one "Key: value" line per field, values
 * aligned in one column, lists continued on the following lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/asn.h"
#include "common/b64.h"
#include "common/gtime.h"
#include "common/hash.h"
#include "validator/cmd_show.h"

/* Width of the key column, colon included. */
#define SHOW_KEY_WIDTH		20
/* Longest binary value printed in hex: a SHA-256 digest. */
#define SHOW_HEX_MAX		HASH_SHA256_LEN

static void	show_kv(FILE *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* One line; key NULL continues the previous key's list. */
static void
show_kv(FILE *out, const char *key, const char *fmt, ...)
{
	va_list	ap;

	if (key != NULL)
		fprintf(out, "%s:%*s", key, (int)(SHOW_KEY_WIDTH -
		    strlen(key)), "");
	else
		fprintf(out, "%*s", SHOW_KEY_WIDTH + 1, "");
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void
show_time(FILE *out, const char *key, int64_t t)
{
	char	buf[GTIME_ISO_LEN + 1];

	if (gtime_format_iso(t, buf, sizeof(buf)) == -1)
		show_kv(out, key, "@%lld", (long long)t);
	else
		show_kv(out, key, "%s", buf);
}

static void
show_hex(FILE *out, const char *key, const unsigned char *p, size_t len)
{
	char	buf[2 * SHOW_HEX_MAX + 1];

	if (len > SHOW_HEX_MAX)
		len = SHOW_HEX_MAX;
	hash_hex_encode(p, len, buf);
	show_kv(out, key, "%s", len == 0 ? "0" : buf);
}

static void
show_uri(FILE *out, const char *key, const char *uri)
{
	if (uri != NULL)
		show_kv(out, key, "%s", uri);
}

static void
show_key(FILE *out, const char *key, const unsigned char *spki, size_t len)
{
	char	*b64 = NULL;

	if (b64_encode(spki, len, &b64, NULL) == 0)
		show_kv(out, key, "%s", b64);
	free(b64);
}

static void
show_ips(FILE *out, const struct ip_res *res)
{
	static const char *const keys[IP_RES_NAFI] = { "IPv4", "IPv6" };
	static const unsigned int afis[IP_RES_NAFI] = { AFI_IPV4, AFI_IPV6 };
	const struct ip_res_afi	*a;
	char			 buf[IP_RANGE_STRLEN];
	size_t			 i;
	int			 f;

	for (f = 0; res != NULL && f < IP_RES_NAFI; f++) {
		a = &res->afi[f];
		if (!a->present)
			continue;
		if (a->inherit) {
			show_kv(out, keys[f], "inherit");
			continue;
		}
		for (i = 0; i < a->nranges; i++) {
			if (ip_range_format(afis[f], &a->ranges[i], buf,
			    sizeof(buf)) == -1)
				continue;
			show_kv(out, i == 0 ? keys[f] : NULL, "%s", buf);
		}
	}
}

static void
show_ases(FILE *out, const struct as_res *res)
{
	char	buf[ASN_RANGE_STRLEN];
	size_t	i;

	if (res == NULL)
		return;
	if (res->inherit) {
		show_kv(out, "AS", "inherit");
		return;
	}
	for (i = 0; i < res->nranges; i++)
		if (asn_range_format(&res->ranges[i], buf, sizeof(buf)) >= 0)
			show_kv(out, i == 0 ? "AS" : NULL, "%s", buf);
}

static void
show_cert(FILE *out, const struct cert *c)
{
	char	name[SHOW_NAME_LEN];
	X509	*x = cert_x509(c);	/* made from c->der if need be */

	show_kv(out, "Issuer", "%s", show_name(x == NULL ? NULL :
	    X509_get_issuer_name(x), name, sizeof(name)));
	show_kv(out, "Subject", "%s", show_name(x == NULL ? NULL :
	    X509_get_subject_name(x), name, sizeof(name)));
	X509_free(x);
	show_kv(out, "Serial", "%s", c->serial);
	show_hex(out, "SKI", c->ski, sizeof(c->ski));
	if (c->has_aki)
		show_hex(out, "AKI", c->aki, sizeof(c->aki));
	show_time(out, "Not before", c->notbefore);
	show_time(out, "Not after", c->notafter);
	show_uri(out, "AIA", c->aia);
	show_uri(out, "CRL", c->crldp);
	show_uri(out, "Repository", c->repo);
	show_uri(out, "Manifest", c->mft);
	show_uri(out, "RRDP notify", c->notify);
	show_uri(out, "Signed object", c->signedobj);
	show_ips(out, c->ips);
	show_ases(out, c->ases);
}

static void
show_crl(FILE *out, const struct crl *crl)
{
	char	name[SHOW_NAME_LEN];
	size_t	i;

	show_kv(out, "Issuer", "%s", show_name(X509_CRL_get_issuer(
	    crl->x509_crl), name, sizeof(name)));
	show_hex(out, "AKI", crl->aki, sizeof(crl->aki));
	show_hex(out, "CRL number", crl->number, crl->number_len);
	show_time(out, "This update", crl->this_update);
	show_time(out, "Next update", crl->next_update);
	show_kv(out, "Revoked", "%zu", crl->nrevoked);
	for (i = 0; i < crl->nrevoked; i++)
		show_hex(out, NULL, crl->revoked[i].bytes, crl->revoked[i].len);
}

static void
show_mft(FILE *out, const struct mft *mft)
{
	char	num[MFT_NUMBER_STRLEN], h[HASH_SHA256_HEX_LEN + 1];
	size_t	i;

	mft_number_hex(mft, num);
	show_kv(out, "Manifest number", "%s", num);
	show_time(out, "This update", mft->this_update);
	show_time(out, "Next update", mft->next_update);
	for (i = 0; i < mft->nfiles; i++) {
		hash_hex_encode(mft->files[i].hash, HASH_SHA256_LEN, h);
		show_kv(out, i == 0 ? "Files" : NULL, "%s %s",
		    mft->files[i].name, h);
	}
}

static void
show_roa(FILE *out, const struct roa *roa)
{
	char	buf[PREFIX_STRLEN];
	size_t	i;

	show_kv(out, "asID", "AS%u", roa->asid);
	for (i = 0; i < roa->nips; i++) {
		prefix_format(&roa->ips[i].prefix, buf, sizeof(buf));
		show_kv(out, i == 0 ? "Prefixes" : NULL, "%s maxlen %u", buf,
		    roa->ips[i].maxlen);
	}
}

static void
show_aspa(FILE *out, const struct aspa_object *aspa)
{
	size_t	i;

	show_kv(out, "Customer", "AS%u", aspa->customer);
	for (i = 0; i < aspa->nproviders; i++)
		show_kv(out, i == 0 ? "Providers" : NULL, "AS%u",
		    aspa->providers[i]);
}

static void
show_tak_key(FILE *out, const char *what, const struct tak_key *k)
{
	size_t	i;

	if (k == NULL)
		return;
	show_kv(out, what, "%s", "");
	for (i = 0; i < k->ncomments; i++)
		show_kv(out, i == 0 ? "  Comments" : NULL, "%s",
		    k->comments[i]);
	for (i = 0; i < k->nuris; i++)
		show_kv(out, i == 0 ? "  URIs" : NULL, "%s", k->uris[i]);
	show_hex(out, "  SKI", k->ski, sizeof(k->ski));
	show_key(out, "  Key", k->spki, k->spki_len);
}

static void
show_rsc(FILE *out, const struct rsc *rsc)
{
	char	h[HASH_SHA256_HEX_LEN + 1];
	size_t	i;

	fprintf(out, "Signed resources:\n");
	show_ips(out, rsc->ips);
	show_ases(out, rsc->ases);
	for (i = 0; i < rsc->nfiles; i++) {
		hash_hex_encode(rsc->files[i].hash, HASH_SHA256_LEN, h);
		show_kv(out, i == 0 ? "Checklist" : NULL, "%s %s",
		    rsc->files[i].name != NULL ? rsc->files[i].name : "-", h);
	}
}

/* The vCard line by line, as published (folded lines stay folded). */
static void
show_gbr(FILE *out, const struct gbr *gbr)
{
	const char	*p = gbr->vcard;
	size_t		 n;
	int		 first = 1;

	while (*p != '\0') {
		n = strcspn(p, "\r\n");
		show_kv(out, first ? "vCard" : NULL, "%.*s", (int)n, p);
		first = 0;
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
}

static void
show_tal(FILE *out, const struct tal *tal)
{
	size_t	i;

	show_kv(out, "Name", "%s", tal->name);
	for (i = 0; i < tal->nuris; i++)
		show_kv(out, i == 0 ? "URIs" : NULL, "%s", tal->uris[i]);
	show_key(out, "Key", tal->spki, tal->spki_len);
}

static void
show_payload(FILE *out, const struct show_obj *obj)
{
	switch (obj->type) {
	case SHOW_CERT:
		break;
	case SHOW_CRL:
		show_crl(out, obj->u.crl);
		break;
	case SHOW_MFT:
		show_mft(out, obj->u.mft);
		break;
	case SHOW_ROA:
		show_roa(out, obj->u.roa);
		break;
	case SHOW_ASPA:
		show_aspa(out, obj->u.aspa);
		break;
	case SHOW_TAK:
		show_tak_key(out, "Current key", obj->u.tak->current);
		show_tak_key(out, "Predecessor key", obj->u.tak->predecessor);
		show_tak_key(out, "Successor key", obj->u.tak->successor);
		break;
	case SHOW_RSC:
		show_rsc(out, obj->u.rsc);
		break;
	case SHOW_GBR:
		show_gbr(out, obj->u.gbr);
		break;
	case SHOW_TAL:
		show_tal(out, obj->u.tal);
		break;
	}
}

void
show_text(FILE *out, const struct show_obj *obj)
{
	char	t[GTIME_ISO_LEN + 1];

	show_kv(out, "File", "%s", obj->file);
	show_kv(out, "Type", "%s", show_type_name(obj));
	if (obj->cert != NULL) {
		if (obj->type != SHOW_CERT)
			fprintf(out, "EE certificate:\n");
		show_cert(out, obj->cert);
	}
	if (obj->has_signing_time)
		show_time(out, "Signing time", obj->signing_time);
	show_payload(out, obj);
	if (gtime_format_iso(obj->now, t, sizeof(t)) == -1)
		t[0] = '\0';
	if (obj->valid)
		show_kv(out, "Validity", "valid at %s", t);
	else
		show_kv(out, "Validity", "invalid at %s: %s", t,
		    obj->valid_why);
	if (obj->issuer_file != NULL)
		show_kv(out, "Issuer check", "%s: %s%s", obj->issuer_file,
		    obj->issuer_ok ? "ok" : "failed: ",
		    obj->issuer_ok ? "" : obj->issuer_why);
}
