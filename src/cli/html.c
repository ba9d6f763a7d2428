/*
 * html.c - a small HTML and SVG writer (html.h).
 */
#include "html.h"

void html_text(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (c >= 0x20 || c == '\t' || c == '\n')
                putc(c, f);
        }
    }
}

void html_el(FILE *f, const char *tag, const char *cls, const char *text)
{
    fprintf(f, "<%s", tag);
    if (cls != NULL)
        fprintf(f, " class=\"%s\"", cls);
    putc('>', f);
    html_text(f, text);
    fprintf(f, "</%s>", tag);
}

void html_num_cell(FILE *f, const char *text)
{
    html_el(f, "td", "num", text);
}

void html_int_cell(FILE *f, int64_t n)
{
    fprintf(f, "<td class=\"num\">%lld</td>", (long long)n);
}

void html_text_cell(FILE *f, const char *text)
{
    html_el(f, "td", NULL, text);
}
