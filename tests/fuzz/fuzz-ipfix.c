/*
 * fuzz-ipfix.c - libFuzzer harness for the IPFIX decoder (datagram.h has
 * the body): one datagram with its version field forced to 10.
 */
#include "datagram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_datagram(data, size, 10, "fuzz-ipfix");
}
