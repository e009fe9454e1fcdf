#!/bin/sh
# The short soak of `make check`: 1,200 PRs (100 distinct heads; the label
# query still matches more than search's 1,000), the 2,000-file PR opened 4
# times, 1,200 keys, 4 signed decisions and 10 refreshes, so that a leak that
# grows with every key, refresh or PR opened shows in CI.  In so short a run
# the workers' malloc arenas still grow in steps of a few MB after the
# warm-up (valgrind finds nothing lost), so RSS may grow 15 % here; the main
# arena, where the UI thread allocates per key, is held to 5 %.  The full
# run is `make soak` (tests/bench/soak.sh).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir
GTH_SOAK_KEYS=${GTH_SOAK_KEYS:-1200} GTH_SOAK_PRS=${GTH_SOAK_PRS:-1200} \
GTH_SOAK_HEADS=${GTH_SOAK_HEADS:-100} GTH_SOAK_REFRESHES=${GTH_SOAK_REFRESHES:-10} \
GTH_SOAK_BIG_OPENS=${GTH_SOAK_BIG_OPENS:-4} GTH_SOAK_DECISIONS=${GTH_SOAK_DECISIONS:-4} \
GTH_SOAK_RSS_MARGIN=${GTH_SOAK_RSS_MARGIN:-15} \
GTH_SOAK_CSV=${GTH_SOAK_CSV:-$(pwd)/tests/bench/test_soak-memory.csv} \
	exec bash "$top_srcdir/tests/bench/soak.sh"
