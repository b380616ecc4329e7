/*
 * The fetcher process (fetch_proc.h): one thread, one loop.  Requests
 * are queued on the fetcher (fetch_queue()) as they come; between two
 * requests the loop drives the fetcher one turn at a time (fetch_run()
 * with no extra time, at most FETCH_SLICE_MS) and answers the requests
 * whose repository finished.  So every repository asked for is in
 * flight at once, as when the walk's threads call fetch_repo() in one
 * process, and a slow server holds up only its own requests.
 *
 * The child never blocks on a send: answers wait in a queue until the
 * socket takes them, so that a parent busy sending requests (reef fetch
 * queues many at once) can never deadlock with a child busy answering.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "validator/fetch_proc_int.h"

/* First size of the array of requests not yet answered. */
#define FPC_INITIAL_REQS	64

/* A request queued on the fetcher and not yet answered. */
struct fpc_req {
	uint32_t	 id;		/* the parent's repository number */
	long		 idx;		/* the fetcher's, -1: refused */
};

/* An encoded answer waiting for room in the socket. */
struct fpc_out {
	struct fpc_out	*next;
	size_t		 len;
	unsigned char	 buf[];
};

struct fpc {
	int		 sock;
	struct fetcher	*f;
	struct fpc_req	*reqs;
	size_t		 nreqs, cap;
	struct fpc_out	*head, **tail;
	uint32_t	 answered;
	uint32_t	 asked;
	int		 finishing;	/* FPM_FINISH received */
	int		 eof;		/* the parent is gone */
};

/*
 * Die with the parent; let go of what is the parent's alone; no one
 * may ptrace or read our memory.
 */
static int
child_setup(pid_t parent, const struct fetch_proc_config *cfg)
{
	size_t i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		return -1;
	for (i = 0; i < cfg->nclose; i++)
		(void)close(cfg->close_fds[i]);
	return prctl(PR_SET_DUMPABLE, 0) == -1 ? -1 : 0;
}

/* Append the encoded o to the output queue.  0 or -1. */
static int
enqueue(struct fpc *c, const struct fpm_out *o)
{
	unsigned char buf[FPM_MAX];
	struct fpc_out *q;
	size_t len;

	if ((len = fpm_encode(o, buf)) == 0 ||
	    (q = malloc(sizeof(*q) + len)) == NULL)
		return -1;
	memcpy(q->buf, buf, len);
	q->len = len;
	q->next = NULL;
	*c->tail = q;
	c->tail = &q->next;
	return 0;
}

/* Send what the socket takes now.  0, or -1 when the parent is gone. */
static int
flush(struct fpc *c)
{
	struct fpc_out *q;
	ssize_t n;

	while ((q = c->head) != NULL) {
		n = send(c->sock, q->buf, q->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n != (ssize_t)q->len)
			return -1;
		if ((c->head = q->next) == NULL)
			c->tail = &c->head;
		free(q);
	}
	return 0;
}

/* Queue the answer to r: status st, or a refusal when st is NULL. */
static int
answer(struct fpc *c, const struct fpc_req *r, const struct fetch_status *st)
{
	struct fpm_out o;
	char err[FPM_ERROR_MAX + 1];

	memset(&o, 0, sizeof(o));
	o.h.type = FPM_ANSWER;
	o.h.id = r->id;
	if (st == NULL) {
		o.h.rc = -1;
		o.h.result = FETCH_FAILED;
		o.str[FPM_S_ERROR] = "repository URI refused by the fetcher";
	} else {
		o.h.rc = st->result == FETCH_OK || st->result == FETCH_STALE ?
		    0 : -1;
		o.h.proto = st->proto;
		o.h.result = st->result;
		o.h.rrdp_delta = st->rrdp_delta != 0;
		o.h.unchanged = st->unchanged != 0;
		o.h.objects = st->objects;
		o.h.bytes = st->bytes;
		o.h.seconds = st->seconds >= 0 ? st->seconds : 0;
		if (st->error != NULL) {
			snprintf(err, sizeof(err), "%s", st->error);
			o.str[FPM_S_ERROR] = err;
		}
		o.str[FPM_S_NOTIFY] = st->notify_uri;
	}
	c->answered++;
	return enqueue(c, &o);
}

/* Answer the requests whose repository finished.  0 or -1. */
static int
answer_finished(struct fpc *c)
{
	const struct fetch_status *st;
	size_t i = 0;

	while (i < c->nreqs) {
		st = c->reqs[i].idx >= 0 ?
		    fetch_status_at(c->f, (size_t)c->reqs[i].idx) : NULL;
		if (st != NULL && st->result == FETCH_PENDING) {
			i++;
			continue;
		}
		if (answer(c, &c->reqs[i], st) == -1)
			return -1;
		c->reqs[i] = c->reqs[--c->nreqs];
	}
	return 0;
}

/* Queue the repository of an FPM_FETCH.  0 or -1. */
static int
take_request(struct fpc *c, const struct fpm_msg *m)
{
	struct fpc_req *nr;
	size_t ncap;

	if (c->asked >= FETCH_PROC_MAX_REPOS) {
		log_errorx("fetcher: more than %zu repositories asked for",
		    FETCH_PROC_MAX_REPOS);
		return -1;
	}
	if (c->nreqs == c->cap) {
		ncap = c->cap == 0 ? FPC_INITIAL_REQS : c->cap * 2;
		if ((nr = reallocarray(c->reqs, ncap, sizeof(*nr))) == NULL)
			return -1;
		c->reqs = nr;
		c->cap = ncap;
	}
	c->reqs[c->nreqs].id = m->h.id;
	c->reqs[c->nreqs].idx = fetch_queue(c->f, m->str[FPM_S_URI],
	    (m->h.has & (1U << FPM_S_NOTIFY)) ? m->str[FPM_S_NOTIFY] : NULL);
	c->nreqs++;
	c->asked++;
	return 0;
}

/* Read every request waiting.  0, or -1 on a bad message (logged). */
static int
take_requests(struct fpc *c)
{
	struct fpm_msg m;
	char err[FPM_WHY_MAX];
	int n;

	for (;;) {
		n = fpm_recv(c->sock, &m, MSG_DONTWAIT, err, sizeof(err));
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == 0 || n == -1) {
			c->eof = 1;
			return 0;
		}
		if (n == -2) {
			log_errorx("fetcher: malformed request: %s", err);
			return -1;
		}
		if (m.h.type == FPM_FINISH)
			c->finishing = 1;
		else if (m.h.type != FPM_FETCH || c->finishing) {
			log_errorx("fetcher: unexpected message %u", m.h.type);
			return -1;
		} else if (take_request(c, &m) == -1)
			return -1;
	}
}

/* Fetch the TA certificates and tell the parent.  0 or -1. */
static int
send_tas(struct fpc *c, const struct fetch_proc_config *cfg, int abi)
{
	struct fpm_ta ta[MAX_TALS];
	struct fpm_out o;
	enum fetch_proto p;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(ta, 0, sizeof(ta));
	for (i = 0; i < cfg->ntals && i < MAX_TALS; i++) {
		p = FETCH_PROTO_NONE;
		ta[i].rc = fetch_ta(c->f, cfg->tals[i], &p) == 0 ? 0 : -1;
		ta[i].proto = p;
	}
	o.h.type = FPM_TAS;
	o.h.rc = abi;
	o.h.count = (uint32_t)i;
	o.ta = ta;
	return fpm_send(c->sock, &o, 0);
}

/* Serve requests until FPM_FINISH or the parent goes.  0 or -1. */
static int
serve(struct fpc *c)
{
	struct pollfd pfd;

	for (;;) {
		if (c->nreqs > 0)
			(void)fetch_run(c->f, 0);
		if (answer_finished(c) == -1 || flush(c) == -1)
			return -1;
		if (c->eof)
			return 0;
		if (c->finishing && c->nreqs == 0 && c->head == NULL)
			break;
		pfd.fd = c->sock;
		pfd.events = POLLIN | (c->head != NULL ? POLLOUT : 0);
		if (poll(&pfd, 1, c->nreqs > 0 ? 0 : -1) == -1 &&
		    errno != EINTR)
			return -1;
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
		    take_requests(c) == -1)
			return -1;
	}
	return 0;
}

void
fetch_proc_child(int sock, pid_t parent, const struct fetch_proc_config *cfg)
{
	struct sandbox_result sr;
	struct fpm_out o;
	struct fpc c;
	char err[SANDBOX_NOTE_MAX];
	int rc = 1;

	memset(&c, 0, sizeof(c));
	c.sock = sock;
	c.tail = &c.head;
	memset(&sr, 0, sizeof(sr));
	if (child_setup(parent, cfg) == -1)
		_exit(FPM_EXIT_SETUP);
	if ((c.f = fetch_new(cfg->fetch)) == NULL)
		_exit(FPM_EXIT_SETUP);
	if (cfg->sandbox != NULL &&
	    sandbox_apply(cfg->sandbox, &sr, err, sizeof(err)) == -1) {
		log_errorx("fetcher: cannot confine the fetcher process: %s "
		    "(--no-sandbox runs without)", err);
		_exit(FPM_EXIT_SETUP);
	}
	if (cfg->sandbox != NULL && sr.note[0] != '\0')
		log_notice("fetcher process: %s", sr.note);
	if (send_tas(&c, cfg, sr.landlock_abi) == -1 || serve(&c) == -1)
		goto out;
	if (!c.eof) {
		memset(&o, 0, sizeof(o));
		o.h.type = FPM_DONE;
		o.h.count = c.answered;
		if (fpm_send(sock, &o, 0) == -1)
			goto out;
	}
	rc = 0;
 out:
	/* _exit: the parent's atexit handlers and stdio are the parent's. */
	fetch_free(c.f);
	_exit(rc);
}
