/* The GraphQL document of the queue read path, compiled in from github_queue.graphql. */
#include "config.h"

#include "gatehouse/forge/github.h"

const char gth_github_queue_graphql[] =
#include "src/forge/github_queue.inc"
	;
