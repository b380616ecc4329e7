/*
 * The on-disk key cache.  RSA-2048 generation dominates a cold run, so keys
 * live in files (one per slot) that later runs reuse: slot N always serves
 * the same CA, which keeps output reproducible for a given cache.
 *
 * Files: DIR/ca-N.der (CA keys), DIR/ee-N.der (the EE pool), DIR/ec-N.der
 * (P-256 keys for BGPsec router certificates); DER private keys.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "repogen.h"

enum key_kind { KEY_CA, KEY_EE, KEY_EC };

struct keyjob {
	const struct gen	*g;
	size_t			 nca;
};

static void
key_path(const struct gen *g, enum key_kind kind, int slot, char *out,
    size_t sz)
{
	static const char	*pfx[] = { "ca", "ee", "ec" };

	rg_uri_printf(out, sz, "%s/%s-%d.der", g->keydir, pfx[kind], slot);
}

static EVP_PKEY *
key_read(const char *path)
{
	FILE			*f;
	uint8_t			 der[4096];
	const unsigned char	*p = der;
	size_t			 n;
	EVP_PKEY		*k = NULL;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	n = fread(der, 1, sizeof(der), f);
	fclose(f);
	if (n > 0 && n < sizeof(der))
		k = d2i_AutoPrivateKey(NULL, &p, (long)n);
	return k;
}

/*
 * Generate and store one key; written to a temporary name and renamed so a
 * concurrent run never reads a partial file.
 */
static int
key_create(const char *path, enum key_kind kind)
{
	EVP_PKEY	*k = NULL;
	unsigned char	*der = NULL;
	int		 len, rc = -1;
	char		 tmp[RG_MAX_PATH + 64];

	if (kind == KEY_EC)
		k = EVP_EC_gen("P-256");
	else
		k = EVP_RSA_gen(RG_RSA_BITS);
	if (k == NULL || (len = i2d_PrivateKey(k, &der)) <= 0) {
		fprintf(stderr, "reef-repogen: key generation failed\n");
		goto out;
	}
	rg_uri_printf(tmp, sizeof(tmp), "%s.tmp.%ld.%lx", path, (long)getpid(),
	    (unsigned long)pthread_self());
	if (rg_write_file(tmp, der, (size_t)len) == -1)
		goto out;
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "reef-repogen: rename %s: %s\n", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
 out:
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	return rc;
}

/* Job i: CA slots first, then the EE pool, then the EC pool. */
static int
key_job(void *arg, size_t i)
{
	struct keyjob	*kj = arg;
	char		 path[RG_MAX_PATH + 32];
	enum key_kind	 kind = KEY_CA;
	int		 slot = (int)i;
	struct stat	 st;

	if (i >= kj->nca + RG_EE_POOL) {
		kind = KEY_EC;
		slot = (int)(i - kj->nca - RG_EE_POOL);
	} else if (i >= kj->nca) {
		kind = KEY_EE;
		slot = (int)(i - kj->nca);
	}
	key_path(kj->g, kind, slot, path, sizeof(path));
	if (stat(path, &st) == 0)
		return 0;
	return key_create(path, kind);
}

/*
 * Make sure the cache holds a key for every CA slot and both pools (filling
 * it on g->jobs threads), then load the pools into g.  Returns 0 or -1.
 */
int
rg_keys_prepare(struct gen *g)
{
	struct keyjob	 kj = { g, (size_t)g->ncas };
	char		 path[RG_MAX_PATH + 32];
	int		 i;

	if (rg_mkdir_p(g->keydir) == -1)
		return -1;
	if (rg_work_run(g->jobs, kj.nca + RG_EE_POOL + RG_EC_POOL, key_job,
	    &kj) == -1)
		return -1;
	for (i = 0; i < RG_EE_POOL; i++) {
		key_path(g, KEY_EE, i, path, sizeof(path));
		if ((g->ee_keys[i] = key_read(path)) == NULL)
			goto bad;
	}
	for (i = 0; i < RG_EC_POOL; i++) {
		key_path(g, KEY_EC, i, path, sizeof(path));
		if ((g->ec_keys[i] = key_read(path)) == NULL)
			goto bad;
	}
	return 0;
 bad:
	fprintf(stderr, "reef-repogen: unreadable key %s\n", path);
	return -1;
}

/*
 * Returns the private key of CA slot n (the caller frees it), or NULL.
 */
EVP_PKEY *
rg_keys_load_ca(const struct gen *g, int slot)
{
	char		 path[RG_MAX_PATH + 32];
	EVP_PKEY	*k;

	key_path(g, KEY_CA, slot, path, sizeof(path));
	if ((k = key_read(path)) == NULL)
		fprintf(stderr, "reef-repogen: unreadable key %s\n", path);
	return k;
}

/*
 * Free the key pools loaded by rg_keys_prepare().
 */
void
rg_keys_free(struct gen *g)
{
	int	i;

	for (i = 0; i < RG_EE_POOL; i++)
		EVP_PKEY_free(g->ee_keys[i]);
	for (i = 0; i < RG_EC_POOL; i++)
		EVP_PKEY_free(g->ec_keys[i]);
}
