/*
 * The messages between reef and its fetcher process (fetch_proc.h), and
 * the child's entry point.  Shared by fetch_proc.c (the parent),
 * fetch_proc_child.c and fetch_proc_msg.c only.
 *
 * One message is one SOCK_SEQPACKET record: a struct fpm header, then
 * its strings back to back without NULs (lengths in the header), then
 * for FPM_TAS count struct fpm_ta entries.  Both ends are the same
 * binary on the same host, so the header is in host layout.
 *
 *	parent				child
 *					FPM_TAS	  rc: child's Landlock ABI,
 *						  count TA results
 *	FPM_FETCH  id, uri, notify
 *					FPM_ANSWER id, rc, status,
 *						  error, notify
 *	FPM_FINISH
 *					FPM_DONE  count: answers sent
 */
#ifndef REEF_VALIDATOR_FETCH_PROC_INT_H
#define REEF_VALIDATOR_FETCH_PROC_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "validator/fetch_proc.h"
#include "validator/repo.h"

/* Strings a message carries at most. */
#define FPM_NSTR		2
/* Longest string of any message (URIs; errors are shorter). */
#define FPM_STR_MAX		MAX_URI_LENGTH
/* Longest error string (fetch_int.h's FETCH_ERROR_MAX less the NUL). */
#define FPM_ERROR_MAX		(REPO_MAX_ERROR - 1)
/* Exit status of a child that could not set the fetcher up. */
#define FPM_EXIT_SETUP		3
/* Room for why fpm_recv() refused a message. */
#define FPM_WHY_MAX		128
/* Longest wall clock of one repository's fetch we believe, in s. */
#define FPM_SECONDS_MAX		(7.0 * 86400)

enum fpm_type {
	FPM_TAS = 1,
	FPM_FETCH,
	FPM_ANSWER,
	FPM_FINISH,
	FPM_DONE,
};

/* Strings of FPM_FETCH and FPM_ANSWER. */
#define FPM_S_URI	0	/* FETCH: caRepository URI (required) */
#define FPM_S_ERROR	0	/* ANSWER: status error */
#define FPM_S_NOTIFY	1	/* both: rpkiNotify URI */

struct fpm {
	uint32_t	type;
	uint32_t	id;		/* FETCH, ANSWER: repository number */
	int32_t		rc;		/* ANSWER: 0 or -1; TAS: ABI */
	uint32_t	count;		/* TAS: entries; DONE: answers */
	uint32_t	proto;		/* ANSWER: the struct fetch_status */
	uint32_t	result;
	uint32_t	rrdp_delta;
	uint32_t	unchanged;
	uint64_t	objects;
	uint64_t	bytes;
	double		seconds;
	uint32_t	len[FPM_NSTR];	/* string lengths */
	uint32_t	has;		/* bit i: string i present */
};

/* One TA certificate's fate in FPM_TAS. */
struct fpm_ta {
	int32_t		rc;
	uint32_t	proto;
};

/* The largest message. */
#define FPM_MAX		(sizeof(struct fpm) + FPM_NSTR * FPM_STR_MAX + \
	MAX_TALS * sizeof(struct fpm_ta))

/* A message received and checked; strings NUL-terminated copies. */
struct fpm_msg {
	struct fpm	h;
	char		str[FPM_NSTR][FPM_STR_MAX + 1];
	struct fpm_ta	ta[MAX_TALS];
};

/* A message to send: the header and the strings (NULL: absent). */
struct fpm_out {
	struct fpm		 h;
	const char		*str[FPM_NSTR];
	const struct fpm_ta	*ta;		/* h.count entries */
};

/*
 * Encode o into buf (FPM_MAX bytes).  Returns the length, or 0 when a
 * string or the entry count is over its bound.
 */
size_t		 fpm_encode(const struct fpm_out *o, unsigned char *buf);

/*
 * Send o on sock (MSG_NOSIGNAL; flags may add MSG_DONTWAIT).  Returns 0,
 * or -1 with errno set (EAGAIN with MSG_DONTWAIT when full).
 */
int		 fpm_send(int sock, const struct fpm_out *o, int flags);

/*
 * Receive one message into *m and check it: its size, its type, the
 * lengths and contents of its strings against that type's bounds.
 * Returns 1, 0 at end of file, -1 on an error (errno set; EAGAIN with
 * MSG_DONTWAIT in flags) and -2 on a malformed message (why in err).
 */
int		 fpm_recv(int sock, struct fpm_msg *m, int flags, char *err,
		    size_t errlen);

/*
 * The child: never returns.  sock is its end of the pair; parent the
 * PID it must die with.
 */
void		 fetch_proc_child(int sock, pid_t parent,
		    const struct fetch_proc_config *cfg)
		    __attribute__((noreturn));

#endif
