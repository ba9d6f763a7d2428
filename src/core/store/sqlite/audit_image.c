/*
 * audit_image.c - the audit log's entry of a new record, on SQLite: its
 * compact JSON image, made from the values as they are added (no read
 * back), and its command, left out when the image gives it back; and the
 * SQL that makes such an image and command whole again when the log is
 * read.  What an entry holds is described in schema.sql.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_db.h"

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
        bare = store_bare_char((unsigned char)v[i]);
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
            bare = store_bare_char(ch);
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
void sdb_fn_add_command(sqlite3_context *c, int argc, sqlite3_value **argv)
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

const char *sdb_entry_command(sqlite_db *db, const prm_kind_info *info,
                              const char *image)
{
    const char *command = db->base.command ? db->base.command : "";
    if (command[0] != '\0' && is_add_command(info, image, command))
        return "";
    return store_command(&db->base);
}

prm_code sdb_audit_added(sqlite_db *db, const prm_kind_info *info, int64_t id,
                         const char *image, const char *command,
                         prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_LOG_ADD, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_bind_int64(stmt, 1, db->base.changes.number);
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

/* A JSON string as SQLite writes one (store_json_escape).  Room for the
 * longest escape of every byte is made first, so the loop only copies. */
static bool image_string(sqlite_db *db, const char *s, size_t len)
{
    if (len > (SIZE_MAX - 3) / 6 || !image_grow(db, 6 * len + 3))
        return false;
    char *out = db->image + db->image_len;
    *out++ = '"';
    out = store_json_escape(out, s, len);
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
    case PRM_F_COUNT:
    case PRM_F_PARTNER_REF:
    case PRM_F_PROJECT_REF:
    case PRM_F_REF:
    case PRM_F_MONEY: /* whole cents */
        return 'i';
    case PRM_F_NUMBER:
    case PRM_F_RATIO:
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
    case PRM_V_MONEY: /* an amount, as prm_money writes it */
        prm_format_money(v->i, num, sizeof num);
        break;
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
    return (f->flags & PRM_FF_STAMP) != 0;
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

/* A sealed value (store/seal.h) is letters, digits and -_: only: its
 * JSON string is its text in quotes, copied, not escaped byte by byte. */
static bool image_sealed(sqlite_db *db, const prm_value *v)
{
    return image_add(db, "\"", 1) && image_add(db, v->s, v->len) &&
           image_add(db, "\"", 1);
}

const char *sdb_audit_image(sqlite_db *db, const prm_kind_info *info,
                            const prm_value *const values[], bool sealed)
{
    db->image_len = 0;
    bool ok = image_add(db, "{", 1);
    size_t n = 0;
    for (size_t i = 0; i < info->nfields && ok; i++) {
        const prm_field *f = &info->fields[i];
        if (store_column(f) == NULL || implied_by_entry(db, f, values[i]))
            continue;
        ok = image_key(db, f->name, n++ == 0);
        if (ok && sealed && (f->flags & PRM_FF_SENSITIVE) &&
            values[i]->type == PRM_V_TEXT)
            ok = image_sealed(db, values[i]);
        else if (ok)
            ok = image_value(db, column_affinity(f), values[i]);
    }
    return ok && image_add(db, "}", 1) ? db->image : NULL;
}


/* The whole image of an added record from its entry, as the triggers would
 * have written it: the entry's record is the id, a field the compact image
 * leaves out is null, a time stamp it leaves out is the entry's time.  An
 * image that is whole already (it begins with the id: the add of a record
 * that undo put back, or of a database written before schema 4) and a
 * project's link are given as they are. */
void sdb_audit_full_image(sqlbuf *b)
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
            else if (f->type == PRM_F_NUMBER || f->type == PRM_F_RATIO ||
                     f->type == PRM_F_MONEY)
                /* as written, every digit */
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
