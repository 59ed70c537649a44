/*
 * profile.h - what the matcher learns about each server: the bytes it adds
 * to every file (HTTP response header, TLS handshake).
 *
 * That overhead is nearly constant per server (same header fields, same
 * certificate chain) but differs between servers by kilobytes, which is
 * far wider than the gap between near-duplicate file sizes.  Each
 * connection to a server votes for the overhead every candidate in its
 * window would imply; the true overhead is the one that connections for
 * *different* files keep agreeing on, while a wrong candidate's implied
 * overhead agrees only by chance.  Bounded: a fixed number of servers
 * (oldest replaced) and a ring of recent connections per server.
 */
#ifndef FLOWGRAB_PROFILE_H
#define FLOWGRAB_PROFILE_H

#include <stdint.h>

#define PROFILE_RING 16     /* connections remembered per server */
#define PROFILE_VOTES 32    /* candidate overheads kept per connection */

/* Whether a server writes the size in hex into its header too (nginx's
 * and Apache's ETag do, S3's and most CDNs' do not): the votes say which,
 * once they span files of different hex lengths (1 MiB, 16 MiB). */
#define PROFILE_HEX_NO 0        /* mode and overheads: hex digits kept in */
#define PROFILE_HEX_YES 1       /* ... taken off, as payload_overhead() does */
#define PROFILE_HEX_UNKNOWN 2   /* not clear yet: mode as YES */

struct profile_table;

struct profile_table *profile_new(uint32_t max_servers);
void profile_free(struct profile_table *p);

/* What the votes say about one server's overhead. */
struct profile_fit {
	double mode;                /* the overhead most connections agree on */
	double spread;              /* how far they scatter around it: 1.4826 x
	                               the median absolute deviation, bytes */
	uint8_t tag;                /* TLS record overhead of the mode, or 0 */
	uint8_t hex;                /* PROFILE_HEX_*: is the size in hex part
	                               of the header (nginx's ETag)? */
	uint8_t hex_typ;            /* hex digits of most sizes voted for:
	                               with PROFILE_HEX_UNKNOWN, the mode holds
	                               for these under either model */
	int support;                /* connections voting for it */
	int runner_up;              /* support of the best value elsewhere */
	int count;                  /* connections remembered */
	uint8_t wide;               /* from a wide fit (below) */
	double mode2;               /* a wide fit's second overhead (a header
	                               that differs by file type), same tag */
	int support2;               /* its connections, or 0: none */
};

/*
 * The overhead most remembered connections agree on (within @tol, same
 * tag), into @f.  Returns 0, or -1 if the server is unknown.
 */
int profile_mode(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t tol,
    struct profile_fit *f);

/*
 * Remember @f as the server's accepted overhead, and get it back: a
 * burst of lossy connections (whose votes scatter) must not make the
 * matcher forget what it learned.  profile_kept() returns 0 or -1.
 */
void profile_keep(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, const struct profile_fit *f);
int profile_kept(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, struct profile_fit *f);

/* Remember one connection's candidate overheads (payload_overhead(): hex
 * digits taken off), with their TLS tags and the hex digits of the
 * candidates' sizes.  A connection with the same payload as a remembered
 * one replaces it: a repeated file must not outvote the others. */
void profile_add(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t payload,
    const int32_t *overheads, const uint8_t *tags, const uint8_t *hex,
    int n);

/*
 * The wide fit.  A connection votes for its best few candidates only
 * (PROFILE_VOTES), ranked by a model that does not know the server yet;
 * where the store is dense and the overhead far from the typical one (a
 * TLS server whose handshake is 1.3 KB, not 3.5), the right candidate is
 * rarely among them, and a value some connections share by chance can win.
 * A wide fit takes every candidate of the remembered connections (the
 * caller scans the store again for each payload) and counts only exact
 * agreement: the true overhead is exact to the byte, chance agreement on
 * one byte is rare.
 *
 * profile_recent() gives the payloads of the connections remembered
 * (@payloads[PROFILE_RING], index = the connection for profile_vote()),
 * and in *@age how many were added since the last wide fit; it returns
 * how many there are, or -1 if the server is unknown.
 * profile_wide_fit() fits @votes[0..n) (profile_vote(), sorted here) at
 * tolerance 0 into @f (wide set), with a second overhead if the
 * connections that do not vote for the first clearly agree on one, and
 * restarts the age.  Returns 0 or -1.
 */
int profile_recent(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t *payloads, int *age);
uint64_t profile_vote(uint8_t tag, int32_t o, uint32_t conn, uint8_t hex);
int profile_wide_fit(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, uint64_t *votes, int n,
    struct profile_fit *f);

#endif
