/*
 * reef show: print RPKI objects (certificates, CRLs, manifests, ROAs,
 * ASPAs, TAKs, RSCs, Ghostbusters records, TALs) and RRDP files as
 * aligned text or JSON, checking validity at
 * a given time and, optionally, the signature and resources against an
 * issuer certificate.
 *
 * cmd_show.c parses the command line and the objects into struct
 * show_obj; show_text.c and show_json.c print them.  RRDP files are
 * streamed, not held whole, and shown by show_rrdp.c.
 */
#ifndef REEF_VALIDATOR_CMD_SHOW_H
#define REEF_VALIDATOR_CMD_SHOW_H

#include <stdint.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "validator/aspa.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/gbr.h"
#include "validator/mft.h"
#include "validator/roa.h"
#include "validator/rsc.h"
#include "validator/tak.h"
#include "validator/tal.h"

struct json;

/* Size of the buffers holding the reason a check failed. */
#define SHOW_WHY_LEN	512

enum show_type {
	SHOW_CERT,	/* TA, CA or router certificate: see cert->purpose */
	SHOW_CRL,
	SHOW_MFT,
	SHOW_ROA,
	SHOW_ASPA,
	SHOW_TAK,
	SHOW_RSC,
	SHOW_GBR,	/* Ghostbusters record (RFC 6493) */
	SHOW_TAL
};

/* One parsed object and the outcome of its checks. */
struct show_obj {
	enum show_type		 type;
	const char		*file;		/* not owned */
	/*
	 * The certificate of SHOW_CERT, or the EE certificate of a signed
	 * object (owned by the payload below); NULL for a CRL or TAL.
	 */
	struct cert		*cert;
	union {
		struct crl		*crl;
		struct mft		*mft;
		struct roa		*roa;
		struct aspa_object	*aspa;
		struct tak		*tak;
		struct rsc		*rsc;
		struct gbr		*gbr;
		struct tal		*tal;
	} u;
	int			 has_signing_time;
	int64_t			 signing_time;

	int64_t			 now;		/* time of the checks */
	int			 valid;		/* validity/currency at now */
	char			 valid_why[SHOW_WHY_LEN];
	const char		*issuer_file;	/* NULL: no issuer check */
	int			 issuer_ok;
	char			 issuer_why[SHOW_WHY_LEN];
};

/*
 * Run "reef show" with argv[0] the subcommand name.  Objects are printed
 * to out, usage errors to err; the reasons an object is rejected go
 * through common/log.h.  Returns 0 if every file is well-formed and valid,
 * 1 otherwise, 2 on a usage error.
 */
int		 cmd_show_run(int argc, char **argv, FILE *out, FILE *err);

/* cmd_show_run() on stdout and stderr, for main.c's subcommand table. */
int		 cmd_show(int argc, char **argv);

/* Buffer size for show_name(). */
#define SHOW_NAME_LEN	512

/*
 * Write the RFC 4514 one-line form of name into buf (always
 * NUL-terminated, truncated if needed); returns buf.
 */
char		*show_name(const X509_NAME *name, char *buf, size_t size);

/* Static lowercase type name of obj ("ta", "ca", "router", "roa", ...). */
const char	*show_type_name(const struct show_obj *obj);

/* Print obj as aligned "Key: value" lines to out. */
void		 show_text(FILE *out, const struct show_obj *obj);

/*
 * Append obj as one JSON object to j (schema in reef(8)).
 * Returns 0, or -1 if the writer failed.
 */
int		 show_json(struct json *j, const struct show_obj *obj);

/*
 * Returns 1 if fn is to be shown as an RRDP file: its name ends in
 * ".xml" or its first non-blank byte is '<'; else 0.
 */
int		 show_rrdp_detect(const char *fn);

/*
 * Stream the RRDP notification, snapshot or delta file fn through its
 * parser (RFC 8182 section 3.5) and print its session, serial and
 * references (notification) or every publish and withdraw with the size
 * and SHA-256 of what it carries (snapshot, delta): as text to out when
 * j is NULL (after a blank line if *shown > 0), else as one JSON object
 * appended to j.  Increments *shown when something was printed.
 * Returns 0 if the file is well-formed, 1 otherwise (the reason logged).
 */
int		 show_rrdp(const char *fn, FILE *out, struct json *j,
		    int *shown);

#endif
