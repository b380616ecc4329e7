# Integration suites run inside reef-tests; their scripts are shipped with the tarball.
tests_unit_reef_tests_SOURCES += tests/integration/rtrd_util.c tests/integration/rtrd_util.h \
	tests/integration/validate_util.c tests/integration/validate_util.h \
	tests/integration/test_privdrop.c tests/integration/test_peers.c tests/integration/test_http.c \
	tests/integration/test_rsync.c tests/integration/test_rtrd.c tests/integration/test_walk.c \
	tests/integration/test_fetch.c tests/integration/test_interop.c \
	tests/integration/test_rtrd_tls.c tests/integration/test_rtrd_http.c tests/integration/test_validate.c \
	tests/integration/test_validate_ops.c tests/integration/test_rtrd_https.c \
	tests/integration/test_incremental.c tests/integration/test_rtrd_abuse.c \
	tests/integration/test_crash.c tests/integration/test_valgrind.c tests/integration/test_sandbox.c
EXTRA_DIST += tests/tools/serve.sh tests/integration/peers.sh tests/integration/peerlib.sh \
	tests/tools/hostile_httpd.py
INTEROP_FILES = common.sh bird.sh bird.conf.in frr.sh frr-bgpd.conf.in openbgpd.sh bgpd.conf.in \
	gobgp.sh gobgpd.toml.in rtrdump.sh rtrclient.sh
EXTRA_DIST += $(INTEROP_FILES:%=tests/integration/interop/%)
tests_unit_reef_tests_SOURCES += tests/integration/test_hostile.c \
	tests/tools/repogen/cert.c tests/tools/repogen/crl.c tests/tools/repogen/cms.c
EXTRA_DIST += tests/integration/hostile/rrdp_edit.py
