/*
 * seen.c - open-addressing set of 64-bit URL hashes.
 *
 * Two different URLs share a hash with probability about n^2 / 2^65: for a
 * million URLs, one chance in 37 million per run that one URL is wrongly
 * taken as seen.  That is the price of not keeping the strings.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "seen.h"
#include "util.h"

struct crawl_seen {
	pthread_mutex_t lock;
	uint64_t *slots;         /* 0 = empty */
	size_t cap, n;           /* cap is a power of two */
};

uint64_t crawl_seen_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	/* murmur3 finaliser: FNV's low bits are weak for table indexes */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h ? h : 1;
}

struct crawl_seen *crawl_seen_new(void)
{
	struct crawl_seen *s = fg_calloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	s->cap = 1024;
	s->slots = fg_calloc(s->cap, sizeof(uint64_t));
	return s;
}

void crawl_seen_free(struct crawl_seen *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
	free(s);
}

static int insert(uint64_t *slots, size_t cap, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slots[i]) {
		if (slots[i] == h)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	slots[i] = h;
	return 1;
}

int crawl_seen_add(struct crawl_seen *s, const char *url)
{
	uint64_t h = crawl_seen_hash(url);
	int added;

	pthread_mutex_lock(&s->lock);
	if ((s->n + 1) * 2 > s->cap) {	/* keep the load under 1/2 */
		size_t ncap = s->cap * 2, i;
		uint64_t *ns = fg_calloc(ncap, sizeof(uint64_t));

		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				insert(ns, ncap, s->slots[i]);
		free(s->slots);
		s->slots = ns;
		s->cap = ncap;
	}
	added = insert(s->slots, s->cap, h);
	s->n += (size_t)added;
	pthread_mutex_unlock(&s->lock);
	return added;
}

size_t crawl_seen_count(struct crawl_seen *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t crawl_seen_bytes(struct crawl_seen *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->cap * sizeof(uint64_t);
	pthread_mutex_unlock(&s->lock);
	return n;
}
