# The object parsers and checks live in a library so the test runner and the
# fuzz harnesses link exactly what reef runs.
noinst_LIBRARIES += validator/libvalidator.a
validator_libvalidator_a_SOURCES = \
	validator/oid.c validator/oid.h \
	validator/incidence.c validator/incidence.h \
	validator/x509ext.c validator/x509ext.h \
	validator/tal.c validator/tal.h \
	validator/ip.c validator/ip.h \
	validator/as.c validator/as.h \
	validator/cert.c validator/cert.h validator/certee.c validator/certee.h \
	validator/certder.c validator/certder.h \
	validator/pubkey.c validator/pubkey.h \
	validator/crl.c validator/crl.h \
	validator/der.c validator/der.h \
	validator/cms.c validator/cms.h \
	validator/mft.c validator/mft.h \
	validator/roa.c validator/roa.h \
	validator/aspa.c validator/aspa.h \
	validator/tak.c validator/tak.h \
	validator/rsc.c validator/rsc.h \
	validator/gbr.c validator/gbr.h validator/show_rrdp.c \
	validator/cmd_show.c validator/cmd_show.h validator/show_text.c validator/show_json.c \
	validator/http.c validator/http.h \
	validator/rrdp.h validator/rrdp_xml.c validator/rrdp_xml.h validator/rrdp_notification.c \
	validator/rrdp_snapshot.c validator/rrdp_delta.c validator/rrdp_stage.c validator/rrdp_stage.h \
	validator/uri.c validator/uri.h validator/rsync.c validator/rsync.h \
	validator/report.c validator/report.h validator/report_int.h \
	validator/reportidx.c validator/reportidx.h validator/reportpatch.c validator/reportpatch.h \
	validator/slurm.c validator/slurm.h \
	validator/output.c validator/output.h validator/output_csv.c validator/output_json.c \
	validator/output_digest.c validator/output_digest.h \
	validator/output_bgpd.c validator/output_bird.c validator/output_handoff.c \
	validator/output_text.h validator/output_metrics.c \
	validator/walk.c validator/walk.h validator/validate.c validator/validate.h \
	validator/pubpoint.c validator/pubpoint.h validator/store.c validator/store.h \
	validator/storepack.c validator/storepack.h \
	validator/memo.c validator/memo.h validator/ppmemo.c validator/ppmemo.h \
	validator/repofetch.h \
	validator/outdir.c validator/outdir.h validator/outkeep.c validator/outkeep.h \
	validator/threadpool.c validator/threadpool.h \
	validator/cache.c validator/cache.h validator/repo.c validator/repo.h \
	validator/fetch.c validator/fetch.h validator/fetch_int.h validator/fetch_rrdp.c \
	validator/fetch_rsync.c validator/cmd_fetch.c validator/cmd_fetch.h \
	validator/cmd_validate.c validator/cmd_validate.h \
	validator/rov.c validator/rov.h validator/runout.c validator/runout.h \
	validator/table.c validator/table.h validator/cmd_audit.h validator/cmd_check.c \
	validator/cmd_coverage.c validator/cmd_explain.c validator/cmd_diff.c
validator_libvalidator_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS)

LIBVALIDATOR = validator/libvalidator.a $(LIBREEF) $(CURL_LIBS) $(XML_LIBS)

bin_PROGRAMS += validator/reef
validator_reef_SOURCES = validator/main.c
validator_reef_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS)
validator_reef_LDADD = $(LIBVALIDATOR) $(CURL_LIBS) $(XML_LIBS)
# Privilege separation: the fetcher process and the confinement (reef(8) SANDBOX).
validator_libvalidator_a_SOURCES += \
	validator/fetch_proc.c validator/fetch_proc.h validator/fetch_proc_int.h \
	validator/fetch_proc_child.c validator/fetch_proc_msg.c \
	validator/sandbox.c validator/sandbox.h
