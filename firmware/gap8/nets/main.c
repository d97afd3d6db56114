/* net_<network> on GAP8: the reference network of firmware/models/<network>.py, computed from the
 * same generated model.c as the Cortex-M builds (weights, input, expected output, layer hashes),
 * with the conv layers on the 8-core cluster (nn_cluster.c) and the small tail layers (average
 * pool, fully connected, softmax: nn/nn_pool.c, nn_fc.c, nn_elementwise.c, portable C) on the
 * fabric controller. Every layer is marked by nn_run() on the FC, around the cluster call.
 *
 * stdout, as nn/nn_app.h: "<network> on gap8: <n> layers, <macs> MACs, 8 cluster cores",
 * "output: v0 v1 ...", "<network> checksum=0x<fnv1a32(output)>", then "PASS" (or "FAIL: ...").
 * Exit 0 iff nn_output equals nn_expected, its checksum is the reference's and every layer's
 * output hashed to the reference's hash. Last line: "stack high-water: <n> bytes", the FC stack
 * as the firmware measures it (include/stack_watermark.h). */
#include "gap8.h"
#include "model.h"

#define STACK_WATERMARK_BOTTOM __fc_stack_bottom
#define STACK_WATERMARK_TOP __fc_stack_top
#include "stack_watermark.h"

static uint32_t fnv1a32(const int8_t *p, int n)
{
    uint32_t h = 0x811C9DC5u;
    for (int i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 0x01000193u;
    return h;
}

static int nn_check(void);

int main(void)
{
    stack_watermark_paint();
    const int status = nn_check();
    gap8_printf("stack high-water: %lu bytes\n", (unsigned long)stack_watermark_bytes());
    return status;
}

/* Runs the network and checks its output against the reference: 0 if equal, 1 otherwise. */
static int nn_check(void)
{
    gap8_printf("%s on gap8: %d layers, %lu MACs, 8 cluster cores\n", NN_MODEL_NAME, NN_LAYERS,
                (unsigned long)NN_TOTAL_MACS);
    gap8_cluster_start(8);
    nn_run();
    gap8_printf("output:");
    for (int i = 0; i < NN_OUTPUT_SIZE && i < 64; i++)
        gap8_printf(" %d", nn_output[i]);
    gap8_printf("\n");
    const uint32_t sum = fnv1a32(nn_output, NN_OUTPUT_SIZE);
    gap8_printf("%s checksum=0x%08lx\n", NN_MODEL_NAME, (unsigned long)sum);
    int bad = 0;
    for (int i = 0; i < NN_OUTPUT_SIZE; i++)
        bad += nn_output[i] != nn_expected[i];
    if (nn_first_bad_layer >= 0)
        gap8_printf("FAIL: layer %d (%s) output differs from the reference\n", nn_first_bad_layer,
                    nn_first_bad_layer_name);
    if (bad || sum != NN_EXPECTED_CHECKSUM || nn_first_bad_layer >= 0) {
        gap8_printf("FAIL: %d of %d outputs differ from the reference (expected checksum 0x%08lx)\n",
                    bad, NN_OUTPUT_SIZE, (unsigned long)NN_EXPECTED_CHECKSUM);
        return 1;
    }
    gap8_printf("PASS\n");
    return 0;
}
