/*
 * passphrase.c - the passphrase of an encrypted file or database, as
 * restic and borg take it: the first line of $PRM_PASSPHRASE_FILE, else
 * $PRM_PASSPHRASE, else asked on the terminal without echo (twice when
 * encrypting).  A new one (encrypt passphrase) comes the same way from
 * $PRM_NEW_PASSPHRASE_FILE and $PRM_NEW_PASSPHRASE.  It is never logged,
 * never in the history, and wiped after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"

static void chomp(char *s, size_t *len)
{
    *len = strcspn(s, "\r\n");
    s[*len] = '\0';
}

/* Where a passphrase comes from. */
typedef struct source {
    const char *file_var, *value_var;
    const char *question, *again;
} source;

static const source current = {"PRM_PASSPHRASE_FILE", "PRM_PASSPHRASE",
                               "Passphrase: ", "Passphrase again: "};
static const source new_one = {"PRM_NEW_PASSPHRASE_FILE",
                               "PRM_NEW_PASSPHRASE", "New passphrase: ",
                               "New passphrase again: "};

static prm_code from_file(const source *src, const char *path, char *buf,
                          size_t size, size_t *len, prm_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return prm_error_set(err, PRM_EIO, "cannot read %s %s: %s",
                             src->file_var, path, strerror(errno));
    bool got = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (!got)
        buf[0] = '\0';
    chomp(buf, len);
    return PRM_OK;
}

/* One line from the terminal, not echoed; false at Ctrl-C or Ctrl-D. */
static bool ask(int tty, const char *question, char *buf, size_t size)
{
    struct termios was, quiet;
    if (write(tty, question, strlen(question)) < 0 ||
        tcgetattr(tty, &was) != 0)
        return false;
    quiet = was;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ISIG; /* Ctrl-C still interrupts */
    if (tcsetattr(tty, TCSANOW, &quiet) != 0)
        return false;
    size_t n = 0;
    char c;
    ssize_t r;
    while ((r = read(tty, &c, 1)) == 1 && c != '\n' && c != '\r')
        if (n + 1 < size)
            buf[n++] = c;
    buf[n] = '\0';
    tcsetattr(tty, TCSANOW, &was);
    if (write(tty, "\n", 1) < 0)
        return false;
    return r == 1;
}

static prm_code from_terminal(const source *src, bool twice, char *buf,
                              size_t size, size_t *len, prm_error *err)
{
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "a passphrase is needed: set %s (a file whose "
                             "first line it is) or %s, or run prm on a "
                             "terminal to be asked",
                             src->file_var, src->value_var);
    char again[256];
    bool ok = ask(tty, src->question, buf, size) &&
              (!twice || ask(tty, src->again, again, sizeof again));
    close(tty);
    prm_code rc = PRM_OK;
    if (!ok)
        rc = prm_error_set(err, PRM_EINVALID_VALUE,
                           "no passphrase given: nothing was done");
    else if (twice && strcmp(buf, again) != 0)
        rc = prm_error_set(err, PRM_EINVALID_VALUE,
                           "the two passphrases differ: nothing was done");
    prm_wipe(again, sizeof again);
    *len = strlen(buf);
    return rc;
}

static prm_code passphrase_from(const source *src, bool twice, char *buf,
                                size_t size, size_t *len, prm_error *err)
{
    const char *file = getenv(src->file_var);
    const char *value = getenv(src->value_var);
    prm_code rc;
    if (file != NULL && file[0] != '\0')
        rc = from_file(src, file, buf, size, len, err);
    else if (value != NULL && value[0] != '\0') {
        snprintf(buf, size, "%s", value);
        *len = strlen(buf);
        rc = PRM_OK;
    } else
        rc = from_terminal(src, twice, buf, size, len, err);
    if (rc == PRM_OK && *len == 0)
        rc = prm_error_set(err, PRM_EINVALID_VALUE,
                           "the passphrase is empty: give one");
    if (rc != PRM_OK)
        prm_wipe(buf, size);
    return rc;
}

prm_code cli_passphrase(bool twice, char *buf, size_t size, size_t *len,
                        prm_error *err)
{
    return passphrase_from(&current, twice, buf, size, len, err);
}

prm_code cli_new_passphrase(char *buf, size_t size, size_t *len,
                            prm_error *err)
{
    return passphrase_from(&new_one, true, buf, size, len, err);
}

/* The core's question for a passphrase it needs (prm_set_passphrase_fn). */
prm_code cli_passphrase_fn(void *ctx, char *buf, size_t size, size_t *len,
                           prm_error *err)
{
    (void)ctx;
    return cli_passphrase(false, buf, size, len, err);
}
