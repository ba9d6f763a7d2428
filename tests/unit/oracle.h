/*
 * oracle.h - the model the oracle test (test_oracle.c) keeps beside the
 * database: the seeded records, as plain arrays, that the rules are
 * counted over the obvious way; and what its parts share.
 */
#ifndef PRM_TEST_ORACLE_H
#define PRM_TEST_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "prm/prm.h"

#define NPARTNERS 24
#define NPROJECTS 40
#define NCOMMS 80
#define NRESOURCES 60
#define NOUTCOMES 50
#define NDEALS 60
#define NTASKS 60
#define NAGENDAS 40
#define NSCOPES 150
/* The clock the numbers are read at: deals approved before it may have
 * expired by then. */
#define ORACLE_NOW "2026-07-01T00:00:00Z"
#define STAMP 21 /* "2026-03-01T12:30:00Z" and its NUL */

typedef struct model_partner {
    int64_t id;
    char name[16];
    const char *type, *region, *status;
    char added[STAMP];
    const char *tier; /* its tier field: NULL, or a name or not */
} model_partner;

typedef struct model_project {
    int64_t id;
    int partners[3]; /* indexes into the partners */
    int npartners;
    const char *status;
    char dated[STAMP]; /* its start, else when it was added */
    char due[STAMP];   /* "" for none */
    char updated[STAMP]; /* when it was added, its status with it */
} model_project;

typedef struct model_event {
    int of; /* a partner's index (communication, resource) or a project's */
    char at[STAMP];
} model_event;

/* A deal as stored: its partner, when it was registered, its stored
 * status, whether it was ever approved, its expiry, its amount in cents. */
typedef struct model_deal {
    int of;
    char created[STAMP];
    const char *status;
    bool approved;
    char expires[STAMP];
    int64_t cents;
    char close[STAMP]; /* "" for none */
    char closed[STAMP]; /* when it was won or lost, days after it came */
} model_deal;

/* A task: what it refers to (indexes, -1 for none), due ("" for none). */
typedef struct model_task {
    int partner, project, deal;
    char due[STAMP];
    bool open;
} model_task;

typedef struct model {
    model_partner partners[NPARTNERS];
    model_project projects[NPROJECTS];
    model_event comms[NCOMMS], resources[NRESOURCES], outcomes[NOUTCOMES];
    model_deal deals[NDEALS];
    model_task tasks[NTASKS];
} model;

extern model m;

/* stamp + days, as prm writes an expiry. */
void oracle_plus_days(const char *stamp, int days, char out[STAMP]);
bool oracle_same(const char *a, const char *b);
/* The agenda against the model, for random days=, partner= and
 * quiet_days= drawn from seed (oracle_agenda.c). */
void oracle_check_agenda(prm_db *db, uint64_t seed);
/* Random tiers, tier review for random scopes against the model, then
 * tier apply and its undo (oracle_tiers.c). */
void oracle_check_tiers(prm_db *db, uint64_t seed);

#endif
