/*
 * The systemd files of contrib/: `systemd-analyze verify` accepts the
 * units (their programs pointed at the build tree, as install-contrib
 * points them at the installed ones; man pages not looked up),
 * `systemd-analyze security --offline=yes` rates each service's exposure
 * MEDIUM or better (the score is printed), and systemd-sysusers, run
 * on an empty scratch root, makes the account both units name.
 *
 * Each part prints SKIPPED with its reason and passes when its tool is
 * missing, the offline rating is not supported (systemd before 250), or
 * the programs are not built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* The account the units run as (contrib/reef.sysusers). */
#define UNITS_USER		"_reef"
/* Exposure levels of systemd-analyze security, best first. */
#define UNITS_WORST_OK		"MEDIUM"

static const char *const services[] = { "reef-rtrd.service",
    "reef-validate.service" };
static const char *const units[] = { "reef-rtrd.service",
    "reef-validate.service", "reef-validate.timer" };
/* Levels a service may have; above MEDIUM come EXPOSED, UNSAFE, DANGEROUS. */
static const char *const levels[] = { "PERFECT", "SAFE", "OK",
    UNITS_WORST_OK };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
skipped(const char *why)
{
	printf("\n    SKIPPED: %s\n    ", why);
}

static void
show(const char *log)
{
	printf("\n    --- %s ---\n", log);
	tu_system("tail -n 20 '%s' | sed 's/^/    /'", log);
}

/*
 * A scratch directory holding the units with the build tree's programs
 * in ExecStart=; NULL (after saying why) when they cannot be used.
 */
static char *
units_copy(void)
{
	char *dir, *reef, *rtrd;
	size_t i;
	int ok = 1;

	if (tu_system("command -v systemd-analyze >/dev/null") != 0) {
		skipped("no systemd-analyze");
		return NULL;
	}
	reef = tu_asprintf("%s/validator/reef", tu_builddir());
	rtrd = tu_asprintf("%s/rtrd/reef-rtrd", tu_builddir());
	if (access(reef, X_OK) != 0 || access(rtrd, X_OK) != 0) {
		skipped("reef or reef-rtrd is not built");
		free(reef);
		free(rtrd);
		return NULL;
	}
	dir = tu_tmpdir("units");
	CU_ASSERT_FATAL(dir != NULL);
	for (i = 0; i < NELEM(units); i++)
		ok &= tu_system("sed -e 's|/usr/bin/reef|%s|g' "
		    "-e 's|/usr/sbin/reef-rtrd|%s|g' '%s/contrib/%s' "
		    ">'%s/%s'", reef, rtrd, tu_srcdir(), units[i], dir,
		    units[i]) == 0;
	CU_ASSERT(ok);
	free(reef);
	free(rtrd);
	return dir;
}

/* systemd-analyze verify finds nothing to say about any unit. */
static void
test_units_verify(void)
{
	char *dir, *log, *list = NULL, *tmp;
	size_t i;
	int st;

	if ((dir = units_copy()) == NULL)
		return;
	for (i = 0; i < NELEM(units); i++) {
		tmp = tu_asprintf("%s '%s/%s'", list != NULL ? list : "", dir,
		    units[i]);
		free(list);
		list = tmp;
	}
	log = tu_asprintf("%s/verify.log", dir);
	st = tu_system("SYSTEMD_COLORS=0 systemd-analyze verify --man=no %s "
	    ">'%s' 2>&1", list, log);
	if (st != 0)
		show(log);
	CU_ASSERT_EQUAL(st, 0);
	/* verify exits 0 on some warnings: none is expected either. */
	CU_ASSERT(tu_system("test ! -s '%s'", log) == 0);
	tu_rmtree(dir);
	free(dir);
	free(log);
	free(list);
}

/*
 * The exposure level in systemd-analyze security's last line "...
 * Overall exposure level for UNIT: 1.4 OK ...", or NULL.  The score goes
 * to *score.
 */
static char *
exposure(const char *log, double *score)
{
	unsigned char *buf = tu_read_file(log, NULL);
	char *p, level[16], *res = NULL;

	if (buf != NULL && (p = strstr((char *)buf, "exposure level for ")) !=
	    NULL && (p = strstr(p, ": ")) != NULL &&
	    sscanf(p + 2, "%lf %15s", score, level) == 2)
		res = tu_asprintf("%s", level);
	free(buf);
	return res;
}

/* Each service is MEDIUM or better; the scores are printed. */
static void
test_units_security(void)
{
	char *dir, *log, *level;
	double score;
	size_t i, k;
	int st, ok;

	if ((dir = units_copy()) == NULL)
		return;
	log = tu_asprintf("%s/security.log", dir);
	for (i = 0; i < NELEM(services); i++) {
		st = tu_system("SYSTEMD_COLORS=0 systemd-analyze security "
		    "--offline=yes '%s/%s' >'%s' 2>&1", dir, services[i], log);
		if (st != 0 && tu_system("grep -qi 'unrecognized option' "
		    "'%s'", log) == 0) {
			skipped("systemd-analyze security --offline=yes "
			    "unsupported (systemd < 250)");
			break;
		}
		level = exposure(log, &score);
		if (level == NULL) {
			show(log);
			CU_FAIL("no exposure level");
			continue;
		}
		printf("\n    %s: exposure %.1f %s", services[i], score, level);
		for (k = 0, ok = 0; k < NELEM(levels); k++)
			ok |= strcmp(level, levels[k]) == 0;
		if (!ok)
			show(log);
		CU_ASSERT(ok);
		free(level);
	}
	tu_rmtree(dir);
	free(dir);
	free(log);
}

/* Both units name the account reef.sysusers makes. */
static void
test_units_sysusers(void)
{
	char *dir, *log;
	size_t i;
	int st;

	if (tu_system("command -v systemd-sysusers >/dev/null") != 0) {
		skipped("no systemd-sysusers");
		return;
	}
	for (i = 0; i < NELEM(services); i++)
		CU_ASSERT(tu_system("grep -qx 'User=" UNITS_USER "' "
		    "'%s/contrib/%s'", tu_srcdir(), services[i]) == 0);
	/* --root: only the scratch directory's passwd and group change. */
	dir = tu_tmpdir("sysusers");
	CU_ASSERT_FATAL(dir != NULL);
	log = tu_asprintf("%s/sysusers.log", dir);
	st = tu_system("mkdir '%s/etc' && systemd-sysusers --root='%s' "
	    "'%s/contrib/reef.sysusers' >'%s' 2>&1", dir, dir, tu_srcdir(),
	    log);
	if (st != 0)
		show(log);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(tu_system("grep -q '^" UNITS_USER ":x:[0-9]*:[0-9]*:.*:"
	    "/usr/sbin/nologin$' '%s/etc/passwd'", dir) == 0);
	CU_ASSERT(tu_system("grep -q '^" UNITS_USER ":x:' '%s/etc/group'",
	    dir) == 0);
	tu_rmtree(dir);
	free(dir);
	free(log);
}

REEF_SUITE(units,
    REEF_TEST(test_units_verify),
    REEF_TEST(test_units_security),
    REEF_TEST(test_units_sysusers))
