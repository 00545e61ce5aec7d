/* Shared by the libFuzzer targets in fuzz/: the entry point libFuzzer
 * calls and the check that turns a broken invariant into a crash, which
 * libFuzzer then reports and saves like any sanitizer finding. */
#ifndef VSWITCH_FUZZ_FUZZ_H
#define VSWITCH_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts, naming the condition and where, when 'cond' is false: a decoder
 * broke its own contract (an offset past the frame, a VLAN it was not
 * allowed to give, an encoding that does not decode back). */
#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

#endif
