/* perfcount (GAP8): the RI5CY performance counters (PCER/PCMR/PCCR, pcer_v1 events) around the
 * hand-written sequences of cases.S, on the FC and on cluster core 0. Prints, per case,
 *     case <name> cycles=<n> instr=<n> ld_stall=<n> ... tcdm_cont=<n>
 * (all 16 counters, pcer_v1 order); the expected counts are in expected.toml and
 * tests/test_perfcount_ri5cy.py compares. Exit 0 once everything is printed. */
#include "gap8.h"

#define EVENTS 16u
#define MAX_CASES 16u

struct pc_case {
    void (*fn)(uint32_t *out, uint32_t *local, uint32_t *l2);
    const char *name;
    uint32_t on_fc;
};

extern const struct pc_case pc_cases[];
extern const uint32_t pc_case_count;

static const char *const event_names[EVENTS] = {
    "cycles", "instr", "ld_stall", "jr_stall", "imiss", "ld", "st", "jump",
    "branch", "btaken", "rvc", "ld_ext", "st_ext", "ld_ext_cyc", "st_ext_cyc", "tcdm_cont"};

static uint32_t GAP8_L1 cl_data[8];
static uint32_t GAP8_FC_TCDM fc_data[8];
static uint32_t l2_data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint32_t counters[MAX_CASES][EVENTS]; /* L2: written by both cores, read by the FC */

static void run_cases(uint32_t on_fc, uint32_t *local)
{
    for (uint32_t i = 0; i < pc_case_count && i < MAX_CASES; i++)
        if (pc_cases[i].on_fc == on_fc)
            pc_cases[i].fn(counters[i], local, l2_data);
}

static int cluster_cases(void *arg)
{
    (void)arg;
    run_cases(0, cl_data);
    return 0;
}

int main(void)
{
    run_cases(1, fc_data);
    gap8_cluster_start(1);
    (void)gap8_cluster_call(cluster_cases, 0);
    gap8_printf("perfcount: gap8 (RI5CY, FC and cluster core 0), %lu cases\n", pc_case_count);
    for (uint32_t i = 0; i < pc_case_count && i < MAX_CASES; i++) {
        gap8_printf("case %s", pc_cases[i].name);
        for (uint32_t k = 0; k < EVENTS; k++)
            gap8_printf(" %s=%lu", event_names[k], counters[i][k]);
        gap8_printf("\n");
    }
    return 0;
}
