/*
 * Every limit Reef enforces, in one place.
 *
 * Untrusted input (repositories, RRDP servers, RTR peers) must never be
 * able to make Reef allocate, recurse or wait without bound, so each such
 * dimension has a named constant here.  Where OpenBSD rpki-client has an
 * equivalent constant its name and value are noted as "rpki-client: NAME
 * VALUE"; our value is never looser than theirs.  tests/unit/test_limits.c
 * checks the relations between the values that the code relies on.
 */

#ifndef REEF_LIMITS_H
#define REEF_LIMITS_H

/* ---- Files and objects ------------------------------------------------ */

/* Smallest plausible RPKI object; anything shorter is junk (rpki-client: MIN_FILE_SIZE 100). */
#define MIN_FILE_SIZE		100
/* Largest RPKI object (file) accepted, in bytes (rpki-client: MAX_FILE_SIZE 8000000). */
#define MAX_FILE_SIZE		8000000
/* Longest URI (rsync or https), in bytes, without the NUL (rpki-client: MAX_URI_LENGTH 2048). */
#define MAX_URI_LENGTH		2048
/* Longest file name on a manifest, in bytes (POSIX NAME_MAX; rpki-client has none). */
#define MAX_FILENAME_LENGTH	255
/* Longest local path we build below the cache directory, without the NUL. */
#define MAX_PATH_LENGTH		4095
/* FileAndHash entries per manifest (rpki-client: MAX_MANIFEST_ENTRIES 100000). */
#define MAX_MANIFEST_ENTRIES	100000
/* FileNameAndHash entries per RSC checklist (rpki-client: MAX_CHECKLIST_ENTRIES 100000). */
#define MAX_CHECKLIST_ENTRIES	100000

/* ---- Certificate tree ----------------------------------------------- */

/* Depth of the CA tree below a TA, TA included (rpki-client: MAX_CERT_DEPTH 12). */
#define MAX_CERT_DEPTH		12
/* Repositories (publication servers) reachable from one TAL (rpki-client: MAX_REPO_PER_TAL 1000). */
#define MAX_REPO_PER_TAL	1000
/* Certificates processed in one run (rpki-client: CERTID_MAX 1000000). */
#define MAX_CERTS_PER_RUN	1000000
/* RFC 3779 IP address entries in one certificate (rpki-client: MAX_IP_SIZE 200000). */
#define MAX_CERT_IP_ENTRIES	200000
/* RFC 3779 AS entries in one certificate (rpki-client: MAX_AS_SIZE 200000). */
#define MAX_CERT_AS_ENTRIES	200000
/* ROAIPAddress entries in one ROA, all families (bounded like certificates: MAX_IP_SIZE 200000). */
#define MAX_ROA_IP_ADDRESSES	200000
/* Provider ASes in one ASPA (rpki-client: MAX_ASPA_PROVIDERS 10000). */
#define MAX_ASPA_PROVIDERS	10000

/* ---- Trust anchor locators (RFC 8630) ---------------------------------- */

/* TAL files loaded in one run (rpki-client: TALSZ_MAX 8). */
#define MAX_TALS		8
/* Size of a TAL file in bytes: a few URIs plus a base64 RSA-4096 key fit easily. */
#define MAX_TAL_SIZE		16384
/* TA certificate URIs in one TAL. */
#define MAX_TAL_URIS		16

/* ---- Network fetching ------------------------------------------------- */

/* Seconds to wait for a TCP connection (rpki-client: MAX_CONN_TIMEOUT 15). */
#define MAX_CONN_TIMEOUT	15
/* Seconds without any I/O before a transfer is abandoned (rpki-client: MAX_IO_TIMEOUT 30). */
#define MAX_IO_TIMEOUT		30
/* Concurrent HTTPS requests (rpki-client: MAX_HTTP_REQUESTS 64). */
#define MAX_HTTP_REQUESTS	64
/* Concurrent rsync processes (rpki-client: MAX_RSYNC_REQUESTS 16). */
#define MAX_RSYNC_REQUESTS	16
/* HTTP redirects followed for one request. */
#define MAX_HTTP_REDIRECTS	5
/* Bytes one rsync run may bring in for a single repository (1 GiB). */
#define MAX_RSYNC_TRANSFER_SIZE	(1024LL * 1024 * 1024)
/* Wall-clock seconds one rsync run may take for a single repository. */
#define MAX_RSYNC_TIME		(15 * 60)
/* Wall-clock seconds for one whole RRDP synchronisation of a repository. */
#define MAX_RRDP_TIME		(15 * 60)

/* ---- RRDP (RFC 8182) --------------------------------------------------- */

/* Size of a notification file (rpki-client caps every HTTP body at 2 GiB, MAX_CONTENTLEN). */
#define MAX_RRDP_NOTIFICATION_SIZE	(16LL * 1024 * 1024)
/* Size of a snapshot file after decompression (rpki-client: MAX_CONTENTLEN 2 GiB). */
#define MAX_RRDP_SNAPSHOT_SIZE	(1024LL * 1024 * 1024)
/* Size of a delta file after decompression; larger deltas fall back to the snapshot. */
#define MAX_RRDP_DELTA_SIZE	(256LL * 1024 * 1024)
/* Deltas applied in one run before using the snapshot instead (rpki-client: MAX_RRDP_DELTAS 300). */
#define MAX_RRDP_DELTAS		300
/* Bytes of output a gzip/deflate Content-Encoding may expand to (no larger than any RRDP file). */
#define MAX_GZIP_DECOMPRESSED_SIZE	MAX_RRDP_SNAPSHOT_SIZE
/* Expansion ratio of compressed HTTP content beyond which we suspect a zip bomb. */
#define MAX_GZIP_RATIO		1000
/* Character data of one XML element: a base64 object of MAX_FILE_SIZE with line breaks fits. */
#define MAX_XML_TEXT_SIZE	(16 * 1024 * 1024)
/* Length of one XML attribute value (URIs are the longest ones). */
#define MAX_XML_ATTR_LENGTH	MAX_URI_LENGTH
/* Nesting depth of RRDP XML elements (real documents use 2). */
#define MAX_XML_DEPTH		8
/* Length of an RRDP session_id (an RFC 4122 UUID in text form). */
#define MAX_RRDP_SESSION_ID_LENGTH	36

/* ---- RTR (RFC 8210, draft-ietf-sidrops-8210bis) ----------------------- */

/* Size of one RTR PDU; an ASPA PDU with MAX_ASPA_PROVIDERS providers fits. */
#define MAX_RTR_PDU_SIZE	65536
/* Length of the error text in an Error Report PDU we send or accept. */
#define MAX_RTR_ERROR_TEXT	1024
/* Concurrent RTR client sessions served. */
#define MAX_RTR_CLIENTS		1024
/* RFC 8210 section 6: Refresh Interval 1..86400 s, default 3600. */
#define RTR_REFRESH_MIN		1
#define RTR_REFRESH_MAX		86400
#define RTR_REFRESH_DEFAULT	3600
/* RFC 8210 section 6: Retry Interval 1..7200 s, default 600. */
#define RTR_RETRY_MIN		1
#define RTR_RETRY_MAX		7200
#define RTR_RETRY_DEFAULT	600
/* RFC 8210 section 6: Expire Interval 600..172800 s, default 7200. */
#define RTR_EXPIRE_MIN		600
#define RTR_EXPIRE_MAX		172800
#define RTR_EXPIRE_DEFAULT	7200
/* Serial deltas the cache keeps for incremental updates before forcing a Cache Reset. */
#define MAX_RTR_DELTAS		64
/*
 * Size of the input reef-rtrd fetches from an HTTPS URL (after any
 * Content-Encoding): rpki-client's JSON takes about 120 bytes per VRP,
 * so 1,000,000 VRPs come to some 120 MB; four times that leaves room.
 */
#define MAX_RTR_INPUT_SIZE	(512LL * 1024 * 1024)

/* ---- Output and diagnostics ------------------------------------------ */

/* Length of one log line including the prefix; longer messages are truncated. */
#define MAX_LOG_LINE		4096
/* Nesting depth of the JSON writer. */
#define MAX_JSON_DEPTH		64

#endif
