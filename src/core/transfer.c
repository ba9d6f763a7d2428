/*
 * transfer.c - export of whole databases as JSON (transfer.h names the
 * formats; import.c reads them back).
 *
 * Every record, id and field, in prm_kind order, each kind's array (json)
 * or lines (jsonl) named by it.  Export streams records as it reads them,
 * in one read transaction, so memory stays flat and the file is one
 * consistent state.
 */
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "store/store.h"
#include "transfer.h"

/* --- export ------------------------------------------------------------- */

typedef struct exporter {
    FILE *out;
    prm_format format;
    int64_t rows;
} exporter;

static bool export_row(void *ctx, const prm_record *rec)
{
    exporter *ex = ctx;
    if (ex->format == PRM_FORMAT_JSONL) {
        fprintf(ex->out, "{\"%s\":", rec->info->name);
        prm_json_record_stored(ex->out, rec);
        fputs("}\n", ex->out);
    } else {
        if (ex->rows > 0)
            putc(',', ex->out);
        prm_json_record_stored(ex->out, rec);
    }
    ex->rows++;
    return !ferror(ex->out);
}

static prm_code export_kinds(prm_db *db, exporter *ex, prm_counts *counts,
                             prm_error *err)
{
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        ex->rows = 0;
        if (ex->format == PRM_FORMAT_JSON)
            fprintf(ex->out, ",\"%s\":[", info->plural);
        prm_code rc = store_list(db, info, NULL, 0, false, export_row, ex, err);
        if (rc != PRM_OK)
            return rc;
        if (ex->format == PRM_FORMAT_JSON)
            putc(']', ex->out);
        counts->n[k] = ex->rows;
    }
    return PRM_OK;
}

prm_code prm_export(prm_db *db, prm_format format, FILE *out,
                    prm_counts *counts, prm_error *err)
{
    exporter ex = {.out = out, .format = format};
    *counts = (prm_counts){{0}};
    /* One read transaction: the export is one consistent state. */
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    if (format == PRM_FORMAT_JSON)
        fprintf(out, "{\"ok\":true,\"format\":\"%s\",\"version\":%d",
                JSON_FORMAT, FORMAT_VERSION);
    else
        fprintf(out, "{\"format\":\"%s\",\"version\":%d}\n", JSONL_FORMAT,
                FORMAT_VERSION);
    rc = export_kinds(db, &ex, counts, err);
    if (rc == PRM_OK && format == PRM_FORMAT_JSON)
        fputs("}\n", out);
    if (rc == PRM_OK && (fflush(out) != 0 || ferror(out)))
        rc = prm_error_set(err, PRM_EIO, "cannot write the export");
    return store_cmd_end(db, rc, err);
}
