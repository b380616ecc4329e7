# Integration suites run inside reef-tests; their scripts are shipped with the tarball.
tests_unit_reef_tests_SOURCES += tests/integration/test_peers.c
EXTRA_DIST += tests/tools/serve.sh tests/integration/peers.sh
