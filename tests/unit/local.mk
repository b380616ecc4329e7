# One CUnit runner holds every suite (unit and integration), so a run ends
# with a single CUnit summary.  Suites register themselves (tests/unit/suite.h).
check_PROGRAMS += tests/unit/reef-tests
TESTS += tests/unit/reef-tests
tests_unit_reef_tests_SOURCES = \
	tests/unit/main.c tests/unit/suite.h tests/unit/util.c tests/unit/util.h \
	tests/unit/test_log.c tests/unit/test_atomic.c tests/unit/test_b64.c \
	tests/unit/test_hash.c tests/unit/test_gtime.c tests/unit/test_json.c \
	tests/unit/test_limits.c \
	tests/unit/test_prefix.c tests/unit/test_asn.c tests/unit/test_vrpset.c \
	tests/unit/test_aspaset.c tests/unit/test_rkset.c \
	tests/unit/test_rrdp_write.c tests/tools/repogen/rrdp_write.c \
	tests/unit/test_tal.c tests/unit/test_cert.c tests/unit/test_ip.c tests/unit/test_as.c \
	tests/unit/test_cms.c tests/unit/test_der.c tests/unit/test_crl.c tests/unit/test_mft.c tests/unit/test_roa.c \
	tests/unit/test_aspa.c tests/unit/test_tak.c tests/unit/test_rsc.c tests/unit/test_show.c \
	tests/unit/test_http.c tests/unit/test_rrdp.c tests/unit/test_uri.c \
	tests/unit/test_handoff.c tests/unit/test_jsonread.c \
	tests/unit/test_input.c tests/unit/test_pdu.c tests/unit/test_serial.c \
	tests/unit/test_output.c tests/unit/test_report.c tests/unit/test_slurm.c \
	tests/unit/test_cache.c tests/unit/test_repo.c tests/unit/test_memo.c tests/unit/test_outdir.c \
	tests/unit/test_outkeep.c tests/unit/test_fdread.c tests/unit/test_storepack.c \
	tests/unit/test_reportpatch.c \
	tests/unit/test_rrdp_stage.c tests/unit/test_sandbox.c tests/unit/test_fetch_proc.c \
	tests/unit/test_certder.c tests/unit/test_certkey.c tests/unit/test_pubkey.c \
	tests/unit/test_certee.c tests/unit/test_certee.h \
	tests/unit/test_resder.c tests/unit/test_resder.h \
	tests/unit/audit_fixture.c tests/unit/audit_fixture.h tests/unit/test_rov.c \
	tests/unit/test_cmd_check.c tests/unit/test_cmd_coverage.c tests/unit/test_cmd_explain.c \
	tests/unit/test_cmd_diff.c tests/unit/test_httpd.c tests/unit/test_conformance.c \
	tests/unit/test_privdrop.c tests/unit/test_units.c \
	tests/unit/test_history.c tests/unit/test_session.c tests/unit/test_walk.c \
	tests/unit/test_repogen.c tests/tools/repogen/prng.c tests/tools/repogen/util.c \
	tests/tools/repogen/der.c tests/tools/repogen/res.c tests/tools/repogen/roa.c \
	tests/tools/repogen/aspa.c tests/tools/repogen/mft.c
tests_unit_reef_tests_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS) $(CUNIT_CFLAGS) \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"' -DTOP_BUILDDIR='"$(abs_top_builddir)"'
tests_unit_reef_tests_LDADD = rtrd/librtrd.a $(LIBVALIDATOR) $(XML_LIBS) $(CUNIT_LIBS)
AM_TESTS_ENVIRONMENT = REEF_TOP_SRCDIR='$(abs_top_srcdir)'; REEF_TOP_BUILDDIR='$(abs_top_builddir)'; \
	export REEF_TOP_SRCDIR REEF_TOP_BUILDDIR;
