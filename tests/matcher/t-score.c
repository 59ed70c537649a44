/*
 * t-score.c - unit tests of lookup and scoring (matcher/score.c) against a
 * real store filled here: the right file over HTTP and TLS, near-duplicate
 * sizes, retransmitted segments, an aborted download, server addresses,
 * time evidence, per-server learning, SACK option bytes on TLS,
 * connections cut short, extra bytes alone, files a byte from a stored
 * size, a record more at a TLS record boundary, heavy loss in a dense
 * window, SACK blocks counted over a client's own request size, a TLS
 * server's overhead far from the typical one in a dense store (the wide
 * fit), a server with two header lengths (a second overhead, also found
 * by a later wide fit), and range requests summed.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group.h"
#include "score.h"
#include "store.h"
#include "synth.h"
#include "util.h"
#include "../tap.h"

static struct store *st;

static void put(const char *url, uint64_t size, const char *addr,
    int64_t last_modified)
{
	struct store_txn *txn;
	struct store_download d;

	memset(&d, 0, sizeof(d));
	d.url = url;
	d.size = size;
	d.vendor = "test";
	d.last_modified = last_modified;
	if (addr) {
		store_addr_parse(addr, &d.addrs[0]);
		d.naddrs = 1;
	}
	if (store_begin(st, STORE_TXN_WRITE, &txn) ||
	    store_put(txn, &d, NULL) || store_commit(txn))
		bail_out("store_put %s", url);
}

static int run(struct scorer *sc, const struct connection *c,
    struct match_result *res)
{
	struct store_txn *txn;
	int rc;

	if (store_begin(st, STORE_TXN_READ, &txn))
		bail_out("store_begin");
	scorer_set_txn(sc, txn);
	rc = score_connection(sc, c, res);
	store_abort(txn);
	return rc;
}

static const char *url_of(const struct match_result *r)
{
	return r->status == MATCH_FOUND ? r->best.url : "(none)";
}

/* A scorer that has seen seven clean downloads from the synth server
 * (10.77.0.1:80), of files of 6 and 7 hex digits, so that its header, its
 * hex model and the client's request size are learned (a learned server's
 * mode is counted again every four connections). */
static struct scorer *taught_with(const struct score_config *cfg,
    const struct payload_config *pcfg, const struct synth *s,
    const uint64_t *sizes, size_t n)
{
	struct scorer *sc = scorer_new(cfg, pcfg);
	struct match_result res;
	struct connection c;
	size_t i;

	for (i = 0; i < n; i++) {
		synth_download(s, sizes[i], &c);
		run(sc, &c, &res);
		match_result_clear(&res);
	}
	return sc;
}

static struct scorer *taught(const struct score_config *cfg,
    const struct payload_config *pcfg, const struct synth *s)
{
	static const uint64_t teach[] = { 5000000, 20000000, 1234567,
		30000000, 5000300, 30000997, 30001994 };

	return taught_with(cfg, pcfg, s, teach, 7);
}

/* The size of t.example's TLS download @i (1-8): every other one the
 * near duplicate, 250 bytes larger. */
static uint64_t t_size(int i)
{
	return (uint64_t)i * 1000000 + 12345 + (i % 2 ? 250 : 0);
}

/* A scorer that has seen t.example's eight TLS downloads from the synth
 * server (@s with its tls_hs set), download i with 12 bytes of SACK
 * options if bit i - 1 of @sack is set. */
static struct scorer *tls_taught(const struct score_config *cfg,
    const struct payload_config *pcfg, const struct synth *s, unsigned sack)
{
	struct scorer *sc = scorer_new(cfg, pcfg);
	struct match_result res;
	struct connection c;
	int i;

	for (i = 1; i <= 8; i++) {
		synth_download(s, t_size(i), &c);
		if (sack & 1u << (i - 1))
			c.data_octets += 12;
		run(sc, &c, &res);
		match_result_clear(&res);
	}
	return sc;
}

/* A download of @size with @retx segments sent again and @sack_bytes of
 * SACK blocks on the client's ACKs, scored by a taught scorer. */
static void lossy(const struct score_config *cfg,
    const struct payload_config *pcfg, struct synth *s, uint64_t size,
    int retx, uint64_t sack_bytes, struct match_result *res)
{
	struct scorer *sc = taught(cfg, pcfg, s);
	struct connection c;

	s->retx = retx;
	synth_download(s, size, &c);
	s->retx = 0;
	c.req_octets += sack_bytes;
	run(sc, &c, res);
	scorer_free(sc);
}

/*
 * As lossy(), after eight downloads of stored files (p.example's) with as
 * many SACK blocks, whose whole segments were all counted twice (@twice:
 * each carries 20 segments more) or all once (none), each followed by a
 * clean one.
 */
#define P_SIZE(i) (90000000 + 1000000 * (uint64_t)(i) + 4321)
static void lossy_after(const struct score_config *cfg,
    const struct payload_config *pcfg, struct synth *s, int twice,
    uint64_t size, int retx, uint64_t sack_bytes, struct match_result *res)
{
	struct scorer *sc = taught(cfg, pcfg, s);
	struct connection c;
	int i;

	for (i = 0; i < 8; i++) {
		s->retx = twice ? 20 : 0;
		synth_download(s, P_SIZE(i), &c);
		c.req_octets += sack_bytes;
		run(sc, &c, res);
		match_result_clear(res);
		/* and one without loss: the client's usual request stays
		 * its own (clients.h) */
		s->retx = 0;
		synth_download(s, 30000000 + 997 * (uint64_t)(101 + 37 * i), &c);
		run(sc, &c, res);
		match_result_clear(res);
	}
	s->retx = retx;
	synth_download(s, size, &c);
	s->retx = 0;
	c.req_octets += sack_bytes;
	run(sc, &c, res);
	scorer_free(sc);
}

/* Sizes at random (splitmix64 from @seed), distinct: @n of them in
 * clusters of @cluster, cluster c in [base + c x step, + span) */
static void rand_sizes(uint64_t *out, int n, int cluster, uint64_t base,
    uint64_t step, uint64_t span, uint64_t seed)
{
	uint64_t x = seed, z;
	int i, j;

	for (i = 0; i < n; i++) {
		do {
			z = (x += 0x9e3779b97f4a7c15ULL);
			z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ z >> 27) * 0x94d049bb133111ebULL;
			z = base + (uint64_t)(i / cluster) * step +
			    (z ^ z >> 31) % span;
			for (j = i - i % cluster; j < i && out[j] != z; j++)
				;
		} while (j < i);
		out[i] = z;
	}
}

/* w.example's file sizes (TLS): ten clusters (41, 42, ... 50 MB) of 300
 * sizes in 15,000 bytes each: a real store's density, not a grid, whose
 * sizes' differences would agree by construction */
#define W_CLUSTER 300
#define W_SIZES (10 * W_CLUSTER)
static uint64_t w_sizes[W_SIZES];
/* v.example's (HTTP): 200 in 60.0-60.4 MB */
#define V_SIZES 200
static uint64_t v_sizes[V_SIZES];

/* ap.example's file @i (0-6): the last among dense anonymous sizes */
static uint64_t ap_size(int i)
{
	return i < 6 ? 3100000 + 5300000 * (uint64_t)i + 777 : 26040001;
}

/* The URL of v.example's file @i (a static buffer) */
static const char *v_url(int i)
{
	static char u[64];

	snprintf(u, sizeof(u), "http://v.example/v%d.bin", i);
	return u;
}

int main(void)
{
	char dir[] = "/tmp/t-score.XXXXXX", err[256];
	struct score_config cfg;
	struct payload_config pcfg;
	struct scorer *sc;
	struct match_result res;
	struct connection c, parts[2];
	struct synth s;
	char url[128];
	int i;

	/* FG_TEST_DEBUG=1: the scorer's debug lines, to see why a case fails */
	if (getenv("FG_TEST_DEBUG"))
		fg_log_init("t-score", FG_LOG_DEBUG);
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	if (store_open(dir, STORE_CREATE | STORE_NOSYNC, &st, err, sizeof(err)))
		bail_out("store_open: %s", err);
	put("http://a.example/a.iso", 5000000, NULL, 0);
	put("http://a.example/a-near.iso", 5000300, NULL, 0);
	put("http://a.example/b.bin", 1234567, NULL, 0);
	put("http://a.example/c.bin", 20000000, NULL, 0);
	put("http://x.example/same1.bin", 3000000, "10.77.0.9", 0);
	put("http://x.example/same2.bin", 3000000, "10.77.0.1", 0);
	/* a vendor's files at 10.77.0.1 (z.example), and another vendor's
	 * dense run of sizes at 192.0.2.99 (o.example) */
	for (i = 0; i < 5; i++) {
		snprintf(url, sizeof(url), "http://z.example/z%d.bin", i);
		put(url, 40000000 + 1300000 * (uint64_t)i + 4321, "10.77.0.1", 0);
	}
	for (i = 0; i < 400; i++) {
		snprintf(url, sizeof(url), "http://o.example/o%03d.bin", i);
		put(url, 70000000 + 977 * (uint64_t)i, "192.0.2.99", 0);
	}
	/* one Firefox release in four locales, sizes 40-130 bytes apart
	 * (Mozilla's archive layout) */
	{
		static const char *const loc[4] = { "de", "en-US", "fr", "it" };
		static const uint64_t off[4] = { 0, 40, 90, 130 };

		for (i = 0; i < 4; i++) {
			snprintf(url, sizeof(url), "https://m.example/pub/firefox/"
			    "releases/121.0/win64/%s/Firefox%%20Setup%%20121.0.exe",
			    loc[i]);
			put(url, 52000000 + off[i], NULL, 0);
		}
	}
	/* twenty files of one size, the last one stored the one the flow's
	 * server (10.77.0.1) served (the address index finds it) */
	for (i = 0; i < 20; i++) {
		snprintf(url, sizeof(url), "http://y.example/y%02d.bin", i);
		put(url, 2600000, i == 19 ? "10.77.0.1" : "192.0.2.50", 0);
	}
	/* an Apache httpd server's files (TLS records of 8,000 bytes) at
	 * 10.77.0.5, each in five locales 130-1,100 bytes apart (other
	 * offsets for each release), the seventh in a region of anonymous
	 * sizes every 97 bytes (narrowed scans) */
	for (i = 0; i < 7; i++) {
		static const uint64_t off[5] = { 0, 130, 410, 690, 905 };
		int j;

		for (j = 0; j < 5; j++) {
			snprintf(url, sizeof(url), "https://ap.example/%d/ap%d.bin",
			    j, i);
			put(url, ap_size(i) + off[j] + (uint64_t)(j * i * 37),
			    "10.77.0.5", 0);
		}
	}
	for (i = 0; i < 1500; i++) {
		snprintf(url, sizeof(url), "http://an.example/an%d.bin", i);
		put(url, 26000000 + 97 * (uint64_t)i + 13, NULL, 0);
	}
	put("http://x.example/new.bin", 4000000, NULL, 1764160000 + 86400);
	put("http://x.example/old.bin", 4000000, NULL, 1700000000);
	for (i = 1; i <= 8; i++) {
		snprintf(url, sizeof(url), "https://t.example/t%d.bin", i);
		put(url, (uint64_t)i * 1000000 + 12345, NULL, 0);
		snprintf(url, sizeof(url), "https://t.example/t%d-near.bin", i);
		put(url, (uint64_t)i * 1000000 + 12345 + 250, NULL, 0);
	}
	put("https://t.example/edge.bin", 16384 * 300 - 100, NULL, 0);
	/* files of 7 hex digits, apart from the dense regions */
	put("http://h.example/h1.bin", 17000000, NULL, 0);
	put("http://h.example/h2.bin", 18123456, NULL, 0);
	put("http://h.example/h3.bin", 19345678, NULL, 0);
	put("http://h.example/h4.bin", 21500000, NULL, 0);
	/* dense regions: a size every 301 bytes (two), and every 997 */
	for (i = 0; i < 300; i++) {
		snprintf(url, sizeof(url), "http://d.example/d%d.bin", i);
		put(url, 7000000 + 301 * (uint64_t)i, NULL, 0);
	}
	for (i = 0; i < 300; i++) {
		snprintf(url, sizeof(url), "http://e.example/e%d.bin", i);
		put(url, 1500000 + 301 * (uint64_t)i, NULL, 0);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(url, sizeof(url), "http://l.example/l%d.bin", i);
		put(url, 30000000 + 997 * (uint64_t)i, NULL, 0);
	}
	/* where a client's losses fall: files apart from the rest */
	for (i = 0; i < 8; i++) {
		snprintf(url, sizeof(url), "http://p.example/p%d.bin", i);
		put(url, P_SIZE(i), NULL, 0);
	}
	/* sizes at random (rand_sizes()) */
	rand_sizes(w_sizes, W_SIZES, W_CLUSTER, 41000000, 1000000, 15000, 1);
	for (i = 0; i < W_SIZES; i++) {
		snprintf(url, sizeof(url), "https://w.example/w%d.bin", i);
		put(url, w_sizes[i], NULL, 0);
	}
	rand_sizes(v_sizes, V_SIZES, V_SIZES, 60000000, 0, 400000, 2);
	for (i = 0; i < V_SIZES; i++) {
		put(v_url(i), v_sizes[i], NULL, 0);
	}

	score_config_default(&cfg);
	payload_config_default(&pcfg);
	sc = scorer_new(&cfg, &pcfg);
	synth_default(&s);

	synth_download(&s, 5000000, &c);
	run(sc, &c, &res);
	is_str(url_of(&res), "http://a.example/a.iso", "HTTP: the file");
	ok(res.confidence >= 0.8, "confident (%.3f)", res.confidence);
	ok(llabs(res.est_size - 5000000) < 100, "est_size close (%lld)",
	    (long long)res.est_size);
	is_int(res.est.tls, 0, "not TLS");
	match_result_clear(&res);

	synth_download(&s, 5000300, &c);
	run(sc, &c, &res);
	is_str(url_of(&res), "http://a.example/a-near.iso",
	    "near-duplicate 300 bytes larger not confused");
	match_result_clear(&res);

	/* retransmissions come with SACK blocks on the client's ACKs (40
	 * here: 480 bytes beyond the request) */
	s.retx = 2;
	synth_download(&s, 1234567, &c);
	c.req_octets += 40 * 12;
	run(sc, &c, &res);
	is_str(url_of(&res), "http://a.example/b.bin",
	    "two retransmitted segments (%.3f)", res.confidence);
	is_int(res.best.segments, 2, "two segments counted");
	match_result_clear(&res);
	s.retx = 0;

	/* aborted after 7.7 MB of c.bin: not c.bin */
	synth_download(&s, 7777777, &c);
	run(sc, &c, &res);
	ok(res.status != MATCH_FOUND, "aborted download not matched (%s)",
	    url_of(&res));
	match_result_clear(&res);

	/* 700 bytes beyond whole segments (a partial segment sent again):
	 * the "extra bytes" share names the file when the transfer ended
	 * normally (with a small "not in the store" prior, so that it can),
	 * not when the client reset it before the server's FIN */
	{
		struct score_config c3 = cfg;
		struct scorer *sc3;

		c3.null_weight = 0.02;
		sc3 = scorer_new(&c3, &pcfg);
		synth_download(&s, 1234567, &c);
		c.data_octets += 700;
		run(sc3, &c, &res);
		is_str(url_of(&res), "http://a.example/b.bin",
		    "700 extra bytes, FIN: the file (%.3f)", res.confidence);
		match_result_clear(&res);
		c.req_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK | CONN_TCP_RST;
		c.data_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK;
		run(sc3, &c, &res);
		ok(res.status != MATCH_FOUND, "700 extra bytes, reset by the "
		    "client before the server's FIN: cut short, not named "
		    "(%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc3);
	}
	/* A transfer the meter did not see end (flags recorded, no FIN nor
	 * RST: its last packets still in softflowd's capture ring, a record
	 * lost) may stop anywhere short of the file: a fit weighs 0.05 of
	 * what it weighs with the FIN, so odds r against "not in the store"
	 * become 0.05 r (tests/matcher/observe.sh: a flush download cut
	 * 120 KB short was named as a decoy 156 bytes off at 0.94; 0.45
	 * now).  A unique fit in a sparse store stays above even odds. */
	{
		struct synth s0 = s;
		struct scorer *se = scorer_new(&cfg, &pcfg);
		double fin;

		synth_default(&s);
		synth_download(&s, 1234567, &c);
		run(se, &c, &res);
		is_str(url_of(&res), "http://a.example/b.bin", "seen to end "
		    "(FIN): the file (%.3f)", res.confidence);
		fin = res.confidence;
		match_result_clear(&res);
		scorer_free(se);
		se = scorer_new(&cfg, &pcfg);
		c.data_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK;
		c.req_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK;
		run(se, &c, &res);
		ok(fabs(res.confidence - 0.05 * fin / (1 - fin) /
		    (0.05 * fin / (1 - fin) + 1)) < 0.01, "no FIN nor RST "
		    "either way: odds 0.05 of those with the FIN (%.3f, with "
		    "the FIN %.3f)", res.confidence, fin);
		match_result_clear(&res);
		scorer_free(se);
		s = s0;
	}
	/* ... but with the default prior, extra bytes alone are no evidence
	 * above even odds, however sparse the store is around the size (a
	 * 4 MB transfer cut by the meter was named as a file 1,257 bytes
	 * smaller at 0.6 before the floor on "not in the store").  The
	 * server is learned first, so that only the extra bytes explain it. */
	{
		struct scorer *sc4 = taught(&cfg, &pcfg, &s);

		synth_download(&s, 20000000, &c);
		c.data_octets += 1257;
		run(sc4, &c, &res);
		ok(res.learned && res.status != MATCH_FOUND &&
		    res.confidence < 0.5, "1,257 extra bytes alone, learned "
		    "server: not named (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc4);
	}

	/* A learned server whose header is exact to the byte (nginx: only
	 * the size's digits vary): a file one byte from a stored size, in a
	 * region as dense as a real store (a size every 301 bytes), is not
	 * that file; the stored size itself is named. */
	{
		struct scorer *sc6 = taught(&cfg, &pcfg, &s);
		const uint64_t target = 7000000 + 301 * 150;

		synth_download(&s, target, &c);
		run(sc6, &c, &res);
		snprintf(url, sizeof(url), "http://d.example/d%d.bin", 150);
		is_str(url_of(&res), url, "dense store, learned server: the "
		    "file (%.3f)", res.confidence);
		ok(res.learned && res.confidence >= 0.9, "... with confidence "
		    "(%.3f)", res.confidence);
		match_result_clear(&res);
		synth_download(&s, target + 1, &c);
		run(sc6, &c, &res);
		ok(res.status != MATCH_FOUND, "a file one byte larger is not "
		    "it (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		synth_download(&s, target - 3, &c);
		run(sc6, &c, &res);
		ok(res.status != MATCH_FOUND, "a file three bytes smaller is "
		    "not it (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		/* ... nor where the store holds a size every 997 bytes, as
		 * the testbed's does around 4 MB: a byte's miss is a whole
		 * byte's probability, not the Gaussian's density (seed 19:
		 * named at 0.72-0.80) */
		synth_download(&s, 30000000 + 997 * 450 - 1, &c);
		run(sc6, &c, &res);
		ok(res.status != MATCH_FOUND, "a file one byte smaller, a size "
		    "every 997 bytes: not named (%s %.3f)", url_of(&res),
		    res.confidence);
		match_result_clear(&res);

		scorer_free(sc6);
	}
	/* A server whose header holds the size in decimal only (an S3-style
	 * ETag): once files of 6 and 7 hex digits have voted, its overhead
	 * keeps the hex digits in, and a stored file of either length fits
	 * to the byte. */
	{
		struct synth s2 = s;
		struct scorer *sc12;

		s2.size_digits = 2;
		sc12 = taught(&cfg, &pcfg, &s2);
		synth_download(&s2, 7000000 + 301 * 150, &c);
		run(sc12, &c, &res);
		is_str(url_of(&res), "http://d.example/d150.bin", "no hex size "
		    "in the header: the file (%.3f)", res.confidence);
		ok(res.confidence >= 0.9, "... with confidence (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		synth_download(&s2, 7000000 + 301 * 150 + 1, &c);
		run(sc12, &c, &res);
		ok(res.status != MATCH_FOUND, "... a file one byte larger is "
		    "not it (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc12);
	}
	/* ... and while only files of one hex length have voted, either
	 * model may hold: a file of 6 hex digits after 7-digit ones is
	 * fitted under both (against null_weight 3, a fit a byte off
	 * would not be named). */
	{
		static const uint64_t seven[] = { 20000000, 17000000, 18123456,
			19345678, 21500000 };
		struct score_config c13 = cfg;
		struct synth s2 = s;
		struct scorer *sc13;

		c13.null_weight = 3;
		s2.size_digits = 2;
		sc13 = taught_with(&c13, &pcfg, &s2, seven, 5);
		synth_download(&s2, 7000000 + 301 * 150, &c);
		run(sc13, &c, &res);
		is_str(url_of(&res), "http://d.example/d150.bin", "hex length "
		    "not learned yet: a shorter file named (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		scorer_free(sc13);
	}
	/* A file two segments larger than a stored one, sent without loss:
	 * it fits the stored file with two segments sent again, which no
	 * SACK block supports (docs/matching.md: RETX_PRIOR, MISS_PRIOR).
	 * Where one large transfer in four is a known file (null_weight 3),
	 * that is not enough to name it. */
	{
		struct score_config c9 = cfg;
		struct scorer *sc9;
		const uint64_t target = 7000000 + 301 * 150;

		c9.null_weight = 3;
		sc9 = taught(&c9, &pcfg, &s);
		synth_download(&s, target, &c);
		run(sc9, &c, &res);
		ok(res.status == MATCH_FOUND, "null_weight 3: the stored file "
		    "itself is named (%.3f)", res.confidence);
		match_result_clear(&res);
		synth_download(&s, target + 2 * 1448, &c);
		run(sc9, &c, &res);
		ok(res.status != MATCH_FOUND, "a file two segments larger, no "
		    "SACK blocks: not named (%s %.3f)", url_of(&res),
		    res.confidence);
		match_result_clear(&res);
		/* ... nor a file a segment smaller than a stored one of
		 * 1.5 MB, as if the meter had missed one of its ~1,070
		 * packets */
		synth_download(&s, 1500000 + 301 * 150 - 1448, &c);
		run(sc9, &c, &res);
		ok(res.status != MATCH_FOUND, "a file a segment smaller: "
		    "not named (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);

		scorer_free(sc9);
	}
	/* Heavy loss (SACK blocks on the client's ACKs): a hundred
	 * retransmitted segments put the file 145 KB below the payload, past
	 * what the narrowed scan of a dense window reaches; a connection
	 * with evidence of loss scans wider and finds it, as the best
	 * candidate (with a size every 997 bytes, a fit that needs a hundred
	 * segments is not above even odds: 0.34). */
	lossy(&cfg, &pcfg, &s, 30000000 + 997 * 600, 100, 1500, &res);
	is_str(res.best.url ? res.best.url : "(none)",
	    "http://l.example/l600.bin", "100 segments sent again: the file "
	    "is the best candidate (%.3f)", res.confidence);
	is_int(res.best.segments, 100, "... at 100 segments");
	match_result_clear(&res);

	/* ... but named for a client whose lossy downloads so far all
	 * carried segments counted twice (the meter counts before the queue
	 * that drops), and less likely still for one whose lossy downloads
	 * carried none (it counts after) */
	lossy_after(&cfg, &pcfg, &s, 1, 30000000 + 997 * 600, 100, 1500, &res);
	is_str(url_of(&res), "http://l.example/l600.bin", "100 segments "
	    "sent again, a client whose losses are counted twice: the file "
	    "(%.3f)", res.confidence);
	match_result_clear(&res);
	lossy_after(&cfg, &pcfg, &s, 0, 30000000 + 997 * 600, 100, 1500, &res);
	ok(res.status != MATCH_FOUND && res.confidence < 0.2, "... one whose "
	    "losses are counted once: not named (%s %.3f)", url_of(&res),
	    res.confidence);
	match_result_clear(&res);

	/* Seven segments sent again, and 20 SACK blocks (240 bytes) on the
	 * client's ACKs: against a typical request of 300 bytes that is no
	 * evidence of loss, against this client's own (98 bytes, learned
	 * from its first three downloads) it is. */
	lossy(&cfg, &pcfg, &s, 30000000 + 997 * 300, 7, 20 * 12, &res);
	is_str(url_of(&res), "http://l.example/l300.bin",
	    "7 segments sent again, 20 SACK blocks over the client's own "
	    "request: the file (%.3f)", res.confidence);
	is_int(res.best.segments, 7, "... at 7 segments");
	match_result_clear(&res);

	/* Two segments sent again and then the file's last, short segment
	 * (5,000,000 + the 243-byte header, mod 1448: 299 bytes), with 10
	 * SACK blocks: the residue is that candidate's own last segment, so
	 * it is named; its near duplicate 300 bytes larger, whose last
	 * segment is another, is not.  Without the resend term only the
	 * even "extra bytes" share explains it (0.18, measured with the
	 * term's lengths 13 bytes off).  A residue 100 bytes off every short
	 * segment is not named. */
	{
		struct scorer *sc12 = taught(&cfg, &pcfg, &s);
		uint64_t tail = (5000000 + 243) % 1448;

		s.retx = 2;
		synth_download(&s, 5000000, &c);
		s.retx = 0;
		c.data_octets += 52 + tail;
		c.data_packets++;
		c.req_octets += 10 * 12;
		run(sc12, &c, &res);
		is_str(url_of(&res), "http://a.example/a.iso", "2 segments and "
		    "the last one sent again: the file (%.3f)", res.confidence);
		ok(res.confidence >= 0.8, "... with confidence (%.3f)",
		    res.confidence);
		is_int(res.best.fit, MATCH_FIT_RESEND, "... carried by the "
		    "resent segment");
		is_int(res.best.residue, (long long)tail, "... its residue");
		match_result_clear(&res);
		c.data_octets += 100;
		run(sc12, &c, &res);
		ok(res.status != MATCH_FOUND, "a residue 100 bytes past the last "
		    "segment: not named (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc12);
	}

	synth_download(&s, 50000, &c);
	run(sc, &c, &res);
	is_int(res.status, MATCH_SMALL, "below --min-size not looked up");
	match_result_clear(&res);

	synth_download(&s, 3000000, &c);
	run(sc, &c, &res);
	is_str(url_of(&res), "http://x.example/same2.bin",
	    "same size: the one served from this address");
	is_int(res.best.server_match, 1, "server_match");
	is_int(res.nrivals, 1, "the other is a rival");
	ok(res.confidence < 0.9 && res.confidence > 0.5,
	    "rival lowers confidence (%.3f)", res.confidence);
	match_result_clear(&res);

	/* Twenty of one size, the one this server served stored last: past
	 * the sixteen records read, so only the address index (one walk)
	 * can say so; it is the best candidate, as a twentieth of the
	 * window (share 2/22 smoothed): (2/22 + 0.5 x 20/22) / (2/22) = 6
	 * against 0.5 for each of the sixteen read (they list another
	 * address) and 1 for the three not read. */
	synth_download(&s, 2600000, &c);
	run(sc, &c, &res);
	is_str(res.best.url ? res.best.url : "(none)", "http://y.example/y19.bin",
	    "twenty of one size: the one this server served, found by the "
	    "address index (%.3f)", res.confidence);
	is_int(res.best.server_match, 1, "... server_match");
	match_result_clear(&res);

	synth_download(&s, 4000000, &c);
	run(sc, &c, &res);
	is_str(url_of(&res), "http://x.example/old.bin",
	    "file modified after the download is not it");
	match_result_clear(&res);

	/* TLS: the handshake is unknown at first; the server profile learns
	 * it from downloads of different files */
	s.tls_hs = 1830;
	for (i = 1; i <= 8; i++) {
		uint64_t size = t_size(i);

		snprintf(url, sizeof(url), "https://t.example/t%d%s.bin", i,
		    i % 2 ? "-near" : "");
		synth_download(&s, size, &c);
		run(sc, &c, &res);
		if (i >= 5) {
			is_str(url_of(&res), url, "TLS download %d named", i);
			ok(res.learned, "TLS download %d: handshake learned", i);
			ok(res.confidence >= 0.9, "TLS download %d: confidence "
			    "%.3f", i, res.confidence);
		} else {
			diag("TLS download %d: %s learned=%d conf=%.3f", i,
			    url_of(&res), res.learned, res.confidence);
		}
		match_result_clear(&res);
	}
	/* One server packet carried a SACK block: 12 option bytes that the
	 * per-packet header does not count.  Against the odds of a dense
	 * store (null_weight 80 here), only the model's weight at +12 keeps
	 * the file above even odds. */
	{
		struct score_config c5 = cfg;
		struct scorer *sc5;

		c5.null_weight = 80;
		sc5 = tls_taught(&c5, &pcfg, &s, 0);
		synth_download(&s, 6012345, &c);
		c.data_octets += 12;
		run(sc5, &c, &res);
		is_str(url_of(&res), "https://t.example/t6.bin",
		    "TLS, 12 bytes of SACK options: the file (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		/* two such packets were never seen: 24 bytes above the file
		 * is not enough to name it at these odds */
		synth_download(&s, 6012345, &c);
		c.data_octets += 24;
		run(sc5, &c, &res);
		ok(res.status != MATCH_FOUND, "TLS, 24 bytes above the file: "
		    "not named (%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc5);
	}
	/* Most downloads from a TLS server came out 12 bytes long (a SACK
	 * block on a server packet, as four at once does): the learned
	 * overhead must stay the server's own, not move to the copies, or
	 * every clean download after is 12 bytes short of it. */
	{
		/* all but downloads 3, 6 and 8 */
		struct scorer *sc14 = tls_taught(&cfg, &pcfg, &s, 0x5b);

		synth_download(&s, 6012345, &c);
		run(sc14, &c, &res);
		is_str(url_of(&res), "https://t.example/t6.bin", "TLS, five of "
		    "eight learned from with a SACK block: a clean download "
		    "named (%.3f)", res.confidence);
		ok(res.confidence >= 0.9, "... with confidence (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		scorer_free(sc14);
	}
	/* A file that ends 100 bytes short of a record boundary: the header
	 * in front pushes its tail into one record more than its size
	 * alone needs. */
	{
		struct scorer *sc7 = tls_taught(&cfg, &pcfg, &s, 0);

		synth_download(&s, 16384 * 300 - 100, &c);
		run(sc7, &c, &res);
		is_str(url_of(&res), "https://t.example/edge.bin",
		    "TLS, one record more near a boundary: the file (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		scorer_free(sc7);
	}
	/* A TLS server whose handshake is 1,300 bytes, not the typical
	 * 3,500, in a store so dense that each connection's best few
	 * candidates (its votes) rarely hold the file: only the wide fit,
	 * every candidate of eight connections, finds the overhead they
	 * share to the byte (0.004 without).  The last file lies at the top
	 * of its cluster, above a gap: a window narrowed by the density of
	 * the gap and the cluster together ended below it (0.000). */
	{
		struct synth s3 = s;
		struct scorer *sc15 = scorer_new(&cfg, &pcfg);

		s3.tls_hs = 1300;
		for (i = 0; i < 9; i++) {
			synth_download(&s3, w_sizes[i * W_CLUSTER + 7], &c);
			run(sc15, &c, &res);
			match_result_clear(&res);
		}
		synth_download(&s3, w_sizes[9 * W_CLUSTER + 7], &c);
		run(sc15, &c, &res);
		snprintf(url, sizeof(url), "https://w.example/w%d.bin",
		    9 * W_CLUSTER + 7);
		is_str(url_of(&res), url, "TLS, 1.3 KB "
		    "handshake, dense store: the file after nine (%.3f)",
		    res.confidence);
		ok(res.learned && res.confidence >= 0.9, "... learned, with "
		    "confidence (%d %.3f)", res.learned, res.confidence);
		match_result_clear(&res);
		scorer_free(sc15);
	}
	/* A server whose header is 9 bytes shorter for some files
	 * ("application/zip" against "application/octet-stream"): the wide
	 * fit learns both overheads, and a download of the minority kind is
	 * named (not at all with one overhead: 9 bytes off). */
	{
		struct synth s4;
		struct scorer *sc16 = scorer_new(&cfg, &pcfg);

		synth_default(&s4);

		for (i = 0; i < 10; i++) {
			s4.http_hdr = i % 5 == 1 || i % 5 == 3 ? 221 : 230;
			synth_download(&s4, v_sizes[i * 17], &c);
			run(sc16, &c, &res);
			match_result_clear(&res);
		}
		s4.http_hdr = 221;
		synth_download(&s4, v_sizes[190], &c);
		run(sc16, &c, &res);
		is_str(url_of(&res), v_url(190), "two header lengths, the "
		    "shorter: the file (%.3f)", res.confidence);
		ok(res.confidence >= 0.9, "... with confidence (%.3f)",
		    res.confidence);
		is_int(res.est_size, (long long)v_sizes[190], "... est_size "
		    "at the second overhead: delta 0");
		match_result_clear(&res);
		s4.http_hdr = 230;
		synth_download(&s4, v_sizes[191], &c);
		run(sc16, &c, &res);
		is_str(url_of(&res), v_url(191), "... the longer: the file (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		/* a header 5 bytes shorter than either is neither */
		s4.http_hdr = 216;
		synth_download(&s4, v_sizes[192], &c);
		run(sc16, &c, &res);
		ok(res.status != MATCH_FOUND, "... a third length is not named "
		    "(%s %.3f)", url_of(&res), res.confidence);
		match_result_clear(&res);
		scorer_free(sc16);
	}
	/* ... and when the first eight connections held only two of the
	 * shorter kind (and a file not in the store), the first wide fit
	 * finds one overhead that explains five of eight: it is fitted again
	 * eight connections later, and finds the second. */
	{
		static const int kinds[16] = { 0, 0, 1, 0, 2, 0, 1, 0,
			1, 0, 1, 0, 1, 0, 0, 1 };
		struct synth s5;
		struct scorer *sc17 = scorer_new(&cfg, &pcfg);

		synth_default(&s5);
		for (i = 0; i < 16; i++) {
			s5.http_hdr = kinds[i] == 1 ? 221 : 230;
			/* kind 2: a size the store does not have */
			synth_download(&s5, kinds[i] == 2 ? v_sizes[100] + 777 :
			    v_sizes[i * 11 + 1], &c);
			run(sc17, &c, &res);
			match_result_clear(&res);
		}
		s5.http_hdr = 221;
		synth_download(&s5, v_sizes[193], &c);
		run(sc17, &c, &res);
		is_str(url_of(&res), v_url(193), "second overhead found by a "
		    "later wide fit: the file (%.3f)", res.confidence);
		match_result_clear(&res);
		scorer_free(sc17);
	}
	/* A TLS download of one of four locales of one release from a
	 * server not learned yet: no one file can be told (each about a
	 * quarter), the release can: reported as "firefox 121.0 win64, one
	 * of 4 locales" with the four's summed confidence. */
	{
		struct synth sy = s;
		struct scorer *s3 = scorer_new(&cfg, &pcfg);

		sy.tls_hs = 3400;
		synth_download(&sy, 52000040, &c);
		run(s3, &c, &res);
		ok(res.status != MATCH_FOUND, "four locales, unlearned TLS: no "
		    "one file named (%.3f)", res.confidence);
		is_int(res.release.members, 4, "... the release: four members");
		is_str(res.release.product, "firefox", "... product");
		is_str(res.release.version, "121.0", "... version");
		is_str(res.release.platform, "win64", "... platform");
		is_str(res.release.locale, "", "... no one locale");
		is_str(res.release.differ, "locale", "... they differ by locale");
		ok(res.release.reported && res.release.confidence >= 0.5,
		    "... reported, at the four's confidence (%.3f)",
		    res.release.confidence);
		match_result_clear(&res);
		scorer_free(s3);
	}
	/* A server the address index knows, most of whose transfers are
	 * files nobody crawled (each fitting only files listed for another
	 * server): three of those for each of four downloads of its own
	 * files.  Those transfers do not vote, so its header is learned
	 * from its four downloads, and a fifth is named at it.  (Voting,
	 * twelve of sixteen remembered connections would vote at random and
	 * "a third of those remembered" would not be reached.) */
	{
		struct scorer *s4 = scorer_new(&cfg, &pcfg);
		uint64_t x = 12345;

		for (i = 0; i < 16; i++) {
			if (i % 4 == 3) {
				synth_download(&s, 40000000 + 1300000 *
				    (uint64_t)(i / 4) + 4321, &c);
			} else {
				x = x * 6364136223846793005ULL + 1442695040888963407ULL;
				synth_download(&s, 70000000 + (x >> 33) % 380000,
				    &c);
			}
			c.client_port = (uint16_t)(41000 + i);
			run(s4, &c, &res);
			match_result_clear(&res);
		}
		synth_download(&s, 40000000 + 1300000 * 4 + 4321, &c);
		run(s4, &c, &res);
		ok(res.learned, "a known server with three unknown transfers for "
		    "each download: its header learned");
		is_str(url_of(&res), "http://z.example/z4.bin", "... a fifth "
		    "download named (%.3f)", res.confidence);
		ok(res.confidence >= 0.9, "... with confidence (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		scorer_free(s4);
	}
	/* The base rate of unknown transfers is learned apart for servers
	 * the address index lists: 300 transfers from a server it does not
	 * list (10.77.0.200), of sizes no stored file has, leave a vendor's
	 * own server (10.77.0.1, z.example) as it was, and raise the odds
	 * for the unlisted one. */
	{
		struct scorer *s5 = scorer_new(&cfg, &pcfg), *s6;
		double fresh;

		s6 = scorer_new(&cfg, &pcfg);
		synth_download(&s, 40000000 + 1300000 * 2 + 4321, &c);
		run(s6, &c, &res);
		fresh = res.confidence;
		match_result_clear(&res);
		scorer_free(s6);
		for (i = 0; i < 300; i++) {
			synth_download(&s, 150000000 + 7919 * (uint64_t)i, &c);
			c.server[3] = 200;
			c.client_port = (uint16_t)(30000 + i);
			run(s5, &c, &res);
			match_result_clear(&res);
		}
		synth_download(&s, 40000000 + 1300000 * 2 + 4321, &c);
		run(s5, &c, &res);
		is_str(res.best.url ? res.best.url : "(none)",
		    "http://z.example/z2.bin", "base rate: a vendor's server "
		    "after 300 unknown transfers elsewhere: its file the best");
		ok(fabs(res.confidence - fresh) < 0.01, "... as confidently as "
		    "by a fresh scorer (%.3f, fresh %.3f)", res.confidence,
		    fresh);
		match_result_clear(&res);
		scorer_free(s5);
	}
	/* The share of candidates the flow's server served is taken over
	 * the scanned part of the window: around 90 MB a size every 20
	 * bytes (no address) and every 200 bytes a file of the synth server
	 * (10.77.0.1), its header learned, and beside the file downloaded
	 * a twin of its size that lists no address.  The two fit alike, so
	 * the confidence is the server term's ratio r over r + 1 (the null
	 * is small): r = (0.09 + 0.5 x 0.91) / 0.09 = 6.0 for a scan of the
	 * whole window (share 701 of 7,703), 0.857.  A scan narrowed to 64
	 * candidates, to which the address index adds 64 of the server's
	 * files from the rest of the window (without their unlisted
	 * neighbours), gives about the same (share 0.11 of the scanned
	 * part, r = 5.1, 0.83); counting the added ones gave a share of 0.6,
	 * r = 1.33 and 0.57. */
	{
		struct score_config wide = cfg, nar = cfg;
		struct scorer *sw, *sn;
		struct store_txn *txn;
		struct store_download d;
		double cw;

		if (store_begin(st, STORE_TXN_WRITE, &txn))
			bail_out("store_begin");
		for (i = 0; i < 7700; i++) {
			int own = i % 11 == 10;

			memset(&d, 0, sizeof(d));
			snprintf(url, sizeof(url), own ? "http://sh.example/s%d.bin" :
			    "http://an20.example/a%d.bin", i);
			d.url = url;
			d.vendor = "test";
			/* every 200 bytes the server's, every 20 the others' */
			d.size = own ? 89930013 + 200 * (uint64_t)(i / 11) :
			    89930001 + 20 * (uint64_t)(i - i / 11);
			if (own) {
				store_addr_parse("10.77.0.1", &d.addrs[0]);
				d.naddrs = 1;
			}
			if (store_put(txn, &d, NULL))
				bail_out("store_put %s", url);
		}
		if (store_commit(txn))
			bail_out("store_commit");
		put("http://tw.example/twin.bin", 89930013 + 200 * 350, NULL, 0);
		wide.max_scan = 16384;
		nar.max_scan = 64;
		synth_default(&s);
		sw = taught(&wide, &pcfg, &s);
		sn = taught(&nar, &pcfg, &s);
		/* s350.bin: i = 350 x 11 + 10 */
		synth_download(&s, 89930013 + 200 * 350, &c);
		run(sw, &c, &res);
		is_str(url_of(&res), "http://sh.example/s3860.bin", "share: the "
		    "whole window scanned (%u candidates): the server's file "
		    "(%.3f)", res.window, res.confidence);
		cw = res.confidence;
		match_result_clear(&res);
		run(sn, &c, &res);
		is_str(url_of(&res), "http://sh.example/s3860.bin", "share: a "
		    "narrowed scan (%u candidates): the server's file (%.3f)",
		    res.window, res.confidence);
		ok(cw > 0.8 && cw < 0.9, "... whole window: 6 / 7 beside the "
		    "twin (%.3f)", cw);
		ok(fabs(res.confidence - cw) < 0.05, "... narrowed: as "
		    "confidently (%.3f, whole %.3f)", res.confidence, cw);
		match_result_clear(&res);
		scorer_free(sw);
		scorer_free(sn);
	}
	/* An Apache httpd server over TLS 1.2: 8,000 bytes a record (not
	 * 16,384), a 1.7 KB handshake, every file in five locales listed
	 * for it.  After six downloads its framing is learned and the
	 * seventh, among anonymous sizes every 97 bytes (the scan narrowed
	 * to the part around the expected size, which 16 KB records put
	 * 26 KB above the file), is named. */
	{
		struct scorer *s6 = scorer_new(&cfg, &pcfg);
		struct synth sa = s;

		sa.tls_hs = 1700;
		sa.rec_ovh = 29;
		sa.tls_record = 8000;
		sa.http_hdr = 240;
		for (i = 0; i < 7; i++) {
			synth_download(&sa, ap_size(i), &c);
			c.server[3] = 5;
			c.client_port = (uint16_t)(42000 + i);
			run(s6, &c, &res);
			if (i < 6)
				match_result_clear(&res);
		}
		ok(res.learned, "Apache's 8,000-byte TLS records: learned");
		is_str(url_of(&res), "https://ap.example/0/ap6.bin", "... the "
		    "seventh download named (%.3f)", res.confidence);
		ok(res.confidence >= 0.9, "... with confidence (%.3f)",
		    res.confidence);
		match_result_clear(&res);
		scorer_free(s6);
	}
	/* learning can be turned off */
	{
		struct score_config c2 = cfg;
		struct scorer *s2;

		c2.learn = 0;
		s2 = scorer_new(&c2, &pcfg);
		synth_download(&s, 6012345, &c);
		run(s2, &c, &res);
		is_int(res.learned, 0, "--no-learn");
		ok(res.confidence < 0.9, "unlearned TLS near-duplicates are "
		    "ambiguous (%.3f)", res.confidence);
		match_result_clear(&res);
		scorer_free(s2);
	}

	/* two parallel range requests for c.bin: 12 MB + 8 MB */
	synth_default(&s);
	s.http_hdr = 290;	/* 206 with Content-Range */
	synth_download(&s, 12000000, &parts[0]);
	synth_download(&s, 8000000, &parts[1]);
	parts[1].client_port++;
	{
		struct store_txn *txn;

		store_begin(st, STORE_TXN_READ, &txn);
		scorer_set_txn(sc, txn);
		score_group(sc, parts, 2, 1, &res);
		store_abort(txn);
	}
	is_str(url_of(&res), "http://a.example/c.bin",
	    "range parts summed to the file");
	is_int(res.parts, 2, "two parts");
	match_result_clear(&res);

	/* group_offer(): a connection running beside an unmatched one is
	 * tried as its part; one that starts after the other ended is not
	 * (two downloads one after the other are not one file) */
	{
		struct store_txn *txn;
		struct group_table *g;
		int got;

		store_begin(st, STORE_TXN_READ, &txn);
		scorer_set_txn(sc, txn);
		g = group_new(100000, 60000);
		memset(&res, 0, sizeof(res));
		is_int(group_offer(g, sc, &parts[0],
		    (int64_t)parts[0].data_octets, 1, &res), 0,
		    "group: the first part waits");
		got = group_offer(g, sc, &parts[1],
		    (int64_t)parts[1].data_octets, 1, &res);
		is_int(got, 1, "group: the second, at the same time, "
		    "completes it");
		is_str(got ? url_of(&res) : "", "http://a.example/c.bin",
		    "group: ... as the file");
		if (got)
			match_result_clear(&res);
		group_free(g);

		g = group_new(100000, 60000);
		parts[1].start_ms = parts[0].end_ms + 16;
		parts[1].end_ms = parts[1].start_ms + 2000;
		memset(&res, 0, sizeof(res));
		group_offer(g, sc, &parts[0], (int64_t)parts[0].data_octets,
		    1, &res);
		got = group_offer(g, sc, &parts[1],
		    (int64_t)parts[1].data_octets, 1, &res);
		is_int(got, 0, "group: one that starts 16 ms after the other "
		    "ended is not its part");
		if (got)
			match_result_clear(&res);
		parts[1].start_ms = parts[0].end_ms;
		parts[1].end_ms = parts[1].start_ms + 2000;
		memset(&res, 0, sizeof(res));
		got = group_offer(g, sc, &parts[1],
		    (int64_t)parts[1].data_octets, 1, &res);
		is_int(got, 1, "group: one that starts at the other's last "
		    "packet is");
		if (got)
			match_result_clear(&res);
		group_free(g);
		store_abort(txn);
	}

	scorer_free(sc);
	store_close(st);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done_testing();
}
