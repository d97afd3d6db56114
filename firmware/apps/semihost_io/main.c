/* semihost_io: semihosting file I/O through newlib stdio (rdimon).
 *
 * Prints argc/argv (from SYS_GET_CMDLINE), reads input.txt from the host's current
 * (semihosting) directory with fopen/fseek(SEEK_END)/ftell/fseek/fread/fclose, writes
 * its contents upper-cased to output.txt (fopen "wb"/fwrite/fclose), reads output.txt
 * back to verify it, and tries to open ../outside.txt, which a confined host must refuse.
 * Semihosting calls: SYS_OPEN, SYS_FLEN, SYS_SEEK, SYS_READ, SYS_WRITE, SYS_CLOSE
 * (plus the start-up/exit calls every firmware makes).
 *
 * Needs: input.txt (up to 4096 bytes) in the semihosting directory.
 * stdout: "argc=<n>", one "argv[i]=<arg>" per argument, "input.txt: <N> bytes",
 *         "output.txt: <N> bytes written, verified", "../outside.txt: open failed",
 *         then "PASS" (or "FAIL: ...")
 * exit:   0 on success; 1 input.txt missing or unreadable; 2 output.txt write or
 *         read-back mismatch; 3 ../outside.txt could be opened (not confined).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_SIZE 4096

static char in_buf[MAX_SIZE], out_buf[MAX_SIZE], check_buf[MAX_SIZE];

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);

    FILE *in = fopen("input.txt", "rb");
    if (!in) {
        printf("FAIL: cannot open input.txt\n");
        return 1;
    }
    long size = -1;
    if (fseek(in, 0, SEEK_END) == 0)
        size = ftell(in);
    if (size < 0 || size > MAX_SIZE || fseek(in, 0, SEEK_SET) != 0) {
        printf("FAIL: bad input.txt size %ld\n", size);
        fclose(in);
        return 1;
    }
    size_t n = fread(in_buf, 1, (size_t)size, in);
    fclose(in);
    if (n != (size_t)size) {
        printf("FAIL: read %u of %ld bytes\n", (unsigned)n, size);
        return 1;
    }
    printf("input.txt: %ld bytes\n", size);

    for (size_t i = 0; i < n; i++)
        out_buf[i] = (char)toupper((unsigned char)in_buf[i]);

    FILE *out = fopen("output.txt", "wb");
    if (!out) {
        printf("FAIL: cannot create output.txt\n");
        return 2;
    }
    size_t w = fwrite(out_buf, 1, n, out);
    if (fclose(out) != 0 || w != n) {
        printf("FAIL: wrote %u of %u bytes\n", (unsigned)w, (unsigned)n);
        return 2;
    }
    FILE *back = fopen("output.txt", "rb");
    size_t r = back ? fread(check_buf, 1, sizeof check_buf, back) : 0;
    if (back)
        fclose(back);
    if (r != n || memcmp(check_buf, out_buf, n) != 0) {
        printf("FAIL: output.txt read back %u bytes, mismatch\n", (unsigned)r);
        return 2;
    }
    printf("output.txt: %u bytes written, verified\n", (unsigned)n);

    FILE *outside = fopen("../outside.txt", "rb");
    if (outside) {
        fclose(outside);
        printf("../outside.txt: opened (file access is NOT confined)\n");
        printf("FAIL\n");
        return 3;
    }
    printf("../outside.txt: open failed\n");
    printf("PASS\n");
    return 0;
}
