/*
 * path.c - where the database lives when --db does not say.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "prm/prm.h"

static bool fits(int n, size_t size)
{
    return n > 0 && (size_t)n < size;
}

bool prm_default_db_path(char *buf, size_t size)
{
    const char *env = getenv("PRM_DB");
    if (env != NULL && *env != '\0')
        return fits(snprintf(buf, size, "%s", env), size);
    const char *data = getenv("XDG_DATA_HOME");
    if (data != NULL && *data == '/')
        return fits(snprintf(buf, size, "%s/prm/prm.db", data), size);
    const char *home = getenv("HOME");
    if (home == NULL || *home == '\0') {
        struct passwd *pw = getpwuid(getuid());
        home = pw != NULL ? pw->pw_dir : NULL;
    }
    if (home == NULL)
        return false;
    return fits(snprintf(buf, size, "%s/.local/share/prm/prm.db", home), size);
}
