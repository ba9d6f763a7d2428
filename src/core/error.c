/*
 * error.c - the core's one error type: a code from the fixed list every
 * failed command reports, and a message a person can act on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    /* Formatted aside first: the arguments may be err->message. */
    char text[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    text[len] = '\0';
    err->code = code;
    memcpy(err->message, text, len + 1);
    return code;
}

prm_code prm_error_nomem(prm_error *err)
{
    return prm_error_set(err, PRM_EIO, "out of memory");
}

const char *prm_error_message(const prm_error *err)
{
    if (err->message[0] != '\0')
        return err->message;
    return prm_code_name(err->code);
}
