/*
 * libFuzzer harness for the streamed RRDP parsers (validator/rrdp_*.c).
 *
 * Input layout: byte 0 picks the parser (notification, snapshot, delta by
 * its value mod 3), byte 1 the chunk size the rest is fed in (1..256, so
 * chunk boundaries fall everywhere), the rest is the file.  Snapshots and
 * deltas expect session 9df4b597-af9e-4dca-bdda-719cce2c4e28, serial 3 and
 * no hash; notifications are fetched from https://host/notification.xml.
 * Seeds: the hand-written documents of tests/unit/test_rrdp.c with those
 * values, prefixed with the two bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/log.h"
#include "validator/rrdp.h"

#define FUZZ_SID	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define FUZZ_SERIAL	3
#define FUZZ_NOTIFY	"https://host/notification.xml"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_sink {
	int		open;
	uint64_t	bytes;
};

static int
fz_uri_ok(void *arg, const char *uri)
{
	return strncmp(uri, "rsync://host/", 13) == 0;
}

static void *
fz_begin(void *arg, const char *uri, const unsigned char *hash)
{
	struct fuzz_sink *s = arg;

	/* The parser must never open two objects at once. */
	if (s->open)
		__builtin_trap();
	s->open = 1;
	return s;
}

static int
fz_write(void *arg, void *handle, const unsigned char *buf, size_t len)
{
	struct fuzz_sink *s = arg;

	if (!s->open || len == 0)
		__builtin_trap();
	s->bytes += len;
	return 0;
}

static int
fz_end(void *arg, void *handle, int ok)
{
	struct fuzz_sink *s = arg;

	if (!s->open)
		__builtin_trap();
	s->open = 0;
	return 0;
}

static int
fz_withdraw(void *arg, const char *uri, const unsigned char *hash)
{
	return 0;
}

static void
fuzz_notification(const uint8_t *data, size_t size, size_t chunk)
{
	struct rrdp_notification_parser *p;
	struct rrdp_notification *n = NULL;
	size_t off, len;
	int rc = 0;

	if ((p = rrdp_notification_parser_new(FUZZ_NOTIFY)) == NULL)
		return;
	for (off = 0; rc == 0 && off < size; off += len) {
		len = size - off < chunk ? size - off : chunk;
		rc = rrdp_notification_feed(p, data + off, len);
	}
	if (rc == 0 && rrdp_notification_finish(p, &n) == 0) {
		size_t first, count;

		/* Exercise the chain helper on whatever was accepted. */
		rrdp_notification_delta_chain(n, n->session.serial / 2,
		    &first, &count);
		if (count > 0 && first + count > n->ndeltas)
			__builtin_trap();
	}
	rrdp_notification_free(n);
	rrdp_notification_parser_free(p);
}

static void
fuzz_content(int is_delta, const uint8_t *data, size_t size, size_t chunk)
{
	struct fuzz_sink fs = { 0, 0 };
	struct rrdp_sink sink = {
		&fs, fz_uri_ok, fz_begin, fz_write, fz_end, fz_withdraw
	};
	struct rrdp_session expect;
	struct rrdp_snapshot *s = NULL;
	struct rrdp_delta *d = NULL;
	size_t off, len;
	int rc = 0;

	memset(&expect, 0, sizeof(expect));
	memcpy(expect.id, FUZZ_SID, sizeof(FUZZ_SID));
	expect.serial = FUZZ_SERIAL;
	if (is_delta)
		d = rrdp_delta_new("https://host/d.xml", &expect, NULL, &sink);
	else
		s = rrdp_snapshot_new("https://host/s.xml", &expect, NULL,
		    &sink);
	if (s == NULL && d == NULL)
		return;
	for (off = 0; rc == 0 && off < size; off += len) {
		len = size - off < chunk ? size - off : chunk;
		rc = is_delta ? rrdp_delta_feed(d, data + off, len) :
		    rrdp_snapshot_feed(s, data + off, len);
	}
	if (rc == 0)
		rc = is_delta ? rrdp_delta_finish(d) : rrdp_snapshot_finish(s);
	rrdp_delta_free(d);
	rrdp_snapshot_free(s);
	/* Every object begun was ended, whatever happened. */
	if (fs.open)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_config	 cfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	size_t			 chunk;
	int			 which;

	log_init(&cfg);		/* rejections are warnings: keep them quiet */
	if (size < 2)
		return 0;
	which = data[0] % 3;
	chunk = (size_t)data[1] + 1;
	data += 2;
	size -= 2;
	if (which == 0)
		fuzz_notification(data, size, chunk);
	else
		fuzz_content(which == 2, data, size, chunk);
	return 0;
}
