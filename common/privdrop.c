/*
 * Privilege drop (see privdrop.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/privdrop.h"

/* Supplementary groups read back to check that none is left but ours. */
#define PRIVDROP_GROUPS_CHECK	4

/*
 * Resolve user, or apply the default policy.
 */
int
privdrop_lookup(const char *user, struct privdrop_id *id, char *err,
    size_t errlen)
{
	const struct passwd *pw;
	char name[PRIVDROP_NAME_MAX + 1];
	size_t len;
	int dflt = user == NULL;

	memset(id, 0, sizeof(*id));
	if (dflt) {
		if (geteuid() != 0)
			return 0;
		user = PRIVDROP_DEFAULT_USER;
	}
	/* user may live in getpwnam()'s own buffer: copy it first. */
	if ((len = strlen(user)) >= sizeof(name)) {
		snprintf(err, errlen, "user name too long");
		return -1;
	}
	memcpy(name, user, len + 1);
	if ((pw = getpwnam(name)) == NULL) {
		/* The default account is optional; a named one is not. */
		if (dflt)
			return 0;
		snprintf(err, errlen, "%s: no such user", name);
		return -1;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	memcpy(id->name, name, len + 1);
	/* Already that user with nothing more: nothing to do. */
	if (getuid() == id->uid && geteuid() == id->uid && id->uid != 0 &&
	    getgid() == id->gid && getegid() == id->gid)
		return 0;
	if (geteuid() != 0) {
		snprintf(err, errlen, "%s: only root can switch to another "
		    "user", name);
		return -1;
	}
	return 1;
}

/* mkdir one level; 1 when made, 0 when it was there, -1 on error. */
static int
make_one(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0755) == 0)
		return 1;
	if (errno == EEXIST)
		return 0;
	snprintf(err, errlen, "%s: mkdir: %s", path, strerror(errno));
	return -1;
}

/* Give the directory just made at path to id, through a descriptor. */
static int
give_dir(const char *path, const struct privdrop_id *id, char *err,
    size_t errlen)
{
	int fd, rc = -1;

	/* O_NOFOLLOW: never chown what a swapped-in symlink points to. */
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchown(fd, id->uid, id->gid) == -1)
		snprintf(err, errlen, "%s: chown to %s: %s", path, id->name,
		    strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

/*
 * mkdir -p dir, the last level given to id when made here.
 */
int
privdrop_mkdirs(const char *dir, const struct privdrop_id *id, char *err,
    size_t errlen)
{
	char path[MAX_PATH_LENGTH + 1], *p;
	size_t len;
	int made;

	if ((len = strlen(dir)) == 0 || len >= sizeof(path)) {
		snprintf(err, errlen, "directory name empty or too long");
		return -1;
	}
	memcpy(path, dir, len + 1);
	/* "dir/" names dir: the trailing slashes are no level of their own. */
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		made = make_one(path, err, errlen);
		*p = '/';
		if (made == -1)
			return -1;
	}
	if ((made = make_one(path, err, errlen)) == -1)
		return -1;
	if (made == 1 && id != NULL)
		return give_dir(path, id, err, errlen);
	return 0;
}

/* Become id: groups first, while we still may change them. */
static int
become(const struct privdrop_id *id, char *err, size_t errlen)
{
	gid_t gid = id->gid;

	if (setgroups(1, &gid) == -1) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		snprintf(err, errlen, "setresgid(%u): %s", (unsigned)gid,
		    strerror(errno));
		return -1;
	}
	if (setresuid(id->uid, id->uid, id->uid) == -1) {
		snprintf(err, errlen, "setresuid(%u): %s", (unsigned)id->uid,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* A dropped process must not get root back, by uid, gid or group. */
static int
verify(const struct privdrop_id *id, char *err, size_t errlen)
{
	gid_t groups[PRIVDROP_GROUPS_CHECK];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int n;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != id->uid || eu != id->uid || su != id->uid ||
	    rg != id->gid || eg != id->gid || sg != id->gid) {
		snprintf(err, errlen, "ids did not change as asked");
		return -1;
	}
	n = getgroups(PRIVDROP_GROUPS_CHECK, groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != id->gid)) {
		snprintf(err, errlen, "supplementary groups left");
		return -1;
	}
	if (id->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1 ||
	    setgid(0) != -1)) {
		snprintf(err, errlen, "could regain root after dropping it");
		return -1;
	}
	return 0;
}

/*
 * Switch to id and check the switch.
 */
int
privdrop_to(const struct privdrop_id *id, char *err, size_t errlen)
{
	if (become(id, err, errlen) == -1 || verify(id, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * Make the directories for the user, then become it.
 */
int
privdrop_dirs(const char *user, const char *const *dirs, size_t ndirs,
    struct privdrop_id *id, char *err, size_t errlen)
{
	size_t i;
	int n;

	if ((n = privdrop_lookup(user, id, err, errlen)) <= 0)
		return n;
	for (i = 0; i < ndirs; i++)
		if (privdrop_mkdirs(dirs[i], id, err, errlen) == -1)
			return -1;
	if (privdrop_to(id, err, errlen) == -1)
		return -1;
	return 1;
}

/*
 * Drop to user, or apply the default policy.
 */
int
privdrop(const char *user, char *err, size_t errlen)
{
	struct privdrop_id id;
	int n;

	if ((n = privdrop_lookup(user, &id, err, errlen)) <= 0)
		return n;
	return privdrop_to(&id, err, errlen);
}
