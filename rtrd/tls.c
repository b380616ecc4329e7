/*
 * Non-blocking TLS for reef-rtrd's RTR sessions (see tls.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "rtrd/tls.h"

/* Room for one OpenSSL error string. */
#define TLS_ERR_MAX	256

/* Set err from the OpenSSL error queue (and clear it). */
static void
set_err(char *err, size_t errlen, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[TLS_ERR_MAX];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s%s%s: %s", file != NULL ? file : "",
	    file != NULL ? ": " : "", what, e != 0 ? buf : "unknown error");
	ERR_clear_error();
}

/*
 * Returns a TLS 1.2+ server context, or NULL with err set.
 */
SSL_CTX *
tls_server_ctx(const char *cert_file, const char *key_file, char *err,
    size_t errlen)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		set_err(err, errlen, "SSL_CTX_new", NULL);
		return NULL;
	}
	/* RFC 8996 deprecates TLS 1.0 and 1.1. */
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		set_err(err, errlen, "TLS 1.2 minimum", NULL);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/*
	 * Routers often just close TCP.  RTR frames its PDUs by length, so
	 * a missing close_notify cannot truncate anything unnoticed.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* Sessions are long-lived: resumption buys nothing. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		set_err(err, errlen, "certificate", cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		set_err(err, errlen, "private key", key_file);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		set_err(err, errlen, "key does not match the certificate",
		    key_file);
		goto fail;
	}
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * Returns a server-side SSL on fd, or NULL.
 */
SSL *
tls_conn_new(SSL_CTX *ctx, int fd)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

/* Map the result of an SSL call. */
static enum tls_io
classify(SSL *ssl, int rc)
{
	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return TLS_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_IO_EOF;
	case SSL_ERROR_SYSCALL:
		/* OpenSSL 3: an EOF without close_notify lands here too. */
		if (ERR_peek_error() == 0 && (errno == 0 ||
		    errno == ECONNRESET || errno == EPIPE))
			return TLS_IO_EOF;
		return TLS_IO_ERROR;
	default:
		return TLS_IO_ERROR;
	}
}

/*
 * One handshake step.
 */
enum tls_io
tls_handshake(SSL *ssl)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_do_handshake(ssl)) == 1)
		return TLS_IO_OK;
	return classify(ssl, rc);
}

/*
 * Read what is there.
 */
enum tls_io
tls_read(SSL *ssl, void *buf, size_t len, size_t *n)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_read_ex(ssl, buf, len, n)) == 1)
		return TLS_IO_OK;
	return classify(ssl, rc);
}

/*
 * Write what fits.
 */
enum tls_io
tls_write(SSL *ssl, const void *buf, size_t len, size_t *n)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_write_ex(ssl, buf, len, n)) == 1)
		return TLS_IO_OK;
	return classify(ssl, rc);
}

/*
 * The last OpenSSL error as text (static storage, this thread).
 */
const char *
tls_last_error(void)
{
	static __thread char buf[TLS_ERR_MAX];
	unsigned long e;

	if ((e = ERR_peek_last_error()) == 0)
		return "connection failed";
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}
