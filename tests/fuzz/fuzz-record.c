/*
 * fuzz-record.c - libFuzzer harness for the store's decoders of its own
 * values (store/record.c): the first byte picks download, page or
 * frontier item, the rest is the value as LMDB would hand it over.  A
 * damaged value must give STORE_ECORRUPT, never a read past its end; one
 * that decodes must survive a second round unchanged: encoding what was
 * decoded and decoding that again gives the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../store/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode @d, decode it, encode again: both encodings must be equal. */
static void round_trip(const struct store_download *d)
{
	struct fg_buf a, b;
	struct store_download d2;

	fg_buf_init(&a, 1 << 20);
	fg_buf_init(&b, 1 << 20);
	if (record_encode_download(&a, d) == 0) {
		if (record_decode_download(a.data, a.len, &d2) != 0)
			abort();	/* our own encoding refused */
		if (record_encode_download(&b, &d2) != 0 || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			abort();	/* a second round changed it */
	}
	fg_buf_free(&a);
	fg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_download d;
	struct store_page pg;
	struct store_frontier_item it;
	uint8_t *v;
	size_t n;
	int rc;

	if (size == 0)
		return 0;
	/* an exact-size copy, so that ASan sees any read past the end */
	n = size - 1;
	v = malloc(n ? n : 1);
	if (!v)
		return 0;
	memcpy(v, data + 1, n);
	switch (data[0] % 3) {
	case 0:
		rc = record_decode_download(v, n, &d);
		if (rc != 0 && rc != STORE_ECORRUPT)
			abort();
		if (rc == 0) {
			/* strings point into the value and end inside it */
			if (!d.url || !d.vendor || !d.file || !d.content_type ||
			    !d.etag || d.size == 0 || !d.obs.label)
				abort();
			round_trip(&d);
		}
		break;
	case 1:
		rc = record_decode_page(v, n, &pg);
		if (rc != 0 && rc != STORE_ECORRUPT)
			abort();
		if (rc == 0 && !pg.etag)
			abort();
		break;
	default:
		rc = record_decode_item(v, n, &it);
		if (rc != 0 && rc != STORE_ECORRUPT)
			abort();
		if (rc == 0 && (!it.vendor || !it.url))
			abort();
		break;
	}
	free(v);
	return 0;
}
