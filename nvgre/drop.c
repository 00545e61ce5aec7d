#include "nvgre/drop.h"

static const char *const drop_names[NVGRE_DROP_N] = {
	[NVGRE_DROP_NONE] = "none",
#define _(sym, name) [NVGRE_DROP_##sym] = name,
	foreach_nvgre_drop
#undef _
};

const char *
nvgre_drop_name(enum nvgre_drop reason)
{
	if ((unsigned)reason >= NVGRE_DROP_N)
		return "unknown";
	return drop_names[reason];
}
