/*
 * profile.c - per-server overhead votes (see profile.h).
 *
 * A table of servers with a fixed number of entries (addrtab.c: the least
 * recently used of a probe sequence replaced), so memory is fixed at
 * profile_new() time (about 4.4 KB per server: each connection's votes,
 * kept sorted, so that finding the mode is one pass).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addrtab.h"
#include "profile.h"
#include "util.h"

struct server_profile {
	struct addrtab_key key;     /* first: the table's */
	uint32_t next;              /* ring position */
	uint32_t count;             /* connections remembered (<= RING) */
	/* profile_mode() result, and connections added since */
	uint8_t mode_valid, stale;
	struct profile_fit fit;
	int64_t mode_tol;
	/* the last fit the caller accepted (profile_keep()) */
	uint8_t kept_valid;
	struct profile_fit kept;
	int64_t payload[PROFILE_RING]; /* each remembered connection's */
	uint8_t wide_age;           /* connections added since the last
	                               wide fit */
	/* every remembered vote, kept sorted (see profile_vote()) */
	uint16_t nvotes;
	uint64_t votes[PROFILE_RING * PROFILE_VOTES];
};

struct profile_table {
	struct addrtab *t;
};

struct profile_table *profile_new(uint32_t max_servers)
{
	struct profile_table *p = fg_calloc(1, sizeof(*p));

	p->t = addrtab_new(max_servers, sizeof(struct server_profile));
	return p;
}

void profile_free(struct profile_table *p)
{
	if (!p)
		return;
	addrtab_free(p->t);
	free(p);
}

static struct server_profile *lookup(struct profile_table *p, uint8_t family,
    const uint8_t *a, uint16_t port, int create)
{
	return addrtab_find(p->t, family, a, port, create);
}

/*
 * A vote packed so that sorting the integers sorts by (tag, overhead):
 * tag in bits 40-47, overhead + 2^31 in bits 8-39, connection in 4-7, the
 * hex digits of the candidate's size (1-16, 16 as 0) in 0-3.
 */
uint64_t profile_vote(uint8_t tag, int32_t o, uint32_t conn, uint8_t hex)
{
	return (uint64_t)tag << 40 |
	    (uint64_t)((uint32_t)o ^ 0x80000000u) << 8 |
	    (uint64_t)(conn & 0xf) << 4 | (hex & 0xf);
}

static uint8_t key_tag(uint64_t k) { return (uint8_t)(k >> 40); }
static int32_t key_o(uint64_t k)
{
	return (int32_t)((uint32_t)(k >> 8) ^ 0x80000000u);
}
static uint32_t key_conn(uint64_t k) { return (uint32_t)((k >> 4) & 0xf); }
static int key_hex(uint64_t k) { return (k & 0xf) ? (int)(k & 0xf) : 16; }

/* D-SACK copies of the overhead (TLS): 12 bytes each, up to two */
#define SACK_STEPS 2

/* Does [@a, @b] overlap the mode's neighbourhood (best_window())? */
static int near_mode(int32_t a, int32_t b, uint8_t tag, double mode,
    int64_t tol)
{
	int q;

	for (q = 0; q <= (tag ? SACK_STEPS : 0); q++)
		if (b >= mode + 12 * q - 3 * tol &&
		    a <= mode + 12 * q + 3 * tol)
			return 1;
	return 0;
}

/*
 * Slide a window of 2 x tol over the sorted votes, counting distinct
 * connections in it (two pointers, O(v) after the O(v) sort).  With
 * @skip >= 0, windows that overlap [mode - 3 skip, mode + 3 skip] of the
 * mode's tag, or for TLS its D-SACK copies 12 and 24 above, are not
 * counted.  Returns the best count; *@blo and *@bhi get that window.
 */
static int best_window(const uint64_t *v, int n, int64_t tol, int64_t skip,
    uint8_t mtag, double mode, int *blo, int *bhi)
{
	uint8_t cnt[PROFILE_RING] = { 0 };
	int lo = 0, i, distinct = 0, best = 0;

	*blo = *bhi = 0;
	for (i = 0; i < n; i++) {
		if (cnt[key_conn(v[i])]++ == 0)
			distinct++;
		while (key_tag(v[lo]) != key_tag(v[i]) ||
		    (int64_t)key_o(v[i]) - key_o(v[lo]) > 2 * tol) {
			if (--cnt[key_conn(v[lo])] == 0)
				distinct--;
			lo++;
		}
		if (skip >= 0 && key_tag(v[i]) == mtag &&
		    near_mode(key_o(v[lo]), key_o(v[i]), mtag, mode, skip))
			continue;
		if (distinct > best) {
			best = distinct;
			*blo = lo;
			*bhi = i;
		}
	}
	return best;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Distance of @d from 0 or, with @sack, from a D-SACK copy (12, 24), a
 * copy costing a byte more for each SACK block it needs: a base 12 or 24
 * below the votes must not fit them as well as their own value. */
static int32_t sack_dist(int32_t d, int sack)
{
	int32_t best = d < 0 ? -d : d, q, e;

	for (q = 1; sack && q <= SACK_STEPS; q++) {
		e = d - 12 * q;
		if (e < 0)
			e = -e;
		if (e + q < best)
			best = e + q;
	}
	return best;
}

/*
 * The overhead @v[0..n) (@n > 0) agree on: the value b, among the values
 * and, with @sack, their D-SACK copies taken off (v - 12, v - 24), that
 * minimises the sum of each value's distance from b (sack_dist(), capped
 * at 3: a stray vote counts no more), then has the most values exactly
 * at b, then is the smallest.  Into *@l1 that sum.  Like a median for
 * HTTP, but a cluster of D-SACK copies cannot pull it off the overhead.
 */
static int32_t best_base(const int32_t *v, int n, int sack, int *l1)
{
	int32_t best = v[0], b, d;
	int i, j, q, sum, exact, bsum = -1, bexact = 0;

	for (i = 0; i < n; i++)
		for (q = 0; q <= (sack ? SACK_STEPS : 0); q++) {
			b = v[i] - 12 * q;
			sum = exact = 0;
			for (j = 0; j < n; j++) {
				d = sack_dist(v[j] - b, sack);
				sum += d < 3 ? d : 3;
				exact += v[j] == b;
			}
			if (bsum < 0 || sum < bsum ||
			    (sum == bsum && (exact > bexact ||
			    (exact == bexact && b < best)))) {
				bsum = sum;
				bexact = exact;
				best = b;
			}
		}
	*l1 = bsum;
	return best;
}

/*
 * How far below @mode (tag @tag) the connections' overhead lies if a
 * quarter of the @cnt connections in the mode's window, and at least two,
 * have a vote 12 bytes below it (+-1): the value those votes agree on
 * (best_base()) - @mode; else 0.
 */
static int32_t dsack_below(const uint64_t *v, int n, uint8_t tag,
    int32_t mode, int cnt, int exact)
{
	int32_t low[PROFILE_RING], target = mode - 12, slack = exact ? 0 : 1;
	int nlow = 0, k, unused;
	uint32_t c;

	for (c = 0; c < PROFILE_RING; c++) {
		int32_t best = 0;
		int found = 0;

		for (k = 0; k < n; k++) {
			int32_t o = key_o(v[k]);

			if (key_conn(v[k]) != c || key_tag(v[k]) != tag ||
			    o < target - slack || o > target + slack)
				continue;
			if (!found || abs(o - target) < abs(best - target))
				best = o;
			found = 1;
		}
		if (found)
			low[nlow++] = best;
	}
	if (nlow < 2 + exact || 4 * nlow < cnt)
		return 0;
	return best_base(low, nlow, 0, &unused) - mode;
}

/*
 * The overhead most connections agree on: the window of 2 x tol holding
 * votes of the most distinct connections, and in it the value most of
 * the connections' votes nearest the window's middle agree on
 * (best_base()).  Not a mean: a wrong candidate's vote that falls into the
 * window by chance must not pull a server whose overhead is exact to the
 * byte off by one, nor D-SACK copies a TLS server's by 12.
 * Which of the hex-digit models the server follows (profile.h) is the one
 * under which the connections agree more closely.  With @tol 0 (a wide
 * fit, profile.h) only votes exactly equal agree, and D-SACK copies must
 * be exact too, and from three connections.
 */
static void fit_votes(const uint64_t *v, int n, int64_t tol,
    struct profile_fit *f)
{
	int lo, hi, k, cnt = 0, l1yes, l1no, nh[17] = { 0 };
	int32_t yes[PROFILE_RING], no[PROFILE_RING], dev[PROFILE_RING];
	int32_t myes, mno, *vals;
	uint8_t h0[PROFILE_RING];
	int64_t mid2;
	uint32_t c;
	int h, kinds = 0, typ = 0;
	uint8_t tag;

	memset(f, 0, sizeof(*f));
	if (!n)
		return;
	f->support = best_window(v, n, tol, -1, 0, 0, &lo, &hi);
	/* twice the window's middle, to stay in integers */
	mid2 = (int64_t)key_o(v[lo]) + key_o(v[hi]);
	for (c = 0; c < PROFILE_RING; c++) {
		int64_t bestd = -1, d;
		int32_t o = 0;

		h = 0;
		for (k = lo; k <= hi; k++) {
			if (key_conn(v[k]) != c)
				continue;
			d = 2 * (int64_t)key_o(v[k]) - mid2;
			if (d < 0)
				d = -d;
			if (bestd < 0 || d < bestd) {
				bestd = d;
				o = key_o(v[k]);
				h = key_hex(v[k]);
			}
		}
		if (bestd < 0)
			continue;
		yes[cnt] = o;
		no[cnt] = o + h;
		h0[cnt++] = (uint8_t)h;
	}
	/* The overhead they agree on (an overhead the votes hold, not a
	 * half byte), with the sizes' hex digits taken off and kept in. */
	tag = key_tag(v[hi]);
	myes = best_base(yes, cnt, tag != 0, &l1yes);
	mno = best_base(no, cnt, tag != 0, &l1no);
	/* Which model: only connections that fit one of the two within
	 * a byte say (a stray vote says nothing), and only if they were for
	 * sizes of different hex lengths; a clear difference (2 connections'
	 * worth) decides, else both stay possible. */
	for (k = 0; k < cnt; k++)
		if (sack_dist(yes[k] - myes, tag != 0) <= 1 ||
		    sack_dist(no[k] - mno, tag != 0) <= 1)
			if (nh[h0[k]]++ == 0)
				kinds++;
	for (h = 1; h <= 16; h++)
		if (nh[h] > nh[typ])
			typ = h;
	if (kinds > 1 && l1no + 2 <= l1yes)
		f->hex = PROFILE_HEX_NO;
	else if (kinds > 1 && l1yes + 2 <= l1no)
		f->hex = PROFILE_HEX_YES;
	else
		f->hex = PROFILE_HEX_UNKNOWN;
	f->hex_typ = (uint8_t)typ;
	f->mode = f->hex == PROFILE_HEX_NO ? mno : myes;
	vals = f->hex == PROFILE_HEX_NO ? no : yes;
	f->tag = tag;
	/* TLS: a SACK block on a server packet (D-SACK) adds 12 bytes and
	 * never takes any, so when most recent connections carried one the
	 * median sits 12 above the overhead (four HTTPS downloads at once
	 * on the testbed did that to a whole phase).  Connections 12 below
	 * it, a quarter of them and at least two, hold the overhead. */
	for (k = 0; f->tag && k < SACK_STEPS; k++) {
		int32_t shift = dsack_below(v, n, f->tag, myes, cnt,
		    tol == 0);

		if (!shift)
			break;
		myes += shift;
		f->mode += shift;
	}
	for (k = 0; k < cnt; k++)
		dev[k] = sack_dist(vals[k] - (int32_t)f->mode, tag != 0);
	qsort(dev, (size_t)cnt, sizeof(*dev), cmp_i32);
	f->spread = 1.4826 * dev[(cnt - 1) / 2];
	/* The best window that does not overlap the mode: in a dense store
	 * a few connections agree on some wrong value by chance, and the
	 * mode means something only if it clearly beats such values. */
	f->runner_up = best_window(v, n, tol, tol, f->tag, myes, &lo, &hi);
}

static void compute_mode(struct server_profile *s, int64_t tol)
{
	s->mode_valid = 1;
	s->mode_tol = tol;
	fit_votes(s->votes, s->nvotes, tol, &s->fit);
}

int profile_mode(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t tol,
    struct profile_fit *f)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	memset(f, 0, sizeof(*f));
	if (!s)
		return -1;
	/* Once the server's overhead is kept, the mode is only there to
	 * follow a change: recounting it every few connections is enough. */
	if (!s->mode_valid || s->mode_tol != tol ||
	    (s->stale && (!s->kept_valid || s->stale >= 4))) {
		compute_mode(s, tol);
		s->stale = 0;
	}
	*f = s->fit;
	f->count = (int)s->count;
	return 0;
}

void profile_add(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t payload,
    const int32_t *overheads, const uint8_t *tags, const uint8_t *hex,
    int n)
{
	struct server_profile *s = lookup(p, family, server, port, 1);
	uint64_t nv[PROFILE_VOTES], merged[PROFILE_RING * PROFILE_VOTES];
	uint32_t i, slot = PROFILE_RING;
	int j, k, a, b, m;

	for (i = 0; i < s->count; i++)
		if (s->payload[i] - payload <= 64 &&
		    payload - s->payload[i] <= 64)
			slot = i;
	if (slot == PROFILE_RING) {
		slot = s->next;
		s->next = (s->next + 1) % PROFILE_RING;
		if (s->count < PROFILE_RING)
			s->count++;
	}
	if (n > PROFILE_VOTES)
		n = PROFILE_VOTES;
	s->payload[slot] = payload;
	/* the new votes sorted (insertion sort: a few dozen) ... */
	for (j = 0; j < n; j++) {
		uint64_t key = profile_vote(tags[j], overheads[j], slot, hex[j]);

		for (k = j; k > 0 && nv[k - 1] > key; k--)
			nv[k] = nv[k - 1];
		nv[k] = key;
	}
	/* ... merged with the others, the slot's old votes left out: O(v)
	 * per connection, where sorting everything was a tenth of the
	 * matcher's time */
	for (a = 0, b = 0, m = 0; a < s->nvotes || b < n;) {
		if (a < s->nvotes && key_conn(s->votes[a]) == slot) {
			a++;
			continue;
		}
		if (b >= n || (a < s->nvotes && s->votes[a] <= nv[b]))
			merged[m++] = s->votes[a++];
		else
			merged[m++] = nv[b++];
	}
	memcpy(s->votes, merged, (size_t)m * sizeof(*merged));
	s->nvotes = (uint16_t)m;
	if (s->stale < UINT8_MAX)
		s->stale++;
	if (s->wide_age < UINT8_MAX)
		s->wide_age++;
}

void profile_keep(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, const struct profile_fit *f)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	if (!s)
		return;
	s->kept_valid = 1;
	s->kept = *f;
}

int profile_kept(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, struct profile_fit *f)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	if (!s || !s->kept_valid)
		return -1;
	*f = s->kept;
	return 0;
}

int profile_recent(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t *payloads, int *age)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	if (!s)
		return -1;
	memcpy(payloads, s->payload, s->count * sizeof(*payloads));
	*age = s->wide_age;
	return (int)s->count;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Copy into @w (which may be @v) the votes of @v[0..n) (sorted) but
 * those of tag @tag at @mode or its D-SACK copies; with @others, only
 * votes of tag @tag from connections that do not vote for @mode.
 * Returns how many. */
static int votes_without(const uint64_t *v, int n, uint8_t tag,
    int32_t mode, int others, uint64_t *w)
{
	uint32_t voters = 0;
	int i, m = 0;

	for (i = 0; i < n; i++)
		if (key_tag(v[i]) == tag && key_o(v[i]) == mode)
			voters |= 1u << key_conn(v[i]);
	for (i = 0; i < n; i++) {
		if (others && (key_tag(v[i]) != tag ||
		    (voters >> key_conn(v[i]) & 1)))
			continue;
		if (key_tag(v[i]) == tag &&
		    near_mode(key_o(v[i]), key_o(v[i]), tag, mode, 0))
			continue;
		w[m++] = v[i];
	}
	return m;
}

/*
 * A second overhead, among the connections that do not vote for the
 * first: a server whose header differs by file type ("application/zip"
 * is 9 bytes shorter than "application/octet-stream").  Three connections
 * must agree exactly, two more than on any other value, and it must not
 * lie within 3 bytes of the first or of its D-SACK copies (those are the
 * hex model and lost SACK blocks), nor more than SECOND_MAX bytes from it
 * (Content-Types differ by tens of bytes; three connections agreeing on a
 * value 1,393 bytes off were a coincidence, seed 21).  Sets @f->mode2 and
 * @f->support2, and then @f->runner_up to the best value other than
 * both; or leaves them.
 */
#define SECOND_MAX 100

static void second_mode(const uint64_t *v, int n, struct profile_fit *f)
{
	uint64_t *w = fg_calloc((size_t)n, sizeof(*w));
	int32_t mode = (int32_t)f->mode, o2;
	int i, k, m, lo, hi, s2, r2;

	m = votes_without(v, n, f->tag, mode, 1, w);
	for (i = k = 0; i < m; i++)
		if (abs(key_o(w[i]) - mode) <= SECOND_MAX)
			w[k++] = w[i];
	m = k;
	s2 = m ? best_window(w, m, 0, 1, f->tag, mode, &lo, &hi) : 0;
	if (s2 < 3)
		goto out;
	o2 = key_o(w[lo]);
	m = votes_without(w, m, f->tag, o2, 0, w);
	r2 = m ? best_window(w, m, 0, 1, f->tag, mode, &lo, &hi) : 0;
	if (s2 < r2 + 2)
		goto out;
	f->mode2 = o2;
	f->support2 = s2;
	/* a runner-up among all connections: neither overhead */
	m = votes_without(v, n, f->tag, mode, 0, w);
	m = votes_without(w, m, f->tag, o2, 0, w);
	f->runner_up = m ? best_window(w, m, 0, -1, 0, 0, &lo, &hi) : 0;
out:
	free(w);
}

int profile_wide_fit(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, uint64_t *votes, int n,
    struct profile_fit *f)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	memset(f, 0, sizeof(*f));
	if (!s)
		return -1;
	s->wide_age = 0;
	if (n > 0) {
		qsort(votes, (size_t)n, sizeof(*votes), cmp_u64);
		fit_votes(votes, n, 0, f);
		if (f->support > 0)
			second_mode(votes, n, f);
	}
	f->count = (int)s->count;
	f->wide = 1;
	return 0;
}
