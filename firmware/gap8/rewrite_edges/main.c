/* rewrite_edges (GAP8): runs the cases of cases.S on the FC, then on cluster core 0, checks every
 * value against plain C and prints them; exit 0 iff all agree. The cycle counts it prints (and
 * the layers, profile and stdout of the run) are compared by tests/test_rewrite_firmware.py
 * between mcusim with and without its load-time rewrite of Xpulp instructions. */
#include "gap8.h"
#include "mcusim.h"

uint32_t re_loop_end(uint32_t n, uint32_t a, uint32_t b);
uint32_t re_nested(const uint32_t *x, const uint32_t *w, uint32_t outer, uint32_t inner, uint32_t *acc_out);
uint32_t re_same_end(uint32_t m, uint32_t n, uint32_t a, uint32_t b);
uint32_t re_middle(uint32_t skip);
uint32_t re_regs(const uint32_t *p, uint32_t *out);
uint32_t re_l2_timed(const uint8_t *p, uint32_t *out);
uint32_t re_mmio(volatile uint32_t *timer_count, uint32_t port, const char *name, char c);
void re_exit(int code) __attribute__((noreturn));

#define OUTER 3u
#define INNER 4u

static uint32_t x_words[OUTER * INNER] = {
    0x01020304, 0xFF7F8001, 0x80808080, 0x7F7F7F7F, 0x00FF00FF, 0x12345678,
    0xFEDCBA98, 0x0A0B0C0D, 0x7FFF8000, 0x80000001, 0x55AA55AA, 0x01010101};
static uint32_t w_words[INNER] = {0x02FE037D, 0x80817F7E, 0x01010101, 0xF0E0D0C0};
static uint8_t l2_bytes[16] = {0x11, 0x82, 0x93, 0xA4, 0xB5, 0xC6, 0xD7, 0xE8,
                               0xF9, 0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60};
static const char layer_fc[] = "mmio_fc", layer_cl[] = "mmio_cl";

static int failures;

static int32_t sdot_b(uint32_t a, uint32_t b)
{
    int32_t s = 0;
    for (int i = 0; i < 4; i++)
        s += (int32_t)(int8_t)(a >> (8 * i)) * (int32_t)(int8_t)(b >> (8 * i));
    return s;
}

static void expect(const char *core, const char *what, uint32_t got, uint32_t want)
{
    gap8_printf("%s %s=0x%08lx%s\n", core, what, got, got == want ? "" : " MISMATCH");
    if (got != want)
        failures++;
}

static uint32_t middle(uint32_t skip)
{
    uint32_t a3 = 1, a4 = 2, a5 = 3;
    if (!skip)
        a3 += a4 * a5;
    a4 += a3 * a5;
    a5 = (int32_t)a3 > (int32_t)a4 ? a3 : a4;
    a3 += (uint32_t)sdot_b(a4, a5);
    return (a3 << 20) ^ (a4 << 10) ^ a5;
}

static uint32_t load_le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void run_cases(const char *core, uint32_t timer, const char *layer, uint32_t *cycles)
{
    expect(core, "loop_end5", re_loop_end(5, 7, 0x10001), (5u * 7u * 0x10001u) ^ (5u << 16));
    expect(core, "loop_end1", re_loop_end(1, 0xFFFFFFFF, 3), 0xFFFFFFFDu ^ (1u << 16));

    uint32_t acc = 0, acc6 = 0, got_acc = 0;
    for (uint32_t o = 0; o < OUTER; o++) {
        for (uint32_t i = 0; i < INNER; i++)
            acc += (uint32_t)sdot_b(x_words[o * INNER + i], w_words[i]);
        acc6 += acc * OUTER;
    }
    expect(core, "nested", re_nested(x_words, w_words, OUTER, INNER, &got_acc), acc6);
    expect(core, "nested_acc", got_acc, acc);
    expect(core, "same_end", re_same_end(3, 5, 11, 13), 3u * 5u * 11u * 13u);
    expect(core, "middle0", re_middle(0), middle(0));
    expect(core, "middle1", re_middle(1), middle(1));

    uint32_t regs_out[2];
    re_regs(x_words, regs_out);
    expect(core, "rd_is_rs1", regs_out[0], x_words[0]);
    expect(core, "x0_base", regs_out[1], (uint32_t)(uintptr_t)&x_words[2]);

    uint32_t values[3];
    const uint8_t *p = &l2_bytes[3]; /* misaligned: the word and the half both span two words */
    cycles[0] = re_l2_timed(p, values);
    expect(core, "l2_word", values[0], load_le(p, 4));
    expect(core, "l2_half", values[1], (uint32_t)(int32_t)(int16_t)load_le(p + 4, 2));
    expect(core, "l2_byte", values[2], p[7]);

    gap8_timer_reset(timer);
    cycles[1] = re_mmio((volatile uint32_t *)(uintptr_t)(timer + GAP8_TIMER_CNT_LO), MCUSIM_PORT_BASE,
                        layer, core[0] == 'f' ? 'F' : 'C');
    gap8_printf("\n");
}

static uint32_t cl_cycles[2];

static int cluster_cases(void *arg)
{
    (void)arg;
    run_cases("cl0", GAP8_CL_TIMER, layer_cl, cl_cycles);
    return 0;
}

int main(void)
{
    uint32_t fc_cycles[2];
    run_cases("fc", GAP8_FC_TIMER, layer_fc, fc_cycles);
    gap8_cluster_start(1);
    (void)gap8_cluster_call(cluster_cases, 0);
    gap8_printf("l2_timed fc=%lu cl0=%lu\n", fc_cycles[0], cl_cycles[0]);
    gap8_printf("timer fc=%lu cl0=%lu\n", fc_cycles[1], cl_cycles[1]);
    gap8_printf("rewrite_edges: %s\n", failures ? "FAIL" : "PASS");
    re_exit(failures ? 1 : 0);
}
