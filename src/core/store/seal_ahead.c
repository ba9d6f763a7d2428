/*
 * seal_ahead.c - the values of a script's adds sealed on a second thread.
 *
 * With encryption on, sealing was a fifth of a bulk load's time, spent on
 * the one thread that also runs SQLite.  A script's reader holds lines
 * before they run; it tells the core of the adds among them
 * (prm_hint_add), and a second thread seals their sensitive values while
 * the lines before them run.  A value is bound to its record's id, so it
 * is sealed for the id the add is expected to get: the engine's next one,
 * and one more for each add of that kind hinted before it.
 *
 * Hints may be wrong: a line before may fail, another writer may take the
 * id, the text stored may not be the text given.  So an add takes a value
 * sealed ahead only when kind, field, id and every byte of the text are
 * what it seals now, and seals itself otherwise; what it takes is exactly
 * what it would have made (a fresh random nonce each time), and nothing
 * can make it write a value sealed for another record.
 *
 * The ring of slots is filled by the main thread in line order and taken
 * from in the same order.  A slot's state passes it between the threads:
 * QUEUED (main wrote it) -> WORKING -> DONE (the worker sealed it), or
 * QUEUED -> TAKEN (main needed it first, or no longer needs it).  Each
 * side changes a QUEUED slot only by compare-and-swap, so exactly one of
 * them owns it; main frees a slot once it is DONE or TAKEN.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/engine.h"
#include "store/seal.h"

enum {
    AHEAD_SLOTS = 4096, /* values ahead: a reader's chunk of adds, two each */
    AHEAD_SCAN = 64,    /* slots an add looks through for its own */
    AHEAD_BATCH = 64,   /* values queued before the thread is told */
    /* a value and its sealed text kept in the slot when they fit (the
     * sealed text of AHEAD_TEXT bytes does), so neither thread allocates
     * what the other frees */
    AHEAD_TEXT = 128,
    AHEAD_SEALED = 256
};

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_WORKING, SLOT_DONE, SLOT_TAKEN };

typedef struct ahead_slot {
    atomic_int state;
    /* written by main while FREE, read by the worker once it owns it */
    const prm_kind_info *info;
    size_t field;
    int64_t id;
    size_t len;
    char *plain; /* the text: in text, or malloc'd; wiped when freed */
    char text[AHEAD_TEXT];
    /* the worker's result: in out, or malloc'd; NULL when it failed */
    char *sealed;
    char out[AHEAD_SEALED];
} ahead_slot;

struct store_ahead {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /* under lock */
    size_t published; /* slots the worker may seal */
    bool idle, stop;
    /* the worker's */
    size_t worked;
    store_nonces nonces;
    /* main's: queued so far, told the worker of, taken or dropped */
    size_t queued, told, consumed;
    int64_t next_id[PRM_KIND_COUNT]; /* this look-ahead's, 0: not asked */
    const prm_db *db;
    ahead_slot slot[AHEAD_SLOTS];
};

static void seal_slot(struct store_ahead *a, ahead_slot *s)
{
    int expect = SLOT_QUEUED;
    if (!atomic_compare_exchange_strong_explicit(&s->state, &expect,
                                                 SLOT_WORKING,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return; /* main took it */
    size_t size = store_sealed_size(s->len);
    char *out = size > 0 && size <= sizeof s->out ? s->out
                : size > 0                          ? malloc(size)
                                                    : NULL;
    if (out != NULL &&
        !store_seal_into(a->db, &a->nonces, s->info->name,
                         s->info->fields[s->field].name, s->id, s->plain,
                         s->len, out)) {
        if (out != s->out)
            free(out);
        out = NULL;
    }
    s->sealed = out;
    atomic_store_explicit(&s->state, SLOT_DONE, memory_order_release);
}

static void *worker(void *arg)
{
    struct store_ahead *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->stop && a->worked == a->published) {
            a->idle = true;
            pthread_cond_wait(&a->wake, &a->lock);
        }
        a->idle = false;
        if (a->stop)
            break;
        size_t upto = a->published;
        pthread_mutex_unlock(&a->lock);
        for (; a->worked < upto; a->worked++)
            seal_slot(a, &a->slot[a->worked % AHEAD_SLOTS]);
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* The slot main owns again: the worker's work on it is over. */
static void slot_settle(ahead_slot *s)
{
    int state = atomic_load_explicit(&s->state, memory_order_acquire);
    if (state == SLOT_QUEUED &&
        atomic_compare_exchange_strong_explicit(&s->state, &state, SLOT_TAKEN,
                                                memory_order_acquire,
                                                memory_order_acquire))
        return;
    while (state == SLOT_WORKING) /* a value's sealing: a microsecond */
        state = atomic_load_explicit(&s->state, memory_order_acquire);
}

static void slot_free(ahead_slot *s)
{
    slot_settle(s);
    sodium_memzero(s->plain, s->len);
    if (s->plain != s->text)
        free(s->plain);
    if (s->sealed != s->out)
        free(s->sealed);
    s->plain = s->sealed = NULL;
    atomic_store_explicit(&s->state, SLOT_FREE, memory_order_relaxed);
}

/* The slots queued so far are the worker's to seal. */
static void tell(struct store_ahead *a)
{
    a->told = a->queued;
    pthread_mutex_lock(&a->lock);
    a->published = a->queued;
    if (a->idle)
        pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
}

/* Free the slots up to (not including) the queued one numbered end. */
static void drop_until(struct store_ahead *a, size_t end)
{
    for (; a->consumed < end; a->consumed++)
        slot_free(&a->slot[a->consumed % AHEAD_SLOTS]);
}

static struct store_ahead *ahead_start(prm_db *db)
{
    struct store_ahead *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->db = db;
    store_nonces_init(&a->nonces);
    for (size_t i = 0; i < AHEAD_SLOTS; i++)
        atomic_init(&a->slot[i].state, SLOT_FREE);
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a);
        return NULL;
    }
    if (pthread_cond_init(&a->wake, NULL) != 0) {
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NULL;
    }
    /* Signals stay the main thread's: a script's Ctrl-C must interrupt
     * its read of a slow pipe, which it would not if this thread took
     * it.  The thread inherits a mask that blocks them all. */
    sigset_t all, was;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &was);
    int started = pthread_create(&a->thread, NULL, worker, a);
    pthread_sigmask(SIG_SETMASK, &was, NULL);
    if (started != 0) {
        pthread_cond_destroy(&a->wake);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NULL;
    }
    return a;
}

void store_ahead_stop(prm_db *db)
{
    struct store_ahead *a = db->ahead;
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    drop_until(a, a->queued);
    pthread_cond_destroy(&a->wake);
    pthread_mutex_destroy(&a->lock);
    sodium_memzero(&a->nonces, sizeof a->nonces);
    free(a);
    db->ahead = NULL;
}

bool store_ahead_begin(prm_db *db)
{
    if (!store_sealing(db))
        return false;
    if (db->ahead == NULL && (db->ahead = ahead_start(db)) == NULL)
        return false; /* sealed as each add runs, as without hints */
    struct store_ahead *a = db->ahead;
    /* the lines hinted before have all run */
    drop_until(a, a->queued);
    memset(a->next_id, 0, sizeof a->next_id);
    return true;
}

int64_t store_ahead_next_id(prm_db *db, const prm_kind_info *info)
{
    struct store_ahead *a = db->ahead;
    if (a == NULL)
        return 0;
    int64_t *next = &a->next_id[info->kind];
    if (*next == 0) {
        /* asked only inside a transaction, where the engine counts ids
         * under the writers' lock (and so adds will number on) */
        prm_error err;
        if (!db->engine->in_transaction(db) ||
            db->engine->next_id(db, info, next, &err) != PRM_OK || *next <= 0)
            *next = -1; /* not known: this look-ahead hints none */
    }
    return *next > 0 ? (*next)++ : 0;
}

void store_ahead_queue(prm_db *db, const prm_kind_info *info, size_t field,
                       int64_t id, const char *s, size_t len)
{
    struct store_ahead *a = db->ahead;
    if (a == NULL || id <= 0 || a->queued - a->consumed >= AHEAD_SLOTS)
        return;
    ahead_slot *slot = &a->slot[a->queued % AHEAD_SLOTS];
    slot->plain = len < sizeof slot->text ? slot->text : malloc(len + 1);
    if (slot->plain == NULL)
        return;
    memcpy(slot->plain, s, len);
    slot->plain[len] = '\0';
    slot->len = len;
    slot->info = info;
    slot->field = field;
    slot->id = id;
    slot->sealed = NULL;
    /* what the worker reads of the slot, before it may claim it */
    atomic_store_explicit(&slot->state, SLOT_QUEUED, memory_order_release);
    if (++a->queued - a->told >= AHEAD_BATCH)
        tell(a);
}

void store_ahead_settle(prm_db *db)
{
    struct store_ahead *a = db->ahead;
    if (a != NULL && a->told != a->queued)
        tell(a);
    for (size_t k = a != NULL ? a->consumed : 0; a != NULL && k < a->queued;
         k++) {
        const ahead_slot *s = &a->slot[k % AHEAD_SLOTS];
        while (atomic_load(&s->state) == SLOT_QUEUED ||
               atomic_load(&s->state) == SLOT_WORKING)
            sched_yield();
    }
}

static bool slot_is(const ahead_slot *s, const prm_kind_info *info,
                    size_t field, int64_t id)
{
    return s->info == info && s->field == field && s->id == id;
}

char *store_ahead_take(const prm_db *db, const prm_kind_info *info,
                       size_t field, int64_t id, const char *text, size_t len)
{
    struct store_ahead *a = db->ahead;
    if (a == NULL)
        return NULL;
    if (a->told != a->queued)
        tell(a); /* the last few of a look-ahead */
    size_t end = a->queued - a->consumed > AHEAD_SCAN ? a->consumed + AHEAD_SCAN
                                                      : a->queued;
    for (size_t k = a->consumed; k < end; k++) {
        ahead_slot *s = &a->slot[k % AHEAD_SLOTS];
        if (!slot_is(s, info, field, id))
            continue;
        /* this add's slot: those before it were for lines that have run */
        drop_until(a, k);
        slot_settle(s);
        char *sealed = NULL;
        if (atomic_load_explicit(&s->state, memory_order_acquire) ==
                SLOT_DONE &&
            s->sealed != NULL &&
            s->len == len && memcmp(s->plain, text, len) == 0) {
            if (s->sealed != s->out) {
                sealed = s->sealed; /* the worker's, long: taken over */
                s->sealed = NULL;
            } else {
                size_t size = strlen(s->out) + 1;
                if ((sealed = malloc(size)) != NULL)
                    memcpy(sealed, s->out, size);
            }
        }
        drop_until(a, k + 1);
        return sealed;
    }
    return NULL;
}
