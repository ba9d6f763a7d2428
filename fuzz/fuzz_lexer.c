/*
 * fuzz_lexer.c - libFuzzer target: any bytes as one line of the command
 * language, through the lexer and the logical-line reader.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lexer.h"
#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cli_words words;
    char msg[256];
    cli_lex_result rc = cli_lex((const char *)data, size, &words, msg,
                                sizeof msg);
    for (size_t i = 0; rc == LEX_OK && i < words.n; i++)
        if (words.items[i].len != strlen(words.items[i].text) &&
            memchr(data, 0, size) == NULL)
            __builtin_trap(); /* a word's length must match its text */
    /* Each word, quoted by cli_quote_word, reads back as the same word
     * (a FIELD= as the lexer read it, unquoted). */
    static cli_words again;
    for (size_t i = 0; rc == LEX_OK && i < words.n; i++) {
        const cli_word *w = &words.items[i];
        size_t key = w->eq >= 0 ? (size_t)w->eq + 1 : 0;
        char *q = cli_quote_word(w->text, key, w->eq < 0);
        if (q == NULL)
            continue;
        if (cli_lex(q, strlen(q), &again, msg, sizeof msg) != LEX_OK ||
            again.n != 1 || strcmp(again.items[0].text, w->text) != 0 ||
            again.items[0].eq != w->eq)
            __builtin_trap();
        free(q);
    }

    int fds[2];
    if (size > 60000 || pipe(fds) != 0)
        return 0;
    if (write(fds[1], data, size) != (ssize_t)size) {
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    close(fds[1]);
    cli_reader r;
    cli_reader_init(&r, fds[0]);
    const char *line;
    size_t len;
    long first;
    while (cli_reader_next(&r, &line, &len, &first) == 1)
        cli_lex(line, len, &words, msg, sizeof msg);
    cli_reader_free(&r);
    close(fds[0]);
    return 0;
}
