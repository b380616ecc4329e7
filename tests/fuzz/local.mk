# libFuzzer harnesses, one per parser: `make fuzz` builds them with clang
# (FUZZ_CC) into tests/fuzz/; run one with e.g.
#	tests/fuzz/fuzz_roa -max_total_time=60 CORPUS_DIR
# `make fuzz-run` runs every harness for FUZZ_SECONDS (default 10) under
# ASan/UBSan, seeded from the corpus, and fails on any crash, leak or
# undefined behaviour (tests/fuzz/run.sh; this is what CI runs).
#
# The library sources are compiled once into tests/fuzz/obj/ with
# coverage instrumentation (fuzzer-no-link) and linked into every
# harness.  Header changes are not tracked: `make clean-fuzz` first.
FUZZ_CC = clang
FUZZ_SAN = address,undefined
FUZZ_CFLAGS = -g -O1 -D_GNU_SOURCE -I$(top_srcdir) -I$(top_builddir) $(XML_CFLAGS)
FUZZ_HARNESSES = fuzz_tal fuzz_cert fuzz_certee fuzz_resder fuzz_crl fuzz_cms fuzz_der fuzz_mft fuzz_roa fuzz_aspa fuzz_gbr fuzz_rrdp \
	fuzz_uri fuzz_jsonread fuzz_handoff fuzz_rtr_pdu fuzz_storepack \
	fuzz_reportidx
FUZZ_LIBSRC = $(filter %.c,$(validator_libvalidator_a_SOURCES) $(rtrd_librtrd_a_SOURCES) \
	$(common_libreef_a_SOURCES))
FUZZ_OBJS = $(FUZZ_LIBSRC:%.c=tests/fuzz/obj/%.o)
FUZZ_BINS = $(FUZZ_HARNESSES:%=tests/fuzz/%)
FUZZ_SECONDS = 10
EXTRA_DIST += $(FUZZ_HARNESSES:%=tests/fuzz/%.c) tests/fuzz/run.sh

tests/fuzz/obj/%.o: $(top_srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

tests/fuzz/fuzz_%: $(top_srcdir)/tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo "  FUZZ     $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_OBJS) \
	    $(OPENSSL_LIBS) $(CURL_LIBS) $(XML_LIBS)

fuzz: $(FUZZ_BINS)

fuzz-run: fuzz
	$(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS) tests/fuzz

clean-local: clean-fuzz
clean-fuzz:
	rm -f $(FUZZ_BINS)
	rm -rf tests/fuzz/obj

.PHONY: fuzz fuzz-run clean-fuzz
