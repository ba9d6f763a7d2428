/*
 * output_text.c - output for people: aligned tables, a field-per-line view
 * of one record, a metrics panel, and errors on stderr in the documented form
 * (prm: LINE: error: TEXT, or FILE:LINE: error: TEXT).  Colour only when
 * the stream is a terminal and NO_COLOR is not set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define BOLD "\033[1m"
#define RED "\033[1;31m"
#define DIM "\033[2m"
#define RESET "\033[0m"
#define MIN_COLUMN 6

/* Whether a code point takes two columns: the East Asian wide and
 * full-width blocks and the common emoji, so that tables of partners
 * named in Chinese, Japanese or Korean still line up. */
static bool is_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) ||
           (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x1F900 && cp <= 0x1F9FF) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Whether a code point takes no column of its own: combining marks, which
 * sit on the letter before them ("Zoe" and U+0308 is "Zoë", as macOS
 * writes it), zero-width spaces and joiners, and variation selectors. */
static bool is_zero_width(unsigned cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* Columns a code point takes on a terminal. */
static size_t columns(unsigned cp)
{
    return is_zero_width(cp) ? 0 : is_wide(cp) ? 2 : 1;
}

/* Decode the code point at s (valid UTF-8); *n gets its length. */
static unsigned decode(const unsigned char *s, size_t *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    unsigned cp = s[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len && s[i]; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *n = len;
    return cp;
}

/* Columns a UTF-8 string takes on a terminal. */
static size_t display_width(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t width = 0, n;
    while (*s) {
        width += columns(decode(s, &n));
        for (size_t i = 0; i < n && *s; i++)
            s++;
    }
    return width;
}

/* Bytes of the longest start of s that fits in width columns; *used gets
 * the columns it takes (one less than width before a wide character) and
 * *after_space the bytes up to the last space in it (0: none). */
static size_t prefix_bytes(const char *s, size_t width, size_t *used,
                           size_t *after_space)
{
    size_t at = 0, n;
    *used = *after_space = 0;
    while (s[at] != '\0') {
        unsigned cp = decode((const unsigned char *)s + at, &n);
        size_t cw = columns(cp);
        if (*used + cw > width)
            break;
        *used += cw;
        at += n;
        if (cp == ' ')
            *after_space = at;
    }
    return at;
}

/* One cell padded to width columns (on the left when right-aligned, not
 * after the last column), cut with a mark when it is wider. */
static void print_cell(cli_out *o, const char *s, size_t width, bool right,
                       bool last)
{
    size_t shown = display_width(s), len = strlen(s);
    const char *mark = "";
    if (shown > width && width > 0) {
        size_t space;
        len = prefix_bytes(s, width - 1, &shown, &space);
        mark = o->utf8 ? "\xe2\x80\xa6" : "~";
        shown++;
    }
    int pad = shown < width ? (int)(width - shown) : 0;
    if (right)
        fprintf(o->out, "%*s", pad, "");
    fwrite(s, 1, len, o->out);
    fputs(mark, o->out);
    if (!right && !last)
        fprintf(o->out, "%*s", pad, "");
}

/* How text from the database is shown to a person.  A control character
 * in it would move the cursor, recolour or retitle the terminal (a
 * partner named "\033]0;...\a" by a teammate): it shows as ^X (C0 and
 * DEL) or as \u0080 (C1) instead.  On one line (a table's cell, a
 * message) a line break or tab is a space; in a block (show) line feeds
 * and tabs stay. */
typedef enum shown_as { SHOWN_ON_ONE_LINE, SHOWN_AS_BLOCK } shown_as;

/* Write s as shown into dst (NULL: only count); the bytes it takes.
 * *resized says whether any character took more or fewer bytes. */
static size_t visible_text(char *dst, const char *s, shown_as how,
                           bool *resized)
{
    size_t n = 0;
    *resized = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char out[8];
        size_t len = 1, in = 1;
        out[0] = (char)*p;
        if (*p == '\r' && p[1] == '\n') {
            len = 0; /* a CRLF (a spreadsheet's): the LF breaks the line */
        } else if (*p == '\n' || *p == '\t' ||
                   (*p == '\r' && how == SHOWN_ON_ONE_LINE)) {
            if (how == SHOWN_ON_ONE_LINE)
                out[0] = ' ';
        } else if (*p < 0x20 || *p == 0x7F) {
            out[0] = '^';
            out[1] = (char)(*p ^ 0x40);
            len = 2;
        } else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            len = (size_t)snprintf(out, sizeof out, "\\u%04X", p[1]);
            in = 2;
            p++;
        }
        if (len != in)
            *resized = true;
        if (dst != NULL)
            memcpy(dst + n, out, len);
        n += len;
    }
    return n;
}

/* s as shown, in place when no character changes size, else in a new
 * string (s is freed); NULL when out of memory. */
static char *visible(char *s, shown_as how)
{
    bool resized;
    size_t need = visible_text(NULL, s, how, &resized);
    char *to = resized ? malloc(need + 1) : s;
    if (to != NULL) {
        visible_text(to, s, how, &resized);
        to[need] = '\0';
    }
    if (to != s)
        free(s);
    return to;
}

/* Print s as shown. */
static void put_visible(FILE *out, const char *s, shown_as how)
{
    char *copy = strdup(s);
    copy = copy ? visible(copy, how) : NULL;
    fputs(copy ? copy : "(out of memory)", out);
    free(copy);
}

static void text_changed(cli_out *o, const char *verb,
                         const prm_kind_info *info, int64_t id,
                         const prm_record *rec)
{
    (void)rec;
    /* Not fprintf, nor a write a word: a bulk load prints this for every
     * line, and formatting it, or locking the stream five times, cost
     * more than parsing the line.  One line, one write. */
    char digits[PRM_INT_TEXT], line[64 + PRM_INT_TEXT];
    const char *d = prm_int_text(digits, id);
    size_t lv = strlen(verb), lk = strlen(info->name), ld = strlen(d);
    if (lv + lk + ld + 3 > sizeof line) {
        fprintf(o->out, "%s %s %s\n", verb, info->name, d);
        return;
    }
    char *p = line;
    memcpy(p, verb, lv);
    p += lv;
    *p++ = ' ';
    memcpy(p, info->name, lk);
    p += lk;
    *p++ = ' ';
    memcpy(p, d, ld);
    p += ld;
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), o->out);
}

/* A reference as people read it: the name of what it refers to, and in
 * show its id too ("Acme Corp (1)", "Acme Corp, Beta (1,2)"), as an id
 * alone says little and a name alone is not what a script would type. */
static char *ref_text(const prm_record *rec, size_t i, bool with_id)
{
    const char *name = rec->ref_name[i];
    if (name == NULL)
        return cli_format_value(&rec->v[i]);
    if (!with_id)
        return strdup(name);
    char *id = cli_format_value(&rec->v[i]);
    size_t size = id ? strlen(name) + strlen(id) + 4 : 0;
    char *s = id ? malloc(size) : NULL;
    if (s != NULL)
        snprintf(s, size, "%s (%s)", name, id);
    free(id);
    return s;
}

static void text_show(cli_out *o, const prm_record *rec)
{
    const prm_kind_info *info = rec->info;
    for (size_t i = 0; i < info->nfields; i++) {
        char *value = ref_text(rec, i, true);
        value = value ? visible(value, SHOWN_AS_BLOCK) : NULL;
        fprintf(o->out, "%s%-12s%s ", o->color ? BOLD : "",
                info->fields[i].name, o->color ? RESET : "");
        /* Later lines of a multi-line value line up under the first. */
        for (char *p = value; p != NULL && *p; p++) {
            putc(*p, o->out);
            if (*p == '\n')
                fputs("             ", o->out);
        }
        putc('\n', o->out);
        free(value);
    }
}

static void text_list_begin(cli_out *o, const prm_kind_info *info)
{
    (void)info;
    cli_out_free(o);
}

static bool push_cell(cli_out *o, char *cell)
{
    if (cell == NULL)
        return false;
    if (o->ncells == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        char **cells = realloc(o->cells, cap * sizeof *cells);
        if (cells == NULL) {
            free(cell);
            return false;
        }
        o->cells = cells;
        o->cap = cap;
    }
    o->cells[o->ncells++] = cell;
    return true;
}

/* A long table's rows do not all stay in memory: past SPILL_CELLS cells,
 * the whole rows gathered so far go to an unnamed temporary file (their
 * widths noted) and are read back a row at a time when the table is
 * printed, so that `comm list` of five million records takes the memory
 * of a thousand.  Where no file can be had, or it fills, they stay. */
#define SPILL_CELLS 8192

/* A chunk of spilled rows: this header, then their cells, each ending in
 * a NUL. */
typedef struct spill_header {
    size_t bytes, rows;
} spill_header;

static void spill_rows(cli_out *o, size_t columns)
{
    if (o->ncells < SPILL_CELLS || columns == 0 ||
        columns > CLI_MAX_COLUMNS || o->spill_failed ||
        (o->spilled_rows > 0 && columns != o->spill_columns))
        return;
    if (o->spill == NULL && (o->spill = tmpfile()) == NULL) {
        o->spill_failed = true;
        return;
    }
    spill_header head = {.bytes = 0, .rows = o->ncells / columns};
    size_t cells = head.rows * columns, w[CLI_MAX_COLUMNS];
    for (size_t i = 0; i < cells; i++)
        head.bytes += strlen(o->cells[i]) + 1;
    char *chunk = malloc(head.bytes), *at = chunk;
    if (chunk == NULL)
        return; /* kept in memory; the next row tries again */
    memcpy(w, o->spill_width, sizeof w);
    for (size_t i = 0; i < cells; i++) {
        size_t cw = display_width(o->cells[i]), len = strlen(o->cells[i]);
        if (cw > w[i % columns])
            w[i % columns] = cw;
        memcpy(at, o->cells[i], len + 1);
        at += len + 1;
    }
    /* The rows count as spilled only once the file has them all. */
    bool written = fwrite(&head, sizeof head, 1, o->spill) == 1 &&
                   fwrite(chunk, 1, head.bytes, o->spill) == head.bytes &&
                   fflush(o->spill) == 0;
    free(chunk);
    if (!written) {
        o->spill_failed = true;
        return;
    }
    memcpy(o->spill_width, w, sizeof w);
    for (size_t i = 0; i < cells; i++)
        free(o->cells[i]);
    o->ncells -= cells;
    memmove(o->cells, o->cells + cells, o->ncells * sizeof *o->cells);
    o->spilled_rows += head.rows;
    o->spill_columns = columns;
}

/* Reads a table's rows in order: those spilled, a chunk at a time, then
 * those in memory. */
typedef struct row_cursor {
    size_t row;          /* rows read */
    size_t chunk_rows;   /* rows left in the chunk */
    char *chunk, *at;    /* the chunk read, and the next cell in it */
    size_t cap;
    char *cells[CLI_MAX_COLUMNS];
} row_cursor;

static bool read_chunk(cli_out *o, row_cursor *rc)
{
    spill_header head;
    if (rc->row == 0 && fseek(o->spill, 0, SEEK_SET) != 0)
        return false;
    if (fread(&head, sizeof head, 1, o->spill) != 1 || head.rows == 0)
        return false;
    if (head.bytes > rc->cap) {
        char *chunk = realloc(rc->chunk, head.bytes);
        if (chunk == NULL)
            return false;
        rc->chunk = chunk;
        rc->cap = head.bytes;
    }
    if (fread(rc->chunk, 1, head.bytes, o->spill) != head.bytes)
        return false;
    rc->at = rc->chunk;
    rc->chunk_rows = head.rows;
    return true;
}

static char **next_row(cli_out *o, size_t columns, row_cursor *rc)
{
    if (rc->row < o->spilled_rows) {
        if (rc->chunk_rows == 0 && !read_chunk(o, rc))
            return NULL;
        for (size_t c = 0; c < columns; c++) {
            rc->cells[c] = rc->at;
            rc->at += strlen(rc->at) + 1;
        }
        rc->chunk_rows--;
        rc->row++;
        return rc->cells;
    }
    size_t r = rc->row - o->spilled_rows;
    if ((r + 1) * columns > o->ncells)
        return NULL;
    rc->row++;
    return o->cells + r * columns;
}

/* Forget the cursor; say so if spilled rows could not be read back. */
static void row_cursor_end(cli_out *o, row_cursor *rc)
{
    if (rc->row < o->spilled_rows)
        fprintf(o->err, "prm: %zu rows of the table could not be read back "
                        "from a temporary file\n",
                o->spilled_rows - rc->row);
    free(rc->chunk);
}

static bool table_empty(const cli_out *o)
{
    return o->ncells == 0 && o->spilled_rows == 0;
}

/* Add a row of newly made cells (NULL where one could not be made) to the
 * table being built; on failure the rest are freed. */
static bool push_row(cli_out *o, char **cells, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (cells[i] != NULL)
            cells[i] = visible(cells[i], SHOWN_ON_ONE_LINE);
        if (ok)
            ok = push_cell(o, cells[i]);
        else
            free(cells[i]);
    }
    if (ok)
        spill_rows(o, n);
    return ok;
}

static bool text_list_row(cli_out *o, const prm_record *rec)
{
    char *cells[CLI_MAX_COLUMNS];
    size_t n = 0;
    for (size_t i = 0; i < rec->info->nfields && n < CLI_MAX_COLUMNS; i++)
        if (rec->info->fields[i].flags & PRM_FF_COLUMN)
            cells[n++] = ref_text(rec, i, false);
    return push_row(o, cells, n);
}

/* Narrow the table to the terminal: first the last column, when its text
 * wraps (down to its floor), then the widest of the others.  No column
 * gets narrower than floor[c], so every header, number and date stays
 * whole.  False when the table is too wide even so. */
static bool fit_widths(size_t *w, const size_t *floor, size_t columns,
                       int terminal, bool last_wraps)
{
    if (terminal <= 0 || columns == 0)
        return true;
    size_t total = 0;
    for (size_t c = 0; c < columns; c++)
        total += w[c] + (c + 1 < columns ? 2 : 0);
    size_t last = columns - 1;
    if (last_wraps && total > (size_t)terminal) {
        size_t give = total - (size_t)terminal;
        if (give > w[last] - floor[last])
            give = w[last] - floor[last];
        w[last] -= give;
        total -= give;
    }
    while (total > (size_t)terminal) {
        size_t widest = columns;
        for (size_t c = 0; c < columns; c++)
            if (w[c] > floor[c] && (widest == columns || w[c] > w[widest]))
                widest = c;
        if (widest == columns)
            return false;
        w[widest]--;
        total--;
    }
    return true;
}

static bool right_aligned(const prm_field *f)
{
    return f->type == PRM_F_ID || f->type == PRM_F_PERCENT ||
           f->type == PRM_F_NUMBER;
}

#define MAX_COLUMNS CLI_MAX_COLUMNS
#define WRAP_MIN 16 /* the least width a wrapping last column gets */

/* A table's columns: names, which are right-aligned (numbers) and which
 * other columns are never cut to fit a terminal (dates, and words from a
 * fixed list: "proj..." could be project or project_partner). */
typedef struct table_head {
    const char *names[MAX_COLUMNS];
    bool right[MAX_COLUMNS];
    size_t n;
    bool whole[MAX_COLUMNS];
} table_head;

/* Bytes of s that fit in width columns, ending after a space where one
 * does; at least one character, so that every call makes progress. */
static size_t fitting_bytes(const char *s, size_t width)
{
    size_t used, after_space, n;
    size_t at = prefix_bytes(s, width, &used, &after_space);
    if (s[at] == '\0')
        return at;
    if (at == 0) { /* a character wider than the column: it goes alone */
        decode((const unsigned char *)s, &n);
        return n;
    }
    return after_space > 0 ? after_space : at;
}

/* The last column's text, when too wide, goes on in lines of its own that
 * start under it (at column indent), broken between words where it can:
 * the last column of insights and audit is what the row is about. */
static void print_wrapped(cli_out *o, const char *s, size_t width,
                          size_t indent)
{
    for (;;) {
        size_t n = fitting_bytes(s, width);
        size_t shown = n;
        while (shown > 0 && s[shown - 1] == ' ')
            shown--;
        fwrite(s, 1, shown, o->out);
        s += n;
        while (*s == ' ')
            s++;
        if (*s == '\0')
            break;
        fprintf(o->out, "\n%*s", (int)indent, "");
    }
}

/* Whether the last column holds text that wraps rather than being cut. */
static bool last_wraps(const table_head *h)
{
    return h->n > 0 && !h->right[h->n - 1] && !h->whole[h->n - 1];
}

static void print_cells(cli_out *o, const table_head *h, char **cells,
                        const size_t *w, bool header)
{
    size_t indent = 0;
    for (size_t c = 0; c < h->n; c++) {
        if (!header && c + 1 == h->n && last_wraps(h) &&
            display_width(cells[c]) > w[c]) {
            print_wrapped(o, cells[c], w[c], indent);
            putc('\n', o->out);
            return;
        }
        indent += w[c] + 2;
        bool last = c + 1 == h->n;
        if (header && o->color)
            fputs(BOLD, o->out);
        print_cell(o, cells[c], w[c], h->right[c], last);
        if (header && o->color)
            fputs(RESET, o->out);
        fputs(last ? "\n" : "  ", o->out);
    }
}

/* A table that cannot fit the terminal even with its text cut would wrap
 * into lines nobody can read: each row is shown as a block instead, a field
 * a line, as psql's expanded display does. */
static void print_blocks(cli_out *o, const table_head *h)
{
    int label = 0;
    for (size_t c = 0; c < h->n; c++)
        if ((int)strlen(h->names[c]) > label)
            label = (int)strlen(h->names[c]);
    row_cursor rc = {.row = 0};
    char **cells;
    while ((cells = next_row(o, h->n, &rc)) != NULL) {
        if (rc.row > 1)
            putc('\n', o->out);
        for (size_t c = 0; c < h->n; c++)
            fprintf(o->out, "%s%-*s%s  %s\n", o->color ? BOLD : "", label,
                    h->names[c], o->color ? RESET : "", cells[c]);
    }
    row_cursor_end(o, &rc);
}

/* Print the cells gathered in o as an aligned table under h, narrowed to
 * fit a terminal; then forget them. */
static void render_table(cli_out *o, const table_head *h)
{
    size_t rows = h->n ? o->ncells / h->n : 0;
    bool spilled = o->spilled_rows > 0 && o->spill_columns == h->n;
    char names[MAX_COLUMNS][32];
    char *header[MAX_COLUMNS];
    size_t w[MAX_COLUMNS] = {0}, floor[MAX_COLUMNS];
    for (size_t c = 0; c < h->n; c++) {
        snprintf(names[c], sizeof names[c], "%s", h->names[c]);
        header[c] = names[c];
        size_t head = display_width(header[c]);
        w[c] = spilled && o->spill_width[c] > head ? o->spill_width[c] : head;
        for (size_t r = 0; r < rows; r++) {
            size_t cw = display_width(o->cells[r * h->n + c]);
            if (cw > w[c])
                w[c] = cw;
        }
        /* A header is never cut (two "succe..." columns could not be told
         * apart), nor a number, a date or a word from a fixed list (a cut
         * one would lie); text keeps a few letters. */
        size_t keep = head > MIN_COLUMN ? head : MIN_COLUMN;
        if (c + 1 == h->n && last_wraps(h) && keep < WRAP_MIN)
            keep = WRAP_MIN;
        bool whole = h->right[c] || h->whole[c];
        floor[c] = whole || w[c] < keep ? w[c] : keep;
    }
    if (fit_widths(w, floor, h->n, o->width, last_wraps(h))) {
        print_cells(o, h, header, w, true);
        row_cursor rc = {.row = 0};
        char **cells;
        while ((cells = next_row(o, h->n, &rc)) != NULL)
            print_cells(o, h, cells, w, false);
        row_cursor_end(o, &rc);
    } else {
        print_blocks(o, h);
    }
    cli_out_free(o);
}

static void kind_head(const prm_kind_info *info, table_head *h)
{
    h->n = 0;
    for (size_t i = 0; i < info->nfields && h->n < MAX_COLUMNS; i++)
        if (info->fields[i].flags & PRM_FF_COLUMN) {
            h->names[h->n] = info->fields[i].name;
            h->whole[h->n] = info->fields[i].type == PRM_F_DATE ||
                             info->fields[i].type == PRM_F_ENUM;
            h->right[h->n++] = right_aligned(&info->fields[i]);
        }
}

static void text_list_end(cli_out *o, const prm_kind_info *info, bool ok)
{
    table_head h;
    kind_head(info, &h);
    if (ok && table_empty(o))
        fprintf(o->out, "no %s\n", info->plural);
    else if (ok)
        render_table(o, &h);
    cli_out_free(o);
}

static void text_deleted(cli_out *o, const prm_kind_info *info, int64_t id)
{
    fprintf(o->out, "deleted %s %lld\n", info->name, (long long)id);
}

static void count_line(cli_out *o, const char *label, int64_t n)
{
    fprintf(o->out, "%-22s %10lld\n", label, (long long)n);
}

/* A ratio: as a percentage when it is a rate, plain otherwise. */
static void ratio_line(cli_out *o, const char *label, bool has, double v,
                       bool percent, const char *definition)
{
    char value[32];
    if (!has)
        snprintf(value, sizeof value, "n/a");
    else if (percent)
        snprintf(value, sizeof value, "%.1f%%", v * 100.0);
    else
        snprintf(value, sizeof value, "%.2f", v);
    fprintf(o->out, "%-22s %10s   %s%s%s\n", label, value, o->color ? DIM : "",
            definition, o->color ? RESET : "");
}

static void text_metrics(cli_out *o, const prm_metrics *m)
{
    double v;
    bool has;
    count_line(o, "partners", m->partners);
    count_line(o, "projects", m->projects);
    count_line(o, "  succeeded", m->succeeded);
    count_line(o, "  failed", m->failed);
    count_line(o, "communications", m->communications);
    count_line(o, "resources", m->resources);
    count_line(o, "outcomes", m->outcomes);
    has = prm_relationship_degree(m, &v);
    ratio_line(o, "relationship degree", has, v, false, "projects / partners");
    has = prm_project_success_rate(m, &v);
    ratio_line(o, "project success rate", has, v, true,
               "succeeded / projects");
    has = prm_closed_success_rate(m, &v);
    ratio_line(o, "closed success rate", has, v, true,
               "succeeded / (succeeded + failed)");
    has = prm_resource_efficiency(m, &v);
    ratio_line(o, "resource efficiency", has, v, false,
               "outcomes / resources");
}

static void text_transferred(cli_out *o, const char *verb, const char *file,
                             const prm_counts *counts, int only)
{
    fprintf(o->out, "%s", verb);
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        if (only >= 0 && only != k)
            continue;
        fprintf(o->out, "%s %lld %s", k > 0 && only < 0 ? "," : "",
                (long long)counts->n[k],
                counts->n[k] == 1 ? info->name : info->plural);
    }
    fprintf(o->out, " %s %s\n", strcmp(verb, "exported") == 0 ? "to" : "from",
            file);
}

static void text_report_begin(cli_out *o, bool explain)
{
    cli_out_free(o);
    o->explain = explain;
}

static char *term_cell(double v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%.2f", v);
    return strdup(buf);
}

/* A ratio as a table cell: a percentage for a rate, n/a for none. */
static char *ratio_cell(bool has, double v, bool percent)
{
    char buf[32];
    if (!has)
        snprintf(buf, sizeof buf, "n/a");
    else if (percent)
        snprintf(buf, sizeof buf, "%.1f%%", v * 100.0);
    else
        snprintf(buf, sizeof buf, "%.2f", v);
    return strdup(buf);
}

static char *count_cell(int64_t n)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)n);
    return strdup(buf);
}

static bool text_report_row(cli_out *o, const prm_report_row *r)
{
    double v;
    bool has_rate = prm_project_success_rate(&r->m, &v);
    char *rate = ratio_cell(has_rate, v, true);
    bool has_eff = prm_resource_efficiency(&r->m, &v);
    char *cells[] = {
        count_cell(r->partner),
        strdup(r->name),
        count_cell(r->m.projects),
        count_cell(r->m.succeeded),
        count_cell(r->m.failed),
        rate,
        count_cell(r->m.communications),
        /* the day is enough at a glance */
        r->last_contact ? strndup(r->last_contact, 10) : strdup("-"),
        count_cell(r->m.resources),
        count_cell(r->m.outcomes),
        ratio_cell(has_eff, v, false),
        count_cell(r->health),
        /* --explain: the four terms of the health score */
        term_cell(r->recency),
        term_cell(r->frequency),
        term_cell(r->success),
        term_cell(r->efficiency),
    };
    size_t n = o->explain ? sizeof cells / sizeof cells[0] : 12;
    for (size_t i = n; i < sizeof cells / sizeof cells[0]; i++)
        free(cells[i]);
    return push_row(o, cells, n);
}

static void text_report_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"id", "name", "projects", "succeeded", "failed", "success", "comms",
         "last contact", "resources", "outcomes", "efficiency", "health",
         "recency", "frequency", "closed", "yield"},
        {true, false, true, true, true, true, true, false, true, true, true,
         true, true, true, true, true},
        16,
        {[7] = true}};
    table_head h = head;
    h.n = o->explain ? 16 : 12;
    if (ok && table_empty(o))
        fputs("no partners\n", o->out);
    else if (ok)
        render_table(o, &h);
    if (ok && o->explain && table_empty(o))
        fputs("health = round(100 * (0.3 recency + 0.2 frequency + 0.3 closed "
              "+ 0.2 yield)); README: Health\n",
              o->out);
    cli_out_free(o);
}

static void text_trend_begin(cli_out *o, const char *by, const char *metric)
{
    cli_out_free(o);
    o->by = by;
    o->metric = metric;
}

static bool text_trend_row(cli_out *o, const prm_trend_row *r)
{
    if (o->nvalues == o->values_cap) {
        size_t cap = o->values_cap ? o->values_cap * 2 : 64;
        double *values = realloc(o->values, cap * sizeof *values);
        if (values != NULL)
            o->values = values;
        bool *has = realloc(o->has, cap * sizeof *has);
        if (has != NULL)
            o->has = has;
        if (values == NULL || has == NULL)
            return false;
        o->values_cap = cap;
    }
    o->has[o->nvalues] =
        cli_trend_value(r, o->metric, &o->values[o->nvalues]);
    o->nvalues++;
    return push_cell(o, strdup(r->period));
}

#define BAR_WIDTH 40

/* A bar of width cells * fraction: whole blocks and an eighth block for
 * the rest, or '#' where the terminal cannot show Unicode. */
static void print_bar(cli_out *o, double fraction)
{
    static const char *const eighths[] = {"",  "\u258f", "\u258e", "\u258d",
                                          "\u258c", "\u258b", "\u258a",
                                          "\u2589"};
    int units = (int)(fraction * BAR_WIDTH * 8 + 0.5);
    if (!o->utf8) {
        for (int i = 0; i < (units + 4) / 8; i++)
            putc('#', o->out);
        return;
    }
    for (int i = 0; i < units / 8; i++)
        fputs("\u2588", o->out);
    fputs(eighths[units % 8], o->out);
}

static void text_trend_end(cli_out *o, bool ok)
{
    if (!ok || o->nvalues == 0) {
        if (ok)
            fputs("no activity in the periods asked for\n", o->out);
        cli_out_free(o);
        return;
    }
    double max = 0;
    for (size_t i = 0; i < o->nvalues; i++)
        if (o->has[i] && o->values[i] > max)
            max = o->values[i];
    bool rate = strstr(o->metric, "rate") != NULL;
    bool ratio = rate || strstr(o->metric, "_") != NULL;
    fprintf(o->out, "%s%s by %s%s\n", o->color ? BOLD : "", o->metric, o->by,
            o->color ? RESET : "");
    for (size_t i = 0; i < o->nvalues; i++) {
        char value[32];
        if (!o->has[i])
            snprintf(value, sizeof value, "n/a");
        else if (rate)
            snprintf(value, sizeof value, "%.1f%%", o->values[i] * 100);
        else if (ratio)
            snprintf(value, sizeof value, "%.2f", o->values[i]);
        else
            snprintf(value, sizeof value, "%.0f", o->values[i]);
        fprintf(o->out, "%-8s %10s", o->cells[i], value);
        if (o->has[i] && max > 0 && o->values[i] > 0) {
            fputs("  ", o->out);
            print_bar(o, o->values[i] / max);
        }
        putc('\n', o->out);
    }
    cli_out_free(o);
}

static void text_insights_begin(cli_out *o)
{
    cli_out_free(o);
}

static bool text_finding(cli_out *o, const prm_finding *f)
{
    char subject[96];
    if (f->id > 0)
        snprintf(subject, sizeof subject, "%s %lld", f->subject,
                 (long long)f->id);
    else
        snprintf(subject, sizeof subject, "%s", f->subject);
    char *cells[] = {count_cell(f->rank), strdup(f->rule), strdup(subject),
                     strdup(f->name), strdup(f->message)};
    return push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_insights_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"rank", "rule", "subject", "name", "finding"},
        {true, false, false, false, false},
        5,
        {[1] = true, [2] = true}};
    if (ok && table_empty(o))
        fputs("no findings: nothing needs attention\n", o->out);
    else if (ok)
        render_table(o, &head);
    cli_out_free(o);
}

static void text_audit_begin(cli_out *o)
{
    cli_out_free(o);
}

/* The record an entry is about; a project's link to a partner is
 * "PROJECT/PARTNER" (the partner read from its image), or a person could
 * not tell which partner joined or left. */
static char *record_cell(const prm_audit_entry *e)
{
    static const char key[] = "\"partner\":";
    const char *image = e->after != NULL ? e->after : e->before;
    bool link = e->kind != NULL && strcmp(e->kind, "project_partner") == 0;
    const char *partner = link && image ? strstr(image, key) : NULL;
    if (partner == NULL)
        return count_cell(e->record);
    char buf[48];
    snprintf(buf, sizeof buf, "%lld/%lld", (long long)e->record,
             strtoll(partner + sizeof key - 1, NULL, 10));
    return strdup(buf);
}

static bool text_audit_row(cli_out *o, const prm_audit_entry *e)
{
    char *cells[] = {count_cell(e->id),  count_cell(e->change),
                     strdup(e->at),      strdup(e->user),
                     strdup(e->action),  strdup(e->kind),
                     record_cell(e),     strdup(e->command)};
    return push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_audit_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"id", "change", "at", "user", "action", "kind", "record", "command"},
        {true, true, false, false, false, false, true, false},
        8,
        {[2] = true, [4] = true, [5] = true}};
    if (ok && table_empty(o))
        fputs("no changes recorded\n", o->out);
    else if (ok)
        render_table(o, &head);
    cli_out_free(o);
}

static void text_undone(cli_out *o, const int64_t *changes,
                        char *const *commands, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(o->out, "undid change %lld: ", (long long)changes[i]);
        put_visible(o->out, commands[i], SHOWN_ON_ONE_LINE);
        putc('\n', o->out);
    }
}

static void text_backed_up(cli_out *o, const char *file)
{
    fprintf(o->out, "backed up to %s\n", file);
}

static void text_user_changed(cli_out *o, const char *verb, const char *name,
                              const char *role)
{
    fprintf(o->out, "%s user %s (%s)\n", verb, name, role);
}

static void text_users_begin(cli_out *o)
{
    cli_out_free(o);
}

static bool text_user_row(cli_out *o, const prm_user_info *u)
{
    char *cells[] = {strdup(u->name), strdup(u->role),
                     count_cell(u->partners)};
    return push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_users_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"name", "role", "partners"}, {false, false, true}, 3, {false}};
    if (ok && table_empty(o))
        fputs("no users\n", o->out);
    else if (ok)
        render_table(o, &head);
    cli_out_free(o);
}

static void text_check(cli_out *o, const prm_check_report *r)
{
    fprintf(o->out, "integrity_check      %s\n", r->integrity);
    fprintf(o->out, "foreign_key_check    %s\n",
            r->foreign_key_errors ? "records refer to missing records" : "ok");
    fprintf(o->out, "schema version       %lld\n", (long long)r->schema_version);
    if (r->on_file)
        fprintf(o->out, "file, folder mode    %04o, %04o\n", r->file_mode,
                r->folder_mode);
    if (r->problems == 0)
        fputs("no problems found\n", o->out);
}

static void text_settings(cli_out *o, bool json, bool color, bool pager)
{
    fprintf(o->out, "json   %s\ncolor  %s\npager  %s\n", json ? "on" : "off",
            color ? "on" : "off", pager ? "on" : "off");
}

static void text_text(cli_out *o, const char *key, const char *text)
{
    (void)key;
    fputs(text, o->out);
}

static void text_ok(cli_out *o)
{
    (void)o;
}

static void text_error(cli_out *o, const prm_error *err, const char *source,
                       long line)
{
    cli_flush(o->out); /* keep the error after the output before it */
    if (source != NULL)
        fprintf(o->err, "%s:%ld: ", source, line);
    else
        fprintf(o->err, "prm: %ld: ", line);
    fprintf(o->err, "%serror:%s ", o->err_color ? RED : "",
            o->err_color ? RESET : "");
    put_visible(o->err, prm_error_message(err), SHOWN_ON_ONE_LINE);
    putc('\n', o->err);
}

const cli_out_ops cli_text_ops = {
    .changed = text_changed,
    .show = text_show,
    .list_begin = text_list_begin,
    .list_row = text_list_row,
    .list_end = text_list_end,
    .deleted = text_deleted,
    .metrics = text_metrics,
    .transferred = text_transferred,
    .report_begin = text_report_begin,
    .report_row = text_report_row,
    .report_end = text_report_end,
    .trend_begin = text_trend_begin,
    .trend_row = text_trend_row,
    .trend_end = text_trend_end,
    .insights_begin = text_insights_begin,
    .finding = text_finding,
    .insights_end = text_insights_end,
    .audit_begin = text_audit_begin,
    .audit_row = text_audit_row,
    .audit_end = text_audit_end,
    .undone = text_undone,
    .backed_up = text_backed_up,
    .user_changed = text_user_changed,
    .users_begin = text_users_begin,
    .user_row = text_user_row,
    .users_end = text_users_end,
    .check = text_check,
    .settings = text_settings,
    .text = text_text,
    .ok = text_ok,
    .error = text_error,
    .needs_record = false,
    .ref_names = true,
};
