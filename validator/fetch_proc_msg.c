/*
 * Encoding, sending, receiving and checking the messages between reef
 * and its fetcher process (fetch_proc_int.h).  The checks are the same
 * whichever end receives: a message is taken apart only after its size,
 * type, strings and values were found within their bounds.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "validator/fetch_proc_int.h"

/* The bound on string i of a message of type t; 0: none allowed. */
static size_t
str_max(uint32_t t, int i)
{
	switch (t) {
	case FPM_FETCH:
		return FPM_STR_MAX;
	case FPM_ANSWER:
		return i == FPM_S_ERROR ? FPM_ERROR_MAX : FPM_STR_MAX;
	default:
		return 0;
	}
}

size_t
fpm_encode(const struct fpm_out *o, unsigned char *buf)
{
	struct fpm h = o->h;
	size_t off = sizeof(h), n;
	int i;

	h.has = 0;
	if (h.type == FPM_TAS && h.count > MAX_TALS)
		return 0;
	for (i = 0; i < FPM_NSTR; i++) {
		h.len[i] = 0;
		if (o->str[i] == NULL)
			continue;
		if ((n = strlen(o->str[i])) > str_max(h.type, i))
			return 0;
		memcpy(buf + off, o->str[i], n);
		off += n;
		h.len[i] = (uint32_t)n;
		h.has |= 1U << i;
	}
	if (h.type == FPM_TAS) {
		n = h.count * sizeof(*o->ta);
		if (n > 0)
			memcpy(buf + off, o->ta, n);
		off += n;
	}
	memcpy(buf, &h, sizeof(h));
	return off;
}

int
fpm_send(int sock, const struct fpm_out *o, int flags)
{
	unsigned char buf[FPM_MAX];
	size_t len;
	ssize_t n;

	if ((len = fpm_encode(o, buf)) == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	do
		n = send(sock, buf, len, flags | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* 1 if s (len bytes) holds no NUL. */
static int
no_nul(const unsigned char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL;
}

/* The values of an FPM_ANSWER status; 0 or -1 (err says). */
static int
check_answer(const struct fpm *h, char *err, size_t errlen)
{
	if (h->rc != 0 && h->rc != -1)
		snprintf(err, errlen, "answer: bad result code");
	else if (h->proto > FETCH_PROTO_HTTPS ||
	    (h->result != FETCH_OK && h->result != FETCH_STALE &&
	    h->result != FETCH_FAILED))
		snprintf(err, errlen, "answer: bad protocol or result");
	else if (h->rrdp_delta > 1 || h->unchanged > 1)
		snprintf(err, errlen, "answer: bad flag");
	else if (!isfinite(h->seconds) || h->seconds < 0 ||
	    h->seconds > FPM_SECONDS_MAX)
		snprintf(err, errlen, "answer: bad duration");
	else
		return 0;
	return -1;
}

/* The TA entries of an FPM_TAS; 0 or -1 (err says). */
static int
check_tas(const struct fpm_msg *m, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < m->h.count; i++)
		if ((m->ta[i].rc != 0 && m->ta[i].rc != -1) ||
		    m->ta[i].proto > FETCH_PROTO_HTTPS) {
			snprintf(err, errlen, "TA result %u out of range", i);
			return -1;
		}
	return 0;
}

/* Take buf (n bytes) apart into *m; 1, or -2 (err says). */
static int
decode(const unsigned char *buf, size_t n, struct fpm_msg *m, char *err,
    size_t errlen)
{
	size_t off = sizeof(m->h), want = sizeof(m->h), tas = 0;
	int i;

	if (n < sizeof(m->h)) {
		snprintf(err, errlen, "message of %zu bytes", n);
		return -2;
	}
	memcpy(&m->h, buf, sizeof(m->h));
	if (m->h.type < FPM_TAS || m->h.type > FPM_DONE ||
	    (m->h.has & ~((1U << FPM_NSTR) - 1)) != 0 ||
	    (m->h.type == FPM_TAS && m->h.count > MAX_TALS) ||
	    (m->h.type == FPM_FETCH && (m->h.has & (1U << FPM_S_URI)) == 0)) {
		snprintf(err, errlen, "bad message header");
		return -2;
	}
	for (i = 0; i < FPM_NSTR; i++) {
		if ((m->h.has & (1U << i)) == 0 ? m->h.len[i] != 0 :
		    m->h.len[i] > str_max(m->h.type, i)) {
			snprintf(err, errlen, "string %d too long", i);
			return -2;
		}
		want += m->h.len[i];
	}
	if (m->h.type == FPM_TAS)
		tas = m->h.count * sizeof(m->ta[0]);
	if (n != want + tas) {
		snprintf(err, errlen, "message of %zu bytes, %zu announced", n,
		    want + tas);
		return -2;
	}
	for (i = 0; i < FPM_NSTR; i++) {
		if (!no_nul(buf + off, m->h.len[i])) {
			snprintf(err, errlen, "NUL in string %d", i);
			return -2;
		}
		memcpy(m->str[i], buf + off, m->h.len[i]);
		m->str[i][m->h.len[i]] = '\0';
		off += m->h.len[i];
	}
	if (tas > 0)
		memcpy(m->ta, buf + off, tas);
	if ((m->h.type == FPM_ANSWER && check_answer(&m->h, err, errlen)) ||
	    (m->h.type == FPM_TAS && check_tas(m, err, errlen)))
		return -2;
	return 1;
}

int
fpm_recv(int sock, struct fpm_msg *m, int flags, char *err, size_t errlen)
{
	unsigned char buf[FPM_MAX];
	ssize_t n;

	do
		n = recv(sock, buf, sizeof(buf), flags | MSG_TRUNC);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return (int)n;
	if ((size_t)n > sizeof(buf)) {
		snprintf(err, errlen, "message of %zd bytes", n);
		return -2;
	}
	return decode(buf, (size_t)n, m, err, errlen);
}
