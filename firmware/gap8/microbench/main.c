/* microbench (GAP8): RI5CY cycle microbenchmarks on the FC and cluster core 0.
 *
 * Runs every case of cases.S (hand-written RV32IM + Xpulpv2 sequences, all 32-bit
 * instructions), each timed with mcycle, on the core its table row names: the FC runs its rows
 * first (from main), then cluster core 0 runs its rows (started with gap8_cluster_start(1),
 * reached with gap8_cluster_call). Afterwards the FC prints one line per case, in table order:
 *     case <name> cycles=<measured>
 * `empty` (cluster core 0) and `empty_fc` (FC), the two mcycle reads back to back, are printed
 * raw; every other case prints raw - raw(empty of its core), i.e. the cycles of its own
 * sequence. The firmware does not judge: the expected counts, derived by hand from
 * docs/gap8.md §5 (and §6 / boards/gap8.toml for L2), are in gap8/microbench/expected.toml and
 * tests/test_microbench_ri5cy.py compares. Exit 0 once everything is printed (1 only if the
 * case table is malformed).
 *
 * Data: each case gets a0 = 16 words of core-local data (cluster L1 on core 0, FC TCDM on the
 * FC) and a1 = 16 words in L2 (.data). The post-increment cases advance a0 by up to 16 bytes,
 * the stores use words 8..11: every access stays inside the 16 words.
 */
#include "gap8.h"

#define MAX_CASES 64u
#define DATA_WORDS 16u

struct mb_case {
    uint32_t (*fn)(uint32_t *local, uint32_t *l2);
    const char *name;
    uint32_t on_fc; /* 1: the FC runs it; 0: cluster core 0 */
};

extern const struct mb_case mb_cases[];
extern const uint32_t mb_case_count;

static uint32_t GAP8_L1 cl_data[DATA_WORDS];
static uint32_t GAP8_FC_TCDM fc_data[DATA_WORDS];
uint32_t mb_l2_data[DATA_WORDS] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static uint32_t raw[MAX_CASES]; /* L2: written by both cores, read by the FC */

static void run_cases(uint32_t on_fc, uint32_t *local)
{
    for (uint32_t i = 0; i < DATA_WORDS; i++)
        local[i] = i + 1;
    for (uint32_t i = 0; i < mb_case_count; i++)
        if (mb_cases[i].on_fc == on_fc)
            raw[i] = mb_cases[i].fn(local, mb_l2_data);
}

static int cluster_cases(void *arg)
{
    (void)arg;
    run_cases(0, cl_data);
    return 0;
}

static uint32_t index_of(const char *name)
{
    for (uint32_t i = 0; i < mb_case_count; i++) {
        const char *a = mb_cases[i].name, *b = name;
        while (*a && *a == *b)
            a++, b++;
        if (*a == *b)
            return i;
    }
    return MAX_CASES;
}

int main(void)
{
    uint32_t n = mb_case_count;
    uint32_t empty_cl = index_of("empty"), empty_fc = index_of("empty_fc");
    if (n == 0 || n > MAX_CASES || empty_cl != 0 || empty_fc >= n || !mb_cases[empty_fc].on_fc) {
        gap8_printf("microbench: bad case table (%lu cases)\n", n);
        return 1;
    }

    run_cases(1, fc_data);
    gap8_cluster_start(1);
    (void)gap8_cluster_call(cluster_cases, 0);

    gap8_printf("microbench: gap8 (RI5CY, FC and cluster core 0), %lu cases\n", n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t base = raw[mb_cases[i].on_fc ? empty_fc : empty_cl];
        int32_t cycles = (i == empty_cl || i == empty_fc) ? (int32_t)raw[i] : (int32_t)(raw[i] - base);
        gap8_printf("case %s cycles=%ld\n", mb_cases[i].name, cycles);
    }
    return 0;
}
