/*
 * lexer.c - words, quotes and comments of the command language (doc/prm.1, THE COMMAND LANGUAGE).
 *
 * Words are separated by spaces or tabs.  "..." takes the escapes \" \\ \n
 * and \t; '...' is literal; quoted and unquoted parts of one word join, as in
 * a shell, so notes="met at the expo" is one FIELD=VALUE word.  A '#' that
 * starts a word starts a comment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "prm/prm.h"

void cli_words_free(cli_words *w)
{
    free(w->items);
    free(w->buf);
    *w = (cli_words){.items = NULL};
}

/* Make room for a line of len bytes: the unescaped text is never longer,
 * and there is at most one word per two bytes. */
static bool reserve(cli_words *w, size_t len)
{
    size_t need = len + len / 2 + 2;
    if (w->buf_cap < need) {
        char *buf = realloc(w->buf, need);
        if (buf == NULL)
            return false;
        w->buf = buf;
        w->buf_cap = need;
    }
    size_t words = len / 2 + 2;
    if (w->cap < words) {
        cli_word *items = realloc(w->items, words * sizeof *items);
        if (items == NULL)
            return false;
        w->items = items;
        w->cap = words;
    }
    return true;
}

/* The bytes that make a word need quotes to be read back as it is: a
 * separator, a quote, a backslash, a '#' (a comment at a word's start), a
 * line break. */
static const char needs_quotes[] = " \t\"'\\#\n\r";

size_t cli_unquoted_key(const char *word)
{
    size_t key = strcspn(word, "=");
    return word[key] == '=' && strcspn(word, needs_quotes) > key ? key + 1
                                                                   : 0;
}

/* Append n bytes of text at p as the lexer reads them back: as they are
 * when nothing in them needs quotes, else in double quotes, escaped; an
 * '=' needs them when eq_special, and empty text when empty_special.
 * p has room for 2 * n + 2 more bytes. */
static char *quote_part(char *p, const char *text, size_t n, bool eq_special,
                        bool empty_special)
{
    bool plain = n > 0 || !empty_special;
    for (size_t i = 0; i < n && plain; i++)
        plain = !strchr(needs_quotes, text[i]) &&
                !(eq_special && text[i] == '=');
    if (plain) {
        memcpy(p, text, n);
        return p + n;
    }
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '"' || c == '\\' || c == '\n' || c == '\t')
            *p++ = '\\';
        *p++ = c == '\n' ? 'n' : c == '\t' ? 't' : c;
    }
    *p++ = '"';
    return p;
}

char *cli_quote_word(const char *text, size_t key, bool alone)
{
    size_t len = strlen(text);
    /* Quoted, each byte is at most two, with the quotes and the NUL. */
    char *s = malloc(2 * len + 3), *p = s;
    if (s == NULL)
        return NULL;
    memcpy(p, text, key);
    p = quote_part(p + key, text + key, len - key, alone, key == 0);
    *p = '\0';
    return s;
}

static int unescape(char c)
{
    switch (c) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case 'n':
        return '\n';
    case 't':
        return '\t';
    default:
        return -1;
    }
}

/* The bytes that end a run of plain text in a word: a separator, a quote,
 * an '='.  Looked up rather than compared one by one, because every byte
 * of every line of a script passes here. */
static const unsigned char not_plain[256] = {
    [' '] = 1, ['\t'] = 1, ['\''] = 1, ['"'] = 1, ['='] = 1,
};

/* The text of a '...' quote, taken literally: *i is just past the
 * opening quote, and is left just past the closing one. */
static cli_lex_result copy_single_quoted(const char *line, size_t len,
                                         size_t *i, char **out)
{
    const char *start = line + *i, *end = memchr(start, '\'', len - *i);
    if (end == NULL)
        return LEX_UNTERMINATED;
    memcpy(*out, start, (size_t)(end - start));
    *out += end - start;
    *i = (size_t)(end - line) + 1;
    return LEX_OK;
}

/* The text of a "..." quote, its escapes replaced; as above. */
static cli_lex_result copy_double_quoted(const char *line, size_t len,
                                         size_t *i, char **out, char *msg,
                                         size_t size)
{
    for (;;) {
        if (*i == len)
            return LEX_UNTERMINATED;
        char c = line[(*i)++];
        if (c == '"')
            return LEX_OK;
        if (c == '\\') {
            int e = *i < len ? unescape(line[*i]) : -1;
            if (e < 0) {
                /* The whole character named, not the first byte of it. */
                int n = *i < len;
                while (*i + n < len &&
                       ((unsigned char)line[*i + n] & 0xC0) == 0x80)
                    n++;
                snprintf(msg, size,
                         "unknown escape \\%.*s in \"...\": use \\\" \\\\ \\n "
                         "or \\t, or '...' for literal text",
                         n, line + *i);
                return LEX_ERROR;
            }
            c = (char)e;
            (*i)++;
        }
        *(*out)++ = c;
    }
}

static cli_lex_result lex_words(const char *line, size_t len, cli_words *w,
                                char *msg, size_t size)
{
    w->n = 0;
    if (!prm_utf8_valid(line, len)) {
        snprintf(msg, size, "%s",
                 memchr(line, '\0', len) ? "the line contains a NUL byte"
                                         : "the line is not valid UTF-8");
        return LEX_ENCODING;
    }
    if (!reserve(w, len)) {
        snprintf(msg, size, "out of memory");
        return LEX_ERROR;
    }
    char *out = w->buf;
    size_t i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len || line[i] == '#')
            break;
        cli_word *word = &w->items[w->n++];
        *word = (cli_word){.text = out, .eq = -1, .quoted = false};
        while (i < len) {
            while (i < len && !not_plain[(unsigned char)line[i]])
                *out++ = line[i++];
            if (i == len || line[i] == ' ' || line[i] == '\t')
                break;
            char c = line[i++];
            if (c == '\'' || c == '"') {
                word->quoted = true;
                cli_lex_result r = c == '\''
                                       ? copy_single_quoted(line, len, &i, &out)
                                       : copy_double_quoted(line, len, &i, &out,
                                                            msg, size);
                if (r != LEX_OK) {
                    if (r == LEX_UNTERMINATED)
                        snprintf(msg, size, "unterminated %c quote", c);
                    return r;
                }
            } else {
                if (c == '=' && word->eq < 0 && !word->quoted)
                    word->eq = out - word->text;
                *out++ = c;
            }
        }
        word->len = (size_t)(out - word->text);
        *out++ = '\0';
    }
    return LEX_OK;
}

cli_lex_result cli_lex(const char *line, size_t len, cli_words *w, char *msg,
                       size_t size)
{
    cli_lex_result rc = lex_words(line, len, w, msg, size);
    if (rc != LEX_OK)
        w->n = 0; /* no half-made words for a caller to trip on */
    return rc;
}
