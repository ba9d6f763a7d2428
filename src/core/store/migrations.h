/*
 * migrations.h - the schema's versions and the SQL that moves a database
 * from one to the next, listed by the build from the files in migrations/
 * (cmake/migrations.cmake): NNN_what.sql for a file database,
 * NNN_what.pg.sql for a team database.  Both engines number versions
 * alike; store_schema_version is the newest.
 */
#ifndef PRM_STORE_MIGRATIONS_H
#define PRM_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct store_migration {
    int version;      /* what the database is once it has run */
    const char *name; /* its file in migrations/ */
    const char *sql;
} store_migration;

extern const int store_schema_version;
/* In ascending version, each list ended by an entry with version 0. */
extern const store_migration store_sqlite_migrations[];
extern const store_migration store_pg_migrations[];

#endif /* PRM_STORE_MIGRATIONS_H */
