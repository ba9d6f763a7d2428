/*
 * pq_load.c - find libpq's functions at run time (see pq_load.h).
 */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "store/pg/pq_load.h"

struct pq_api pq_api;

/* Every member of pq_api, by name, in order. */
static const char *const names[] = {
    "PQconnectdb",        "PQfinish",           "PQstatus",
    "PQtransactionStatus", "PQerrorMessage",    "PQexec",
    "PQprepare",          "PQexecPrepared",     "PQexecParams",
    "PQsendQuery",        "PQsendQueryParams",
    "PQsendQueryPrepared", "PQgetResult",       "PQsetSingleRowMode",
    "PQenterPipelineMode",
    "PQexitPipelineMode", "PQpipelineSync",     "PQresultStatus",
    "PQresultErrorField", "PQntuples",          "PQnfields",
    "PQgetvalue",         "PQgetisnull",        "PQgetlength",
    "PQcmdTuples",        "PQclear",            "PQescapeLiteral",
    "PQescapeIdentifier", "PQfreemem",          "PQputCopyData",
    "PQputCopyEnd",
};

prm_code pq_load(prm_error *err)
{
    static bool loaded;
    if (loaded)
        return PRM_OK;
    _Static_assert(sizeof names / sizeof names[0] * sizeof(void (*)(void)) ==
                       sizeof pq_api,
                   "pq_api and names[] list the same functions");
    _Static_assert(sizeof(void *) == sizeof(void (*)(void)),
                   "dlsym's pointers fit the table");
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return prm_error_set(err, PRM_EDB,
                             "team databases need libpq, which is not "
                             "installed (Debian: apt-get install libpq5): %s",
                             dlerror());
    /* The members are function pointers, all of one size on POSIX
     * systems: each goes to its place by bytes. */
    unsigned char *slots = (unsigned char *)&pq_api;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* POSIX: a function pointer may be converted from dlsym's result */
        void *sym = dlsym(lib, names[i]);
        if (sym == NULL)
            return prm_error_set(err, PRM_EDB,
                                 "the libpq installed is too old for prm "
                                 "(no %s; version 14 or later is needed)",
                                 names[i]);
        memcpy(slots + i * sizeof(void (*)(void)), &sym, sizeof sym);
    }
    loaded = true;
    return PRM_OK;
}
