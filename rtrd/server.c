/*
 * The epoll loop of reef-rtrd (see server.h).
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "common/privdrop.h"
#include "rtrd/fetchinput.h"
#include "rtrd/history.h"
#include "rtrd/httpd.h"
#include "rtrd/input.h"
#include "rtrd/metrics.h"
#include "rtrd/server.h"
#include "rtrd/tls.h"

/* Bytes read from a router at a time. */
#define READ_CHUNK		16384
/* Buffers handed to one writev(). */
#define WRITE_IOV		SESSION_QUEUE_MAX
/* epoll events handled per wakeup. */
#define MAX_EVENTS		64
/*
 * Pending connections per listener: room for every router to reconnect
 * at once after a restart, so none has its SYN dropped and waits a
 * retransmission (the kernel caps it at net.core.somaxconn).
 */
#define LISTEN_BACKLOG		MAX_RTR_CLIENTS
/* Room for inotify events (each carries a file name). */
#define INOTIFY_BUF		4096
/* Longest error text of a failed load (a fetch's names the URL). */
#define LOAD_ERR_MAX		FETCHINPUT_ERR_MAX

/* Longest privilege drop failure text. */
#define PRIVDROP_ERR_MAX	256

enum src_kind {
	SRC_LISTEN,
	SRC_SIGNAL,
	SRC_TIMER,
	SRC_INOTIFY,
	SRC_FETCH,
	SRC_CONN_IN,
	SRC_CONN_OUT,
	SRC_HTTP
};

enum listen_kind {
	LISTEN_RTR,
	LISTEN_TLS,
	LISTEN_HTTP
};

/* What an epoll event is about; embedded in its owner. */
struct src {
	enum src_kind	 kind;
	int		 fd;
	uint32_t	 events;	/* currently registered */
};

struct listener {
	struct src	 src;
	enum listen_kind kind;
	char		 addr[SERVER_ADDR_MAX + 1];
};

struct conn {
	struct src	 in;
	struct src	 out;		/* same fd as in, except for stdio */
	struct session	*s;
	SSL		*ssl;		/* NULL: plain TCP or stdio */
	int		 hs_done;	/* TLS handshake complete */
	enum tls_io	 hs_want;	/* what the handshake waits for */
	int		 rd_want_write;	/* SSL_read needs the socket writable */
	int		 wr_want_read;	/* SSL_write needs it readable */
	time_t		 accepted;	/* monotonic */
	struct metrics_tap tap;		/* counts what the router sends */
	int		 rdhup;		/* peer shut its side: stop asking */
	int		 dead;		/* closed, freed after this epoll batch */
	struct conn	*next;
	struct conn	*prev;
};

/* One HTTP client: read the head, write the answer, close. */
struct hconn {
	struct src	 src;
	char		 name[SESSION_NAME_MAX];
	char		 req[HTTPD_HEAD_MAX];
	size_t		 reqlen;
	char		*resp;		/* NULL while reading */
	size_t		 resplen;
	size_t		 respoff;
	time_t		 started;	/* monotonic */
	int		 dead;
	struct hconn	*next;
	struct hconn	*prev;
};

struct server {
	const struct server_config *cfg;
	int		 ep;
	struct listener	*listeners;
	size_t		 nlisteners;
	struct rtrd_listener *lview;	/* the listeners as /status shows them */
	SSL_CTX		*tls;
	struct rtrd_stats stats;
	struct hconn	*hconns;
	size_t		 nhconns;
	struct hconn	*hdead;
	int		 listen_paused;	/* out of descriptors: retry later */
	int		 spare;		/* reserved descriptor, see reload() */
	struct src	 sig;
	struct src	 timer;
	struct src	 ino;
	struct history	*h;
	struct input_stamp stamp;
	time_t		 next_poll;
	int		 url;		/* the input is an https:// URL */
	struct fetchinput *fi;		/* its downloader, once started */
	struct src	 fetch;		/* fi's eventfd */
	struct conn	*conns;
	size_t		 nconns;
	struct conn	*dead;		/* closed during the current batch */
	int		 quit;
	uint8_t		 rbuf[READ_CHUNK];
};

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- Addresses --------------------------------------------------------- */

/*
 * Parse "ADDR:PORT" (IPv6 in brackets).  Returns 0 or -1.
 */
int
server_parse_addr(const char *text, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[SERVER_ADDR_MAX + 1], *end;
	const char *colon, *h0, *h1;
	unsigned long port;

	if (strlen(text) > SERVER_ADDR_MAX)
		return -1;
	if (text[0] == '[') {
		h0 = text + 1;
		if ((h1 = strchr(h0, ']')) == NULL || h1[1] != ':')
			return -1;
		colon = h1 + 1;
	} else {
		h0 = text;
		if ((colon = strrchr(text, ':')) == NULL ||
		    strchr(text, ':') != colon)
			return -1;
		h1 = colon;
	}
	if (h1 == h0 || colon[1] < '1' || colon[1] > '9')
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port > 65535)
		return -1;
	memcpy(host, h0, h1 - h0);
	host[h1 - h0] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (text[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (text[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* The peer address as a host prefix; -1 for another family. */
static int
peer_prefix(const struct sockaddr *sa, struct prefix *p)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return prefix_set(p, AFI_IPV4,
		    (const uint8_t *)&sin->sin_addr, PREFIX_V4_BITS);
	if (sa->sa_family != AF_INET6)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return prefix_set(p, AFI_IPV4,
		    sin6->sin6_addr.s6_addr + 12, PREFIX_V4_BITS);
	return prefix_set(p, AFI_IPV6, sin6->sin6_addr.s6_addr,
	    PREFIX_V6_BITS);
}

/*
 * Returns 1 if the peer is inside an allowed network (or none is set).
 */
int
server_allowed(const struct prefix *allow, size_t nallow,
    const struct sockaddr *sa)
{
	struct prefix p;
	size_t i;

	if (nallow == 0)
		return 1;
	if (peer_prefix(sa, &p) != PREFIX_OK)
		return 0;
	for (i = 0; i < nallow; i++)
		if (prefix_covers(&allow[i], &p))
			return 1;
	return 0;
}

static void
addr_name(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, len, "?");
}

/* ---- epoll helpers ----------------------------------------------------- */

static int
ep_set(struct server *sv, struct src *src, uint32_t events)
{
	struct epoll_event ev;
	int op;

	if (src->events == events)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = src;
	op = src->events == 0 && events != 0 ? EPOLL_CTL_ADD :
	    events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	if (epoll_ctl(sv->ep, op, src->fd, &ev) == -1) {
		log_error("epoll_ctl");
		return -1;
	}
	src->events = events;
	return 0;
}

/* ---- Connections ------------------------------------------------------- */

static void
conn_close(struct server *sv, struct conn *c)
{
	ep_set(sv, &c->in, 0);
	if (c->out.fd != c->in.fd)
		ep_set(sv, &c->out, 0);
	log_info_obj(session_name(c->s), "session closed");
	session_free(c->s);
	c->s = NULL;
	if (c->ssl != NULL) {
		/* Best effort close_notify; the socket is non-blocking. */
		if (c->hs_done)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->in.fd > STDERR_FILENO)
		close(c->in.fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		sv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	sv->nconns--;
	/* Events of this batch may still point at it: free it afterwards. */
	c->dead = 1;
	c->next = sv->dead;
	sv->dead = c;
}

static void
hconn_close(struct server *sv, struct hconn *h)
{
	ep_set(sv, &h->src, 0);
	close(h->src.fd);
	free(h->resp);
	h->resp = NULL;
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		sv->hconns = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	sv->nhconns--;
	h->dead = 1;
	h->next = sv->hdead;
	sv->hdead = h;
}

static void
reap(struct server *sv)
{
	struct conn *c;
	struct hconn *h;

	while ((c = sv->dead) != NULL) {
		sv->dead = c->next;
		free(c);
	}
	while ((h = sv->hdead) != NULL) {
		sv->hdead = h->next;
		free(h);
	}
}

/* The epoll events a TLS connection waits for. */
static uint32_t
tls_events(const struct conn *c)
{
	uint32_t ev = 0;

	if (!c->hs_done)
		return c->hs_want == TLS_IO_WANT_WRITE ? EPOLLOUT : EPOLLIN;
	if (session_want_read(c->s) || c->wr_want_read)
		ev |= EPOLLIN;
	if ((session_pending(c->s) > 0 && !c->wr_want_read) ||
	    c->rd_want_write)
		ev |= EPOLLOUT;
	return ev;
}

/* Register for what the session wants; close it if it is over. */
static void
conn_update(struct server *sv, struct conn *c)
{
	uint32_t in, out;

	if (c->dead)
		return;
	if (session_state(c->s) == SESSION_CLOSED) {
		conn_close(sv, c);
		return;
	}
	if (c->ssl != NULL) {
		if (ep_set(sv, &c->in, tls_events(c) |
		    (c->rdhup ? 0 : EPOLLRDHUP)) == -1)
			conn_close(sv, c);
		return;
	}
	in = session_want_read(c->s) ? EPOLLIN : 0;
	out = session_pending(c->s) > 0 ? EPOLLOUT : 0;
	if (c->out.fd == c->in.fd) {
		/* Keep the fd registered so hang-ups are still reported. */
		if (ep_set(sv, &c->in, in | out |
		    (c->rdhup ? 0 : EPOLLRDHUP)) == -1)
			conn_close(sv, c);
		return;
	}
	if (ep_set(sv, &c->in, in) == -1 || ep_set(sv, &c->out, out) == -1)
		conn_close(sv, c);
}

/*
 * Count the control PDUs the session just queued.  Called only when its
 * queue was empty before, so every buffer starts on a PDU.
 */
static void
count_fresh(struct server *sv, struct conn *c)
{
	struct iovec iov[WRITE_IOV];
	int k;

	if ((k = session_output(c->s, iov, WRITE_IOV)) > 0)
		metrics_scan_tx(&sv->stats, iov, k);
}

/* Send through TLS; returns bytes sent, 0 to wait, -1 on failure. */
static ssize_t
conn_send_tls(struct conn *c, const struct iovec *iov)
{
	size_t n;

	switch (tls_write(c->ssl, iov->iov_base, iov->iov_len, &n)) {
	case TLS_IO_OK:
		c->wr_want_read = 0;
		return n;
	case TLS_IO_WANT_READ:
		c->wr_want_read = 1;
		return 0;
	case TLS_IO_WANT_WRITE:
		c->wr_want_read = 0;
		return 0;
	default:
		log_warnx_obj(session_name(c->s), "TLS write: %s",
		    tls_last_error());
		return -1;
	}
}

/* Send on a socket or pipe; returns bytes sent, 0 to wait, -1 on failure. */
static ssize_t
conn_send_plain(struct conn *c, const struct iovec *iov, int k)
{
	ssize_t n;

	for (;;) {
		if ((n = writev(c->out.fd, iov, k)) != -1)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		log_warn_obj(session_name(c->s), "write");
		return -1;
	}
}

/* Write what the session has queued until the socket is full. */
static void
conn_flush(struct server *sv, struct conn *c)
{
	struct iovec iov[WRITE_IOV];
	size_t before;
	ssize_t n;
	int k;

	if (c->ssl != NULL && !c->hs_done)
		return;
	while (session_state(c->s) != SESSION_CLOSED &&
	    (k = session_output(c->s, iov, WRITE_IOV)) > 0) {
		before = session_pending(c->s);
		n = c->ssl != NULL ? conn_send_tls(c, iov) :
		    conn_send_plain(c, iov, k);
		if (n == -1)
			session_eof(c->s);
		if (n <= 0)
			return;
		session_sent(c->s, n);
		/* Emptied: whatever is queued now answers buffered queries. */
		if ((size_t)n >= before)
			count_fresh(sv, c);
	}
}

/* Receive into buf; returns bytes, 0 to wait, -1 on EOF or failure. */
static ssize_t
conn_recv(struct conn *c, uint8_t *buf)
{
	ssize_t n;
	size_t got;

	if (c->ssl != NULL) {
		c->rd_want_write = 0;
		switch (tls_read(c->ssl, buf, READ_CHUNK, &got)) {
		case TLS_IO_OK:
			return got;
		case TLS_IO_WANT_READ:
			return 0;
		case TLS_IO_WANT_WRITE:
			c->rd_want_write = 1;
			return 0;
		case TLS_IO_EOF:
			return -1;
		default:
			log_warnx_obj(session_name(c->s), "TLS read: %s",
			    tls_last_error());
			return -1;
		}
	}
	for (;;) {
		if ((n = read(c->in.fd, buf, READ_CHUNK)) > 0)
			return n;
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		log_warn_obj(session_name(c->s), "read");
		return -1;
	}
}

static void
conn_read(struct server *sv, struct conn *c, time_t now)
{
	ssize_t n;

	if (c->ssl != NULL && !c->hs_done)
		return;
	while (session_want_read(c->s)) {
		if ((n = conn_recv(c, sv->rbuf)) == -1) {
			session_eof(c->s);
			return;
		}
		if (n == 0)
			return;
		metrics_tap_rx(&sv->stats, &c->tap, sv->rbuf, n);
		session_input(c->s, sv->rbuf, n, now);
		count_fresh(sv, c);
		conn_flush(sv, c);
	}
}

/* Drive the TLS handshake; returns 1 once it is complete. */
static int
conn_handshake(struct server *sv, struct conn *c)
{
	if (c->hs_done)
		return 1;
	switch ((c->hs_want = tls_handshake(c->ssl))) {
	case TLS_IO_OK:
		c->hs_done = 1;
		log_info_obj(session_name(c->s), "TLS handshake done: %s, %s",
		    SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
		return 1;
	case TLS_IO_WANT_READ:
	case TLS_IO_WANT_WRITE:
		return 0;
	default:
		sv->stats.tls_handshake_failures++;
		log_info_obj(session_name(c->s), "TLS handshake failed: %s",
		    tls_last_error());
		session_eof(c->s);
		return 0;
	}
}

/*
 * Move bytes both ways until nothing moves.  TLS may hold decrypted
 * bytes epoll cannot see: read them as soon as the session wants more.
 */
static void
conn_pump(struct server *sv, struct conn *c, int can_read, int can_write)
{
	if (c->ssl != NULL) {
		if (!conn_handshake(sv, c))
			return;
		do {
			conn_flush(sv, c);
			conn_read(sv, c, mono_now());
		} while (session_state(c->s) != SESSION_CLOSED &&
		    session_want_read(c->s) && SSL_has_pending(c->ssl));
		return;
	}
	if (can_write)
		conn_flush(sv, c);
	/* A half-closed peer still gets its answers; read finds EOF. */
	if (can_read)
		conn_read(sv, c, mono_now());
}

static struct conn *
conn_new(struct server *sv, int infd, int outfd, const char *name)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->s = session_new(sv->h, &sv->cfg->session, name,
	    mono_now())) == NULL) {
		free(c);
		return NULL;
	}
	c->in.kind = SRC_CONN_IN;
	c->in.fd = infd;
	c->out.kind = SRC_CONN_OUT;
	c->out.fd = outfd;
	c->accepted = mono_now();
	c->hs_want = TLS_IO_WANT_READ;
	c->next = sv->conns;
	if (sv->conns != NULL)
		sv->conns->prev = c;
	sv->conns = c;
	sv->nconns++;
	return c;
}

/*
 * Every session slot is taken: close the connection that has waited
 * longest without sending a query, so that idle connections cannot
 * lock routers out until the handshake time-out; a router asks as soon
 * as it connects.  Sessions past their first query are never closed for
 * a newcomer.  Returns 1 if a slot was freed, 0 if none could be.
 */
static int
evict_unqueried(struct server *sv)
{
	struct conn *c, *oldest = NULL;

	/* The list is newest first: the last match is the oldest. */
	for (c = sv->conns; c != NULL; c = c->next)
		if (session_state(c->s) == SESSION_NEW)
			oldest = c;
	if (oldest == NULL)
		return 0;
	log_info_obj(session_name(oldest->s), "no query yet: closed to make "
	    "room for a new connection");
	conn_close(sv, oldest);
	return 1;
}

/* Take a connection from an RTR listener (plain or TLS). */
static void
accept_rtr(struct server *sv, const struct listener *l, int fd,
    const char *name)
{
	struct conn *c;

	if (sv->nconns >= MAX_RTR_CLIENTS && !evict_unqueried(sv)) {
		log_warnx("%s: refused, %d sessions already", name,
		    MAX_RTR_CLIENTS);
		close(fd);
		return;
	}
	if ((c = conn_new(sv, fd, fd, name)) == NULL) {
		log_warnx("%s: out of memory", name);
		close(fd);
		return;
	}
	if (l->kind == LISTEN_TLS &&
	    (c->ssl = tls_conn_new(sv->tls, fd)) == NULL) {
		log_warnx("%s: cannot start TLS", name);
		conn_close(sv, c);
		return;
	}
	sv->stats.sessions_total++;
	log_info_obj(name, "connected%s", c->ssl != NULL ? " (TLS)" : "");
	conn_update(sv, c);
}

/* Take a connection from the HTTP listener. */
static void
accept_http(struct server *sv, int fd, const char *name)
{
	struct hconn *h;

	if (sv->nhconns >= HTTPD_MAX_CONNS) {
		log_info("%s: HTTP refused, %d connections already", name,
		    HTTPD_MAX_CONNS);
		close(fd);
		return;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		log_warnx("%s: out of memory", name);
		close(fd);
		return;
	}
	h->src.kind = SRC_HTTP;
	h->src.fd = fd;
	h->started = mono_now();
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->next = sv->hconns;
	if (sv->hconns != NULL)
		sv->hconns->prev = h;
	sv->hconns = h;
	sv->nhconns++;
	if (ep_set(sv, &h->src, EPOLLIN | EPOLLRDHUP) == -1)
		hconn_close(sv, h);
}

static void
do_accept(struct server *sv, struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char name[SESSION_NAME_MAX];
	int fd;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(l->src.fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Stop spinning on the listener until the next tick. */
				log_warn("accept");
				sv->listen_paused = 1;
				ep_set(sv, &l->src, 0);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		addr_name((struct sockaddr *)&ss, name, sizeof(name));
		if (!server_allowed(sv->cfg->allow, sv->cfg->nallow,
		    (struct sockaddr *)&ss)) {
			log_notice("%s: not in the allowed networks", name);
			close(fd);
			continue;
		}
		if (l->kind == LISTEN_HTTP)
			accept_http(sv, fd, name);
		else
			accept_rtr(sv, l, fd, name);
	}
}

/* ---- HTTP -------------------------------------------------------------- */

/* A snapshot of the server for the HTTP renderers. */
static void
fill_view(struct server *sv, struct rtrd_view *v)
{
	const struct conn *c;
	int ver;

	memset(v, 0, sizeof(*v));
	v->stats = &sv->stats;
	v->h = sv->h;
	v->input = sv->cfg->input;
	v->listeners = sv->lview;
	v->nlisteners = sv->nlisteners;
	v->http_conns = sv->nhconns;
	v->now = time(NULL);
	for (c = sv->conns; c != NULL; c = c->next) {
		if ((ver = session_version(c->s)) >= 0 &&
		    ver < HISTORY_NVERSIONS)
			v->sessions[ver]++;
		else
			v->sessions_new++;
	}
}

static void
http_write(struct server *sv, struct hconn *h)
{
	ssize_t n;

	while (h->respoff < h->resplen) {
		n = write(h->src.fd, h->resp + h->respoff,
		    h->resplen - h->respoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (ep_set(sv, &h->src, EPOLLOUT) == -1)
				hconn_close(sv, h);
			return;
		}
		if (n == -1) {
			hconn_close(sv, h);
			return;
		}
		h->respoff += n;
	}
	shutdown(h->src.fd, SHUT_WR);
	hconn_close(sv, h);
}

static void
http_read(struct server *sv, struct hconn *h)
{
	struct rtrd_view v;
	ssize_t n;
	int status;

	for (;;) {
		n = read(h->src.fd, h->req + h->reqlen,
		    sizeof(h->req) - h->reqlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* Gone before a complete request: nothing to answer. */
			hconn_close(sv, h);
			return;
		}
		h->reqlen += n;
		fill_view(sv, &v);
		status = httpd_answer(h->req, h->reqlen, &v, &h->resp,
		    &h->resplen);
		if (status == 0)
			continue;
		if (status == -1) {
			log_warnx_obj(h->name, "HTTP: out of memory");
			hconn_close(sv, h);
			return;
		}
		sv->stats.http_requests++;
		log_debug_obj(h->name, "HTTP %d", status);
		http_write(sv, h);
		return;
	}
}

static void
on_http(struct server *sv, struct hconn *h, uint32_t events)
{
	if (h->dead)
		return;
	if (h->resp != NULL) {
		if (events & (EPOLLERR | EPOLLHUP))
			hconn_close(sv, h);
		else
			http_write(sv, h);
		return;
	}
	if (events & EPOLLERR)
		hconn_close(sv, h);
	else
		http_read(sv, h);
}

/* ---- Data -------------------------------------------------------------- */

static void
notify_all(struct server *sv)
{
	struct conn *c, *next;

	for (c = sv->conns; c != NULL; c = next) {
		next = c->next;
		if (session_notify(c->s) == 1)
			sv->stats.notifies++;
		conn_flush(sv, c);
		conn_update(sv, c);
	}
}

/* A failed load or download: count it and keep what is served. */
static void
load_failed(struct server *sv, const char *err)
{
	metrics_load(&sv->stats, 0, time(NULL), err);
	log_warnx("%s; %s", err, history_has_data(sv->h) ?
	    "still serving the previous set" : "no data to serve yet");
}

/*
 * Make the loaded *set (consumed) the served one.  Returns 0, or -1 if
 * it could not be used (out of memory), the previous set staying.
 */
static int
apply_set(struct server *sv, struct input_set *set)
{
	int rc;

	log_info_obj(sv->cfg->input, "%s: %zu VRPs, %zu router keys, "
	    "%zu ASPAs, %zu expired entries dropped",
	    input_format_name(set->format), vrpset_count(set->vrps),
	    rkset_count(set->rks), aspaset_count(set->aspas),
	    set->expired_vrps + set->expired_rks + set->expired_aspas);
	if ((rc = history_push(sv->h, set)) == -1) {
		metrics_load(&sv->stats, 0, time(NULL), "out of memory");
		log_warnx("out of memory building the new serial; "
		    "still serving the previous set");
		input_set_free(set);
		return -1;
	}
	metrics_load(&sv->stats, 1, time(NULL), NULL);
	if (rc == 0) {
		log_info("input unchanged, serial stays %u",
		    history_serial(sv->h));
		return 0;
	}
	log_notice("serving serial %u", history_serial(sv->h));
	notify_all(sv);
	return 0;
}

/*
 * Hold /dev/null open as a spare descriptor.  Routers may use up all
 * the others (accept() then fails with EMFILE and waits, see
 * do_accept()); the input must still be readable then, or a new set
 * would be refused and, its file stamp taken, not retried until the
 * next one.
 */
static void
spare_take(struct server *sv)
{
	if (sv->spare == -1)
		sv->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void
spare_release(struct server *sv)
{
	if (sv->spare != -1)
		close(sv->spare);
	sv->spare = -1;
}

/* Load the input file; on success it becomes the served set. */
static void
reload(struct server *sv)
{
	struct input_set set;
	char err[LOAD_ERR_MAX];
	int rc;

	/* The load opens one file at a time: the spare is room enough. */
	spare_release(sv);
	rc = input_load(sv->cfg->input, time(NULL), &set, err, sizeof(err));
	spare_take(sv);
	if (rc == -1) {
		load_failed(sv, err);
		return;
	}
	apply_set(sv, &set);
}

/* The downloader has news: the outcome of one or more attempts. */
static void
on_fetch(struct server *sv)
{
	struct fetchinput_result r;

	if (!fetchinput_take(sv->fi, &r))
		return;
	switch (r.outcome) {
	case FETCHINPUT_LOADED:
		log_info_obj(sv->cfg->input, "HTTP %ld, %llu bytes in %.2f s",
		    r.status, (unsigned long long)r.bytes, r.seconds);
		/* An unused set must be downloaded again, not met with 304. */
		if (apply_set(sv, &r.set) == -1)
			fetchinput_forget(sv->fi);
		break;
	case FETCHINPUT_NOT_MODIFIED:
		metrics_load_not_modified(&sv->stats);
		log_debug_obj(sv->cfg->input, "not modified, serial stays %u",
		    history_serial(sv->h));
		break;
	default:
		load_failed(sv, r.err);
		break;
	}
	input_set_free(&r.set);
}

/* Start downloading a URL input, once root is dropped. */
static int
start_fetch(struct server *sv)
{
	struct fetchinput_config fc;
	char err[LOAD_ERR_MAX];

	memset(&fc, 0, sizeof(fc));
	fc.url = sv->cfg->input;
	fc.ca_file = sv->cfg->ca_file;
	fc.interval = sv->cfg->input_interval;
	if ((sv->fi = fetchinput_start(&fc, err, sizeof(err))) == NULL) {
		log_errorx("%s", err);
		return -1;
	}
	sv->fetch.kind = SRC_FETCH;
	sv->fetch.fd = fetchinput_fd(sv->fi);
	log_notice("fetching %s every %u s", sv->cfg->input,
	    sv->cfg->input_interval > 0 ? sv->cfg->input_interval :
	    FETCHINPUT_INTERVAL_DEFAULT);
	return ep_set(sv, &sv->fetch, EPOLLIN);
}

static void
check_input(struct server *sv)
{
	int rc;

	if ((rc = input_changed(sv->cfg->input, &sv->stamp)) == 1)
		reload(sv);
	else if (rc == -1)
		log_warn_obj(sv->cfg->input, "stat");
}

static void
on_timer(struct server *sv)
{
	struct conn *c, *next;
	struct hconn *h, *hnext;
	uint64_t ticks;
	time_t now = mono_now();
	size_t i;

	if (read(sv->timer.fd, &ticks, sizeof(ticks)) == -1 &&
	    errno != EAGAIN)
		log_warn("timerfd");
	for (c = sv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->ssl != NULL && !c->hs_done &&
		    now - c->accepted >= TLS_HANDSHAKE_TIMEOUT) {
			sv->stats.tls_handshake_failures++;
			log_info_obj(session_name(c->s), "TLS handshake "
			    "time-out");
			session_eof(c->s);
		}
		session_tick(c->s, now);
		conn_update(sv, c);
	}
	for (h = sv->hconns; h != NULL; h = hnext) {
		hnext = h->next;
		if (now - h->started >= HTTPD_TIMEOUT)
			hconn_close(sv, h);
	}
	if (sv->listen_paused) {
		sv->listen_paused = 0;
		for (i = 0; i < sv->nlisteners; i++)
			ep_set(sv, &sv->listeners[i].src, EPOLLIN);
	}
	if (sv->cfg->input != NULL && !sv->url && now >= sv->next_poll) {
		sv->next_poll = now + SERVER_POLL_INTERVAL;
		check_input(sv);
	}
	switch (history_expire(sv->h, time(NULL))) {
	case 1:
		log_notice("expired payloads withdrawn: serving serial %u",
		    history_serial(sv->h));
		notify_all(sv);
		break;
	case -1:
		log_warnx("out of memory withdrawing expired payloads");
		break;
	}
}

static void
on_inotify(struct server *sv)
{
	char buf[INOTIFY_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0;

	/* Which file changed does not matter: input_changed() decides. */
	while (read(sv->ino.fd, buf, sizeof(buf)) > 0)
		any = 1;
	if (any)
		check_input(sv);
}

static void
on_signal(struct server *sv)
{
	struct signalfd_siginfo si;

	while (read(sv->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_notice("SIGHUP: reloading %s", sv->cfg->input ?
			    sv->cfg->input : "(no input)");
			if (sv->fi != NULL)
				fetchinput_kick(sv->fi);
			else if (sv->cfg->input != NULL && !sv->url) {
				memset(&sv->stamp, 0, sizeof(sv->stamp));
				check_input(sv);
			}
		} else {
			log_notice("signal %u: shutting down", si.ssi_signo);
			sv->quit = 1;
		}
	}
}

/* ---- Set-up ------------------------------------------------------------ */

static int
open_listener(struct server *sv, const struct sockaddr *sa, socklen_t len,
    const char *text, enum listen_kind kind, int tolerate_noaf)
{
	static const char *const kinds[] = { "rtr", "rtr-tls", "http" };
	struct listener *l;
	int fd, one = 1;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		if (tolerate_noaf && errno == EAFNOSUPPORT)
			return 0;
		log_error("%s: socket", text);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Each listener serves its own family; list both for dual stack. */
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, len) == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		if (tolerate_noaf && errno == EADDRNOTAVAIL) {
			close(fd);
			return 0;
		}
		log_error("%s: bind", text);
		close(fd);
		return -1;
	}
	l = &sv->listeners[sv->nlisteners];
	l->src.kind = SRC_LISTEN;
	l->src.fd = fd;
	l->kind = kind;
	snprintf(l->addr, sizeof(l->addr), "%s", text);
	sv->lview[sv->nlisteners].kind = kinds[kind];
	sv->lview[sv->nlisteners].addr = l->addr;
	sv->nlisteners++;
	if (ep_set(sv, &l->src, EPOLLIN) == -1)
		return -1;
	log_notice("listening on %s (%s)", text, kinds[kind]);
	return 0;
}

/* Open the n listeners of one kind; texts NULL: the RTR defaults. */
static int
open_kind(struct server *sv, char *const *texts, size_t n,
    enum listen_kind kind)
{
	static const char *const defaults[] = { "0.0.0.0", "[::]" };
	struct sockaddr_storage ss;
	socklen_t len;
	char text[SERVER_ADDR_MAX + 1];
	size_t i;

	for (i = 0; i < n; i++) {
		if (texts != NULL)
			snprintf(text, sizeof(text), "%s", texts[i]);
		else
			snprintf(text, sizeof(text), "%s:%d", defaults[i],
			    SERVER_DEFAULT_PORT);
		if (server_parse_addr(text, &ss, &len) == -1) {
			log_errorx("%s: bad listening address", text);
			return -1;
		}
		if (open_listener(sv, (struct sockaddr *)&ss, len, text, kind,
		    texts == NULL && i == 1) == -1)
			return -1;
	}
	return 0;
}

static int
open_listeners(struct server *sv)
{
	const struct server_config *cfg = sv->cfg;
	/* Only TLS asked for: no plain defaults next to it. */
	int defaults = cfg->nlisten == 0 && cfg->ntls == 0;
	size_t n;

	n = (defaults ? 2 : cfg->nlisten) + cfg->ntls + cfg->nhttp;
	if ((sv->listeners = calloc(n, sizeof(*sv->listeners))) == NULL ||
	    (sv->lview = calloc(n, sizeof(*sv->lview))) == NULL)
		return -1;
	if (open_kind(sv, defaults ? NULL : cfg->listen, defaults ? 2 :
	    cfg->nlisten, LISTEN_RTR) == -1 ||
	    open_kind(sv, cfg->tls_listen, cfg->ntls, LISTEN_TLS) == -1 ||
	    open_kind(sv, cfg->http_listen, cfg->nhttp, LISTEN_HTTP) == -1)
		return -1;
	return 0;
}

static int
open_signals(struct server *sv)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sv->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1) {
		log_error("signalfd");
		return -1;
	}
	sv->sig.kind = SRC_SIGNAL;
	return ep_set(sv, &sv->sig, EPOLLIN);
}

static int
open_timer(struct server *sv)
{
	struct itimerspec its;

	if ((sv->timer.fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1) {
		log_error("timerfd_create");
		return -1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = 1;
	its.it_interval.tv_sec = 1;
	if (timerfd_settime(sv->timer.fd, 0, &its, NULL) == -1) {
		log_error("timerfd_settime");
		return -1;
	}
	sv->timer.kind = SRC_TIMER;
	return ep_set(sv, &sv->timer, EPOLLIN);
}

/* Watch the directory the input lives in (or is); polling covers failures. */
static void
open_inotify(struct server *sv)
{
	struct stat st;
	char *copy, *dir;

	sv->ino.fd = -1;
	if (sv->cfg->input == NULL || sv->url)
		return;
	if ((copy = strdup(sv->cfg->input)) == NULL)
		return;
	dir = stat(copy, &st) == 0 && S_ISDIR(st.st_mode) ? copy :
	    dirname(copy);
	if ((sv->ino.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(sv->ino.fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_CREATE | IN_DELETE | IN_ATTRIB) == -1) {
		log_warn_obj(dir, "inotify; polling every %d s instead",
		    SERVER_POLL_INTERVAL);
		if (sv->ino.fd != -1)
			close(sv->ino.fd);
		sv->ino.fd = -1;
	} else {
		sv->ino.kind = SRC_INOTIFY;
		ep_set(sv, &sv->ino, EPOLLIN);
	}
	free(copy);
}

/*
 * Random session IDs, different per version, and a random first serial:
 * a restart picks new ones, so routers holding the old ones get a Cache
 * Reset (RFC 8210 section 5.1).  With a serial always starting at 0, a
 * router whose old session ID came up again (1 in 65,536) and which held
 * serial 0 would keep its stale set; a random first serial makes that
 * 2^32 times less likely.
 */
static int
session_random(uint16_t ids[HISTORY_NVERSIONS], uint32_t *first_serial)
{
	size_t i, j;
	int dup;

	do {
		if (getrandom(ids, HISTORY_NVERSIONS * sizeof(ids[0]), 0) !=
		    (ssize_t)(HISTORY_NVERSIONS * sizeof(ids[0]))) {
			log_error("getrandom");
			return -1;
		}
		dup = 0;
		for (i = 0; i < HISTORY_NVERSIONS; i++)
			for (j = i + 1; j < HISTORY_NVERSIONS; j++)
				dup |= ids[i] == ids[j];
	} while (dup);
	if (getrandom(first_serial, sizeof(*first_serial), 0) !=
	    (ssize_t)sizeof(*first_serial)) {
		log_error("getrandom");
		return -1;
	}
	return 0;
}

/* Allow a descriptor per client and some to spare. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
dispatch(struct server *sv, struct epoll_event *ev)
{
	struct src *src = ev->data.ptr;
	struct conn *c;

	switch (src->kind) {
	case SRC_LISTEN:
		do_accept(sv, (struct listener *)((char *)src -
		    offsetof(struct listener, src)));
		return;
	case SRC_HTTP:
		on_http(sv, (struct hconn *)((char *)src -
		    offsetof(struct hconn, src)), ev->events);
		return;
	case SRC_SIGNAL:
		on_signal(sv);
		return;
	case SRC_TIMER:
		on_timer(sv);
		return;
	case SRC_INOTIFY:
		on_inotify(sv);
		return;
	case SRC_FETCH:
		on_fetch(sv);
		return;
	case SRC_CONN_IN:
		c = (struct conn *)((char *)src - offsetof(struct conn, in));
		break;
	default:
		c = (struct conn *)((char *)src - offsetof(struct conn, out));
		break;
	}
	if (c->dead)
		return;
	if (ev->events & EPOLLRDHUP)
		c->rdhup = 1;
	if (ev->events & (EPOLLHUP | EPOLLERR))
		session_eof(c->s);
	else
		conn_pump(sv, c, ev->events & EPOLLIN, ev->events & EPOLLOUT);
	conn_update(sv, c);
}

static void
server_cleanup(struct server *sv)
{
	size_t i;

	/* First, so no thread outlives what it might touch. */
	fetchinput_stop(sv->fi);
	while (sv->conns != NULL)
		conn_close(sv, sv->conns);
	while (sv->hconns != NULL)
		hconn_close(sv, sv->hconns);
	reap(sv);
	for (i = 0; i < sv->nlisteners; i++)
		close(sv->listeners[i].src.fd);
	free(sv->listeners);
	free(sv->lview);
	SSL_CTX_free(sv->tls);
	if (sv->sig.fd > 0)
		close(sv->sig.fd);
	if (sv->timer.fd > 0)
		close(sv->timer.fd);
	if (sv->ino.fd > 0)
		close(sv->ino.fd);
	if (sv->ep > 0)
		close(sv->ep);
	spare_release(sv);
	history_free(sv->h);
	free(sv);
}

/* Listeners bound and input read: root is no longer needed. */
static int
drop_root(struct server *sv)
{
	char err[PRIVDROP_ERR_MAX];

	if (privdrop(sv->cfg->user, err, sizeof(err)) == -1) {
		log_errorx("cannot drop privileges: %s", err);
		return -1;
	}
	if (geteuid() == 0 && sv->cfg->user == NULL)
		log_warnx("running as root: no user %s; use --user",
		    PRIVDROP_DEFAULT_USER);
	return 0;
}

static int
server_setup(struct server *sv)
{
	uint16_t ids[HISTORY_NVERSIONS];
	uint32_t first;
	char err[LOAD_ERR_MAX];
	struct conn *c;
	int fl;

	if (session_random(ids, &first) == -1)
		return -1;
	if ((sv->h = history_new(sv->cfg->history, ids, first)) == NULL) {
		log_errorx("cannot create the serial history");
		return -1;
	}
	if ((sv->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_error("epoll_create1");
		return -1;
	}
	if (open_signals(sv) == -1 || open_timer(sv) == -1)
		return -1;
	open_inotify(sv);
	if (sv->cfg->ntls > 0 && (sv->tls = tls_server_ctx(sv->cfg->tls_cert,
	    sv->cfg->tls_key, err, sizeof(err))) == NULL) {
		log_errorx("TLS: %s", err);
		return -1;
	}
	if (sv->cfg->input != NULL && !sv->url)
		check_input(sv);
	spare_take(sv);
	sv->next_poll = mono_now() + SERVER_POLL_INTERVAL;
	if (!sv->cfg->use_stdio)
		return open_listeners(sv) == -1 || drop_root(sv) == -1 ||
		    (sv->url && start_fetch(sv) == -1) ? -1 : 0;
	/* Blocking descriptors would stall the loop. */
	if ((fl = fcntl(STDIN_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (fl = fcntl(STDOUT_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_error("stdio");
		return -1;
	}
	if ((c = conn_new(sv, STDIN_FILENO, STDOUT_FILENO, "stdio")) == NULL) {
		log_errorx("stdio: cannot start the session");
		return -1;
	}
	conn_update(sv, c);
	return drop_root(sv) == -1 || (sv->url && start_fetch(sv) == -1) ?
	    -1 : 0;
}

/*
 * Run the loop until told to stop (see server.h).
 */
int
server_run(const struct server_config *cfg)
{
	struct epoll_event evs[MAX_EVENTS];
	struct server *sv;
	int i, n, rc = 1;

	if ((sv = calloc(1, sizeof(*sv))) == NULL) {
		log_errorx("out of memory");
		return 1;
	}
	sv->cfg = cfg;
	sv->url = cfg->input != NULL && fetchinput_is_url(cfg->input);
	sv->sig.fd = sv->timer.fd = sv->ino.fd = sv->ep = sv->spare = -1;
	sv->stats.started = time(NULL);
	raise_fd_limit();
	if (server_setup(sv) == -1)
		goto out;
	rc = 0;
	while (!sv->quit) {
		if (cfg->use_stdio && sv->conns == NULL)
			break;
		if ((n = epoll_wait(sv->ep, evs, MAX_EVENTS, -1)) == -1) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait");
			rc = 1;
			break;
		}
		for (i = 0; i < n && !sv->quit; i++)
			dispatch(sv, &evs[i]);
		reap(sv);
	}
 out:
	server_cleanup(sv);
	return rc;
}
