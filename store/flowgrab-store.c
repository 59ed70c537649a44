/*
 * flowgrab-store.c - inspect, import, export, prune and check a flowgrab
 * store from the command line.
 *
 *   flowgrab-store -s DIR COMMAND [options]
 *
 * Data goes to stdout, messages to stderr.  Exit status: 0 success, 1 the
 * command ran but found a problem (lookup: nothing in the window; import:
 * some lines rejected; check: inconsistencies), 2 usage error, 3 the store
 * cannot be used (missing, unwritable, damaged, other version).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "product.h"
#include "store.h"
#include "util.h"

#define EXIT_PROBLEM 1
#define EXIT_USAGE   2
#define EXIT_STORE   3

#define IMPORT_BATCH 10000
#define LINE_MAX_LEN 16384

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct options {
	const char *store;
	enum format format;
	int format_set;
	const char *vendor;
	int source;
	int state;
	uint64_t tolerance;
	uint64_t older_days;
	int older_set;
	int gone;
	int dry_run;
	int limit;
	uint64_t keep_latest;    /* prune --keep-latest N; 0 = not given */
	const char *product;     /* list/export/prune --product */
};

static const char usage_main[] =
"usage: flowgrab-store -s DIR COMMAND [options]\n"
"\n"
"Inspect and edit the flowgrab reference store (an LMDB directory).\n"
"\n"
"Commands:\n"
"  stats                 counts, size distribution, vendors, store size\n"
"  list                  downloads as a table (or --format csv|json)\n"
"  export                downloads as CSV (or --format json|table)\n"
"  lookup SIZE           downloads of SIZE bytes (--tolerance BYTES)\n"
"  import FILE|-         add/update downloads from CSV (header names columns)\n"
"  prune                 delete downloads: --gone, --older-than DAYS, --vendor,\n"
"                        --keep-latest N (newest N versions of each product)\n"
"  check                 verify that records and indexes agree\n"
"\n"
"Options (any command):\n"
"  -s, --store DIR       the store directory (required)\n"
"  -f, --format FMT      table, csv or json (JSON Lines)\n"
"  -q, --quiet           errors only      -v, --verbose   more messages\n"
"  -h, --help            help (after a command: that command's help)\n"
"  -V, --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 problem found (no match, rejected lines,\n"
"inconsistent store), 2 usage error, 3 store unusable.\n"
"See flowgrab-store(1) and docs/store.md.\n";

static const char help_stats[] =
"usage: flowgrab-store -s DIR stats [--format table|json]\n"
"Counts (alive, gone, by source), size distribution, the largest vendors,\n"
"and the store's size on disk with bytes per download.\n";
static const char help_list[] =
"usage: flowgrab-store -s DIR list [--format table|csv|json] [--vendor NAME]\n"
"                      [--source crawler|import|observed|manifest]\n"
"                      [--gone|--alive]\n"
"                      [--product NAME] [--limit N]\n"
"Downloads in the order they were added; table format by default.  JSON\n"
"lines also carry the product, version, platform and locale parsed from\n"
"the URL and file name (docs/store.md, \"Product and version\"); --product\n"
"keeps one product's.\n";
static const char help_export[] =
"usage: flowgrab-store -s DIR export [--format csv|json|table] [filters of list]\n"
"Every download, CSV by default, with the header line\n"
"url,size,vendor,file,source,state,content_type,etag,last_modified,\n"
"first_seen,last_seen,last_checked,label,observed_at,server_port,\n"
"data_octets,data_packets,req_octets,req_packets,data_tcp_flags,\n"
"req_tcp_flags,payload,payload_sd,observations,addrs  (times ISO 8601 UTC,\n"
"addrs space-separated; label .. observations only for observed\n"
"references).  The output can be read back with import.\n";
static const char help_lookup[] =
"usage: flowgrab-store -s DIR lookup SIZE [--tolerance BYTES] [--format ...]\n"
"Downloads whose size lies in [SIZE - BYTES, SIZE + BYTES] (default 0),\n"
"nearest first, with delta = stored size - SIZE.  SIZE may carry a k/M/G\n"
"suffix.  Exit status 1 when nothing lies in the window.\n";
static const char help_import[] =
"usage: flowgrab-store -s DIR import FILE|- [--vendor NAME] [--source NAME]\n"
"Read downloads from CSV.  The first line names the columns; url and size\n"
"are required, vendor, file, source, state, content_type, etag,\n"
"last_modified, first_seen, last_seen, last_checked and addrs are used\n"
"when present, other columns ignored.  --vendor/--source fill those\n"
"columns when absent (source defaults to import).  A bad line is reported\n"
"as FILE:LINE: reason and skipped; the others are stored.  Creates the\n"
"store if needed.  Exit status 1 if any line was rejected.\n";
static const char help_prune[] =
"usage: flowgrab-store -s DIR prune [--gone] [--older-than DAYS]\n"
"                      [--vendor NAME] [--keep-latest N [--product NAME]]\n"
"                      [--dry-run]\n"
"Delete the downloads that match every criterion given (at least one):\n"
"gone ones, ones not seen for DAYS days, one vendor's, and with\n"
"--keep-latest those that are not among the newest N versions of their\n"
"product (per vendor, and per platform where the name says one; every\n"
"locale of a kept version is kept; downloads without a version are never\n"
"pruned by it).  --keep-latest prints each product it prunes with the\n"
"versions kept and pruned (-v: every URL).  --dry-run only prints and\n"
"counts.  One transaction: all or nothing.\n";
static const char help_check[] =
"usage: flowgrab-store -s DIR check\n"
"Decode every record and verify that the size and URL indexes agree with\n"
"the records, both ways.  Prints each problem; exit status 1 if any.\n";

static void usage_error(const char *fmt, ...) FG_PRINTF(1, 2) FG_NORETURN;

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", fg_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'flowgrab-store --help'.\n");
	exit(EXIT_USAGE);
}

static struct store *
open_store(const struct options *o, unsigned flags)
{
	struct store *st;
	char err[1024];

	if (o->store == NULL)
		usage_error("no store given: use -s DIR");
	if (store_open(o->store, flags, &st, err, sizeof(err)) != 0) {
		fg_error("%s", err);
		exit(EXIT_STORE);
	}
	return st;
}

static void
die_store(const struct store *st, const char *what, int rc)
{
	fg_error("%s: %s: %s", store_path(st), what, store_strerror(rc));
	exit(EXIT_STORE);
}

/* ---- output of downloads --------------------------------------------- */

struct printer {
	const struct options *o;
	uint64_t n;
	int with_delta;
	uint64_t target;
};

static void
format_time(int64_t t, char *buf, size_t len)
{
	if (t <= 0)
		buf[0] = '\0';
	else
		fg_iso8601(t, buf, len);
}

static void
format_addrs(const struct store_download *d, char *buf, size_t len)
{
	size_t off = 0;
	char a[64];
	int i;

	buf[0] = '\0';
	for (i = 0; i < d->naddrs; i++) {
		store_addr_format(&d->addrs[i], a, sizeof(a));
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? " " : "", a);
		if (off >= len)
			break;
	}
}

/* The export's header: every import column, in their order. */
static void
print_csv_columns(void)
{
	int i;

	for (i = 0; i < IMPORT_NCOLS; i++)
		printf("%s%s", i ? "," : "", store_import_col_name(i));
}

/* An observed reference's columns (empty for any other download). */
static void
print_csv_observation(const struct store_download *d)
{
	const struct store_observation *o = &d->obs;
	char at[32];

	if (!d->has_obs) {
		printf(",,,,,,,,,,,,");
		return;
	}
	format_time(o->when, at, sizeof(at));
	putchar(',');
	fg_csv_field(stdout, o->label);
	printf(",%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%u,%u,%" PRId64 ",%.4g,%u", at, o->server_port, o->data_octets,
	    o->data_packets, o->req_octets, o->req_packets, o->data_tcp_flags,
	    o->req_tcp_flags, o->payload, o->payload_sd, o->count);
}

static void
print_json_observation(const struct store_download *d)
{
	const struct store_observation *o = &d->obs;
	char at[32];

	if (!d->has_obs)
		return;
	format_time(o->when, at, sizeof(at));
	printf(",\"observation\":{\"label\":");
	fg_json_string(stdout, o->label);
	printf(",\"observed_at\":\"%s\",\"server_port\":%u,\"data_octets\":%"
	    PRIu64 ",\"data_packets\":%" PRIu64 ",\"req_octets\":%" PRIu64
	    ",\"req_packets\":%" PRIu64 ",\"data_tcp_flags\":%u,"
	    "\"req_tcp_flags\":%u,\"payload\":%" PRId64 ",\"payload_sd\":%.4g,"
	    "\"observations\":%u}", at, o->server_port, o->data_octets,
	    o->data_packets, o->req_octets, o->req_packets, o->data_tcp_flags,
	    o->req_tcp_flags, o->payload, o->payload_sd, o->count);
}

static void
print_header(const struct printer *p)
{
	if (p->o->format == FMT_CSV) {
		print_csv_columns();
		printf("%s\n", p->with_delta ? ",delta" : "");
	} else if (p->o->format == FMT_TABLE) {
		if (p->with_delta)
			printf("%15s %9s ", "SIZE", "DELTA");
		else
			printf("%15s ", "SIZE");
		printf("%-12s %-5s %-8s %s\n", "VENDOR", "STATE", "SOURCE",
		    "URL");
	}
}

static int
print_download(const struct store_download *d, void *arg)
{
	struct printer *p = arg;
	char lm[32], fs[32], ls[32], lc[32], addrs[STORE_ADDRS_MAX * 48];
	struct store_product prod;
	int64_t delta = (int64_t)(d->size - p->target);

	if (p->o->vendor && strcmp(p->o->vendor, d->vendor) != 0)
		return 0;
	if (p->o->source && p->o->source != d->source)
		return 0;
	if (p->o->state && p->o->state != d->state)
		return 0;
	if (p->o->product || p->o->format == FMT_JSON) {
		if (store_product_parse(d->url, d->file, &prod) != 0)
			memset(&prod, 0, sizeof(prod));
		if (p->o->product && strcmp(p->o->product, prod.product) != 0)
			return 0;
	}
	if (p->o->limit > 0 && p->n >= (uint64_t)p->o->limit)
		return 1;
	p->n++;
	format_time(d->last_modified, lm, sizeof(lm));
	format_time(d->first_seen, fs, sizeof(fs));
	format_time(d->last_seen, ls, sizeof(ls));
	format_time(d->last_checked, lc, sizeof(lc));
	format_addrs(d, addrs, sizeof(addrs));
	switch (p->o->format) {
	case FMT_TABLE:
		if (p->with_delta)
			printf("%15" PRIu64 " %+9" PRId64 " ", d->size, delta);
		else
			printf("%15" PRIu64 " ", d->size);
		printf("%-12s %-5s %-8s %s%s%s%s\n",
		    d->vendor[0] ? d->vendor : "-",
		    store_state_name(d->state), store_source_name(d->source),
		    d->url, d->has_obs ? " (" : "",
		    d->has_obs ? d->obs.label : "", d->has_obs ? ")" : "");
		break;
	case FMT_CSV:
		fg_csv_field(stdout, d->url);
		printf(",%" PRIu64 ",", d->size);
		fg_csv_field(stdout, d->vendor);
		putchar(',');
		fg_csv_field(stdout, d->file);
		printf(",%s,%s,", store_source_name(d->source),
		    store_state_name(d->state));
		fg_csv_field(stdout, d->content_type);
		putchar(',');
		fg_csv_field(stdout, d->etag);
		printf(",%s,%s,%s,%s", lm, fs, ls, lc);
		print_csv_observation(d);
		printf(",%s", addrs);
		if (p->with_delta)
			printf(",%" PRId64, delta);
		putchar('\n');
		break;
	case FMT_JSON:
		printf("{\"url\":");
		fg_json_string(stdout, d->url);
		printf(",\"size\":%" PRIu64 ",\"vendor\":", d->size);
		fg_json_string(stdout, d->vendor);
		printf(",\"file\":");
		fg_json_string(stdout, d->file);
		printf(",\"source\":\"%s\",\"state\":\"%s\",\"content_type\":",
		    store_source_name(d->source), store_state_name(d->state));
		fg_json_string(stdout, d->content_type);
		printf(",\"etag\":");
		fg_json_string(stdout, d->etag);
		printf(",\"last_modified\":");
		fg_json_string(stdout, lm);
		printf(",\"first_seen\":\"%s\",\"last_seen\":\"%s\","
		    "\"last_checked\":\"%s\",\"addrs\":[", fs, ls, lc);
		for (int i = 0; i < d->naddrs; i++) {
			char a[64];

			printf("%s\"%s\"", i ? "," : "",
			    store_addr_format(&d->addrs[i], a, sizeof(a)));
		}
		putchar(']');
		printf(",\"product\":");
		fg_json_string(stdout, prod.product);
		printf(",\"version\":");
		fg_json_string(stdout, prod.version);
		printf(",\"platform\":");
		fg_json_string(stdout, prod.platform);
		printf(",\"locale\":");
		fg_json_string(stdout, prod.locale);
		print_json_observation(d);
		if (p->with_delta)
			printf(",\"delta\":%" PRId64, delta);
		printf("}\n");
		break;
	}
	return 0;
}

static int
cmd_list(struct options *o, int is_export)
{
	struct store *st = open_store(o, STORE_RDONLY);
	struct store_txn *txn;
	struct printer p = { o, 0, 0, 0 };
	int rc;

	if (!o->format_set)
		o->format = is_export ? FMT_CSV : FMT_TABLE;
	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0)
		die_store(st, "cannot read", rc);
	print_header(&p);
	rc = store_foreach(txn, print_download, &p);
	store_abort(txn);
	if (rc < 0)
		die_store(st, "reading downloads", rc);
	store_close(st);
	return 0;
}

/* ---- lookup ---------------------------------------------------------- */

struct hits {
	struct store_download *v;
	char **strs;		/* copies of the strings of each hit */
	size_t n, cap;
};

static int
collect(const struct store_download *d, void *arg)
{
	struct hits *h = arg;
	struct store_download *c;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = fg_reallocarray(h->v, h->cap, sizeof(*h->v));
		h->strs = fg_reallocarray(h->strs, h->cap * 5, sizeof(char *));
	}
	c = &h->v[h->n];
	*c = *d;
	/* Strings point into the map, valid only in the txn: copy. */
	c->url = h->strs[h->n * 5] = fg_strdup(d->url);
	c->vendor = h->strs[h->n * 5 + 1] = fg_strdup(d->vendor);
	c->file = h->strs[h->n * 5 + 2] = fg_strdup(d->file);
	c->content_type = h->strs[h->n * 5 + 3] = fg_strdup(d->content_type);
	c->etag = h->strs[h->n * 5 + 4] = fg_strdup(d->etag);
	h->n++;
	return 0;
}

static uint64_t lookup_target;

static int
by_distance(const void *a, const void *b)
{
	const struct store_download *x = a, *y = b;
	uint64_t dx = x->size > lookup_target ? x->size - lookup_target :
	    lookup_target - x->size;
	uint64_t dy = y->size > lookup_target ? y->size - lookup_target :
	    lookup_target - y->size;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmd_lookup(struct options *o, const char *arg)
{
	struct store *st;
	struct store_txn *txn;
	struct hits h = { 0 };
	struct printer p = { o, 0, 1, 0 };
	uint64_t size, lo;
	size_t i;
	int rc;

	if (arg == NULL)
		usage_error("lookup needs a SIZE");
	if (fg_parse_size(arg, &size) != 0 || size == 0)
		usage_error("lookup: bad size '%s'", arg);
	st = open_store(o, STORE_RDONLY);
	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0)
		die_store(st, "cannot read", rc);
	lo = size > o->tolerance ? size - o->tolerance : 0;
	rc = store_range(txn, lo, size + o->tolerance, collect, &h);
	store_abort(txn);
	if (rc < 0)
		die_store(st, "size lookup", rc);
	lookup_target = size;
	qsort(h.v, h.n, sizeof(*h.v), by_distance);
	p.target = size;
	print_header(&p);
	for (i = 0; i < h.n; i++)
		print_download(&h.v[i], &p);
	for (i = 0; i < h.n * 5; i++)
		free(h.strs[i]);
	free(h.strs);
	free(h.v);
	store_close(st);
	return p.n > 0 ? 0 : EXIT_PROBLEM;
}

/* ---- stats ----------------------------------------------------------- */

/* The vendors, gathered from store_vendors() to be sorted by count. */
struct vendor_count {
	char *name;
	uint64_t n, bytes;
};

struct vendor_list {
	struct vendor_count *v;
	size_t nv, capv;
};

static int
add_vendor(const char *name, uint64_t n, uint64_t bytes, void *arg)
{
	struct vendor_list *a = arg;

	if (a->nv == a->capv) {
		a->capv = a->capv ? a->capv * 2 : 16;
		a->v = fg_reallocarray(a->v, a->capv, sizeof(*a->v));
	}
	a->v[a->nv].name = fg_strdup(name);
	a->v[a->nv].n = n;
	a->v[a->nv].bytes = bytes;
	a->nv++;
	return 0;
}

static int
by_count(const void *x, const void *y)
{
	const struct vendor_count *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int
cmd_stats(struct options *o)
{
	struct store *st = open_store(o, STORE_RDONLY);
	struct store_txn *txn;
	struct store_stats s;
	struct vendor_list a = { NULL, 0, 0 };
	char h1[32], h2[32], h3[32];
	size_t i;
	int rc;

	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0)
		die_store(st, "cannot read", rc);
	if ((rc = store_stats(txn, &s)) != 0 ||
	    (rc = store_vendors(txn, add_vendor, &a)) != 0)
		die_store(st, "stats", rc);
	store_abort(txn);
	qsort(a.v, a.nv, sizeof(*a.v), by_count);
	if (o->format == FMT_JSON) {
		printf("{\"store\":");
		fg_json_string(stdout, store_path(st));
		printf(",\"schema\":%u,\"downloads\":%" PRIu64 ",\"alive\":%"
		    PRIu64 ",\"gone\":%" PRIu64 ",\"sources\":{\"crawler\":%"
		    PRIu64 ",\"import\":%" PRIu64 ",\"observed\":%" PRIu64
		    ",\"manifest\":%" PRIu64 "},\"pages\":%" PRIu64 ",\"frontier\":%" PRIu64
		    ",\"min_size\":%" PRIu64 ",\"max_size\":%" PRIu64
		    ",\"total_bytes\":%" PRIu64 ",\"file_bytes\":%" PRIu64
		    ",\"used_bytes\":%" PRIu64 ",\"map_bytes\":%" PRIu64
		    ",\"sizes\":{", s.schema, s.downloads, s.alive, s.gone,
		    s.by_source[1], s.by_source[2], s.by_source[3],
		    s.by_source[STORE_SRC_MANIFEST], s.pages,
		    s.frontier, s.min_size, s.max_size, s.total_bytes,
		    s.file_bytes, s.used_bytes, s.map_bytes);
		for (i = 0; i < STORE_SIZE_CLASSES; i++) {
			printf("%s", i ? "," : "");
			fg_json_string(stdout, store_size_class_name((int)i));
			printf(":%" PRIu64, s.by_class[i]);
		}
		printf("},\"vendors\":{");
		for (i = 0; i < a.nv; i++) {
			printf("%s", i ? "," : "");
			fg_json_string(stdout, a.v[i].name);
			printf(":%" PRIu64, a.v[i].n);
		}
		printf("}}\n");
	} else {
		printf("store:      %s (schema %u)\n", store_path(st), s.schema);
		printf("downloads:  %" PRIu64 " (%" PRIu64 " alive, %" PRIu64
		    " gone)\n", s.downloads, s.alive, s.gone);
		printf("sources:    crawler %" PRIu64 ", import %" PRIu64
		    ", observed %" PRIu64 ", manifest %" PRIu64 "\n",
		    s.by_source[1], s.by_source[2], s.by_source[3],
		    s.by_source[STORE_SRC_MANIFEST]);
		printf("crawler:    %" PRIu64 " pages, %" PRIu64
		    " frontier items\n", s.pages, s.frontier);
		if (s.downloads)
			printf("sizes:      %s to %s, %s in all\n",
			    fg_human_size(s.min_size, h1, sizeof(h1)),
			    fg_human_size(s.max_size, h2, sizeof(h2)),
			    fg_human_size(s.total_bytes, h3, sizeof(h3)));
		for (i = 0; i < STORE_SIZE_CLASSES; i++)
			printf("  %-14s %10" PRIu64 "\n",
			    store_size_class_name((int)i), s.by_class[i]);
		printf("vendors:    %zu\n", a.nv);
		for (i = 0; i < a.nv && i < 20; i++)
			printf("  %-24s %10" PRIu64 "  %s\n",
			    a.v[i].name[0] ? a.v[i].name : "(none)", a.v[i].n,
			    fg_human_size(a.v[i].bytes, h1, sizeof(h1)));
		if (a.nv > 20)
			printf("  ... %zu more\n", a.nv - 20);
		printf("disk:       %s file, %s in use", fg_human_size(
		    s.file_bytes, h1, sizeof(h1)), fg_human_size(s.used_bytes,
		    h2, sizeof(h2)));
		if (s.downloads)
			printf(", %" PRIu64 " bytes per download",
			    s.file_bytes / s.downloads);
		printf("\n");
	}
	for (i = 0; i < a.nv; i++)
		free(a.v[i].name);
	free(a.v);
	store_close(st);
	return 0;
}

/* ---- import ---------------------------------------------------------- */

/*
 * A column the CSV does not have must not wipe what the store knows: take
 * it from the stored record.  The old record's strings stay valid until
 * store_put() writes (it encodes before it writes).
 */
static void
keep_absent_columns(struct store_txn *txn, const int *col,
    const struct options *o, struct store_download *d)
{
	struct store_download old;

	if (store_get(txn, d->url, &old) != 0)
		return;
	if (col[IMPORT_VENDOR] < 0 && o->vendor == NULL)
		d->vendor = old.vendor;
	if (col[IMPORT_FILE] < 0)
		d->file = old.file;
	if (col[IMPORT_SOURCE] < 0 && o->source == 0)
		d->source = old.source;
	if (col[IMPORT_CTYPE] < 0)
		d->content_type = old.content_type;
	if (col[IMPORT_ETAG] < 0)
		d->etag = old.etag;
	if (col[IMPORT_LASTMOD] < 0)
		d->last_modified = old.last_modified;
	if (col[IMPORT_ADDRS] < 0) {
		d->naddrs = old.naddrs;
		memcpy(d->addrs, old.addrs, sizeof(old.addrs));
	}
	/* a line without the observation keeps the stored one, if the
	 * download stays observed */
	if (!d->has_obs && old.has_obs && d->source == STORE_SRC_OBSERVED) {
		d->has_obs = 1;
		d->obs = old.obs;
	}
}

/* Read one line into @buf; 1 ok, 0 EOF, -1 too long (rest skipped). */
static int
read_line(FILE *in, char *buf, size_t len)
{
	size_t n;
	int c;

	if (fgets(buf, (int)len, in) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		return 1;
	if (feof(in))
		return 1;
	while ((c = getc(in)) != EOF && c != '\n')
		;
	return -1;
}

static int
cmd_import(struct options *o, const char *file)
{
	struct store *st;
	struct store_txn *txn = NULL;
	FILE *in;
	char *line;
	struct store_import_cols cols;
	int rc, r, outcome;
	uint64_t lineno = 0, bad = 0, added = 0, changed = 0, same = 0;
	uint64_t inbatch = 0;
	const char *why, *name;

	if (file == NULL)
		usage_error("import needs a FILE (or - for stdin)");
	name = strcmp(file, "-") == 0 ? "(stdin)" : file;
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (in == NULL) {
		fg_error("%s: %s", file, strerror(errno));
		return EXIT_PROBLEM;
	}
	line = fg_malloc(LINE_MAX_LEN);
	/* Header first: learn the columns before touching the store. */
	do {
		r = read_line(in, line, LINE_MAX_LEN);
		lineno++;
	} while (r == 1 && (line[0] == '#' || line[strspn(line, " \r\n")] ==
	    '\0'));
	if (r != 1) {
		fg_error("%s:%" PRIu64 ": %s", name, lineno, r == 0 ?
		    "no header line (empty input)" : "header line too long");
		free(line);
		if (in != stdin)
			fclose(in);
		return EXIT_PROBLEM;
	}
	why = store_import_header(line, &cols);
	if (why != NULL) {
		fg_error("%s:%" PRIu64 ": header must name the columns url and "
		    "size (got: %s)", name, lineno, why);
		free(line);
		if (in != stdin)
			fclose(in);
		return EXIT_PROBLEM;
	}
	st = open_store(o, STORE_CREATE);
	for (;;) {
		struct store_download d;

		r = read_line(in, line, LINE_MAX_LEN);
		if (r == 0)
			break;
		lineno++;
		if (r < 0) {
			fg_error("%s:%" PRIu64 ": line longer than %d bytes, "
			    "skipped", name, lineno, LINE_MAX_LEN);
			bad++;
			continue;
		}
		if (line[strspn(line, " \r\n")] == '\0' || line[0] == '#')
			continue;
		why = store_import_line(line, &cols, o->vendor, o->source, &d);
		if (why != NULL) {
			fg_error("%s:%" PRIu64 ": %s, skipped", name, lineno,
			    why);
			bad++;
			continue;
		}
		if (txn == NULL &&
		    (rc = store_begin(st, STORE_TXN_WRITE, &txn)) != 0)
			die_store(st, "cannot write", rc);
		keep_absent_columns(txn, cols.col, o, &d);
		rc = store_put(txn, &d, &outcome);
		if (rc == STORE_ETOOLONG || rc == STORE_EINVAL) {
			fg_error("%s:%" PRIu64 ": %s, skipped", name, lineno,
			    store_strerror(rc));
			bad++;
			continue;
		}
		if (rc) {
			store_abort(txn);
			die_store(st, "import", rc);
		}
		added += outcome == STORE_PUT_NEW;
		changed += outcome == STORE_PUT_CHANGED;
		same += outcome == STORE_PUT_SAME;
		if (++inbatch == IMPORT_BATCH) {
			if ((rc = store_commit(txn)) != 0)
				die_store(st, "commit", rc);
			txn = NULL;
			inbatch = 0;
		}
	}
	if (ferror(in))
		fg_error("%s: read error: %s", name, strerror(errno));
	if (txn != NULL && (rc = store_commit(txn)) != 0)
		die_store(st, "commit", rc);
	fg_verbose("%s: %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	    " unchanged, %" PRIu64 " rejected", name, added, changed, same, bad);
	if (fg_log_level() >= FG_LOG_NORMAL)
		fprintf(stderr, "%s: imported %" PRIu64 " new, %" PRIu64
		    " changed, %" PRIu64 " unchanged, %" PRIu64 " rejected\n",
		    name, added, changed, same, bad);
	free(line);
	if (in != stdin)
		fclose(in);
	store_close(st);
	return bad ? EXIT_PROBLEM : 0;
}

/* ---- prune ----------------------------------------------------------- */

/* One download that has a version, for --keep-latest: the groups are
 * (vendor, product, platform); within one, versions newest first. */
struct versioned {
	char *url;
	char *vendor;
	struct store_product p;
	uint64_t size;
	int prune;               /* 1: not among the newest N of its group */
};

struct prune_acc {
	const struct options *o;
	int64_t cutoff;
	char **urls;
	size_t n, cap;
	struct versioned *v;     /* --keep-latest: every versioned download */
	size_t nv, capv;
};

/* The criteria other than --keep-latest. */
static int
prune_matches(const struct prune_acc *a, const struct store_download *d)
{
	if (a->o->gone && d->state != STORE_GONE)
		return 0;
	if (a->o->older_set && d->last_seen >= a->cutoff)
		return 0;
	if (a->o->vendor && strcmp(a->o->vendor, d->vendor) != 0)
		return 0;
	return 1;
}

static int
prune_visit(const struct store_download *d, void *arg)
{
	struct prune_acc *a = arg;
	struct versioned *v;
	struct store_product p;

	if (!prune_matches(a, d))
		return 0;
	if (a->o->keep_latest == 0) {
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 64;
			a->urls = fg_reallocarray(a->urls, a->cap,
			    sizeof(char *));
		}
		a->urls[a->n++] = fg_strdup(d->url);
		return 0;
	}
	/* --keep-latest: a download without a version is never pruned */
	if (store_product_parse(d->url, d->file, &p) != 0 ||
	    p.version[0] == '\0')
		return 0;
	if (a->o->product && strcmp(a->o->product, p.product) != 0)
		return 0;
	if (a->nv == a->capv) {
		a->capv = a->capv ? a->capv * 2 : 64;
		a->v = fg_reallocarray(a->v, a->capv, sizeof(*a->v));
	}
	v = &a->v[a->nv++];
	v->url = fg_strdup(d->url);
	v->vendor = fg_strdup(d->vendor);
	v->p = p;
	v->size = d->size;
	v->prune = 0;
	return 0;
}

static int
same_group(const struct versioned *x, const struct versioned *y)
{
	return strcmp(x->vendor, y->vendor) == 0 &&
	    strcmp(x->p.product, y->p.product) == 0 &&
	    strcmp(x->p.platform, y->p.platform) == 0;
}

/* vendor, product, platform; then newest version first; then URL. */
static int
by_group_version(const void *a, const void *b)
{
	const struct versioned *x = a, *y = b;
	int c;

	if ((c = strcmp(x->vendor, y->vendor)) != 0 ||
	    (c = strcmp(x->p.product, y->p.product)) != 0 ||
	    (c = strcmp(x->p.platform, y->p.platform)) != 0)
		return c;
	if ((c = store_version_cmp(y->p.version, x->p.version)) != 0)
		return c;
	return strcmp(x->url, y->url);
}

/* Print one group's line: "firefox win64 (mozilla): keep 121.0 120.0;
 * prune 119.0 (3), 118.0 (3)" and, verbose, each URL pruned. */
static void
print_group(const struct versioned *v, size_t n, const char *verb)
{
	size_t i, j, k;
	int first = 1;

	printf("%s %s (%s): keep", v[0].p.product, v[0].p.platform[0] ?
	    v[0].p.platform : "-", v[0].vendor[0] ? v[0].vendor : "-");
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n &&
		    store_version_cmp(v[i].p.version, v[j].p.version) == 0; j++)
			;
		if (!v[i].prune)
			printf(" %s", v[i].p.version);
	}
	printf("; %s", verb);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n &&
		    store_version_cmp(v[i].p.version, v[j].p.version) == 0; j++)
			;
		if (v[i].prune) {
			printf("%s %s (%zu)", first ? "" : ",", v[i].p.version,
			    j - i);
			first = 0;
		}
	}
	putchar('\n');
	if (fg_log_level() >= FG_LOG_VERBOSE)
		for (k = 0; k < n; k++)
			if (v[k].prune)
				printf("  %s\n", v[k].url);
}

/* Mark what --keep-latest prunes and move those URLs to a->urls. */
static void
keep_latest(struct prune_acc *a)
{
	size_t g, e, i, j, nver;
	int any;

	qsort(a->v, a->nv, sizeof(*a->v), by_group_version);
	for (g = 0; g < a->nv; g = e) {
		for (e = g + 1; e < a->nv && same_group(&a->v[g], &a->v[e]); e++)
			;
		/* distinct versions, newest first: the first N stay, with
		 * every locale and file of each */
		nver = 0;
		any = 0;
		for (i = g; i < e; i = j) {
			for (j = i + 1; j < e && store_version_cmp(
			    a->v[i].p.version, a->v[j].p.version) == 0; j++)
				;
			nver++;
			for (size_t k = i; k < j; k++) {
				a->v[k].prune = nver > a->o->keep_latest;
				any |= a->v[k].prune;
			}
		}
		if (!any)
			continue;
		print_group(&a->v[g], e - g, a->o->dry_run ? "would prune" :
		    "prune");
		for (i = g; i < e; i++) {
			if (!a->v[i].prune)
				continue;
			if (a->n == a->cap) {
				a->cap = a->cap ? a->cap * 2 : 64;
				a->urls = fg_reallocarray(a->urls, a->cap,
				    sizeof(char *));
			}
			a->urls[a->n++] = a->v[i].url;
			a->v[i].url = NULL;
		}
	}
}

static int
cmd_prune(struct options *o)
{
	struct store *st;
	struct store_txn *txn;
	struct prune_acc a;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	a.o = o;
	if (!o->gone && !o->older_set && o->vendor == NULL &&
	    o->keep_latest == 0)
		usage_error("prune needs --gone, --older-than, --vendor or "
		    "--keep-latest");
	if (o->product != NULL && o->keep_latest == 0)
		usage_error("prune --product goes with --keep-latest");
	st = open_store(o, 0);
	a.cutoff = fg_now() - (int64_t)o->older_days * 86400;
	/* Collect first, delete after: a write txn must not change what it
	 * is iterating over.  One transaction: all or nothing. */
	if ((rc = store_begin(st, o->dry_run ? STORE_TXN_READ :
	    STORE_TXN_WRITE, &txn)) != 0)
		die_store(st, "cannot open a transaction", rc);
	if ((rc = store_foreach(txn, prune_visit, &a)) != 0) {
		store_abort(txn);
		die_store(st, "prune", rc);
	}
	if (o->keep_latest > 0)
		keep_latest(&a);
	for (i = 0; i < a.n && !o->dry_run; i++) {
		if ((rc = store_delete(txn, a.urls[i])) != 0) {
			store_abort(txn);
			die_store(st, a.urls[i], rc);
		}
	}
	if (o->dry_run)
		store_abort(txn);
	else if ((rc = store_commit(txn)) != 0)
		die_store(st, "commit", rc);
	printf("%s %zu download%s\n", o->dry_run ? "would prune" : "pruned",
	    a.n, a.n == 1 ? "" : "s");
	for (i = 0; i < a.n; i++)
		free(a.urls[i]);
	free(a.urls);
	for (i = 0; i < a.nv; i++) {
		free(a.v[i].url);
		free(a.v[i].vendor);
	}
	free(a.v);
	store_close(st);
	return 0;
}

/* ---- check ----------------------------------------------------------- */

static void
report_problem(const char *msg, void *arg)
{
	const char *path = arg;

	printf("%s: %s\n", path, msg);
}

static int
cmd_check(struct options *o)
{
	struct store *st = open_store(o, STORE_RDONLY);
	struct store_txn *txn;
	uint64_t problems = 0;
	int rc;

	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0)
		die_store(st, "cannot read", rc);
	rc = store_check(txn, report_problem, (void *)(uintptr_t)store_path(st),
	    &problems);
	store_abort(txn);
	if (rc)
		die_store(st, "check", rc);
	printf("%s: %" PRIu64 " problem%s\n", store_path(st), problems,
	    problems == 1 ? "" : "s");
	store_close(st);
	return problems ? EXIT_PROBLEM : 0;
}

/* ---- main ------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *help;
} commands[] = {
	{ "stats", help_stats }, { "list", help_list },
	{ "export", help_export }, { "lookup", help_lookup },
	{ "import", help_import }, { "prune", help_prune },
	{ "check", help_check },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "vendor", required_argument, NULL, 'n' },
		{ "source", required_argument, NULL, 'S' },
		{ "gone", no_argument, NULL, 'g' },
		{ "alive", no_argument, NULL, 'a' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'l' },
		{ "keep-latest", required_argument, NULL, 'K' },
		{ "product", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o;
	const char *cmd = NULL, *arg = NULL;
	int c, help = 0, level = FG_LOG_NORMAL;
	uint64_t v;
	size_t i;

	memset(&o, 0, sizeof(o));
	fg_log_init(argv[0], FG_LOG_NORMAL);
	/* Options may come before or after the command. */
	while (optind < argc) {
		c = getopt_long(argc, argv, "+s:f:t:qvhV", longopts, NULL);
		if (c == -1) {
			if (cmd == NULL)
				cmd = argv[optind];
			else if (arg == NULL)
				arg = argv[optind];
			else
				usage_error("unexpected argument '%s'",
				    argv[optind]);
			optind++;
			continue;
		}
		switch (c) {
		case 's': o.store = optarg; break;
		case 'f':
			o.format_set = 1;
			if (strcmp(optarg, "table") == 0) o.format = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0) o.format = FMT_CSV;
			else if (strcmp(optarg, "json") == 0) o.format = FMT_JSON;
			else usage_error("unknown format '%s' (table, csv, "
			    "json)", optarg);
			break;
		case 't':
			if (fg_parse_size(optarg, &o.tolerance) != 0)
				usage_error("bad --tolerance '%s'", optarg);
			break;
		case 'n': o.vendor = optarg; break;
		case 'S':
			if ((o.source = store_source_parse(optarg)) == 0)
				usage_error("unknown source '%s' (crawler, "
				    "import, observed, manifest)", optarg);
			break;
		case 'g': o.gone = 1; o.state = STORE_GONE; break;
		case 'a': o.state = STORE_ALIVE; break;
		case 'o':
			if (fg_parse_uint(optarg, 0, 365000, &o.older_days))
				usage_error("bad --older-than '%s' (days)",
				    optarg);
			o.older_set = 1;
			break;
		case 'd': o.dry_run = 1; break;
		case 'l':
			if (fg_parse_uint(optarg, 1, INT32_MAX, &v) != 0)
				usage_error("bad --limit '%s'", optarg);
			o.limit = (int)v;
			break;
		case 'K':
			if (fg_parse_uint(optarg, 1, 1000000, &o.keep_latest))
				usage_error("bad --keep-latest '%s' (a number "
				    "of versions, at least 1)", optarg);
			break;
		case 'P': o.product = optarg; break;
		case 'q': level = FG_LOG_QUIET; break;
		case 'v': level++; break;
		case 'h': help = 1; break;
		case 'V':
			printf("flowgrab-store %s\n", FG_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'flowgrab-store --help'.\n");
			return EXIT_USAGE;
		}
	}
	fg_log_init(argv[0], level);
	for (i = 0; cmd != NULL && i < NCOMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			break;
	if (help) {
		fputs(cmd && i < NCOMMANDS ? commands[i].help : usage_main,
		    stdout);
		return 0;
	}
	if (cmd == NULL) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	if (i == NCOMMANDS)
		usage_error("unknown command '%s'", cmd);
	if (arg != NULL && strcmp(cmd, "lookup") != 0 &&
	    strcmp(cmd, "import") != 0)
		usage_error("unexpected argument '%s'", arg);
	if (strcmp(cmd, "stats") == 0)
		return cmd_stats(&o);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(&o, 0);
	if (strcmp(cmd, "export") == 0)
		return cmd_list(&o, 1);
	if (strcmp(cmd, "lookup") == 0)
		return cmd_lookup(&o, arg);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(&o, arg);
	if (strcmp(cmd, "prune") == 0)
		return cmd_prune(&o);
	return cmd_check(&o);
}
