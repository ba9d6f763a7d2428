/*
 * text_table.c - text for people: how wide a string is on a terminal,
 * text from the database made safe to show, and aligned tables narrowed
 * to the terminal (their rows past a few thousand waiting in a temporary
 * file, so that a long list takes flat memory).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_table.h"

#define MIN_COLUMN 6
#define WRAP_MIN 16 /* the least width a wrapping last column gets */

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
size_t cli_display_width(const char *str)
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
    size_t shown = cli_display_width(s), len = strlen(s);
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
char *cli_visible(char *s, shown_as how)
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
void cli_put_visible(FILE *out, const char *s, shown_as how)
{
    char *copy = strdup(s);
    copy = copy ? cli_visible(copy, how) : NULL;
    fputs(copy ? copy : "(out of memory)", out);
    free(copy);
}


bool cli_table_push_cell(cli_out *o, char *cell)
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
        size_t cw = cli_display_width(o->cells[i]), len = strlen(o->cells[i]);
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

bool cli_table_empty(const cli_out *o)
{
    return o->ncells == 0 && o->spilled_rows == 0;
}

/* Add a row of newly made cells (NULL where one could not be made) to the
 * table being built; on failure the rest are freed. */
bool cli_table_push_row(cli_out *o, char **cells, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (cells[i] != NULL)
            cells[i] = cli_visible(cells[i], SHOWN_ON_ONE_LINE);
        if (ok)
            ok = cli_table_push_cell(o, cells[i]);
        else
            free(cells[i]);
    }
    if (ok)
        spill_rows(o, n);
    return ok;
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
            cli_display_width(cells[c]) > w[c]) {
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
void cli_table_render(cli_out *o, const table_head *h)
{
    size_t rows = h->n ? o->ncells / h->n : 0;
    bool spilled = o->spilled_rows > 0 && o->spill_columns == h->n;
    char names[MAX_COLUMNS][32];
    char *header[MAX_COLUMNS];
    size_t w[MAX_COLUMNS] = {0}, floor[MAX_COLUMNS];
    for (size_t c = 0; c < h->n; c++) {
        snprintf(names[c], sizeof names[c], "%s", h->names[c]);
        header[c] = names[c];
        size_t head = cli_display_width(header[c]);
        w[c] = spilled && o->spill_width[c] > head ? o->spill_width[c] : head;
        for (size_t r = 0; r < rows; r++) {
            size_t cw = cli_display_width(o->cells[r * h->n + c]);
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
