/*
 * bench-input.c - throughput of the flow inputs alone (no store lookups):
 * NetFlow v9 and IPFIX decoding from memory, nfdump CSV parsing, and the
 * UDP collector fed over loopback; plus a sender and a datagram file
 * writer so run.sh can give the same datagrams to nfcapd.
 *
 *   bench-input decode v9|ipfix RECORDS       records/s of flow_decode_datagram
 *   bench-input csv FILE LINES                 write an nfdump 1.7.1 CSV file
 *   bench-input read FILE                      lines/s of flow_read_stream on it
 *   bench-input send v9|ipfix PORT RECORDS RATE  send datagrams to 127.0.0.1:PORT
 *                                              (RATE records/s, 0 = as fast as possible)
 *   bench-input collect PORT RECORDS           run the collector until RECORDS
 *                                              arrived or 3 s pass without any
 *
 * Datagrams look like softflowd's: 30 IPv4 records of softflowd's v4
 * template per datagram (IPFIX with -A milli times), the template repeated
 * every 16 datagrams.  Output: one "key=value ..." line for run.sh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../matcher/input/input.h"
#include "util.h"

#define PER_DGRAM 30
#define NDGRAMS 4096            /* distinct datagrams cycled through */

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct pkt {
	uint8_t b[1500];
	size_t n;
};

static void p8(struct pkt *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void p16(struct pkt *p, unsigned v) { p8(p, v >> 8); p8(p, v); }
static void p32(struct pkt *p, uint32_t v) { p16(p, v >> 16); p16(p, v & 0xffff); }
static void p64(struct pkt *p, uint64_t v) { p32(p, (uint32_t)(v >> 32)); p32(p, (uint32_t)v); }

/* softflowd's IPv4 template (see tests/matcher/input/data/softflowd-v9.bin) */
static const uint16_t tmpl_v9[][2] = {
	{8, 4}, {12, 4}, {22, 4}, {21, 4}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
	{61, 1}, {136, 1}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {60, 1}, {5, 1},
};
/* the same with softflowd -v 10 -A milli times */
static const uint16_t tmpl_ipfix[][2] = {
	{8, 4}, {12, 4}, {152, 8}, {153, 8}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
	{61, 1}, {136, 1}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {60, 1}, {5, 1},
};

static void make_dgram(struct pkt *p, int ipfix, unsigned seq, int with_template)
{
	const uint16_t (*t)[2] = ipfix ? tmpl_ipfix : tmpl_v9;
	size_t s, i, k;
	uint32_t export_s = 1795710000 + seq / 1000;

	p->n = 0;
	if (ipfix) {
		p16(p, 10); p16(p, 0); p32(p, export_s); p32(p, seq); p32(p, 0);
	} else {
		p16(p, 9); p16(p, 0); p32(p, 3600000); p32(p, export_s); p32(p, seq); p32(p, 0);
	}
	if (with_template) {
		s = p->n;
		p16(p, ipfix ? 2 : 0); p16(p, 0);
		p16(p, 1024); p16(p, 16);
		for (i = 0; i < 16; i++) {
			p16(p, t[i][0]); p16(p, t[i][1]);
		}
		p->b[s + 2] = (uint8_t)((p->n - s) >> 8);
		p->b[s + 3] = (uint8_t)(p->n - s);
	}
	s = p->n;
	p16(p, 1024); p16(p, 0);
	for (k = 0; k < PER_DGRAM; k++) {
		uint32_t n = seq * PER_DGRAM + (uint32_t)k;

		p32(p, 0x0a000000u | (n & 0xffffff)); p32(p, 0xc0000201u);
		if (ipfix) {
			p64(p, (uint64_t)export_s * 1000 - 5000); p64(p, (uint64_t)export_s * 1000 - 10);
		} else {
			p32(p, 3600000 - 5000); p32(p, 3600000 - 10);
		}
		p32(p, 1000000 + n % 5000000); p32(p, 700 + n % 5000); p32(p, 0); p32(p, 0);
		p8(p, 0); p8(p, 2); p16(p, 1024 + n % 60000); p16(p, 443); p8(p, 6); p8(p, 0x1b);
		p8(p, 4); p8(p, 0);
	}
	p->b[s + 2] = (uint8_t)((p->n - s) >> 8);
	p->b[s + 3] = (uint8_t)(p->n - s);
	if (ipfix) {
		p->b[2] = (uint8_t)(p->n >> 8);
		p->b[3] = (uint8_t)p->n;
	}
}

static struct pkt *make_all(int ipfix)
{
	struct pkt *d = fg_calloc(NDGRAMS, sizeof(*d));
	unsigned i;

	for (i = 0; i < NDGRAMS; i++)
		make_dgram(&d[i], ipfix, i, i % 16 == 0);
	return d;
}

static uint64_t sum;

static int sink(const struct flow_record *r, void *arg)
{
	(void)arg;
	sum += r->octets + r->sport;
	return 0;
}

static int cmd_decode(int ipfix, uint64_t records)
{
	struct pkt *d = make_all(ipfix);
	struct flow_decoder *dec = flow_decoder_new();
	struct flow_input_stats st;
	struct sockaddr_in from;
	uint64_t n = 0, i = 0;
	double w0, c0, w, c;

	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0x7f000001);
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	while (n < records) {
		int r = flow_decode_datagram(dec, d[i % NDGRAMS].b, d[i % NDGRAMS].n,
		    (struct sockaddr *)&from, 1795710000000LL, sink, NULL);

		if (r < 0) {
			fprintf(stderr, "bench-input: datagram %" PRIu64 " did not decode\n", i);
			return 1;
		}
		n += (uint64_t)r;
		i++;
	}
	w = now_s(CLOCK_MONOTONIC) - w0;
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	flow_decoder_stats(dec, &st);
	printf("format=%s records=%" PRIu64 " datagrams=%" PRIu64 " wall_s=%.3f cpu_s=%.3f "
	    "records_per_s=%.0f records_per_cpu_s=%.0f malformed=%" PRIu64 " check=%" PRIu64 "\n",
	    ipfix ? "ipfix" : "v9", n, i, w, c, n / w, n / c, st.malformed, sum % 1000);
	flow_decoder_free(dec);
	free(d);
	return 0;
}

static int cmd_csv(const char *path, uint64_t lines)
{
	FILE *f = fopen(path, "w");
	uint64_t i;

	if (!f) {
		perror(path);
		return 1;
	}
	fputs("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,"
	    "dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,"
	    "mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n", f);
	for (i = 0; i < lines; i++) {
		unsigned s = (unsigned)(i % 60);

		fprintf(f, "2026-11-26 16:%02u:%02u,2026-11-26 16:%02u:%02u,0.%03u,10.%u.%u.%u,"
		    "192.0.2.1,%u,443,TCP,...AP.SF,0,0,%u,%u,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,"
		    "0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,"
		    "0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    "
		    "0.000,    0.000,127.0.0.1,0/0,1,2026-11-26 16:27:36.263\n",
		    (unsigned)(i / 60 % 60), s, (unsigned)(i / 60 % 60), s, (unsigned)(i % 1000),
		    (unsigned)(i >> 16 & 255), (unsigned)(i >> 8 & 255), (unsigned)(i & 255),
		    (unsigned)(1024 + i % 60000), (unsigned)(10 + i % 1000),
		    (unsigned)(1000 + i % 5000000));
	}
	fputs("Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n1,1,1,1,1,1\n", f);
	return fclose(f) ? 1 : 0;
}

static int cmd_read(const char *path)
{
	struct flow_input_stats st;
	FILE *f = fopen(path, "r");
	double w0, c0, w, c;
	int rc;

	if (!f) {
		perror(path);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	rc = flow_read_stream(f, path, NULL, 0, sink, NULL, &st);
	w = now_s(CLOCK_MONOTONIC) - w0;
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	fclose(f);
	printf("format=nfdump-csv lines=%" PRIu64 " records=%" PRIu64 " bad_lines=%" PRIu64
	    " wall_s=%.3f cpu_s=%.3f lines_per_s=%.0f lines_per_cpu_s=%.0f rc=%d\n",
	    st.lines, st.records, st.bad_lines, w, c, st.lines / w, st.lines / c, rc);
	return rc ? 1 : 0;
}

static int cmd_send(int ipfix, int port, uint64_t records, double rate)
{
	struct pkt *d = make_all(ipfix);
	struct sockaddr_in to;
	struct mmsghdr msgs[32];
	struct iovec iov[32];
	uint64_t sent = 0, i = 0;
	double t0 = now_s(CLOCK_MONOTONIC), w;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), k;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(0x7f000001);
	while (sent < records) {
		int n = 0;

		for (k = 0; k < 32 && sent + (uint64_t)n * PER_DGRAM < records; k++, n++) {
			struct pkt *p = &d[(i + (uint64_t)k) % NDGRAMS];

			memset(&msgs[k], 0, sizeof(msgs[k]));
			iov[k].iov_base = p->b;
			iov[k].iov_len = p->n;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_name = &to;
			msgs[k].msg_hdr.msg_namelen = sizeof(to);
		}
		n = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (n <= 0) {
			perror("sendmmsg");
			return 1;
		}
		i += (uint64_t)n;
		sent += (uint64_t)n * PER_DGRAM;
		if (rate > 0) {
			double due = t0 + sent / rate;

			while (now_s(CLOCK_MONOTONIC) < due)
				;
		}
	}
	w = now_s(CLOCK_MONOTONIC) - t0;
	printf("sent_records=%" PRIu64 " sent_datagrams=%" PRIu64 " wall_s=%.3f records_per_s=%.0f\n",
	    sent, i, w, sent / w);
	close(fd);
	free(d);
	return 0;
}

static int cmd_collect(int port, uint64_t records)
{
	char listen[32], err[256];
	struct flow_collector *c;
	struct flow_input_stats st;
	double first = 0, last = 0, c0 = 0, quiet_since = now_s(CLOCK_MONOTONIC);
	uint64_t got = 0;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	c = flow_collector_open(listen, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "bench-input: %s\n", err);
		return 1;
	}
	printf("# listening\n");
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = {.fd = flow_collector_fd(c), .events = POLLIN};
		int n;

		if (poll(&pfd, 1, 100) <= 0) {
			if (now_s(CLOCK_MONOTONIC) - quiet_since > (got ? 3 : 60))
				break;
			continue;
		}
		if (!got) {
			first = now_s(CLOCK_MONOTONIC);
			c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		}
		n = flow_collector_read(c, sink, NULL);
		if (n > 0) {
			flow_collector_stats(c, &st);
			got = st.records;
			last = now_s(CLOCK_MONOTONIC);
			quiet_since = last;
		}
		if (got >= records)
			break;
	}
	flow_collector_stats(c, &st);
	printf("received_records=%" PRIu64 " datagrams=%" PRIu64 " malformed=%" PRIu64
	    " wall_s=%.3f cpu_s=%.3f records_per_s=%.0f\n", st.records, st.datagrams,
	    st.malformed, last - first, now_s(CLOCK_PROCESS_CPUTIME_ID) - c0,
	    last > first ? st.records / (last - first) : 0.0);
	flow_collector_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	fg_log_init("bench-input", FG_LOG_NORMAL);
	if (argc == 4 && strcmp(argv[1], "decode") == 0)
		return cmd_decode(strcmp(argv[2], "ipfix") == 0, strtoull(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "csv") == 0)
		return cmd_csv(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return cmd_read(argv[2]);
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return cmd_send(strcmp(argv[2], "ipfix") == 0, atoi(argv[3]),
		    strtoull(argv[4], NULL, 10), atof(argv[5]));
	if (argc == 4 && strcmp(argv[1], "collect") == 0)
		return cmd_collect(atoi(argv[2]), strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: see the comment at the top of bench-input.c\n");
	return 2;
}
