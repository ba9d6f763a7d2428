/*
 * json_stream.h - a JSON document read a value at a time.
 *
 * An export of a million records is hundreds of megabytes of JSON, and
 * cJSON's tree of it took nine times the file.  This reader walks the
 * document's outer structure itself (an object, an array, their commas)
 * and hands each value inside to cJSON, so that memory holds one value.
 */
#ifndef PRM_JSON_STREAM_H
#define PRM_JSON_STREAM_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "prm/prm.h"

typedef struct json_stream {
    FILE *in;
    int c;          /* the byte at the cursor, or EOF */
    long line, col; /* where it is, from 1 */
    char *buf;      /* the value being read */
    size_t len, cap;
    bool failed;    /* out of memory */
} json_stream;

/* Start reading in, at its first byte that is not white space. */
void json_stream_init(json_stream *js, FILE *in);
void json_stream_free(json_stream *js);

/* Step over the byte at the cursor and the white space after it. */
void json_stream_skip(json_stream *js);

/* Whether the byte at the cursor is ch; if so, step over it. */
bool json_stream_accept(json_stream *js, int ch);

/* The value at the cursor, parsed (free it with cJSON_Delete), the cursor
 * left after it and its white space; NULL with the error "not valid JSON
 * (at line L, column C)" when it is not one. */
cJSON *json_stream_value(json_stream *js, prm_error *err);

/* The error for the byte at the cursor: not valid JSON, and where. */
prm_code json_stream_error(const json_stream *js, prm_error *err);

#endif
