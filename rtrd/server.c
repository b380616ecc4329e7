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
#include "rtrd/history.h"
#include "rtrd/input.h"
#include "rtrd/server.h"

/* Bytes read from a router at a time. */
#define READ_CHUNK		16384
/* Buffers handed to one writev(). */
#define WRITE_IOV		SESSION_QUEUE_MAX
/* epoll events handled per wakeup. */
#define MAX_EVENTS		64
/* Pending connections per listener. */
#define LISTEN_BACKLOG		128
/* Room for inotify events (each carries a file name). */
#define INOTIFY_BUF		4096
/* Longest error text of a failed load. */
#define LOAD_ERR_MAX		512

enum src_kind {
	SRC_LISTEN,
	SRC_SIGNAL,
	SRC_TIMER,
	SRC_INOTIFY,
	SRC_CONN_IN,
	SRC_CONN_OUT
};

/* What an epoll event is about; embedded in its owner. */
struct src {
	enum src_kind	 kind;
	int		 fd;
	uint32_t	 events;	/* currently registered */
};

struct conn {
	struct src	 in;
	struct src	 out;		/* same fd as in, except for stdio */
	struct session	*s;
	int		 rdhup;		/* peer shut its side: stop asking */
	int		 dead;		/* closed, freed after this epoll batch */
	struct conn	*next;
	struct conn	*prev;
};

struct server {
	const struct server_config *cfg;
	int		 ep;
	struct src	*listeners;
	size_t		 nlisteners;
	int		 listen_paused;	/* out of descriptors: retry later */
	struct src	 sig;
	struct src	 timer;
	struct src	 ino;
	struct history	*h;
	struct input_stamp stamp;
	time_t		 next_poll;
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
reap(struct server *sv)
{
	struct conn *c;

	while ((c = sv->dead) != NULL) {
		sv->dead = c->next;
		free(c);
	}
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

/* Write what the session has queued until the socket is full. */
static void
conn_flush(struct conn *c)
{
	struct iovec iov[WRITE_IOV];
	ssize_t n;
	int k;

	while (session_state(c->s) != SESSION_CLOSED &&
	    (k = session_output(c->s, iov, WRITE_IOV)) > 0) {
		if ((n = writev(c->out.fd, iov, k)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn_obj(session_name(c->s), "write");
				session_eof(c->s);
			}
			return;
		}
		session_sent(c->s, n);
	}
}

static void
conn_read(struct conn *c, uint8_t *buf, time_t now)
{
	ssize_t n;

	while (session_want_read(c->s)) {
		if ((n = read(c->in.fd, buf, READ_CHUNK)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn_obj(session_name(c->s), "read");
				session_eof(c->s);
			}
			return;
		}
		if (n == 0) {
			session_eof(c->s);
			return;
		}
		session_input(c->s, buf, n, now);
		conn_flush(c);
	}
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
	c->next = sv->conns;
	if (sv->conns != NULL)
		sv->conns->prev = c;
	sv->conns = c;
	sv->nconns++;
	conn_update(sv, c);
	return c;
}

static void
do_accept(struct server *sv, struct src *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char name[SESSION_NAME_MAX];
	int fd;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Stop spinning on the listener until the next tick. */
				log_warn("accept");
				sv->listen_paused = 1;
				ep_set(sv, l, 0);
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
		if (sv->nconns >= MAX_RTR_CLIENTS) {
			log_warnx("%s: refused, %d sessions already", name,
			    MAX_RTR_CLIENTS);
			close(fd);
			continue;
		}
		if (conn_new(sv, fd, fd, name) == NULL) {
			log_warnx("%s: out of memory", name);
			close(fd);
			continue;
		}
		log_info_obj(name, "connected");
	}
}

/* ---- Data -------------------------------------------------------------- */

static void
notify_all(struct server *sv)
{
	struct conn *c, *next;

	for (c = sv->conns; c != NULL; c = next) {
		next = c->next;
		session_notify(c->s);
		conn_flush(c);
		conn_update(sv, c);
	}
}

/* Load the input; on success it becomes the served set. */
static void
reload(struct server *sv)
{
	struct input_set set;
	char err[LOAD_ERR_MAX];
	int rc;

	if (input_load(sv->cfg->input, time(NULL), &set, err,
	    sizeof(err)) == -1) {
		log_warnx("%s; %s", err, history_has_data(sv->h) ?
		    "still serving the previous set" : "no data to serve yet");
		return;
	}
	log_info_obj(sv->cfg->input, "%s: %zu VRPs, %zu router keys, "
	    "%zu ASPAs, %zu expired entries dropped",
	    input_format_name(set.format), vrpset_count(set.vrps),
	    rkset_count(set.rks), aspaset_count(set.aspas),
	    set.expired_vrps + set.expired_rks + set.expired_aspas);
	if ((rc = history_push(sv->h, &set)) == -1) {
		log_warnx("out of memory building the new serial; "
		    "still serving the previous set");
		input_set_free(&set);
		return;
	}
	if (rc == 0) {
		log_info("input unchanged, serial stays %u",
		    history_serial(sv->h));
		return;
	}
	log_notice("serving serial %u", history_serial(sv->h));
	notify_all(sv);
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
	uint64_t ticks;
	time_t now = mono_now();
	size_t i;

	if (read(sv->timer.fd, &ticks, sizeof(ticks)) == -1 &&
	    errno != EAGAIN)
		log_warn("timerfd");
	for (c = sv->conns; c != NULL; c = next) {
		next = c->next;
		session_tick(c->s, now);
		conn_update(sv, c);
	}
	if (sv->listen_paused) {
		sv->listen_paused = 0;
		for (i = 0; i < sv->nlisteners; i++)
			ep_set(sv, &sv->listeners[i], EPOLLIN);
	}
	if (sv->cfg->input != NULL && now >= sv->next_poll) {
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
			if (sv->cfg->input != NULL) {
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
    const char *text, int tolerate_noaf)
{
	struct src *l;
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
	l = &sv->listeners[sv->nlisteners++];
	l->kind = SRC_LISTEN;
	l->fd = fd;
	if (ep_set(sv, l, EPOLLIN) == -1)
		return -1;
	log_notice("listening on %s", text);
	return 0;
}

static int
open_listeners(struct server *sv)
{
	static const char *const defaults[] = { "0.0.0.0", "[::]" };
	struct sockaddr_storage ss;
	socklen_t len;
	char text[SERVER_ADDR_MAX + 1];
	size_t i, n;

	n = sv->cfg->nlisten > 0 ? sv->cfg->nlisten : 2;
	if ((sv->listeners = calloc(n, sizeof(*sv->listeners))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (sv->cfg->nlisten > 0)
			snprintf(text, sizeof(text), "%s", sv->cfg->listen[i]);
		else
			snprintf(text, sizeof(text), "%s:%d", defaults[i],
			    SERVER_DEFAULT_PORT);
		if (server_parse_addr(text, &ss, &len) == -1) {
			log_errorx("%s: bad listening address", text);
			return -1;
		}
		if (open_listener(sv, (struct sockaddr *)&ss, len, text,
		    sv->cfg->nlisten == 0 && i == 1) == -1)
			return -1;
	}
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
	if (sv->cfg->input == NULL)
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
 * Random session IDs, different per version: a restart picks new ones,
 * so routers holding the old ones get a Cache Reset (RFC 8210 section
 * 5.1).
 */
static int
session_ids(uint16_t ids[HISTORY_NVERSIONS])
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
		do_accept(sv, src);
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
	else {
		if (ev->events & EPOLLOUT)
			conn_flush(c);
		/* A half-closed peer still gets its answers; read finds EOF. */
		if (ev->events & EPOLLIN)
			conn_read(c, sv->rbuf, mono_now());
	}
	conn_update(sv, c);
}

static void
server_cleanup(struct server *sv)
{
	size_t i;

	while (sv->conns != NULL)
		conn_close(sv, sv->conns);
	reap(sv);
	for (i = 0; i < sv->nlisteners; i++)
		close(sv->listeners[i].fd);
	free(sv->listeners);
	if (sv->sig.fd > 0)
		close(sv->sig.fd);
	if (sv->timer.fd > 0)
		close(sv->timer.fd);
	if (sv->ino.fd > 0)
		close(sv->ino.fd);
	if (sv->ep > 0)
		close(sv->ep);
	history_free(sv->h);
	free(sv);
}

static int
server_setup(struct server *sv)
{
	uint16_t ids[HISTORY_NVERSIONS];
	int fl;

	if (session_ids(ids) == -1)
		return -1;
	if ((sv->h = history_new(sv->cfg->history, ids, 0)) == NULL) {
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
	if (sv->cfg->input != NULL)
		check_input(sv);
	sv->next_poll = mono_now() + SERVER_POLL_INTERVAL;
	if (!sv->cfg->use_stdio)
		return open_listeners(sv);
	/* Blocking descriptors would stall the loop. */
	if ((fl = fcntl(STDIN_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (fl = fcntl(STDOUT_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_error("stdio");
		return -1;
	}
	if (conn_new(sv, STDIN_FILENO, STDOUT_FILENO, "stdio") == NULL) {
		log_errorx("stdio: cannot start the session");
		return -1;
	}
	return 0;
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
	sv->sig.fd = sv->timer.fd = sv->ino.fd = sv->ep = -1;
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
