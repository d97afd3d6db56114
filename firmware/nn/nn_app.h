/* nn_app.h: main() of the reference-network apps (apps/net_<network>/main.c include it after
 * the generated model.h).
 *
 * Runs nn_run() once (nn_input -> nn_output, one MCUSIM_LAYER marker per layer), prints the
 * output and its FNV-1a checksum, compares nn_output with nn_expected (the NumPy reference
 * embedded by the generator) and exits 0 if they are equal and every layer's output hashed to
 * the reference's hash (checked by nn_run() between layers, outside the markers), 1 otherwise.
 *
 * stdout: "<network> on <board>: <n> layers, <macs> MACs"
 *         "output: v0 v1 ..."
 *         "<network> checksum=0x<fnv1a32(output)>" then "PASS" (or "FAIL: ...")
 *         "stack high-water: <n> bytes" (measured by the firmware: include/stack_watermark.h)
 */
#ifndef NN_APP_H
#define NN_APP_H

#include <stdio.h>

#include "board.h"
#include "stack_watermark.h"

static uint32_t nn_fnv1a32(const int8_t *p, int n)
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
    printf("stack high-water: %lu bytes\n", (unsigned long)stack_watermark_bytes());
    return status;
}

/* Runs the network and checks its output against the reference: 0 if equal, 1 otherwise. */
static int nn_check(void)
{
    printf("%s on %s: %d layers, %lu MACs\n", NN_MODEL_NAME, BOARD_NAME, NN_LAYERS,
           (unsigned long)NN_TOTAL_MACS);
    nn_run();
    printf("output:");
    for (int i = 0; i < NN_OUTPUT_SIZE && i < 64; i++)
        printf(" %d", nn_output[i]);
    printf("\n");
    const uint32_t sum = nn_fnv1a32(nn_output, NN_OUTPUT_SIZE);
    printf("%s checksum=0x%08lx\n", NN_MODEL_NAME, (unsigned long)sum);
    int bad = 0;
    for (int i = 0; i < NN_OUTPUT_SIZE; i++)
        bad += nn_output[i] != nn_expected[i];
    if (nn_first_bad_layer >= 0)
        printf("FAIL: layer %d (%s) output differs from the reference\n", nn_first_bad_layer,
               nn_first_bad_layer_name);
    if (bad || sum != NN_EXPECTED_CHECKSUM || nn_first_bad_layer >= 0) {
        printf("FAIL: %d of %d outputs differ from the reference (expected checksum 0x%08lx)\n", bad,
               NN_OUTPUT_SIZE, (unsigned long)NN_EXPECTED_CHECKSUM);
        return 1;
    }
    printf("PASS\n");
    return 0;
}

#endif
