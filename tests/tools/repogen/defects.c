/*
 * Defect injection: names, scopes, the choice of target CAs and
 * expected/defects.txt.  Where the RFCs are explicit, the expected effect
 * follows them (RFC 9286 section 6: a manifest or CRL failure fails the
 * whole publication point; a bad object only drops itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repogen.h"

enum { P_DEFECT = 40 };

static const struct {
	const char		*name;
	enum defect_scope	 scope;
	const char		*effect;
} defects[DEF__COUNT] = {
	[DEF_EXPIRED_CERT] = { "expired-cert", SCOPE_CERT,
	    "CA certificate rejected (expired), subtree lost" },
	[DEF_NOT_YET_VALID_CERT] = { "not-yet-valid-cert", SCOPE_CERT,
	    "CA certificate rejected (not yet valid), subtree lost" },
	[DEF_BAD_SIGNATURE] = { "bad-signature", SCOPE_ROA,
	    "ROA rejected (CMS signature invalid)" },
	[DEF_EE_RES_OUTSIDE] = { "ee-resources-outside-issuer", SCOPE_ROA,
	    "ROA rejected (EE certificate resources exceed issuer's)" },
	[DEF_CA_OVERCLAIM] = { "ca-overclaim", SCOPE_CERT,
	    "CA certificate rejected (resources exceed parent's), "
	    "subtree lost" },
	[DEF_ROA_PFX_OUTSIDE_EE] = { "roa-prefix-outside-ee", SCOPE_ROA,
	    "ROA rejected (a prefix outside the EE resources; RFC 9582 "
	    "rejects the whole ROA)" },
	[DEF_MFT_HASH_MISMATCH] = { "manifest-hash-mismatch", SCOPE_PP,
	    "publication point rejected (manifest hash mismatch, "
	    "RFC 9286 6.6)" },
	[DEF_FILE_MISSING] = { "file-missing-from-manifest", SCOPE_PP,
	    "publication point rejected (listed file absent, RFC 9286 6.4)" },
	[DEF_FILE_NOT_ON_MFT] = { "file-not-on-manifest", SCOPE_NONE,
	    "ROA ignored (not on the manifest), 0 valid VRPs affected" },
	[DEF_STALE_MFT] = { "stale-manifest", SCOPE_PP,
	    "publication point rejected (manifest nextUpdate in the past, "
	    "RFC 9286 6.3)" },
	[DEF_STALE_CRL] = { "stale-crl", SCOPE_PP,
	    "publication point rejected (CRL nextUpdate in the past, "
	    "RFC 9286 6.4)" },
	[DEF_REVOKED_EE] = { "revoked-ee", SCOPE_ROA,
	    "ROA rejected (EE certificate revoked)" },
	[DEF_WRONG_ECONTENT] = { "wrong-econtent-type", SCOPE_ROA,
	    "ROA rejected (eContentType is not id-ct-routeOriginAuthz)" },
	[DEF_TRUNCATED_DER] = { "truncated-der", SCOPE_ROA,
	    "ROA rejected (truncated DER)" },
	[DEF_TRAILING_GARBAGE] = { "trailing-garbage", SCOPE_ROA,
	    "ROA rejected (bytes after the DER ContentInfo)" },
	[DEF_BER_NOT_DER] = { "ber-not-der", SCOPE_ROA,
	    "ROA rejected (indefinite-length BER, RFC 6488 section 3 "
	    "requires DER)" },
	[DEF_MFT_NUMBER_BACKWARDS] = { "manifest-number-backwards",
	    SCOPE_NONE, "gen2 manifest number below gen1's: a validator "
	    "that saw gen1 keeps gen1's publication point (RFC 9286 4.2.1), "
	    "whose content is identical; a fresh validator accepts it; "
	    "0 VRPs change" },
	[DEF_SIGNED_ATTRS_UNSORTED] = { "signed-attrs-unsorted", SCOPE_ROA,
	    "ROA rejected (signedAttrs SET OF not in DER order, signed as "
	    "sent; RFC 6488 section 2.1.6.4 requires DER)" },
	[DEF_SIGNED_ATTRS_INDEFINITE] = { "signed-attrs-indefinite",
	    SCOPE_ROA, "ROA rejected (signedAttrs in indefinite-length BER, "
	    "signed as sent; RFC 6488 sections 2.1.6.4 and 3 require DER)" },
	[DEF_ECONTENT_ABSENT] = { "econtent-absent", SCOPE_ROA,
	    "ROA rejected (encapContentInfo without eContent, RFC 6488 "
	    "section 2.1.3.2)" },
};

/*
 * Returns the enum defect for name, or -1.
 */
int
rg_defect_lookup(const char *name)
{
	int	i;

	for (i = 0; i < DEF__COUNT; i++)
		if (strcmp(defects[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Returns the (static) name of defect d.
 */
const char *
rg_defect_name(int d)
{
	return defects[d].name;
}

/*
 * Returns how far the effect of defect d reaches.
 */
enum defect_scope
rg_defect_scope(int d)
{
	return defects[d].scope;
}

/* A usable target: below a TA, with a sibling, outside taken subtrees. */
static int
usable(const struct gen *g, int c, const int *taken, int ntaken, int leaf)
{
	const struct ca	*ca = &g->cas[c];
	int		 i;

	if (ca->parent == -1 || g->cas[ca->parent].nchildren < 2)
		return 0;
	if (leaf && ca->nchildren > 0)
		return 0;
	for (i = 0; i < ntaken; i++)
		if (rg_tree_in_subtree(g, taken[i], c) ||
		    rg_tree_in_subtree(g, c, taken[i]))
			return 0;
	return 1;
}

static int
pick(const struct gen *g, struct prng *r, const int *taken, int ntaken,
    int want_children)
{
	int	*cand, n = 0, i, pass, c = -1;

	cand = rg_xcalloc((size_t)g->ncas, sizeof(int));
	/* Preferred candidates first, then anything with a sibling. */
	for (pass = 0; pass < 3 && n == 0; pass++) {
		for (i = 0; i < g->ncas; i++) {
			int	ok;

			if (pass == 0)
				ok = usable(g, i, taken, ntaken, 0) &&
				    (want_children ? g->cas[i].nchildren > 0 :
				    g->cas[i].nchildren == 0);
			else if (pass == 1)
				ok = usable(g, i, taken, ntaken,
				    !want_children);
			else
				ok = usable(g, i, NULL, 0, 0);
			if (ok)
				cand[n++] = i;
		}
	}
	if (n > 0)
		c = cand[rg_prng_below(r, (uint64_t)n)];
	free(cand);
	return c;
}

/* Recompute effective resources after targets dropped "inherit". */
static void
refresh_effective(struct gen *g)
{
	int	i;

	for (i = g->tas; i < g->ncas; i++) {
		struct ca	*c = &g->cas[i];
		const struct ca	*p = &g->cas[c->parent];

		c->ev4 = c->ip_inherit ? p->ev4 : c->v4;
		c->ev6 = c->ip_inherit ? p->ev6 : c->v6;
		c->eas = c->as_inherit ? p->eas : c->as;
	}
}

static void
mark_alive(struct gen *g)
{
	int	i, d;

	/* Ids are breadth-first, so a parent is decided before its children. */
	for (i = 0; i < g->ncas; i++) {
		struct ca	*c = &g->cas[i];

		c->alive = c->parent == -1 ? 1 : g->cas[c->parent].alive;
		for (d = 0; d < DEF__COUNT; d++) {
			enum defect_scope	s = defects[d].scope;

			if ((c->defects & (1U << d)) &&
			    (s == SCOPE_CERT || s == SCOPE_PP))
				c->alive = 0;
		}
	}
}

/*
 * Choose the target CA of every requested defect (deterministic from the
 * seed) and decide which CAs reach the expected output.  Returns 0, or -1 if
 * the tree has no CA with a sibling.
 */
int
rg_defects_choose(struct gen *g)
{
	struct prng	 r;
	int		 taken[DEF__COUNT], ntaken = 0, d, c, order[DEF__COUNT];
	int		 n = 0, i;

	for (d = 0; d < DEF__COUNT; d++)
		g->defect_ca[d] = -1;
	rg_prng_init(&r, g->seed, P_DEFECT, 0);
	/* ca-overclaim first: it prefers a CA with children. */
	if (g->defects & (1U << DEF_CA_OVERCLAIM))
		order[n++] = DEF_CA_OVERCLAIM;
	for (d = 0; d < DEF__COUNT; d++)
		if (d != DEF_CA_OVERCLAIM && (g->defects & (1U << d)))
			order[n++] = d;
	for (i = 0; i < n; i++) {
		d = order[i];
		c = pick(g, &r, taken, ntaken, d == DEF_CA_OVERCLAIM);
		if (c == -1) {
			fprintf(stderr, "reef-repogen: no CA with a sibling "
			    "for defect %s; use a deeper tree\n",
			    defects[d].name);
			return -1;
		}
		g->defect_ca[d] = c;
		g->cas[c].defects |= 1U << d;
		g->cas[c].frozen = 1;
		/* A target lists its resources explicitly: an inheriting
		 * CA below a TA holding everything has no "outside". */
		g->cas[c].ip_inherit = 0;
		if (d == DEF_CA_OVERCLAIM)
			g->cas[c].as_inherit = 0;
		if (defects[d].scope == SCOPE_ROA ||
		    d == DEF_MFT_HASH_MISMATCH || d == DEF_FILE_MISSING)
			g->cas[c].nroas++;
		taken[ntaken++] = c;
	}
	refresh_effective(g);
	mark_alive(g);
	return 0;
}

static size_t
subtree_vrps(const struct gen *g, int root)
{
	size_t	n = 0;
	int	i;

	for (i = root; i < g->ncas; i++)
		if (rg_tree_in_subtree(g, root, i))
			n += g->cas[i].out.own_vrps;
	return n;
}

/*
 * Write defects.txt for generation g->cur_gen to path.  Returns 0 or -1.
 */
int
rg_defects_write(const struct gen *g, const char *path)
{
	FILE	*f;
	int	 d, rc;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return -1;
	}
	for (d = 0; d < DEF__COUNT; d++) {
		const struct defect_info *di = &g->dinfo[g->cur_gen][d];
		size_t	 lost = di->vrps;

		if (g->defect_ca[d] == -1 || di->uri == NULL)
			continue;
		if (defects[d].scope == SCOPE_CERT ||
		    defects[d].scope == SCOPE_PP)
			lost = subtree_vrps(g, g->defect_ca[d]);
		if (defects[d].scope == SCOPE_NONE)
			fprintf(f, "%s %s %s\n", defects[d].name, di->uri,
			    defects[d].effect);
		else
			fprintf(f, "%s %s %s, %zu VRPs absent\n",
			    defects[d].name, di->uri, defects[d].effect, lost);
	}
	rc = fclose(f) == 0 ? 0 : -1;
	return rc;
}
