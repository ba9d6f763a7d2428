/*
 * json_stream.c - a JSON document read a value at a time (json_stream.h).
 *
 * The reader does not judge JSON itself: it finds where a value ends (a
 * string at its closing quote, an object or array at the bracket that
 * closes it, anything else at the next delimiter) and cJSON parses the
 * bytes, so that what is valid is what cJSON says, as when the whole
 * document went to cJSON at once.  No recursion: a file of 100,000 open
 * brackets is only a deep counter.
 */
#include <stdlib.h>
#include <string.h>

#include "json_stream.h"

/* Step to the next byte, keeping count of lines and columns. */
static void advance(json_stream *js)
{
    if (js->c == '\n') {
        js->line++;
        js->col = 1;
    } else if (js->c != EOF) {
        js->col++;
    }
    js->c = getc(js->in);
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(json_stream *js)
{
    while (is_space(js->c))
        advance(js);
}

void json_stream_init(json_stream *js, FILE *in)
{
    *js = (json_stream){.in = in, .line = 1, .col = 1};
    js->c = getc(in);
    skip_space(js);
}

void json_stream_free(json_stream *js)
{
    free(js->buf);
    js->buf = NULL;
}

void json_stream_skip(json_stream *js)
{
    advance(js);
    skip_space(js);
}

bool json_stream_accept(json_stream *js, int ch)
{
    if (js->c != ch)
        return false;
    json_stream_skip(js);
    return true;
}

/* Append a byte to the value being read (room kept for a NUL). */
static void put(json_stream *js, int c)
{
    if (js->len + 2 > js->cap && !js->failed) {
        size_t cap = js->cap ? js->cap * 2 : 4096;
        char *more = realloc(js->buf, cap);
        if (more == NULL)
            js->failed = true;
        else {
            js->buf = more;
            js->cap = cap;
        }
    }
    if (!js->failed)
        js->buf[js->len++] = (char)c;
}

/* Where a bare value (a number, true, false, null or junk) ends. */
static bool ends_bare_value(int c)
{
    return c == EOF || c == ',' || c == ']' || c == '}' || c == ':' ||
           c == '\0' || is_space(c);
}

/* Gather the bytes of the value at the cursor into buf; false when the
 * input ends inside it. */
static bool collect(json_stream *js)
{
    js->len = 0;
    if (js->c != '"' && js->c != '{' && js->c != '[') {
        for (; !ends_bare_value(js->c); advance(js))
            put(js, js->c);
        return true;
    }
    long depth = 0;
    bool in_string = false;
    do {
        int c = js->c;
        if (c == EOF)
            return false;
        put(js, c);
        if (in_string && c == '\\') {
            advance(js);
            if (js->c == EOF)
                return false;
            put(js, js->c);
        } else if (c == '"') {
            in_string = !in_string;
        } else if (!in_string && (c == '{' || c == '[')) {
            depth++;
        } else if (!in_string && (c == '}' || c == ']')) {
            depth--;
        }
        advance(js);
    } while (in_string || depth > 0);
    return true;
}

static prm_code error_at(long line, long col, prm_error *err)
{
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "not valid JSON (at line %ld, column %ld)", line, col);
}

prm_code json_stream_error(const json_stream *js, prm_error *err)
{
    return error_at(js->line, js->col, err);
}

cJSON *json_stream_value(json_stream *js, prm_error *err)
{
    long line = js->line, col = js->col;
    bool whole = collect(js);
    if (js->failed) {
        prm_error_set(err, PRM_EIO, "out of memory reading the file");
        return NULL;
    }
    if (!whole || js->len == 0 || memchr(js->buf, '\0', js->len) != NULL) {
        json_stream_error(js, err);
        return NULL;
    }
    js->buf[js->len] = '\0';
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(js->buf, js->len + 1, &end, true);
    if (v == NULL) {
        /* where in the value cJSON stopped, counted from its start */
        const char *stop = end ? end : cJSON_GetErrorPtr();
        for (const char *p = js->buf; stop != NULL && p < stop && *p; p++) {
            col++;
            if (*p == '\n') {
                line++;
                col = 1;
            }
        }
        error_at(line, col, err);
        return NULL;
    }
    skip_space(js);
    return v;
}
