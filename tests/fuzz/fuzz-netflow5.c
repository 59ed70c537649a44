/*
 * fuzz-netflow5.c - libFuzzer harness for the NetFlow v5 decoder (datagram.h has
 * the body): one datagram with its version field forced to 5.
 */
#include "datagram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_datagram(data, size, 5, "fuzz-netflow5");
}
