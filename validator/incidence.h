/*
 * Profile incidences: deviations from the RPKI profiles that real CAs
 * published and that the other relying parties accept.  Reef accepts
 * them too, logs each occurrence at info level with the incidence's name
 * and counts it, so operators see how much data depends on the leniency.
 * The table is documented in reef-formats(5), section PROFILE INCIDENCES.
 */
#ifndef REEF_VALIDATOR_INCIDENCE_H
#define REEF_VALIDATOR_INCIDENCE_H

#include <stdint.h>

enum incidence_id {
	/*
	 * RFC 6487 section 4.8.8.2 allows only signedObject in an EE
	 * certificate's SIA; RIPE NCC and AFRINIC added rpkiNotify in
	 * 2019-2020.
	 */
	INCIDENCE_EE_SIA_NOTIFY,
	/*
	 * RFC 6487 sections 4.4 and 4.5 want PrintableString names;
	 * AFRINIC, APNIC, Krill and rpkimancer issued UTF8String.
	 */
	INCIDENCE_NAME_UTF8,
	INCIDENCE_COUNT
};

/*
 * Record one occurrence of id in the object fn: log it at info level
 * and count it.  Safe to call from several threads.
 */
void		 incidence_note(enum incidence_id id, const char *fn);

/* Occurrences of id since the start or the last incidence_reset(). */
uint64_t	 incidence_count(enum incidence_id id);

/* Set every count back to zero. */
void		 incidence_reset(void);

/* Static short name of id ("ee-sia-rpkinotify"), "unknown" if invalid. */
const char	*incidence_name(enum incidence_id id);

/* Static one-line description of id, "" if invalid. */
const char	*incidence_summary(enum incidence_id id);

#endif
