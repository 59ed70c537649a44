/*
 * conn.c - the connection table (see conn.h).
 *
 * Slots live in one array allocated up front, chained into a hash table
 * (buckets of slot indexes) and into one of two lists ordered by the last
 * update: "live" connections and "closing" ones (FIN/RST seen, waiting a
 * grace period for the other direction's record, which softflowd may send
 * in the next datagram).  Expiry only ever looks at list heads, so it costs
 * nothing per quiet connection.  The key is the unordered pair of
 * endpoints, so both directions land in the same slot.  The hash is seeded
 * at start so that crafted flows cannot pile up in one bucket.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "util.h"

#define NIL UINT32_MAX
#define QUEUE 8         /* conn_queue(): records in flight (power of two) */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

enum { SLOT_FREE = 0, SLOT_LIVE = 1, SLOT_CLOSING = 2 };
enum { LIST_LIVE = 0, LIST_CLOSING = 1 };

struct slot {
	uint8_t state;
	uint8_t family;
	uint8_t flags;              /* CONN_F_SAMPLED, CONN_F_RST */
	uint8_t tcp_flags[2];
	uint8_t addr[2][16];        /* side 0 = source of the first record */
	uint16_t port[2];
	uint32_t records;
	uint64_t octets[2];         /* sent by side i */
	uint64_t packets[2];
	int64_t start_ms, end_ms;
	int64_t touched;            /* table clock at the last update */
	uint32_t hnext;             /* hash chain, or free list */
	uint32_t bucket;            /* its hash bucket: unlinking needs no
	                               hashing */
	uint32_t prev, next;        /* live/closing list */
};

struct conn_table {
	struct conn_config cfg;
	conn_done_fn done;
	void *arg;
	struct slot *slots;
	uint32_t *buckets;
	uint32_t nbuckets;          /* power of two */
	uint32_t free_head;
	uint32_t head[2], tail[2];
	uint64_t seed;
	int64_t clock;              /* newest record end time seen */
	struct conn_stats st;
	/* conn_queue()'s records in flight, oldest at qhead */
	struct pending {
		struct flow_record r;
		uint32_t bucket;
	} q[QUEUE];
	uint32_t qhead, qn;
};

size_t conn_slot_bytes(void)
{
	/* a slot plus its share of the bucket array (at most two per slot) */
	return sizeof(struct slot) + 2 * sizeof(uint32_t);
}

struct conn_table *conn_table_new(const struct conn_config *cfg,
    conn_done_fn done, void *arg)
{
	struct conn_table *t = fg_calloc(1, sizeof(*t));
	uint32_t n = cfg->max_connections < 16 ? 16 : cfg->max_connections;
	uint32_t i;

	t->cfg = *cfg;
	t->cfg.max_connections = n;
	t->done = done;
	t->arg = arg;
	t->slots = fg_calloc(n, sizeof(*t->slots));
	t->nbuckets = 16;
	while (t->nbuckets < n && t->nbuckets < (1u << 31))
		t->nbuckets <<= 1;
	t->buckets = fg_malloc((size_t)t->nbuckets * sizeof(uint32_t));
	for (i = 0; i < t->nbuckets; i++)
		t->buckets[i] = NIL;
	for (i = 0; i < n; i++)
		t->slots[i].hnext = i + 1 < n ? i + 1 : NIL;
	t->free_head = 0;
	t->head[0] = t->head[1] = t->tail[0] = t->tail[1] = NIL;
	t->seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^
	    (uint64_t)(uintptr_t)t;
	t->seed = t->seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	return t;
}

void conn_table_free(struct conn_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->buckets);
	free(t);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Compare endpoint (a, ap) with (b, bp): the key is order-independent. */
static int ep_cmp(const uint8_t *a, uint16_t ap, const uint8_t *b,
    uint16_t bp)
{
	int c = memcmp(a, b, 16);

	if (c)
		return c;
	return (int)ap - (int)bp;
}

static uint32_t bucket_of(const struct conn_table *t, uint8_t family,
    const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	uint64_t h = t->seed ^ family;

	if (ep_cmp(a, ap, b, bp) > 0) {
		const uint8_t *x = a;
		uint16_t xp = ap;

		a = b; ap = bp; b = x; bp = xp;
	}
	h = mix(h, load64(a));
	h = mix(h, load64(a + 8));
	h = mix(h, load64(b));
	h = mix(h, load64(b + 8));
	h = mix(h, ((uint64_t)ap << 16) | bp);
	return (uint32_t)(h & (t->nbuckets - 1));
}

static void list_unlink(struct conn_table *t, uint32_t i)
{
	struct slot *s = &t->slots[i];
	int l = s->state == SLOT_CLOSING ? LIST_CLOSING : LIST_LIVE;

	if (s->prev != NIL)
		t->slots[s->prev].next = s->next;
	else
		t->head[l] = s->next;
	if (s->next != NIL)
		t->slots[s->next].prev = s->prev;
	else
		t->tail[l] = s->prev;
	s->prev = s->next = NIL;
}

static void list_append(struct conn_table *t, uint32_t i, int l)
{
	struct slot *s = &t->slots[i];

	s->state = l == LIST_CLOSING ? SLOT_CLOSING : SLOT_LIVE;
	s->next = NIL;
	s->prev = t->tail[l];
	if (t->tail[l] != NIL)
		t->slots[t->tail[l]].next = i;
	else
		t->head[l] = i;
	t->tail[l] = i;
}

static void hash_unlink(struct conn_table *t, uint32_t i)
{
	struct slot *s = &t->slots[i];
	uint32_t *pp = &t->buckets[s->bucket];

	while (*pp != NIL && *pp != i)
		pp = &t->slots[*pp].hnext;
	if (*pp == i)
		*pp = s->hnext;
}

/* Hand slot @i to the callback and free it. */
static void finish(struct conn_table *t, uint32_t i, uint8_t extra)
{
	struct slot *s = &t->slots[i];
	struct connection c;
	int sv;

	memset(&c, 0, sizeof(c));
	/* The server sends the data; on a tie the lower port is the server. */
	if (s->octets[0] != s->octets[1])
		sv = s->octets[0] > s->octets[1] ? 0 : 1;
	else
		sv = s->port[0] < s->port[1] ? 0 : 1;
	c.family = s->family;
	c.flags = (uint8_t)(s->flags | extra);
	if (s->state == SLOT_CLOSING)
		c.flags |= CONN_F_CLOSED;
	if (s->packets[0] == 0 || s->packets[1] == 0)
		c.flags |= CONN_F_ONEWAY;
	memcpy(c.server, s->addr[sv], 16);
	memcpy(c.client, s->addr[!sv], 16);
	c.server_port = s->port[sv];
	c.client_port = s->port[!sv];
	c.data_octets = s->octets[sv];
	c.data_packets = s->packets[sv];
	c.req_octets = s->octets[!sv];
	c.req_packets = s->packets[!sv];
	c.data_tcp_flags = s->tcp_flags[sv];
	c.req_tcp_flags = s->tcp_flags[!sv];
	c.start_ms = s->start_ms;
	c.end_ms = s->end_ms;
	c.records = s->records;

	hash_unlink(t, i);
	list_unlink(t, i);
	s->state = SLOT_FREE;
	s->hnext = t->free_head;
	t->free_head = i;
	t->st.live--;
	t->st.connections++;
	if (extra & CONN_F_EVICTED)
		t->st.evicted++;
	if (t->done)
		t->done(&c, t->arg);
}

static uint32_t find(struct conn_table *t, const struct flow_record *r,
    uint32_t b, int *side)
{
	uint32_t i;

	for (i = t->buckets[b]; i != NIL; i = t->slots[i].hnext) {
		struct slot *s = &t->slots[i];

		if (s->family != r->family)
			continue;
		if (s->port[0] == r->sport && s->port[1] == r->dport &&
		    !memcmp(s->addr[0], r->src, 16) &&
		    !memcmp(s->addr[1], r->dst, 16)) {
			*side = 0;
			return i;
		}
		if (s->port[0] == r->dport && s->port[1] == r->sport &&
		    !memcmp(s->addr[0], r->dst, 16) &&
		    !memcmp(s->addr[1], r->src, 16)) {
			*side = 1;
			return i;
		}
	}
	return NIL;
}

static uint32_t alloc_slot(struct conn_table *t, const struct flow_record *r,
    uint32_t b)
{
	uint32_t i;
	struct slot *s;

	if (t->free_head == NIL) {
		/* Closing connections are complete already: end them first. */
		if (t->head[LIST_CLOSING] != NIL)
			finish(t, t->head[LIST_CLOSING], 0);
		else
			finish(t, t->head[LIST_LIVE], CONN_F_EVICTED);
	}
	i = t->free_head;
	s = &t->slots[i];
	t->free_head = s->hnext;
	memset(s, 0, sizeof(*s));
	s->family = r->family;
	memcpy(s->addr[0], r->src, 16);
	memcpy(s->addr[1], r->dst, 16);
	s->port[0] = r->sport;
	s->port[1] = r->dport;
	s->start_ms = r->start_ms;
	s->end_ms = r->end_ms;
	s->bucket = b;
	s->hnext = t->buckets[b];
	t->buckets[b] = i;
	s->prev = s->next = NIL;
	s->state = SLOT_LIVE;
	list_append(t, i, LIST_LIVE);
	t->st.live++;
	if (t->st.live > t->st.peak)
		t->st.peak = t->st.live;
	return i;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Count @r; 1 if it is TCP, to be merged. */
static int offered(struct conn_table *t, const struct flow_record *r)
{
	t->st.records++;
	if (r->proto != 6 || (r->family != 4 && r->family != 6))
		return 0;
	t->st.tcp_records++;
	return 1;
}

static uint32_t bucket_of_record(const struct conn_table *t,
    const struct flow_record *r)
{
	return bucket_of(t, r->family, r->src, r->sport, r->dst, r->dport);
}

/* Merge TCP record @r, whose hash bucket is @b. */
static void merge(struct conn_table *t, const struct flow_record *r,
    uint32_t b)
{
	struct slot *s;
	uint32_t i;
	int side = 0;
	uint8_t f0, f1;

	if (r->end_ms > t->clock)
		t->clock = r->end_ms;

	i = find(t, r, b, &side);
	if (i != NIL) {
		s = &t->slots[i];
		/*
		 * Same 5-tuple but not adjacent in time, or a new SYN after the
		 * connection closed: the port was reused, this is another
		 * connection.
		 */
		if (r->start_ms > s->end_ms + t->cfg.idle_ms ||
		    r->end_ms + t->cfg.idle_ms < s->start_ms ||
		    (s->state == SLOT_CLOSING && (r->tcp_flags & CONN_TCP_SYN) &&
		    r->start_ms > s->end_ms)) {
			finish(t, i, 0);
			i = NIL;
		}
	}
	if (i == NIL) {
		i = alloc_slot(t, r, b);
		side = 0;
	}
	s = &t->slots[i];
	s->octets[side] = sat_add(s->octets[side], r->octets);
	s->packets[side] = sat_add(s->packets[side], r->packets);
	s->tcp_flags[side] |= r->tcp_flags;
	if (r->flags & FLOW_F_BIDIR) {
		s->octets[!side] = sat_add(s->octets[!side], r->rev_octets);
		s->packets[!side] = sat_add(s->packets[!side], r->rev_packets);
		s->tcp_flags[!side] |= r->rev_tcp_flags;
	}
	if ((r->flags & FLOW_F_SAMPLED) || r->sampling > 1)
		s->flags |= CONN_F_SAMPLED;
	if (r->start_ms < s->start_ms)
		s->start_ms = r->start_ms;
	if (r->end_ms > s->end_ms)
		s->end_ms = r->end_ms;
	if (s->records < UINT32_MAX)
		s->records++;
	s->touched = t->clock;

	f0 = s->tcp_flags[0];
	f1 = s->tcp_flags[1];
	if ((f0 | f1) & CONN_TCP_RST)
		s->flags |= CONN_F_RST;
	list_unlink(t, i);
	if (((f0 | f1) & CONN_TCP_RST) ||
	    ((f0 & CONN_TCP_FIN) && (f1 & CONN_TCP_FIN)))
		list_append(t, i, LIST_CLOSING);
	else
		list_append(t, i, LIST_LIVE);
}

void conn_add(struct conn_table *t, const struct flow_record *r)
{
	conn_drain(t);
	if (offered(t, r))
		merge(t, r, bucket_of_record(t, r));
}

/* Merge the oldest record in flight; first prefetch the chain head of
 * the one half the queue behind it, whose bucket should be in by now. */
static void merge_oldest(struct conn_table *t)
{
	struct pending *p = &t->q[t->qhead];

	if (t->qn > QUEUE / 2) {
		uint32_t h = t->buckets[t->q[(t->qhead + QUEUE / 2) %
		    QUEUE].bucket];

		if (h != NIL)
			PREFETCH(&t->slots[h]);
	}
	t->qhead = (t->qhead + 1) % QUEUE;
	t->qn--;
	merge(t, &p->r, p->bucket);
}

void conn_queue(struct conn_table *t, const struct flow_record *r)
{
	struct pending *p;

	if (!offered(t, r))
		return;
	if (t->qn == QUEUE)
		merge_oldest(t);
	p = &t->q[(t->qhead + t->qn) % QUEUE];
	p->r = *r;
	p->bucket = bucket_of_record(t, r);
	PREFETCH(&t->buckets[p->bucket]);
	t->qn++;
}

void conn_drain(struct conn_table *t)
{
	while (t->qn)
		merge_oldest(t);
}

/*
 * Finish the heads of list @l last updated at or before @limit.  Expiry
 * reaches connections nothing has touched for a while: each costs a cache
 * miss in the slot array and one in the bucket array (hash_unlink()), so
 * the slot two ahead and the bucket one ahead are prefetched while this
 * one is finished.
 */
static void finish_until(struct conn_table *t, int l, int64_t limit)
{
	uint32_t i = t->head[l];

	if (i != NIL && t->slots[i].next != NIL)
		PREFETCH(&t->slots[t->slots[i].next]);
	while (i != NIL && t->slots[i].touched <= limit) {
		uint32_t n = t->slots[i].next;

		if (n != NIL) {
			const struct slot *ns = &t->slots[n];

			PREFETCH(&t->buckets[ns->bucket]);
			if (ns->next != NIL)
				PREFETCH(&t->slots[ns->next]);
		}
		finish(t, i, 0);
		/* the callback may have ended others: start from the head */
		i = t->head[l];
	}
}

void conn_expire(struct conn_table *t, int64_t now_ms)
{
	int64_t now;

	conn_drain(t);
	now = now_ms > t->clock ? now_ms : t->clock;

	finish_until(t, LIST_CLOSING, now - t->cfg.grace_ms);
	finish_until(t, LIST_LIVE, now - t->cfg.idle_ms);
}

void conn_flush(struct conn_table *t)
{
	conn_drain(t);
	finish_until(t, LIST_CLOSING, INT64_MAX);
	finish_until(t, LIST_LIVE, INT64_MAX);
}

void conn_get_stats(const struct conn_table *t, struct conn_stats *st)
{
	*st = t->st;
}
