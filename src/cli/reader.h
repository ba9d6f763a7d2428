/*
 * reader.h - logical lines from a file or pipe.
 *
 * Handles LF and CRLF, a missing final newline, and lines continued with a
 * trailing backslash; counts physical lines so errors can name the line a
 * command starts on.  Lines may be of any length.
 */
#ifndef PRM_CLI_READER_H
#define PRM_CLI_READER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_reader {
    int fd;
    char *buf;
    size_t buf_cap, start, end;
    bool eof;
    char *line;
    size_t line_cap;
    long lineno; /* physical lines consumed so far */
    long long bytes_read; /* from the descriptor, for progress */
    /* Called before a read that would block: the moment to commit work,
     * so nothing waits uncommitted on a slow pipe. */
    void (*before_wait)(void *ctx);
    /* Called after a read with the whole lines it completed, which none
     * of the lines handed out so far is part of: the moment to look
     * ahead at them (look_ahead.c). */
    void (*after_read)(void *ctx, const char *text, size_t len);
    void *ctx;
} cli_reader;

void cli_reader_init(cli_reader *r, int fd);
void cli_reader_free(cli_reader *r);

/* Bytes of input consumed so far (read and handed out as lines). */
long long cli_reader_consumed(const cli_reader *r);

/* Next logical line (no line break, NUL-terminated, may hold NUL bytes);
 * *first is the number of its first physical line.  Returns 1 for a line,
 * 0 at the end of input, -1 on a read error (errno set). */
int cli_reader_next(cli_reader *r, const char **line, size_t *len,
                    long *first);

#endif
