/*
 * error.c - the core's one error type: SPEC.md's codes and a message.
 */
#include <stdarg.h>
#include <stdio.h>

#include "prm/prm.h"

static const char *const code_names[] = {
    [PRM_OK] = "ok",
    [PRM_ESYNTAX] = "syntax",
    [PRM_EUNKNOWN_COMMAND] = "unknown_command",
    [PRM_EMISSING_FIELD] = "missing_field",
    [PRM_EUNKNOWN_FIELD] = "unknown_field",
    [PRM_EINVALID_VALUE] = "invalid_value",
    [PRM_ENOT_FOUND] = "not_found",
    [PRM_ECONFLICT] = "conflict",
    [PRM_EFORBIDDEN] = "forbidden",
    [PRM_EIO] = "io",
    [PRM_EDB] = "db",
};

const char *prm_code_name(prm_code code)
{
    if ((size_t)code >= sizeof code_names / sizeof code_names[0])
        return "db";
    return code_names[code];
}

prm_code prm_error_set(prm_error *err, prm_code code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

const char *prm_error_message(const prm_error *err)
{
    if (err->message[0] != '\0')
        return err->message;
    return prm_code_name(err->code);
}
