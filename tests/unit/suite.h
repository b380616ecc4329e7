/*
 * Self-registering CUnit suites.
 *
 * Each test file ends with one REEF_SUITE(name, REEF_TEST(fn), ...) line; a
 * constructor adds the suite to a list that main.c hands to CUnit, sorted by
 * name.  No central list needs editing when a test file is added.
 */
#ifndef REEF_TESTS_SUITE_H
#define REEF_TESTS_SUITE_H

#include <CUnit/CUnit.h>

struct reef_test {
	const char	*name;
	CU_TestFunc	 fn;
};

struct reef_suite {
	const char		*name;
	const struct reef_test	*tests;
	CU_InitializeFunc	 init;
	CU_CleanupFunc		 cleanup;
	struct reef_suite	*next;
};

void	reef_suite_register(struct reef_suite *);

#define REEF_TEST(fn)	{ #fn, fn }

#define REEF_SUITE_FULL(sname, initfn, cleanfn, ...)			\
	static const struct reef_test sname##_tests[] = {		\
		__VA_ARGS__, { NULL, NULL }				\
	};								\
	static struct reef_suite sname##_suite = {			\
		#sname, sname##_tests, initfn, cleanfn, NULL		\
	};								\
	__attribute__((constructor)) static void			\
	sname##_register(void)						\
	{								\
		reef_suite_register(&sname##_suite);			\
	}

#define REEF_SUITE(sname, ...)	REEF_SUITE_FULL(sname, NULL, NULL, __VA_ARGS__)

#endif
