/*
 * OUT/gen<N>/expected: the VRPs, ASPAs and router keys a correct validator
 * derives from the generation, plus defects.txt and summary.txt.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repogen.h"

/*
 * rpki-client's output order: family, address, then longer prefix first,
 * then larger maxLength first, then AS number.
 */
static int
vrp_cmp(const void *a, const void *b)
{
	const struct vrp	*x = a, *y = b;

	if (x->p.afi != y->p.afi)
		return x->p.afi < y->p.afi ? -1 : 1;
	if (x->p.addr != y->p.addr)
		return x->p.addr < y->p.addr ? -1 : 1;
	if (x->p.len != y->p.len)
		return x->p.len > y->p.len ? -1 : 1;
	if (x->p.maxlen != y->p.maxlen)
		return x->p.maxlen > y->p.maxlen ? -1 : 1;
	if (x->asid != y->asid)
		return x->asid < y->asid ? -1 : 1;
	return 0;
}

static int
aspa_cmp(const void *a, const void *b)
{
	const struct aspa_out	*x = a, *y = b;

	return x->customer < y->customer ? -1 : x->customer > y->customer;
}

static int
rk_cmp(const void *a, const void *b)
{
	const struct rk_out	*x = a, *y = b;
	int			 c;

	if (x->asid != y->asid)
		return x->asid < y->asid ? -1 : 1;
	if ((c = strcmp(x->ski, y->ski)) != 0)
		return c;
	return strcmp(x->spki_b64, y->spki_b64);
}

static void
pfx_print(const struct pfx *p, char *out, size_t sz)
{
	unsigned char	a[16] = { 0 };
	char		s[INET6_ADDRSTRLEN];
	int		i;

	if (p->afi == 1) {
		for (i = 0; i < 4; i++)
			a[i] = (unsigned char)(p->addr >> (8 * (3 - i)));
		inet_ntop(AF_INET, a, s, sizeof(s));
	} else {
		for (i = 0; i < 8; i++)
			a[i] = (unsigned char)(p->addr >> (8 * (7 - i)));
		inet_ntop(AF_INET6, a, s, sizeof(s));
	}
	rg_uri_printf(out, sz, "%s/%u", s, p->len);
}

static FILE *
open_out(const char *dir, const char *name)
{
	char	 path[RG_MAX_PATH + 32];
	FILE	*f;

	rg_uri_printf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		perror(path);
	return f;
}

static int
close_out(FILE *f)
{
	int	bad = ferror(f);

	return (fclose(f) != 0 || bad) ? -1 : 0;
}

static size_t
write_vrps(struct gen *g, const char *dir, int *rc)
{
	struct vrp	*all;
	size_t		 n = 0, i, k, out = 0;
	FILE		*f;
	char		 ps[64], ta[RG_NAME_LEN];

	for (i = 0; i < (size_t)g->ncas; i++)
		n += g->cas[i].out.nvrps;
	all = rg_xcalloc(n, sizeof(*all));
	for (n = 0, i = 0; i < (size_t)g->ncas; i++)
		for (k = 0; k < g->cas[i].out.nvrps; k++)
			all[n++] = g->cas[i].out.vrps[k];
	qsort(all, n, sizeof(*all), vrp_cmp);
	if ((f = open_out(dir, "vrps.csv")) == NULL) {
		*rc = -1;
		free(all);
		return 0;
	}
	fprintf(f, "ASN,IP Prefix,Max Length,Trust Anchor\n");
	for (i = 0; i < n; i++) {
		if (i > 0 && vrp_cmp(&all[i - 1], &all[i]) == 0)
			continue;
		pfx_print(&all[i].p, ps, sizeof(ps));
		rg_uri_printf(ta, sizeof(ta), "%s", g->cas[all[i].ta].name);
		fprintf(f, "AS%u,%s,%u,%s\n", all[i].asid, ps,
		    all[i].p.maxlen, ta);
		out++;
	}
	if (close_out(f) == -1)
		*rc = -1;
	free(all);
	return out;
}

static size_t
write_aspas(struct gen *g, const char *dir, int *rc)
{
	struct aspa_out	*all;
	size_t		 n = 0, i, k;
	FILE		*f;
	int		 j;

	for (i = 0; i < (size_t)g->ncas; i++)
		n += g->cas[i].out.naspas;
	all = rg_xcalloc(n, sizeof(*all));
	for (n = 0, i = 0; i < (size_t)g->ncas; i++)
		for (k = 0; k < g->cas[i].out.naspas; k++)
			all[n++] = g->cas[i].out.aspas[k];
	qsort(all, n, sizeof(*all), aspa_cmp);
	if ((f = open_out(dir, "aspa.csv")) == NULL) {
		*rc = -1;
		free(all);
		return 0;
	}
	fprintf(f, "Customer ASN,Providers\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "AS%u,", all[i].customer);
		for (j = 0; j < all[i].nprov; j++)
			fprintf(f, "%sAS%u", j ? " " : "", all[i].prov[j]);
		fprintf(f, "\n");
	}
	if (close_out(f) == -1)
		*rc = -1;
	free(all);
	return n;
}

static size_t
write_rks(struct gen *g, const char *dir, int *rc)
{
	struct rk_out	*all;
	size_t		 n = 0, i, k, out = 0;
	FILE		*f;

	for (i = 0; i < (size_t)g->ncas; i++)
		n += g->cas[i].out.nrks;
	all = rg_xcalloc(n, sizeof(*all));
	for (n = 0, i = 0; i < (size_t)g->ncas; i++)
		for (k = 0; k < g->cas[i].out.nrks; k++)
			all[n++] = g->cas[i].out.rks[k];
	qsort(all, n, sizeof(*all), rk_cmp);
	if ((f = open_out(dir, "router_keys.csv")) == NULL) {
		*rc = -1;
		free(all);
		return 0;
	}
	fprintf(f, "ASN,SKI,Public Key\n");
	for (i = 0; i < n; i++) {
		if (i > 0 && rk_cmp(&all[i - 1], &all[i]) == 0)
			continue;
		fprintf(f, "AS%u,%s,%s\n", all[i].asid, all[i].ski,
		    all[i].spki_b64);
		out++;
	}
	if (close_out(f) == -1)
		*rc = -1;
	free(all);
	return out;
}

/*
 * defect_vrps.csv: the VRPs a lenient validator would take from each
 * defective ROA, so peer checks can tell a known deviation from a bug.
 */
static int
write_defect_vrps(struct gen *g, const char *dir)
{
	FILE	*f;
	int	 d, i;
	char	 ps[64];

	if ((f = open_out(dir, "defect_vrps.csv")) == NULL)
		return -1;
	fprintf(f, "Defect,ASN,IP Prefix,Max Length,Trust Anchor\n");
	for (d = 0; d < DEF__COUNT; d++) {
		const struct defect_info *di = &g->dinfo[g->cur_gen][d];

		if (di->uri == NULL)
			continue;
		for (i = 0; i < di->npfx; i++) {
			pfx_print(&di->pfx[i], ps, sizeof(ps));
			fprintf(f, "%s,AS%u,%s,%u,%s\n", rg_defect_name(d),
			    di->asid, ps, di->pfx[i].maxlen,
			    g->cas[di->ta].name);
		}
	}
	return close_out(f);
}

/*
 * Write the expected files of generation g->cur_gen into dir.  Returns 0 or
 * -1.
 */
int
rg_expected_write(struct gen *g, const char *dir)
{
	size_t		 vrps, aspas, rks, roas = 0, files = 0;
	uint64_t	 bytes = 0;
	int		 rc = 0, i;
	FILE		*f;
	char		 path[RG_MAX_PATH + 32];

	if (rg_mkdir_p(dir) == -1)
		return -1;
	vrps = write_vrps(g, dir, &rc);
	aspas = write_aspas(g, dir, &rc);
	rks = write_rks(g, dir, &rc);
	rg_uri_printf(path, sizeof(path), "%s/defects.txt", dir);
	if (rg_defects_write(g, path) == -1 || write_defect_vrps(g, dir) == -1)
		rc = -1;
	for (i = 0; i < g->ncas; i++) {
		roas += g->cas[i].out.roas;
		files += g->cas[i].out.files;
		bytes += g->cas[i].out.bytes;
	}
	if ((f = open_out(dir, "summary.txt")) == NULL)
		return -1;
	fprintf(f, "generation %d\nseed %llu\ntas %d\ncas %d\n"
	    "repositories %d\nroas %zu\nvrps %zu\naspas %zu\n"
	    "router_keys %zu\nfiles %zu\nbytes %llu\n",
	    g->cur_gen, (unsigned long long)g->seed, g->tas,
	    g->ncas - g->tas, g->nmodules, roas, vrps, aspas, rks, files,
	    (unsigned long long)bytes);
	if (close_out(f) == -1)
		rc = -1;
	if (g->verbose || g->cur_gen == g->generations)
		printf("gen%d: %d TAs, %d CAs, %d repositories, %zu ROAs, "
		    "%zu VRPs, %zu ASPAs, %zu router keys, %zu files, "
		    "%llu bytes\n", g->cur_gen, g->tas, g->ncas - g->tas,
		    g->nmodules, roas, vrps, aspas, rks, files,
		    (unsigned long long)bytes);
	return rc;
}
