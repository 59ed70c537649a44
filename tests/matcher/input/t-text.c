/*
 * t-text.c - unit tests of the text inputs: real nfdump 1.7.1 CSV
 * (data/nfdump-1.7.1.csv, made by Debian's nfcapd + "nfdump -r ... -o csv"
 * from softflowd v5, v9 and IPFIX exports, summary lines included), the
 * newer "firstSeen,duration,..." header written after nfdump's
 * output_csv.c, real "softflowctl dump-flows" and "softflowd -D" text,
 * format detection, --input-format, broken and overlong lines, strict mode.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tap.h"
#include "../../../matcher/input/input.h"
#include "util.h"

#define MAXREC 64
static struct flow_record got[MAXREC];
static int ngot;
static uint64_t sum_octets;

static int keep(const struct flow_record *r, void *arg)
{
	(void)arg;
	if (ngot < MAXREC)
		got[ngot] = *r;
	ngot++;
	sum_octets += r->octets;
	return 0;
}

static char errbuf[8192];

/* Run flow_read_stream on @text (or a data file when @file), stderr caught
 * into errbuf. */
static int run(const char *text, const char *file, const char *format, int strict,
    struct flow_input_stats *st)
{
	FILE *f, *errf = tmpfile();
	int saved = dup(2), rc;
	size_t n;

	if (file) {
		char path[1024];
		const char *src = getenv("FG_SRCDIR");

		snprintf(path, sizeof(path), "%s/tests/matcher/input/data/%s", src ? src : ".", file);
		f = fopen(path, "r");
		if (!f)
			bail_out("cannot open %s", path);
	} else {
		f = fmemopen((void *)text, strlen(text), "r");
	}
	memset(st, 0, sizeof(*st));
	ngot = 0;
	sum_octets = 0;
	fflush(stderr);
	dup2(fileno(errf), 2);
	rc = flow_read_stream(f, file ? file : "t.csv", format, strict, keep, NULL, st);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(errf);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, errf);
	errbuf[n] = '\0';
	fclose(errf);
	fclose(f);
	return rc;
}

static int addr_is(const uint8_t *a, const char *s)
{
	uint8_t b[16] = {0};

	inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, b);
	return memcmp(a, b, 16) == 0;
}

static void test_nfdump_171(void)
{
	struct flow_input_stats st;
	int rc = run(NULL, "nfdump-1.7.1.csv", NULL, 0, &st);

	is_int(rc, 0, "nfdump 1.7.1: read to the end");
	is_int(st.records, 22, "nfdump 1.7.1: 22 records (nfdump's summary says 22 flows)");
	is_int(sum_octets, 7067175, "nfdump 1.7.1: bytes add up to nfdump's summary");
	is_int(st.bad_lines, 0, "nfdump 1.7.1: summary lines are not errors");
	ok(addr_is(got[0].src, "127.0.0.1") && got[0].sport == 58900 && got[0].dport == 18080,
	    "nfdump 1.7.1: first record's endpoints");
	is_int(got[1].octets, 300940, "nfdump 1.7.1: ibyt");
	is_int(got[1].packets, 14, "nfdump 1.7.1: ipkt");
	is_int(got[0].proto, 6, "nfdump 1.7.1: \"TCP\" is 6");
	is_int(got[0].tcp_flags, 0x1b, "nfdump 1.7.1: \"...AP.SF\" is 0x1b");
	/* "2026-11-26 16:26:27" + td 0.005 */
	is_int(got[0].start_ms, 1795710387000LL, "nfdump 1.7.1: ts as UTC");
	is_int(got[0].end_ms, 1795710387005LL, "nfdump 1.7.1: te refined by td");
	is_int(got[8].family, 6, "nfdump 1.7.1: IPv6 record");
	ok(addr_is(got[8].src, "::1"), "nfdump 1.7.1: IPv6 address");
	/* nfdump's bogus td (2^64 ms) for IPFIX sysUpTime records is ignored */
	is_int(got[10].end_ms - got[10].start_ms, 0, "nfdump 1.7.1: absurd td ignored");
}

static const char newer[] =
    "firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows\n"
    "2026-11-26 16:26:27.767,0.006,6,10.0.0.2,80,10.0.0.1,51000,212,300940,1\n"
    "2026-11-26 16:26:27.780,1.234,17,2001:db8::1,53,2001:db8::2,40000,1,90,1\n"
    "Summary\n"
    "flows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
    "2,301030,213,1,0,1413\n";

static void test_nfdump_newer(void)
{
	struct flow_input_stats st;
	int rc = run(newer, NULL, NULL, 0, &st);

	is_int(rc, 0, "newer nfdump header: read");
	is_int(st.records, 2, "newer nfdump header: two records");
	is_int(st.bad_lines, 0, "newer nfdump header: no bad lines");
	is_int(got[0].octets, 300940, "newer nfdump header: bytes");
	is_int(got[0].packets, 212, "newer nfdump header: packets");
	is_int(got[0].sport, 80, "newer nfdump header: srcPort");
	is_int(got[0].dport, 51000, "newer nfdump header: dstPort");
	is_int(got[0].start_ms, 1795710387767LL, "newer nfdump header: ms in firstSeen");
	is_int(got[1].end_ms, 1795710387780LL + 1234, "newer nfdump header: end = first + duration");
	is_int(got[1].proto, 17, "newer nfdump header: numeric proto");
	is_int(got[1].family, 6, "newer nfdump header: IPv6");
}

static const char broken[] =
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\r\n"
    "2026-11-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.1,10.0.0.2,1,2,TCP,...AP.SF,0,0,3,300,0,0\r\n"
    "2026-11-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.999,10.0.0.2,1,2,TCP,......,0,0,3,300,0,0\r\n"
    "2026-13-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.1,10.0.0.2,1,2,TCP,......,0,0,3,300,0,0\r\n"
    "2026-11-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.1,10.0.0.2\r\n"
    "2026-11-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.1,10.0.0.2,1,2,TCP,......,0,0,3,-300,0,0\r\n"
    "2026-11-26 16:26:28,2026-11-26 16:26:29,1.000,10.0.0.1,10.0.0.2,1,2,6,0x12,0,0,4,400,5,5000\r\n";

static void test_broken(void)
{
	struct flow_input_stats st;
	int rc = run(broken, NULL, NULL, 0, &st);

	is_int(rc, 0, "broken lines: skipped, not fatal");
	is_int(st.bad_lines, 4, "broken lines: four reported");
	is_int(st.records, 3, "broken lines: good lines still read (out* gives a reverse record)");
	ok(strstr(errbuf, "t.csv:3: bad source address") != NULL, "broken lines: file:line: reason (address)");
	ok(strstr(errbuf, "t.csv:4: bad first-seen time") != NULL, "broken lines: file:line: reason (time)");
	ok(strstr(errbuf, "t.csv:5: too few columns") != NULL, "broken lines: file:line: reason (columns)");
	ok(strstr(errbuf, "t.csv:6: bad byte count") != NULL, "broken lines: file:line: reason (count)");
	is_int(got[1].tcp_flags, 0x12, "hex flags");
	is_int(got[2].octets, 5000, "obyt becomes the reverse record");
	ok(addr_is(got[2].src, "10.0.0.2") && got[2].sport == 2, "reverse record swaps endpoints");
	rc = run(broken, NULL, NULL, 1, &st);
	is_int(rc, FLOW_E_BADLINE, "strict: the first bad line is fatal");
	is_int(st.records, 1, "strict: stops at line 3");
}

static void test_headerless(void)
{
	struct flow_input_stats st;
	const char *q = "2026-11-26 16:26:27,2026-11-26 16:26:28,1.000,10.0.0.1,10.0.0.2,1,2,TCP,...AP.SF,0,0,3,300,0,0\n";
	int rc = run(q, NULL, NULL, 0, &st);

	is_int(rc, FLOW_E_FORMAT, "headerless CSV is not detected");
	ok(strstr(errbuf, "cannot tell the input format") != NULL, "... and says so");
	rc = run(q, NULL, "nfdump-csv", 0, &st);
	is_int(rc, 0, "--input-format nfdump-csv reads headerless (nfdump -q) CSV");
	is_int(st.records, 1, "... as the 1.7.1 columns");
	is_int(got[0].octets, 300, "... bytes from ibyt");
	rc = run(q, NULL, "sflow", 0, &st);
	is_int(rc, FLOW_E_FORMAT, "unknown --input-format refused");
	is_int(flow_input_format_valid("softflowctl"), 0, "format name check: softflowctl");
	is_int(flow_input_format_valid("xml"), FLOW_E_FORMAT, "format name check: xml");
}

static void test_softflowctl(void)
{
	struct flow_input_stats st;
	int rc = run(NULL, "softflowctl-dump-flows.txt", NULL, 0, &st);

	is_int(rc, 0, "softflowctl dump-flows: read");
	is_int(st.records, 4, "softflowctl dump-flows: 4 records");
	is_int(st.bad_lines, 0, "softflowctl dump-flows: EXPIRY EVENT and blank lines skipped");
	is_int(got[1].octets, 300888, "softflowctl: octets>");
	is_int(got[1].packets, 13, "softflowctl: packets>");
	is_int(got[1].sport, 18080, "softflowctl: first endpoint is the source");
	is_int(got[3].family, 6, "softflowctl: IPv6 endpoint");
	is_int(got[3].start_ms, 1795710484656LL, "softflowctl: start (UTC, ms)");
	is_int(got[3].end_ms, 1795710484663LL, "softflowctl: finish");
	is_int(got[3].tcp_flags, 0x1a, "softflowctl: tcp> hex");

	rc = run(NULL, "softflowd-D.txt", NULL, 0, &st);
	is_int(rc, 0, "softflowd -D: read");
	is_int(st.records, 6, "softflowd -D: the 6 EXPIRED lines");
	is_int(sum_octets, 769 + 300940 + 1705 + 1236912 + 881 + 301076, "softflowd -D: octets");
	is_int(st.bad_lines, 0, "softflowd -D: debug lines skipped");

	rc = run("ACTIVE seq:9 [10.0.0.1]:40000 <> [10.0.0.2]:80 proto:6 octets>:520 "
	    "packets>:10 octets<:1048576 packets<:700 start:2026-11-26T16:28:04.642 "
	    "finish:2026-11-26T16:28:05.000 tcp>:1b tcp<:1a flowlabel>:00000000\n"
	    "ACTIVE seq:10 [10.0.0.1]:40001 <> [10.0.0.2]:80 proto:6 octets>:x packets>:1\n"
	    "ACTIVE seq:11 [10.0.0.1]:40001 <> 10.0.0.2:80 proto:6\n",
	    NULL, NULL, 0, &st);
	is_int(st.records, 2, "softflowctl both directions: two records");
	is_int(got[1].octets, 1048576, "softflowctl: octets< is the reverse record");
	ok(addr_is(got[1].src, "10.0.0.2") && got[1].sport == 80 && got[1].dport == 40000,
	    "softflowctl: reverse record swaps endpoints");
	is_int(got[1].tcp_flags, 0x1a, "softflowctl: tcp< for the reverse record");
	is_int(st.bad_lines, 2, "softflowctl: bad value and bad endpoint reported");
	ok(strstr(errbuf, "t.csv:2: bad value for \"octets>\"") != NULL, "softflowctl: names the field");
	ok(strstr(errbuf, "t.csv:3: bad second endpoint") != NULL, "softflowctl: names the endpoint");
}

static void test_overlong(void)
{
	struct flow_input_stats st;
	size_t n = 100000;
	char *text = malloc(n + 512);
	int rc;

	strcpy(text, "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n");
	{
		size_t h = strlen(text);

		memset(text + h, '9', n);
		text[h + n] = '\0';
	}
	strcat(text, "\n2026-11-26 16:26:27,2026-11-26 16:26:27,0.005,10.0.0.1,10.0.0.2,1,2,TCP,...AP.SF,0,0,3,300,0,0\n");
	rc = run(text, NULL, NULL, 0, &st);
	is_int(rc, 0, "overlong line: not fatal");
	is_int(st.bad_lines, 1, "overlong line: reported");
	is_int(st.records, 1, "overlong line: the next line is read");
	ok(strstr(errbuf, "t.csv:2: line longer than") != NULL, "overlong line: file:line");
	free(text);
}

int main(void)
{
	fg_log_init("t-text", FG_LOG_NORMAL);
	test_nfdump_171();
	test_nfdump_newer();
	test_broken();
	test_headerless();
	test_softflowctl();
	test_overlong();
	return done_testing();
}
