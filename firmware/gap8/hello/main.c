/* hello (GAP8): the FC greets, starts the 8 cluster cores and hands core 0 a task that forks
 * the whole team; the cores then print in turn, core 0 first, one line each, serialised by the
 * team's HW barrier (8 barrier rounds). Each core also counts itself in in L1 in its turn.
 *
 * stdout:
 *   Hello from GAP8 FC (hartid 0x400)
 *   cluster core <i> of 8 (hartid 0x<i>)        for i = 0..7
 *   hello-gap8: 8 cores ran, PASS
 * exit 0 iff the 8 cores each ran once with the right hart id.
 */
#include "gap8.h"

#define NB_CORES 8

static volatile uint32_t GAP8_L1 seen_mask;
static volatile int GAP8_L1 count;

static void hello_core(void *arg)
{
    (void)arg;
    int me = gap8_core_id();
    for (int turn = 0; turn < gap8_team_size(); turn++) {
        if (turn == me) {
            gap8_printf("cluster core %d of %d (hartid 0x%lx)\n", me, gap8_team_size(), gap8_hartid());
            if (gap8_hartid() == (uint32_t)me) /* cluster 0, core me */
                seen_mask |= 1u << me;
            count = count + 1;
        }
        gap8_team_barrier();
    }
}

static int hello_cluster(void *arg)
{
    (void)arg;
    gap8_team_fork(NB_CORES, hello_core, 0);
    return count;
}

int main(void)
{
    gap8_printf("Hello from GAP8 FC (hartid 0x%lx)\n", gap8_hartid());
    gap8_cluster_start(NB_CORES);
    int n = gap8_cluster_call(hello_cluster, 0);
    int ok = n == NB_CORES && seen_mask == (1u << NB_CORES) - 1u && gap8_hartid() == 0x400;
    gap8_printf("hello-gap8: %d cores ran, %s\n", n, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
