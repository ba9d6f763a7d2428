/*
 * html.h - a small HTML and SVG writer: text escaped wherever it goes, so
 * no value from the database can become markup.
 */
#ifndef PRM_CLI_HTML_H
#define PRM_CLI_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* s with & < > " ' as character references (text and attribute values
 * alike); control characters but tab and line feed left out. */
void html_text(FILE *f, const char *s);
/* <tag class="cls">text</tag>, text escaped; cls may be NULL. */
void html_el(FILE *f, const char *tag, const char *cls, const char *text);
/* A table cell of a number (right-aligned) or of text. */
void html_num_cell(FILE *f, const char *text);
void html_int_cell(FILE *f, int64_t n);
void html_text_cell(FILE *f, const char *text);

#endif
