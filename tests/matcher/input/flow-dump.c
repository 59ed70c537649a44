/*
 * flow-dump.c - test driver for the flow inputs: prints every record that
 * matcher/input/ produces, one per line, so shell tests can compare them
 * with what softflowd, nfdump and tcpdump say.
 *
 *   flow-dump --listen ADDR [--seconds N] [--count N]   collector
 *   flow-dump --datagram FILE...                        one datagram per file
 *   flow-dump [--format F] [--strict] --stream FILE|-   text input
 *   flow-dump [--strict] --nfcapd FILE|DIR              via nfdump
 *
 * Output: "src sport dst dport proto octets packets start_ms end_ms tcpflags
 * flags rev_octets rev_packets sampling" per record, then "# stats ..." with
 * the counters.  Exit 0, or 1 when the input reported an error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../matcher/input/input.h"
#include "util.h"

static uint64_t count_limit, count_seen;

static int print(const struct flow_record *r, void *arg)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = r->family == 6 ? AF_INET6 : AF_INET;

	(void)arg;
	inet_ntop(af, r->src, s, sizeof(s));
	inet_ntop(af, r->dst, d, sizeof(d));
	printf("%s %u %s %u %u %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64
	    " %02x %02x %" PRIu64 " %" PRIu64 " %u\n", s, r->sport, d, r->dport,
	    r->proto, r->octets, r->packets, r->start_ms, r->end_ms, r->tcp_flags,
	    r->flags, r->rev_octets, r->rev_packets, r->sampling);
	count_seen++;
	return count_limit && count_seen >= count_limit;
}

static void stats(const struct flow_input_stats *st)
{
	int i;

	printf("# stats records=%" PRIu64 " datagrams=%" PRIu64 " malformed=%" PRIu64
	    " dropped_no_template=%" PRIu64 " held=%" PRIu64 " templates=%" PRIu64 " templates_refused=%" PRIu64
	    " sampled=%" PRIu64 " lines=%" PRIu64 " bad_lines=%" PRIu64,
	    st->records, st->datagrams, st->malformed, st->dropped_no_template,
	    st->held, st->templates, st->templates_refused, st->sampled_records, st->lines, st->bad_lines);
	for (i = 0; i < FLOW_BAD_REASONS; i++)
		if (st->malformed_by[i])
			printf(" bad_%s=%" PRIu64, flow_malformed_name(i), st->malformed_by[i]);
	printf("\n");
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct flow_input_stats st;
	const char *format = NULL;
	int strict = 0, i, rc = 0;
	double seconds = 10;

	fg_log_init("flow-dump", FG_LOG_NORMAL);
	memset(&st, 0, sizeof(st));
	/* options first, wherever they are; then the input */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (strcmp(argv[i], "--strict") == 0)
			strict = 1;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count_limit = strtoull(argv[++i], NULL, 10);
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--seconds") == 0 ||
		    strcmp(argv[i], "--count") == 0) {
			i++;
		} else if (strcmp(argv[i], "--strict") == 0) {
			continue;
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			char err[256];
			struct flow_collector *c = flow_collector_open(argv[++i], err, sizeof(err));
			int64_t end = mono_ms() + (int64_t)(seconds * 1000);

			if (!c) {
				fprintf(stderr, "flow-dump: %s\n", err);
				return 1;
			}
			signal(SIGTERM, on_signal);
			signal(SIGINT, on_signal);
			printf("# listening on port %d\n", flow_collector_port(c));
			fflush(stdout);
			while (!stop && mono_ms() < end) {
				struct pollfd pfd = {.fd = flow_collector_fd(c), .events = POLLIN};

				if (poll(&pfd, 1, 100) > 0 &&
				    flow_collector_read(c, print, NULL) == FLOW_E_STOPPED)
					break;
				fflush(stdout);
			}
			flow_collector_stats(c, &st);
			flow_collector_close(c);
		} else if (strcmp(argv[i], "--datagram") == 0) {
			struct flow_decoder *d = flow_decoder_new();
			struct sockaddr_in from;

			memset(&from, 0, sizeof(from));
			from.sin_family = AF_INET;
			from.sin_addr.s_addr = htonl(0x7f000001);
			from.sin_port = htons(4242);
			for (i++; i < argc; i++) {
				static uint8_t buf[65536];
				FILE *f = fopen(argv[i], "rb");
				size_t n;

				if (!f) {
					perror(argv[i]);
					return 1;
				}
				n = fread(buf, 1, sizeof(buf), f);
				fclose(f);
				flow_decode_datagram(d, buf, n, (struct sockaddr *)&from,
				    (int64_t)time(NULL) * 1000, print, NULL);
			}
			flow_decoder_stats(d, &st);
			flow_decoder_free(d);
		} else if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc) {
			const char *path = argv[++i];
			FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

			if (!f) {
				perror(path);
				return 1;
			}
			rc = flow_read_stream(f, strcmp(path, "-") ? path : "(stdin)", format,
			    strict, print, NULL, &st);
			if (f != stdin)
				fclose(f);
		} else if (strcmp(argv[i], "--nfcapd") == 0 && i + 1 < argc) {
			rc = flow_read_nfcapd(argv[++i], strict, print, NULL, &st);
		} else {
			fprintf(stderr, "usage: see the comment at the top of flow-dump.c\n");
			return 2;
		}
	}
	stats(&st);
	if (rc && rc != FLOW_E_STOPPED) {
		fprintf(stderr, "flow-dump: %s\n", flow_strerror(rc));
		return 1;
	}
	return 0;
}
