/*
 * One CA's publication point in one generation: child CA certificates,
 * ROAs, ASPA objects, BGPsec router certificates, the CRL and the manifest,
 * plus the expected output they contribute.  One call per CA; calls for
 * different CAs share nothing mutable, so they run in parallel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "repogen.h"

enum { P_MFT = 20, P_ROUTER = 21 };

#define BAD_SIG_OFFSET	10	/* the signature ends a signed object */
#define GARBAGE		"GARBAGE!"

/* State of one publication point job. */
struct pp {
	struct gen	*g;
	struct ca	*c;
	int		 gen;
	int64_t		 now;		/* this generation's issue time */
	EVP_PKEY	*key;
	X509		*stub;		/* carries the CA's name and SKI */
	char		 dir[RG_MAX_PATH];
	char		 uri[RG_MAX_PATH];
	char		 crl_name[RG_NAME_LEN + 8];
	char		 crl_uri[RG_MAX_PATH];
	char		 cert_uri[RG_MAX_PATH];
	struct mft_entry *mft;
	size_t		 nmft, mftcap;
};

static void
set_dinfo(struct pp *pp, int d, const char *uri, size_t vrps)
{
	struct defect_info	*di = &pp->g->dinfo[pp->gen][d];

	free(di->uri);
	di->uri = rg_xstrdup(uri);
	di->vrps = vrps;
}

/* Write a file of the publication point and list it on the manifest. */
static int
publish(struct pp *pp, const char *fname, const struct buf *b, int listed,
    int written)
{
	char	path[RG_MAX_PATH + RG_NAME_LEN + 8];

	if (listed) {
		if (pp->nmft == pp->mftcap) {
			pp->mftcap = pp->mftcap ? pp->mftcap * 2 : 16;
			pp->mft = rg_xreallocarray(pp->mft, pp->mftcap,
			    sizeof(*pp->mft));
		}
		rg_uri_printf(pp->mft[pp->nmft].name,
		    sizeof(pp->mft[pp->nmft].name), "%s", fname);
		rg_sha256(b->p, b->len, pp->mft[pp->nmft].hash);
		pp->nmft++;
	}
	if (!written)
		return 0;
	rg_uri_printf(path, sizeof(path), "%s/%s", pp->dir, fname);
	pp->c->out.files++;
	pp->c->out.bytes += b->len;
	return rg_write_file(path, b->p, b->len);
}

/*
 * From generation 2 on, an object whose content does not change is copied
 * from the previous generation instead of being signed again: everything is
 * deterministic, so the bytes are the same either way, and copying is much
 * cheaper.  Returns 1 if copied and published, 0 if the caller must build
 * the object, -1 on error.
 */
static int
reuse(struct pp *pp, const char *fname, int listed)
{
	char		 mod[64], path[RG_MAX_PATH + RG_NAME_LEN + 64];
	uint8_t		 chunk[16384];
	struct buf	 b = { 0 };
	FILE		*f;
	size_t		 n;
	int		 rc;

	if (pp->gen < 2)
		return 0;
	rg_uri_printf(path, sizeof(path), "%s/gen%d/rsync/%s/%s/%s",
	    pp->g->outdir, pp->gen - 1, rg_tree_module(pp->g, pp->c->repo, mod,
	    sizeof(mod)), pp->c->name, fname);
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rg_buf_add(&b, chunk, n);
	rc = ferror(f) ? 0 : 1;
	fclose(f);
	if (rc == 1 && publish(pp, fname, &b, listed, 1) == -1)
		rc = -1;
	rg_buf_free(&b);
	return rc;
}

static void
vrp_add(struct ca *c, uint32_t asid, const struct pfx *p)
{
	struct ca_out	*o = &c->out;

	if (o->nvrps == o->vrpcap) {
		o->vrpcap = o->vrpcap ? o->vrpcap * 2 : 16;
		o->vrps = rg_xreallocarray(o->vrps, o->vrpcap, sizeof(*o->vrps));
	}
	o->vrps[o->nvrps].asid = asid;
	o->vrps[o->nvrps].p = *p;
	o->vrps[o->nvrps].ta = (uint16_t)c->ta;
	o->nvrps++;
}

/* A CA certificate for k issued by issuer/ikey (self-signed for a TA). */
static X509 *
ca_cert_make(struct gen *g, struct ca *k, X509 *issuer, EVP_PKEY *ikey,
    EVP_PKEY *kkey)
{
	struct cert_args	 a = { 0 };
	struct range		 as = k->as;
	struct pfx		 extra, *px = NULL;
	char			 crl[RG_MAX_PATH], aia[RG_MAX_PATH];
	char			 repo[RG_MAX_PATH], mft[RG_MAX_PATH];
	char			 notify[RG_MAX_PATH], mod[64];
	X509			*x;

	a.subject_key = kkey;
	a.issuer_key = ikey;
	a.issuer = issuer;
	a.cn = k->name;
	a.serial = k->serial;
	a.not_before = g->base;
	a.not_after = g->base + RG_CERT_LIFE;
	if (k->defects & (1U << DEF_EXPIRED_CERT)) {
		a.not_before = g->base - 2 * RG_YEAR;
		a.not_after = g->base - RG_YEAR;
	} else if (k->defects & (1U << DEF_NOT_YET_VALID_CERT)) {
		a.not_before = g->base + 40 * RG_YEAR;
		a.not_after = g->base + 50 * RG_YEAR;
	}
	a.is_ca = 1;
	if (k->parent != -1) {
		const struct ca	*p = &g->cas[k->parent];

		rg_tree_ca_dir_uri(g, p, crl, sizeof(crl));
		rg_uri_printf(crl + strlen(crl), sizeof(crl) - strlen(crl),
		    "%s.crl", p->name);
		rg_tree_ca_cert_uri(g, p, aia, sizeof(aia));
		a.crldp = crl;
		a.aia = aia;
	}
	rg_tree_ca_dir_uri(g, k, repo, sizeof(repo));
	rg_uri_printf(mft, sizeof(mft), "%s%s.mft", repo, k->name);
	rg_uri_printf(notify, sizeof(notify), "https://%s/rrdp/%s/notification.xml",
	    g->https_host, rg_tree_module(g, k->repo, mod, sizeof(mod)));
	a.sia_repo = repo;
	a.sia_mft = mft;
	a.sia_notify = notify;
	if ((x = rg_cert_build(&a)) == NULL)
		return NULL;
	/*
	 * ca-overclaim: an extra prefix outside the parent's resources, or,
	 * under a TA holding all addresses, an AS number outside them.
	 */
	if (k->defects & (1U << DEF_CA_OVERCLAIM)) {
		const struct ca	*p = &g->cas[k->parent];

		if (rg_res_outside(&p->ev4, &p->ev6, &extra) == 0)
			px = &extra;
		else {
			as = k->as;
			if (p->eas.lo > 0)
				as.lo = p->eas.lo - 1;
			else
				as.hi = p->eas.hi + 1;
		}
	}
	if ((k->ip_inherit ? rg_res_add_ip_inherit(x) :
	    rg_res_add_ip(x, &k->v4, &k->v6, px)) == -1 ||
	    rg_res_add_as(x, &as, k->as_inherit) == -1 ||
	    rg_cert_sign(x, ikey) == -1) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
write_child(struct pp *pp, struct ca *k)
{
	EVP_PKEY	*kkey;
	X509		*x = NULL;
	struct buf	 b = { 0 };
	char		 fname[RG_NAME_LEN + 8], uri[RG_MAX_PATH];
	int		 rc = -1, d;

	rg_uri_printf(fname, sizeof(fname), "%s.cer", k->name);
	rg_uri_printf(uri, sizeof(uri), "%s%s", pp->uri, fname);
	for (d = 0; d < DEF__COUNT; d++)
		if ((k->defects & (1U << d)) && rg_defect_scope(d) == SCOPE_CERT)
			set_dinfo(pp, d, uri, 0);
	/* CA certificates never change between generations. */
	if ((rc = reuse(pp, fname, 1)) != 0)
		return rc == 1 ? 0 : -1;
	rc = -1;
	if ((kkey = rg_keys_load_ca(pp->g, k->key)) == NULL)
		return -1;
	if ((x = ca_cert_make(pp->g, k, pp->stub, pp->key, kkey)) == NULL ||
	    rg_cert_der(x, &b) == -1)
		goto out;
	if (publish(pp, fname, &b, 1, 1) == -1)
		goto out;
	rc = 0;
 out:
	rg_buf_free(&b);
	X509_free(x);
	EVP_PKEY_free(kkey);
	return rc;
}

/* An EE certificate for the object fname, resources added by the caller. */
static X509 *
ee_make(struct pp *pp, const char *cn, const char *fname, uint64_t serial,
    EVP_PKEY *key, int64_t nb, int64_t na, int router)
{
	struct cert_args	a = { 0 };
	char			obj[RG_MAX_PATH];

	rg_uri_printf(obj, sizeof(obj), "%s%s", pp->uri, fname);
	a.subject_key = key;
	a.issuer_key = pp->key;
	a.issuer = pp->stub;
	a.cn = cn;
	a.serial = serial;
	a.not_before = nb;
	a.not_after = na;
	a.is_router = router;
	a.crldp = pp->crl_uri;
	a.aia = pp->cert_uri;
	a.sia_object = router ? NULL : obj;
	return rg_cert_build(&a);
}

/* Apply a byte-level defect to a signed object. */
static void
mangle(struct buf *b, int defect)
{
	struct buf	 t = { 0 };
	size_t		 hl;

	switch (defect) {
	case DEF_BAD_SIGNATURE:
		b->p[b->len - BAD_SIG_OFFSET] ^= 0x01;
		break;
	case DEF_TRUNCATED_DER:
		b->len = b->len * 2 / 3;
		break;
	case DEF_TRAILING_GARBAGE:
		rg_buf_add(b, GARBAGE, sizeof(GARBAGE) - 1);
		break;
	case DEF_BER_NOT_DER:
		/* Re-encode the outer SEQUENCE with indefinite length. */
		hl = (b->p[1] & 0x80) ? 2 + (size_t)(b->p[1] & 0x7f) : 2;
		rg_buf_add(&t, "\x30\x80", 2);
		rg_buf_add(&t, b->p + hl, b->len - hl);
		rg_buf_add(&t, "\0\0", 2);
		rg_buf_free(b);
		*b = t;
		break;
	default:
		break;
	}
}

/* The encoding a defect asks of the CMS signer. */
static enum rg_cms_form
cms_form(int defect)
{
	switch (defect) {
	case DEF_SIGNED_ATTRS_UNSORTED:
		return RG_CMS_ATTRS_UNSORTED;
	case DEF_SIGNED_ATTRS_INDEFINITE:
		return RG_CMS_ATTRS_INDEFINITE;
	case DEF_ECONTENT_ABSENT:
		return RG_CMS_NO_ECONTENT;
	default:
		return RG_CMS_DER;
	}
}

/* Build, sign and publish ROA s (its EE certificate holds ee). */
static int
build_roa(struct pp *pp, const struct roa_spec *s, const struct pfx *ee,
    int nee, EVP_PKEY *key, int64_t nb, const char *fname, struct buf *obj)
{
	struct buf	 ec = { 0 };
	struct cms_args	 ca = { 0 };
	X509		*x;
	int		 rc = -1;

	if ((x = ee_make(pp, s->name, fname, s->serial, key, nb,
	    pp->g->base + RG_CERT_LIFE, 0)) == NULL ||
	    rg_res_add_ip_pfx(x, ee, nee) == -1 || rg_cert_sign(x, pp->key) == -1)
		goto out;
	rg_roa_econtent(s, &ec);
	ca.econtent_oid = s->defect == DEF_WRONG_ECONTENT ? OID_CT_GBR :
	    OID_CT_ROA;
	ca.econtent = ec.p;
	ca.econtent_len = ec.len;
	ca.ee = x;
	ca.ee_key = key;
	ca.signing_time = nb;
	ca.form = cms_form(s->defect);
	if (rg_cms_sign(&ca, obj) == -1)
		goto out;
	mangle(obj, s->defect);
	if (publish(pp, fname, obj, s->defect != DEF_FILE_NOT_ON_MFT,
	    s->defect != DEF_FILE_MISSING) == -1)
		goto out;
	rc = 0;
 out:
	rg_buf_free(&ec);
	X509_free(x);
	return rc;
}

static int
write_roa(struct pp *pp, const struct roa_spec *s)
{
	struct pfx	 ee[RG_MAX_ROA_PFX];
	struct buf	 obj = { 0 };
	EVP_PKEY	*key = pp->g->ee_keys[s->serial % RG_EE_POOL];
	char		 fname[RG_NAME_LEN + 8], uri[RG_MAX_PATH];
	int		 i, nee = 0, rc = -1, valid, r = 0;
	int64_t		 nb = pp->g->base + (s->born - 1) * RG_DAY;

	for (i = 0; i < s->npfx; i++) {
		if (s->defect == DEF_ROA_PFX_OUTSIDE_EE &&
		    s->pfx[i].afi == s->xpfx.afi &&
		    s->pfx[i].addr == s->xpfx.addr &&
		    s->pfx[i].len == s->xpfx.len)
			continue;
		ee[nee++] = s->pfx[i];
	}
	rg_uri_printf(fname, sizeof(fname), "%s.roa", s->name);
	rg_uri_printf(uri, sizeof(uri), "%s%s", pp->uri, fname);
	/* An unchanged ROA (issued in an earlier generation) is copied. */
	if (s->born < pp->gen && s->defect != DEF_FILE_MISSING &&
	    (r = reuse(pp, fname, s->defect != DEF_FILE_NOT_ON_MFT)) == -1)
		goto out;
	if (r == 0 && build_roa(pp, s, ee, nee, key, nb, fname, &obj) == -1)
		goto out;
	pp->c->out.roas++;
	valid = s->defect == -1 || (rg_defect_scope(s->defect) != SCOPE_ROA &&
	    s->defect != DEF_FILE_NOT_ON_MFT);
	if (valid)
		pp->c->out.own_vrps += (size_t)s->npfx;
	if (valid && pp->c->alive)
		for (i = 0; i < s->npfx; i++)
			vrp_add(pp->c, s->asid, &s->pfx[i]);
	if (s->defect != -1) {
		struct defect_info	*di = &pp->g->dinfo[pp->gen][s->defect];

		set_dinfo(pp, s->defect, uri, valid ? 0 : (size_t)s->npfx);
		di->asid = s->asid;
		di->ta = (uint16_t)pp->c->ta;
		di->npfx = s->npfx;
		memcpy(di->pfx, s->pfx, sizeof(di->pfx));
	}
	rc = 0;
 out:
	rg_buf_free(&obj);
	return rc;
}

static int
write_aspa(struct pp *pp, int i)
{
	struct aspa_out	 a;
	struct buf	 ec = { 0 }, obj = { 0 };
	struct cms_args	 ca = { 0 };
	struct range	 cust;
	X509		*x = NULL;
	EVP_PKEY	*key;
	uint64_t	 serial;
	char		 name[RG_NAME_LEN], fname[RG_NAME_LEN + 8];
	int		 rc = -1, r;
	struct ca_out	*o = &pp->c->out;

	rg_aspa_plan(pp->g, pp->c, i, &a, name, &serial);
	key = pp->g->ee_keys[serial % RG_EE_POOL];
	cust.lo = cust.hi = a.customer;
	rg_uri_printf(fname, sizeof(fname), "%s.asa", name);
	/* ASPA objects never change between generations. */
	if ((r = reuse(pp, fname, 1)) == -1)
		goto out;
	if (r == 1)
		goto done;
	/* The EE carries the customer AS only (no IP resources). */
	if ((x = ee_make(pp, name, fname, serial, key, pp->g->base,
	    pp->g->base + RG_CERT_LIFE, 0)) == NULL ||
	    rg_res_add_as(x, &cust, 0) == -1 || rg_cert_sign(x, pp->key) == -1)
		goto out;
	rg_aspa_econtent(&a, &ec);
	ca.econtent_oid = OID_CT_ASPA;
	ca.econtent = ec.p;
	ca.econtent_len = ec.len;
	ca.ee = x;
	ca.ee_key = key;
	ca.signing_time = pp->g->base;
	if (rg_cms_sign(&ca, &obj) == -1 || publish(pp, fname, &obj, 1, 1) == -1)
		goto out;
 done:
	if (pp->c->alive) {
		if (o->naspas == o->aspacap) {
			o->aspacap = o->aspacap ? o->aspacap * 2 : 4;
			o->aspas = rg_xreallocarray(o->aspas, o->aspacap,
			    sizeof(*o->aspas));
		}
		o->aspas[o->naspas++] = a;
	}
	rc = 0;
 out:
	rg_buf_free(&ec);
	rg_buf_free(&obj);
	X509_free(x);
	return rc;
}

static void
rk_add(struct ca *c, uint32_t asid, EVP_PKEY *k)
{
	struct ca_out	*o = &c->out;
	unsigned char	*der = NULL;
	int		 len;

	if (o->nrks == o->rkcap) {
		o->rkcap = o->rkcap ? o->rkcap * 2 : 4;
		o->rks = rg_xreallocarray(o->rks, o->rkcap, sizeof(*o->rks));
	}
	o->rks[o->nrks].asid = asid;
	rg_cert_ski_hex(k, o->rks[o->nrks].ski);
	len = i2d_PUBKEY(k, &der);
	o->rks[o->nrks].spki_b64 = rg_b64_encode(der, len > 0 ? (size_t)len : 0);
	OPENSSL_free(der);
	o->nrks++;
}

/* A BGPsec router certificate (RFC 8209): AS resources only, no SIA. */
static int
write_router(struct pp *pp, int i)
{
	struct prng	 r;
	struct range	 as;
	struct buf	 b = { 0 };
	X509		*x = NULL;
	EVP_PKEY	*key;
	uint64_t	 serial, w = pp->c->ownas.hi - pp->c->ownas.lo + 1;
	char		 name[RG_NAME_LEN], fname[RG_NAME_LEN + 8], cn[32];
	int		 rc = -1, got;

	rg_prng_init(&r, pp->g->seed, P_ROUTER, (uint64_t)pp->c->id * 8 +
	    (uint64_t)i);
	rg_rand_name(&r, name, 17);
	serial = (rg_prng_next(&r) >> 2) | 1;
	key = pp->g->ec_keys[rg_prng_below(&r, RG_EC_POOL)];
	as.lo = as.hi = pp->c->ownas.lo + (w / 2 + (uint64_t)i) % w;
	rg_uri_printf(cn, sizeof(cn), "ROUTER-%08llX", (unsigned long long)as.lo);
	rg_uri_printf(fname, sizeof(fname), "%s.cer", name);
	/* Router certificates never change between generations. */
	if ((got = reuse(pp, fname, 1)) == -1)
		goto out;
	if (got == 0 && ((x = ee_make(pp, cn, fname, serial, key, pp->g->base,
	    pp->g->base + RG_CERT_LIFE, 1)) == NULL ||
	    rg_res_add_as(x, &as, 0) == -1 || rg_cert_sign(x, pp->key) == -1 ||
	    rg_cert_der(x, &b) == -1 || publish(pp, fname, &b, 1, 1) == -1))
		goto out;
	if (pp->c->alive)
		rk_add(pp->c, (uint32_t)as.lo, key);
	rc = 0;
 out:
	rg_buf_free(&b);
	X509_free(x);
	return rc;
}

static int
write_crl(struct pp *pp, const uint64_t *rev, size_t nrev)
{
	struct buf	b = { 0 };
	int64_t		t1 = pp->now, t2 = pp->now + RG_MFT_LIFE;
	int		rc;

	if (pp->c->defects & (1U << DEF_STALE_CRL)) {
		t1 = pp->g->base - 2 * RG_YEAR;
		t2 = pp->g->base - RG_YEAR;
		set_dinfo(pp, DEF_STALE_CRL, pp->crl_uri, 0);
	}
	rc = rg_crl_build(pp->stub, pp->key, t1, t2, pp->c->mftnum +
	    (uint64_t)pp->gen - 1, rev, nrev, pp->now, &b);
	if (rc == 0)
		rc = publish(pp, pp->crl_name, &b, 1, 1);
	rg_buf_free(&b);
	return rc;
}

static int
mft_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mft_entry *)a)->name,
	    ((const struct mft_entry *)b)->name);
}

static int
write_mft(struct pp *pp, const char *hash_bad)
{
	struct prng	 r;
	struct buf	 ec = { 0 }, obj = { 0 };
	struct cms_args	 ca = { 0 };
	X509		*x = NULL;
	EVP_PKEY	*key;
	uint64_t	 serial, num;
	int64_t		 t1 = pp->now, t2 = pp->now + RG_MFT_LIFE;
	int64_t		 ee_end;
	char		 fname[RG_NAME_LEN + 8], uri[RG_MAX_PATH];
	size_t		 i;
	int		 rc = -1;

	rg_prng_init(&r, pp->g->seed, P_MFT, (uint64_t)pp->c->id * 4 +
	    (uint64_t)pp->gen);
	serial = (rg_prng_next(&r) >> 2) | 1;
	key = pp->g->ee_keys[serial % RG_EE_POOL];
	num = pp->c->mftnum + (uint64_t)pp->gen - 1;
	rg_uri_printf(fname, sizeof(fname), "%s.mft", pp->c->name);
	rg_uri_printf(uri, sizeof(uri), "%s%s", pp->uri, fname);
	if (pp->gen == 2 && (pp->c->defects &
	    (1U << DEF_MFT_NUMBER_BACKWARDS))) {
		num = pp->c->mftnum - 1;
		set_dinfo(pp, DEF_MFT_NUMBER_BACKWARDS, uri, 0);
	}
	ee_end = t2;
	if (pp->c->defects & (1U << DEF_STALE_MFT)) {
		t1 = pp->g->base - 2 * RG_YEAR;
		t2 = pp->g->base - RG_YEAR;
		/* Keep the EE valid: the defect is the stale nextUpdate. */
		ee_end = pp->g->base + RG_CERT_LIFE;
		set_dinfo(pp, DEF_STALE_MFT, uri, 0);
	}
	qsort(pp->mft, pp->nmft, sizeof(*pp->mft), mft_cmp);
	for (i = 0; i < pp->nmft; i++)
		if (hash_bad != NULL && strcmp(pp->mft[i].name, hash_bad) == 0)
			pp->mft[i].hash[0] ^= 0x80;
	/* RFC 9286 section 5.1: the manifest EE uses "inherit". */
	if ((x = ee_make(pp, pp->c->name, fname, serial, key, t1, ee_end,
	    0)) == NULL || rg_res_add_ip_inherit(x) == -1 ||
	    rg_res_add_as(x, NULL, 1) == -1 || rg_cert_sign(x, pp->key) == -1)
		goto out;
	rg_mft_econtent(num, t1, t2, pp->mft, pp->nmft, &ec);
	ca.econtent_oid = OID_CT_MFT;
	ca.econtent = ec.p;
	ca.econtent_len = ec.len;
	ca.ee = x;
	ca.ee_key = key;
	ca.signing_time = t1;
	if (rg_cms_sign(&ca, &obj) == -1 || publish(pp, fname, &obj, 0, 1) == -1)
		goto out;
	rc = 0;
 out:
	rg_buf_free(&ec);
	rg_buf_free(&obj);
	X509_free(x);
	return rc;
}

static int
pp_init(struct pp *pp, struct gen *g, int id)
{
	struct cert_args	a = { 0 };

	memset(pp, 0, sizeof(*pp));
	pp->g = g;
	pp->c = &g->cas[id];
	pp->gen = g->cur_gen;
	pp->now = g->base + (pp->gen - 1) * RG_DAY;
	rg_tree_ca_path(g, pp->c, pp->dir, sizeof(pp->dir));
	rg_tree_ca_dir_uri(g, pp->c, pp->uri, sizeof(pp->uri));
	rg_tree_ca_cert_uri(g, pp->c, pp->cert_uri, sizeof(pp->cert_uri));
	rg_uri_printf(pp->crl_name, sizeof(pp->crl_name), "%s.crl", pp->c->name);
	rg_uri_printf(pp->crl_uri, sizeof(pp->crl_uri), "%s%s", pp->uri,
	    pp->crl_name);
	if (rg_mkdir_p(pp->dir) == -1)
		return -1;
	if ((pp->key = rg_keys_load_ca(g, pp->c->key)) == NULL)
		return -1;
	a.subject_key = pp->key;
	a.issuer_key = pp->key;
	a.cn = pp->c->name;
	a.serial = pp->c->serial;
	a.not_before = g->base;
	a.not_after = g->base + RG_CERT_LIFE;
	pp->stub = rg_cert_build(&a);
	return pp->stub == NULL ? -1 : 0;
}

static const char *
hash_bad_name(const struct roa_spec *s, int n, char *out, size_t sz)
{
	int	i;

	for (i = 0; i < n; i++)
		if (s[i].defect == DEF_MFT_HASH_MISMATCH) {
			rg_uri_printf(out, sz, "%s.roa", s[i].name);
			return out;
		}
	return NULL;
}

/*
 * Write the publication point of CA id for generation g->cur_gen and record
 * its expected output in g->cas[id].out.  Returns 0 or -1.
 */
int
rg_pubpoint_write(struct gen *g, int id)
{
	struct pp	 pp;
	struct roa_spec	*specs = NULL;
	uint64_t	*rev = NULL;
	size_t		 nrev = 0;
	int		 n = 0, i, rc = -1;
	char		 bad[RG_NAME_LEN + 8];
	const char	*hash_bad;

	if (pp_init(&pp, g, id) == -1)
		goto out;
	for (i = 0; i < pp.c->nchildren; i++)
		if (write_child(&pp, &g->cas[pp.c->children[i]]) == -1)
			goto out;
	rg_roa_plan(g, pp.c, pp.gen, &specs, &n, &rev, &nrev);
	for (i = 0; i < n; i++) {
		if (specs[i].defect == DEF_REVOKED_EE)
			rev[nrev++] = specs[i].serial;
		if (write_roa(&pp, &specs[i]) == -1)
			goto out;
	}
	for (i = 0; i < pp.c->naspas; i++)
		if (write_aspa(&pp, i) == -1)
			goto out;
	for (i = 0; i < pp.c->nrouters; i++)
		if (write_router(&pp, i) == -1)
			goto out;
	if (write_crl(&pp, rev, nrev) == -1)
		goto out;
	hash_bad = hash_bad_name(specs, n, bad, sizeof(bad));
	if (write_mft(&pp, hash_bad) == -1)
		goto out;
	rc = 0;
 out:
	free(specs);
	free(rev);
	free(pp.mft);
	X509_free(pp.stub);
	EVP_PKEY_free(pp.key);
	return rc;
}

/*
 * Write TA ta's certificate to module "ta" of the current generation and, in
 * the first generation, its TAL (RFC 8630) to OUT/tals.  Returns 0 or -1.
 */
int
rg_ta_write(struct gen *g, int ta)
{
	struct ca	*c = &g->cas[ta];
	EVP_PKEY	*key;
	X509		*x = NULL;
	struct buf	 b = { 0 }, tal = { 0 };
	unsigned char	*der = NULL;
	char		 path[RG_MAX_PATH * 2], line[RG_MAX_PATH], *b64 = NULL;
	int		 len, rc = -1;
	size_t		 i, n;

	if ((key = rg_keys_load_ca(g, c->key)) == NULL)
		return -1;
	if ((x = ca_cert_make(g, c, NULL, key, key)) == NULL ||
	    rg_cert_der(x, &b) == -1)
		goto out;
	rg_uri_printf(path, sizeof(path), "%s/rsync/ta", g->gendir);
	if (rg_mkdir_p(path) == -1)
		goto out;
	rg_uri_printf(path, sizeof(path), "%s/rsync/ta/%s.cer", g->gendir,
	    c->name);
	if (rg_write_file(path, b.p, b.len) == -1)
		goto out;
	c->out.files++;
	c->out.bytes += b.len;
	if (g->cur_gen == 1) {
		if ((len = i2d_PUBKEY(key, &der)) <= 0)
			goto out;
		b64 = rg_b64_encode(der, (size_t)len);
		rg_uri_printf(line, sizeof(line), "https://%s/ta/%s.cer\n"
		    "rsync://%s/ta/%s.cer\n\n", g->https_host, c->name,
		    g->rsync_host, c->name);
		rg_buf_add(&tal, line, strlen(line));
		for (i = 0, n = strlen(b64); i < n; i += 64) {
			rg_buf_add(&tal, b64 + i, n - i < 64 ? n - i : 64);
			rg_buf_add(&tal, "\n", 1);
		}
		rg_uri_printf(path, sizeof(path), "%s/tals/%s.tal", g->outdir,
		    c->name);
		if (rg_write_file(path, tal.p, tal.len) == -1)
			goto out;
	}
	rc = 0;
 out:
	free(b64);
	OPENSSL_free(der);
	rg_buf_free(&b);
	rg_buf_free(&tal);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}
