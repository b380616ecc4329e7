/*
 * RTR over TLS (RFC 8210 section 9, RFC 6810 section 7.2: IANA port
 * rpki-rtr-tls, 324) for reef-rtrd: an OpenSSL server context and
 * non-blocking handshake, read and write calls that report what the
 * event loop must wait for instead of blocking.
 *
 * Only TLS 1.2 and later are offered.  Clients are not asked for a
 * certificate: routers are admitted by address (--allow) as on plain
 * TCP.  Writes use partial-write mode, so one call never needs more
 * than one record of room, and a retried write may come from the same
 * bytes at a new address (the shared PDU buffers do not move, but the
 * session queue's iovecs are rebuilt between calls).
 */
#ifndef REEF_RTRD_TLS_H
#define REEF_RTRD_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* IANA's rpki-rtr-tls port. */
#define TLS_RTR_PORT		324
/* Seconds a client has to complete the TLS handshake. */
#define TLS_HANDSHAKE_TIMEOUT	10

/* Outcome of a non-blocking TLS call. */
enum tls_io {
	TLS_IO_OK = 0,		/* done (handshake) or n bytes moved */
	TLS_IO_WANT_READ,	/* call again once the socket is readable */
	TLS_IO_WANT_WRITE,	/* call again once the socket is writable */
	TLS_IO_EOF,		/* the peer closed (close_notify or EOF) */
	TLS_IO_ERROR		/* protocol or socket error: drop the peer */
};

/*
 * Returns a server context with the certificate chain in cert_file and
 * the private key in key_file (PEM), TLS 1.2 minimum, or NULL with a
 * one-line reason in err (errlen bytes).  Free with SSL_CTX_free().
 */
SSL_CTX		*tls_server_ctx(const char *cert_file, const char *key_file,
		    char *err, size_t errlen);

/*
 * Returns a new server-side connection on the non-blocking socket fd
 * (not owned: the caller closes it after SSL_free()), or NULL.
 */
SSL		*tls_conn_new(SSL_CTX *ctx, int fd);

/* Drive the handshake one step: TLS_IO_OK once it is complete. */
enum tls_io	 tls_handshake(SSL *ssl);

/* Read up to len bytes; on TLS_IO_OK *n holds how many (> 0). */
enum tls_io	 tls_read(SSL *ssl, void *buf, size_t len, size_t *n);

/* Write up to len (> 0) bytes; on TLS_IO_OK *n holds how many (> 0). */
enum tls_io	 tls_write(SSL *ssl, const void *buf, size_t len, size_t *n);

/* Returns the reason of the last TLS failure on this thread (static text). */
const char	*tls_last_error(void);

#endif
