/* coremark_like: an integer workload of our own with the shape of EEMBC CoreMark (it is NOT
 * CoreMark and shares no code with it; its iterations/MHz is not a CoreMark score).
 *
 * One iteration runs four kernel families over about 2 KiB of data, as CoreMark does:
 *   list    a pool of LIST_NODES linked nodes {next, key, idx, payload}: look keys up, reverse the
 *           list, merge-sort it by key (bottom-up, linked), look keys up in the sorted list with
 *           early exit, then merge-sort it back by idx (which restores the original order);
 *   matrix  MAT_N x MAT_N int16 matrices A, B and an int32 result C: add a constant to A,
 *           multiply by a constant, matrix x vector, matrix x matrix, matrix x matrix with bit
 *           extraction of each 32-bit product, each result folded with a thresholded sum (the
 *           last one is also CRC'd element by element); then A is restored;
 *   state   a scanner state machine over STATE_BYTES of comma-separated ASCII tokens,
 *           classifying each as integer, decimal, exponent-form float, hex or invalid and counting
 *           state transitions; the text is then damaged at a stride (XOR), scanned again, and
 *           repaired;
 *   crc     bitwise CRC-16/CCITT (poly 0x1021) folds every kernel's results into the
 *           iteration's CRC.
 * Every iteration leaves the data as it found it, so each iteration computes the same CRC. The
 * kernels are noinline and work on global memory, so the compiler cannot hoist them.
 *
 * The inputs come from the 32-bit LCG x = x*1664525 + 1013904223 seeded with 2024 (list keys and
 * payloads, then A, then B); the token text is generated from a fixed table.
 *
 * Timing: DWT->CYCCNT (enabled as in apps/systick) is read right before and right after the
 * iteration loop only; initialisation, the check and printf are outside the window.
 * iterations_per_mhz = iterations * 1e6 / cycles, i.e. what "CoreMark/MHz" means for CoreMark.
 *
 * ITERATIONS: argv[1] if given, else DEFAULT_ITERATIONS. One iteration is about 240,000
 * instructions (GCC 12.2 -O2, Thumb-2), so the default run is about 29 million. The size was
 * chosen in instructions, near CoreMark's per-iteration work on a Cortex-M4 if its CPI is about
 * 1.2 (1e6 / 3.40 = 294,000 cycles per iteration), so that iterations/MHz lands in the same range
 * as CoreMark/MHz. It was not tuned against any simulated cycle count.
 *
 * stdout: "coremark_like iterations=<n> cycles=<c> crc=0x<xxxx>"
 *         "list=0x<xxxx> matrix=0x<xxxx> state=0x<xxxx>"
 *         "iterations_per_mhz=<x.xx>"
 *         then "PASS" (or "FAIL: ...")
 * exit:   0 when every iteration's CRC equals EXPECTED_CRC, 1 otherwise. The CRC does not depend
 *         on ITERATIONS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "board.h"
#include "cortexm.h"

#define DEFAULT_ITERATIONS 120
#define SEED 2024u

#define LIST_NODES 64
#define MAT_N 16
#define STATE_BYTES 1536
#define STATE_STRIDE 7 /* damage every 7th byte of the token text in the second scan */

/* The per-iteration CRC. Changes whenever the workload does. It was cross-checked with a host
 * build of this file (x86-64 gcc, the DWT registers replaced by plain variables), which prints
 * the same value: nothing target-specific (pointer values, char signedness) enters the CRC. */
#define EXPECTED_CRC 0xd1c0u

/* ---------------------------------------------------------------- CRC-16/CCITT, bitwise */

static uint16_t crc16_byte(uint8_t data, uint16_t crc)
{
    crc ^= (uint16_t)data << 8;
    for (int bit = 0; bit < 8; bit++) {
        if (crc & 0x8000u)
            crc = (uint16_t)((crc << 1) ^ 0x1021u);
        else
            crc = (uint16_t)(crc << 1);
    }
    return crc;
}

static uint16_t crc16_u16(uint16_t v, uint16_t crc)
{
    crc = crc16_byte((uint8_t)v, crc);
    return crc16_byte((uint8_t)(v >> 8), crc);
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc)
{
    crc = crc16_u16((uint16_t)v, crc);
    return crc16_u16((uint16_t)(v >> 16), crc);
}

/* ---------------------------------------------------------------- inputs */

static uint32_t lcg_state;
static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

/* ---------------------------------------------------------------- list kernel */

struct node {
    struct node *next;
    int16_t key;
    uint16_t idx;
    uint32_t payload;
};

static struct node pool[LIST_NODES];
static struct node *list_head;

/* Keys looked up every iteration: some present, some absent (filled in by list_init). */
#define N_QUERIES 16
static int16_t queries[N_QUERIES];

static void list_init(void)
{
    for (int i = 0; i < LIST_NODES; i++) {
        pool[i].idx = (uint16_t)i;
        pool[i].key = (int16_t)((lcg_next() >> 20) & 0x1FFu) - 256; /* duplicates are likely */
        pool[i].payload = lcg_next();
        pool[i].next = i + 1 < LIST_NODES ? &pool[i + 1] : NULL;
    }
    list_head = &pool[0];
    for (int q = 0; q < N_QUERIES; q++)
        queries[q] = (q & 1) ? pool[(q * 13) % LIST_NODES].key : (int16_t)(q * 97 - 300);
}

/* Position of the first node with `key`, or -1; counts the nodes visited into *visited. */
static int list_find(const struct node *n, int16_t key, uint32_t *visited)
{
    for (int pos = 0; n != NULL; n = n->next, pos++) {
        (*visited)++;
        if (n->key == key)
            return pos;
    }
    return -1;
}

/* The same on a list sorted by key: stops at the first larger key. */
static int list_find_sorted(const struct node *n, int16_t key, uint32_t *visited)
{
    for (int pos = 0; n != NULL; n = n->next, pos++) {
        (*visited)++;
        if (n->key >= key)
            return n->key == key ? pos : -1;
    }
    return -1;
}

static struct node *list_reverse(struct node *n)
{
    struct node *prev = NULL;
    while (n != NULL) {
        struct node *next = n->next;
        n->next = prev;
        prev = n;
        n = next;
    }
    return prev;
}

static int by_key(const struct node *a, const struct node *b)
{
    return a->key - b->key;
}

static int by_idx(const struct node *a, const struct node *b)
{
    return (int)a->idx - (int)b->idx;
}

/* Stable bottom-up merge sort of a singly linked list (runs of 1, 2, 4, ... merged pairwise). */
static struct node *list_sort(struct node *head, int (*cmp)(const struct node *, const struct node *))
{
    if (head == NULL)
        return NULL;
    for (int width = 1;; width *= 2) {
        struct node *rest = head, *out = NULL, **tail = &out;
        int merges = 0;
        while (rest != NULL) {
            struct node *a = rest, *b = rest;
            int na = 0;
            while (b != NULL && na < width) {
                b = b->next;
                na++;
            }
            int nb = width;
            merges++;
            while (na > 0 || (nb > 0 && b != NULL)) {
                struct node *take;
                if (na == 0) {
                    take = b;
                    b = b->next;
                    nb--;
                } else if (nb == 0 || b == NULL || cmp(a, b) <= 0) {
                    take = a;
                    a = a->next;
                    na--;
                } else {
                    take = b;
                    b = b->next;
                    nb--;
                }
                *tail = take;
                tail = &take->next;
            }
            rest = b;
        }
        *tail = NULL;
        head = out;
        if (merges <= 1)
            return head;
    }
}

__attribute__((noinline)) uint16_t list_kernel(uint16_t crc)
{
    uint32_t visited = 0;
    for (int q = 0; q < N_QUERIES; q++)
        crc = crc16_u16((uint16_t)list_find(list_head, queries[q], &visited), crc);

    list_head = list_reverse(list_head);
    list_head = list_sort(list_head, by_key);

    int32_t prev = INT32_MIN;
    uint32_t mix = 0;
    for (const struct node *n = list_head; n != NULL; n = n->next) {
        if (n->key < prev) /* never true: the list is sorted */
            crc ^= 0x5555u;
        prev = n->key;
        mix = (mix << 5 | mix >> 27) ^ n->payload ^ n->idx;
        crc = crc16_u16((uint16_t)n->key, crc);
    }
    crc = crc16_u32(mix, crc);

    for (int q = 0; q < N_QUERIES; q++)
        crc = crc16_u16((uint16_t)list_find_sorted(list_head, queries[q], &visited), crc);

    list_head = list_sort(list_head, by_idx); /* back to the original order */
    return crc16_u32(visited, crc);
}

/* ---------------------------------------------------------------- matrix kernel */

static int16_t mat_a[MAT_N * MAT_N], mat_b[MAT_N * MAT_N];
static int32_t mat_c[MAT_N * MAT_N];

static void matrix_init(void)
{
    for (int i = 0; i < MAT_N * MAT_N; i++)
        mat_a[i] = (int16_t)((lcg_next() >> 16) & 0x0FFFu) - 0x0800;
    for (int i = 0; i < MAT_N * MAT_N; i++)
        mat_b[i] = (int16_t)((lcg_next() >> 18) & 0x03FFu) - 0x0200;
}

/* Folds C into a 16-bit value: a running sum that counts and resets on a threshold. */
static uint16_t matrix_fold(const int32_t *c, int32_t threshold)
{
    int32_t sum = 0;
    uint16_t events = 0, acc = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        sum += c[i];
        if (sum > threshold) {
            events += 3;
            sum -= threshold;
        } else if (sum < -threshold) {
            events += 5;
            sum += threshold;
        }
        acc = (uint16_t)(acc + (c[i] > 0 ? 1 : 0));
    }
    return (uint16_t)(events ^ (acc << 8) ^ (uint16_t)sum);
}

static void mat_add_const(int16_t *a, int16_t v)
{
    for (int i = 0; i < MAT_N * MAT_N; i++)
        a[i] = (int16_t)(a[i] + v);
}

static void mat_mul_const(int32_t *c, const int16_t *a, int16_t v)
{
    for (int i = 0; i < MAT_N * MAT_N; i++)
        c[i] = (int32_t)a[i] * v;
}

static void mat_mul_vec(int32_t *c, const int16_t *a, const int16_t *b)
{
    /* c[i] = sum_k a[i][k] * b[k][0] (the first column of B as the vector) */
    for (int i = 0; i < MAT_N; i++) {
        int32_t s = 0;
        for (int k = 0; k < MAT_N; k++)
            s += (int32_t)a[i * MAT_N + k] * b[k * MAT_N];
        c[i] = s;
    }
    for (int i = MAT_N; i < MAT_N * MAT_N; i++)
        c[i] = 0;
}

static void mat_mul(int32_t *c, const int16_t *a, const int16_t *b)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++)
                s += (int32_t)a[i * MAT_N + k] * b[k * MAT_N + j];
            c[i * MAT_N + j] = s;
        }
}

static void mat_mul_bits(int32_t *c, const int16_t *a, const int16_t *b)
{
    /* each product contributes two bit fields of itself multiplied together */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) {
                int32_t p = (int32_t)a[i * MAT_N + k] * b[k * MAT_N + j];
                s += ((p >> 3) & 0x1F) * ((p >> 9) & 0x7F);
            }
            c[i * MAT_N + j] = s;
        }
}

__attribute__((noinline)) uint16_t matrix_kernel(uint16_t crc)
{
    const int16_t k = 0x0123;
    mat_add_const(mat_a, k);
    mat_mul_const(mat_c, mat_a, (int16_t)(k | 0x2000));
    crc = crc16_u16(matrix_fold(mat_c, 0x100000), crc);
    mat_mul_vec(mat_c, mat_a, mat_b);
    crc = crc16_u16(matrix_fold(mat_c, 0x10000), crc);
    mat_mul(mat_c, mat_a, mat_b);
    crc = crc16_u16(matrix_fold(mat_c, 0x80000), crc);
    mat_mul_bits(mat_c, mat_a, mat_b);
    crc = crc16_u16(matrix_fold(mat_c, 0x1000), crc);
    for (int i = 0; i < MAT_N * MAT_N; i++)
        crc = crc16_u16((uint16_t)mat_c[i], crc);
    mat_add_const(mat_a, (int16_t)-k); /* restore A */
    return crc;
}

/* ---------------------------------------------------------------- state-machine kernel */

enum token_state {
    ST_START,     /* nothing read yet */
    ST_SIGN,      /* + or - */
    ST_ZERO,      /* a leading 0: may become hex */
    ST_INT,       /* digits */
    ST_HEX_MARK,  /* 0x */
    ST_HEX,       /* 0x and hex digits */
    ST_POINT,     /* a '.' with no digit after it yet */
    ST_FRAC,      /* digits after '.' */
    ST_EXP_MARK,  /* e or E */
    ST_EXP_SIGN,  /* e+ or e- */
    ST_EXP,       /* exponent digits */
    ST_INVALID,
    N_STATES
};

enum token_kind { TK_INT, TK_HEX, TK_DECIMAL, TK_FLOAT, TK_INVALID, N_KINDS };

static char text[STATE_BYTES];

static const char *const token_table[] = {
    "0", "4096", "-92", "+310", "7.25", "-0.5", ".75", "3e9", "1.5E-3", "-6.02e+23",
    "0x1F", "0XbeeF", "12a4", "--3", "5.5.5", "e10", "0x", "+", "2.", "981273",
    "-17e", "0.000125", "65535", "x0", "1e+", "44.04", "-0", "0x7fffffff",
};

static void state_init(void)
{
    size_t pos = 0, t = 0;
    const size_t n_tokens = sizeof token_table / sizeof token_table[0];
    while (1) {
        const char *tok = token_table[(t * 11 + 3) % n_tokens];
        size_t len = 0;
        while (tok[len] != '\0')
            len++;
        if (pos + len + 1 >= STATE_BYTES)
            break;
        for (size_t i = 0; i < len; i++)
            text[pos++] = tok[i];
        text[pos++] = ',';
        t++;
    }
    while (pos < STATE_BYTES - 1)
        text[pos++] = ' '; /* trailing blanks: separators with nothing between them */
    text[STATE_BYTES - 1] = '\0';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex_letter(char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Scans one token starting at *p (stops at ',', ' ' or NUL, which it skips); returns its kind
 * and counts each state entered in transitions[]. Returns -1 when there was no token. */
static int scan_token(const char **p, uint32_t *transitions)
{
    const char *s = *p;
    enum token_state st = ST_START;
    while (*s == ' ')
        s++;
    if (*s == '\0') {
        *p = s;
        return -1;
    }
    for (; *s != '\0' && *s != ',' && *s != ' '; s++) {
        char c = *s;
        enum token_state next = ST_INVALID;
        switch (st) {
        case ST_START:
            if (c == '0') next = ST_ZERO;
            else if (is_digit(c)) next = ST_INT;
            else if (c == '+' || c == '-') next = ST_SIGN;
            else if (c == '.') next = ST_POINT;
            break;
        case ST_SIGN:
            if (is_digit(c)) next = ST_INT;
            else if (c == '.') next = ST_POINT;
            break;
        case ST_ZERO:
            if (c == 'x' || c == 'X') next = ST_HEX_MARK;
            else if (is_digit(c)) next = ST_INT;
            else if (c == '.') next = ST_FRAC;
            else if (c == 'e' || c == 'E') next = ST_EXP_MARK;
            break;
        case ST_INT:
            if (is_digit(c)) next = ST_INT;
            else if (c == '.') next = ST_FRAC;
            else if (c == 'e' || c == 'E') next = ST_EXP_MARK;
            break;
        case ST_HEX_MARK:
        case ST_HEX:
            if (is_digit(c) || is_hex_letter(c)) next = ST_HEX;
            break;
        case ST_POINT:
        case ST_FRAC:
            if (is_digit(c)) next = ST_FRAC;
            else if ((c == 'e' || c == 'E') && st == ST_FRAC) next = ST_EXP_MARK;
            break;
        case ST_EXP_MARK:
            if (c == '+' || c == '-') next = ST_EXP_SIGN;
            else if (is_digit(c)) next = ST_EXP;
            break;
        case ST_EXP_SIGN:
        case ST_EXP:
            if (is_digit(c)) next = ST_EXP;
            break;
        default:
            break;
        }
        if (next != st)
            transitions[next]++;
        st = next;
    }
    if (*s == ',')
        s++;
    *p = s;
    switch (st) {
    case ST_ZERO:
    case ST_INT: return TK_INT;
    case ST_HEX: return TK_HEX;
    case ST_FRAC: return TK_DECIMAL;
    case ST_EXP: return TK_FLOAT;
    default: return TK_INVALID;
    }
}

static uint16_t state_scan(uint16_t crc)
{
    uint32_t transitions[N_STATES] = {0};
    uint32_t kinds[N_KINDS] = {0};
    const char *p = text;
    int kind;
    while ((kind = scan_token(&p, transitions)) >= 0)
        kinds[kind]++;
    for (int i = 0; i < N_KINDS; i++)
        crc = crc16_u16((uint16_t)kinds[i], crc);
    for (int i = 0; i < N_STATES; i++)
        crc = crc16_u16((uint16_t)transitions[i], crc);
    return crc;
}

static void state_damage(uint8_t mask)
{
    /* XOR is its own inverse, so damaging twice with the same mask restores the text. The text
     * is printable ASCII and mask < 0x20, so no byte becomes NUL. */
    for (int i = 0; i < STATE_BYTES - 1; i += STATE_STRIDE)
        text[i] = (char)(text[i] ^ mask);
}

__attribute__((noinline)) uint16_t state_kernel(uint16_t crc)
{
    crc = state_scan(crc);
    state_damage(0x01); /* '0'<->'1', '2'<->'3', ','<->'-', '.'<->'/', 'e'<->'d', ... */
    crc = state_scan(crc);
    state_damage(0x01);
    return crc;
}

/* ---------------------------------------------------------------- driver */

static uint16_t part_list, part_matrix, part_state;

__attribute__((noinline)) uint16_t iteration(void)
{
    uint16_t crc = 0xFFFFu;
    crc = part_list = list_kernel(crc);
    crc = part_matrix = matrix_kernel(crc);
    crc = part_state = state_kernel(crc);
    return crc;
}

int main(int argc, char **argv)
{
    long iterations = DEFAULT_ITERATIONS;
    if (argc > 1) {
        long n = strtol(argv[1], NULL, 0);
        if (n > 0)
            iterations = n;
    }

    lcg_state = SEED;
    list_init();
    matrix_init();
    state_init();

    COREDEBUG_DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;

    uint16_t first = 0;
    long mismatches = 0;
    uint32_t c0 = DWT_CYCCNT;
    for (long i = 0; i < iterations; i++) {
        uint16_t crc = iteration();
        if (i == 0)
            first = crc;
        else if (crc != first)
            mismatches++;
    }
    uint32_t c1 = DWT_CYCCNT;
    uint32_t cycles = c1 - c0;

    /* iterations * 1e6 / cycles with two decimals, in integers (printf has no float support) */
    uint64_t per_mhz_x100 = cycles ? ((uint64_t)iterations * 100000000u + cycles / 2) / cycles : 0;

    printf("coremark_like iterations=%ld cycles=%lu crc=0x%04x\n", iterations, (unsigned long)cycles,
           (unsigned)first);
    printf("list=0x%04x matrix=0x%04x state=0x%04x\n", (unsigned)part_list, (unsigned)part_matrix,
           (unsigned)part_state);
    printf("iterations_per_mhz=%lu.%02lu\n", (unsigned long)(per_mhz_x100 / 100),
           (unsigned long)(per_mhz_x100 % 100));

    if (mismatches != 0) {
        printf("FAIL: %ld iterations computed a different CRC\n", mismatches);
        return 1;
    }
    if (first != EXPECTED_CRC) {
        printf("FAIL: expected crc 0x%04x\n", (unsigned)EXPECTED_CRC);
        return 1;
    }
    printf("PASS\n");
    return 0;
}
