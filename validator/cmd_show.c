/*
 * reef show: parse RPKI objects given on the command line, check them at
 * a chosen time (and against an issuer) and print them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/gtime.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cmd_show.h"
#include "validator/oid.h"

#define SHOW_USAGE	"usage: reef show [--json] [--at TIME] " \
			"[--issuer FILE] FILE...\n"

struct show_opts {
	int		 json;
	int64_t		 now;
	const char	*issuer;
	char	       **files;
	int		 nfiles;
};

/* File name extensions (RFC 6481 section 2 and the IANA registry). */
static const struct {
	const char	*ext;
	enum show_type	 type;
} show_exts[] = {
	{ ".cer", SHOW_CERT },
	{ ".crl", SHOW_CRL },
	{ ".mft", SHOW_MFT },
	{ ".roa", SHOW_ROA },
	{ ".asa", SHOW_ASPA },
	{ ".tak", SHOW_TAK },
	{ ".sig", SHOW_RSC },
	{ ".gbr", SHOW_GBR },
	{ ".tal", SHOW_TAL },
};

char *
show_name(const X509_NAME *name, char *buf, size_t size)
{
	BIO	*bio;
	int	 n;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (name == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return buf;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, buf, (int)(size - 1))) > 0)
		buf[n] = '\0';
	BIO_free(bio);
	return buf;
}

const char *
show_type_name(const struct show_obj *obj)
{
	switch (obj->type) {
	case SHOW_CERT:
		switch (obj->cert->purpose) {
		case CERT_TA:
			return "ta";
		case CERT_CA:
			return "ca";
		case CERT_ROUTER:
			return "router";
		case CERT_EE:
			return "ee";
		}
		return "cer";
	case SHOW_CRL:
		return "crl";
	case SHOW_MFT:
		return "mft";
	case SHOW_ROA:
		return "roa";
	case SHOW_ASPA:
		return "aspa";
	case SHOW_TAK:
		return "tak";
	case SHOW_RSC:
		return "rsc";
	case SHOW_GBR:
		return "gbr";
	case SHOW_TAL:
		return "tal";
	}
	return "unknown";
}

/*
 * Read the whole file fn into a new buffer (caller frees), NUL-terminated
 * for the TAL parser.  Returns NULL after logging why.
 */
static unsigned char *
show_read(const char *fn, size_t *len)
{
	FILE		*f;
	struct stat	 st;
	unsigned char	*buf = NULL;

	if ((f = fopen(fn, "rb")) == NULL) {
		log_warn_obj(fn, "open");
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1) {
		log_warn_obj(fn, "fstat");
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "not a regular file of at most %d bytes",
		    MAX_FILE_SIZE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_warn_obj(fn, "malloc");
		goto out;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size) {
		log_warnx_obj(fn, "short read");
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[*len] = '\0';
 out:
	fclose(f);
	return buf;
}

/* Map a signed object's eContentType to a type. */
static int
show_sniff_cms(const unsigned char *buf, size_t len, enum show_type *type)
{
	static const struct {
		enum oid_id	 oid;
		enum show_type	 type;
	} map[] = {
		{ OID_CT_MFT, SHOW_MFT }, { OID_CT_ROA, SHOW_ROA },
		{ OID_CT_ASPA, SHOW_ASPA }, { OID_CT_TAK, SHOW_TAK },
		{ OID_CT_RSC, SHOW_RSC }, { OID_CT_GBR, SHOW_GBR },
	};
	const unsigned char	*p = buf;
	CMS_ContentInfo		*cms;
	const ASN1_OBJECT	*ct;
	size_t			 i;
	int			 rc = -1;

	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL)
		return -1;
	ct = CMS_get0_eContentType(cms);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (oid_is(ct, map[i].oid)) {
			*type = map[i].type;
			rc = 0;
		}
	CMS_ContentInfo_free(cms);
	return rc;
}

/*
 * The type of fn: by extension, else by content (a DER certificate, CRL
 * or signed object; text is taken as a TAL).  Returns 0 or -1 (logged).
 */
static int
show_detect(const char *fn, const unsigned char *buf, size_t len,
    enum show_type *type)
{
	const char		*dot = strrchr(fn, '.');
	const unsigned char	*p;
	X509			*x;
	X509_CRL		*crl;
	size_t			 i;

	for (i = 0; dot != NULL && i < sizeof(show_exts) /
	    sizeof(show_exts[0]); i++)
		if (strcmp(dot, show_exts[i].ext) == 0) {
			*type = show_exts[i].type;
			return 0;
		}
	if (len > 0 && buf[0] != 0x30) {
		*type = SHOW_TAL;
		return 0;
	}
	p = buf;
	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
		X509_free(x);
		*type = SHOW_CERT;
		return 0;
	}
	p = buf;
	if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) != NULL) {
		X509_CRL_free(crl);
		*type = SHOW_CRL;
		return 0;
	}
	if (show_sniff_cms(buf, len, type) == 0) {
		ERR_clear_error();
		return 0;
	}
	ERR_clear_error();
	log_warnx_obj(fn, "unknown object type (not a certificate, CRL, "
	    "signed object or TAL)");
	return -1;
}

static void
show_obj_clear(struct show_obj *obj)
{
	switch (obj->type) {
	case SHOW_CERT:
		cert_free(obj->cert);
		break;
	case SHOW_CRL:
		crl_free(obj->u.crl);
		break;
	case SHOW_MFT:
		mft_free(obj->u.mft);
		break;
	case SHOW_ROA:
		roa_free(obj->u.roa);
		break;
	case SHOW_ASPA:
		aspa_free(obj->u.aspa);
		break;
	case SHOW_TAK:
		tak_free(obj->u.tak);
		break;
	case SHOW_RSC:
		rsc_free(obj->u.rsc);
		break;
	case SHOW_GBR:
		gbr_free(obj->u.gbr);
		break;
	case SHOW_TAL:
		tal_free(obj->u.tal);
		break;
	}
}

/* Run the parser of obj->type; 0, or -1 after the parser logged why. */
static int
show_parse(struct show_obj *obj, const unsigned char *buf, size_t len)
{
	const char	*fn = obj->file;

#define SHOW_SIGNED(field, fn_parse)					\
	do {								\
		if ((obj->u.field = fn_parse(fn, buf, len)) == NULL)	\
			return -1;					\
		obj->cert = obj->u.field->ee;				\
		obj->has_signing_time = obj->u.field->has_signing_time;	\
		obj->signing_time = obj->u.field->signing_time;		\
	} while (0)

	switch (obj->type) {
	case SHOW_CERT:
		if ((obj->cert = cert_parse(fn, buf, len)) == NULL)
			return -1;
		break;
	case SHOW_CRL:
		if ((obj->u.crl = crl_parse(fn, buf, len)) == NULL)
			return -1;
		break;
	case SHOW_MFT:
		SHOW_SIGNED(mft, mft_parse);
		break;
	case SHOW_ROA:
		SHOW_SIGNED(roa, roa_parse);
		break;
	case SHOW_ASPA:
		SHOW_SIGNED(aspa, aspa_parse);
		break;
	case SHOW_TAK:
		SHOW_SIGNED(tak, tak_parse);
		break;
	case SHOW_RSC:
		SHOW_SIGNED(rsc, rsc_parse);
		break;
	case SHOW_GBR:
		SHOW_SIGNED(gbr, gbr_parse);
		break;
	case SHOW_TAL:
		if ((obj->u.tal = tal_parse(fn, (const char *)buf,
		    len)) == NULL)
			return -1;
		break;
	}
#undef SHOW_SIGNED
	return 0;
}

/* Validity (certificates) or currency (CRL, manifest) at obj->now. */
static void
show_check_time(struct show_obj *obj)
{
	const struct crl	*crl = obj->u.crl;
	char			 t[GTIME_ISO_LEN + 1];

	obj->valid = 1;
	if (obj->type == SHOW_CRL) {
		if (obj->now < crl->this_update || obj->now > crl->next_update) {
			gtime_format_iso(obj->now < crl->this_update ?
			    crl->this_update : crl->next_update, t, sizeof(t));
			snprintf(obj->valid_why, sizeof(obj->valid_why),
			    "RFC 5280 section 6.3.3: CRL not current (%s %s)",
			    obj->now < crl->this_update ? "thisUpdate" :
			    "nextUpdate", t);
			obj->valid = 0;
		}
		return;
	}
	if (obj->cert != NULL && (obj->now < obj->cert->notbefore ||
	    obj->now > obj->cert->notafter)) {
		gtime_format_iso(obj->now < obj->cert->notbefore ?
		    obj->cert->notbefore : obj->cert->notafter, t, sizeof(t));
		snprintf(obj->valid_why, sizeof(obj->valid_why),
		    "RFC 5280 section 6.1.3: certificate %s %s",
		    obj->now < obj->cert->notbefore ? "not valid before" :
		    "expired at", t);
		obj->valid = 0;
		return;
	}
	if (obj->type == SHOW_MFT && mft_check_current(obj->u.mft, obj->now,
	    obj->valid_why, sizeof(obj->valid_why)) == -1)
		obj->valid = 0;
}

/*
 * cert_check_issued() resolves inherit in place; show prints what the
 * file says, so check on the side and put the parsed resources back.
 */
static int
show_check_cert(struct cert *c, const struct cert *issuer, int64_t now,
    char *why, size_t whylen)
{
	struct ip_res	*ips = c->ips, *ips_copy = NULL;
	struct as_res	*ases = c->ases, *ases_copy = NULL;
	int		 rc;

	if ((ips != NULL && (ips_copy = ip_res_dup(ips)) == NULL) ||
	    (ases != NULL && (ases_copy = as_res_dup(ases)) == NULL)) {
		ip_res_free(ips_copy);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	c->ips = ips_copy;
	c->ases = ases_copy;
	rc = cert_check_issued(c, issuer, now, why, whylen);
	/* On success the copies were replaced by resolved ones. */
	ip_res_free(c->ips);
	as_res_free(c->ases);
	c->ips = ips;
	c->ases = ases;
	return rc;
}

static void
show_check_issuer(struct show_obj *obj, const char *issuer_file,
    const struct cert *issuer)
{
	int	rc;

	if (obj->type == SHOW_TAL)
		return;		/* nothing signed */
	obj->issuer_file = issuer_file;
	if (obj->type == SHOW_CRL)
		rc = crl_check_issued(obj->u.crl, issuer, obj->now,
		    obj->issuer_why, sizeof(obj->issuer_why));
	else
		rc = show_check_cert(obj->cert, issuer, obj->now,
		    obj->issuer_why, sizeof(obj->issuer_why));
	obj->issuer_ok = rc == 0;
}

/* Parse, check and print one file; 0 if well-formed and valid, else 1. */
static int
show_one(const struct show_opts *o, const char *fn, const struct cert *issuer,
    FILE *out, struct json *j, int *shown)
{
	struct show_obj	 obj;
	unsigned char	*buf;
	size_t		 len = 0;
	int		 rc = 1;

	/* RRDP files can be far larger than any object: streamed. */
	if (show_rrdp_detect(fn))
		return show_rrdp(fn, out, j, shown);
	memset(&obj, 0, sizeof(obj));
	obj.file = fn;
	obj.now = o->now;
	if ((buf = show_read(fn, &len)) == NULL)
		return 1;
	if (show_detect(fn, buf, len, &obj.type) == -1 ||
	    show_parse(&obj, buf, len) == -1)
		goto out;
	show_check_time(&obj);
	if (!obj.valid)
		log_warnx_obj(fn, "%s", obj.valid_why);
	if (issuer != NULL) {
		show_check_issuer(&obj, o->issuer, issuer);
		if (obj.issuer_file != NULL && !obj.issuer_ok)
			log_warnx_obj(fn, "issuer %s: %s", o->issuer,
			    obj.issuer_why);
	}
	if (j != NULL)
		show_json(j, &obj);
	else {
		/* A blank line between the objects of text output. */
		if (*shown > 0)
			fputc('\n', out);
		show_text(out, &obj);
	}
	(*shown)++;
	if (obj.valid && (obj.issuer_file == NULL || obj.issuer_ok))
		rc = 0;
	show_obj_clear(&obj);
 out:
	free(buf);
	return rc;
}

/* The value of an option given as "--opt VALUE" or "--opt=VALUE". */
static int
show_optarg(int argc, char **argv, int *i, const char *name,
    const char **val)
{
	size_t	n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* Fill o from argv; 0, or -1 after writing the reason to err. */
static int
show_getopt(int argc, char **argv, struct show_opts *o, FILE *err)
{
	const char	*at = NULL, *v;
	int		 i, r;

	memset(o, 0, sizeof(*o));
	o->now = (int64_t)time(NULL);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
			continue;
		}
		if ((r = show_optarg(argc, argv, &i, "--at", &v)) == 1) {
			at = v;
			continue;
		}
		if (r == 0 && (r = show_optarg(argc, argv, &i, "--issuer",
		    &v)) == 1) {
			o->issuer = v;
			continue;
		}
		if (r == -1) {
			fprintf(err, "reef show: %s needs a value\n", argv[i]);
			return -1;
		}
		fprintf(err, "reef show: unknown option %s\n", argv[i]);
		return -1;
	}
	if (at != NULL && gtime_parse_user(at, &o->now) == -1) {
		fprintf(err, "reef show: bad time \"%s\" (ISO 8601 or "
		    "@seconds)\n", at);
		return -1;
	}
	if (i >= argc) {
		fprintf(err, "reef show: no FILE given\n");
		return -1;
	}
	o->files = argv + i;
	o->nfiles = argc - i;
	return 0;
}

int
cmd_show_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct show_opts	 o;
	struct cert		*issuer = NULL;
	struct json		*j = NULL;
	unsigned char		*buf;
	size_t			 len = 0;
	int			 i, rc = 0, shown = 0;

	if (show_getopt(argc, argv, &o, err) == -1) {
		fputs(SHOW_USAGE, err);
		return 2;
	}
	if (o.issuer != NULL) {
		if ((buf = show_read(o.issuer, &len)) == NULL)
			return 1;
		issuer = cert_parse(o.issuer, buf, len);
		free(buf);
		if (issuer == NULL)
			return 1;
	}
	if (o.json) {
		if ((j = json_new_file(out, JSON_PRETTY)) == NULL) {
			log_warnx("out of memory");
			rc = 1;
			goto out;
		}
		json_array_begin(j);
	}
	for (i = 0; i < o.nfiles; i++)
		if (show_one(&o, o.files[i], issuer, out, j, &shown) != 0)
			rc = 1;
	if (j != NULL) {
		json_array_end(j);
		if (json_finish(j) == -1) {
			log_warnx("writing JSON failed");
			rc = 1;
		}
	}
	fflush(out);
 out:
	json_free(j);
	cert_free(issuer);
	return rc;
}

int
cmd_show(int argc, char **argv)
{
	return cmd_show_run(argc, argv, stdout, stderr);
}
