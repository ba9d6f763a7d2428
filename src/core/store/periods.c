/*
 * periods.c - the periods of report trend as the store names them
 * (2026-03, 2026-Q1, 2026), and the dates each takes in: the core fills
 * the empty ones between those with rows, the store counts each one's
 * rows in a range of dates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

void store_period_of(store_period by, const char *date,
                     char out[STORE_PERIOD_SIZE])
{
    if (by == PERIOD_YEAR)
        snprintf(out, STORE_PERIOD_SIZE, "%.4s", date);
    else if (by == PERIOD_QUARTER)
        snprintf(out, STORE_PERIOD_SIZE, "%.4s-Q%d", date,
                 ((date[5] - '0') * 10 + date[6] - '0' + 2) / 3);
    else
        snprintf(out, STORE_PERIOD_SIZE, "%.7s", date);
}

bool store_period_next(store_period by, char p[STORE_PERIOD_SIZE])
{
    int year = atoi(p);
    int sub = by == PERIOD_YEAR      ? 0
              : by == PERIOD_QUARTER ? p[6] - '0'
                                     : atoi(p + 5);
    int last = by == PERIOD_YEAR ? 0 : by == PERIOD_QUARTER ? 4 : 12;
    if (sub == last) {
        year++;
        sub = last == 0 ? 0 : 1;
    } else {
        sub++;
    }
    if (year < 0 || year > 9999 || sub < 0 || sub > 12)
        return false;
    if (by == PERIOD_YEAR)
        snprintf(p, STORE_PERIOD_SIZE, "%04d", year);
    else if (by == PERIOD_QUARTER)
        snprintf(p, STORE_PERIOD_SIZE, "%04d-Q%d", year, sub);
    else
        snprintf(p, STORE_PERIOD_SIZE, "%04d-%02d", year, sub);
    return true;
}

/* The first month of a period, as a date's first characters. */
static void first_month(store_period by, const char *p,
                        char out[STORE_PERIOD_SIZE])
{
    if (by == PERIOD_YEAR)
        snprintf(out, STORE_PERIOD_SIZE, "%.4s", p);
    else if (by == PERIOD_QUARTER)
        snprintf(out, STORE_PERIOD_SIZE, "%.4s-%02d", p, (p[6] - '0') * 3 - 2);
    else
        snprintf(out, STORE_PERIOD_SIZE, "%.7s", p);
}

bool store_period_range(store_period by, const char *p,
                        char from[STORE_PERIOD_SIZE],
                        char before[STORE_PERIOD_SIZE])
{
    char next[STORE_PERIOD_SIZE];
    snprintf(next, sizeof next, "%s", p);
    if (!store_period_next(by, next))
        return false;
    first_month(by, p, from);
    first_month(by, next, before);
    return true;
}
