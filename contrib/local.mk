# systemd units and a cron example, installed with the programs.  The units
# name the programs by their installed paths, so those are substituted here.
# The account both units run as comes from a sysusers.d file.
systemdunitdir = $(prefix)/lib/systemd/system
sysusersdir = $(prefix)/lib/sysusers.d
CONTRIB_UNITS = contrib/reef-rtrd.service contrib/reef-validate.service contrib/reef-validate.timer
examplesdir = $(docdir)/examples
EXTRA_DIST += $(CONTRIB_UNITS) contrib/reef.cron contrib/reef.sysusers

install-data-local: install-contrib
uninstall-local: uninstall-contrib

install-contrib:
	$(MKDIR_P) $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(sysusersdir) \
	    $(DESTDIR)$(examplesdir)
	for u in $(CONTRIB_UNITS); do \
		sed -e 's|/usr/bin/reef|$(bindir)/reef|g' \
		    -e 's|/usr/sbin/reef-rtrd|$(sbindir)/reef-rtrd|g' \
		    $(srcdir)/$$u >$(DESTDIR)$(systemdunitdir)/$$(basename $$u) || exit 1; \
	done
	$(INSTALL_DATA) $(srcdir)/contrib/reef.sysusers $(DESTDIR)$(sysusersdir)/reef.conf
	$(INSTALL_DATA) $(srcdir)/contrib/reef.cron $(DESTDIR)$(examplesdir)/reef.cron

uninstall-contrib:
	for u in $(CONTRIB_UNITS); do rm -f $(DESTDIR)$(systemdunitdir)/$$(basename $$u); done
	rm -f $(DESTDIR)$(sysusersdir)/reef.conf
	rm -f $(DESTDIR)$(examplesdir)/reef.cron

.PHONY: install-contrib uninstall-contrib
