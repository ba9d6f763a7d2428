/*
 * transfer.h - what export (transfer.c) and import (import.c) agree on:
 * the two formats' names and version.
 *
 *   json   one document, prm's export object:
 *          {"ok":true,"format":"prm-export","version":2,"partners":[...],...}
 *   jsonl  a header line {"format":"prm-jsonl","version":2}, then one record
 *          a line, keyed by its kind: {"partner":{...}}
 */
#ifndef PRM_TRANSFER_H
#define PRM_TRANSFER_H

#define JSON_FORMAT "prm-export"
#define JSONL_FORMAT "prm-jsonl"
#define FORMAT_VERSION 2 /* 2: deals, tasks, funds, requests, claims, tiers */

#endif /* PRM_TRANSFER_H */
