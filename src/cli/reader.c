/*
 * reader.c - logical lines from a file descriptor, buffered by hand so that
 * the reader knows when the next read would block (see before_wait).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"

#define READ_CHUNK (256 * 1024)

void cli_reader_init(cli_reader *r, int fd)
{
    *r = (cli_reader){.fd = fd};
}

void cli_reader_free(cli_reader *r)
{
    free(r->buf);
    free(r->line);
    r->buf = r->line = NULL;
}

long long cli_reader_consumed(const cli_reader *r)
{
    return r->bytes_read - (long long)(r->end - r->start);
}

/* The whole lines read but not yet handed out (*len 0: none). */
static void pending(const cli_reader *r, const char **text, size_t *len)
{
    if (r->buf == NULL) {
        *text = "";
        *len = 0;
        return;
    }
    const char *from = r->buf + r->start, *nl = NULL;
    for (size_t n = r->end - r->start; n > 0 && nl == NULL; n--)
        if (from[n - 1] == '\n')
            nl = from + n - 1;
    *text = from;
    *len = nl != NULL ? (size_t)(nl - from) + 1 : 0;
}

static bool would_block(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

/* Read more input into the buffer; 0 at end of input, -1 on error. */
static int fill(cli_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->buf_cap - r->end < READ_CHUNK) {
        size_t cap = r->buf_cap ? r->buf_cap * 2 : READ_CHUNK * 2;
        while (cap - r->end < READ_CHUNK)
            cap *= 2;
        char *buf = realloc(r->buf, cap);
        if (buf == NULL) {
            errno = ENOMEM;
            return -1;
        }
        r->buf = buf;
        r->buf_cap = cap;
    }
    if (r->before_wait != NULL && would_block(r->fd))
        r->before_wait(r->ctx);
    ssize_t n = read(r->fd, r->buf + r->end, READ_CHUNK);
    if (n < 0)
        return -1;
    if (n == 0) {
        r->eof = true;
        return 0;
    }
    r->end += (size_t)n;
    r->bytes_read += n;
    if (r->after_read != NULL) {
        const char *text;
        size_t len;
        pending(r, &text, &len);
        if (len > 0)
            r->after_read(r->ctx, text, len);
    }
    return 1;
}

/* The next physical line without its line break; NULL at end of input. */
static int physical(cli_reader *r, char **text, size_t *len)
{
    for (;;) {
        char *nl = r->end > r->start
                       ? memchr(r->buf + r->start, '\n', r->end - r->start)
                       : NULL;
        if (nl != NULL || (r->eof && r->end > r->start)) {
            *text = r->buf + r->start;
            *len = nl ? (size_t)(nl - *text) : r->end - r->start;
            r->start = nl ? (size_t)(nl - r->buf) + 1 : r->end;
            if (*len > 0 && (*text)[*len - 1] == '\r')
                (*len)--;
            /* A file saved by an editor that marks UTF-8 begins with a
             * byte order mark: not part of the first command. */
            if (r->lineno == 0 && *len >= 3 &&
                memcmp(*text, "\xEF\xBB\xBF", 3) == 0) {
                *text += 3;
                *len -= 3;
            }
            r->lineno++;
            return 1;
        }
        if (r->eof)
            return 0;
        int rc = fill(r);
        if (rc < 0)
            return -1;
    }
}

static bool append(cli_reader *r, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > r->line_cap) {
        size_t cap = r->line_cap ? r->line_cap : 256;
        while (cap < *used + n + 1)
            cap *= 2;
        char *line = realloc(r->line, cap);
        if (line == NULL)
            return false;
        r->line = line;
        r->line_cap = cap;
    }
    memcpy(r->line + *used, s, n);
    *used += n;
    r->line[*used] = '\0';
    return true;
}

int cli_reader_next(cli_reader *r, const char **line, size_t *len,
                    long *first)
{
    size_t used = 0;
    bool more = true;
    *first = r->lineno + 1;
    while (more) {
        char *text;
        size_t n;
        int rc = physical(r, &text, &n);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (used == 0 && *first > r->lineno)
                return 0;
            break; /* a continuation at the very end of input */
        }
        more = n > 0 && text[n - 1] == '\\';
        if (!append(r, &used, text, more ? n - 1 : n)) {
            errno = ENOMEM;
            return -1;
        }
    }
    *line = r->line;
    *len = used;
    return 1;
}
