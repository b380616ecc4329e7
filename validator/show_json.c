/*
 * reef show, JSON output: one object per file, its schema documented in
 * reef(8) under "show".  Optional fields are omitted rather
 * than null so that consumers test for presence only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/b64.h"
#include "common/gtime.h"
#include "common/hash.h"
#include "common/json.h"
#include "validator/cmd_show.h"

/* Longest binary value written in hex: a SHA-256 digest. */
#define SHOW_HEX_MAX	HASH_SHA256_LEN

static void
js_time(struct json *j, const char *key, int64_t t)
{
	char	buf[GTIME_ISO_LEN + 1];

	if (gtime_format_iso(t, buf, sizeof(buf)) == -1)
		json_kv_int(j, key, t);
	else
		json_kv_string(j, key, buf);
}

/* Hex of len bytes as a value; "0" when len is 0 (a zero number). */
static void
js_hex(struct json *j, const unsigned char *p, size_t len)
{
	char	buf[2 * SHOW_HEX_MAX + 1];

	if (len > SHOW_HEX_MAX)
		len = SHOW_HEX_MAX;
	hash_hex_encode(p, len, buf);
	json_string(j, len == 0 ? "0" : buf);
}

static void
js_kv_hex(struct json *j, const char *key, const unsigned char *p,
    size_t len)
{
	json_key(j, key);
	js_hex(j, p, len);
}

static void
js_kv_opt(struct json *j, const char *key, const char *s)
{
	if (s != NULL)
		json_kv_string(j, key, s);
}

static void
js_kv_key(struct json *j, const char *key, const unsigned char *spki,
    size_t len)
{
	char	*b64 = NULL;

	if (b64_encode(spki, len, &b64, NULL) == 0)
		json_kv_string(j, key, b64);
	free(b64);
}

static void
js_strings(struct json *j, const char *key, char *const *s, size_t n)
{
	size_t	i;

	json_key(j, key);
	json_array_begin(j);
	for (i = 0; i < n; i++)
		json_string(j, s[i]);
	json_array_end(j);
}

/* {"ipv4": [...] | "inherit", "ipv6": ..., "asn": ...}; absent omitted. */
static void
js_resources(struct json *j, const struct ip_res *ips,
    const struct as_res *ases)
{
	static const char *const keys[IP_RES_NAFI] = { "ipv4", "ipv6" };
	static const unsigned int afis[IP_RES_NAFI] = { AFI_IPV4, AFI_IPV6 };
	char	buf[IP_RANGE_STRLEN];
	size_t	i;
	int	f;

	json_key(j, "resources");
	json_object_begin(j);
	for (f = 0; ips != NULL && f < IP_RES_NAFI; f++) {
		if (!ips->afi[f].present)
			continue;
		if (ips->afi[f].inherit) {
			json_kv_string(j, keys[f], "inherit");
			continue;
		}
		json_key(j, keys[f]);
		json_array_begin(j);
		for (i = 0; i < ips->afi[f].nranges; i++)
			if (ip_range_format(afis[f], &ips->afi[f].ranges[i],
			    buf, sizeof(buf)) != -1)
				json_string(j, buf);
		json_array_end(j);
	}
	if (ases != NULL && ases->inherit)
		json_kv_string(j, "asn", "inherit");
	else if (ases != NULL) {
		json_key(j, "asn");
		json_array_begin(j);
		for (i = 0; i < ases->nranges; i++) {
			json_object_begin(j);
			json_kv_uint(j, "min", ases->ranges[i].min);
			json_kv_uint(j, "max", ases->ranges[i].max);
			json_object_end(j);
		}
		json_array_end(j);
	}
	json_object_end(j);
}

static void
js_cert(struct json *j, const char *key, const struct cert *c)
{
	char	name[SHOW_NAME_LEN];
	X509	*x = cert_x509(c);	/* made from c->der if need be */

	json_key(j, key);
	json_object_begin(j);
	json_kv_string(j, "purpose", cert_purpose_name(c->purpose));
	json_kv_string(j, "issuer", show_name(x == NULL ? NULL :
	    X509_get_issuer_name(x), name, sizeof(name)));
	json_kv_string(j, "subject", show_name(x == NULL ? NULL :
	    X509_get_subject_name(x), name, sizeof(name)));
	X509_free(x);
	json_kv_string(j, "serial", c->serial);
	js_kv_hex(j, "ski", c->ski, sizeof(c->ski));
	if (c->has_aki)
		js_kv_hex(j, "aki", c->aki, sizeof(c->aki));
	js_time(j, "not_before", c->notbefore);
	js_time(j, "not_after", c->notafter);
	js_kv_opt(j, "aia", c->aia);
	js_kv_opt(j, "crl", c->crldp);
	js_kv_opt(j, "repository", c->repo);
	js_kv_opt(j, "manifest", c->mft);
	js_kv_opt(j, "notify", c->notify);
	js_kv_opt(j, "signed_object", c->signedobj);
	js_resources(j, c->ips, c->ases);
	json_object_end(j);
}

static void
js_crl(struct json *j, const struct crl *crl)
{
	char	name[SHOW_NAME_LEN];
	size_t	i;

	json_key(j, "crl");
	json_object_begin(j);
	json_kv_string(j, "issuer", show_name(X509_CRL_get_issuer(
	    crl->x509_crl), name, sizeof(name)));
	js_kv_hex(j, "aki", crl->aki, sizeof(crl->aki));
	js_kv_hex(j, "number", crl->number, crl->number_len);
	js_time(j, "this_update", crl->this_update);
	js_time(j, "next_update", crl->next_update);
	json_key(j, "revoked");
	json_array_begin(j);
	for (i = 0; i < crl->nrevoked; i++)
		js_hex(j, crl->revoked[i].bytes, crl->revoked[i].len);
	json_array_end(j);
	json_object_end(j);
}

static void
js_mft(struct json *j, const struct mft *mft)
{
	char	num[MFT_NUMBER_STRLEN];
	size_t	i;

	mft_number_hex(mft, num);
	json_key(j, "manifest");
	json_object_begin(j);
	json_kv_string(j, "number", num);
	js_time(j, "this_update", mft->this_update);
	js_time(j, "next_update", mft->next_update);
	json_key(j, "files");
	json_array_begin(j);
	for (i = 0; i < mft->nfiles; i++) {
		json_object_begin(j);
		json_kv_string(j, "name", mft->files[i].name);
		js_kv_hex(j, "hash", mft->files[i].hash, HASH_SHA256_LEN);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
js_roa(struct json *j, const struct roa *roa)
{
	char	buf[PREFIX_STRLEN];
	size_t	i;

	json_key(j, "roa");
	json_object_begin(j);
	json_kv_uint(j, "asid", roa->asid);
	json_key(j, "prefixes");
	json_array_begin(j);
	for (i = 0; i < roa->nips; i++) {
		prefix_format(&roa->ips[i].prefix, buf, sizeof(buf));
		json_object_begin(j);
		json_kv_string(j, "prefix", buf);
		json_kv_uint(j, "max_length", roa->ips[i].maxlen);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
js_aspa(struct json *j, const struct aspa_object *aspa)
{
	size_t	i;

	json_key(j, "aspa");
	json_object_begin(j);
	json_kv_uint(j, "customer", aspa->customer);
	json_key(j, "providers");
	json_array_begin(j);
	for (i = 0; i < aspa->nproviders; i++)
		json_uint(j, aspa->providers[i]);
	json_array_end(j);
	json_object_end(j);
}

static void
js_tak_key(struct json *j, const char *key, const struct tak_key *k)
{
	if (k == NULL)
		return;
	json_key(j, key);
	json_object_begin(j);
	js_strings(j, "comments", k->comments, k->ncomments);
	js_strings(j, "uris", k->uris, k->nuris);
	js_kv_hex(j, "ski", k->ski, sizeof(k->ski));
	js_kv_key(j, "key", k->spki, k->spki_len);
	json_object_end(j);
}

static void
js_rsc(struct json *j, const struct rsc *rsc)
{
	size_t	i;

	json_key(j, "rsc");
	json_object_begin(j);
	js_resources(j, rsc->ips, rsc->ases);
	json_key(j, "checklist");
	json_array_begin(j);
	for (i = 0; i < rsc->nfiles; i++) {
		json_object_begin(j);
		js_kv_opt(j, "name", rsc->files[i].name);
		js_kv_hex(j, "hash", rsc->files[i].hash, HASH_SHA256_LEN);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
js_gbr(struct json *j, const struct gbr *gbr)
{
	json_key(j, "gbr");
	json_object_begin(j);
	js_kv_opt(j, "fn", gbr->fn);
	js_kv_opt(j, "org", gbr->org);
	js_kv_opt(j, "adr", gbr->adr);
	js_kv_opt(j, "tel", gbr->tel);
	js_kv_opt(j, "email", gbr->email);
	json_kv_string(j, "vcard", gbr->vcard);
	json_object_end(j);
}

static void
js_payload(struct json *j, const struct show_obj *obj)
{
	switch (obj->type) {
	case SHOW_CERT:
		break;
	case SHOW_CRL:
		js_crl(j, obj->u.crl);
		break;
	case SHOW_MFT:
		js_mft(j, obj->u.mft);
		break;
	case SHOW_ROA:
		js_roa(j, obj->u.roa);
		break;
	case SHOW_ASPA:
		js_aspa(j, obj->u.aspa);
		break;
	case SHOW_TAK:
		json_key(j, "tak");
		json_object_begin(j);
		js_tak_key(j, "current", obj->u.tak->current);
		js_tak_key(j, "predecessor", obj->u.tak->predecessor);
		js_tak_key(j, "successor", obj->u.tak->successor);
		json_object_end(j);
		break;
	case SHOW_RSC:
		js_rsc(j, obj->u.rsc);
		break;
	case SHOW_GBR:
		js_gbr(j, obj->u.gbr);
		break;
	case SHOW_TAL:
		json_key(j, "tal");
		json_object_begin(j);
		json_kv_string(j, "name", obj->u.tal->name);
		js_strings(j, "uris", obj->u.tal->uris, obj->u.tal->nuris);
		js_kv_key(j, "key", obj->u.tal->spki, obj->u.tal->spki_len);
		json_object_end(j);
		break;
	}
}

static void
js_checks(struct json *j, const struct show_obj *obj)
{
	json_key(j, "checks");
	json_object_begin(j);
	js_time(j, "at", obj->now);
	json_kv_bool(j, "valid", obj->valid);
	if (!obj->valid)
		json_kv_string(j, "reason", obj->valid_why);
	if (obj->issuer_file != NULL) {
		json_key(j, "issuer");
		json_object_begin(j);
		json_kv_string(j, "file", obj->issuer_file);
		json_kv_bool(j, "valid", obj->issuer_ok);
		if (!obj->issuer_ok)
			json_kv_string(j, "reason", obj->issuer_why);
		json_object_end(j);
	}
	json_object_end(j);
}

int
show_json(struct json *j, const struct show_obj *obj)
{
	json_object_begin(j);
	json_kv_string(j, "file", obj->file);
	json_kv_string(j, "type", show_type_name(obj));
	if (obj->cert != NULL)
		js_cert(j, obj->type == SHOW_CERT ? "certificate" : "ee",
		    obj->cert);
	if (obj->has_signing_time)
		js_time(j, "signing_time", obj->signing_time);
	js_payload(j, obj);
	js_checks(j, obj);
	json_object_end(j);
	return json_failed(j) ? -1 : 0;
}
