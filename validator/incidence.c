/*
 * Profile incidences (see incidence.h).
 *
 * The counters are the one piece of process-wide state here: the parsers
 * that meet an incidence take no context argument, and a count is only
 * useful summed over every thread, so they are atomics.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "validator/incidence.h"

static const struct {
	const char	*name;
	const char	*summary;
} incidences[INCIDENCE_COUNT] = {
	[INCIDENCE_EE_SIA_NOTIFY] = {
		"ee-sia-rpkinotify",
		"EE certificate SIA has rpkiNotify besides signedObject "
		"(RFC 6487 section 4.8.8.2)"
	},
	[INCIDENCE_NAME_UTF8] = {
		"name-utf8string",
		"issuer or subject name attribute is a UTF8String, not a "
		"PrintableString (RFC 6487 sections 4.4, 4.5)"
	},
};

static _Atomic uint64_t counts[INCIDENCE_COUNT];

static int
incidence_valid(enum incidence_id id)
{
	return (unsigned)id < INCIDENCE_COUNT;
}

void
incidence_note(enum incidence_id id, const char *fn)
{
	if (!incidence_valid(id))
		return;
	atomic_fetch_add_explicit(&counts[id], 1, memory_order_relaxed);
	log_info_obj(fn, "accepted despite incidence %s: %s",
	    incidences[id].name, incidences[id].summary);
}

uint64_t
incidence_count(enum incidence_id id)
{
	if (!incidence_valid(id))
		return 0;
	return atomic_load_explicit(&counts[id], memory_order_relaxed);
}

void
incidence_reset(void)
{
	size_t	i;

	for (i = 0; i < INCIDENCE_COUNT; i++)
		atomic_store_explicit(&counts[i], 0, memory_order_relaxed);
}

const char *
incidence_name(enum incidence_id id)
{
	return incidence_valid(id) ? incidences[id].name : "unknown";
}

const char *
incidence_summary(enum incidence_id id)
{
	return incidence_valid(id) ? incidences[id].summary : "";
}
