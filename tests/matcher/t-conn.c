/*
 * t-conn.c - unit tests of the connection table (matcher/conn.c): merging
 * split records, pairing directions, ending on FIN/RST and idle, out of
 * order records, port reuse, bounded size with eviction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "../tap.h"

#define MAXDONE 64
static struct connection done[MAXDONE];
static int ndone;

static void on_done(const struct connection *c, void *arg)
{
	(void)arg;
	if (ndone < MAXDONE)
		done[ndone] = *c;
	ndone++;
}

/* every finished connection, in order (up to as many as records) */
struct seen {
	struct connection *v;
	int n;
};

static void collect(const struct connection *c, void *arg)
{
	struct seen *s = arg;

	s->v[s->n++] = *c;
}

static void rec(struct flow_record *r, int client_to_server, uint16_t cport,
    uint64_t octets, uint64_t packets, uint8_t flags, int64_t start,
    int64_t end)
{
	uint8_t cl[4] = { 10, 77, 0, 2 }, sv[4] = { 10, 77, 0, 1 };

	memset(r, 0, sizeof(*r));
	r->family = 4;
	r->proto = 6;
	if (client_to_server) {
		memcpy(r->src, cl, 4); memcpy(r->dst, sv, 4);
		r->sport = cport; r->dport = 80;
	} else {
		memcpy(r->src, sv, 4); memcpy(r->dst, cl, 4);
		r->sport = 80; r->dport = cport;
	}
	r->octets = octets;
	r->packets = packets;
	r->tcp_flags = flags;
	r->start_ms = start;
	r->end_ms = end;
}

int main(void)
{
	struct conn_config cfg = { 1000, 60000, 2000 };
	struct conn_table *t;
	struct flow_record r;
	struct conn_stats st;
	int64_t T0 = 1764160000000LL;
	int i;

	ok(conn_slot_bytes() <= 200, "slot is %zu bytes (<= 200)",
	    conn_slot_bytes());

	/* a download split into three data records + one request record */
	t = conn_table_new(&cfg, on_done, NULL);
	rec(&r, 0, 40001, 1000000, 700, 0x12, T0, T0 + 1000);
	conn_add(t, &r);
	rec(&r, 1, 40001, 20000, 380, 0x12, T0, T0 + 3000);
	conn_add(t, &r);
	rec(&r, 0, 40001, 2000000, 1400, 0x10, T0 + 1000, T0 + 2000);
	conn_add(t, &r);
	is_int(ndone, 0, "nothing done before FIN");
	rec(&r, 0, 40001, 500000, 350, 0x11, T0 + 2000, T0 + 3000);
	conn_add(t, &r);
	conn_expire(t, T0 + 3500);
	is_int(ndone, 0, "FIN one way only: still open");
	rec(&r, 1, 40001, 52, 1, 0x11, T0 + 3000, T0 + 3000);
	conn_add(t, &r);
	conn_expire(t, T0 + 3500);
	is_int(ndone, 0, "FIN both ways: waits the grace period");
	conn_expire(t, T0 + 5100);
	is_int(ndone, 1, "ended after the grace period");
	is_int(done[0].data_octets, 3500000, "data records merged");
	is_int(done[0].data_packets, 2450, "data packets merged");
	is_int(done[0].req_octets, 20052, "request direction paired");
	is_int(done[0].server_port, 80, "server is the data sender");
	is_int(done[0].client_port, 40001, "client port");
	is_int(done[0].records, 5, "five records");
	is_int(done[0].start_ms, T0, "start");
	is_int(done[0].end_ms, T0 + 3000, "end");
	ok(done[0].flags & CONN_F_CLOSED, "closed by FIN");

	/* out of order: the last part first, RST ends it */
	ndone = 0;
	rec(&r, 0, 40002, 300000, 210, 0x14, T0 + 5000, T0 + 6000);
	conn_add(t, &r);
	rec(&r, 0, 40002, 1000000, 700, 0x12, T0 + 4000, T0 + 5000);
	conn_add(t, &r);
	rec(&r, 1, 40002, 9000, 170, 0x12, T0 + 4000, T0 + 6000);
	conn_add(t, &r);
	conn_expire(t, T0 + 9000);
	is_int(ndone, 1, "RST connection ended");
	is_int(done[0].data_octets, 1300000, "out-of-order parts merged");
	is_int(done[0].start_ms, T0 + 4000, "start is the earliest part");
	ok(done[0].flags & CONN_F_RST, "RST flagged");

	/* idle end, then the same 5-tuple much later is a new connection */
	ndone = 0;
	rec(&r, 0, 40003, 400000, 280, 0x12, T0 + 10000, T0 + 11000);
	conn_add(t, &r);
	conn_expire(t, T0 + 11000 + 59000);
	is_int(ndone, 0, "not idle yet");
	rec(&r, 0, 40003, 500000, 350, 0x12, T0 + 200000, T0 + 201000);
	conn_add(t, &r);
	is_int(ndone, 1, "reused port after a gap: old connection ended");
	is_int(done[0].data_octets, 400000, "old one kept its bytes");
	ok(done[0].flags & CONN_F_ONEWAY, "one-way flagged");
	conn_expire(t, T0 + 201000 + 60000);
	is_int(ndone, 2, "idle connection ended");
	is_int(done[1].data_octets, 500000, "new one has the new bytes");

	/* bidirectional (RFC 5103) record */
	ndone = 0;
	rec(&r, 0, 40004, 800000, 560, 0x13, T0 + 300000, T0 + 301000);
	r.flags = FLOW_F_BIDIR;
	r.rev_octets = 15000;
	r.rev_packets = 290;
	r.rev_tcp_flags = 0x13;
	conn_add(t, &r);
	conn_expire(t, T0 + 304000);
	is_int(ndone, 1, "biflow closes by itself");
	is_int(done[0].req_octets, 15000, "reverse octets from the biflow");
	is_int(done[0].req_packets, 290, "reverse packets from the biflow");

	/* IPv6: both directions paired by the 16-byte addresses */
	ndone = 0;
	rec(&r, 0, 40006, 900000, 620, 0x1b, T0 + 350000, T0 + 351000);
	r.family = 6;
	memset(r.src, 0, 16); memset(r.dst, 0, 16);
	r.src[0] = 0xfd; r.src[15] = 1;	/* fd00::1, the server */
	r.dst[0] = 0xfd; r.dst[15] = 2;
	conn_add(t, &r);
	rec(&r, 1, 40006, 30000, 400, 0x1b, T0 + 350000, T0 + 351000);
	r.family = 6;
	memset(r.src, 0, 16); memset(r.dst, 0, 16);
	r.src[0] = 0xfd; r.src[15] = 2;
	r.dst[0] = 0xfd; r.dst[15] = 1;
	conn_add(t, &r);
	conn_expire(t, T0 + 354000);
	is_int(ndone, 1, "IPv6 connection ended");
	is_int(done[0].family, 6, "IPv6 family kept");
	is_int(done[0].req_octets, 30000, "IPv6 directions paired");
	is_int(done[0].server[15], 1, "IPv6 server address");

	/* UDP is ignored */
	ndone = 0;
	rec(&r, 0, 40005, 800000, 560, 0, T0 + 400000, T0 + 401000);
	r.proto = 17;
	conn_add(t, &r);
	conn_flush(t);
	is_int(ndone, 0, "UDP ignored");
	conn_get_stats(t, &st);
	is_int(st.live, 0, "table empty after flush");
	conn_table_free(t);

	/* bounded: 16 slots, 40 connections */
	cfg.max_connections = 16;
	t = conn_table_new(&cfg, on_done, NULL);
	ndone = 0;
	for (i = 0; i < 40; i++) {
		rec(&r, 0, (uint16_t)(41000 + i), 100000, 70, 0x12, T0 + i,
		    T0 + i + 1);
		conn_add(t, &r);
	}
	conn_get_stats(t, &st);
	is_int(st.live, 16, "live connections bounded");
	is_int(st.evicted, 24, "evictions counted");
	is_int(ndone, 24, "evicted connections handed on");
	ok(done[0].flags & CONN_F_EVICTED, "evicted flag");
	is_int(done[0].client_port, 41000, "oldest evicted first");
	/* touching an old one keeps it */
	rec(&r, 0, 41024, 1, 1, 0x10, T0 + 50, T0 + 51);
	conn_add(t, &r);
	rec(&r, 0, 42000, 1, 1, 0x10, T0 + 52, T0 + 53);
	conn_add(t, &r);
	is_int(done[24].client_port, 41025, "least recently updated evicted");
	conn_flush(t);
	conn_get_stats(t, &st);
	is_int(st.connections, 41, "all connections counted");
	is_int(st.peak, 16, "peak bounded");
	conn_table_free(t);

	/* conn_queue(): the same connections as conn_add(), in the same
	 * order, over a random stream that splits, closes, resets, reuses
	 * ports and overflows a 16-slot table, with expiry in between */
	{
		struct flow_record *rs = calloc(3000, sizeof(*rs));
		struct seen got[2] = { { NULL, 0 }, { NULL, 0 } };
		uint64_t x = 12345;
		int n = 3000, pass;

		for (i = 0; i < n; i++) {
			uint8_t fl = (x >> 8) % 4 == 0 ? 0x11 :
			    (x >> 8) % 9 == 0 ? 0x14 : 0x10;

			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			rec(&rs[i], (int)(x >> 63),
			    (uint16_t)(43000 + (x >> 40) % 24),
			    (x >> 20) % 100000, 1 + (x >> 50) % 50, fl,
			    T0 + i * 50, T0 + i * 50 + (int64_t)((x >> 30) % 4000));
		}
		for (pass = 0; pass < 2; pass++) {
			/* short timeouts: expiry often ends a connection a
			 * record in flight would have touched */
			cfg.max_connections = 16;
			cfg.idle_ms = 400;
			cfg.grace_ms = 200;
			got[pass].v = calloc((size_t)n, sizeof(struct connection));
			t = conn_table_new(&cfg, collect, &got[pass]);
			for (i = 0; i < n; i++) {
				if (pass)
					conn_queue(t, &rs[i]);
				else
					conn_add(t, &rs[i]);
				if (i % 5 == 0)
					conn_expire(t, 0);
			}
			conn_flush(t);
			conn_table_free(t);
		}
		ok(got[0].n > 100, "random stream: %d connections", got[0].n);
		is_int(got[1].n, got[0].n, "queued: as many connections");
		ok(got[1].n == got[0].n && !memcmp(got[0].v, got[1].v,
		    (size_t)got[0].n * sizeof(struct connection)),
		    "queued: the same connections in the same order");
		free(got[0].v);
		free(got[1].v);
		free(rs);
	}
	return done_testing();
}
