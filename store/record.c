/*
 * record.c - encode and decode the store's values (see record.h and
 * docs/store.md).  Every decoder checks every length against the value's
 * end: a damaged value yields STORE_ECORRUPT, never a read past the end.
 */
#include "config.h"

#include <string.h>

#include "record.h"

struct reader {
	const uint8_t *p, *end;
	int bad;
};

/* Append with the common case (room in the buffer) inline: encoding runs
 * for every store_put(), a few bytes at a time. */
static inline void
put_raw(struct fg_buf *b, const void *p, size_t n, int *rc)
{
	if (b->len + n < b->cap && b->len + n <= b->limit) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else if (fg_buf_add(b, p, n) < 0) {
		*rc = STORE_ETOOLONG;
	}
}

static void
put_varint(struct fg_buf *b, uint64_t v, int *rc)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	put_raw(b, tmp, n, rc);
}

static void
put_byte(struct fg_buf *b, uint8_t v, int *rc)
{
	put_raw(b, &v, 1, rc);
}

static void
put_str(struct fg_buf *b, const char *s, size_t max, int *rc)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max) {
		*rc = STORE_ETOOLONG;
		return;
	}
	put_varint(b, n, rc);
	put_raw(b, s ? s : "", n, rc);
	put_raw(b, "", 1, rc);
}

static uint64_t
get_varint(struct reader *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end && shift < 64) {
		uint8_t c = *r->p++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

static uint8_t
get_byte(struct reader *r)
{
	if (r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

static const char *
get_str(struct reader *r)
{
	uint64_t n = get_varint(r);
	const char *s;

	if (r->bad || n >= (uint64_t)(r->end - r->p) || r->p[n] != '\0') {
		r->bad = 1;
		return "";
	}
	/* An embedded NUL (damage) only shortens the string: no check, as
	 * this runs for every hit of every lookup. */
	s = (const char *)r->p;
	r->p += n + 1;
	return s;
}

/* Signed values (time differences) as zigzag varints: small either way. */
static void
put_svarint(struct fg_buf *b, int64_t v, int *rc)
{
	put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63), rc);
}

static int64_t
get_svarint(struct reader *r)
{
	uint64_t u = get_varint(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/*
 * Content types of downloads, stored as one byte instead of ~20: a value
 * v of 1..127 names entry v - 1 of this table, 0 is "", and v >= 128 is a
 * string of v - 128 bytes that follows.  The table is part of the record
 * format: append only, never reorder (docs/store.md).
 */
static const char *const ctype_table[] = {
	"application/octet-stream", "application/x-xz", "application/gzip",
	"application/x-gzip", "application/zip", "application/x-zip-compressed",
	"application/x-bzip2", "application/x-tar", "application/x-7z-compressed",
	"application/zstd", "application/x-zstd", "application/x-msdownload",
	"application/x-msi", "application/x-ms-installer",
	"application/x-dosexec", "application/x-executable",
	"application/x-iso9660-image", "application/x-cd-image",
	"application/x-apple-diskimage", "application/vnd.debian.binary-package",
	"application/x-debian-package", "application/x-rpm",
	"application/x-redhat-package-manager", "application/java-archive",
	"application/vnd.android.package-archive", "application/x-sh",
	"application/pdf", "application/x-bittorrent", "application/x-compressed",
	"application/x-compress", "application/vnd.ms-cab-compressed",
	"application/x-ole-storage", "application/x-raw-disk-image",
	"application/x-qemu-disk", "application/vnd.appimage",
	"application/x-lzma", "application/x-lzip", "application/x-xpinstall",
	"application/vnd.snap", "application/x-shockwave-flash",
	"binary/octet-stream", "text/plain", "text/html", "video/mp4",
	"audio/mpeg",
};
#define CTYPE_TABLE_N (sizeof(ctype_table) / sizeof(ctype_table[0]))
#define CTYPE_INLINE 128

static void
put_ctype(struct fg_buf *b, const char *s, int *rc)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n > STORE_FIELD_MAX) {
		*rc = STORE_ETOOLONG;
		return;
	}
	if (n == 0) {
		put_varint(b, 0, rc);
		return;
	}
	for (i = 0; i < CTYPE_TABLE_N; i++)
		if (strcmp(s, ctype_table[i]) == 0) {
			put_varint(b, i + 1, rc);
			return;
		}
	put_varint(b, CTYPE_INLINE + n, rc);
	put_raw(b, s, n, rc);
	put_raw(b, "", 1, rc);
}

static const char *
get_ctype(struct reader *r)
{
	uint64_t v = get_varint(r);
	const char *s;

	if (v == 0)
		return "";
	if (v <= CTYPE_TABLE_N)
		return ctype_table[v - 1];
	if (v < CTYPE_INLINE || v - CTYPE_INLINE >= (uint64_t)(r->end - r->p) ||
	    r->p[v - CTYPE_INLINE] != '\0') {
		r->bad = 1;
		return "";
	}
	s = (const char *)r->p;
	r->p += v - CTYPE_INLINE + 1;
	return s;
}

static uint64_t
time_in(int64_t t)
{
	return t > 0 ? (uint64_t)t : 0;
}

const char *
record_url_basename(const char *url)
{
	const char *slash;

	if (strpbrk(url, "?#") != NULL)
		return NULL;
	slash = strrchr(url, '/');
	if (slash == NULL || slash[1] == '\0')
		return NULL;
	return slash + 1;
}

/*
 * An observed reference's counters follow the strings, behind a tag byte
 * (docs/store.md): a record without them ends after the ETag, as every
 * record did before, so older records decode unchanged.  The payload's
 * spread is kept in sixteenths of a byte, so that it survives a round
 * trip exactly.
 */
#define EXT_OBSERVED 1
#define OBS_SD_UNITS 16.0
#define OBS_SD_UNITS_MAX ((uint64_t)(STORE_OBS_SD_MAX * OBS_SD_UNITS))

static void
put_observation(struct fg_buf *b, const struct store_observation *o, int *rc)
{
	double sd = o->payload_sd * OBS_SD_UNITS + 0.5;
	uint64_t units = sd >= (double)OBS_SD_UNITS_MAX ? OBS_SD_UNITS_MAX :
	    sd > 0 ? (uint64_t)sd : 0;

	put_byte(b, EXT_OBSERVED, rc);
	put_str(b, o->label, STORE_FIELD_MAX, rc);
	put_svarint(b, o->when, rc);
	put_varint(b, o->server_port, rc);
	put_byte(b, o->data_tcp_flags, rc);
	put_byte(b, o->req_tcp_flags, rc);
	put_varint(b, o->data_octets, rc);
	put_varint(b, o->data_packets, rc);
	put_varint(b, o->req_octets, rc);
	put_varint(b, o->req_packets, rc);
	put_svarint(b, o->payload, rc);
	put_varint(b, units, rc);
	put_varint(b, o->count, rc);
}

static void
get_observation(struct reader *r, struct store_observation *o)
{
	uint64_t port, units, count;

	if (get_byte(r) != EXT_OBSERVED) {
		r->bad = 1;
		return;
	}
	o->label = get_str(r);
	o->when = get_svarint(r);
	port = get_varint(r);
	o->data_tcp_flags = get_byte(r);
	o->req_tcp_flags = get_byte(r);
	o->data_octets = get_varint(r);
	o->data_packets = get_varint(r);
	o->req_octets = get_varint(r);
	o->req_packets = get_varint(r);
	o->payload = get_svarint(r);
	units = get_varint(r);
	count = get_varint(r);
	/* nothing may follow, and every number must fit its field */
	if (r->p != r->end || port > 65535 || units > OBS_SD_UNITS_MAX ||
	    count > UINT32_MAX)
		r->bad = 1;
	o->server_port = (uint16_t)port;
	o->payload_sd = (double)units / OBS_SD_UNITS;
	o->count = (uint32_t)count;
}

int
record_encode_download(struct fg_buf *b, const struct store_download *d)
{
	int rc = 0, i;
	const char *base, *file = d->file;
	uint8_t naddrs = d->naddrs > STORE_ADDRS_MAX ? STORE_ADDRS_MAX : d->naddrs;

	int state = d->state ? d->state : STORE_ALIVE;
	int source = d->source ? d->source : STORE_SRC_CRAWLER;
	int64_t first = (int64_t)time_in(d->first_seen);
	int64_t last = (int64_t)time_in(d->last_seen);

	fg_buf_reset(b);
	put_byte(b, RECORD_VERSION, &rc);
	/* state (1 bit), source (2 bits: 1..4, so a manifest source fits
	 * in the bits schema 1 always had), address count (4 bits) */
	put_byte(b, (uint8_t)((state - 1) | (source - 1) << 1 | naddrs << 3),
	    &rc);
	put_varint(b, d->size, &rc);
	/* last seen and last checked are usually the first seen time or a
	 * little after: store differences, 1-3 bytes instead of 5 */
	put_varint(b, (uint64_t)first, &rc);
	put_svarint(b, last - first, &rc);
	put_svarint(b, (int64_t)time_in(d->last_checked) - last, &rc);
	put_varint(b, time_in(d->last_modified), &rc);
	for (i = 0; i < naddrs; i++) {
		const struct store_addr *a = &d->addrs[i];

		put_byte(b, a->family == 6 ? 6 : 4, &rc);
		put_raw(b, a->bytes, a->family == 6 ? 16 : 4, &rc);
	}
	put_str(b, d->url, STORE_URL_MAX, &rc);
	put_str(b, d->vendor, STORE_FIELD_MAX, &rc);
	/* The file name is usually the URL's last segment: store it only
	 * when it differs, which saves ~25 bytes a record. */
	base = record_url_basename(d->url);
	if (file != NULL && base != NULL && strcmp(file, base) == 0)
		file = NULL;
	put_str(b, file, STORE_FIELD_MAX, &rc);
	put_ctype(b, d->content_type, &rc);
	put_str(b, d->etag, STORE_FIELD_MAX, &rc);
	if (d->has_obs)
		put_observation(b, &d->obs, &rc);
	return rc;
}

int
record_decode_download(const void *p, size_t len, struct store_download *d)
{
	struct reader r = { p, (const uint8_t *)p + len, 0 };
	int i;

	uint8_t bits;

	memset(d, 0, sizeof(*d));
	if (get_byte(&r) != RECORD_VERSION)
		return STORE_ECORRUPT;
	bits = get_byte(&r);
	d->state = (uint8_t)((bits & 1) + 1);
	d->source = (uint8_t)(((bits >> 1) & 3) + 1);
	d->naddrs = (uint8_t)(bits >> 3);
	if (d->naddrs > STORE_ADDRS_MAX || d->source > STORE_SRC_MAX)
		return STORE_ECORRUPT;
	d->size = get_varint(&r);
	d->first_seen = (int64_t)get_varint(&r);
	/* unsigned sums: a damaged value must not overflow a signed one */
	d->last_seen = (int64_t)((uint64_t)d->first_seen +
	    (uint64_t)get_svarint(&r));
	d->last_checked = (int64_t)((uint64_t)d->last_seen +
	    (uint64_t)get_svarint(&r));
	d->last_modified = (int64_t)get_varint(&r);
	for (i = 0; i < d->naddrs && !r.bad; i++) {
		struct store_addr *a = &d->addrs[i];
		size_t n;

		a->family = get_byte(&r);
		n = a->family == 6 ? 16 : 4;
		if (a->family != 4 && a->family != 6)
			r.bad = 1;
		else if ((size_t)(r.end - r.p) < n)
			r.bad = 1;
		else {
			memcpy(a->bytes, r.p, n);
			r.p += n;
		}
	}
	d->url = get_str(&r);
	d->vendor = get_str(&r);
	d->file = get_str(&r);
	d->content_type = get_ctype(&r);
	d->etag = get_str(&r);
	if (!r.bad && r.p < r.end) {
		d->has_obs = 1;
		get_observation(&r, &d->obs);
	} else {
		d->obs.label = "";
	}
	if (r.bad || d->size == 0 || d->url[0] == '\0' ||
	    (d->state != STORE_ALIVE && d->state != STORE_GONE))
		return STORE_ECORRUPT;
	if (d->file[0] == '\0') {
		const char *base = record_url_basename(d->url);

		if (base != NULL)
			d->file = base;
	}
	return 0;
}

int
record_encode_page(struct fg_buf *b, const struct store_page *pg)
{
	int rc = 0;

	fg_buf_reset(b);
	put_byte(b, RECORD_VERSION, &rc);
	put_varint(b, (uint64_t)(pg->status > 0 ? pg->status : 0), &rc);
	put_varint(b, time_in(pg->last_modified), &rc);
	put_varint(b, time_in(pg->fetched), &rc);
	put_varint(b, pg->links, &rc);
	put_str(b, pg->etag, STORE_FIELD_MAX, &rc);
	return rc;
}

int
record_decode_page(const void *v, size_t len, struct store_page *pg)
{
	struct reader r = { v, (const uint8_t *)v + len, 0 };

	if (get_byte(&r) != RECORD_VERSION)
		return STORE_ECORRUPT;
	pg->status = (int)get_varint(&r);
	pg->last_modified = (int64_t)get_varint(&r);
	pg->fetched = (int64_t)get_varint(&r);
	pg->links = (uint32_t)get_varint(&r);
	pg->etag = get_str(&r);
	return r.bad ? STORE_ECORRUPT : 0;
}

int
record_encode_item(struct fg_buf *b, const struct store_frontier_item *it)
{
	int rc = 0;

	fg_buf_reset(b);
	put_byte(b, RECORD_VERSION, &rc);
	put_varint(b, it->depth, &rc);
	put_byte(b, it->kind, &rc);
	put_str(b, it->vendor, STORE_FIELD_MAX, &rc);
	put_str(b, it->url, STORE_URL_MAX, &rc);
	return rc;
}

int
record_decode_item(const void *v, size_t len, struct store_frontier_item *it)
{
	struct reader r = { v, (const uint8_t *)v + len, 0 };

	if (get_byte(&r) != RECORD_VERSION)
		return STORE_ECORRUPT;
	it->depth = (uint32_t)get_varint(&r);
	it->kind = get_byte(&r);
	it->vendor = get_str(&r);
	it->url = get_str(&r);
	return r.bad ? STORE_ECORRUPT : 0;
}
