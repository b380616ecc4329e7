noinst_LIBRARIES += common/libreef.a
common_libreef_a_SOURCES = \
	common/limits.h \
	common/log.c common/log.h \
	common/atomic.c common/atomic.h \
	common/fdread.c common/fdread.h common/be32.h \
	common/b64.c common/b64.h \
	common/hash.c common/hash.h \
	common/gtime.c common/gtime.h \
	common/json.c common/json.h \
	common/prefix.c common/prefix.h \
	common/asn.c common/asn.h \
	common/payload.h \
	common/vrpset.c common/vrpset.h \
	common/aspaset.c common/aspaset.h \
	common/rkset.c common/rkset.h \
	common/handoff.c common/handoff.h \
	common/jsonread.c common/jsonread.h \
	common/privdrop.c common/privdrop.h
common_libreef_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)

# What every program linking libreef needs.
LIBREEF = common/libreef.a $(OPENSSL_LIBS)
