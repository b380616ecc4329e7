# reef-repogen: writes conformant RPKI repositories for tests, benchmarks and the demo.
noinst_PROGRAMS += tests/tools/repogen/reef-repogen
tests_tools_repogen_reef_repogen_SOURCES = \
	tests/tools/repogen/repogen.h \
	tests/tools/repogen/main.c \
	tests/tools/repogen/prng.c \
	tests/tools/repogen/util.c \
	tests/tools/repogen/der.c \
	tests/tools/repogen/keys.c \
	tests/tools/repogen/res.c \
	tests/tools/repogen/cert.c \
	tests/tools/repogen/crl.c \
	tests/tools/repogen/cms.c \
	tests/tools/repogen/mft.c \
	tests/tools/repogen/roa.c \
	tests/tools/repogen/aspa.c \
	tests/tools/repogen/plan.c \
	tests/tools/repogen/tree.c \
	tests/tools/repogen/defects.c \
	tests/tools/repogen/pubpoint.c \
	tests/tools/repogen/expected.c \
	tests/tools/repogen/work.c \
	tests/tools/repogen/rrdp_write.c tests/tools/repogen/rrdp_write.h
tests_tools_repogen_reef_repogen_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_repogen_reef_repogen_LDADD = $(LIBREEF)
EXTRA_DIST += tests/tools/repogen/check-peers.sh
