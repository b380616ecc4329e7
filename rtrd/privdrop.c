/*
 * Privilege drop for reef-rtrd (see privdrop.h).
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rtrd/privdrop.h"

/* Become pw: groups first, while we still may change them. */
static int
become(const struct passwd *pw, char *err, size_t errlen)
{
	gid_t gid = pw->pw_gid;

	if (setgroups(1, &gid) == -1) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		snprintf(err, errlen, "setresgid(%u): %s", (unsigned)gid,
		    strerror(errno));
		return -1;
	}
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		snprintf(err, errlen, "setresuid(%u): %s",
		    (unsigned)pw->pw_uid, strerror(errno));
		return -1;
	}
	return 0;
}

/* A dropped process must not get root back, by uid or gid. */
static int
verify(const struct passwd *pw, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != pw->pw_uid || eu != pw->pw_uid || su != pw->pw_uid ||
	    rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid) {
		snprintf(err, errlen, "ids did not change as asked");
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		snprintf(err, errlen, "could regain root after dropping it");
		return -1;
	}
	return 0;
}

/*
 * Drop to user, or apply the default policy.
 */
int
privdrop(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw;
	char name[LOGIN_NAME_MAX + 1];

	if (user == NULL) {
		if (geteuid() != 0)
			return 0;
		if ((pw = getpwnam(PRIVDROP_DEFAULT_USER)) == NULL)
			return 0;
	} else {
		/* user may live in getpwnam()'s own buffer: copy it first. */
		if (strlen(user) >= sizeof(name)) {
			snprintf(err, errlen, "user name too long");
			return -1;
		}
		memcpy(name, user, strlen(user) + 1);
		if ((pw = getpwnam(name)) == NULL) {
			snprintf(err, errlen, "%s: no such user", name);
			return -1;
		}
	}
	/* Already that user with nothing more: nothing to do. */
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid &&
	    pw->pw_uid != 0 && getegid() == pw->pw_gid)
		return 0;
	if (become(pw, err, errlen) == -1 || verify(pw, err, errlen) == -1)
		return -1;
	return 0;
}
