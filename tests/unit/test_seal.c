/*
 * test_seal.c - sealed values (store/seal.c): what is sealed opens to the
 * very bytes given, only for the record, kind and field it was sealed for;
 * a changed byte does not open; equal values hash alike, and an audit
 * image sealed and opened again is the image it was, byte for byte.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core_fixture.h"
#include "store/seal.h"

static int setup_sealed(void **state)
{
    setenv("PRM_KDF", "fast", 1);
    if (setup(state) != 0)
        return -1;
    return prm_encrypt_on(*state, "pass", 4, &err) == PRM_OK ? 0 : -1;
}

static char *open_text(prm_db *db, const char *kind, const char *field,
                       int64_t rid, const char *sealed, size_t *len)
{
    prm_error e = {.code = PRM_OK};
    return store_open_value(db, kind, field, rid, sealed, strlen(sealed), len,
                            &e);
}

static void test_round_trip(void **state)
{
    prm_db *db = *state;
    static const char *const texts[] = {
        "", "a", "MARKER \"quoted\" \\ back", "line\nbreak\ttab\x01",
        "日本語 🎉", "prm1:looks:sealed"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n = strlen(texts[i]), len = 99;
        char *s = store_seal_value(db, "partner", "notes", 7, texts[i], n);
        assert_non_null(s);
        assert_true(store_is_sealed(s, strlen(s)));
        assert_null(strstr(s, "MARKER \"")); /* base64 has no space */
        char *o = open_text(db, "partner", "notes", 7, s, &len);
        assert_non_null(o);
        assert_int_equal(len, n);
        assert_memory_equal(o, texts[i], n);
        free(o);
        free(s);
    }
}

static void test_bound_to_its_record(void **state)
{
    prm_db *db = *state;
    size_t len;
    char *s = store_seal_value(db, "partner", "email", 3, "a@b.example", 11);
    assert_non_null(s);
    assert_null(open_text(db, "partner", "email", 4, s, &len));
    assert_null(open_text(db, "partner", "phone", 3, s, &len));
    assert_null(open_text(db, "deal", "email", 3, s, &len));
    char *o = open_text(db, "partner", "email", 3, s, &len);
    assert_string_equal(o, "a@b.example");
    free(o);
    /* every byte after the prefix matters */
    for (size_t i = STORE_SEAL_PREFIX_LEN; s[i] != '\0'; i++) {
        char was = s[i];
        s[i] = was == 'A' ? 'B' : 'A';
        assert_null(open_text(db, "partner", "email", 3, s, &len));
        s[i] = was;
    }
    /* and so does the hash: a changed one would mislead equality */
    s[6] = s[6] == 'A' ? 'B' : 'A';
    assert_null(open_text(db, "partner", "email", 3, s, &len));
    free(s);
}

static void test_hash_for_equality(void **state)
{
    prm_db *db = *state;
    char *a = store_seal_value(db, "partner", "email", 1, "x@y.example", 11);
    char *b = store_seal_value(db, "partner", "email", 2, "x@y.example", 11);
    char *p = store_seal_prefix(db, "partner", "email", "x@y.example", 11);
    char *other = store_seal_prefix(db, "partner", "email", "x@y.exampl", 10);
    char *field = store_seal_prefix(db, "partner", "notes", "x@y.example", 11);
    assert_string_not_equal(a, b); /* a fresh nonce each time */
    assert_memory_equal(a, p, STORE_SEAL_PREFIX_LEN);
    assert_memory_equal(b, p, STORE_SEAL_PREFIX_LEN);
    assert_memory_not_equal(p, other, STORE_SEAL_PREFIX_LEN);
    assert_memory_not_equal(p, field, STORE_SEAL_PREFIX_LEN);
    free(a);
    free(b);
    free(p);
    free(other);
    free(field);
}

static void test_image_round_trip(void **state)
{
    prm_db *db = *state;
    static const char image[] =
        "{\"id\":5,\"name\":\"Acme \\\"notes\\\"\",\"type\":null,"
        "\"email\":\"a@b.example\",\"phone\":null,"
        "\"notes\":\"two\\nlines \\\"q\\\" \\\\ \\u0001 日本\","
        "\"created_at\":\"2026-03-01T12:00:00Z\"}";
    char *sealed = NULL, *opened = NULL;
    assert_int_equal(
        store_image_reseal(db, "partner", 5, image, true, &sealed, &err),
        PRM_OK);
    assert_non_null(sealed);
    /* text base64 never holds: '@', '.', a backslash */
    assert_null(strstr(sealed, "a@b.example"));
    assert_null(strstr(sealed, "two\\nlines"));
    assert_non_null(strstr(sealed, "\"name\":\"Acme \\\"notes\\\"\""));
    assert_int_equal(
        store_image_reseal(db, "partner", 5, sealed, false, &opened, &err),
        PRM_OK);
    assert_string_equal(opened, image);
    /* bound to the record: another's id does not open it */
    char *wrong = NULL;
    assert_int_equal(
        store_image_reseal(db, "partner", 6, sealed, false, &wrong, &err),
        PRM_EDB);
    assert_null(wrong);
    free(sealed);
    free(opened);
}

static void test_commands(void **state)
{
    prm_db *db = *state;
    size_t len;
    char *s = store_seal_command(db, "partner add name=A notes=x", 26);
    char *o = open_text(db, "audit", "command", 0, s, &len);
    assert_string_equal(o, "partner add name=A notes=x");
    free(o);
    free(s);
}

/* Another handle on the same file (another prm) turns encryption on:
 * this one, opened before, refuses to read or write the records as they
 * no longer are, until it opens the database again. */
/* A team database to open instead of a new file (the argument). */
static const char *team_uri;

static void remove_file(const char *path)
{
    static const char *const files[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s%s", path, files[i]);
        unlink(f);
    }
}

/* Encryption turned on, then off, by another prm: the first prm's next
 * command fails with how to go on, and writes nothing, until the
 * database is as it opened it again. */
static void test_turned_on_elsewhere(void **state)
{
    (void)state;
    setenv("PRM_KDF", "fast", 1);
    char path[] = "/tmp/prm-seal-XXXXXX";
    if (team_uri == NULL) {
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
    }
    const char *db = team_uri != NULL ? team_uri : path;
    prm_db *one, *two;
    assert_int_equal(prm_open(db, &one, &err), PRM_OK);
    assert_int_equal(ADD(one, PRM_PARTNER, {"name", "Acme"}, {"notes", "x"}),
                     PRM_OK);
    assert_int_equal(prm_open(db, &two, &err), PRM_OK);
    assert_int_equal(prm_encrypt_on(two, "pass", 4, &err), PRM_OK);
    assert_int_equal(ADD(one, PRM_PARTNER, {"name", "Late"}, {"notes", "y"}),
                     PRM_ECONFLICT);
    assert_string_equal(prm_error_message(&err),
                        "encryption was turned on since prm opened this "
                        "database: open it again, with its passphrase");
    snapshot s = {0};
    assert_int_equal(prm_get(one, PRM_PARTNER, 1, take, &s, &err),
                     PRM_ECONFLICT);
    assert_int_equal(prm_encrypt_off(two, &err), PRM_OK);
    assert_int_equal(ADD(one, PRM_PARTNER, {"name", "Later"}), PRM_OK);
    /* and the other way: opened with it on, turned off elsewhere */
    assert_int_equal(prm_encrypt_on(one, "pass", 4, &err), PRM_OK);
    prm_close(two);
    assert_int_equal(prm_open(db, &two, &err), PRM_OK);
    assert_true(prm_encrypted(two));
    assert_int_equal(prm_encrypt_off(one, &err), PRM_OK);
    assert_int_equal(prm_get(two, PRM_PARTNER, 1, take, &s, &err),
                     PRM_ECONFLICT);
    assert_string_equal(prm_error_message(&err),
                        "encryption was turned off since prm opened this "
                        "database: open it again");
    /* a list too, its rows streamed: none reaches the caller */
    s.rows = 0;
    assert_int_equal(prm_list(two, PRM_PARTNER, NULL, 0, false, take, &s, &err),
                     PRM_ECONFLICT);
    assert_int_equal(s.rows, 0);
    assert_int_equal(count(one, PRM_PARTNER, NULL, 0), 2); /* not Late */
    prm_close(one);
    prm_close(two);
    if (team_uri == NULL)
        remove_file(path);
}

/* Sealed ahead (seal_ahead.c): a value is taken only for exactly the kind,
 * field, id and text it was sealed for, and opens only there. */
static void test_taken_only_when_exact(void **state)
{
    prm_db *db = *state;
    const prm_kind_info *partner = prm_kind_get(PRM_PARTNER);
    size_t email = (size_t)prm_field_index(partner, "email");
    size_t notes = (size_t)prm_field_index(partner, "notes");
    assert_int_equal(prm_begin(db, &err), PRM_OK);
    assert_true(store_ahead_begin(db));
    /* the first add is expected to be 1, the next 2 */
    assert_int_equal(store_ahead_next_id(db, partner), 1);
    store_ahead_queue(db, partner, email, 1, "a@acme.example", 14);
    store_ahead_queue(db, partner, notes, 1, "first", 5);
    assert_int_equal(store_ahead_next_id(db, partner), 2);
    store_ahead_queue(db, partner, email, 2, "b@acme.example", 14);
    store_ahead_queue(db, partner, notes, 2, "second", 6);
    store_ahead_settle(db);
    /* another id, field or text: none */
    assert_null(store_ahead_take(db, partner, email, 3, "a@acme.example", 14));
    assert_null(store_ahead_take(db, partner, notes, 1, "a@acme.example", 14));
    /* id 1's line has failed, say: id 2's add takes its own, which opens
     * there, and id 1's are gone */
    char *two = store_ahead_take(db, partner, email, 2, "b@acme.example", 14);
    assert_non_null(two);
    size_t len;
    char *open = open_text(db, "partner", "email", 2, two, &len);
    assert_string_equal(open, "b@acme.example");
    free(open);
    assert_null(open_text(db, "partner", "email", 1, two, &len));
    free(two);
    assert_null(store_ahead_take(db, partner, email, 1, "a@acme.example", 14));
    /* the right slot with other text (the value stored is not the one
     * written): none, and it is gone */
    assert_null(store_ahead_take(db, partner, notes, 2, "Second", 6));
    assert_null(store_ahead_take(db, partner, notes, 2, "second", 6));
    /* a new look-ahead drops what the last one left */
    assert_true(store_ahead_begin(db));
    assert_int_equal(store_ahead_next_id(db, partner), 1);
    store_ahead_queue(db, partner, email, 1, "c@acme.example", 14);
    store_ahead_settle(db);
    assert_true(store_ahead_begin(db));
    assert_null(store_ahead_take(db, partner, email, 1, "c@acme.example", 14));
    assert_int_equal(prm_rollback(db, &err), PRM_OK);
}

/* A script's adds told of ahead, some of them wrongly (a failed add, one
 * whose text differs, one never told of): every value lands in its own
 * record and opens there. */
static void test_hinted_adds_keep_their_values(void **state)
{
    prm_db *db = *state;
    char name[32], email[48], notes[48];
    assert_int_equal(prm_begin(db, &err), PRM_OK);
    assert_true(prm_hints_begin(db));
    for (int i = 1; i <= 300; i++) {
        snprintf(name, sizeof name, "Partner %d", i % 100 == 50 ? 49 : i);
        snprintf(email, sizeof email, "p%d@partner.example", i);
        snprintf(notes, sizeof notes, "notes of %d", i);
        if (i % 70 != 0) /* every 70th is not told of */
            prm_hint_add(db, PRM_PARTNER,
                         ARGS({"name", name}, {"email", email},
                              {"notes", i % 30 == 0 ? "other" : notes}),
                         3);
    }
    int added = 0;
    for (int i = 1; i <= 300; i++) {
        snprintf(name, sizeof name, "Partner %d", i % 100 == 50 ? 49 : i);
        snprintf(email, sizeof email, "p%d@partner.example", i);
        snprintf(notes, sizeof notes, "notes of %d", i);
        prm_code rc = ADD(db, PRM_PARTNER, {"name", name}, {"email", email},
                          {"notes", notes});
        if (i % 100 == 50) { /* Partner 49's name again */
            assert_int_equal(rc, PRM_ECONFLICT);
            continue;
        }
        assert_int_equal(rc, PRM_OK);
        assert_int_equal(id, ++added);
        snapshot got = get(db, PRM_PARTNER, id);
        assert_string_equal(got.text[prm_field_index(
                                prm_kind_get(PRM_PARTNER), "email")],
                            email);
        assert_string_equal(got.text[prm_field_index(
                                prm_kind_get(PRM_PARTNER), "notes")],
                            notes);
    }
    assert_int_equal(prm_commit(db, &err), PRM_OK);
    prm_check_report r;
    assert_int_equal(prm_check(db, &r, &err), PRM_OK);
    assert_true(r.encrypted);
    assert_int_equal(r.sealed_failed, 0);
    assert_int_equal(r.problems, 0);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest team[] = {
        cmocka_unit_test(test_turned_on_elsewhere),
    };
    if (argc > 1) {
        team_uri = argv[1];
        return cmocka_run_group_tests(team, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup_sealed,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bound_to_its_record,
                                        setup_sealed, teardown),
        cmocka_unit_test_setup_teardown(test_hash_for_equality, setup_sealed,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_image_round_trip, setup_sealed,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup_sealed,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_taken_only_when_exact,
                                        setup_sealed, teardown),
        cmocka_unit_test_setup_teardown(test_hinted_adds_keep_their_values,
                                        setup_sealed, teardown),
        cmocka_unit_test(test_turned_on_elsewhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
