/*
 * import.c - parsing the import CSV (see import.h): the header's column
 * names, then each line into a struct store_download.  Every field is
 * checked here; the store only sees downloads that parsed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "util.h"

static const char *const col_name[IMPORT_NCOLS] = {
	"url", "size", "vendor", "file", "source", "state", "content_type",
	"etag", "last_modified", "first_seen", "last_seen", "last_checked",
	"label", "observed_at", "server_port", "data_octets", "data_packets",
	"req_octets", "req_packets", "data_tcp_flags", "req_tcp_flags",
	"payload", "payload_sd", "observations", "addrs",
};

const char *
store_import_col_name(int col)
{
	return col >= 0 && col < IMPORT_NCOLS ? col_name[col] : "";
}

/* A time column: "" (0), Unix seconds, or ISO 8601 UTC. */
static int
parse_time(const char *s, int64_t *out)
{
	int64_t ms;
	uint64_t v;

	if (*s == '\0') {
		*out = 0;
		return 0;
	}
	if (fg_parse_uint(s, 0, INT64_MAX, &v) == 0) {
		*out = (int64_t)v;
		return 0;
	}
	if (fg_parse_iso8601_ms(s, &ms) != 0)
		return -1;
	*out = ms / 1000;
	return 0;
}

/* An unsigned column: "" is 0. */
static int
parse_count(const char *s, uint64_t max, uint64_t *out)
{
	*out = 0;
	return *s ? fg_parse_uint(s, 0, max, out) : 0;
}

/* The observation's columns of a line with a payload; NULL or why not. */
static const char *
parse_observation(char **f, const int *col, struct store_download *d)
{
	struct store_observation *o = &d->obs;
	static const int num[] = {
		IMPORT_DATA_OCTETS, IMPORT_DATA_PACKETS, IMPORT_REQ_OCTETS,
		IMPORT_REQ_PACKETS,
	};
	uint64_t *dst[] = {
		&o->data_octets, &o->data_packets, &o->req_octets,
		&o->req_packets,
	};
	const char *v;
	char *end;
	uint64_t x;
	size_t i;

	v = f[col[IMPORT_PAYLOAD]];
	if (*v == '-' ? fg_parse_uint(v + 1, 1, INT64_MAX, &x) :
	    fg_parse_uint(v, 0, INT64_MAX, &x))
		return "payload is not a whole number";
	o->payload = *v == '-' ? -(int64_t)x : (int64_t)x;
	d->has_obs = 1;
	o->label = col[IMPORT_LABEL] >= 0 ? f[col[IMPORT_LABEL]] : "";
	if (strlen(o->label) > STORE_FIELD_MAX)
		return "label longer than 255 bytes";
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		if (col[num[i]] >= 0 &&
		    parse_count(f[col[num[i]]], UINT64_MAX, dst[i]))
			return "a counter is not a whole number";
	if (col[IMPORT_PORT] >= 0 && parse_count(f[col[IMPORT_PORT]], 65535, &x))
		return "server_port is not a port";
	o->server_port = (uint16_t)x;
	if (col[IMPORT_DATA_FLAGS] >= 0 &&
	    parse_count(f[col[IMPORT_DATA_FLAGS]], 255, &x))
		return "data_tcp_flags is not 0..255";
	o->data_tcp_flags = (uint8_t)x;
	if (col[IMPORT_REQ_FLAGS] >= 0 &&
	    parse_count(f[col[IMPORT_REQ_FLAGS]], 255, &x))
		return "req_tcp_flags is not 0..255";
	o->req_tcp_flags = (uint8_t)x;
	if (col[IMPORT_OBS_COUNT] >= 0 &&
	    parse_count(f[col[IMPORT_OBS_COUNT]], UINT32_MAX, &x))
		return "observations is not a count";
	o->count = (uint32_t)x;
	if (col[IMPORT_PAYLOAD_SD] >= 0 && f[col[IMPORT_PAYLOAD_SD]][0]) {
		v = f[col[IMPORT_PAYLOAD_SD]];
		o->payload_sd = strtod(v, &end);
		if (end == v || *end || !(o->payload_sd >= 0) ||
		    o->payload_sd > STORE_OBS_SD_MAX)
			return "payload_sd is not a number of bytes";
	}
	if (col[IMPORT_OBS_AT] >= 0 && parse_time(f[col[IMPORT_OBS_AT]],
	    &o->when))
		return "bad time (ISO 8601 UTC or Unix seconds)";
	return NULL;
}

const char *
store_import_header(char *line, struct store_import_cols *c)
{
	char *f[IMPORT_MAX_FIELDS + 1];
	int nf, i, j;

	for (i = 0; i < IMPORT_NCOLS; i++)
		c->col[i] = -1;
	nf = fg_csv_split(line, f, IMPORT_MAX_FIELDS);
	if (nf < 0)
		return "bad quoting";
	for (j = 0; j < nf && j < IMPORT_MAX_FIELDS; j++)
		for (i = 0; i < IMPORT_NCOLS; i++)
			if (strcmp(f[j], col_name[i]) == 0)
				c->col[i] = j;
	if (c->col[IMPORT_URL] < 0 || c->col[IMPORT_SIZE] < 0)
		return "no such columns";
	return NULL;
}

const char *
store_import_line(char *line, const struct store_import_cols *c,
    const char *vendor, int source, struct store_download *d)
{
	static char why[128];
	char *f[IMPORT_MAX_FIELDS + 1];
	const int *col = c->col;
	const char *v;
	char *addrs, *tok, *save = NULL;
	int i, nf;

	memset(d, 0, sizeof(*d));
	nf = fg_csv_split(line, f, IMPORT_MAX_FIELDS);
	if (nf < 0)
		return "unterminated quote";
	if (nf > IMPORT_MAX_FIELDS)
		return "too many fields";
	for (i = 0; i < IMPORT_NCOLS; i++)
		if (col[i] >= nf && col[i] >= 0)
			return "too few fields";
	d->url = f[col[IMPORT_URL]];
	if (d->url[0] == '\0')
		return "empty url";
	if (strncmp(d->url, "http://", 7) != 0 &&
	    strncmp(d->url, "https://", 8) != 0 &&
	    strncmp(d->url, "ftp://", 6) != 0 &&
	    strncmp(d->url, "observed://", 11) != 0)
		return "url is not http, https, ftp or observed";
	if (fg_parse_uint(f[col[IMPORT_SIZE]], 1, UINT64_MAX, &d->size) != 0)
		return "size is not a positive whole number";
	d->vendor = col[IMPORT_VENDOR] >= 0 ? f[col[IMPORT_VENDOR]] : vendor;
	d->file = col[IMPORT_FILE] >= 0 ? f[col[IMPORT_FILE]] : NULL;
	d->source = (uint8_t)(source ? source : STORE_SRC_IMPORT);
	if (col[IMPORT_SOURCE] >= 0 && f[col[IMPORT_SOURCE]][0]) {
		int s = store_source_parse(f[col[IMPORT_SOURCE]]);

		if (s == 0)
			return "unknown source (crawler, import, observed, "
			    "manifest)";
		d->source = (uint8_t)s;
	}
	if (col[IMPORT_STATE] >= 0 && f[col[IMPORT_STATE]][0]) {
		v = f[col[IMPORT_STATE]];
		if (strcmp(v, "alive") == 0)
			d->state = STORE_ALIVE;
		else if (strcmp(v, "gone") == 0)
			d->state = STORE_GONE;
		else
			return "unknown state (alive, gone)";
	}
	d->content_type = col[IMPORT_CTYPE] >= 0 ? f[col[IMPORT_CTYPE]] : NULL;
	d->etag = col[IMPORT_ETAG] >= 0 ? f[col[IMPORT_ETAG]] : NULL;
	if ((col[IMPORT_LASTMOD] >= 0 &&
	    parse_time(f[col[IMPORT_LASTMOD]], &d->last_modified)) ||
	    (col[IMPORT_FIRST] >= 0 &&
	    parse_time(f[col[IMPORT_FIRST]], &d->first_seen)) ||
	    (col[IMPORT_LAST] >= 0 &&
	    parse_time(f[col[IMPORT_LAST]], &d->last_seen)) ||
	    (col[IMPORT_CHECKED] >= 0 &&
	    parse_time(f[col[IMPORT_CHECKED]], &d->last_checked)))
		return "bad time (ISO 8601 UTC or Unix seconds)";
	if (col[IMPORT_ADDRS] >= 0) {
		addrs = f[col[IMPORT_ADDRS]];
		for (tok = strtok_r(addrs, " ;", &save); tok != NULL;
		    tok = strtok_r(NULL, " ;", &save)) {
			if (d->naddrs == STORE_ADDRS_MAX)
				break;
			if (store_addr_parse(tok, &d->addrs[d->naddrs]) != 0) {
				snprintf(why, sizeof(why), "bad address '%.60s'",
				    tok);
				return why;
			}
			d->naddrs++;
		}
	}
	if (col[IMPORT_PAYLOAD] >= 0 && f[col[IMPORT_PAYLOAD]][0]) {
		if (col[IMPORT_SOURCE] < 0 || !f[col[IMPORT_SOURCE]][0])
			d->source = STORE_SRC_OBSERVED;
		if (d->source != STORE_SRC_OBSERVED)
			return "a payload (an observation) with a source other "
			    "than observed";
		return parse_observation(f, col, d);
	}
	return NULL;
}
