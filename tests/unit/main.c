/*
 * The Reef test runner: every unit and integration suite in one CUnit run.
 *
 * usage: reef-tests [-l] [SUITE ...]
 *   -l      list the suites and exit
 *   SUITE   run only the suites named (default: all)
 * Exit status: 0 when every test passed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "suite.h"

static struct reef_suite *suites;

void
reef_suite_register(struct reef_suite *s)
{
	struct reef_suite **p;

	/* Keep the list sorted by name so runs are reproducible. */
	for (p = &suites; *p != NULL && strcmp((*p)->name, s->name) < 0;
	    p = &(*p)->next)
		;
	s->next = *p;
	*p = s;
}

static int
wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc == 0)
		return 1;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct reef_suite *s;
	const struct reef_test *t;
	CU_pSuite cs;
	int ch, failed;

	while ((ch = getopt(argc, argv, "l")) != -1) {
		switch (ch) {
		case 'l':
			for (s = suites; s != NULL; s = s->next)
				printf("%s\n", s->name);
			return 0;
		default:
			fprintf(stderr, "usage: reef-tests [-l] [suite ...]\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "reef-tests: %s\n", CU_get_error_msg());
		return 2;
	}
	for (s = suites; s != NULL; s = s->next) {
		if (!wanted(s->name, argc, argv))
			continue;
		cs = CU_add_suite(s->name, s->init, s->cleanup);
		if (cs == NULL)
			goto fail;
		for (t = s->tests; t->name != NULL; t++)
			if (CU_add_test(cs, t->name, t->fn) == NULL)
				goto fail;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
fail:
	fprintf(stderr, "reef-tests: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 2;
}
