/*
 * Dropping root for reef-rtrd once its listeners are bound (ports below
 * 1024, such as RTR's 323 and 324, need root or CAP_NET_BIND_SERVICE)
 * and its input is open.
 *
 * Policy (also in reef-rtrd(8)): with --user NAME the process becomes
 * NAME (its uid, primary gid and no supplementary groups), whoever
 * started it; that requires root unless it already is NAME.  Without
 * --user, a process started as root becomes PRIVDROP_DEFAULT_USER if
 * that account exists, and otherwise stays root (the caller warns):
 * "nobody" is shared by unrelated daemons and usually cannot read the
 * validator's output, so it is never chosen silently.  A non-root
 * process without --user stays as it is.
 */
#ifndef REEF_RTRD_PRIVDROP_H
#define REEF_RTRD_PRIVDROP_H

#include <stddef.h>

/* The account reef-rtrd runs as by default when started as root. */
#define PRIVDROP_DEFAULT_USER	"_reef"

/*
 * Switch to user (NULL: the default policy above): setgroups, setgid,
 * setuid, then check that root cannot be regained.  Returns 0 (also when
 * nothing had to change), or -1 with a one-line reason in err (errlen
 * bytes).
 */
int	privdrop(const char *user, char *err, size_t errlen);

#endif
