sbin_PROGRAMS += rtrd/reef-rtrd
rtrd_reef_rtrd_SOURCES = rtrd/main.c
rtrd_reef_rtrd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
rtrd_reef_rtrd_LDADD = $(LIBREEF)
