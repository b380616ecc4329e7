/*
 * common/privdrop.c: resolving the user, making directories for it, and
 * the switch itself.  The switch cannot be undone, so it runs in a forked
 * child that reports through its exit status; the tests that need root
 * print SKIPPED and pass without it.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/privdrop.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* The unprivileged account the root-only tests switch to. */
#define OTHER_USER	"nobody"
/* Supplementary groups read back in the child. */
#define GROUPS_MAX	8

/* Child exit statuses of child_drop(), each naming the check failed. */
enum {
	CHILD_OK, CHILD_DROP, CHILD_IDS, CHILD_GROUPS, CHILD_REGAIN,
	CHILD_AGAIN, CHILD_WRITE
};

/* 1 when root and OTHER_USER exists, else 0 after printing SKIPPED. */
static int
need_root(struct passwd *out)
{
	const struct passwd *pw;

	if (geteuid() != 0 || (pw = getpwnam(OTHER_USER)) == NULL) {
		printf("\n    SKIPPED: needs root and a \"%s\" user\n    ",
		    OTHER_USER);
		return 0;
	}
	*out = *pw;
	return 1;
}

static uid_t
owner_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return (uid_t)-1;
	return st.st_uid;
}

static void
test_privdrop_lookup_errors(void)
{
	struct privdrop_id id;
	char err[PRIVDROP_ERR_LEN], name[PRIVDROP_NAME_MAX + 2];

	CU_ASSERT_EQUAL(privdrop_lookup("no-such-user-reef", &id, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no such user"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-user-reef"));
	/* privdrop() keeps reef-rtrd's wording. */
	CU_ASSERT_EQUAL(privdrop("no-such-user-reef", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no such user"));

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CU_ASSERT_EQUAL(privdrop_lookup(name, &id, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
	/* Exactly the longest name passes the length check. */
	name[PRIVDROP_NAME_MAX] = '\0';
	CU_ASSERT_EQUAL(privdrop_lookup(name, &id, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "too long"));
	CU_ASSERT_EQUAL(strncmp(err, name, 8), 0);

	/* A short buffer gets a cut, terminated message. */
	CU_ASSERT_EQUAL(privdrop_lookup("no-such-user-reef", &id, err, 4),
	    -1);
	CU_ASSERT_EQUAL(strlen(err), 3);
}

static void
test_privdrop_lookup_policy(void)
{
	struct privdrop_id id;
	const struct passwd *pw;
	char err[PRIVDROP_ERR_LEN], self[PRIVDROP_NAME_MAX + 1];
	int n;

	if (geteuid() != 0) {
		/* Not root, no --user: nothing changes. */
		CU_ASSERT_EQUAL(privdrop_lookup(NULL, &id, err, sizeof(err)),
		    0);
		CU_ASSERT_EQUAL(privdrop(NULL, err, sizeof(err)), 0);
		/* Naming oneself is no switch; naming another needs root. */
		if ((pw = getpwuid(getuid())) != NULL &&
		    pw->pw_gid == getgid()) {
			snprintf(self, sizeof(self), "%s", pw->pw_name);
			CU_ASSERT_EQUAL(privdrop_lookup(self, &id, err,
			    sizeof(err)), 0);
		}
		if (getpwnam("root") != NULL) {
			CU_ASSERT_EQUAL(privdrop_lookup("root", &id, err,
			    sizeof(err)), -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "only root"));
		}
		return;
	}
	/* Root without --user: the default account, if there is one. */
	pw = getpwnam(PRIVDROP_DEFAULT_USER);
	n = privdrop_lookup(NULL, &id, err, sizeof(err));
	if (pw == NULL) {
		CU_ASSERT_EQUAL(n, 0);
	} else {
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_STRING_EQUAL(id.name, PRIVDROP_DEFAULT_USER);
	}
	if ((pw = getpwnam(OTHER_USER)) != NULL) {
		uid_t uid = pw->pw_uid;
		gid_t gid = pw->pw_gid;

		CU_ASSERT_EQUAL(privdrop_lookup(OTHER_USER, &id, err,
		    sizeof(err)), 1);
		CU_ASSERT_EQUAL(id.uid, uid);
		CU_ASSERT_EQUAL(id.gid, gid);
		CU_ASSERT_STRING_EQUAL(id.name, OTHER_USER);
	}
	/* Root naming root still sheds its supplementary groups. */
	CU_ASSERT_EQUAL(privdrop_lookup("root", &id, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(id.uid, 0);
}

static void
test_privdrop_mkdirs(void)
{
	struct privdrop_id self;
	char err[PRIVDROP_ERR_LEN], *tmp, *deep, *file, *under, *p;
	struct stat st;

	tmp = tu_tmpdir("privdrop");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	deep = tu_asprintf("%s/a/b/c//", tmp);
	file = tu_asprintf("%s/file", tmp);
	under = tu_asprintf("%s/file/x", tmp);

	CU_ASSERT_EQUAL(privdrop_mkdirs(deep, NULL, err, sizeof(err)), 0);
	p = tu_asprintf("%s/a/b/c", tmp);
	CU_ASSERT(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	/* Again: everything is there, which is no error. */
	CU_ASSERT_EQUAL(privdrop_mkdirs(deep, NULL, err, sizeof(err)), 0);
	free(p);

	/* A file in the way of a level. */
	CU_ASSERT_EQUAL(tu_write_file(file, "x", 1), 0);
	CU_ASSERT_EQUAL(privdrop_mkdirs(under, NULL, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mkdir"));
	CU_ASSERT_EQUAL(privdrop_mkdirs("", NULL, err, sizeof(err)), -1);

	/* Giving a new directory to oneself is allowed to anyone. */
	memset(&self, 0, sizeof(self));
	self.uid = geteuid();
	self.gid = getegid();
	snprintf(self.name, sizeof(self.name), "self");
	p = tu_asprintf("%s/mine", tmp);
	CU_ASSERT_EQUAL(privdrop_mkdirs(p, &self, err, sizeof(err)), 0);
	CU_ASSERT(stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == self.uid && st.st_gid == self.gid);
	free(p);

	tu_rmtree(tmp);
	free(tmp);
	free(deep);
	free(file);
	free(under);
}

/* As root: only the last level made here changes hands. */
static void
test_privdrop_mkdirs_owner(void)
{
	struct privdrop_id id;
	struct passwd pw;
	char err[PRIVDROP_ERR_LEN], *tmp, *leaf, *parent, *old, *link, *target;

	if (!need_root(&pw))
		return;
	CU_ASSERT_EQUAL_FATAL(privdrop_lookup(OTHER_USER, &id, err,
	    sizeof(err)), 1);
	tmp = tu_tmpdir("privdrop-owner");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	parent = tu_asprintf("%s/p", tmp);
	leaf = tu_asprintf("%s/p/leaf", tmp);
	old = tu_asprintf("%s/old", tmp);
	target = tu_asprintf("%s/target", tmp);
	link = tu_asprintf("%s/link", tmp);

	CU_ASSERT_EQUAL(privdrop_mkdirs(leaf, &id, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(owner_of(leaf), id.uid);
	CU_ASSERT_EQUAL(owner_of(parent), 0);

	/* An existing directory keeps its owner. */
	CU_ASSERT_EQUAL(mkdir(old, 0755), 0);
	CU_ASSERT_EQUAL(privdrop_mkdirs(old, &id, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(owner_of(old), 0);

	/* So does what a symlink in its place points to. */
	CU_ASSERT_EQUAL(mkdir(target, 0755), 0);
	CU_ASSERT_EQUAL(symlink(target, link), 0);
	CU_ASSERT_EQUAL(privdrop_mkdirs(link, &id, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(owner_of(target), 0);
	CU_ASSERT_EQUAL(owner_of(link), 0);

	tu_rmtree(tmp);
	free(tmp);
	free(parent);
	free(leaf);
	free(old);
	free(target);
	free(link);
}

/* In the child: drop, then try every way back.  Returns a CHILD_* code. */
static int
child_drop(const struct passwd *pw, const char *dir)
{
	const char *dirs[] = { dir };
	struct privdrop_id id;
	char err[PRIVDROP_ERR_LEN], *f;
	gid_t groups[GROUPS_MAX];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int rc;

	if (privdrop_dirs(OTHER_USER, dirs, 1, &id, err, sizeof(err)) != 1)
		return CHILD_DROP;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != pw->pw_uid || eu != pw->pw_uid || su != pw->pw_uid ||
	    rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid)
		return CHILD_IDS;
	if (getgroups(GROUPS_MAX, groups) != 1 || groups[0] != pw->pw_gid)
		return CHILD_GROUPS;
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    setresuid(0, 0, 0) != -1 || setgroups(0, NULL) != -1)
		return CHILD_REGAIN;
	if (privdrop("root", err, sizeof(err)) != -1)
		return CHILD_AGAIN;
	/* The directory made for the user is the user's to write in. */
	f = tu_asprintf("%s/written", dir);
	rc = tu_write_file(f, "x", 1) == 0 ? CHILD_OK : CHILD_WRITE;
	free(f);
	return rc;
}

static void
test_privdrop_switch(void)
{
	struct passwd pw;
	char *tmp, *dir, *f;
	pid_t pid;
	int status;

	if (!need_root(&pw))
		return;
	tmp = tu_tmpdir("privdrop-switch");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	/* mkdtemp() makes 0700: let the user reach its directory. */
	CU_ASSERT_EQUAL(chmod(tmp, 0755), 0);
	dir = tu_asprintf("%s/d", tmp);
	fflush(stdout);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0)
		_exit(child_drop(&pw, dir));
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status));
	if (WEXITSTATUS(status) != CHILD_OK)
		printf("\n    child failed check %d\n    ",
		    WEXITSTATUS(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), CHILD_OK);
	f = tu_asprintf("%s/written", dir);
	CU_ASSERT_EQUAL(owner_of(f), pw.pw_uid);
	/* The parent is still root. */
	CU_ASSERT_EQUAL(geteuid(), 0);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
	free(f);
}

REEF_SUITE(privdrop,
    REEF_TEST(test_privdrop_lookup_errors),
    REEF_TEST(test_privdrop_lookup_policy),
    REEF_TEST(test_privdrop_mkdirs),
    REEF_TEST(test_privdrop_mkdirs_owner),
    REEF_TEST(test_privdrop_switch))
