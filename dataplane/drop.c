#include "dataplane/drop.h"

static const char *const drop_names[DP_DROP_N] = {
	[DP_DROP_NONE] = "none",
#define _(sym, name) [DP_DROP_##sym] = name,
	foreach_dp_drop
#undef _
};

const char *
dp_drop_name(enum dp_drop reason)
{
	if ((unsigned)reason >= DP_DROP_N)
		return "unknown";
	return drop_names[reason];
}
