/*
 * output.c - what both output modes share: choosing one, number and value
 * formatting.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static bool color_allowed(int fd)
{
    const char *no = getenv("NO_COLOR");
    if (no != NULL && *no != '\0')
        return false;
    const char *term = getenv("TERM");
    if (term != NULL && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fd);
}

void cli_out_init(cli_out *o, bool json)
{
    *o = (cli_out){.ops = json ? &cli_json_ops : &cli_text_ops,
                   .out = stdout,
                   .err = stderr};
    o->color = color_allowed(STDOUT_FILENO);
    o->err_color = color_allowed(STDERR_FILENO);
    const char *codeset = nl_langinfo(CODESET);
    o->utf8 = codeset != NULL && strcasecmp(codeset, "UTF-8") == 0;
    cli_out_measure(o);
}

void cli_out_measure(cli_out *o)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        o->width = ws.ws_col;
}

bool cli_trend_value(const prm_trend_row *r, const char *metric, double *v)
{
    const int64_t *in[] = {&r->in.partners,       &r->in.projects,
                           &r->in.succeeded,      &r->in.failed,
                           &r->in.communications, &r->in.resources,
                           &r->in.outcomes};
    /* The counts come first in prm_trend_metrics, in this order. */
    for (size_t i = 0; i < 7; i++)
        if (strcmp(metric, prm_trend_metrics[i]) == 0) {
            *v = (double)*in[i];
            return true;
        }
    /* the ratios as of the period's end */
    if (strcmp(metric, "relationship_degree") == 0)
        return prm_relationship_degree(&r->total, v);
    if (strcmp(metric, "project_success_rate") == 0)
        return prm_project_success_rate(&r->total, v);
    return prm_resource_efficiency(&r->total, v);
}

void cli_out_set_color(cli_out *o, bool on)
{
    o->color = on && color_allowed(STDOUT_FILENO);
    o->err_color = on && color_allowed(STDERR_FILENO);
}

int cli_output_errno;

void cli_flush(FILE *f)
{
    errno = 0;
    if (fflush(f) != 0 && cli_output_errno == 0)
        cli_output_errno = errno ? errno : EIO;
}

void cli_out_free(cli_out *o)
{
    free(o->values);
    free(o->has);
    o->values = NULL;
    o->has = NULL;
    o->nvalues = o->values_cap = 0;
    for (size_t i = 0; i < o->ncells; i++)
        free(o->cells[i]);
    free(o->cells);
    o->cells = NULL;
    o->ncells = o->cap = 0;
    if (o->spill != NULL)
        fclose(o->spill);
    o->spill = NULL;
    o->spill_failed = false;
    o->spilled_rows = o->spill_columns = 0;
    memset(o->spill_width, 0, sizeof o->spill_width);
    cli_out_drop_rows(o);
}

void cli_out_drop_rows(cli_out *o)
{
    if (o->row != NULL)
        fclose(o->row);
    free(o->row_text);
    o->row = NULL;
    o->row_text = NULL;
    o->row_len = 0;
}

static char *ids_text(const prm_value *v)
{
    size_t size = v->nids * PRM_INT_TEXT + 1; /* each with a comma */
    char *s = malloc(size);
    if (s == NULL)
        return NULL;
    size_t len = 0;
    s[0] = '\0';
    for (size_t i = 0; i < v->nids; i++)
        len += (size_t)snprintf(s + len, size - len, "%s%lld", i ? "," : "",
                                (long long)v->ids[i]);
    return s;
}

char *cli_format_value(const prm_value *v)
{
    char num[64];
    switch (v->type) {
    case PRM_V_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->i);
        return strdup(num);
    case PRM_V_REAL:
        prm_format_number(v->r, num, sizeof num);
        return strdup(num);
    case PRM_V_MONEY:
        prm_format_money(v->i, num, sizeof num);
        return strdup(num);
    case PRM_V_TEXT:
        return strndup(v->s, v->len);
    case PRM_V_IDS: /* none (a deal without conflicts) shows as "-" */
        return v->nids > 0 ? ids_text(v) : strdup("-");
    default:
        return strdup("-");
    }
}

static prm_code cannot_write(const char *file, prm_error *err)
{
    return prm_error_set(err, PRM_EIO, "cannot write %s: %s", file,
                         strerror(errno));
}

prm_code cli_write_beside(const char *file,
                          prm_code (*write)(FILE *f, void *ctx,
                                            prm_error *err),
                          void *ctx, prm_error *err)
{
    struct stat st;
    if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return prm_error_set(err, PRM_EIO,
                             "cannot write %s: it is a folder; give a file "
                             "name in it",
                             file);
    size_t len = strlen(file);
    char *tmp = malloc(len + 8);
    if (tmp == NULL)
        return prm_error_nomem(err);
    snprintf(tmp, len + 8, "%s.XXXXXX", file);
    int fd = mkstemp(tmp); /* mode 0600: the file holds partner data */
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    prm_code rc = f == NULL ? cannot_write(file, err) : PRM_OK;
    if (f == NULL && fd >= 0)
        close(fd);
    if (rc == PRM_OK)
        rc = write(f, ctx, err);
    if (f != NULL && fclose(f) != 0 && rc == PRM_OK)
        rc = cannot_write(file, err);
    if (rc == PRM_OK && rename(tmp, file) != 0)
        rc = cannot_write(file, err);
    if (rc != PRM_OK && fd >= 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

void cli_ratio_text(char *buf, size_t size, bool has, double v, bool percent)
{
    if (!has)
        snprintf(buf, size, "n/a");
    else if (percent)
        snprintf(buf, size, "%.1f%%", v * 100.0);
    else
        snprintf(buf, size, "%.2f", v);
}

prm_code cli_json_string_of(cli_out *o, const char *key,
                            prm_code (*write)(FILE *f, void *ctx,
                                              prm_error *err),
                            void *ctx, prm_error *err)
{
    FILE *tmp = tmpfile();
    if (tmp == NULL)
        return prm_error_set(err, PRM_EIO,
                             "cannot make a temporary file: %s (or give a "
                             "FILE)",
                             strerror(errno));
    prm_code rc = write(tmp, ctx, err);
    if (rc == PRM_OK && fflush(tmp) != 0)
        rc = prm_error_set(err, PRM_EIO,
                           "cannot write a temporary file: %s (or give a "
                           "FILE)",
                           strerror(errno));
    if (rc == PRM_OK && !cli_json_text_file(o, key, tmp))
        rc = prm_error_set(err, PRM_EIO,
                           "cannot read a temporary file back: %s",
                           strerror(errno));
    fclose(tmp);
    return rc;
}

