dist_man_MANS += man/reef.8 man/reef-rtrd.8 man/reef-formats.5
