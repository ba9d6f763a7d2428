/*
 * test_roundtrip.c - export, import, export again: the same bytes, for
 * seeded random data that is as awkward as text and numbers get.  (Past
 * 700 lines: every kind's random fields live here, beside the round trips
 * and the undo test that use them.)
 *
 * The export guarantee: an export imported into a new database reproduces
 * every record, id and field exactly, so that a second export is
 * byte-identical to the first.  Hand-written cases hold a few awkward
 * values; this holds many at once, drawn from a palette of what breaks
 * formats (quotes, backslashes, commas, control characters, CR and LF,
 * C1 controls, U+2028, a byte-order mark, characters of two to four
 * bytes, text that looks like a number or a formula) and of numbers whose
 * shortest form is long (0.1 + 0.2).  It goes through JSON, JSON Lines
 * and CSV (each kind's file imported in order into an empty database).
 *
 * And undo: after random adds, updates and deletes of such records, each
 * undo must give back the export as it was before the change it reverts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "prm/prm.h"
#include "awkward.h"
#include "seeded.h"

#define NPARTNERS 30
#define NPROJECTS 30
#define NEVENTS 40 /* of each of communications, resources, outcomes */
#define NFUNDS 6
#define TEXT_MAX 200


static const char *random_number(void)
{
    static const char *const numbers[] = {
        "0", "1", "0.1", "2.5", "0.30000000000000004", "1e-7",
        "123456789.125", "1e15", "3.141592653589793", "9007199254740993",
        "0.000001", "42"};
    return numbers[next(sizeof numbers / sizeof *numbers)];
}

static void random_date(char out[24])
{
    snprintf(out, 24, "%04u-%02u-%02uT%02u:%02u:%02uZ", 2020 + next(8),
             1 + next(12), 1 + next(28), next(24), next(60), next(60));
}

/* args[n] = key=value, with room for value kept in buf. */
typedef struct argset {
    prm_arg args[12];
    size_t n;
    char buf[12][TEXT_MAX];
} argset;

static void set(argset *a, const char *key, const char *value)
{
    snprintf(a->buf[a->n], TEXT_MAX, "%s", value);
    a->args[a->n] = (prm_arg){key, a->buf[a->n]};
    a->n++;
}

/* An optional text field: absent, or random text (perhaps empty). */
static void maybe_text(argset *a, const char *key)
{
    char text[TEXT_MAX];
    if (next(3) == 0)
        return;
    random_text(text, sizeof text, NULL);
    set(a, key, text);
}

static void add(prm_db *db, prm_kind kind, argset *a)
{
    prm_error err;
    int64_t id;
    if (prm_add(db, kind, a->args, a->n, &id, &err) != PRM_OK)
        fail_msg("add failed: %s", err.message);
}

/* The fields of a new record of each kind, at random; serial keeps names
 * unique, and references are ids up to the counts given. */
static void partner_fields(argset *a, unsigned serial)
{
    static const char *const statuses[] = {"prospect", "active", "inactive"};
    char prefix[16], name[TEXT_MAX];
    snprintf(prefix, sizeof prefix, "P%02u ", serial);
    random_text(name, sizeof name, prefix);
    set(a, "name", name);
    maybe_text(a, "type");
    maybe_text(a, "region");
    set(a, "status", statuses[next(3)]);
    maybe_text(a, "tier");
    maybe_text(a, "email");
    maybe_text(a, "phone");
    maybe_text(a, "notes");
}

static void project_fields(argset *a, unsigned serial, unsigned npartners)
{
    static const char *const statuses[] = {"planned", "active", "succeeded",
                                           "failed", "cancelled"};
    char prefix[16], name[TEXT_MAX], num[16], date[24];
    snprintf(prefix, sizeof prefix, "J%02u ", serial);
    random_text(name, sizeof name, prefix);
    set(a, "name", name);
    unsigned first = 1 + next(npartners), second = 1 + next(npartners);
    snprintf(num, sizeof num, "%u", first);
    if (second != first)
        snprintf(num + strlen(num), sizeof num - strlen(num), ",%u", second);
    set(a, "partners", num);
    maybe_text(a, "goal");
    maybe_text(a, "plan");
    snprintf(num, sizeof num, "%u", next(101));
    set(a, "progress", num);
    set(a, "status", statuses[next(5)]);
    maybe_text(a, "result");
    if (next(2)) {
        random_date(date);
        set(a, "start", date);
    }
    if (next(2)) {
        random_date(date);
        set(a, "due", date);
    }
}

/* A deal: any customer text, a domain or none, an exact amount. */
static void deal_fields(argset *a, unsigned serial, unsigned npartners)
{
    static const char *const domains[] = {"d%03u.com", "EU.D%03u.com",
                                          "d%03u.co.uk", "xn--80ak6aa92e%03u.com"};
    char text[TEXT_MAX], num[32], date[24], domain[64];
    snprintf(num, sizeof num, "%u", 1 + next(npartners));
    set(a, "partner", num);
    char prefix[16]; /* serial keeps a partner from registering it twice */
    snprintf(prefix, sizeof prefix, "D%03u ", serial);
    random_text(text, sizeof text, prefix);
    set(a, "customer", text);
    if (next(2)) { /* of its own: a partner may not register it twice */
        snprintf(domain, sizeof domain, domains[next(4)], serial);
        set(a, "domain", domain);
    }
    maybe_text(a, "product");
    if (next(2)) {
        snprintf(num, sizeof num, "%u.%02u", next(1000000), next(100));
        set(a, "amount", num);
    }
    if (next(2)) {
        random_date(date);
        set(a, "close", date);
    }
    maybe_text(a, "contact");
    maybe_text(a, "reason");
    maybe_text(a, "notes");
}

/* A communication, resource or outcome. */
static void event_fields(prm_kind kind, argset *a, unsigned npartners,
                         unsigned nprojects)
{
    static const char *const methods[] = {"email", "phone", "meeting",
                                          "chat", "other"};
    static const char *const kinds[] = {"people", "technology", "funding",
                                        "other"};
    char ref[16], date[24], text[TEXT_MAX];
    random_date(date);
    set(a, "at", date);
    snprintf(ref, sizeof ref, "%u", 1 + next(nprojects));
    if (kind == PRM_OUTCOME) {
        set(a, "project", ref);
        random_text(text, sizeof text, "o");
        set(a, "description", text);
        if (next(2))
            set(a, "value", random_number());
        return;
    }
    if (next(2))
        set(a, "project", ref);
    snprintf(ref, sizeof ref, "%u", 1 + next(npartners));
    set(a, "partner", ref);
    if (kind == PRM_COMMUNICATION) {
        set(a, "method", methods[next(5)]);
        maybe_text(a, "subject");
        random_text(text, sizeof text, "c");
        set(a, "content", text);
    } else {
        set(a, "kind", kinds[next(4)]);
        set(a, "amount", random_number());
        maybe_text(a, "unit");
        maybe_text(a, "description");
    }
}

/* A task: any of its references, or none. */
static void task_fields(argset *a, unsigned npartners, unsigned nprojects,
                        unsigned ndeals)
{
    char ref[16], date[24], text[TEXT_MAX];
    random_text(text, sizeof text, "t");
    set(a, "title", text);
    const struct {
        const char *key;
        unsigned n;
    } refs[] = {{"partner", npartners}, {"project", nprojects},
                {"deal", ndeals}};
    for (size_t i = 0; i < 3; i++)
        if (next(2)) {
            snprintf(ref, sizeof ref, "%u", 1 + next(refs[i].n));
            set(a, refs[i].key, ref);
        }
    if (next(2)) {
        random_date(date);
        set(a, "due", date);
    }
    maybe_text(a, "notes");
}

/* An exact amount of money below a million. */
static void random_money(argset *a, const char *key, unsigned max)
{
    char num[32];
    snprintf(num, sizeof num, "%u.%02u", next(max), next(100));
    set(a, key, num);
}

/* A fund: a budget, taking requests and claims until after the clock of
 * the tests (2026), or perhaps until a date long past. */
static void fund_fields(argset *a, unsigned serial)
{
    char prefix[16], name[TEXT_MAX], date[24];
    snprintf(prefix, sizeof prefix, "F%02u ", serial);
    random_text(name, sizeof name, prefix);
    set(a, "name", name);
    if (next(3) == 0) { /* a currency without cents: whole amounts */
        char num[16];
        snprintf(num, sizeof num, "%u", next(100000000));
        set(a, "amount", num);
        set(a, "currency", "JPY");
    } else {
        random_money(a, "amount", 1000000);
        if (next(2))
            set(a, "currency", "EUR");
    }
    static const char *const dates[] = {"start", "end", "request_by",
                                        "claim_by"};
    for (size_t i = 0; i < 4; i++)
        if (next(2)) {
            random_date(date);
            if (i >= 2 && next(4) != 0)
                memcpy(date, "2031", 4);
            set(a, dates[i], date);
        }
    maybe_text(a, "notes");
}

static void request_fields(argset *a, const unsigned n[PRM_KIND_COUNT])
{
    char ref[16], text[TEXT_MAX];
    snprintf(ref, sizeof ref, "%u", 1 + next(n[PRM_FUND]));
    set(a, "fund", ref);
    snprintf(ref, sizeof ref, "%u", 1 + next(n[PRM_PARTNER]));
    set(a, "partner", ref);
    if (next(2)) {
        snprintf(ref, sizeof ref, "%u", 1 + next(n[PRM_PROJECT]));
        set(a, "project", ref);
    }
    random_text(text, sizeof text, "r");
    set(a, "activity", text);
    random_money(a, "amount", 100000);
    maybe_text(a, "reason");
}

static void claim_fields(argset *a, const unsigned n[PRM_KIND_COUNT])
{
    char ref[16];
    snprintf(ref, sizeof ref, "%u", 1 + next(n[PRM_REQUEST]));
    set(a, "request", ref);
    random_money(a, "amount", 30000);
    maybe_text(a, "proof");
    maybe_text(a, "reason");
}

static void tier_fields(argset *a, unsigned serial)
{
    static const char *const mins[] = {"min_deals_won", "min_succeeded",
                                       "min_communications", "window_days"};
    char prefix[16], name[TEXT_MAX], num[32];
    snprintf(prefix, sizeof prefix, "T%02u ", serial);
    random_text(name, sizeof name, prefix);
    set(a, "name", name);
    snprintf(num, sizeof num, "%u", serial);
    set(a, "rank", num);
    random_money(a, "min_won_value", 500000);
    for (size_t i = 0; i < 4; i++)
        if (next(2)) {
            snprintf(num, sizeof num, "%u", next(400));
            set(a, mins[i], num);
        }
    if (next(2)) {
        snprintf(num, sizeof num, "0.%02u", next(100));
        set(a, "min_closed_success_rate", num);
    }
}

/* n[k]: how many records of kind k references may name. */
static void random_fields(prm_kind kind, argset *a, unsigned serial,
                          const unsigned n[PRM_KIND_COUNT])
{
    switch (kind) {
    case PRM_TASK:
        task_fields(a, n[PRM_PARTNER], n[PRM_PROJECT], n[PRM_DEAL]);
        break;
    case PRM_PARTNER:
        partner_fields(a, serial);
        break;
    case PRM_PROJECT:
        project_fields(a, serial, n[PRM_PARTNER]);
        break;
    case PRM_DEAL:
        deal_fields(a, serial, n[PRM_PARTNER]);
        break;
    case PRM_FUND:
        fund_fields(a, serial);
        break;
    case PRM_REQUEST:
        request_fields(a, n);
        break;
    case PRM_CLAIM:
        claim_fields(a, n);
        break;
    case PRM_TIER:
        tier_fields(a, serial);
        break;
    default:
        event_fields(kind, a, n[PRM_PARTNER], n[PRM_PROJECT]);
    }
}

/* A move of a request or claim at random (approve, reject, pay...);
 * whether prm made it (a move from the wrong status is refused). */
static bool random_move(prm_db *db, prm_kind kind, unsigned id)
{
    static const char *const verbs[] = {"approve", "reject", "cancel", "pay"};
    prm_money_move move;
    if (!prm_money_move_find(kind, verbs[next(4)], &move))
        return false;
    char ref[16], amount[32];
    snprintf(ref, sizeof ref, "%u", id);
    snprintf(amount, sizeof amount, "%u.%02u", next(50000), next(100));
    prm_arg arg = next(2) ? (prm_arg){"amount", amount}
                          : (prm_arg){"reason", "no budget left"};
    bool with = move == PRM_REQUEST_APPROVE ? arg.key[0] == 'a'
                                            : move == PRM_REQUEST_REJECT ||
                                                  move == PRM_CLAIM_REJECT;
    if (move == PRM_REQUEST_REJECT || move == PRM_CLAIM_REJECT)
        arg = (prm_arg){"reason", "no budget left"};
    prm_error err;
    int64_t done;
    return prm_money_move_run(db, move, ref, &arg, with ? 1 : 0, &done,
                              &err) == PRM_OK;
}

/* The records of every kind but money's. */
static void load_records(prm_db *db)
{
    for (unsigned i = 0; i < NPARTNERS; i++) {
        argset a = {.n = 0};
        partner_fields(&a, i);
        add(db, PRM_PARTNER, &a);
    }
    for (unsigned i = 0; i < NPROJECTS; i++) {
        argset a = {.n = 0};
        project_fields(&a, i, NPARTNERS);
        add(db, PRM_PROJECT, &a);
    }
    for (int i = 0; i < 3 * NEVENTS; i++) {
        argset a = {.n = 0};
        prm_kind kind = i < NEVENTS       ? PRM_COMMUNICATION
                        : i < 2 * NEVENTS ? PRM_RESOURCE
                                          : PRM_OUTCOME;
        event_fields(kind, &a, NPARTNERS, NPROJECTS);
        add(db, kind, &a);
    }
    for (int i = 0; i < NEVENTS; i++) {
        argset a = {.n = 0};
        deal_fields(&a, (unsigned)i, NPARTNERS);
        add(db, PRM_DEAL, &a);
    }
    for (int i = 0; i < NEVENTS; i++) {
        argset a = {.n = 0};
        task_fields(&a, NPARTNERS, NPROJECTS, NEVENTS);
        add(db, PRM_TASK, &a);
    }
}

/* Mostly the way money goes (approved; a claim then paid), else a move
 * at random. */
static void money_moves(prm_db *db, prm_kind kind, unsigned id)
{
    char ref[16];
    snprintf(ref, sizeof ref, "%u", id);
    prm_error err;
    int64_t done;
    if (next(4) == 0) {
        random_move(db, kind, id);
        return;
    }
    prm_money_move approve = kind == PRM_REQUEST ? PRM_REQUEST_APPROVE
                                                 : PRM_CLAIM_APPROVE;
    if (prm_money_move_run(db, approve, ref, NULL, 0, &done, &err) ==
            PRM_OK &&
        kind == PRM_CLAIM && next(2))
        prm_money_move_run(db, PRM_CLAIM_PAY, ref, NULL, 0, &done, &err);
}

static bool count_one(void *ctx, const prm_record *rec)
{
    (void)rec;
    ++*(int *)ctx;
    return true;
}

static int count_where(prm_db *db, prm_kind kind, const char *key,
                       const char *value)
{
    prm_arg f = {key, value};
    prm_error err;
    int n = 0;
    assert_int_equal(prm_list(db, kind, &f, 1, false, count_one, &n, &err),
                     PRM_OK);
    return n;
}

/* Funds, tiers and requests; with moves, requests approved or rejected
 * and claims (some paid: their resources too).  A move or add the
 * rules refuse is skipped. */
static void load_money(prm_db *db, bool moves)
{
    const unsigned n[PRM_KIND_COUNT] = {
        [PRM_PARTNER] = NPARTNERS, [PRM_PROJECT] = NPROJECTS,
        [PRM_FUND] = NFUNDS, [PRM_REQUEST] = 3 * NFUNDS};
    prm_error err;
    int64_t id;
    for (unsigned i = 0; i < NFUNDS; i++) {
        argset a = {.n = 0};
        fund_fields(&a, i);
        add(db, PRM_FUND, &a);
        a = (argset){.n = 0};
        tier_fields(&a, i);
        add(db, PRM_TIER, &a);
    }
    for (unsigned i = 0; i < 3 * NFUNDS; i++) {
        argset a = {.n = 0};
        request_fields(&a, n);
        if (prm_add(db, PRM_REQUEST, a.args, a.n, &id, &err) == PRM_OK &&
            moves)
            money_moves(db, PRM_REQUEST, (unsigned)id);
    }
    for (unsigned i = 0; moves && i < 6 * NFUNDS; i++) {
        argset a = {.n = 0};
        claim_fields(&a, n);
        if (prm_add(db, PRM_CLAIM, a.args, a.n, &id, &err) == PRM_OK)
            money_moves(db, PRM_CLAIM, (unsigned)id);
    }
    if (!moves)
        return;
    /* not a vacuous load: money moved */
    assert_true(count_where(db, PRM_REQUEST, "status", "approved") +
                    count_where(db, PRM_REQUEST, "status", "completed") >
                0);
    assert_true(count_where(db, PRM_CLAIM, "status", "paid") > 0);
}

static void load(prm_db *db)
{
    load_records(db);
    load_money(db, true);
}

/* --- the round trips ------------------------------------------------------ */

typedef struct bytes {
    char *data;
    size_t len;
} bytes;

static void read_all(FILE *f, bytes *b)
{
    long size = ftell(f);
    assert_true(size >= 0);
    b->len = (size_t)size;
    b->data = malloc(b->len + 1);
    assert_non_null(b->data);
    rewind(f);
    assert_int_equal(fread(b->data, 1, b->len, f), b->len);
    b->data[b->len] = '\0';
    rewind(f);
}

static void assert_same_bytes(const bytes *a, const bytes *b, const char *what)
{
    if (a->len == b->len && memcmp(a->data, b->data, a->len) == 0)
        return;
    size_t at = 0;
    while (at < a->len && at < b->len && a->data[at] == b->data[at])
        at++;
    size_t from = at > 60 ? at - 60 : 0; /* where they part, in context */
    fprintf(stderr, "expected: %.120s\nactual:   %.120s\n", a->data + from,
            b->data + from);
    fail_msg("%s: differs at byte %zu (%zu and %zu bytes)", what, at, a->len,
             b->len);
}

/* A new database whose clock stands still: a CSV import dates its rows
 * when it runs (doc/guide.md: Formats), as an add would. */
static prm_db *open_at(const char *path)
{
    prm_db *db;
    prm_error err;
    if (prm_open(path, &db, &err) != PRM_OK)
        fail_msg("cannot open %s: %s", path, err.message);
    assert_int_equal(prm_set_now(db, "2026-03-01T12:00:00Z", &err), PRM_OK);
    return db;
}

static prm_db *fresh(void)
{
    return open_at(":memory:");
}

/* The database the undo test runs on: one in memory for each seed, or the
 * empty team database named on the command line, for one. */
static const char *undo_db = ":memory:";

/* The export of db in format, in a temporary file at its start. */
static FILE *exported(prm_db *db, prm_format format, bytes *b)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    prm_counts counts;
    prm_error err;
    if (prm_export(db, format, f, &counts, &err) != PRM_OK)
        fail_msg("export failed: %s", err.message);
    read_all(f, b);
    return f;
}

static void import(prm_db *db, prm_format format, FILE *f)
{
    prm_counts counts;
    prm_error err;
    if (prm_import(db, format, f, &counts, &err) != PRM_OK)
        fail_msg("import failed: %s", err.message);
}

#define MAX_RECORDS 256 /* ids the tests' records stay under */

/* The newest audit entry of each record of each kind (not the links). */
typedef struct newest {
    char *image[PRM_KIND_COUNT][MAX_RECORDS]; /* after it; NULL: deleted */
    bool logged[PRM_KIND_COUNT][MAX_RECORDS];
} newest;

static bool take_entry(void *ctx, const prm_audit_entry *e)
{
    newest *n = ctx;
    const prm_kind_info *info = prm_kind_find(e->kind);
    if (info == NULL)
        return true; /* a project's link: its project's export shows it */
    assert_true(e->record > 0 && e->record < MAX_RECORDS);
    char **image = &n->image[info->kind][e->record];
    free(*image);
    *image = strcmp(e->action, "delete") == 0 ? NULL : strdup(e->after);
    n->logged[info->kind][e->record] = true;
    return true;
}

/* Each field of the image as the record has it (a team database's image
 * of a partner also names its owner, which no export shows). */
static void assert_record_is(const cJSON *record, const char *image)
{
    cJSON *parsed = cJSON_Parse(image);
    assert_non_null(parsed);
    const cJSON *field;
    cJSON_ArrayForEach(field, parsed) {
        if (strcmp(field->string, "owner") == 0)
            continue;
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(record,
                                                               field->string);
        if (value == NULL || !cJSON_Compare(field, value, true))
            fail_msg("the log says %s, the record has %s", image,
                     cJSON_PrintUnformatted(record));
    }
    cJSON_Delete(parsed);
}

/* The log tells the truth: every record there is, is as its newest entry
 * says, field for field, and every record whose newest entry deleted it is
 * gone. */
static void assert_log_matches(prm_db *db)
{
    static newest n;
    prm_error err;
    prm_arg all = {"limit", "0"};
    memset(&n, 0, sizeof n);
    if (prm_audit(db, &all, 1, take_entry, &n, &err) != PRM_OK)
        fail_msg("audit failed: %s", err.message);
    bytes out;
    fclose(exported(db, PRM_FORMAT_JSON, &out));
    cJSON *doc = cJSON_Parse(out.data);
    assert_non_null(doc);
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        bool there[MAX_RECORDS] = {false};
        const cJSON *record;
        cJSON_ArrayForEach(record, cJSON_GetObjectItemCaseSensitive(
                                       doc, prm_kind_get((prm_kind)k)->plural)) {
            int id = (int)cJSON_GetObjectItemCaseSensitive(record, "id")->valuedouble;
            assert_true(id > 0 && id < MAX_RECORDS && n.logged[k][id]);
            assert_non_null(n.image[k][id]);
            assert_record_is(record, n.image[k][id]);
            there[id] = true;
        }
        for (int id = 0; id < MAX_RECORDS; id++) {
            assert_true(there[id] == (n.image[k][id] != NULL));
            free(n.image[k][id]);
        }
    }
    cJSON_Delete(doc);
    free(out.data);
}

/* JSON and JSON Lines, each imported into a new database, whose JSON
 * export must be the first one. */
static void check_json_formats(prm_db *db, const bytes *first)
{
    static const prm_format formats[] = {PRM_FORMAT_JSON, PRM_FORMAT_JSONL};
    for (size_t i = 0; i < 2; i++) {
        bytes file, again;
        FILE *f = exported(db, formats[i], &file);
        prm_db *copy = fresh();
        import(copy, formats[i], f);
        fclose(exported(copy, PRM_FORMAT_JSON, &again));
        assert_same_bytes(first, &again, i ? "jsonl" : "json");
        assert_log_matches(copy);
        prm_close(copy);
        fclose(f);
        free(file.data);
        free(again.data);
    }
}

/* Each kind's CSV imported in order into an empty database: each file
 * comes back the same, and so does the whole JSON export. */
static void check_csv(prm_db *db, const bytes *first)
{
    prm_db *copy = fresh();
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        bytes file, again;
        int64_t rows;
        prm_error err;
        FILE *f = tmpfile(), *g = tmpfile();
        assert_true(f != NULL && g != NULL);
        assert_int_equal(prm_export_csv(db, (prm_kind)k, f, &rows, &err),
                         PRM_OK);
        read_all(f, &file);
        if (prm_import_csv(copy, (prm_kind)k, f, &rows, &err) != PRM_OK)
            fail_msg("csv import failed: %s", err.message);
        assert_int_equal(prm_export_csv(copy, (prm_kind)k, g, &rows, &err),
                         PRM_OK);
        read_all(g, &again);
        assert_same_bytes(&file, &again, "csv");
        fclose(f);
        fclose(g);
        free(file.data);
        free(again.data);
    }
    bytes whole;
    fclose(exported(copy, PRM_FORMAT_JSON, &whole));
    assert_same_bytes(first, &whole, "json after csv");
    assert_log_matches(copy);
    free(whole.data);
    prm_close(copy);
}

static void test_exports_come_back_byte_for_byte(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        seeded_start(seed);
        prm_db *db = fresh();
        load(db);
        bytes first;
        fclose(exported(db, PRM_FORMAT_JSON, &first));
        assert_log_matches(db);
        check_json_formats(db, &first);
        free(first.data);
        prm_close(db);
        /* A CSV row is added as KIND add adds it: a request or claim
         * comes in submitted, so money's moves do not come back; funds,
         * tiers and submitted requests do. */
        db = fresh();
        load_records(db);
        load_money(db, false);
        fclose(exported(db, PRM_FORMAT_JSON, &first));
        check_csv(db, &first);
        free(first.data);
        prm_close(db);
    }
}

/* --- undo ----------------------------------------------------------------- */

#define NCOMMANDS 160

/* A record of kind to refer to or change: one of those added so far. */
static unsigned some(const unsigned added[], prm_kind kind)
{
    return 1 + next(added[kind] ? added[kind] : 1);
}

/* One random command: an add, an update of one to three fields, or a
 * delete (perhaps with --cascade), of a random kind and record; false
 * when prm refused it (a reference to a record deleted, a delete that
 * needs --cascade) or it changed nothing (an update to what the record
 * holds).  added counts the adds of each kind, whose ids run from 1. */
static bool random_command(prm_db *db, unsigned serial, unsigned added[])
{
    prm_kind kind = (prm_kind)next(PRM_KIND_COUNT);
    unsigned what = next(10);
    argset a = {.n = 0};
    unsigned n[PRM_KIND_COUNT];
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        n[k] = some(added, (prm_kind)k);
    random_fields(kind, &a, serial, n);
    prm_error err;
    int64_t id;
    if (what == 9 && (kind == PRM_REQUEST || kind == PRM_CLAIM))
        return random_move(db, kind, some(added, kind));
    if (what < 5) {
        bool ok = prm_add(db, kind, a.args, a.n, &id, &err) == PRM_OK;
        added[kind] += ok;
        return ok;
    }
    char ref[16];
    snprintf(ref, sizeof ref, "%u", some(added, kind));
    if (what < 8) {
        argset u = {.n = 0};
        size_t from = next((unsigned)a.n), count = 1 + next(3);
        for (size_t k = from; k < a.n && k < from + count; k++)
            set(&u, a.args[k].key, a.args[k].value);
        /* An update to what the record holds already is no change. */
        bool changed = false;
        return prm_update(db, kind, ref, u.args, u.n, &id, &changed, &err) ==
                   PRM_OK &&
               changed;
    }
    return prm_delete(db, kind, ref, next(2) == 0, &id, &err) == PRM_OK;
}

static void undo(prm_db *db, int n)
{
    prm_error err;
    if (prm_undo(db, n, NULL, NULL, &err) != PRM_OK)
        fail_msg("undo %d failed: %s", n, err.message);
}

/* Undo takes back each change exactly: after random commands, undoing
 * them one at a time gives back each state before them, export for
 * export (ids, fields, time stamps, a project's partners, what a
 * --cascade delete took with it); the last half in one undo N. */
static void test_undo_takes_back_each_change(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        seeded_start(seed);
        prm_db *db = open_at(undo_db);
        static bytes before[NCOMMANDS + 1];
        int changes = 0;
        unsigned added[PRM_KIND_COUNT] = {0};
        fclose(exported(db, PRM_FORMAT_JSON, &before[0]));
        for (unsigned i = 0; i < NCOMMANDS; i++) {
            char now[24];
            prm_error err;
            snprintf(now, sizeof now, "2026-01-%02uT%02u:%02u:00Z",
                     1 + i / 1440, i / 60 % 24, i % 60);
            assert_int_equal(prm_set_now(db, now, &err), PRM_OK);
            if (random_command(db, i, added))
                fclose(exported(db, PRM_FORMAT_JSON, &before[++changes]));
        }
        assert_true(changes > NCOMMANDS / 10); /* not a vacuous run */
        assert_log_matches(db);
        int half = changes / 2;
        for (int i = changes; i > half; i--) {
            bytes now;
            undo(db, 1);
            fclose(exported(db, PRM_FORMAT_JSON, &now));
            assert_same_bytes(&before[i - 1], &now, "after undo");
            free(now.data);
        }
        bytes empty;
        undo(db, half);
        fclose(exported(db, PRM_FORMAT_JSON, &empty));
        assert_same_bytes(&before[0], &empty, "after undo N");
        assert_log_matches(db);
        free(empty.data);
        for (int i = 0; i <= changes; i++)
            free(before[i].data);
        prm_close(db);
        if (strcmp(undo_db, ":memory:") != 0)
            break; /* a team database is used once */
    }
}

/* --- a team database -------------------------------------------------------- */

static const char *team_db;

/* What an analysis says, as text to compare: a line per finding or row. */
static bool note_finding(void *ctx, const prm_finding *f)
{
    FILE *out = ctx;
    fprintf(out, "%d %s %s %lld %s: %s", f->rank, f->rule, f->subject,
            (long long)f->id, f->name ? f->name : "-", f->message);
    for (size_t i = 0; i < f->nnumbers; i++)
        fprintf(out, " %s=%.9g", f->number_names[i],
                f->has_number[i] ? f->numbers[i] : -1.0);
    fputc('\n', out);
    return true;
}

static bool note_row(void *ctx, const prm_report_row *r)
{
    FILE *out = ctx;
    const prm_metrics *m = &r->m;
    fprintf(out,
            "%lld %s %lld %lld %lld %lld %lld %lld %s health=%lld %.9g %.9g "
            "%.9g %.9g %d %.9g %lld\n",
            (long long)r->partner, r->name, (long long)m->projects,
            (long long)m->succeeded, (long long)m->failed,
            (long long)m->communications, (long long)m->resources,
            (long long)m->outcomes, r->last_contact ? r->last_contact : "-",
            (long long)r->health, r->recency, r->frequency, r->success,
            r->efficiency, r->has_days, r->has_days ? r->days : -1.0,
            (long long)r->recent);
    return true;
}

/* A scope (the filters of both) and a threshold of insights. */
typedef struct analysis {
    prm_arg filter, threshold;
} analysis;

/* insights and report partners over one scope, as text. */
static void analyse(prm_db *db, const analysis *a, bytes *b)
{
    FILE *f = tmpfile();
    prm_error err;
    assert_non_null(f);
    prm_arg both[2] = {a->filter, a->threshold};
    if (prm_insights(db, both, 2, note_finding, f, &err) != PRM_OK)
        fail_msg("insights failed: %s", err.message);
    if (prm_report_partners(db, &a->filter, 1, note_row, f, &err) != PRM_OK)
        fail_msg("report failed: %s", err.message);
    read_all(f, b);
    fclose(f);
}

/* Insights and report partners (the health score and its terms) are SQL of
 * each engine's own: the same records must give the same findings and
 * rows, over several scopes and thresholds. */
static void check_same_analyses(prm_db *dbs[2])
{
    static const analysis analyses[] = {
        {{"limit", "50"}, {"dormant_days", "90"}},
        {{"status", "active"}, {"dormant_days", "400"}},
        {{"status", "inactive"}, {"stalled_days", "10"}},
        {{"until", "2024-06-30"}, {"expand_rate", "0.2"}},
        {{"partner", "7"}, {"gap_max_partners", "5"}},
        {{"since", "2023-01-01"}, {"expand_max_projects", "1"}},
    };
    for (size_t s = 0; s < sizeof analyses / sizeof *analyses; s++) {
        bytes out[2];
        for (int i = 0; i < 2; i++)
            analyse(dbs[i], &analyses[s], &out[i]);
        assert_same_bytes(&out[1], &out[0], "insights and report");
        free(out[0].data);
        free(out[1].data);
    }
}

/* The same awkward records added to a team database and to one in memory
 * come out the same, in every format: the engines store and write text,
 * numbers and dates alike. */
static void test_engines_export_the_same(void **state)
{
    (void)state;
    prm_db *dbs[2] = {open_at(team_db), fresh()};
    for (int i = 0; i < 2; i++) {
        seeded_start(7);
        load(dbs[i]);
    }
    static const prm_format formats[] = {PRM_FORMAT_JSON, PRM_FORMAT_JSONL};
    for (size_t f = 0; f < 2; f++) {
        bytes out[2];
        for (int i = 0; i < 2; i++)
            fclose(exported(dbs[i], formats[f], &out[i]));
        assert_same_bytes(&out[1], &out[0], f ? "jsonl" : "json");
        free(out[0].data);
        free(out[1].data);
    }
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        bytes out[2];
        for (int i = 0; i < 2; i++) {
            int64_t rows;
            prm_error err;
            FILE *f = tmpfile();
            assert_non_null(f);
            assert_int_equal(prm_export_csv(dbs[i], (prm_kind)k, f, &rows, &err),
                             PRM_OK);
            read_all(f, &out[i]);
            fclose(f);
        }
        assert_same_bytes(&out[1], &out[0], "csv");
        free(out[0].data);
        free(out[1].data);
    }
    check_same_analyses(dbs);
    assert_log_matches(dbs[0]);
    prm_close(dbs[0]);
    prm_close(dbs[1]);
}

/* An export of awkward records imported into an empty team database
 * comes back from it byte for byte, and its log tells the truth. */
static void test_team_database_imports_exactly(void **state)
{
    (void)state;
    seeded_start(11);
    prm_db *mem = fresh(), *team = open_at(team_db);
    load(mem);
    bytes first, again;
    FILE *f = exported(mem, PRM_FORMAT_JSON, &first);
    import(team, PRM_FORMAT_JSON, f);
    fclose(f);
    fclose(exported(team, PRM_FORMAT_JSON, &again));
    assert_same_bytes(&first, &again, "json through a team database");
    assert_log_matches(team);
    free(first.data);
    free(again.data);
    prm_close(mem);
    prm_close(team);
}

/*   test_roundtrip               everything, in memory
 *   test_roundtrip URI           the undo test on an empty team database
 *   test_roundtrip --parity URI  the same records there and in memory
 *   test_roundtrip --import URI  an export imported there */
int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exports_come_back_byte_for_byte),
        cmocka_unit_test(test_undo_takes_back_each_change),
    };
    const struct CMUnitTest undo_on_team[] = {
        cmocka_unit_test(test_undo_takes_back_each_change),
    };
    const struct CMUnitTest parity[] = {
        cmocka_unit_test(test_engines_export_the_same),
    };
    const struct CMUnitTest import_to_team[] = {
        cmocka_unit_test(test_team_database_imports_exactly),
    };
    if (argc > 2 && strcmp(argv[1], "--parity") == 0) {
        team_db = argv[2];
        return cmocka_run_group_tests(parity, NULL, NULL);
    }
    if (argc > 2 && strcmp(argv[1], "--import") == 0) {
        team_db = argv[2];
        return cmocka_run_group_tests(import_to_team, NULL, NULL);
    }
    if (argc > 1) {
        undo_db = argv[1];
        return cmocka_run_group_tests(undo_on_team, NULL, NULL);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
