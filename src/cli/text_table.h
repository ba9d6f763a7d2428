/*
 * text_table.h - the pieces of text output for people (text_table.c):
 * terminal widths, text made safe to show, and aligned tables.
 */
#ifndef PRM_CLI_TEXT_TABLE_H
#define PRM_CLI_TEXT_TABLE_H

#include <stdio.h>

#include "output.h"

#define BOLD "\033[1m"
#define RED "\033[1;31m"
#define DIM "\033[2m"
#define RESET "\033[0m"
#define MAX_COLUMNS CLI_MAX_COLUMNS

/* How text from the database is shown to a person.  A control character
 * in it would move the cursor, recolour or retitle the terminal (a
 * partner named "\033]0;...\a" by a teammate): it shows as ^X (C0 and
 * DEL) or as \u0080 (C1) instead.  On one line (a table's cell, a
 * message) a line break or tab is a space; in a block (show) line feeds
 * and tabs stay. */
typedef enum shown_as { SHOWN_ON_ONE_LINE, SHOWN_AS_BLOCK } shown_as;

/* s as shown, in place when no character changes size, else in a new
 * string (s is freed); NULL when out of memory. */
char *cli_visible(char *s, shown_as how);
/* Print s as shown. */
void cli_put_visible(FILE *out, const char *s, shown_as how);
/* Columns a UTF-8 string takes on a terminal. */
size_t cli_display_width(const char *str);

/* A table's columns: names, which are right-aligned (numbers) and which
 * other columns are never cut to fit a terminal (dates, and words from a
 * fixed list: "proj..." could be project or project_partner). */
typedef struct table_head {
    const char *names[MAX_COLUMNS];
    bool right[MAX_COLUMNS];
    size_t n;
    bool whole[MAX_COLUMNS];
} table_head;

/* The table being built in o: add one cell (taken; false when out of
 * memory), or a row of newly made cells (NULL where one could not be
 * made; on failure the rest are freed). */
bool cli_table_push_cell(cli_out *o, char *cell);
bool cli_table_push_row(cli_out *o, char **cells, size_t n);
/* Whether the table has no rows. */
bool cli_table_empty(const cli_out *o);
/* Print the cells gathered in o as an aligned table under h, narrowed to
 * fit a terminal; then forget them. */
void cli_table_render(cli_out *o, const table_head *h);

#endif /* PRM_CLI_TEXT_TABLE_H */
