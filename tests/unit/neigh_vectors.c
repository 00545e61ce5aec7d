/* Prints each golden frame of neigh_vectors.h as the builders of
 * nvgre/neigh.h write it, one "NAME HEX" line each, for neigh_scapy.py
 * to compare against frames scapy builds from the same description. */
#include <stdio.h>

#include "tests/unit/neigh_vectors.h"

int
main(void)
{
	for (unsigned int i = 0; i < NNV_N; i++) {
		const struct nnv_vector *v = &nnv_vectors[i];
		uint8_t f[NVGRE_NEIGH_FRAME_MAX];
		int n = nnv_build(v, f, sizeof(f));

		if (n < 0) {
			fprintf(stderr, "%s: builder refused (%d)\n", v->name,
				n);
			return 1;
		}
		printf("%s ", v->name);
		for (int b = 0; b < n; b++)
			printf("%02x", f[b]);
		printf("\n");
	}
	return 0;
}
