/* decide/'s own helper for JSON that is signed or chained (not exported). */
#ifndef GATEHOUSE_DECIDE_JSONDUMP_H
#define GATEHOUSE_DECIDE_JSONDUMP_H

#include <jansson.h>

/*
 * json_dumps(o, flags), then parsed back and compared with o: NULL unless
 * the text says exactly what o holds.  Out of memory can make jansson drop
 * members or write a key without its name; a record or an audit line like
 * that must never be written.  Caller frees the result with free().
 */
char *gth_decide_json_dump(const json_t *o, size_t flags);

#endif
