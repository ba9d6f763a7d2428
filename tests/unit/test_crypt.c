/*
 * test_crypt.c - encrypted files: what is sealed opens again with the
 * same passphrase, byte for byte, across chunk boundaries; and a wrong
 * passphrase, any one byte changed anywhere, or the file cut at any
 * length, is "wrong passphrase or damaged file" before a byte of text
 * is handed out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prm/prm.h"

static const char pass[] = "correct horse battery staple";

/* text sealed with pass into a new buffer (*len bytes). */
static unsigned char *seal(const char *text, size_t n, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    FILE *sealed;
    prm_error err;
    assert_int_equal(prm_seal_open(out, pass, strlen(pass), &sealed, &err),
                     PRM_OK);
    assert_int_equal(fwrite(text, 1, n, sealed), n);
    assert_int_equal(fclose(sealed), 0);
    assert_int_equal(fclose(out), 0);
    *len = size;
    return (unsigned char *)buf;
}

/* Open data (len bytes) with key; PRM_OK and the text in *text, or the
 * error's code with nothing read. */
static prm_code open_all(const unsigned char *data, size_t len,
                         const char *key, char **text, size_t *n)
{
    FILE *in = fmemopen((void *)data, len ? len : 1, "r");
    assert_non_null(in);
    if (len == 0) /* fmemopen cannot take 0: read past its one byte */
        fgetc(in);
    FILE *plain;
    prm_error err;
    prm_code rc = prm_sealed_open(in, key, strlen(key), &plain, &err);
    *text = NULL;
    *n = 0;
    if (rc == PRM_OK) {
        FILE *out = open_memstream(text, n);
        int c;
        while ((c = fgetc(plain)) != EOF)
            fputc(c, out);
        assert_false(ferror(plain));
        fclose(out);
        fclose(plain);
    } else {
        assert_string_equal(err.message, "wrong passphrase or damaged file");
    }
    fclose(in);
    return rc;
}

static void test_sealed_opens_with_its_passphrase(void **state)
{
    (void)state;
    /* empty, small, exactly a chunk, and across chunks */
    size_t sizes[] = {0, 1, 300, 65536, 65537, 200000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        char *text = malloc(sizes[s] + 1);
        assert_non_null(text);
        for (size_t i = 0; i < sizes[s]; i++)
            text[i] = (char)('a' + i * 7 % 26);
        size_t len, n;
        unsigned char *data = seal(text, sizes[s], &len);
        FILE *probe = fmemopen(data, len, "r");
        assert_true(prm_is_sealed(probe));
        fclose(probe);
        char *back;
        assert_int_equal(open_all(data, len, pass, &back, &n), PRM_OK);
        assert_int_equal(n, sizes[s]);
        assert_memory_equal(back, text, sizes[s]);
        free(back);
        assert_int_equal(open_all(data, len, "wrong", &back, &n),
                         PRM_EINVALID_VALUE);
        free(data);
        free(text);
    }
}

static void test_any_change_or_cut_is_refused(void **state)
{
    (void)state;
    static const char text[] =
        "{\"ok\":true,\"format\":\"prm-export\",\"version\":2,"
        "\"partners\":[{\"id\":1,\"name\":\"Acme\"}]}\n";
    size_t len, n;
    unsigned char *data = seal(text, sizeof text - 1, &len);
    char *back;
    for (size_t i = 0; i < len; i++) {
        data[i] ^= 0x01;
        if (open_all(data, len, pass, &back, &n) != PRM_EINVALID_VALUE)
            fail_msg("byte %zu of %zu changed, the file still opened", i,
                     len);
        data[i] ^= 0x01;
    }
    for (size_t cut = 0; cut < len; cut++)
        if (open_all(data, cut, pass, &back, &n) != PRM_EINVALID_VALUE)
            fail_msg("cut at %zu of %zu bytes, the file still opened", cut,
                     len);
    /* and a byte more at the end */
    unsigned char *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, data, len);
    longer[len] = 0;
    assert_int_equal(open_all(longer, len + 1, pass, &back, &n),
                     PRM_EINVALID_VALUE);
    assert_int_equal(open_all(data, len, pass, &back, &n), PRM_OK);
    free(back);
    free(longer);
    free(data);
}

int main(void)
{
    setenv("PRM_KDF", "fast", 1); /* hundreds of keys are derived */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_opens_with_its_passphrase),
        cmocka_unit_test(test_any_change_or_cut_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
