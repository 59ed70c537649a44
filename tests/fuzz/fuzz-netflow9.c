/*
 * fuzz-netflow9.c - libFuzzer harness for the NetFlow v9 decoder (datagram.h has
 * the body): one datagram with its version field forced to 9.
 */
#include "datagram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_datagram(data, size, 9, "fuzz-netflow9");
}
