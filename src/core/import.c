/*
 * import.c - import of whole databases from an export (transfer.h):
 * json, the export object, read a value at a time (json_stream.c); jsonl,
 * a record a line.
 *
 * An import is all or nothing: it runs inside one savepoint, and the first
 * bad record (wrong type, unknown field, dangling reference, a name that is
 * taken) undoes it whole, with a message that says where.  Into an empty
 * database records keep their ids; into one with records they get new ids
 * and the references between them are mapped to match (in a temporary
 * table, so memory stays flat).  A jsonl import into an empty database
 * lets the store hold its records and write them in batches where it can
 * (a team database; import_bulk.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "import_bulk.h"
#include "json_stream.h"
#include "records.h"
#include "store/store.h"
#include "transfer.h"

/* --- import: one record ---------------------------------------------------- */

typedef struct importer {
    prm_db *db;
    bool keep_ids;
    prm_counts *counts;
    char where[64];
    char dates[STORE_MAX_FIELDS][PRM_TIME_SIZE];
    char domain[PRM_DOMAIN_SIZE];
    int64_t *ids;
    size_t nids, cap;
    int64_t done; /* records added so far */
    import_bulk bulk; /* while the store holds the rows (jsonl) */
    bool located;     /* err names its line already */
} importer;

/* Prefix err's message with where it happened (unless a held line of a
 * bulk load, added again, said already). */
static prm_code at_where(const importer *im, prm_error *err)
{
    if (im->located)
        return err->code;
    return prm_error_set(err, err->code, "%s: %s", im->where, err->message);
}

static bool whole_number(const cJSON *j, int64_t *out)
{
    if (!cJSON_IsNumber(j))
        return false;
    double v = j->valuedouble;
    if (!isfinite(v) || v != floor(v) || fabs(v) > 9007199254740992.0)
        return false;
    *out = (int64_t)v;
    return true;
}

static prm_code bulk_stop(importer *im, prm_error *err);

/* The id a reference in the file stands for in this database. */
static prm_code map_ref(importer *im, prm_kind kind, const cJSON *j,
                        const char *field, int64_t *out, prm_error *err)
{
    int64_t old;
    bool found = false;
    if (!whole_number(j, &old))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s must be an id (a whole number)", field);
    prm_code rc;
    int known = im->bulk.on ? import_bulk_knows(&im->bulk, kind, old) : -1;
    if (im->keep_ids && known >= 0) {
        *out = old; /* the file added it, or did not */
        found = known == 1;
        rc = PRM_OK;
    } else if (im->keep_ids) {
        *out = old;
        rc = bulk_stop(im, err);
        if (rc == PRM_OK)
            rc = store_exists(im->db, prm_kind_get(kind), old, &found, err);
    } else {
        rc = store_map_get(im->db, kind, old, out, &found, err);
    }
    if (rc == PRM_OK && !found)
        rc = prm_error_set(err, PRM_ENOT_FOUND,
                           "%s refers to %s %lld, which the file does not "
                           "hold (or holds later)",
                           field, prm_kind_get(kind)->name, (long long)old);
    return rc;
}

static prm_code add_id(importer *im, int64_t id, prm_error *err)
{
    size_t at = 0;
    while (at < im->nids && im->ids[at] < id)
        at++;
    if (at < im->nids && im->ids[at] == id)
        return PRM_OK;
    if (im->nids == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 8;
        int64_t *ids = realloc(im->ids, cap * sizeof *ids);
        if (ids == NULL)
            return prm_error_nomem(err);
        im->ids = ids;
        im->cap = cap;
    }
    memmove(im->ids + at + 1, im->ids + at, (im->nids - at) * sizeof *im->ids);
    im->ids[at] = id;
    im->nids++;
    return PRM_OK;
}

static prm_code partner_list(importer *im, const cJSON *j, prm_value *v,
                             prm_error *err)
{
    im->nids = 0;
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "partners must be a non-empty array of ids");
    const cJSON *item;
    cJSON_ArrayForEach(item, j)
    {
        int64_t id;
        prm_code rc = map_ref(im, PRM_PARTNER, item, "partners", &id, err);
        if (rc == PRM_OK)
            rc = add_id(im, id, err);
        if (rc != PRM_OK)
            return rc;
    }
    *v = (prm_value){.type = PRM_V_IDS, .ids = im->ids, .nids = im->nids};
    return PRM_OK;
}

static prm_code text_value(const prm_field *f, const cJSON *j, prm_value *v,
                           prm_error *err)
{
    if (!cJSON_IsString(j))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s must be a string or null", f->name);
    size_t len = strlen(j->valuestring);
    if (!prm_utf8_valid(j->valuestring, len))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s is not valid UTF-8", f->name);
    if (len == 0 && (f->flags & PRM_FF_REQUIRED))
        return prm_error_set(err, PRM_EINVALID_VALUE, "%s cannot be empty",
                             f->name);
    if (f->type == PRM_F_ENUM) {
        for (size_t i = 0; f->choices[i] != NULL; i++)
            if (strcmp(f->choices[i], j->valuestring) == 0) {
                *v = (prm_value){.type = PRM_V_TEXT, .s = f->choices[i],
                                 .len = len};
                return PRM_OK;
            }
        return prm_error_set(err, PRM_EINVALID_VALUE, "invalid %s '%.40s'",
                             f->name, j->valuestring);
    }
    *v = (prm_value){.type = PRM_V_TEXT, .s = j->valuestring, .len = len};
    return PRM_OK;
}

static prm_code number_value(const prm_field *f, const cJSON *j, prm_value *v,
                             prm_error *err)
{
    if (f->type == PRM_F_PERCENT || f->type == PRM_F_COUNT) {
        int64_t n, max = f->type == PRM_F_PERCENT ? 100 : PRM_COUNT_MAX;
        if (!whole_number(j, &n) || n < 0 || n > max)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "%s must be a whole number from 0 to %lld",
                                 f->name, (long long)max);
        *v = (prm_value){.type = PRM_V_INT, .i = n};
        return PRM_OK;
    }
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble) ||
        j->valuedouble < 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s must be a non-negative number or null",
                             f->name);
    if (f->type == PRM_F_RATIO && j->valuedouble > 1)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s must be a rate from 0 to 1", f->name);
    *v = (prm_value){.type = PRM_V_REAL, .r = j->valuedouble};
    return PRM_OK;
}

/* An amount: a JSON number, read as the decimal it was written as (cJSON
 * keeps a double; fifteen significant digits give back any amount of at
 * most fifteen digits, 9999999999999.99 included, exactly). */
static prm_code money_value(const prm_field *f, const cJSON *j, prm_value *v,
                            prm_error *err)
{
    char text[64];
    if (cJSON_IsNumber(j) && isfinite(j->valuedouble) && j->valuedouble >= 0)
        snprintf(text, sizeof text, "%.15g", j->valuedouble);
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble) ||
        j->valuedouble < 0 || !prm_parse_money(text, &v->i))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s must be a non-negative amount with at most "
                             "two decimals, or null",
                             f->name);
    v->type = PRM_V_MONEY;
    return PRM_OK;
}

/* One field of a record of kind info from the file into row. */
static prm_code import_value(importer *im, const prm_kind_info *info,
                             const prm_field *f, int i, const cJSON *j,
                             store_row *row, prm_error *err)
{
    prm_value *v = &row->v[i];
    if (f->flags & PRM_FF_COMPUTED) { /* what the file says is not kept */
        row->set[i] = false;
        *v = (prm_value){.type = PRM_V_NULL};
        return PRM_OK;
    }
    row->set[i] = true;
    bool needed = f->type == PRM_F_ID || (f->flags & PRM_FF_REQUIRED);
    if (cJSON_IsNull(j) && needed)
        return prm_error_set(err, PRM_EMISSING_FIELD, "%s has no %s (null)",
                             info->name, f->name);
    if (cJSON_IsNull(j)) {
        /* created_at and updated_at default to now */
        row->set[i] = !(f->flags & PRM_FF_READONLY);
        *v = (prm_value){.type = PRM_V_NULL};
        return PRM_OK;
    }
    switch (f->type) {
    case PRM_F_ID:
        if (!whole_number(j, &v->i) || v->i < 1)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "id must be a whole number from 1");
        v->type = PRM_V_INT;
        row->set[i] = im->keep_ids;
        return PRM_OK;
    case PRM_F_TEXT:
        return text_value(f, j, v, err);
    case PRM_F_ENUM: {
        prm_code rc = text_value(f, j, v, err);
        /* An export says "expired" of an approved deal past its expiry;
         * its expires keeps it so. */
        if (rc == PRM_OK && info->kind == PRM_DEAL &&
            strcmp(v->s, "expired") == 0)
            *v = (prm_value){.type = PRM_V_TEXT, .s = "approved", .len = 8};
        return rc;
    }
    case PRM_F_PERCENT:
    case PRM_F_COUNT:
    case PRM_F_NUMBER:
    case PRM_F_RATIO:
        return number_value(f, j, v, err);
    case PRM_F_MONEY:
        return money_value(f, j, v, err);
    case PRM_F_DOMAIN:
        if (!cJSON_IsString(j) || !prm_parse_domain(j->valuestring, im->domain))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "%s must be a domain such as \"globex.com\"",
                                 f->name);
        *v = (prm_value){.type = PRM_V_TEXT, .s = im->domain,
                         .len = strlen(im->domain)};
        return PRM_OK;
    case PRM_F_DATE:
        if (!cJSON_IsString(j) || !prm_parse_date(j->valuestring, im->dates[i],
                                                  NULL))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "%s must be a date such as "
                                 "\"2026-03-01T00:00:00Z\"",
                                 f->name);
        *v = (prm_value){.type = PRM_V_TEXT, .s = im->dates[i], .len = 20};
        return PRM_OK;
    case PRM_F_PARTNER_REF:
    case PRM_F_PROJECT_REF:
    case PRM_F_REF:
        v->type = PRM_V_INT;
        return map_ref(im, prm_ref_kind(f), j, f->name, &v->i, err);
    case PRM_F_PARTNER_LIST:
        return partner_list(im, j, v, err);
    case PRM_F_ID_LIST: /* computed: left out above */
        return PRM_OK;
    }
    return PRM_OK;
}

/* A field the file leaves out (or gives as null) that add would default:
 * status, progress, amount, and the dates that default to now. */
static bool has_default(const prm_field *f)
{
    return f->default_value != NULL || (f->flags & PRM_FF_NOW);
}

static void apply_defaults(importer *im, const prm_kind_info *info,
                           const bool *seen, store_row *row)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        prm_value *v = &row->v[i];
        if ((seen[i] && v->type != PRM_V_NULL) || !has_default(f))
            continue;
        row->set[i] = true;
        if (f->flags & PRM_FF_NOW) {
            const char *now = store_now(im->db);
            *v = (prm_value){.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
        } else if (f->type == PRM_F_ENUM) {
            *v = (prm_value){.type = PRM_V_TEXT, .s = f->default_value,
                             .len = strlen(f->default_value)};
        } else if (f->type == PRM_F_PERCENT || f->type == PRM_F_COUNT) {
            *v = (prm_value){.type = PRM_V_INT,
                             .i = strtoll(f->default_value, NULL, 10)};
        } else if (f->type == PRM_F_TEXT) {
            *v = (prm_value){.type = PRM_V_TEXT, .s = f->default_value,
                             .len = strlen(f->default_value)};
        } else if (f->type == PRM_F_MONEY) {
            *v = (prm_value){.type = PRM_V_MONEY};
            if (!prm_parse_money(f->default_value, &v->i))
                v->type = PRM_V_NULL;
        } else {
            *v = (prm_value){.type = PRM_V_REAL,
                             .r = strtod(f->default_value, NULL)};
        }
    }
}

static prm_code check_complete(const prm_kind_info *info, const bool *seen,
                               const store_row *row, prm_error *err)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        bool needed = (f->flags & PRM_FF_REQUIRED) || f->type == PRM_F_ID;
        if (needed && (!seen[i] || (row->set[i] &&
                                    row->v[i].type == PRM_V_NULL)))
            return prm_error_set(err, PRM_EMISSING_FIELD, "%s has no %s",
                                 info->name, f->name);
    }
    return PRM_OK;
}

static prm_code import_record(importer *im, const prm_kind_info *info,
                              const cJSON *obj, prm_error *err)
{
    if (!cJSON_IsObject(obj))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s: a %s must be a JSON object", im->where,
                             info->name);
    store_row row = {.set = {false}};
    bool seen[STORE_MAX_FIELDS] = {false};
    int64_t old_id = 0, new_id;
    prm_code rc = PRM_OK;
    for (const cJSON *c = obj->child; c != NULL && rc == PRM_OK; c = c->next) {
        int i = prm_field_index(info, c->string);
        if (i < 0)
            rc = prm_error_set(err, PRM_EUNKNOWN_FIELD,
                               "unknown field '%.40s' for %s", c->string,
                               info->name);
        else if (seen[i])
            rc = prm_error_set(err, PRM_EINVALID_VALUE, "%s is given twice",
                               c->string);
        else {
            seen[i] = true;
            rc = import_value(im, info, &info->fields[i], i, c, &row, err);
            if (rc == PRM_OK && info->fields[i].type == PRM_F_ID)
                old_id = row.v[i].i;
        }
    }
    if (rc == PRM_OK)
        rc = check_complete(info, seen, &row, err);
    if (rc == PRM_OK) {
        apply_defaults(im, info, seen, &row);
        rc = store_insert(im->db, info, &row, &new_id, err);
    }
    if (rc == PRM_OK && !im->keep_ids)
        rc = store_map_put(im->db, info->kind, old_id, new_id, err);
    if (rc == PRM_OK && im->bulk.on)
        rc = import_bulk_saw(&im->bulk, info->kind, new_id, err);
    if (rc != PRM_OK)
        return at_where(im, err);
    im->counts->n[info->kind]++;
    store_progress(im->db, ++im->done);
    return PRM_OK;
}

/* --- import: the two formats ----------------------------------------------- */

static prm_code not_an_export(const char *format, prm_error *err)
{
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "not a prm export: expected a JSON object with "
                         "\"format\":\"%s\"",
                         format);
}

static prm_code check_format(const cJSON *f, const char *format,
                             prm_error *err)
{
    if (!cJSON_IsString(f) || strcmp(f->valuestring, format) != 0)
        return not_an_export(format, err);
    return PRM_OK;
}

static prm_code check_version(const cJSON *v, prm_error *err)
{
    if (!cJSON_IsNumber(v) || (v->valuedouble != 1 && v->valuedouble != 2))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "unsupported export version (this prm reads "
                             "versions 1 and %d)",
                             FORMAT_VERSION);
    return PRM_OK;
}

static prm_code check_header(const cJSON *root, const char *format,
                             prm_error *err)
{
    if (!cJSON_IsObject(root))
        return not_an_export(format, err);
    prm_code rc = check_format(
        cJSON_GetObjectItemCaseSensitive(root, "format"), format, err);
    if (rc == PRM_OK)
        rc = check_version(cJSON_GetObjectItemCaseSensitive(root, "version"),
                           err);
    return rc;
}

/* --- import json: the document a value at a time ---------------------------
 * Each record is added as it is read (json_stream.h), so memory holds one
 * record however large the file.  That asks an order of the document, the
 * one export writes: "ok", "format" and "version" first, then the kinds'
 * arrays, partners before projects before communications, resources and
 * outcomes, each once (a project's partners are then in the database
 * before it). */

typedef struct json_doc {
    bool format, version; /* read */
    int last_kind;        /* the kind whose array was read last, or -1 */
} json_doc;

static prm_code import_array(importer *im, json_stream *js,
                             const prm_kind_info *info, prm_error *err)
{
    if (js->c != '[') {
        cJSON *v = json_stream_value(js, err); /* JSON at all? */
        cJSON_Delete(v);
        return v == NULL ? err->code
                         : prm_error_set(err, PRM_EINVALID_VALUE,
                                         "\"%s\" must be an array",
                                         info->plural);
    }
    json_stream_skip(js);
    if (json_stream_accept(js, ']'))
        return PRM_OK;
    for (int index = 0;; index++) {
        cJSON *rec = json_stream_value(js, err);
        if (rec == NULL)
            return err->code;
        snprintf(im->where, sizeof im->where, "%s[%d]", info->plural, index);
        prm_code rc = import_record(im, info, rec, err);
        cJSON_Delete(rec);
        if (rc != PRM_OK)
            return rc;
        if (json_stream_accept(js, ']'))
            return PRM_OK;
        if (!json_stream_accept(js, ','))
            return json_stream_error(js, err);
    }
}

/* An array of a kind this prm does not keep yet: only an empty one. */
/* The header's members: "ok" (any value), "format", "version". */
static prm_code import_header(json_stream *js, const char *key, json_doc *doc,
                              prm_error *err)
{
    bool format = strcmp(key, "format") == 0;
    bool ours = strcmp(key, "version") == 0 || prm_kind_find_plural(key);
    if (!doc->format && !format && ours)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "\"format\" must come before \"%.40s\": an "
                             "export begins with its format and version",
                             key);
    if (!doc->format && !format && strcmp(key, "ok") != 0)
        return not_an_export(JSON_FORMAT, err);
    cJSON *v = json_stream_value(js, err);
    if (v == NULL)
        return err->code;
    prm_code rc = PRM_OK;
    if (format) {
        rc = check_format(v, JSON_FORMAT, err);
        doc->format = true;
    } else if (strcmp(key, "version") == 0) {
        rc = check_version(v, err);
        doc->version = true;
    }
    cJSON_Delete(v);
    return rc;
}

static prm_code import_member(importer *im, json_stream *js, const char *key,
                              json_doc *doc, prm_error *err)
{
    const prm_kind_info *info = prm_kind_find_plural(key);
    bool header = strcmp(key, "ok") == 0 || strcmp(key, "format") == 0 ||
                  strcmp(key, "version") == 0;
    if (header || !doc->format)
        return import_header(js, key, doc, err);
    if (!doc->version)
        return check_version(NULL, err);
    if (info == NULL)
        return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                             "unknown member '%.40s' in the export", key);
    if ((int)info->kind == doc->last_kind)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "\"%s\" is given twice", info->plural);
    if ((int)info->kind < doc->last_kind)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "\"%s\" comes after \"%s\": an export lists "
                             "partners, projects, communications, resources, "
                             "outcomes, deals, tasks, funds, requests, claims "
                             "and tiers in that order, each once",
                             info->plural,
                             prm_kind_get((prm_kind)doc->last_kind)->plural);
    doc->last_kind = (int)info->kind;
    return import_array(im, js, info, err);
}

static prm_code import_object(importer *im, json_stream *js, prm_error *err)
{
    json_doc doc = {.last_kind = -1};
    json_stream_skip(js); /* the '{' */
    if (!json_stream_accept(js, '}'))
        for (;;) {
            if (js->c != '"')
                return json_stream_error(js, err);
            cJSON *key = json_stream_value(js, err);
            if (key == NULL)
                return err->code;
            prm_code rc = json_stream_accept(js, ':')
                              ? import_member(im, js, key->valuestring, &doc,
                                              err)
                              : json_stream_error(js, err);
            cJSON_Delete(key);
            if (rc != PRM_OK)
                return rc;
            if (json_stream_accept(js, '}'))
                break;
            if (!json_stream_accept(js, ','))
                return json_stream_error(js, err);
        }
    if (!doc.format)
        return not_an_export(JSON_FORMAT, err);
    return doc.version ? PRM_OK : check_version(NULL, err);
}

/* Anything but an object: not valid JSON, or valid and not an export. */
static prm_code import_other(json_stream *js, prm_error *err)
{
    cJSON *v = json_stream_value(js, err);
    if (v == NULL)
        return err->code;
    cJSON_Delete(v);
    return js->c != EOF ? json_stream_error(js, err)
                        : not_an_export(JSON_FORMAT, err);
}

static prm_code import_json(importer *im, FILE *in, prm_error *err)
{
    json_stream js;
    json_stream_init(&js, in);
    prm_code rc = js.c == '{' ? import_object(im, &js, err)
                              : import_other(&js, err);
    if (rc == PRM_OK && js.c != EOF) /* nothing may follow the document */
        rc = json_stream_error(&js, err);
    if (rc == PRM_OK && ferror(in))
        rc = prm_error_set(err, PRM_EIO, "cannot read the file");
    json_stream_free(&js);
    return rc;
}

/* One line of a jsonl import: {"KIND":{...record...}}. */
static prm_code import_line(importer *im, const cJSON *line, prm_error *err)
{
    const cJSON *rec = cJSON_IsObject(line) ? line->child : NULL;
    const prm_kind_info *info =
        rec != NULL && rec->next == NULL ? prm_kind_find(rec->string) : NULL;
    if (info == NULL || strcmp(rec->string, info->name) != 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s: expected {\"KIND\":{...}} with KIND one of "
                             "partner, project, communication, resource, "
                             "outcome",
                             im->where);
    return import_record(im, info, rec, err);
}

/* One line of a jsonl file: the header first, then a record a line. */
static prm_code jsonl_line(importer *im, const char *line, size_t n,
                           long lineno, bool *header, prm_error *err)
{
    snprintf(im->where, sizeof im->where, "line %ld", lineno);
    cJSON *j = memchr(line, '\0', n) ? NULL : cJSON_ParseWithLength(line, n);
    prm_code rc;
    if (j == NULL)
        rc = prm_error_set(err, PRM_EINVALID_VALUE,
                           "line %ld: not valid JSON", lineno);
    else if (!*header) {
        rc = check_header(j, JSONL_FORMAT, err);
        *header = true;
    } else
        rc = import_line(im, j, err);
    cJSON_Delete(j);
    return rc;
}

/* The store writes the rows it holds.  When that fails, the load ends and
 * the held lines are added again one at a time, which names the line at
 * fault and what is wrong with it, as without a bulk load. */
static prm_code bulk_settle(importer *im, prm_error *err)
{
    if (!im->bulk.on)
        return PRM_OK;
    prm_code rc = store_bulk_flush(im->db, err);
    if (rc == PRM_OK) {
        import_bulk_written(&im->bulk, im->counts, im->done);
        return PRM_OK;
    }
    store_bulk_end(im->db);
    im->bulk.on = false;
    *im->counts = im->bulk.counts;
    im->done = im->bulk.done;
    char where[sizeof im->where];
    memcpy(where, im->where, sizeof where);
    bool header = true;
    rc = PRM_OK;
    for (size_t i = 0; i < im->bulk.n && rc == PRM_OK; i++) {
        const char *line = im->bulk.text + im->bulk.start[i];
        rc = jsonl_line(im, line, strlen(line), im->bulk.lineno[i], &header,
                        err);
    }
    im->located = rc != PRM_OK; /* by the held line's number */
    memcpy(im->where, where, sizeof where);
    import_bulk_written(&im->bulk, im->counts, im->done);
    return rc;
}

/* End the bulk load: what follows asks the database. */
static prm_code bulk_stop(importer *im, prm_error *err)
{
    prm_code rc = bulk_settle(im, err);
    store_bulk_end(im->db);
    im->bulk.on = false;
    return rc;
}

static prm_code import_jsonl(importer *im, FILE *in, prm_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    bool header = false;
    prm_code rc = PRM_OK;
    while (rc == PRM_OK && (n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        bool record = header;
        rc = jsonl_line(im, line, (size_t)n, lineno, &header, err);
        /* (a reference the load could not answer ended it on the way) */
        if (rc == PRM_OK && record && im->bulk.on)
            rc = import_bulk_hold(&im->bulk, line, (size_t)n, lineno, err);
        if (rc == PRM_OK && im->bulk.n >= IMPORT_BULK_LINES)
            rc = bulk_settle(im, err);
    }
    free(line);
    if (rc == PRM_OK && ferror(in))
        rc = prm_error_set(err, PRM_EIO, "cannot read the file");
    if (rc == PRM_OK && !header)
        rc = prm_error_set(err, PRM_EINVALID_VALUE,
                           "not a prm export: the file is empty");
    if (rc == PRM_OK)
        rc = bulk_settle(im, err);
    return rc;
}

prm_code prm_import(prm_db *db, prm_format format, FILE *in,
                    prm_counts *counts, prm_error *err)
{
    importer im = {.db = db, .counts = counts};
    *counts = (prm_counts){{0}};
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc != PRM_OK)
        return rc;
    rc = store_is_empty(db, &im.keep_ids, err);
    if (rc == PRM_OK)
        rc = store_map_reset(db, err);
    /* ids kept: the rows go in batches where the store can (a server) */
    im.bulk.on = rc == PRM_OK && im.keep_ids && format == PRM_FORMAT_JSONL &&
                 store_bulk_begin(db);
    if (rc == PRM_OK)
        rc = format == PRM_FORMAT_JSON ? import_json(&im, in, err)
                                       : import_jsonl(&im, in, err);
    if (rc == PRM_OK)
        rc = core_money_imported(db, err);
    store_bulk_end(db);
    import_bulk_free(&im.bulk);
    free(im.ids);
    rc = store_cmd_end(db, rc, err);
    if (rc != PRM_OK)
        *counts = (prm_counts){{0}};
    return rc;
}
