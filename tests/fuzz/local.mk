# libFuzzer harnesses, one per parser: `make fuzz` builds them with clang
# (FUZZ_CC) into tests/fuzz/; run one with e.g.
#	tests/fuzz/fuzz_roa -max_total_time=60 CORPUS_DIR
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
	-I$(top_srcdir) -I$(top_builddir) $(XML_CFLAGS)
FUZZ_HARNESSES = fuzz_tal fuzz_cert fuzz_crl fuzz_cms fuzz_mft fuzz_roa fuzz_aspa fuzz_rrdp fuzz_uri \
	fuzz_jsonread fuzz_handoff fuzz_rtr_pdu
FUZZ_LIBSRC = $(filter %.c,$(validator_libvalidator_a_SOURCES) $(rtrd_librtrd_a_SOURCES) \
	$(common_libreef_a_SOURCES))
EXTRA_DIST += $(FUZZ_HARNESSES:%=tests/fuzz/%.c)

fuzz:
	@mkdir -p tests/fuzz
	@for h in $(FUZZ_HARNESSES); do \
		echo "  FUZZ     tests/fuzz/$$h"; \
		$(FUZZ_CC) $(FUZZ_FLAGS) -o tests/fuzz/$$h $(top_srcdir)/tests/fuzz/$$h.c \
		    $(FUZZ_LIBSRC:%=$(top_srcdir)/%) $(OPENSSL_LIBS) $(CURL_LIBS) $(XML_LIBS) || exit 1; \
	done

clean-local: clean-fuzz
clean-fuzz:
	rm -f $(FUZZ_HARNESSES:%=tests/fuzz/%)

.PHONY: fuzz clean-fuzz
