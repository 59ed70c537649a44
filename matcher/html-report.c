/*
 * html-report.c - the self-contained HTML report (see html-report.h and
 * docs/report.md).
 *
 * Records are kept flat, then sorted once per view at write time: by host
 * and time for the inventory and timelines, by vendor, file and host for
 * the vendor view, by server for the unmatched transfers.  The SVG is
 * drawn here, with fixed sizes, so that the file needs nothing else.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "html-report.h"
#include "product.h"
#include "util.h"

struct hr_item {
	uint8_t key[17];            /* family + address, for sorting */
	char client[64], server[64];
	unsigned server_port;
	int64_t start_ms, end_ms;
	uint64_t bytes, size;
	int64_t est_size;
	double confidence;
	uint32_t candidates;
	int tls, parts, found, nrivals;
	char *url, *file, *vendor;
	char *rivals[MATCH_MAX_RIVALS];
	struct store_product prod;  /* product "" if none found */
};

/* A product the report's hosts have, and the versions the store knows
 * of it (alive downloads only), for "not fetched". */
struct hr_known {
	const char *vendor, *product; /* point into an item */
	char **versions;
	size_t n, cap;
	uint64_t capped;
};

struct hr_setting {
	char *section, *key, *value;
};

struct html_report {
	struct hr_item *it;
	size_t n, cap;
	uint64_t dropped;
	struct hr_setting set[HTML_REPORT_SETTINGS];
	int nset;
	int have_store;
	struct hr_known *known;     /* sorted by vendor, product */
	size_t nknown;
};

struct html_report *html_report_new(void)
{
	return fg_calloc(1, sizeof(struct html_report));
}

void html_report_free(struct html_report *h)
{
	size_t i;
	int k;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		free(h->it[i].url);
		free(h->it[i].file);
		free(h->it[i].vendor);
		for (k = 0; k < h->it[i].nrivals; k++)
			free(h->it[i].rivals[k]);
	}
	free(h->it);
	for (i = 0; i < h->nknown; i++) {
		size_t v;

		for (v = 0; v < h->known[i].n; v++)
			free(h->known[i].versions[v]);
		free(h->known[i].versions);
	}
	free(h->known);
	for (k = 0; k < h->nset; k++) {
		free(h->set[k].section);
		free(h->set[k].key);
		free(h->set[k].value);
	}
	free(h);
}

/* A copy of at most HTML_REPORT_STR_MAX bytes, not cut inside a UTF-8
 * sequence. */
static char *copy(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	if (n > HTML_REPORT_STR_MAX) {
		n = HTML_REPORT_STR_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return fg_strndup(s, n);
}

static void addr_key(const char *s, uint8_t key[17])
{
	memset(key, 0, 17);
	if (inet_pton(AF_INET, s, key + 1) == 1)
		key[0] = 4;
	else if (inet_pton(AF_INET6, s, key + 1) == 1)
		key[0] = 6;
}

void html_report_add(struct html_report *h, const struct detection *d)
{
	struct hr_item *it;
	int k;

	if (h->n >= HTML_REPORT_MAX) {
		h->dropped++;
		return;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->it = fg_reallocarray(h->it, h->cap, sizeof(*h->it));
	}
	it = &h->it[h->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->client, sizeof(it->client), "%s", d->client);
	snprintf(it->server, sizeof(it->server), "%s", d->server);
	addr_key(d->client, it->key);
	it->server_port = d->server_port;
	it->start_ms = d->start_ms;
	it->end_ms = d->end_ms;
	it->bytes = d->bytes;
	it->size = d->size;
	it->est_size = d->est_size;
	it->confidence = d->confidence;
	it->candidates = d->candidates;
	it->tls = d->tls;
	it->parts = d->parts;
	it->found = d->url != NULL;
	it->url = copy(d->url);
	/* an observed reference has no file name: its label says what the
	 * reference host was downloading */
	it->file = copy(d->label ? d->label : d->file);
	it->vendor = copy(d->vendor && d->vendor[0] ? d->vendor : NULL);
	for (k = 0; it->found && k < d->nrivals && k < MATCH_MAX_RIVALS; k++)
		it->rivals[it->nrivals++] = copy(d->rivals[k]);
	if (it->found && !d->label)
		store_product_parse(it->url, it->file, &it->prod);
}

void html_report_setting(struct html_report *h, const char *section,
    const char *key, const char *value)
{
	if (h->nset >= HTML_REPORT_SETTINGS)
		return;
	h->set[h->nset].section = fg_strdup(section);
	h->set[h->nset].key = fg_strdup(key);
	h->set[h->nset].value = fg_strdup(value);
	h->nset++;
}

/* ---- what the store knows -------------------------------------------- */

#define KNOWN_VERSIONS_MAX 1000

static int cmp_str(const char *a, const char *b);

static int cmp_known(const void *a, const void *b)
{
	const struct hr_known *x = a, *y = b;
	int c = cmp_str(x->vendor, y->vendor);

	return c ? c : strcmp(x->product, y->product);
}

static struct hr_known *known_find(struct html_report *h, const char *vendor,
    const char *product)
{
	struct hr_known key;

	key.vendor = vendor;
	key.product = product;
	return h->nknown ? bsearch(&key, h->known, h->nknown,
	    sizeof(*h->known), cmp_known) : NULL;
}


static int cmp_version_p(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = store_version_cmp(x, y);

	return c ? c : strcmp(x, y);
}

static int known_add(const struct store_download *d, void *arg)
{
	struct html_report *h = arg;
	struct store_product p;
	struct hr_known *k;
	size_t i;

	if (d->state == STORE_GONE || store_product_parse(d->url, d->file,
	    &p) < 0 || !p.version[0])
		return 0;
	k = known_find(h, d->vendor && d->vendor[0] ? d->vendor : NULL,
	    p.product);
	if (!k)
		return 0;
	for (i = 0; i < k->n; i++)
		if (!strcmp(k->versions[i], p.version))
			return 0;
	if (k->n == KNOWN_VERSIONS_MAX) {
		k->capped++;
		return 0;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->versions = fg_reallocarray(k->versions, k->cap,
		    sizeof(*k->versions));
	}
	k->versions[k->n++] = fg_strdup(p.version);
	return 0;
}

int html_report_use_store(struct html_report *h, struct store *st)
{
	struct store_txn *txn = NULL;
	size_t i, n = 0;
	int rc;

	/* the products the hosts have, once each */
	h->known = fg_calloc(h->n ? h->n : 1, sizeof(*h->known));
	for (i = 0; i < h->n; i++) {
		if (!h->it[i].found || !h->it[i].prod.product[0])
			continue;
		h->known[n].vendor = h->it[i].vendor;
		h->known[n++].product = h->it[i].prod.product;
	}
	qsort(h->known, n, sizeof(*h->known), cmp_known);
	for (i = 0, h->nknown = 0; i < n; i++)
		if (!h->nknown || cmp_known(&h->known[h->nknown - 1],
		    &h->known[i]))
			h->known[h->nknown++] = h->known[i];
	rc = store_begin(st, STORE_TXN_READ, &txn);
	if (rc < 0)
		return rc;
	rc = store_foreach(txn, known_add, h);
	store_abort(txn);
	if (rc < 0)
		return rc;
	for (i = 0; i < h->nknown; i++)
		qsort(h->known[i].versions, h->known[i].n, sizeof(char *),
		    cmp_version_p);
	h->have_store = 1;
	return 0;
}

/* ---- escaping --------------------------------------------------------- */

/* Text and attribute values alike: & < > " ' escaped, control characters
 * (which have no business in a URL or name) shown as U+FFFD. */
static void esc(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fputs("&#xfffd;", f);
			else
				putc(*p, f);
		}
	}
}

/* At most @max characters of @s (UTF-8 aware), with an ellipsis. */
static void esc_cut(FILE *f, const char *s, size_t max)
{
	size_t chars = 0, i;
	char *t;

	if (!s)
		return;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars > max)
			break;
	}
	if (!s[i]) {
		esc(f, s);
		return;
	}
	t = fg_strndup(s, i);
	esc(f, t);
	fputs("&#x2026;", f);
	free(t);
}

static const char *when(int64_t ms, char *buf, size_t len)
{
	fg_iso8601(ms / 1000, buf, len);
	if (strlen(buf) >= 19) {
		buf[10] = ' ';
		buf[19] = '\0';
	}
	return buf;
}

static const char *conf_class(double c)
{
	return c >= HTML_REPORT_SURE ? "sure" : "unsure";
}

/* ---- sorting ---------------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int by_host(const void *a, const void *b)
{
	const struct hr_item *x = *(struct hr_item *const *)a;
	const struct hr_item *y = *(struct hr_item *const *)b;
	int c = memcmp(x->key, y->key, 17);

	if (!c)
		c = strcmp(x->client, y->client);
	if (!c)
		c = cmp_i64(x->start_ms, y->start_ms);
	return c;
}

/* the product an item counts under: its parsed name, else its file */
static const char *product_of(const struct hr_item *it)
{
	return it->prod.product[0] ? it->prod.product : it->file;
}

static int by_product(const void *a, const void *b)
{
	const struct hr_item *x = *(struct hr_item *const *)a;
	const struct hr_item *y = *(struct hr_item *const *)b;
	int c = cmp_str(x->vendor, y->vendor);

	if (!c)
		c = cmp_str(product_of(x), product_of(y));
	if (!c)
		c = store_version_cmp(x->prod.version, y->prod.version);
	if (!c)
		c = strcmp(x->prod.version, y->prod.version);
	if (!c)
		c = memcmp(x->key, y->key, 17);
	if (!c)
		c = strcmp(x->client, y->client);
	return c;
}

static int by_server(const void *a, const void *b)
{
	const struct hr_item *x = *(struct hr_item *const *)a;
	const struct hr_item *y = *(struct hr_item *const *)b;
	int c = strcmp(x->server, y->server);

	if (!c)
		c = (int)x->server_port - (int)y->server_port;
	if (!c)
		c = cmp_i64(y->est_size, x->est_size);
	return c;
}

/* ---- the page --------------------------------------------------------- */

static const char css[] =
"body{font:14px/1.4 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#111;"
"margin:24px auto;max-width:1100px;padding:0 16px}"
"h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;"
"border-bottom:2px solid #345;padding-bottom:2px}"
"h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:12px 0 4px}"
"table{border-collapse:collapse;margin:6px 0 12px;width:100%}"
"th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;"
"vertical-align:top}th{background:#e8edf2}"
"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
"td.url{word-break:break-all;font-size:12px;color:#333}"
".sure{color:#064}.unsure{color:#940}.muted{color:#666}"
".cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}"
".card{border:1px solid #bbb;border-radius:4px;padding:6px 12px;"
"min-width:110px}.card b{display:block;font-size:20px}"
"section.host{break-inside:avoid;page-break-inside:avoid}"
"nav a{margin-right:12px}svg{display:block;margin:4px 0 8px}"
"svg text{font:11px 'DejaVu Sans',Helvetica,Arial,sans-serif}"
".apart{border-left:4px solid #d90;padding-left:8px}"
"@media print{body{margin:0;max-width:none}nav{display:none}"
"h2{break-after:avoid}tr{break-inside:avoid}}";

struct view {
	struct html_report *h;
	FILE *f;
	struct hr_item **v;         /* pointers into h->it */
	size_t nv;
	int64_t tmin, tmax;         /* detections' times, for timelines */
	size_t found, unsure, ambiguous, unmatched, hosts, vendors, files;
};

static void timeline(struct view *w, struct hr_item **x, size_t n)
{
	FILE *f = w->f;
	const double x0 = 20, x1 = 700;
	double span = (double)(w->tmax - w->tmin), last_end[4] = { -1e9,
	    -1e9, -1e9, -1e9 };
	int rows_used = 1, k;
	size_t i, np = n < 64 ? n : 64;
	char b[40];
	struct { double x; int row; } pos[64];

	if (span <= 0)
		span = 1;
	/* labels in up to 4 rows, each placed where the last one ended */
	for (i = 0; i < np; i++) {
		double px = x0 + (x1 - x0) * (double)(x[i]->start_ms - w->tmin)
		    / span;
		int row = 0;

		for (row = 0; row < 4 && last_end[row] > px; row++)
			;
		if (row == 4)
			row = -1;	/* no room for a label: the mark only */
		else
			last_end[row] = px + 7.0 * (double)(x[i]->file ?
			    (strlen(x[i]->file) < 30 ? strlen(x[i]->file) : 30)
			    : 4) + 10;
		if (row + 1 > rows_used)
			rows_used = row + 1;
		pos[i].x = px;
		pos[i].row = row;
	}
	fprintf(f, "<svg class=\"timeline\" role=\"img\" width=\"720\" "
	    "height=\"%d\" viewBox=\"0 0 720 %d\" xmlns=\"http://www.w3.org/"
	    "2000/svg\"><title>timeline of downloads</title>",
	    46 + rows_used * 14, 46 + rows_used * 14);
	fprintf(f, "<line x1=\"%g\" y1=\"20\" x2=\"%g\" y2=\"20\" "
	    "stroke=\"#345\"/>", x0, x1);
	for (k = 0; k <= 4; k++) {
		double tx = x0 + (x1 - x0) * k / 4.0;

		/* the date once, at the start, then the time of day; the
		 * whole date at every tick when ticks are a day or more apart */
		when(w->tmin + (int64_t)(span * k / 4.0), b, sizeof(b));
		fprintf(f, "<line x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"24\" "
		    "stroke=\"#345\"/><text x=\"%.1f\" y=\"11\" text-anchor="
		    "\"%s\" fill=\"#555\">%s</text>", tx, tx, tx, k == 0 ?
		    "start" : k == 4 ? "end" : "middle", k == 0 || span >
		    4 * 86400000.0 ? b : b + 11);
	}
	for (i = 0; i < np; i++) {
		const struct hr_item *it = x[i];
		int sure = it->confidence >= HTML_REPORT_SURE;

		fprintf(f, "<circle cx=\"%.1f\" cy=\"20\" r=\"5\" fill=\"%s\" "
		    "stroke=\"%s\"><title>", pos[i].x, sure ? "#064" : "#fff",
		    sure ? "#064" : "#940");
		esc(f, when(it->start_ms, b, sizeof(b)));
		fputc(' ', f);
		esc(f, it->file);
		fprintf(f, " (%.2f)</title></circle>", it->confidence);
		if (pos[i].row >= 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">",
			    pos[i].x - 3, 40 + pos[i].row * 14, sure ? "#064" :
			    "#940");
			esc_cut(f, it->file, 30);
			fputs("</text>", f);
		}
	}
	if (n > np)
		fprintf(f, "<text x=\"700\" y=\"%d\" text-anchor=\"end\" "
		    "fill=\"#555\">first 64 of %zu shown</text>",
		    40 + rows_used * 14, n);
	fputs("</svg>\n", f);
}

/* The last path segment of @url (the whole of it if none). */
static const char *url_file(const char *url)
{
	const char *slash = url ? strrchr(url, '/') : NULL;

	return slash && slash[1] ? slash + 1 : url ? url : "";
}

/*
 * A detection whose size fits other files too, as its group: "one of 3
 * locales: en-US, de, fr" when the candidates differ only in locale, and
 * likewise platforms or versions of one product; else "one of N files".
 */
static void rival_list(FILE *f, const struct hr_item *it)
{
	struct store_product p[MATCH_MAX_RIVALS + 1];
	const char *name[MATCH_MAX_RIVALS + 1];
	int n = it->nrivals + 1, k, same_prod = 1, same_ver = 1,
	    same_plat = 1, same_loc = 1, field;
	static const char *const what[] = { "locales", "platforms",
	    "versions", "files" };

	p[0] = it->prod;
	name[0] = it->file;
	for (k = 1; k < n; k++) {
		name[k] = url_file(it->rivals[k - 1]);
		store_product_parse(it->rivals[k - 1], NULL, &p[k]);
		same_prod &= p[0].product[0] && !strcmp(p[k].product,
		    p[0].product);
		same_ver &= !strcmp(p[k].version, p[0].version);
		same_plat &= !strcmp(p[k].platform, p[0].platform);
		same_loc &= !strcmp(p[k].locale, p[0].locale);
	}
	field = !same_prod ? 3 : same_ver && same_plat && !same_loc ? 0 :
	    same_ver && !same_plat && same_loc ? 1 : !same_ver && same_plat &&
	    same_loc ? 2 : 3;
	fprintf(f, "one of %d %s: ", n, what[field]);
	for (k = 0; k < n; k++) {
		if (k)
			fputs(", ", f);
		esc(f, field == 0 ? p[k].locale : field == 1 ? p[k].platform :
		    field == 2 ? p[k].version : name[k]);
	}
}

static void inventory_row(FILE *f, const struct hr_item *it)
{
	char b[40];

	fprintf(f, "<tr class=\"det\"><td>%s</td><td>", when(it->start_ms, b,
	    sizeof(b)));
	esc(f, it->vendor ? it->vendor : "-");
	fputs("</td><td class=\"product\">", f);
	esc(f, it->prod.product);
	fputs("</td><td class=\"version\">", f);
	esc(f, it->prod.version);
	if (it->prod.platform[0] || it->prod.locale[0]) {
		fputs(" <span class=\"muted\">", f);
		esc(f, it->prod.platform);
		fputs(it->prod.platform[0] && it->prod.locale[0] ? " " : "", f);
		esc(f, it->prod.locale);
		fputs("</span>", f);
	}
	fputs("</td><td class=\"file\">", f);
	esc(f, it->file);
	fprintf(f, "</td><td class=\"num %s\">%.2f</td><td>",
	    conf_class(it->confidence), it->confidence);
	if (it->nrivals)
		rival_list(f, it);
	if (it->parts > 1)
		fprintf(f, "%s%d range requests", it->nrivals ? "; " : "",
		    it->parts);
	fputs("</td><td class=\"url\">", f);
	esc(f, it->url);
	fputs("</td></tr>\n", f);
}

static void inventory_head(FILE *f)
{
	fputs("<table><tr><th>when (UTC)</th><th>vendor</th><th>product</th>"
	    "<th>version</th><th>file</th><th class=\"num\">confidence</th>"
	    "<th>note</th><th>URL</th></tr>\n", f);
}

/*
 * "Not fetched": for each product the host downloaded (items @x[0..n)
 * sorted by time), the versions the store knows newer than the newest
 * the host fetched.
 */
static void not_fetched(struct view *w, struct hr_item **x, size_t n)
{
	FILE *f = w->f;
	const struct hr_item *newest[256];
	size_t nn = 0, i, k, v, rows = 0;

	if (!w->h->have_store) {
		fputs("<p class=\"muted nf\">Newer versions: no store given "
		    "(-s STORE) to compare with.</p>\n", f);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct hr_item *it = x[i];

		if (!it->prod.product[0] || !it->prod.version[0] ||
		    it->confidence < HTML_REPORT_SURE)
			continue;
		for (k = 0; k < nn; k++)
			if (!cmp_str(newest[k]->vendor, it->vendor) &&
			    !strcmp(newest[k]->prod.product, it->prod.product))
				break;
		if (k == nn) {
			if (nn == 256)
				continue;
			newest[nn++] = it;
		} else if (store_version_cmp(it->prod.version,
		    newest[k]->prod.version) > 0) {
			newest[k] = it;
		}
	}
	for (k = 0; k < nn; k++) {
		const struct hr_known *kn = known_find(w->h,
		    newest[k]->vendor, newest[k]->prod.product);
		size_t shown = 0, newer = 0;

		if (!kn)
			continue;
		for (v = 0; v < kn->n; v++)
			if (store_version_cmp(kn->versions[v],
			    newest[k]->prod.version) > 0)
				newer++;
		if (!newer)
			continue;
		if (!rows++)
			fputs("<div class=\"nf\"><p><b>Not fetched</b>: newer "
			    "versions the store knows of what this host has"
			    "</p><table><tr><th>vendor</th><th>product</th>"
			    "<th>newest fetched</th><th>newer in the store</th>"
			    "</tr>\n", f);
		fputs("<tr class=\"nfrow\"><td>", f);
		esc(f, newest[k]->vendor ? newest[k]->vendor : "-");
		fputs("</td><td>", f);
		esc(f, newest[k]->prod.product);
		fputs("</td><td>", f);
		esc(f, newest[k]->prod.version);
		fputs("</td><td class=\"newer\">", f);
		/* kn->versions is sorted, newest last: list newest first */
		for (v = kn->n; v-- > 0;) {
			if (store_version_cmp(kn->versions[v],
			    newest[k]->prod.version) <= 0)
				break;
			if (shown == 12) {
				fprintf(f, " and %zu older", newer - shown);
				break;
			}
			if (shown++)
				fputs(", ", f);
			esc(f, kn->versions[v]);
		}
		fputs("</td></tr>\n", f);
	}
	if (rows)
		fputs("</table></div>\n", f);
	else
		fputs("<p class=\"muted nf\">Up to date: the store knows no "
		    "newer version of what this host has.</p>\n", f);
}

static void hosts(struct view *w)
{
	FILE *f = w->f;
	size_t i, j, k, nh = 0;

	fputs("<h2 id=\"hosts\">Hosts</h2>\n<p class=\"muted\">Each host's "
	    "downloads, oldest first. Detections below 0.9 confidence are set "
	    "apart; a note says when the size fits more than one file.</p>\n",
	    f);
	for (i = 0; i < w->nv; i = j) {
		size_t nsure = 0, nun = 0;

		for (j = i; j < w->nv && !strcmp(w->v[j]->client,
		    w->v[i]->client); j++) {
			if (w->v[j]->confidence >= HTML_REPORT_SURE)
				nsure++;
			else
				nun++;
		}
		fprintf(f, "<section class=\"host\" id=\"host-%zu\">"
		    "<h3><span class=\"hostname\">", nh++);
		esc(f, w->v[i]->client);
		fputs("</span>", f);
		fprintf(f, " <span class=\"muted\">(%zu download%s)</span></h3>"
		    "\n", j - i, j - i == 1 ? "" : "s");
		timeline(w, w->v + i, j - i);
		if (nsure) {
			inventory_head(f);
			for (k = i; k < j; k++)
				if (w->v[k]->confidence >= HTML_REPORT_SURE)
					inventory_row(f, w->v[k]);
			fputs("</table>\n", f);
		}
		not_fetched(w, w->v + i, j - i);
		if (nun) {
			fputs("<div class=\"apart\"><p><b>Less certain</b> "
			    "(confidence below 0.9)</p>\n", f);
			inventory_head(f);
			for (k = i; k < j; k++)
				if (w->v[k]->confidence < HTML_REPORT_SURE)
					inventory_row(f, w->v[k]);
			fputs("</table></div>\n", f);
		}
		fputs("</section>\n", f);
	}
	w->hosts = nh;
	if (!nh)
		fputs("<p>No detections.</p>\n", f);
}

/* A horizontal bar chart: @label[i] has @value[i] hosts. */
static void bars(FILE *f, const char *const *label, const size_t *value,
    size_t n, const char *what)
{
	size_t i, max = 1;
	const double lx = 300, bw = 360;

	for (i = 0; i < n; i++)
		if (value[i] > max)
			max = value[i];
	fprintf(f, "<svg class=\"bars\" role=\"img\" width=\"720\" height="
	    "\"%zu\" viewBox=\"0 0 720 %zu\" xmlns=\"http://www.w3.org/2000/"
	    "svg\"><title>", n * 20 + 8, n * 20 + 8);
	esc(f, what);
	fputs("</title>", f);
	for (i = 0; i < n; i++) {
		double len = bw * (double)value[i] / (double)max;

		fprintf(f, "<text x=\"%g\" y=\"%zu\" text-anchor=\"end\">",
		    lx - 6, i * 20 + 18);
		esc_cut(f, label[i], 44);
		fprintf(f, "</text><rect x=\"%g\" y=\"%zu\" width=\"%.1f\" "
		    "height=\"14\" fill=\"#4a7ab0\"/><text x=\"%.1f\" y=\"%zu\">"
		    "%zu</text>", lx, i * 20 + 6, len < 1 ? 1 : len,
		    lx + len + 4, i * 20 + 18, value[i]);
	}
	fputs("</svg>\n", f);
}

#define BARS_MAX 40

/* Items @v[i..j) of one vendor and product, sorted by version: one row
 * per version with its hosts, and a bar per version. */
static void product_view(struct view *w, size_t i, size_t j)
{
	FILE *f = w->f;
	const char *label[BARS_MAX];
	size_t value[BARS_MAX], nb = 0, k, m, q;

	fputs("<h4 class=\"prodname\">", f);
	esc(f, product_of(w->v[i]));
	fputs("</h4>\n<table><tr><th>version</th><th>files</th><th class="
	    "\"num\">hosts</th><th>hosts</th></tr>\n", f);
	for (k = i; k < j; k = m) {
		size_t nh = 0, shown = 0;

		for (m = k; m < j && !strcmp(w->v[m]->prod.version,
		    w->v[k]->prod.version); m++)
			if (m == k || strcmp(w->v[m]->client,
			    w->v[m - 1]->client))
				nh++;
		fputs("<tr class=\"pv\"><td>", f);
		esc(f, w->v[k]->prod.version[0] ? w->v[k]->prod.version : "-");
		fputs("</td><td class=\"file\">", f);
		/* the distinct files of this version (a few) */
		for (q = k; q < m; q++) {
			size_t r;

			for (r = k; r < q && cmp_str(w->v[r]->file,
			    w->v[q]->file); r++)
				;
			if (r < q)
				continue;
			if (q > k)
				fputs(", ", f);
			esc(f, w->v[q]->file);
		}
		fprintf(f, "</td><td class=\"num\">%zu</td><td>", nh);
		for (q = k; q < m; q++) {
			if (q > k && !strcmp(w->v[q]->client,
			    w->v[q - 1]->client))
				continue;
			if (shown == 20) {
				fprintf(f, " and %zu more", nh - 20);
				break;
			}
			if (shown++)
				fputs(", ", f);
			esc(f, w->v[q]->client);
		}
		fputs("</td></tr>\n", f);
		if (nb < BARS_MAX) {
			label[nb] = w->v[k]->prod.version[0] ?
			    w->v[k]->prod.version : "-";
			value[nb++] = nh;
		}
	}
	fputs("</table>\n", f);
	bars(f, label, value, nb, "hosts per version");
	if (nb == BARS_MAX)
		fprintf(f, "<p class=\"muted\">The chart shows the oldest %d "
		    "versions.</p>\n", BARS_MAX);
}

static void vendors(struct view *w)
{
	FILE *f = w->f;
	size_t i, j, k, m, nvend = 0, nprod = 0;

	fputs("<h2 id=\"vendors\">Vendors and products</h2>\n<p class=\"muted"
	    "\">Which hosts downloaded which version of each product; the bars "
	    "count hosts per version.</p>\n", f);
	for (i = 0; i < w->nv; i = j) {
		for (j = i; j < w->nv && !cmp_str(w->v[j]->vendor,
		    w->v[i]->vendor); j++)
			;
		nvend++;
		fputs("<section class=\"vendor\"><h3>", f);
		esc(f, w->v[i]->vendor ? w->v[i]->vendor : "(no vendor)");
		fputs("</h3>\n", f);
		for (k = i; k < j; k = m) {
			for (m = k; m < j && !cmp_str(product_of(w->v[m]),
			    product_of(w->v[k])); m++)
				;
			nprod++;
			product_view(w, k, m);
		}
		fputs("</section>\n", f);
	}
	w->vendors = nvend;
	w->files = nprod;
}

static void ambiguous(struct view *w)
{
	FILE *f = w->f;
	size_t i, n = 0;
	char b[40];

	fputs("<h2 id=\"ambiguous\">Ambiguous detections</h2>\n<p class=\"muted"
	    "\">The transfer's size fits several stored files about equally; "
	    "the report names the likeliest, the group is what the flow "
	    "records can tell.</p>\n", f);
	for (i = 0; i < w->nv; i++) {
		const struct hr_item *it = w->v[i];

		if (!it->nrivals)
			continue;
		if (!n++)
			fputs("<table><tr><th>when (UTC)</th><th>host</th>"
			    "<th>vendor</th><th>group</th><th class=\"num\">"
			    "confidence</th></tr>\n", f);
		fprintf(f, "<tr class=\"amb\"><td>%s</td><td>", when(it->start_ms,
		    b, sizeof(b)));
		esc(f, it->client);
		fputs("</td><td>", f);
		esc(f, it->vendor ? it->vendor : "-");
		fputs("</td><td>", f);
		rival_list(f, it);
		fprintf(f, "</td><td class=\"num %s\">%.2f</td></tr>\n",
		    conf_class(it->confidence), it->confidence);
	}
	if (n)
		fputs("</table>\n", f);
	else
		fputs("<p>None: every detection had one clear candidate.</p>\n",
		    f);
	w->ambiguous = n;
}

#define UNMATCHED_SERVERS 50

static void unmatched(struct view *w, struct hr_item **u, size_t nu)
{
	FILE *f = w->f;
	size_t i, j, shown = 0;
	char hs[32];

	fputs("<h2 id=\"unmatched\">Large transfers that matched nothing</h2>\n"
	    "<p class=\"muted\">By server: what the hosts download that the "
	    "store does not know, i.e. what to crawl next.</p>\n", f);
	if (!nu) {
		fputs("<p>None recorded (a run keeps them with --unmatched; "
		    "JSON Lines hold them if written with --unmatched).</p>\n", f);
		return;
	}
	qsort(u, nu, sizeof(*u), by_server);
	fputs("<table><tr><th>server</th><th class=\"num\">transfers</th>"
	    "<th class=\"num\">largest (est.)</th><th class=\"num\">total</th>"
	    "<th>clients</th></tr>\n", f);
	for (i = 0; i < nu; i = j) {
		uint64_t total = 0;
		size_t q, nc = 0;

		for (j = i; j < nu && !strcmp(u[j]->server, u[i]->server) &&
		    u[j]->server_port == u[i]->server_port; j++)
			total += u[j]->bytes;
		if (shown++ == UNMATCHED_SERVERS)
			continue;
		fputs("<tr class=\"unm\"><td>", f);
		esc(f, u[i]->server);
		fprintf(f, ":%u</td><td class=\"num\">%zu</td><td class=\"num\">"
		    "%s</td>", u[i]->server_port, j - i, fg_human_size(
		    u[i]->est_size > 0 ? (uint64_t)u[i]->est_size : 0, hs,
		    sizeof(hs)));
		fprintf(f, "<td class=\"num\">%s</td><td>", fg_human_size(total,
		    hs, sizeof(hs)));
		for (q = i; q < j && nc < 10; q++) {
			size_t r;

			for (r = i; r < q && strcmp(u[r]->client, u[q]->client);
			    r++)
				;
			if (r < q)
				continue;
			if (nc++)
				fputs(", ", f);
			esc(f, u[q]->client);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (shown > UNMATCHED_SERVERS)
		fprintf(f, "<p class=\"muted\">%zu more servers not shown.</p>\n",
		    shown - UNMATCHED_SERVERS);
}

static void settings(struct view *w)
{
	FILE *f = w->f;
	static const char *const sec[2][2] = {
		{ "run", "Run statistics" }, { "model", "Model settings" },
	};
	int s, k, n;

	fputs("<h2 id=\"basis\">What this report is based on</h2>\n", f);
	for (s = 0; s < 2; s++) {
		for (n = 0, k = 0; k < w->h->nset; k++) {
			if (strcmp(w->h->set[k].section, sec[s][0]))
				continue;
			if (!n++)
				fprintf(f, "<h3>%s</h3><table class=\"%s\">\n",
				    sec[s][1], sec[s][0]);
			fputs("<tr><th>", f);
			esc(f, w->h->set[k].key);
			fputs("</th><td>", f);
			esc(f, w->h->set[k].value);
			fputs("</td></tr>\n", f);
		}
		if (n)
			fputs("</table>\n", f);
	}
	fprintf(f, "<p class=\"muted\">Confidence is the share of the evidence "
	    "for the file named; measured on the project's testbed, 0.9 or "
	    "more was the right file 98%% of the time, 0.5&#x2013;0.7 about "
	    "91%% (docs/how-it-works.md).</p>\n");
}

/* Remove from @u those inside a detection of several parts (same
 * client, server and port, within its time); returns the new count. */
static size_t drop_group_parts(struct view *w, struct hr_item **u, size_t nu)
{
	struct hr_item **g;
	size_t i, k, n = 0, ng = 0;

	g = fg_calloc(w->nv ? w->nv : 1, sizeof(*g));
	for (k = 0; k < w->nv; k++)
		if (w->v[k]->parts > 1)
			g[ng++] = w->v[k];
	for (i = 0; i < nu; i++) {
		int part = 0;

		for (k = 0; k < ng && !part; k++)
			part = g[k]->server_port == u[i]->server_port &&
			    !strcmp(g[k]->client, u[i]->client) &&
			    !strcmp(g[k]->server, u[i]->server) &&
			    u[i]->start_ms >= g[k]->start_ms &&
			    u[i]->end_ms <= g[k]->end_ms;
		if (!part)
			u[n++] = u[i];
	}
	free(g);
	return n;
}

static int write_page(struct html_report *h, FILE *f)
{
	struct view w;
	struct hr_item **u = NULL;
	size_t i, nu = 0;
	char b1[40], b2[40];
	int64_t first = 0, last = 0;

	memset(&w, 0, sizeof(w));
	w.h = h;
	w.f = f;
	w.v = fg_calloc(h->n ? h->n : 1, sizeof(*w.v));
	u = fg_calloc(h->n ? h->n : 1, sizeof(*u));
	for (i = 0; i < h->n; i++) {
		struct hr_item *it = &h->it[i];

		if (!it->found) {
			u[nu++] = it;
			continue;
		}
		if (!w.nv || it->start_ms < w.tmin)
			w.tmin = it->start_ms;
		if (!w.nv || it->start_ms > w.tmax)
			w.tmax = it->start_ms;
		w.v[w.nv++] = it;
		if (it->confidence < HTML_REPORT_SURE)
			w.unsure++;
	}
	/* the parts of a range-request download that was named matched
	 * nothing one by one: they are not transfers to crawl for */
	nu = drop_group_parts(&w, u, nu);
	w.found = w.nv;
	w.unmatched = nu;
	first = w.tmin;
	last = w.tmax;
	if (w.tmax - w.tmin < 60000) {	/* at least a minute wide */
		w.tmin -= 30000;
		w.tmax += 30000;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src"
	    " 'none'; style-src 'unsafe-inline'; img-src data:\">"
	    "<title>flowgrab report</title><style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>flowgrab report</h1>\n", f);
	fputs("<p class=\"muted\">Downloads named from flow records", f);
	if (w.found)
		fprintf(f, ", %s to %s UTC", when(first, b1, sizeof(b1)),
		    when(last, b2, sizeof(b2)));
	fputs(". ", f);
	fprintf(f, "Written by flowgrab-matcher %s at %s UTC.</p>\n",
	    FG_VERSION, when(fg_now() * 1000, b1, sizeof(b1)));
	fputs("<nav><a href=\"#hosts\">Hosts</a><a href=\"#vendors\">Vendors "
	    "and products</a><a href=\"#ambiguous\">Ambiguous</a><a href="
	    "\"#unmatched\">Unmatched</a><a href=\"#basis\">Based on</a></nav>\n",
	    f);
	/* the cards come first: count what they show */
	qsort(w.v, w.nv, sizeof(*w.v), by_host);
	for (i = 0; i < w.nv; i++)
		if (i == 0 || strcmp(w.v[i]->client, w.v[i - 1]->client))
			w.hosts++;
	for (i = 0; i < w.nv; i++)
		if (w.v[i]->nrivals)
			w.ambiguous++;
	fprintf(f, "<div class=\"cards\"><div class=\"card\"><b id=\"n-hosts\">"
	    "%zu</b>hosts</div><div class=\"card\"><b id=\"n-detections\">%zu"
	    "</b>detections</div><div class=\"card\"><b>%zu</b>less certain"
	    "</div><div class=\"card\"><b>%zu</b>ambiguous</div><div class="
	    "\"card\"><b>%zu</b>large unmatched</div></div>\n", w.hosts,
	    w.found, w.unsure, w.ambiguous, w.unmatched);
	if (h->dropped)
		fprintf(f, "<p><b>%" PRIu64 " more records were not kept</b> "
		    "(the report keeps %d).</p>\n", h->dropped, HTML_REPORT_MAX);
	hosts(&w);
	qsort(w.v, w.nv, sizeof(*w.v), by_product);
	vendors(&w);
	qsort(w.v, w.nv, sizeof(*w.v), by_host);
	ambiguous(&w);
	unmatched(&w, u, nu);
	settings(&w);
	fputs("</body></html>\n", f);
	free(w.v);
	free(u);
	return ferror(f) ? -1 : 0;
}

int html_report_print(struct html_report *h, FILE *f)
{
	return write_page(h, f);
}

int html_report_write(struct html_report *h, const char *path, char *err,
    size_t errlen)
{
	char *tmp = fg_asprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (!f) {
		snprintf(err, errlen, "--report %s: %s", path, strerror(errno));
		goto out;
	}
	rc = write_page(h, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		rc = -1;
		snprintf(err, errlen, "--report %s: write: %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "--report %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}
