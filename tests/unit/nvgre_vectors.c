/* Prints each golden NVGRE frame of nvgre_vectors.h as encapsulated by
 * nvgre_encap(), one "NAME HEX" line each, for nvgre_scapy.py to compare
 * against frames scapy builds from the same description. */
#include <stdio.h>

#include "nvgre/wire.h"
#include "tests/unit/nvgre_vectors.h"

int
main(void)
{
	for (unsigned int i = 0; i < NVV_N; i++) {
		const struct nvv_vector *v = &nvv_vectors[i];
		uint8_t f[NVGRE_HDR_MAX + sizeof(nvv_inner)];
		struct nvgre_template t;
		uint32_t hs;

		if (nvgre_template_build(&t, &v->cfg)) {
			fprintf(stderr, "%s: template refused\n", v->name);
			return 1;
		}
		hs = nvgre_template_size(&t);
		for (uint32_t b = 0; b < sizeof(nvv_inner); b++)
			f[hs + b] = nvv_inner[b];
		if (nvgre_encap(&t, f, sizeof(nvv_inner), NVV_VSID,
				NVV_FLOWID)) {
			fprintf(stderr, "%s: encap refused\n", v->name);
			return 1;
		}
		printf("%s ", v->name);
		for (uint32_t b = 0; b < hs + sizeof(nvv_inner); b++)
			printf("%02x", f[b]);
		printf("\n");
	}
	return 0;
}
