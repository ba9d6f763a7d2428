/*
 * lexer.h - splits one logical line of the command language into words.
 */
#ifndef PRM_CLI_LEXER_H
#define PRM_CLI_LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_word {
    char *text;   /* unquoted, unescaped, NUL-terminated */
    size_t len;
    long eq;      /* offset of an unquoted '=' (a FIELD=VALUE word), or -1 */
    bool quoted;  /* some part of the word was quoted */
} cli_word;

/* The words of a line.  Its buffers are reused from line to line, so a
 * long script allocates no more than its longest line needs. */
typedef struct cli_words {
    cli_word *items;
    size_t n, cap;
    char *buf;
    size_t buf_cap;
} cli_words;

typedef enum cli_lex_result {
    LEX_OK,
    LEX_UNTERMINATED, /* a quote is still open at the end of the line */
    LEX_ENCODING,     /* invalid UTF-8 or a NUL byte */
    LEX_ERROR         /* message says what */
} cli_lex_result;

/* Room enough for any message of cli_lex's. */
enum { CLI_LEX_MSG = 256 };

/* Split line (len bytes, no line break) into w.  Otherwise msg (size bytes) says what is wrong. */
cli_lex_result cli_lex(const char *line, size_t len, cli_words *w, char *msg,
                       size_t size);
void cli_words_free(cli_words *w);

/*
 * The other way: text written as one word that cli_lex reads back as text.
 * The first key bytes (a FIELD=VALUE word's "FIELD=", which must need no
 * quotes: a quoted part before an '=' makes it no field) stay as they are.
 * The rest goes in double quotes, escaped, when it holds what the lexer
 * would read otherwise (a separator, a quote, a backslash, a '#', a line
 * break), when the word would be empty, and, when alone (a word that is
 * not a FIELD=VALUE), when it holds an '=' that would make it one.  A new
 * string, NULL when out of memory.
 */
char *cli_quote_word(const char *text, size_t key, bool alone);
/* The key to give cli_quote_word for a FIELD=VALUE word: its "FIELD="'s
 * length when that needs no quotes, else 0 (a field no kind has: the whole
 * word is quoted, as a quoted name makes no field). */
size_t cli_unquoted_key(const char *word);

#endif
