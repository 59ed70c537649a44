/*
 * import.c - parsing the import CSV (see import.h): the header's column
 * names, then each line into a struct store_download.  Every field is
 * checked here; the store only sees downloads that parsed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "import.h"
#include "util.h"

static const char *const col_name[IMPORT_NCOLS] = {
	"url", "size", "vendor", "file", "source", "state", "content_type",
	"etag", "last_modified", "first_seen", "last_seen", "last_checked",
	"addrs",
};

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
	    strncmp(d->url, "ftp://", 6) != 0)
		return "url is not http, https or ftp";
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
	return NULL;
}
