# The protocol, serial history, sessions and input loading live in a library
# so the test runner and the fuzz harnesses link exactly what reef-rtrd runs.
noinst_LIBRARIES += rtrd/librtrd.a
rtrd_librtrd_a_SOURCES = \
	rtrd/pdu.h rtrd/pdu_int.h \
	rtrd/pdu_control.c rtrd/pdu_prefix.c rtrd/pdu_routerkey.c rtrd/pdu_aspa.c \
	rtrd/pdu_error.c rtrd/pdu_decode.c \
	rtrd/serial.c rtrd/serial.h \
	rtrd/input.c rtrd/input.h \
	rtrd/history.c rtrd/history.h \
	rtrd/session.c rtrd/session.h \
	rtrd/server.c rtrd/server.h \
	rtrd/tls.c rtrd/tls.h rtrd/httpd.c rtrd/httpd.h \
	rtrd/metrics.c rtrd/metrics.h \
	rtrd/fetchinput.c rtrd/fetchinput.h
rtrd_librtrd_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(CURL_CFLAGS)

LIBRTRD = rtrd/librtrd.a $(LIBREEF) $(CURL_LIBS)

sbin_PROGRAMS += rtrd/reef-rtrd
rtrd_reef_rtrd_SOURCES = rtrd/main.c
rtrd_reef_rtrd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
rtrd_reef_rtrd_LDADD = $(LIBRTRD)

# A small RTR client (v0-v2) for the tests: checks every PDU and the draft's ordering.
noinst_PROGRAMS += tests/tools/rtrcheck
tests_tools_rtrcheck_SOURCES = tests/tools/rtrcheck.c
tests_tools_rtrcheck_LDADD = $(LIBRTRD)
