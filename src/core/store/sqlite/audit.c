/*
 * audit.c - the audit log and undo on SQLite.
 *
 * Every insert, update and delete of a record (and of a project's partner
 * links) is recorded in the same transaction as the change itself, so a
 * command is logged exactly when it is kept.  Updates, deletes and links
 * are recorded by triggers, in the same statement as the change.  The
 * triggers are TEMP triggers, made from the field tables each time prm
 * opens a database, and read what to record (change number, time, user,
 * command) from functions that prm registers; tools other than prm do not
 * fire them.  A new record is logged by prm itself, by the statement that
 * follows its INSERT (sdb_audit_added): a trigger on INSERT makes SQLite
 * run a sub-program and keep a statement journal for every record added,
 * which made bulk loads 1.7 times slower.  The audit table itself refuses
 * updates and deletes (schema.sql).
 *
 * One command's entries share a change number.  Undo reverts the newest
 * change not yet undone, entry by entry from the last, using the images
 * the log keeps; its own writes are logged as a change that `undoes` it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_db.h"

/* --- functions the triggers call ----------------------------------------- */

static void fn_change(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_int64(c, db->change);
}

static void fn_undoes(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    if (db->undoes > 0)
        sqlite3_result_int64(c, db->undoes);
    else
        sqlite3_result_null(c);
}

static void fn_now(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    /* SQLITE_STATIC: these strings outlive the statement that reads them,
     * and copying them for every audit entry is measurable in bulk loads. */
    sqlite3_result_text(c, store_now(&((sqlite_db *)sqlite3_user_data(c))->base), -1,
                        SQLITE_STATIC);
}

static void fn_user(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_text(c, db->base.user, -1, SQLITE_STATIC);
}

static void fn_command(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_text(c, db->base.command ? db->base.command : "", -1,
                        SQLITE_STATIC);
}

/* prm_number(x): a real number as the images hold it, NULL for NULL: as
 * prm writes numbers everywhere else (prm_format_number: 2, 0.1,
 * 0.30000000000000004, 1.5e+20), which is also how a team database writes
 * them.  SQLite's own JSON writer keeps fifteen digits (0.3), and an undo,
 * which puts back what an image says, lost the rest.  The triggers wrap it
 * in json() so that json_object() takes it as a number. */
static void fn_number(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char text[64];
    prm_format_number(sqlite3_value_double(argv[0]), text, sizeof text);
    sqlite3_result_text(c, text, -1, SQLITE_TRANSIENT);
}

static void fn_add_command(sqlite3_context *c, int argc, sqlite3_value **argv);

prm_code sdb_audit_functions(sqlite_db *db, prm_error *err)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"prm_change", 0, fn_change}, {"prm_undoes", 0, fn_undoes},
               {"prm_now", 0, fn_now},       {"prm_user", 0, fn_user},
               {"prm_command", 0, fn_command}, {"prm_number", 1, fn_number},
               {"prm_add_command", 2, fn_add_command}};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        int rc = sqlite3_create_function_v2(db->sql, fns[i].name, fns[i].nargs,
                                            SQLITE_UTF8, db, fns[i].fn, NULL,
                                            NULL, NULL);
        if (rc != SQLITE_OK)
            return sdb_fail(db, rc, err, "registering functions");
    }
    return PRM_OK;
}

/* --- the triggers --------------------------------------------------------- */

/* json_object('id', ROW."id", 'name', ROW."name", ...): a record's image,
 * keyed by its field names. */
static void add_image(sqlbuf *b, const prm_kind_info *info, const char *row)
{
    sql_add(b, "json_object(");
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL)
            continue;
        sql_add(b, "%s'%s', ", n++ ? ", " : "", f->name);
        if (f->type == PRM_F_NUMBER) /* every digit (fn_number) */
            sql_add(b, "json(prm_number(%s.\"%s\"))", row, col);
        else
            sql_add(b, "%s.\"%s\"", row, col);
    }
    sql_add(b, ")");
}

static const char *const actions[3][3] = {
    /* trigger event, action logged, the row the record id comes from */
    {"INSERT", "add", "NEW"},
    {"UPDATE", "update", "NEW"},
    {"DELETE", "delete", "OLD"},
};

static void add_trigger(sqlbuf *b, const char *table, const char *kind,
                        int a, const char *record, const char *before,
                        const char *after)
{
    sql_add(b,
            "CREATE TEMP TRIGGER IF NOT EXISTS prm_audit_%s_%s AFTER %s ON "
            "main.%s BEGIN INSERT INTO audit (change, at, user, command, "
            "action, kind, record, before, after, undoes) VALUES "
            "(prm_change(), prm_now(), prm_user(), prm_command(), '%s', '%s', "
            "%s, %s, %s, prm_undoes()); END;",
            table, actions[a][1], actions[a][0], table, actions[a][1], kind,
            record, before, after);
}

static prm_code kind_triggers(sqlite_db *db, const prm_kind_info *info,
                              prm_error *err)
{
    /* Not a = 0, INSERT: sdb_audit_added logs new records. */
    for (int a = 1; a < 3; a++) {
        sqlbuf old_image = {.len = 0}, new_image = {.len = 0};
        add_image(&old_image, info, "OLD");
        add_image(&new_image, info, "NEW");
        sqlbuf b = {.len = 0};
        char record[16];
        snprintf(record, sizeof record, "%s.id", actions[a][2]);
        add_trigger(&b, store_table(info), info->name, a, record,
                    old_image.text,
                    a == 2 ? "NULL" : new_image.text);
        if (b.overflow || old_image.overflow || new_image.overflow)
            return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
        prm_code rc = sdb_exec(db, b.text, err);
        if (rc != PRM_OK)
            return rc;
    }
    return PRM_OK;
}

/* --- new records, logged by prm ------------------------------------------ */

/* An add typed as prm would write it from the record's image is logged
 * with an empty command, and the command is made again when the log is
 * read (AUDIT_COMMAND): it holds nothing the image does not, and leaving
 * it out makes the entry a third smaller and bulk loads faster
 * (bench/ingest).  The form: "KIND add", then " FIELD=VALUE" for each
 * field of the compact image in its order (which leaves defaults out),
 * VALUE bare when it is made of letters, digits and -_.:@/+ only, else in
 * double quotes with \" and \\ (the image's own JSON escapes of those two,
 * so the quoted text is the image's text as it is).  Only images of
 * strings that need no other escape have the form; any other command is
 * logged as typed. */

/* The bytes a VALUE may have bare: letters, digits and -_.:@/+, as bits
 * of two words (bytes 0-63 and 64-127), since every byte of every add
 * passes here. */
#define BIT(n) ((uint64_t)1 << (n))
static const uint64_t bare_low = BIT('+') | BIT('-') | BIT('.') | BIT('/') |
                                 (((BIT(10) - 1)) << '0') | BIT(':');
static const uint64_t bare_high = BIT('@' - 64) |
                                  (((BIT(26) - 1)) << ('A' - 64)) |
                                  BIT('_' - 64) |
                                  (((BIT(26) - 1)) << ('a' - 64));
#undef BIT

static bool bare_char(unsigned char c)
{
    return c < 64 ? (bare_low >> c) & 1 : c < 128 && (bare_high >> (c - 64)) & 1;
}

/* Whether the n bytes at a are those at b (b holds no NUL among them, so
 * a's end stops the loop). */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

typedef struct {
    char *out;
    size_t len, size;
} cmd_text;

static bool cmd_put(cmd_text *t, const char *s, size_t n)
{
    if (n >= t->size - t->len)
        return false;
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
    return true;
}

/* The JSON string at p (past its opening quote): its raw text's length,
 * and whether it holds escapes; false for an escape the form cannot
 * carry. */
static bool image_string_span(const char *p, size_t *len, bool *escaped)
{
    size_t i = 0;
    *escaped = false;
    for (; p[i] != '"'; i++) {
        if (p[i] == '\0')
            return false;
        if (p[i] == '\\') {
            if (p[i + 1] != '"' && p[i + 1] != '\\')
                return false;
            *escaped = true;
            i++;
        }
    }
    *len = i;
    return true;
}

/* The field of the key at *p (the opening quote of "KEY":"), looked for
 * from *next on, as an image's fields come in the kind's order; *p is
 * left on the text of its value.  NULL for a key with no text value or
 * no field. */
static const prm_field *image_text_field(const prm_kind_info *info,
                                         const char **p, size_t *next,
                                         size_t *klen)
{
    const char *key = *p + 1, *end = strchr(key, '"');
    if (end == NULL || end[1] != ':' || end[2] != '"')
        return NULL;
    *klen = (size_t)(end - key);
    while (*next < info->nfields &&
           (!same_bytes(info->fields[*next].name, key, *klen) ||
            info->fields[*next].name[*klen] != '\0'))
        (*next)++;
    if (*next == info->nfields)
        return NULL;
    *p = end + 3;
    return &info->fields[*next];
}

static bool cmd_field(cmd_text *t, const char *name, size_t name_len,
                      const char *v, size_t n, bool escaped)
{
    bool bare = n > 0 && !escaped;
    for (size_t i = 0; i < n && bare; i++)
        bare = bare_char((unsigned char)v[i]);
    return cmd_put(t, " ", 1) && cmd_put(t, name, name_len) &&
           cmd_put(t, bare ? "=" : "=\"", bare ? 1 : 2) && cmd_put(t, v, n) &&
           (bare || cmd_put(t, "\"", 1));
}

/* The command an add's compact image gives, into t; false when it has
 * none or it does not fit. */
static bool add_command(const prm_kind_info *info, const char *image,
                        cmd_text *t)
{
    if (image == NULL || image[0] != '{' ||
        !cmd_put(t, info->name, strlen(info->name)) || !cmd_put(t, " add", 4))
        return false;
    const char *p = image + 1;
    size_t next = 0, klen, vlen;
    while (*p == '"') {
        const prm_field *f = image_text_field(info, &p, &next, &klen);
        bool escaped;
        if (f == NULL || !image_string_span(p, &vlen, &escaped) ||
            !cmd_field(t, f->name, klen, p, vlen, escaped))
            return false;
        p += vlen + 1;
        if (*p == ',')
            p++;
    }
    return p[0] == '}' && p[1] == '\0';
}

/* Whether *cmd begins with " KEY=VALUE" as the form writes the image's
 * value at *image_value (JSON text past its opening quote); if so, both
 * are moved past it.  A quoted VALUE is the image's text as it is, so the
 * two are read side by side. */
static bool same_field(const char **cmd, const char *key, size_t klen,
                       const char **image_value)
{
    const char *c = *cmd, *v = *image_value;
    if (c[0] != ' ' || !same_bytes(c + 1, key, klen) || c[1 + klen] != '=')
        return false;
    c += klen + 2;
    bool quoted = *c == '"';
    c += quoted;
    bool bare = *v != '"';
    size_t i = 0;
    for (; v[i] != '"'; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == '\0' || (unsigned char)c[i] != ch)
            return false;
        if (ch == '\\') {
            if ((v[i + 1] != '"' && v[i + 1] != '\\') || c[i + 1] != v[i + 1])
                return false;
            i++;
            bare = false;
        } else if (bare)
            bare = bare_char(ch);
    }
    if (quoted == bare || (quoted && c[i] != '"'))
        return false;
    *cmd = c + i + quoted;
    *image_value = v + i + 1;
    return true;
}

/* Whether command is exactly the one add_command makes of image, read
 * side by side without making it: this runs for every add. */
static bool is_add_command(const prm_kind_info *info, const char *image,
                           const char *command)
{
    size_t name_len = strlen(info->name);
    if (image == NULL || image[0] != '{' ||
        !same_bytes(command, info->name, name_len) ||
        !same_bytes(command + name_len, " add", 4))
        return false;
    const char *c = command + name_len + 4, *p = image + 1;
    size_t next = 0, klen;
    while (*p == '"') {
        const prm_field *f = image_text_field(info, &p, &next, &klen);
        if (f == NULL || !same_field(&c, f->name, klen, &p))
            return false;
        if (*p == ',')
            p++;
    }
    return p[0] == '}' && p[1] == '\0' && *c == '\0' &&
           (size_t)(c - command) < PRM_ADD_COMMAND_MAX;
}

/* prm_add_command(kind, after): the command of an add logged without one
 * (an add made through the library with no command at all reads as the
 * command that would have made it); empty when the image gives none. */
static void fn_add_command(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    const prm_kind_info *info = kind ? prm_kind_find(kind) : NULL;
    char text[PRM_ADD_COMMAND_MAX];
    cmd_text t = {.out = text, .size = sizeof text};
    if (info != NULL &&
        add_command(info, (const char *)sqlite3_value_text(argv[1]), &t))
        sqlite3_result_text(c, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_text(c, "", 0, SQLITE_STATIC);
}

void sdb_audit_added_sql(sqlbuf *b, const prm_kind_info *info)
{
    sql_add(b,
            "INSERT INTO audit (change, at, user, command, action, kind, "
            "record, before, after, undoes) VALUES (?1, ?2, ?3, ?4, 'add', "
            "'%s', ?6, NULL, ?7, ?5)",
            info->name);
}

prm_code sdb_audit_added(sqlite_db *db, const prm_kind_info *info, int64_t id,
                         const char *image, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_LOG_ADD, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    const char *command = db->base.command ? db->base.command : "";
    if (command[0] != '\0' && is_add_command(info, image, command))
        command = "";
    int src = sqlite3_bind_int64(stmt, 1, db->change);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(stmt, 2, store_now(&db->base), -1,
                                SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(stmt, 3, db->base.user, -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(stmt, 4, command, -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = db->undoes > 0 ? sqlite3_bind_int64(stmt, 5, db->undoes)
                             : sqlite3_bind_null(stmt, 5);
    if (src == SQLITE_OK)
        src = sqlite3_bind_int64(stmt, 6, id);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(stmt, 7, image, -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    /* All seven are bound on each use: no clearing needed (sqlite_insert). */
    sqlite3_reset(stmt);
    if (src == SQLITE_DONE)
        return PRM_OK;
    return sdb_fail(db, src, err, "writing the audit log");
}

/* The image is built here, from the values the INSERT bound, because
 * json_object() over the stored row cost twice the rest of the entry.  It
 * must be the very text the triggers' json_object() gives for the row (an
 * update's before image of the same record is compared with it, by eye and
 * by tests): so each value is first converted as the column's affinity
 * converts it when stored, then written as SQLite's JSON writer writes it. */

static bool image_grow(sqlite_db *db, size_t more)
{
    if (db->image_len + more < db->image_cap)
        return true;
    size_t cap = db->image_cap ? db->image_cap : 512;
    while (cap <= db->image_len + more)
        cap *= 2;
    char *bigger = realloc(db->image, cap);
    if (bigger == NULL)
        return false;
    db->image = bigger;
    db->image_cap = cap;
    return true;
}

static bool image_add(sqlite_db *db, const char *s, size_t n)
{
    if (!image_grow(db, n))
        return false;
    memcpy(db->image + db->image_len, s, n);
    db->image_len += n;
    db->image[db->image_len] = '\0';
    return true;
}

/* A JSON string as SQLite writes one: quote, backslash and control
 * characters escaped, every other byte as it is.  Room for the longest
 * escape of every byte is made first, so the loop only copies. */
static bool image_string(sqlite_db *db, const char *s, size_t len)
{
    static const char short_escape[0x20] = {['\b'] = 'b', ['\t'] = 't',
                                            ['\n'] = 'n', ['\f'] = 'f',
                                            ['\r'] = 'r'};
    static const char hex[] = "0123456789abcdef";
    if (len > (SIZE_MAX - 3) / 6 || !image_grow(db, 6 * len + 3))
        return false;
    char *out = db->image + db->image_len;
    *out++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        if (c >= 0x20)
            *out++ = (char)c;
        else if (short_escape[c])
            *out++ = short_escape[c];
        else {
            memcpy(out, "u00", 3);
            out[3] = hex[c >> 4];
            out[4] = hex[c & 0xf];
            out += 5;
        }
    }
    *out++ = '"';
    *out = '\0';
    db->image_len = (size_t)(out - db->image);
    return true;
}

/* "name": after a comma unless first; field names need no escaping. */
static bool image_key(sqlite_db *db, const char *name, bool first)
{
    size_t len = strlen(name);
    if (!image_grow(db, len + 4))
        return false;
    char *out = db->image + db->image_len;
    if (!first)
        *out++ = ',';
    *out++ = '"';
    memcpy(out, name, len);
    out += len;
    *out++ = '"';
    *out++ = ':';
    *out = '\0';
    db->image_len = (size_t)(out - db->image);
    return true;
}

/* How the field's column converts what is stored in it (schema.sql). */
static char column_affinity(const prm_field *f)
{
    switch (f->type) {
    case PRM_F_ID:
    case PRM_F_PERCENT:
    case PRM_F_PARTNER_REF:
    case PRM_F_PROJECT_REF:
        return 'i';
    case PRM_F_NUMBER:
        return 'r';
    default:
        return 't';
    }
}

static bool image_value(sqlite_db *db, char affinity, const prm_value *v)
{
    char num[64], digits[PRM_INT_TEXT];
    const char *text = num;
    switch (v->type) {
    case PRM_V_INT:
        if (affinity == 'r')
            prm_format_number((double)v->i, num, sizeof num);
        else
            text = prm_int_text(digits, v->i);
        break;
    case PRM_V_REAL:
        if (affinity == 'i' && v->r >= -9.2e18 && v->r <= 9.2e18 &&
            v->r == (double)(long long)v->r)
            text = prm_int_text(digits, (int64_t)v->r);
        else if (affinity == 'r')
            prm_format_number(v->r, num, sizeof num);
        else /* as SQLite turns a real into text to store it */
            sqlite3_snprintf(sizeof num, num, "%!.15g", v->r);
        break;
    case PRM_V_TEXT:
        return image_string(db, v->s, v->len);
    default:
        return image_add(db, "null", 4);
    }
    if (affinity == 't')
        return image_string(db, text, strlen(text));
    return image_add(db, text, strlen(text));
}

/* A time stamp prm sets itself (created_at, updated_at). */
static bool is_stamp(const prm_field *f)
{
    return f->type == PRM_F_DATE && (f->flags & PRM_FF_READONLY);
}

/* A choice with a default that an add gives when none is named (a
 * partner's status "active"): never null (schema.sql), so an image that
 * leaves it out means the default. */
static bool has_default_choice(const prm_field *f)
{
    return f->type == PRM_F_ENUM && f->default_value != NULL;
}

/* Whether the compact image of an add leaves the field out: the entry
 * holds it already, or it is the default choice (see audit_full_image). */
static bool implied_by_entry(sqlite_db *db, const prm_field *f,
                             const prm_value *v)
{
    if (f->type == PRM_F_ID || v->type == PRM_V_NULL)
        return true;
    if (v->type != PRM_V_TEXT)
        return false;
    if (has_default_choice(f))
        return strcmp(v->s, f->default_value) == 0;
    return is_stamp(f) && strcmp(v->s, store_now(&db->base)) == 0;
}

const char *sdb_audit_image(sqlite_db *db, const prm_kind_info *info,
                            const prm_value *const values[])
{
    db->image_len = 0;
    bool ok = image_add(db, "{", 1);
    size_t n = 0;
    for (size_t i = 0; i < info->nfields && ok; i++) {
        const prm_field *f = &info->fields[i];
        if (store_column(f) == NULL || implied_by_entry(db, f, values[i]))
            continue;
        ok = image_key(db, f->name, n++ == 0) &&
             image_value(db, column_affinity(f), values[i]);
    }
    return ok && image_add(db, "}", 1) ? db->image : NULL;
}

/* The whole image of an added record from its entry, as the triggers would
 * have written it: the entry's record is the id, a field the compact image
 * leaves out is null, a time stamp it leaves out is the entry's time.  An
 * image that is whole already (it begins with the id: the add of a record
 * that undo put back, or of a database written before schema 4) and a
 * project's link are given as they are. */
static void audit_full_image(sqlbuf *b)
{
    sql_add(b, "CASE WHEN action <> 'add' OR substr(after, 1, 6) = "
               "'{\"id\":' THEN after ELSE CASE kind");
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        sql_add(b, " WHEN '%s' THEN json_object(", info->name);
        size_t n = 0;
        for (size_t i = 0; i < info->nfields; i++) {
            const prm_field *f = &info->fields[i];
            if (store_column(f) == NULL)
                continue;
            sql_add(b, "%s'%s', ", n++ ? ", " : "", f->name);
            if (f->type == PRM_F_ID)
                sql_add(b, "record");
            else if (is_stamp(f))
                sql_add(b, "coalesce(json_extract(after, '$.%s'), at)",
                        f->name);
            else if (f->type == PRM_F_NUMBER) /* as written, every digit */
                sql_add(b, "after -> '$.%s'", f->name);
            else if (has_default_choice(f))
                sql_add(b, "coalesce(json_extract(after, '$.%s'), '%s')",
                        f->name, f->default_value);
            else
                sql_add(b, "json_extract(after, '$.%s')", f->name);
        }
        sql_add(b, ")");
    }
    sql_add(b, " ELSE after END END");
}

#define LINK_IMAGE(row)                                                      \
    "json_object('project', " row ".project_id, 'partner', " row             \
    ".partner_id)"

/* The triggers are made before the first write transaction, not at open:
 * parsing them is 60% of the instructions of a one-shot read (a show, a
 * dashboard's metrics), which needs none.  Made outside a transaction, no
 * rollback can take them back; every write transaction begins in
 * sqlite_begin or sqlite_cmd_begin, which call this first.  Should one
 * ever be made inside a transaction, they are made again next time (IF NOT
 * EXISTS), never missed. */
prm_code sdb_audit_triggers(sqlite_db *db, prm_error *err)
{
    if (db->audit_triggers)
        return PRM_OK;
    prm_code rc = PRM_OK;
    for (int k = 0; k < PRM_KIND_COUNT && rc == PRM_OK; k++)
        rc = kind_triggers(db, prm_kind_get((prm_kind)k), err);
    /* A project's partner links: added and removed, never updated. */
    sqlbuf b = {.len = 0};
    add_trigger(&b, "project_partners", "project_partner", 0,
                "NEW.project_id", "NULL", LINK_IMAGE("NEW"));
    add_trigger(&b, "project_partners", "project_partner", 2,
                "OLD.project_id", LINK_IMAGE("OLD"), "NULL");
    if (rc == PRM_OK)
        rc = sdb_exec(db, b.text, err);
    db->audit_triggers = rc == PRM_OK && sqlite3_get_autocommit(db->sql);
    return rc;
}

prm_code sdb_next_change(sqlite_db *db, prm_error *err)
{
    db->undoes = 0;
    db->undo_done = false;
    /* Inside a transaction that prm_begin took (BEGIN IMMEDIATE), no one
     * else can write, so the number read once is counted on from. */
    if (db->change_known && !db->cmd_owns_tx) {
        db->change++;
        return PRM_OK;
    }
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT coalesce((SELECT change FROM audit ORDER "
                             "BY id DESC LIMIT 1), 0) + 1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, &db->change, 1, err);
    db->change_known = rc == PRM_OK && !db->cmd_owns_tx;
    return rc;
}

/* --- reading the log ------------------------------------------------------ */

/* An entry's command, made again for an add logged without it. */
#define AUDIT_COMMAND                                                        \
    "CASE WHEN command = '' AND action = 'add' THEN prm_add_command(kind, "  \
    "after) ELSE command END"

static void add_audit_filter(sqlbuf *b, const store_audit_filter *f)
{
    sql_add(b, "SELECT id, change, at, user, command, action, kind, record, "
               "before, after, undoes FROM audit WHERE 1");
    if (f->kind != NULL)
        sql_add(b, " AND kind = :kind");
    if (f->has_record)
        sql_add(b, " AND record = :record");
    if (f->user != NULL)
        sql_add(b, " AND user = :user");
    if (f->since != NULL)
        sql_add(b, " AND at >= :since");
    if (f->until != NULL)
        sql_add(b, " AND at <= :until");
    sql_add(b, " ORDER BY id DESC");
    if (f->limit > 0)
        sql_add(b, " LIMIT :limit");
}

static const char *column_text(sqlite3_stmt *stmt, int i)
{
    return (const char *)sqlite3_column_text(stmt, i);
}

prm_code sqlite_audit_list(prm_db *base, const store_audit_filter *f,
                          prm_audit_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    /* The newest entries (limit), shown oldest first, as a log reads. */
    sqlbuf inner = {.len = 0}, b = {.len = 0};
    add_audit_filter(&inner, f);
    sql_add(&b, "SELECT id, change, at, user, " AUDIT_COMMAND
                ", action, kind, record, before, ");
    audit_full_image(&b);
    sql_add(&b, ", undoes FROM (%s) ORDER BY id", inner.text);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sdb_bind_named_text(stmt, ":kind", f->kind);
    if (src == SQLITE_OK && f->has_record)
        src = sqlite3_bind_int64(
            stmt, sqlite3_bind_parameter_index(stmt, ":record"), f->record);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":user", f->user);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":since", f->since);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":until", f->until);
    if (src == SQLITE_OK && f->limit > 0)
        src = sqlite3_bind_int64(
            stmt, sqlite3_bind_parameter_index(stmt, ":limit"), f->limit);
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        prm_audit_entry e = {
            .id = sqlite3_column_int64(stmt, 0),
            .change = sqlite3_column_int64(stmt, 1),
            .at = column_text(stmt, 2),
            .user = column_text(stmt, 3),
            .command = column_text(stmt, 4),
            .action = column_text(stmt, 5),
            .kind = column_text(stmt, 6),
            .record = sqlite3_column_int64(stmt, 7),
            .before = column_text(stmt, 8),
            .after = column_text(stmt, 9),
            .undoes = sqlite3_column_int64(stmt, 10),
        };
        if (!fn(ctx, &e)) {
            src = SQLITE_DONE;
            break;
        }
        src = SQLITE_OK;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE && src != SQLITE_OK)
        return sdb_fail(db, src, err, "reading the audit log");
    return PRM_OK;
}

/* --- undo ----------------------------------------------------------------- */

/* The newest change that is not an undo and has not been undone. */
static prm_code last_change(sqlite_db *db, int64_t *change, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(
        db,
        "SELECT coalesce((SELECT a.change FROM audit AS a WHERE a.undoes IS "
        "NULL AND NOT EXISTS (SELECT 1 FROM audit AS u WHERE u.undoes = "
        "a.change) ORDER BY a.id DESC LIMIT 1), 0)",
        &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, change, 1, err);
    return rc;
}

/* The ids of a change's entries, newest first: read backwards from the
 * end of the log, where recent changes are, until an older change shows. */
static prm_code change_entries(sqlite_db *db, int64_t change, int64_t **ids,
                               size_t *n, prm_error *err)
{
    sqlite3_stmt *stmt;
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    prm_code rc = sdb_cached(
        db, "SELECT id, change FROM audit ORDER BY id DESC", &stmt, err);
    int src = SQLITE_OK;
    while (rc == PRM_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t c = sqlite3_column_int64(stmt, 1);
        if (c < change) {
            src = SQLITE_DONE;
            break;
        }
        if (c > change)
            continue; /* a later change, an undo's say */
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *more = realloc(*ids, cap * sizeof *more);
            if (more == NULL) {
                rc = prm_error_nomem(err);
                break;
            }
            *ids = more;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (rc == PRM_OK) {
        sdb_done(stmt);
        if (src != SQLITE_DONE)
            rc = sdb_fail(db, src, err, "reading the audit log");
    }
    return rc;
}

/* SQL that puts back a record from its JSON image ?1 (id ?2). */
static void revert_sql(sqlbuf *b, const prm_kind_info *info, bool reinsert)
{
    if (info == NULL) { /* a project's partner link */
        sql_add(b, reinsert ? "INSERT INTO project_partners (project_id, "
                              "partner_id) VALUES (json_extract(?1, "
                              "'$.project'), json_extract(?1, '$.partner'))"
                            : "DELETE FROM project_partners WHERE project_id "
                              "= json_extract(?1, '$.project') AND "
                              "partner_id = json_extract(?1, '$.partner')");
        return;
    }
    size_t n = 0;
    sql_add(b, reinsert ? "INSERT INTO %s (" : "UPDATE %s SET ",
            store_table(info));
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col == NULL || (!reinsert && info->fields[i].type == PRM_F_ID))
            continue;
        if (reinsert)
            sql_add(b, "%s\"%s\"", n++ ? ", " : "", col);
        else
            sql_add(b, "%s\"%s\" = json_extract(?1, '$.%s')", n++ ? ", " : "",
                    col, info->fields[i].name);
    }
    if (!reinsert) {
        sql_add(b, " WHERE id = ?2");
        return;
    }
    sql_add(b, ") VALUES (");
    n = 0;
    for (size_t i = 0; i < info->nfields; i++)
        if (store_column(&info->fields[i]) != NULL)
            sql_add(b, "%sjson_extract(?1, '$.%s')", n++ ? ", " : "",
                    info->fields[i].name);
    sql_add(b, ")");
}

/* Revert one entry: delete what was added, put back what was deleted or
 * changed.  Each must touch exactly one row, or the record has moved on. */
static prm_code revert_entry(sqlite_db *db, const char *action, const char *kind,
                             int64_t record, const char *before,
                             const char *after, prm_error *err)
{
    const prm_kind_info *info = prm_kind_find(kind);
    bool added = strcmp(action, "add") == 0;
    sqlbuf b = {.len = 0};
    if (added && info != NULL)
        sql_add(&b, "DELETE FROM %s WHERE id = ?2", store_table(info));
    else
        revert_sql(&b, info, strcmp(action, "delete") == 0);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    bool reinsert = info != NULL && strcmp(action, "delete") == 0;
    const char *image = added ? after : before;
    int src = sqlite3_bind_text(stmt, 1, image, -1, SQLITE_STATIC);
    if (src == SQLITE_OK && sqlite3_bind_parameter_count(stmt) >= 2)
        src = sqlite3_bind_int64(stmt, 2, record);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    sdb_done(stmt);
    bool reverted = src == SQLITE_DONE && sqlite3_changes(db->sql) == 1;
    /* A record put back is added as its image was; undo runs inside its
     * own savepoint, so should logging it fail, the whole undo is undone. */
    if (reverted)
        return reinsert ? sdb_audit_added(db, info, record, before, err)
                        : PRM_OK;
    if (src == SQLITE_DONE)
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s %lld has changed since (it no longer exists)",
                             kind, (long long)record);
    return prm_error_set(err, PRM_ECONFLICT, "%s %lld: %s", kind,
                         (long long)record, sqlite3_errmsg(db->sql));
}

static prm_code revert_by_id(sqlite_db *db, int64_t id, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT action, kind, record, before, after FROM "
                             "audit WHERE id = ?1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    if (src != SQLITE_ROW) {
        sdb_done(stmt);
        return sdb_fail(db, src, err, "reading the audit log");
    }
    /* Copies: the statement is reset before the revert runs. */
    char *action = strdup(column_text(stmt, 0));
    char *kind = strdup(column_text(stmt, 1));
    int64_t record = sqlite3_column_int64(stmt, 2);
    char *before = column_text(stmt, 3) ? strdup(column_text(stmt, 3)) : NULL;
    char *after = column_text(stmt, 4) ? strdup(column_text(stmt, 4)) : NULL;
    sdb_done(stmt);
    if (action == NULL || kind == NULL)
        rc = prm_error_nomem(err);
    else
        rc = revert_entry(db, action, kind, record, before, after, err);
    free(action);
    free(kind);
    free(before);
    free(after);
    return rc;
}

static prm_code change_command(sqlite_db *db, int64_t change, char *buf,
                               size_t size, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT " AUDIT_COMMAND " FROM audit WHERE "
                             "change = ?1 ORDER BY id DESC LIMIT 1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, change, err);
    if (rc != PRM_OK)
        return rc;
    buf[0] = '\0';
    if (sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(buf, size, "%s", column_text(stmt, 0));
    sdb_done(stmt);
    return PRM_OK;
}

prm_code sqlite_undo_last(prm_db *base, int64_t *undone, char *command,
                         size_t size, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    int64_t change;
    prm_code rc = last_change(db, &change, err);
    if (rc != PRM_OK)
        return rc;
    if (change == 0)
        return prm_error_set(err, PRM_ENOT_FOUND, "nothing left to undo");
    rc = change_command(db, change, command, size, err);
    int64_t *ids = NULL;
    size_t n = 0;
    if (rc == PRM_OK)
        rc = change_entries(db, change, &ids, &n, err);
    /* Each undo is a change of its own: the second of an "undo N" takes
     * the next number. */
    if (db->undo_done)
        db->change++;
    db->undo_done = true;
    db->undoes = change;
    for (size_t i = 0; i < n && rc == PRM_OK; i++)
        rc = revert_by_id(db, ids[i], err);
    db->undoes = 0;
    free(ids);
    if (rc != PRM_OK) {
        return prm_error_set(err, err->code,
                             "cannot undo change %lld (%s): %s",
                             (long long)change, command, err->message);
    }
    *undone = change;
    return PRM_OK;
}
