/*
 * fuzz_import.c - libFuzzer target: any bytes as a file to import json,
 * import jsonl and import csv into an empty in-memory database (each in a
 * transaction rolled back afterwards).  A rejected import must leave the
 * database empty, and import json, which reads a document a record at a
 * time, must take nothing that cJSON refuses as a whole document.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include <cjson/cJSON.h>

#include "prm/prm.h"

/* Whether cJSON takes data whole: one value, nothing after it. */
static bool whole_json(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size) != NULL)
        return false;
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    cJSON *v = cJSON_ParseWithLengthOpts(text, size + 1, NULL, true);
    cJSON_Delete(v);
    free(text);
    return v != NULL;
}

static void must_be_empty(prm_db *db)
{
    prm_metrics m;
    prm_error err;
    if (prm_metrics_compute(db, NULL, 0, &m, &err) != PRM_OK ||
        m.partners + m.projects + m.communications + m.resources +
                m.outcomes != 0)
        abort(); /* a failed import left something behind */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static prm_db *db;
    prm_error err;
    if (db == NULL && prm_open(":memory:", &db, &err) != PRM_OK)
        abort();
    for (int format = 0; format < 3; format++) {
        FILE *in = fmemopen((void *)data, size, "r");
        if (in == NULL)
            return 0; /* an empty input, which fmemopen may refuse */
        if (prm_begin(db, &err) != PRM_OK)
            abort();
        prm_counts counts;
        int64_t rows;
        prm_code rc =
            format == 2
                ? prm_import_csv(db, PRM_PARTNER, in, &rows, &err)
                : prm_import(db, format ? PRM_FORMAT_JSONL : PRM_FORMAT_JSON,
                             in, &counts, &err);
        if (rc != PRM_OK)
            must_be_empty(db);
        else if (format == 0 && !whole_json(data, size))
            abort(); /* the streamed reader took what is not JSON */
        fclose(in);
        prm_rollback(db, &err);
    }
    return 0;
}
