/*
 * seeded.h - a seeded random number generator for the tests that draw
 * their data at random: xorshift64*, the same numbers on every machine,
 * unlike rand().
 */
#ifndef PRM_TEST_SEEDED_H
#define PRM_TEST_SEEDED_H

#include <stdint.h>

static uint64_t seeded_state;

static inline void seeded_start(uint64_t seed)
{
    seeded_state = seed * 0x9E3779B97F4A7C15ULL;
}

/* A number from 0 to below - 1. */
static inline unsigned next(unsigned below)
{
    seeded_state ^= seeded_state >> 12;
    seeded_state ^= seeded_state << 25;
    seeded_state ^= seeded_state >> 27;
    return (unsigned)((seeded_state * 2685821657736338717ULL) >> 33) % below;
}

#endif
