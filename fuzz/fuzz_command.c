/*
 * fuzz_command.c - libFuzzer target: any bytes as a script, every line run
 * as a command against an in-memory database, output in JSON.  Each input
 * runs in a transaction that is rolled back, so every input starts from
 * the same empty database (opening one per input would be slow).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static prm_db *db;
    prm_error err;
    if (db == NULL && prm_open(":memory:", &db, &err) != PRM_OK)
        abort();
    prm_set_now(db, "2026-03-01T12:00:00Z", &err);
    if (prm_begin(db, &err) != PRM_OK)
        abort();
    static FILE *devnull;
    if (devnull == NULL)
        devnull = fopen("/dev/null", "w");
    cli_opts opts = {.json = true};
    cli_session s;
    cli_session_init(&s, db, &opts, "fuzz");
    s.out.out = s.out.err = devnull;
    const char *p = (const char *)data, *end = p + size;
    long lineno = 0;
    while (p < end && !s.ctx.quit) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        cli_exec_line(&s, p, len, ++lineno);
        p += len + (nl != NULL);
    }
    cli_session_free(&s);
    prm_rollback(db, &err);
    return 0;
}
