# Benchmarks: "make bench" is the quick variant (a few minutes),
# "make bench-full" the global-scale one (a cold reef-repogen key cache
# alone costs more than an hour).  Both print a table and write
# bench.json in the build directory; docs/BENCHMARKS.md has the figures.
# The programs are check programs, so "make check" keeps them compiling.
check_PROGRAMS += tests/bench/bench_rtrd tests/bench/bench_rrdp tests/bench/bench_check \
	tests/bench/bench_parse tests/bench/bench_output
tests_bench_bench_rtrd_SOURCES = tests/bench/bench_rtrd.c
tests_bench_bench_rtrd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_bench_bench_rtrd_LDADD = $(LIBRTRD)
tests_bench_bench_rrdp_SOURCES = tests/bench/bench_rrdp.c
tests_bench_bench_rrdp_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(XML_CFLAGS)
tests_bench_bench_rrdp_LDADD = $(LIBVALIDATOR)
tests_bench_bench_check_SOURCES = tests/bench/bench_check.c tests/bench/bench_rand.h
tests_bench_bench_check_LDADD = $(LIBVALIDATOR)
tests_bench_bench_parse_SOURCES = tests/bench/bench_parse.c
tests_bench_bench_parse_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(XML_CFLAGS)
tests_bench_bench_parse_LDADD = $(LIBVALIDATOR)
tests_bench_bench_output_SOURCES = tests/bench/bench_output.c tests/bench/bench_rand.h
tests_bench_bench_output_LDADD = $(LIBVALIDATOR)
EXTRA_DIST += tests/bench/run.sh tests/bench/bench_repogen.sh tests/bench/bench_validate.sh

# What run.sh runs; it builds nothing itself.
BENCH_PROGS = tests/bench/bench_rtrd tests/bench/bench_rrdp tests/bench/bench_check \
	tests/bench/bench_parse tests/bench/bench_output rtrd/reef-rtrd validator/reef \
	tests/tools/repogen/reef-repogen
BENCH_RUN = $(SHELL) $(top_srcdir)/tests/bench/run.sh \
	--builddir $(abs_top_builddir) --srcdir $(abs_top_srcdir)

bench: $(BENCH_PROGS)
	$(BENCH_RUN) --quick

bench-full: $(BENCH_PROGS)
	$(BENCH_RUN) --full

CLEANFILES += bench.json
.PHONY: bench bench-full
