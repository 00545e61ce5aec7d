/* Fuzz target: the configuration file loader, ctl_config_from_json(), as
 * vswitch-controld runs it on the file at start-up and vswitchd on every
 * 'apply' it receives.
 *
 * Input: the text of a configuration file (docs/config.md).  Beyond the
 * sanitizers, it checks that whatever loads encodes back to a text that
 * loads into the same configuration (ctl_config_to_json() is canonical). */
#include <stdlib.h>
#include <string.h>

#include "control/config.h"
#include "fuzz/fuzz.h"

#define MAX_INPUT (1u << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_config *cfg, *again;
	char *text, *out, *out2;
	char err[1024];

	if (size > MAX_INPUT)
		return -1;
	text = malloc(size + 1);
	cfg = ctl_config_new();
	again = ctl_config_new();
	FUZZ_CHECK(text && cfg && again);
	memcpy(text, data, size);
	text[size] = '\0';
	if (ctl_config_from_json(text, cfg, err, sizeof err) == 0) {
		out = ctl_config_to_json(cfg);
		FUZZ_CHECK(out != NULL);
		if (ctl_config_from_json(out, again, err, sizeof err) != 0) {
			fprintf(stderr, "re-encoded configuration refused: "
				"%s\n%s\n", err, out);
			abort();
		}
		out2 = ctl_config_to_json(again);
		FUZZ_CHECK(out2 != NULL && !strcmp(out, out2));
		free(out);
		free(out2);
	} else {
		FUZZ_CHECK(err[0] != '\0');
	}
	ctl_config_free(again);
	ctl_config_free(cfg);
	free(text);
	return 0;
}
