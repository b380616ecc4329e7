/*
 * Integration: RTR over TLS (RFC 8210 section 9).  The test makes a
 * throwaway CA and a server certificate for "localhost" with the
 * openssl command, starts the built reef-rtrd with --tls-listen, and
 * talks RTR through an OpenSSL client that verifies the server: a full
 * reset at version 2 arrives complete, a Serial Notify follows when the
 * input is replaced, a plain-text client on the TLS port and a TLS 1.1
 * client are turned away without harming the server, and the options
 * are checked (no key, a key that does not match).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <CUnit/CUnit.h>

#include "rtrd/pdu.h"
#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Milliseconds to wait for the server to listen or answer. */
#define WAIT_MS		10000

static const char json_b[] =
    "{\"metadata\": {\"buildtime\": \"2024-01-01T01:00:00Z\"},\n"
    " \"roas\": [\n"
    "  {\"asn\": 13335, \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\", \"expires\": 4000000000}\n"
    " ],\n"
    " \"aspas\": [], \"bgpsec_keys\": []}\n";

/* A server with its own CA and certificate, in r.dir. */
struct tsrv {
	struct rtrd_srv	 r;
	char		*ca;
	char		*cert;
	char		*key;
};

/* A CA and a P-256 server certificate for localhost, in dir. */
static void
make_certs(struct tsrv *s, const char *dir)
{
	s->ca = tu_asprintf("%s/ca.pem", dir);
	s->cert = tu_asprintf("%s/srv.pem", dir);
	s->key = tu_asprintf("%s/srv.key", dir);
	CU_ASSERT_FATAL(tu_system("cd '%s' && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=reef-test-ca "
	    ">/dev/null 2>&1 && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout srv.key -out srv.csr -subj /CN=localhost "
	    ">/dev/null 2>&1 && "
	    "printf 'subjectAltName=DNS:localhost\\n' > ext && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -out srv.pem -days 2 -extfile ext "
	    ">/dev/null 2>&1", dir) == 0);
}

/* Run reef-rtrd with args; returns its exit status once it ends. */
static int
run_status(const char *const *args)
{
	char *bin = rtrd_bin();
	pid_t pid;
	int status, fd;

	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, STDERR_FILENO);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	free(bin);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
tsrv_start(struct tsrv *s)
{
	const char *args[] = { "--tls-listen", NULL, "--tls-cert", NULL,
	    "--tls-key", NULL, "-i", NULL, NULL };

	rtrd_srv_init(&s->r, "rtrdtls", rtrd_json_a, 0);
	make_certs(s, s->r.dir);
	args[1] = s->r.addr;
	args[3] = s->cert;
	args[5] = s->key;
	args[7] = s->r.input;
	rtrd_srv_run(&s->r, args, s->r.port);
}

static void
tsrv_stop(struct tsrv *s)
{
	rtrd_srv_stop(&s->r);
	free(s->ca);
	free(s->cert);
	free(s->key);
}

/* A blocking TLS client to the server, verifying it as "localhost". */
struct tcli {
	SSL_CTX	*ctx;
	SSL	*ssl;
	int	 fd;
};

/* Returns 0 once the handshake is done, -1 if it failed. */
static int
tcli_open(struct tcli *c, const struct tsrv *s, int max_version)
{
	struct timeval tv = { WAIT_MS / 1000, 0 };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	CU_ASSERT_FATAL((c->ctx = SSL_CTX_new(TLS_client_method())) != NULL);
	CU_ASSERT_FATAL(SSL_CTX_load_verify_locations(c->ctx, s->ca, NULL) ==
	    1);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (max_version != 0) {
		SSL_CTX_set_min_proto_version(c->ctx, 0);
		SSL_CTX_set_max_proto_version(c->ctx, max_version);
		SSL_CTX_set_security_level(c->ctx, 0);
	}
	CU_ASSERT_FATAL((c->fd = rtrd_connect_port(s->r.port)) != -1);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CU_ASSERT_FATAL((c->ssl = SSL_new(c->ctx)) != NULL);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	SSL_set1_host(c->ssl, "localhost");
	if (SSL_connect(c->ssl) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static void
tcli_close(struct tcli *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->fd != -1)
		close(c->fd);
	SSL_CTX_free(c->ctx);
}

/* Read one PDU into buf (PDU_MAX_LEN bytes) and decode it as a router. */
static int
tcli_pdu(struct tcli *c, uint8_t *buf, struct pdu *p)
{
	size_t len, used, got;

	if (SSL_read_ex(c->ssl, buf, PDU_HEADER_LEN, &got) != 1)
		return -1;
	while (got < PDU_HEADER_LEN) {
		if (SSL_read_ex(c->ssl, buf + got, PDU_HEADER_LEN - got,
		    &used) != 1)
			return -1;
		got += used;
	}
	len = (size_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	if (len < PDU_HEADER_LEN || len > PDU_MAX_LEN)
		return -1;
	while (got < len) {
		if (SSL_read_ex(c->ssl, buf + got, len - got, &used) != 1)
			return -1;
		got += used;
	}
	return pdu_decode_ex(buf, len, PDU_DECODE_AS_ROUTER, p, &used) ==
	    PDU_OK ? 0 : -1;
}

static void
tcli_send(struct tcli *c, struct pdu_buf *pb)
{
	size_t n;

	CU_ASSERT_FATAL(SSL_write_ex(c->ssl, pb->data, pb->len, &n) == 1 &&
	    n == pb->len);
	pdu_buf_reset(pb);
}

/* Read Cache Response .. End of Data; returns the payload count or -1. */
static int
tcli_response(struct tcli *c, uint8_t *buf, uint16_t *sid, uint32_t *serial)
{
	struct pdu p;
	int n = 0;

	if (tcli_pdu(c, buf, &p) == -1 || p.type != PDU_CACHE_RESPONSE)
		return -1;
	*sid = p.session_id;
	for (;;) {
		if (tcli_pdu(c, buf, &p) == -1)
			return -1;
		if (p.type == PDU_END_OF_DATA)
			break;
		if (!pdu_is_payload(p.type))
			return -1;
		n++;
	}
	*serial = p.serial;
	return n;
}

static void
test_rtrd_tls_reset_notify(void)
{
	struct tsrv s;
	struct tcli c;
	struct pdu_buf pb;
	struct pdu p;
	uint8_t *buf;
	uint16_t sid;
	uint32_t serial, serial2;

	CU_ASSERT_FATAL((buf = malloc(PDU_MAX_LEN)) != NULL);
	tsrv_start(&s);
	CU_ASSERT_FATAL(tcli_open(&c, &s, 0) == 0);
	CU_ASSERT(SSL_version(c.ssl) >= TLS1_2_VERSION);
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, PDU_VERSION_2) == PDU_OK);
	tcli_send(&c, &pb);
	/* Two VRPs and one ASPA. */
	CU_ASSERT(tcli_response(&c, buf, &sid, &serial) == 3);

	/* A new set: Serial Notify, then the delta through TLS too. */
	rtrd_write_input(&s.r, json_b);
	CU_ASSERT_FATAL(tcli_pdu(&c, buf, &p) == 0);
	CU_ASSERT(p.type == PDU_SERIAL_NOTIFY && p.session_id == sid);
	serial2 = p.serial;
	CU_ASSERT(serial2 == serial + 1);
	CU_ASSERT_FATAL(pdu_put_serial_query(&pb, PDU_VERSION_2, sid,
	    serial) == PDU_OK);
	tcli_send(&c, &pb);
	/* Withdraw the IPv6 VRP and the ASPA. */
	CU_ASSERT(tcli_response(&c, buf, &sid, &serial) == 2);
	CU_ASSERT(serial == serial2);
	tcli_close(&c);
	pdu_buf_free(&pb);
	free(buf);
	tsrv_stop(&s);
}

static void
test_rtrd_tls_refused(void)
{
	struct tsrv s;
	struct tcli c;
	struct pdu_buf pb;
	struct pollfd pfd;
	uint8_t *buf;
	uint16_t sid;
	uint32_t serial;
	char junk[64];
	int fd;

	CU_ASSERT_FATAL((buf = malloc(PDU_MAX_LEN)) != NULL);
	tsrv_start(&s);
	/* Plain RTR on the TLS port: the server hangs up. */
	CU_ASSERT_FATAL((fd = rtrd_connect_port(s.r.port)) != -1);
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, PDU_VERSION_1) == PDU_OK);
	CU_ASSERT(write(fd, pb.data, pb.len) == (ssize_t)pb.len);
	pdu_buf_reset(&pb);
	pfd.fd = fd;
	pfd.events = POLLIN;
	CU_ASSERT(poll(&pfd, 1, WAIT_MS) == 1);
	while (read(fd, junk, sizeof(junk)) > 0)
		;
	close(fd);
	/* TLS 1.1 at most: no handshake. */
	CU_ASSERT(tcli_open(&c, &s, TLS1_1_VERSION) == -1);
	tcli_close(&c);
	/* The server still serves a proper client. */
	CU_ASSERT_FATAL(tcli_open(&c, &s, 0) == 0);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, PDU_VERSION_1) == PDU_OK);
	tcli_send(&c, &pb);
	/* Version 1 has no ASPA. */
	CU_ASSERT(tcli_response(&c, buf, &sid, &serial) == 2);
	tcli_close(&c);
	pdu_buf_free(&pb);
	free(buf);
	tsrv_stop(&s);
}

static void
test_rtrd_tls_options(void)
{
	struct tsrv s;
	char *dir = tu_tmpdir("rtrdtlsopt");
	const char *no_key[] = { "reef-rtrd", "--tls-listen", "127.0.0.1:1",
	    "--tls-cert", "x.pem", NULL };
	const char *no_listen[] = { "reef-rtrd", "--tls-cert", "x.pem",
	    "--tls-key", "x.key", NULL };
	const char *wrong[] = { "reef-rtrd", "-i", "/nonexistent",
	    "--tls-listen", NULL, "--tls-cert", NULL, "--tls-key", NULL,
	    NULL };
	char *listen;

	memset(&s, 0, sizeof(s));
	make_certs(&s, dir);
	CU_ASSERT(run_status(no_key) == 1);
	CU_ASSERT(run_status(no_listen) == 1);
	/* The CA's key does not belong to the server certificate. */
	listen = tu_asprintf("127.0.0.1:%d", rtrd_free_port());
	wrong[4] = listen;
	wrong[6] = s.cert;
	wrong[8] = tu_asprintf("%s/ca.key", dir);
	CU_ASSERT(run_status(wrong) == 1);
	/* A missing certificate file. */
	wrong[6] = "/nonexistent/cert.pem";
	CU_ASSERT(run_status(wrong) == 1);
	free((char *)wrong[8]);
	free(listen);
	free(s.ca);
	free(s.cert);
	free(s.key);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(integration_rtrd_tls,
    REEF_TEST(test_rtrd_tls_reset_notify),
    REEF_TEST(test_rtrd_tls_refused),
    REEF_TEST(test_rtrd_tls_options))
