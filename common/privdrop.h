/*
 * Dropping root, shared by reef validate, reef fetch and reef-rtrd.
 *
 * Policy (also in reef(8) and reef-rtrd(8)): with --user NAME the process
 * becomes NAME (its uid, primary gid and no supplementary groups),
 * whoever started it; that requires root unless it already is NAME.
 * Without --user, a process started as root becomes PRIVDROP_DEFAULT_USER
 * if that account exists, and otherwise stays root (the caller warns):
 * "nobody" is shared by unrelated daemons and usually cannot read or
 * write reef's files, so it is never chosen silently.  A non-root process
 * without --user stays as it is.
 *
 * The directories a program writes must be usable by the user it drops
 * to.  privdrop_mkdirs() creates the missing ones for that user; it never
 * changes the owner of a directory that already exists, since a root
 * process handing over a tree it did not make could give away files that
 * were never reef's (an administrator migrating from runs as root does a
 * chown -R once).
 */
#ifndef REEF_COMMON_PRIVDROP_H
#define REEF_COMMON_PRIVDROP_H

#include <sys/types.h>

#include <stddef.h>

/* The account the programs run as by default when started as root. */
#define PRIVDROP_DEFAULT_USER	"_reef"
/* Room for any message privdrop*() leave in err. */
#define PRIVDROP_ERR_LEN	256
/* Longest user name accepted (LOGIN_NAME_MAX on Linux). */
#define PRIVDROP_NAME_MAX	256

/* Whom to become, resolved once (getpwnam() buffers are not ours). */
struct privdrop_id {
	uid_t	uid;
	gid_t	gid;
	char	name[PRIVDROP_NAME_MAX + 1];
};

/*
 * Resolve user (NULL: the default policy above) into *id.  Returns 1
 * when the ids must change, 0 when the process stays as it is (no user
 * and not root, no default account, or already user and nothing else),
 * or -1 with a one-line reason in err (errlen bytes): no such user, name
 * too long, or a switch that needs root.
 */
int	privdrop_lookup(const char *user, struct privdrop_id *id, char *err,
	    size_t errlen);

/*
 * mkdir -p dir (mode 0755 less the umask).  The last component, when
 * this call created it and id is not NULL, is given to id's uid and gid;
 * parents it created stay with the caller, and existing directories are
 * left as they are.  Returns 0, or -1 with the reason in err.
 */
int	privdrop_mkdirs(const char *dir, const struct privdrop_id *id,
	    char *err, size_t errlen);

/*
 * Become id: setgroups, setresgid, setresuid, then check that the ids
 * are the ones asked for and that root cannot be regained.  Returns 0,
 * or -1 with the reason in err (the process must then stop).
 */
int	privdrop_to(const struct privdrop_id *id, char *err, size_t errlen);

/*
 * For a program about to write into the ndirs directories of dirs:
 * privdrop_lookup(user), and when the ids must change, privdrop_mkdirs()
 * of each directory for the user and privdrop_to().  Returns 1 after a
 * switch (*id says to whom), 0 when the process stays as it is, -1 with
 * the reason in err.
 */
int	privdrop_dirs(const char *user, const char *const *dirs, size_t ndirs,
	    struct privdrop_id *id, char *err, size_t errlen);

/*
 * privdrop_lookup() then, when the ids must change, privdrop_to().
 * Returns 0 (also when nothing had to change) or -1 with the reason in
 * err.
 */
int	privdrop(const char *user, char *err, size_t errlen);

#endif
