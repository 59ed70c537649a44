/*
 * fuzz-softflowctl.c - libFuzzer harness for the softflowctl text parser (text.h has the
 * body): the format forced every other run, detected in between.
 */
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text(data, size, "softflowctl", "fuzz-softflowctl");
}
