dist_man_MANS += man/reef.8 man/reef-rtrd.8 man/reef-formats.5
# The generator is a test tool: its page ships with the sources, not installed.
EXTRA_DIST += man/reef-repogen.1
