/*
 * csv.c - one kind's records as CSV (RFC 4180), to and from spreadsheets
 * and other CRMs.
 *
 * Export writes a header row of the kind's field names, then a row per
 * record; cells holding a comma, a quote or a line break are quoted, quotes
 * doubled; rows end in CRLF.  A project's partners are ids joined by commas.
 *
 * Import reads such a file: the header names fields (in any order, any
 * subset that includes the required ones); cells may be quoted and hold
 * commas, quotes and line breaks; a quote inside an unquoted cell is kept
 * as it is; LF or CRLF; a UTF-8 byte order mark is skipped.  Each row is added as `KIND add` would add it, so references
 * may be ids or names and an empty cell means no value.  The id,
 * created_at and updated_at columns of an export are ignored: records get
 * new ids.  All or nothing: the first bad row undoes the whole import, and
 * its message names the line.
 */
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "store/store.h"

/* --- export ------------------------------------------------------------- */

static void csv_cell(FILE *out, const char *s, size_t len)
{
    if (strcspn(s, ",\"\r\n") >= len) {
        fwrite(s, 1, len, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

static void csv_value(FILE *out, const prm_value *v)
{
    char buf[64];
    switch (v->type) {
    case PRM_V_INT:
        fprintf(out, "%lld", (long long)v->i);
        break;
    case PRM_V_REAL:
        prm_format_number(v->r, buf, sizeof buf);
        fputs(buf, out);
        break;
    case PRM_V_MONEY:
        prm_format_money(v->i, buf, sizeof buf);
        fputs(buf, out);
        break;
    case PRM_V_TEXT:
        csv_cell(out, v->s, v->len);
        break;
    case PRM_V_IDS:
        if (v->nids > 1)
            putc('"', out);
        for (size_t i = 0; i < v->nids; i++)
            fprintf(out, "%s%lld", i ? "," : "", (long long)v->ids[i]);
        if (v->nids > 1)
            putc('"', out);
        break;
    default:
        break; /* no value: an empty cell */
    }
}

typedef struct csv_export {
    FILE *out;
    int64_t rows;
} csv_export;

static bool export_row(void *ctx, const prm_record *rec)
{
    csv_export *ex = ctx;
    size_t n = 0;
    for (size_t i = 0; i < rec->info->nfields; i++) {
        if (rec->info->fields[i].flags & PRM_FF_COMPUTED)
            continue;
        if (n++)
            putc(',', ex->out);
        csv_value(ex->out, &rec->v[i]);
    }
    fputs("\r\n", ex->out);
    ex->rows++;
    return !ferror(ex->out);
}

prm_code prm_export_csv(prm_db *db, prm_kind kind, FILE *out, int64_t *rows,
                        prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    csv_export ex = {.out = out};
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    for (size_t i = 0, n = 0; i < info->nfields; i++)
        if (!(info->fields[i].flags & PRM_FF_COMPUTED))
            fprintf(out, "%s%s", n++ ? "," : "", info->fields[i].name);
    fputs("\r\n", out);
    rc = store_list(db, info, NULL, 0, false, export_row, &ex, err);
    if (rc == PRM_OK && (fflush(out) != 0 || ferror(out)))
        rc = prm_error_set(err, PRM_EIO, "cannot write the export");
    *rows = ex.rows;
    return store_cmd_end(db, rc, err);
}

/* --- reading CSV ------------------------------------------------------- */

typedef struct csv_reader {
    FILE *in;
    long line;     /* physical line the reader is on */
    char *text;    /* the row's cells, each NUL-terminated */
    size_t len, cap;
    size_t *cells; /* offsets of the cells in text */
    size_t ncells, cells_cap;
} csv_reader;

static bool put_char(csv_reader *r, char c)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        char *text = realloc(r->text, cap);
        if (text == NULL)
            return false;
        r->text = text;
        r->cap = cap;
    }
    r->text[r->len++] = c;
    return true;
}

static bool start_cell(csv_reader *r)
{
    if (r->ncells == r->cells_cap) {
        size_t cap = r->cells_cap ? r->cells_cap * 2 : 16;
        size_t *cells = realloc(r->cells, cap * sizeof *cells);
        if (cells == NULL)
            return false;
        r->cells = cells;
        r->cells_cap = cap;
    }
    r->cells[r->ncells++] = r->len;
    return true;
}

/* A quoted cell, the opening quote read; returns the character after the
 * closing quote, or -2 on an error. */
static int quoted_cell(csv_reader *r, long first, prm_error *err)
{
    for (;;) {
        int c = getc(r->in);
        if (c == EOF) {
            prm_error_set(err, PRM_EINVALID_VALUE,
                          "line %ld: a quoted cell is not closed", first);
            return -2;
        }
        if (c == '"') {
            c = getc(r->in);
            if (c != '"')
                return c;
        }
        if (c == '\n')
            r->line++;
        if (!put_char(r, (char)c)) {
            prm_error_nomem(err);
            return -2;
        }
    }
}

/* One cell; returns the character that ended it, or -2 on an error. */
static int read_cell(csv_reader *r, long first, prm_error *err)
{
    if (!start_cell(r)) {
        prm_error_nomem(err);
        return -2;
    }
    int c = getc(r->in);
    if (c == '"') {
        c = quoted_cell(r, first, err);
        if (c != -2 && c != ',' && c != '\n' && c != '\r' && c != EOF) {
            prm_error_set(err, PRM_EINVALID_VALUE,
                          "line %ld: text after the closing quote of a cell; "
                          "a quote inside a cell is written \"\"",
                          r->line);
            return -2;
        }
    } else {
        /* A quote inside an unquoted cell (37'37.8"N) is taken as it
         * is, as spreadsheets do. */
        for (; c != ',' && c != '\n' && c != '\r' && c != EOF; c = getc(r->in)) {
            if (!put_char(r, (char)c)) {
                prm_error_nomem(err);
                return -2;
            }
        }
    }
    if (c != -2 && !put_char(r, '\0')) {
        prm_error_nomem(err);
        return -2;
    }
    return c;
}

/* The next row into r; 1 for a row, 0 at the end, -1 on an error.  Blank
 * lines are skipped.  *first is the line the row starts on. */
static int read_row(csv_reader *r, long *first, prm_error *err)
{
    for (;;) {
        r->len = r->ncells = 0;
        *first = r->line;
        int c;
        do {
            c = read_cell(r, *first, err);
        } while (c == ',');
        if (c == -2)
            return -1;
        if (c == '\r') {
            int next = getc(r->in);
            if (next != '\n' && next != EOF)
                ungetc(next, r->in);
        }
        bool blank = r->ncells == 1 && r->text[0] == '\0';
        if (c != EOF || !blank)
            r->line++;
        if (!blank)
            return 1;
        if (c == EOF)
            return 0;
    }
}

static const char *cell(const csv_reader *r, size_t i)
{
    return r->text + r->cells[i];
}

/* Bytes in cell i (cells end in a NUL, so a NUL inside one shows as a
 * strlen shorter than this). */
static size_t cell_len(const csv_reader *r, size_t i)
{
    size_t end = i + 1 < r->ncells ? r->cells[i + 1] : r->len;
    return end - r->cells[i] - 1;
}

/* --- import ---------------------------------------------------------------- */

/* The header row: the field each column fills, or -1 for an ignored one. */
static prm_code read_header(csv_reader *r, const prm_kind_info *info,
                            int *columns, size_t *ncolumns, prm_error *err)
{
    long first;
    int rc = read_row(r, &first, err);
    if (rc < 0)
        return err->code;
    if (rc == 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "the file is empty: the first row must name the "
                             "fields");
    /* Each field once, and partner for a project's partners. */
    if (r->ncells > info->nfields + 1)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "line %ld: %zu columns; a %s has %zu fields",
                             first, r->ncells, info->name, info->nfields);
    for (size_t i = 0; i < r->ncells; i++) {
        const char *name = cell(r, i);
        if (!prm_utf8_valid(name, cell_len(r, i)))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "line %ld: column %zu's name is not UTF-8 "
                                 "text: is this a CSV file?",
                                 first, i + 1);
        int f = prm_field_index(info, name);
        if (f < 0 && !(info->kind == PRM_PROJECT && strcmp(name, "partner") == 0))
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "line %ld: column %zu is '%.40s', not a "
                                 "field of %s",
                                 first, i + 1, name, info->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cell(r, j), name) == 0)
                return prm_error_set(err, PRM_EINVALID_VALUE,
                                     "line %ld: column '%.40s' is given twice",
                                     first, name);
        columns[i] = f >= 0 && (info->fields[f].flags & PRM_FF_READONLY)
                         ? -1
                         : (int)i;
    }
    *ncolumns = r->ncells;
    return PRM_OK;
}

static prm_code import_rows(csv_reader *r, prm_db *db,
                            const prm_kind_info *info, int64_t *rows,
                            prm_error *err)
{
    int columns[STORE_MAX_FIELDS];
    char names[STORE_MAX_FIELDS][32];
    size_t ncolumns = 0;
    prm_code rc = read_header(r, info, columns, &ncolumns, err);
    if (rc != PRM_OK)
        return rc;
    for (size_t i = 0; i < ncolumns; i++)
        snprintf(names[i], sizeof names[i], "%s", cell(r, i));
    long first;
    int got;
    while ((got = read_row(r, &first, err)) == 1) {
        if (r->ncells != ncolumns)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "line %ld: %zu cells, but the header has %zu",
                                 first, r->ncells, ncolumns);
        prm_arg args[STORE_MAX_FIELDS];
        size_t nargs = 0;
        for (size_t i = 0; i < ncolumns; i++) {
            if (columns[i] < 0 || cell(r, i)[0] == '\0')
                continue; /* an empty cell: no value */
            if (strlen(cell(r, i)) != cell_len(r, i))
                return prm_error_set(err, PRM_EINVALID_VALUE,
                                     "line %ld: column '%s' holds a NUL byte",
                                     first, names[i]);
            args[nargs++] = (prm_arg){names[i], cell(r, i)};
        }
        int64_t id;
        rc = records_add(db, info, args, nargs, &id, err);
        if (rc != PRM_OK) {
            return prm_error_set(err, err->code, "line %ld: %s", first,
                                 err->message);
        }
        (*rows)++;
        store_progress(db, *rows);
    }
    return got < 0 ? err->code : PRM_OK;
}

prm_code prm_import_csv(prm_db *db, prm_kind kind, FILE *in, int64_t *rows,
                        prm_error *err)
{
    csv_reader r = {.in = in, .line = 1};
    *rows = 0;
    /* A byte order mark, as spreadsheets write, is not part of a name. */
    int c1 = getc(in);
    if (c1 == 0xEF) {
        int c2 = getc(in), c3 = getc(in);
        if (c2 != 0xBB || c3 != 0xBF)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "line 1: the file is not valid UTF-8");
    } else if (c1 != EOF) {
        ungetc(c1, in);
    }
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc != PRM_OK)
        return rc;
    rc = import_rows(&r, db, prm_kind_get(kind), rows, err);
    if (rc == PRM_OK && ferror(in))
        rc = prm_error_set(err, PRM_EIO, "cannot read the file");
    rc = store_cmd_end(db, rc, err);
    if (rc != PRM_OK)
        *rows = 0;
    free(r.text);
    free(r.cells);
    return rc;
}
