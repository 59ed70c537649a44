/*
 * bench-flowgen.c - synthetic flow data for the matcher benchmarks
 * (bench/matcher/throughput.sh): a store CSV, and the same flows as nfdump
 * CSV, NetFlow v9 datagrams or IPFIX datagrams; and a sender that replays a
 * datagram file to a UDP port at a given rate.
 *
 *   bench-flowgen store N SEED > store.csv        N downloads
 *   bench-flowgen csv|v9|ipfix N SEED STORE_N [STORE_SEED] > out
 *                                      N flow records; downloads are of
 *                                      the sizes "store STORE_N STORE_SEED"
 *                                      wrote (STORE_SEED: 1)
 *   bench-flowgen send FILE PORT RATE [SECONDS]    RATE records/s, 0 = max
 *   bench-flowgen dense-store N SEED > store.csv
 *                                      N sizes (log-uniform 100 KB - 4 GB)
 *                                      of 40 vendors, each file under an
 *                                      http:// and an https:// URL with
 *                                      its vendor's 4 server addresses
 *   bench-flowgen dense N_DL N_OTHER SEED STORE_N STORE_SEED TRUTH > flows.csv
 *                                      N_DL downloads of stored files
 *                                      among N_OTHER transfers of files
 *                                      not in the store, as nfdump CSV;
 *                                      the truth, one line per
 *                                      connection, to the file TRUTH
 *   bench-flowgen big csv|v9 N SEED    N one-direction records of big
 *                                      transfers (100 KB - 4 GB)
 *
 * Datagram files hold each datagram after a 2-byte big-endian length.
 * Connections are two records (data and request direction); 1% are
 * downloads of a stored file (exact TCP/IP and HTTP overhead: nginx's
 * header, whose length follows the size's digits), the rest
 * small transfers.  Records are generated in time order, 20 us apart.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;
/* the seed the store was written with: downloads pick its sizes */
static uint64_t store_seed = 1;

static uint64_t rnd(void)
{
	/* splitmix64: reproducible, fast */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double urand(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* size of stored download @i: log-uniform 100 KB - 4 GB, reproducible */
static uint64_t store_size(uint64_t seed, uint64_t i)
{
	uint64_t save = rng_state, v;

	rng_state = seed * 1000003ULL + i * 7919ULL;
	rnd();
	v = (uint64_t)exp(log(100e3) + urand() * (log(4e9) - log(100e3)));
	rng_state = save;
	return v;
}

struct rec {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t packets;
	uint64_t octets;
	int64_t start_ms, end_ms;
};

/* the two records of connection @i */
static void connection(uint64_t i, uint64_t store_n, int64_t t0,
    struct rec r[2])
{
	uint32_t client = 0x0a000000u | (uint32_t)(rnd() & 0xffffff);
	uint32_t server = 0xc6336400u | (uint32_t)(rnd() & 0xff);
	uint16_t cport = (uint16_t)(1024 + rnd() % 60000);
	uint64_t payload, segs;
	int64_t start = t0 + (int64_t)(i / 50);

	if (store_n && rnd() % 100 == 0) {
		uint64_t size = store_size(store_seed, rnd() % store_n), v;

		/* nginx's header: 230 bytes and the size in Content-Length
		 * (decimal) and in the ETag (hex) */
		payload = size + 230;
		for (v = size; v; v /= 10)
			payload++;
		for (v = size; v; v >>= 4)
			payload++;
	} else {
		payload = 300 + rnd() % 50000;
	}
	segs = (payload + 1447) / 1448;
	memset(r, 0, 2 * sizeof(*r));
	r[0].src = server; r[0].dst = client;
	r[0].sport = 80; r[0].dport = cport;
	r[0].flags = 0x1b;
	r[0].packets = (uint32_t)(segs + 2);
	r[0].octets = payload + (segs + 2) * 52 + 8;
	r[1].src = client; r[1].dst = server;
	r[1].sport = cport; r[1].dport = 80;
	r[1].flags = 0x1b;
	r[1].packets = (uint32_t)(segs / 2 + 4);
	r[1].octets = (uint64_t)r[1].packets * 52 + 88;
	r[0].start_ms = r[1].start_ms = start;
	r[0].end_ms = r[1].end_ms = start + 10 + (int64_t)(segs / 10);
}

/* ---- the dense-store benchmark (bench/matcher/dense.sh) ----------------
 *
 * A download as a real TCP stack leaves it in two flow records:
 *
 * data direction (server to client): the response stream (HTTP header of
 * the server's constant part plus the size's decimal and hex digits, then
 * the file; with TLS the server's handshake in segments of its own and
 * the header and file in 16 KB records of 22 or 29 bytes' overhead) cut
 * into MSS-sized segments (1448 with TCP timestamps, 1460 without), plus
 * the SYN-ACK (its options 8 or 12 bytes beyond a data segment's), the
 * FIN and one bare ACK; every packet H = 52 (40 without timestamps)
 * bytes of IP and TCP header; with loss (40% of connections) k whole
 * segments sent again (k: 1 + geometric, mean 5).
 *
 * reverse direction: SYN (its options), the request (HTTP GET of the
 * client's constant size; TLS: ClientHello, Finished and the request in
 * records), one ACK per two segments, FIN; with loss, about k / 0.6
 * SACK-laden duplicate ACKs, 12 bytes longer each (one SACK block).
 * Flags: SYN, ACK, PSH, FIN both ways.
 *
 * Servers: 40 vendors of 4 addresses each (198.51.100.0/24), whose files
 * the store records at those addresses; 8,000 other servers
 * (100.64.0.0/10).  Each server's header, handshake and record overhead
 * are constants of its address; each client's (of 2,000; 25% without
 * timestamps) request size too.  Downloads come from their vendor's
 * addresses; transfers of files not in the store 80% from other servers,
 * 20% from vendors' addresses; half of each over TLS (port 443). */
#define DENSE_VENDORS 40

static void ip4(uint32_t a, char *buf);
/* big: one record per connection, a big transfer (bench-flowgen big) */
static int big_mode;
static void big_record(uint64_t i, struct rec *r);

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t vendor_addr(unsigned v, unsigned j)
{
	return 0xc6336400u | (v * 4 + j);       /* 198.51.100.x */
}

static uint64_t logu_size(void)
{
	return (uint64_t)exp(log(100e3) + urand() * (log(4e9) - log(100e3)));
}

static int gen_dense_store(uint64_t n, uint64_t seed)
{
	uint64_t i;
	unsigned v, j;
	char a[16];

	printf("url,size,vendor,source,addrs\n");
	for (i = 0; i < n; i++) {
		v = (unsigned)(i % DENSE_VENDORS);
		for (j = 0; j < 2; j++) {
			unsigned k;

			printf("%s://dl.v%u.example/f%07" PRIu64 ".bin,%" PRIu64
			    ",v%u,import,", j ? "https" : "http", v, i,
			    store_size(seed, i), v);
			for (k = 0; k < 4; k++) {
				ip4(vendor_addr(v, k), a);
				printf("%s%s", k ? " " : "", a);
			}
			printf("\n");
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void csv_rec(const struct rec *r, const char *flags)
{
	char ts[32], te[32], sa[16], da[16];
	time_t t;
	struct tm tm;

	t = (time_t)(r->start_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	t = (time_t)(r->end_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(te, sizeof(te), "%Y-%m-%d %H:%M:%S", &tm);
	ip4(r->src, sa);
	ip4(r->dst, da);
	/* nfdump 1.7.1: whole seconds, td in ms */
	printf("%s,%s,%.3f,%s,%s,%u,%u,TCP,%s,0,0,%u,%" PRIu64
	    ",0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,"
	    "00:00:00:00:00:00,00:00:00:00:00:00,"
	    "00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,"
	    "0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,"
	    "    0.000,    0.000,    0.000,127.0.0.1,0/0,1,%s.000\n",
	    ts, te, (double)(r->end_ms - r->start_ms) / 1000, sa, da, r->sport,
	    r->dport, flags, r->packets, r->octets, te);
}

static int gen_dense(uint64_t n_dl, uint64_t n_other, uint64_t seed,
    uint64_t store_n, const char *truth_path)
{
	FILE *truth = fopen(truth_path, "w");
	uint64_t *sorted = malloc(store_n * sizeof(*sorted));
	uint64_t i, n = n_dl + n_other, left_dl = n_dl;
	int64_t t0 = 1764160000000LL;

	if (!truth || !sorted) {
		fprintf(stderr, "bench-flowgen: %s: %s\n", truth_path,
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < store_n; i++)
		sorted[i] = store_size(store_seed, i);
	qsort(sorted, store_n, sizeof(*sorted), cmp_u64);
	fprintf(truth, "# client cport server sport kind file size tls "
	    "timestamps resent sacked server_known\n");
	printf("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,"
	    "out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,"
	    "osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,"
	    "mpls10,cl,sl,al,ra,eng,exid,tr\n");
	rng_state = seed;
	for (i = 0; i < n; i++) {
		/* draw which connections are downloads without replacement */
		int dl = rnd() % (n - i) < left_dl;
		uint64_t file = 0, size, hdr, resp, segs, k = 0, sacked = 0;
		uint64_t hs = 0, req, reqp, acks, h;
		uint32_t client = 0x0a000000u | (uint32_t)(rnd() % 2000 + 1);
		uint32_t server;
		int tls = rnd() & 1, known, ts, mss, synopt, rec = 0;
		uint16_t cport = (uint16_t)(1024 + rnd() % 60000);
		struct rec r[2];
		int64_t start = t0 + (int64_t)i * 50, dur;

		if (dl) {
			left_dl--;
			file = rnd() % store_n;
			size = store_size(store_seed, file);
			server = vendor_addr((unsigned)(file % DENSE_VENDORS),
			    (unsigned)(rnd() % 4));
			known = 1;
		} else {
			uint64_t *hit;

			do {
				size = logu_size();
				hit = bsearch(&size, sorted, store_n,
				    sizeof(*sorted), cmp_u64);
			} while (hit);
			if (rnd() % 5 == 0) {
				server = vendor_addr((unsigned)(rnd() %
				    DENSE_VENDORS), (unsigned)(rnd() % 4));
				known = 1;
			} else {
				server = 0x64400000u |
				    (uint32_t)(rnd() % 8000 + 1);
				known = 0;
			}
		}
		h = mix(server);
		ts = mix(client) % 4 != 0;        /* 25% no timestamps */
		mss = ts ? 1448 : 1460;
		synopt = ts ? 8 : 12;
		/* the server's header: a constant of its own + the size's
		 * decimal and hex digits */
		hdr = 180 + h % 400;
		for (uint64_t v = size; v; v /= 10)
			hdr++;
		for (uint64_t v = size; v; v >>= 4)
			hdr++;
		resp = hdr + size;
		segs = 0;
		if (tls) {
			rec = (h >> 20) % 2 ? 22 : 29;
			resp += (uint64_t)rec * ((hdr + size + 16383) / 16384);
			hs = 1400 + (h >> 32) % 5000;
			segs += (hs + mss - 1) / mss;
		}
		segs += (resp + mss - 1) / mss;
		if (rnd() % 10 < 4) {
			k = 1;
			while (k < 200 && urand() < 0.8)
				k++;
			sacked = (uint64_t)((double)k / 0.6 *
			    (0.5 + urand()) + 0.5);
		}
		memset(r, 0, sizeof(r));
		r[0].src = server; r[0].dst = client;
		r[0].sport = tls ? 443 : 80; r[0].dport = cport;
		r[0].packets = (uint32_t)(segs + k + 3);
		r[0].octets = resp + hs + k * (uint64_t)mss +
		    (uint64_t)r[0].packets * (ts ? 52 : 40) + (uint64_t)synopt;
		/* the client: request, ACKs, SACKs */
		req = 90 + mix(client) % 150;
		reqp = 1;
		if (tls) {
			req += 250 + mix(client + 1) % 300 + 80 + 22;
			reqp = 3;
		}
		acks = segs / 2 + 3 + sacked;
		r[1].src = client; r[1].dst = server;
		r[1].sport = cport; r[1].dport = r[0].sport;
		r[1].packets = (uint32_t)(acks + reqp);
		r[1].octets = req + 12 * sacked +
		    (uint64_t)r[1].packets * (ts ? 52 : 40) + (uint64_t)synopt;
		/* 100 Mbit/s - 1 Gbit/s */
		dur = (int64_t)((double)r[0].octets * 8 / (1e8 + urand() * 9e8)
		    * 1000) + 5;
		r[0].start_ms = r[1].start_ms = start;
		r[0].end_ms = r[1].end_ms = start + dur;
		csv_rec(&r[0], "...AP.SF");
		csv_rec(&r[1], "...AP.SF");
		{
			char c[16], sv[16];

			ip4(client, c);
			ip4(server, sv);
			fprintf(truth, "%s %u %s %u %s %" PRIu64 " %" PRIu64
			    " %d %d %" PRIu64 " %" PRIu64 " %d\n", c, cport, sv,
			    r[0].sport, dl ? "download" : "other", file, size,
			    tls, ts, k, sacked, known);
		}
	}
	fclose(truth);
	free(sorted);
	fprintf(stderr, "bench-flowgen: %" PRIu64 " downloads, %" PRIu64
	    " other transfers\n", n_dl, n_other);
	return 0;
}

/* "every record a big transfer": one data-direction record per
 * connection, 100 KB - 4 GB of payload in full segments */
static void big_record(uint64_t i, struct rec *r)
{
	uint64_t size = logu_size(), segs = (size + 1447) / 1448;

	memset(r, 0, sizeof(*r));
	r->src = 0x64400000u | (uint32_t)(rnd() % 8000 + 1);
	r->dst = 0x0a000000u | (uint32_t)(rnd() & 0xffffff);
	r->sport = rnd() & 1 ? 443 : 80;
	r->dport = (uint16_t)(1024 + rnd() % 60000);
	r->flags = 0x1b;
	r->packets = (uint32_t)(segs + 3);
	r->octets = size + (segs + 3) * 52 + 8;
	r->start_ms = 1764160000000LL + (int64_t)(i / 50);
	r->end_ms = r->start_ms + 10 + (int64_t)(segs / 100);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* v9 / IPFIX field lists: (id, length) */
static const uint16_t v9_fields[][2] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 1, 8 }, { 2, 4 }, { 22, 4 }, { 21, 4 },
};
static const uint16_t ipfix_fields[][2] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 1, 8 }, { 2, 4 }, { 152, 8 }, { 153, 8 },
};
#define NFIELDS 10

static size_t encode_rec(uint8_t *p, const struct rec *r, int ipfix,
    int64_t boot_ms)
{
	uint8_t *q = p;

	put32(q, r->src); q += 4;
	put32(q, r->dst); q += 4;
	put16(q, r->sport); q += 2;
	put16(q, r->dport); q += 2;
	*q++ = 6;
	*q++ = r->flags;
	put64(q, r->octets); q += 8;
	put32(q, r->packets); q += 4;
	if (ipfix) {
		put64(q, (uint64_t)r->start_ms); q += 8;
		put64(q, (uint64_t)r->end_ms); q += 8;
	} else {
		put32(q, (uint32_t)(r->start_ms - boot_ms)); q += 4;
		put32(q, (uint32_t)(r->end_ms - boot_ms)); q += 4;
	}
	return (size_t)(q - p);
}

static void write_dgram(const uint8_t *d, size_t len)
{
	uint8_t l[2];

	put16(l, (uint16_t)len);
	fwrite(l, 1, 2, stdout);
	fwrite(d, 1, len, stdout);
}

/* Close the data set that starts at @set_start and the datagram (its
 * length for IPFIX, its record count for v9), and write it out. */
static void close_dgram(uint8_t *d, size_t len, size_t set_start,
    uint32_t count, int ipfix)
{
	put16(d + set_start + 2, (uint16_t)(len - set_start));
	put16(d + 2, ipfix ? (uint16_t)len : (uint16_t)count);
	write_dgram(d, len);
}

static int gen_dgrams(uint64_t n, uint64_t seed, uint64_t store_n, int ipfix)
{
	uint8_t d[1500];
	size_t len = 0, set_start = 0;
	uint32_t seq = 0, count = 0;
	uint64_t i, dgrams = 0;
	int64_t t0 = 1764160000000LL, boot = t0 - 3600000;
	const uint16_t (*f)[2] = ipfix ? ipfix_fields : v9_fields;
	size_t reclen = ipfix ? 38 : 30;
	struct rec r[2];
	int k, j, per = 2;

	rng_state = seed;
	for (i = 0; i < n; i += (uint64_t)per) {
		if (big_mode) {
			big_record(i, &r[0]);
			per = 1;
		} else {
			connection(i / 2, store_n, t0, r);
		}
		for (k = 0; k < per && i + (uint64_t)k < n; k++) {
			if (len && len + reclen > 1400) {
				close_dgram(d, len, set_start, count, ipfix);
				dgrams++;
				len = 0;
			}
			if (!len) {
				int64_t now = r[k].end_ms + 1000;

				memset(d, 0, sizeof(d));
				count = 0;
				if (ipfix) {
					put16(d, 10);
					put32(d + 4, (uint32_t)(now / 1000));
					put32(d + 8, seq);
					put32(d + 12, 1);
					len = 16;
				} else {
					put16(d, 9);
					put32(d + 4, (uint32_t)(now - boot));
					put32(d + 8, (uint32_t)(now / 1000));
					put32(d + 12, seq);
					put32(d + 16, 1);
					len = 20;
				}
				seq++;
				/* a template in every 20th datagram */
				if (dgrams % 20 == 0) {
					size_t ts = len;

					put16(d + len, ipfix ? 2 : 0);
					len += 4;
					put16(d + len, 256);
					put16(d + len + 2, NFIELDS);
					len += 4;
					for (j = 0; j < NFIELDS; j++) {
						put16(d + len, f[j][0]);
						put16(d + len + 2, f[j][1]);
						len += 4;
					}
					put16(d + ts + 2, (uint16_t)(len - ts));
					count++;
				}
				set_start = len;
				put16(d + len, 256);
				len += 4;
			}
			len += encode_rec(d + len, &r[k], ipfix, boot);
			count++;
		}
	}
	if (len) {
		close_dgram(d, len, set_start, count, ipfix);
		dgrams++;
	}
	fprintf(stderr, "bench-flowgen: %" PRIu64 " records in %" PRIu64
	    " datagrams\n", n, dgrams);
	return 0;
}

static void ip4(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
	    (a >> 8) & 255, a & 255);
}

static int gen_csv(uint64_t n, uint64_t seed, uint64_t store_n)
{
	uint64_t i;
	struct rec r[2];
	char ts[32], te[32], sa[16], da[16];
	int k, per = 2;
	time_t t;
	struct tm tm;

	rng_state = seed;
	printf("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,"
	    "out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,"
	    "osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,"
	    "mpls10,cl,sl,al,ra,eng,exid,tr\n");
	for (i = 0; i < n; i += (uint64_t)per) {
		if (big_mode) {
			big_record(i, &r[0]);
			per = 1;
		} else {
			connection(i / 2, store_n, 1764160000000LL, r);
		}
		for (k = 0; k < per && i + (uint64_t)k < n; k++) {
			t = (time_t)(r[k].start_ms / 1000);
			gmtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
			t = (time_t)(r[k].end_ms / 1000);
			gmtime_r(&t, &tm);
			strftime(te, sizeof(te), "%Y-%m-%d %H:%M:%S", &tm);
			ip4(r[k].src, sa);
			ip4(r[k].dst, da);
			printf("%s,%s,%.3f,%s,%s,%u,%u,TCP,...AP.SF,0,0,%u,%"
			    PRIu64 ",0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,"
			    "00:00:00:00:00:00,00:00:00:00:00:00,"
			    "00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,"
			    "0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,"
			    "    0.000,    0.000,    0.000,127.0.0.1,0/0,1,%s.000\n",
			    ts, te, (double)(r[k].end_ms - r[k].start_ms) / 1000,
			    sa, da, r[k].sport, r[k].dport, r[k].packets,
			    r[k].octets, te);
		}
	}
	return 0;
}

static int gen_store(uint64_t n, uint64_t seed)
{
	uint64_t i;

	printf("url,size,vendor,source\n");
	for (i = 0; i < n; i++)
		printf("http://bench.example/v%" PRIu64 "/file-%07" PRIu64
		    ".bin,%" PRIu64 ",bench,import\n", i % 100, i,
		    store_size(seed, i));
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* replay FILE to 127.0.0.1:PORT at RATE records/s (0 = flat out) */
static int send_file(const char *path, int port, double rate, double secs)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, off;
	struct sockaddr_in sa;
	int fd, loops = 0;
	uint64_t sent_d = 0, sent_r = 0;
	double t0, deadline;

	if (!f) {
		fprintf(stderr, "bench-flowgen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 1;
		}
		off = fread(buf + len, 1, 65536, f);
		if (!off)
			break;
		len += off;
	}
	fclose(f);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t0 = now_s();
	deadline = secs > 0 ? t0 + secs : 0;
	do {
		for (off = 0; off + 2 <= len;) {
			size_t dl = (size_t)buf[off] << 8 | buf[off + 1];
			/* records in it: data set bytes / record size, roughly */
			uint64_t nrec = dl / 32;

			if (sendto(fd, buf + off + 2, dl, 0,
			    (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
			    errno != ENOBUFS)
				perror("sendto");
			off += 2 + dl;
			sent_d++;
			sent_r += nrec;
			if (rate > 0) {
				double due = t0 + (double)sent_r / rate;

				while (now_s() < due)
					;
			}
			if (deadline && now_s() >= deadline)
				break;
		}
		loops++;
	} while (deadline && now_s() < deadline);
	fprintf(stderr, "bench-flowgen: sent %" PRIu64 " datagrams in %.2f s "
	    "(%d passes)\n", sent_d, now_s() - t0, loops);
	printf("%" PRIu64 "\n", sent_d);
	close(fd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && strcmp(argv[1], "send") && strcmp(argv[1], "dense") &&
	    strcmp(argv[1], "big"))
		store_seed = strtoull(argv[5], NULL, 10);
	if (argc >= 4 && !strcmp(argv[1], "store"))
		return gen_store(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10));
	if (argc >= 5 && !strcmp(argv[1], "csv"))
		return gen_csv(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
	if (argc >= 5 && (!strcmp(argv[1], "v9") || !strcmp(argv[1], "ipfix")))
		return gen_dgrams(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
		    !strcmp(argv[1], "ipfix"));
	if (argc >= 4 && !strcmp(argv[1], "dense-store"))
		return gen_dense_store(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10));
	if (argc >= 8 && !strcmp(argv[1], "dense")) {
		store_seed = strtoull(argv[6], NULL, 10);
		return gen_dense(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
		    strtoull(argv[5], NULL, 10), argv[7]);
	}
	if (argc >= 5 && !strcmp(argv[1], "big")) {
		big_mode = 1;
		if (!strcmp(argv[2], "csv"))
			return gen_csv(strtoull(argv[3], NULL, 10),
			    strtoull(argv[4], NULL, 10), 0);
		if (!strcmp(argv[2], "v9"))
			return gen_dgrams(strtoull(argv[3], NULL, 10),
			    strtoull(argv[4], NULL, 10), 0, 0);
	}
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return send_file(argv[2], atoi(argv[3]), atof(argv[4]),
		    argc > 5 ? atof(argv[5]) : 0);
	fprintf(stderr, "usage: bench-flowgen store N SEED | csv|v9|ipfix N SEED "
	    "STORE_N [STORE_SEED] | send FILE PORT RATE [SECONDS] | dense-store N SEED |\n"
	    "       dense N_DL N_OTHER SEED STORE_N STORE_SEED TRUTH | big csv|v9 N SEED\n");
	return 2;
}
