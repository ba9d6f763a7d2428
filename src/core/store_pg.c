/* store_pg.c - team databases on PostgreSQL (being built: see issue #7). */
#include "store.h"

prm_code store_pg_open(const char *uri, prm_db **out, prm_error *err)
{
    (void)uri;
    *out = NULL;
    return prm_error_set(err, PRM_EDB,
                         "team databases (postgresql://) are not supported "
                         "by this build yet");
}
