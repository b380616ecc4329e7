/*
 * reef-repogen: shared types of the RPKI repository generator.
 *
 * The generator first builds the whole CA hierarchy in memory (tree.c):
 * names, repositories, RFC 3779 resources, serials and defect targets, all
 * from the seed.  Then, per generation, one job per CA (pubpoint.c) writes
 * that CA's publication point; jobs are independent, so they run on a thread
 * pool (work.c) and the output does not depend on scheduling.
 */
#ifndef REEF_REPOGEN_H
#define REEF_REPOGEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Limits and fixed parameters. */
#define RG_MAX_TAS		64
#define RG_MAX_DEPTH		8
#define RG_MAX_PATH		4096
#define RG_EE_POOL		64	/* RSA keys shared by EE certificates */
#define RG_EC_POOL		64	/* P-256 keys for BGPsec router certs */
#define RG_RSA_BITS		2048	/* RFC 7935 section 3 */
#define RG_NAME_LEN		32
#define RG_MAX_ROA_PFX		8	/* prefixes per ROA */
#define RG_MAX_PROVIDERS	8	/* providers per ASPA */
#define RG_MAX_GENS		2
#define RG_MAX_DEFECTS		32
#define RG_DAY			86400LL
#define RG_YEAR			(365LL * RG_DAY)
/* 2026-01-01T00:00:00Z: the default base time (--time). */
#define RG_DEFAULT_TIME		1767225600LL
#define RG_CERT_LIFE		(10 * RG_YEAR)
#define RG_MFT_LIFE		(5 * RG_YEAR)

/* Defects (--defect); see defects.c and reef-repogen(1). */
enum defect {
	DEF_EXPIRED_CERT,
	DEF_NOT_YET_VALID_CERT,
	DEF_BAD_SIGNATURE,
	DEF_EE_RES_OUTSIDE,
	DEF_CA_OVERCLAIM,
	DEF_ROA_PFX_OUTSIDE_EE,
	DEF_MFT_HASH_MISMATCH,
	DEF_FILE_MISSING,
	DEF_FILE_NOT_ON_MFT,
	DEF_STALE_MFT,
	DEF_STALE_CRL,
	DEF_REVOKED_EE,
	DEF_WRONG_ECONTENT,
	DEF_TRUNCATED_DER,
	DEF_TRAILING_GARBAGE,
	DEF_BER_NOT_DER,
	DEF_MFT_NUMBER_BACKWARDS,
	DEF_SIGNED_ATTRS_UNSORTED,
	DEF_SIGNED_ATTRS_INDEFINITE,
	DEF_ECONTENT_ABSENT,
	DEF__COUNT
};

/* How a defect acts, which decides the expected outcome. */
enum defect_scope {
	SCOPE_ROA,	/* one ROA is rejected */
	SCOPE_NONE,	/* nothing valid changes */
	SCOPE_CERT,	/* the CA certificate is rejected: subtree lost */
	SCOPE_PP	/* the CA's publication point is rejected: subtree lost */
};

/* Deterministic PRNG (splitmix64). */
struct prng {
	uint64_t	s;
};

/* A growable byte buffer. */
struct buf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
};

/* An address range; IPv6 is handled on its top 64 bits (prefixes <= /64). */
struct range {
	uint64_t	lo;
	uint64_t	hi;
};

/* A ROA prefix.  afi 1 = IPv4 (addr in the low 32 bits), 2 = IPv6 (top 64). */
struct pfx {
	uint8_t		afi;
	uint8_t		len;
	uint8_t		maxlen;
	uint64_t	addr;
};

/* One ROA as planned for a generation. */
struct roa_spec {
	char		name[RG_NAME_LEN];
	uint32_t	asid;
	int		npfx;
	struct pfx	pfx[RG_MAX_ROA_PFX];
	uint64_t	serial;		/* EE serial */
	int		born;		/* generation that issued it */
	int		defect;		/* enum defect or -1 */
	struct pfx	xpfx;		/* roa-prefix-outside-ee: not in EE */
};

/* What a defect did, filled in by the job that applied it. */
struct defect_info {
	char		*uri;
	size_t		 vrps;		/* VRPs of the rejected ROA */
	uint32_t	 asid;		/* the rejected ROA, for defect_vrps.csv */
	uint16_t	 ta;
	int		 npfx;
	struct pfx	 pfx[RG_MAX_ROA_PFX];
};

/* One expected VRP / ASPA / router key. */
struct vrp {
	uint32_t	asid;
	struct pfx	p;
	uint16_t	ta;
};

struct aspa_out {
	uint32_t	customer;
	int		nprov;
	uint32_t	prov[RG_MAX_PROVIDERS];
};

struct rk_out {
	uint32_t	asid;
	char		ski[41];
	char		*spki_b64;
};

/* Results of one CA job, merged by expected.c. */
struct ca_out {
	struct vrp	*vrps;
	size_t		 nvrps, vrpcap;
	struct aspa_out	*aspas;
	size_t		 naspas, aspacap;
	struct rk_out	*rks;
	size_t		 nrks, rkcap;
	size_t		 roas;		/* ROAs written */
	size_t		 files;
	uint64_t	 bytes;
	size_t		 own_vrps;	/* VRPs valid were the CA alive */
};

/* One CA (index 0..tas-1 are the TAs). */
struct ca {
	int		 id;
	int		 parent;	/* -1 for a TA */
	int		 ta;
	int		 depth;		/* 0 for a TA */
	int		*children;
	int		 nchildren;
	int		 repo;		/* module index, see tree.c */
	char		 name[RG_NAME_LEN];
	int		 key;		/* slot in the key cache */
	struct range	 v4, v6, as;	/* allocated (what the cert lists) */
	struct range	 ev4, ev6, eas;	/* effective (after inherit) */
	struct range	 own4, own6, ownas;	/* chunk for own objects */
	int		 as_inherit;
	int		 ip_inherit;
	uint64_t	 serial;	/* serial of this CA's certificate */
	uint64_t	 mftnum;	/* gen1 manifest number */
	int		 nroas;
	int		 naspas;
	int		 nrouters;
	int		 frozen;	/* no gen2 changes (defect target) */
	uint32_t	 defects;	/* bit set of enum defect on this CA */
	int		 alive;		/* objects reach the expected output */
	struct ca_out	 out;
};

struct rrdp_state;

/* Options and the whole generated tree. */
struct gen {
	const char	*outdir;
	uint64_t	 seed;
	int		 tas, depth, breadth, roas, repos;
	int		 jobs;
	char		 keydir[RG_MAX_PATH];
	char		 rsync_host[256];
	char		 https_host[256];
	int		 generations;
	int		 ip_inherit;
	uint32_t	 defects;	/* requested, bit set */
	int64_t		 base;		/* --time */
	int		 verbose;

	struct ca	*cas;
	int		 ncas;
	int		 nmodules;	/* "ta" is not counted */
	int		 defect_ca[DEF__COUNT];
	struct defect_info dinfo[RG_MAX_GENS + 1][DEF__COUNT];

	/* Key material, loaded once. */
	EVP_PKEY	*ee_keys[RG_EE_POOL];
	EVP_PKEY	*ec_keys[RG_EC_POOL];

	/* Per-generation state while running jobs. */
	int		 cur_gen;
	char		 gendir[RG_MAX_PATH];
};

/* prng.c */
void		 rg_prng_init(struct prng *, uint64_t, uint64_t, uint64_t);
uint64_t	 rg_prng_next(struct prng *);
uint64_t	 rg_prng_below(struct prng *, uint64_t);
int		 rg_prng_chance(struct prng *, int, int);
uint64_t	 rg_mix64(uint64_t);

/* util.c */
void		 rg_buf_add(struct buf *, const void *, size_t);
void		 rg_buf_free(struct buf *);
int		 rg_mkdir_p(const char *);
int		 rg_write_file(const char *, const uint8_t *, size_t);
void		 rg_hexify(const uint8_t *, size_t, char *);
char		*rg_b64_encode(const uint8_t *, size_t);
void		 rg_rand_name(struct prng *, char *, size_t);
void		*rg_xcalloc(size_t, size_t);
void		*rg_xreallocarray(void *, size_t, size_t);
char		*rg_xstrdup(const char *);
void		 rg_sha256(const uint8_t *, size_t, uint8_t *);
int		 rg_uri_printf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* der.c: minimal DER writer for eContent. */
void		 rg_der_tlv(struct buf *, uint8_t, const uint8_t *, size_t);
void		 rg_der_wrap(struct buf *, uint8_t, struct buf *);
void		 rg_der_uint(struct buf *, uint64_t);
void		 rg_der_oid(struct buf *, const char *);
void		 rg_der_gtime(struct buf *, int64_t);
void		 rg_der_pfx_bits(struct buf *, const struct pfx *);

/* keys.c */
int		 rg_keys_prepare(struct gen *);
EVP_PKEY	*rg_keys_load_ca(const struct gen *, int);
void		 rg_keys_free(struct gen *);

/* res.c: RFC 3779 extensions. */
int		 rg_res_add_ip(X509 *, const struct range *, const struct range *,
		    const struct pfx *);
int		 rg_res_outside(const struct range *, const struct range *,
		    struct pfx *);
int		 rg_res_add_ip_pfx(X509 *, const struct pfx *, int);
int		 rg_res_add_ip_inherit(X509 *);
int		 rg_res_add_as(X509 *, const struct range *, int);
int		 rg_res_pfx_in_range(const struct pfx *, const struct range *,
		    const struct range *);
void		 rg_pfx_range(const struct pfx *, uint64_t *, uint64_t *);

/* cert.c */
struct cert_args {
	EVP_PKEY	*subject_key;
	EVP_PKEY	*issuer_key;
	X509		*issuer;	/* NULL: self-signed */
	const char	*cn;
	uint64_t	 serial;
	int64_t		 not_before;
	int64_t		 not_after;
	int		 is_ca;
	int		 is_router;
	const char	*crldp;		/* URIs, NULL if absent */
	const char	*aia;
	const char	*sia_repo;
	const char	*sia_mft;
	const char	*sia_notify;
	const char	*sia_object;
};
X509		*rg_cert_build(const struct cert_args *);
int		 rg_cert_sign(X509 *, EVP_PKEY *);
int		 rg_cert_der(X509 *, struct buf *);
void		 rg_cert_ski_hex(EVP_PKEY *, char *);

/* crl.c */
int		 rg_crl_build(X509 *, EVP_PKEY *, int64_t, int64_t, uint64_t,
		    const uint64_t *, size_t, int64_t, struct buf *);

/* cms.c */
/*
 * How a signed object is encoded: as RFC 6488 asks, or breaking one rule
 * on purpose (the signature still verifies over the bytes as sent).
 */
enum rg_cms_form {
	RG_CMS_DER,		/* DER throughout */
	RG_CMS_ATTRS_UNSORTED,	/* signedAttrs SET OF not in DER order */
	RG_CMS_ATTRS_INDEFINITE, /* signedAttrs in indefinite length */
	RG_CMS_ATTRS_EMPTY,	/* signedAttrs an empty SET */
	RG_CMS_NO_ECONTENT,	/* encapContentInfo without eContent */
	RG_CMS_NO_CERTS		/* certificates left out */
};
struct cms_args {
	const char	*econtent_oid;
	const uint8_t	*econtent;
	size_t		 econtent_len;
	X509		*ee;
	EVP_PKEY	*ee_key;
	int64_t		 signing_time;
	enum rg_cms_form form;	/* zero: RG_CMS_DER */
};
int		 rg_cms_sign(const struct cms_args *, struct buf *);

/* oids */
#define OID_CT_ROA	"1.2.840.113549.1.9.16.1.24"
#define OID_CT_MFT	"1.2.840.113549.1.9.16.1.26"
#define OID_CT_ASPA	"1.2.840.113549.1.9.16.1.49"
#define OID_CT_GBR	"1.2.840.113549.1.9.16.1.35"
#define OID_SHA256	"2.16.840.1.101.3.4.2.1"

/* mft.c */
struct mft_entry {
	char		name[RG_NAME_LEN + 8];
	uint8_t		hash[32];
};
int		 rg_mft_econtent(uint64_t, int64_t, int64_t, struct mft_entry *,
		    size_t, struct buf *);

/* roa.c */
int		 rg_roa_econtent(const struct roa_spec *, struct buf *);
void		 rg_roa_normalise(struct roa_spec *);

/* aspa.c */
int		 rg_aspa_econtent(const struct aspa_out *, struct buf *);

/* plan.c: what a CA publishes in a generation. */
void		 rg_roa_plan(const struct gen *, const struct ca *, int,
		    struct roa_spec **, int *, uint64_t **, size_t *);
void		 rg_aspa_plan(const struct gen *, const struct ca *, int,
		    struct aspa_out *, char *, uint64_t *);

/* tree.c */
int		 rg_tree_build(struct gen *);
void		 rg_tree_free(struct gen *);
const char	*rg_tree_module(const struct gen *, int, char *, size_t);
void		 rg_tree_ca_dir_uri(const struct gen *, const struct ca *, char *,
		    size_t);
void		 rg_tree_ca_cert_uri(const struct gen *, const struct ca *, char *,
		    size_t);
void		 rg_tree_ca_path(const struct gen *, const struct ca *, char *,
		    size_t);
int		 rg_tree_in_subtree(const struct gen *, int, int);

/* defects.c */
int		 rg_defect_lookup(const char *);
const char	*rg_defect_name(int);
enum defect_scope rg_defect_scope(int);
int		 rg_defects_choose(struct gen *);
int		 rg_defects_write(const struct gen *, const char *);

/* pubpoint.c */
int		 rg_pubpoint_write(struct gen *, int);
int		 rg_ta_write(struct gen *, int);

/* expected.c */
int		 rg_expected_write(struct gen *, const char *);

/* work.c */
int		 rg_work_run(int, size_t, int (*)(void *, size_t), void *);

#endif
