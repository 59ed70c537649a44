/*
 * bench-pipeline.c - the matcher's core measured without a socket
 * (bench/matcher/throughput.sh):
 *
 *   bench-pipeline conn N          memory per live connection, N of them
 *   bench-pipeline file STORE FILE decode a datagram file (bench-flowgen
 *                                  v9|ipfix) through the whole pipeline:
 *                                  connections, store lookups, JSON report
 *                                  to /dev/null; prints records/s
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input/input.h"
#include "match.h"
#include "report.h"
#include "store.h"
#include "util.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static uint64_t ended;

static void on_done(const struct connection *c, void *arg)
{
	(void)c;
	(void)arg;
	ended++;
}

static int bench_conn(uint32_t n)
{
	struct conn_config cfg = { n, 300000, 2000 };
	struct conn_table *t;
	struct flow_record r;
	long before = rss_kb(), after;
	double t0, t1;
	uint32_t i;

	t = conn_table_new(&cfg, on_done, NULL);
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 6;
	r.tcp_flags = 0x12;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		uint32_t cl = 0x0a000000u + i;

		memcpy(r.src, &cl, 4);
		r.dst[0] = 198;
		r.sport = (uint16_t)(1024 + i % 50000);
		r.dport = 80;
		r.octets = 1000;
		r.packets = 2;
		r.start_ms = r.end_ms = 1764160000000LL + i / 100;
		conn_add(t, &r);
	}
	t1 = now_s();
	after = rss_kb();
	printf("conn: %u live connections, slot %zu bytes, RSS +%ld kB = %.1f "
	    "bytes per connection, %.0f records/s inserted, %" PRIu64
	    " evicted\n", n, conn_slot_bytes(), after - before,
	    (double)(after - before) * 1024.0 / n, n / (t1 - t0), ended);
	conn_table_free(t);
	return 0;
}

struct ctx {
	struct matcher *m;
};

static int bench_file(const char *store_dir, const char *path)
{
	struct match_options mo;
	struct store *st = NULL;
	struct matcher *m = NULL;
	struct report *rep;
	struct flow_decoder *dec;
	struct match_stats ms;
	FILE *f = fopen(path, "rb"), *devnull = fopen("/dev/null", "w");
	uint8_t buf[65536], l[2];
	char err[256];
	double t0, t1;
	uint64_t dgrams = 0;

	if (!f || !devnull) {
		perror(path);
		return 1;
	}
	if (store_open(store_dir, STORE_RDONLY, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	match_options_default(&mo);
	rep = report_new(devnull, REPORT_JSON, 0, 0);
	if (match_new(&mo, st, rep, &m) < 0)
		return 1;
	dec = flow_decoder_new();
	t0 = now_s();
	while (fread(l, 1, 2, f) == 2) {
		size_t len = (size_t)l[0] << 8 | l[1];

		if (fread(buf, 1, len, f) != len)
			break;
		flow_decode_datagram(dec, buf, len, NULL, 1764160000000LL,
		    match_record, m);
		dgrams++;
	}
	match_flush(m);
	t1 = now_s();
	match_get_stats(m, &ms);
	printf("file: %" PRIu64 " datagrams, %" PRIu64 " records, %" PRIu64
	    " connections, %" PRIu64 " looked up, %" PRIu64 " detections in "
	    "%.2f s: %.0f records/s\n", dgrams, ms.records, ms.connections,
	    ms.looked_up, ms.detections, t1 - t0, ms.records / (t1 - t0));
	flow_decoder_free(dec);
	match_free(m);
	report_free(rep);
	store_close(st);
	fclose(f);
	fclose(devnull);
	return 0;
}

int main(int argc, char **argv)
{
	fg_log_init("bench-pipeline", FG_LOG_QUIET);
	if (argc == 3 && !strcmp(argv[1], "conn"))
		return bench_conn((uint32_t)strtoul(argv[2], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "file"))
		return bench_file(argv[2], argv[3]);
	fprintf(stderr, "usage: bench-pipeline conn N | file STORE FILE\n");
	return 2;
}
