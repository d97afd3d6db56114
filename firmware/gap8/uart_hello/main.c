/* uart_hello (GAP8): firmware output through UART0 behind the uDMA, on the FC alone.
 *
 * The UART is opened without a divisor, so it runs at mcusim's board rate (boards/gap8.toml
 * [soc] uart_baud, 115200). Every "uart:" line below is a TX transfer from L2 during which the
 * FC sleeps on the SoC event; the "uart_hello:" lines are the FC's measurements, printed on the
 * virtual stdout (gap8_printf). Both reach stdout in program order:
 *
 *   uart: Hello from GAP8 over the UART!       37 B, timed (it also warms the instruction cache)
 *   uart: 16 B.....  /  uart: 160 B.....        timed: FC timer cycles from before the CFG write
 *   uart_hello: tx <n> B cycles=<c>             to after the wake-up, for 37, 16 and 160 B
 *   uart: queued A... / uart: queued B...       two 32 B transfers queued back to back
 *   uart_hello: queued cfg=0x30 status=0x1 done cfg=0x0 status=0x0   (EN|PENDING, TX busy; idle)
 *   uart_hello: rx started rx_cfg=0x10 status=0x2   RX into L2: nothing is connected, it never ends
 *   uart: 2 Mbaud... (20 B, then 100 B)          CLKDIV 124: 250 MHz / 125 = 2 Mbaud, both timed
 *   uart_hello: tx <n> B at clkdiv 124 cycles=<c>
 *   uart: bye                                   gap8_uart_puts
 *   uart_hello: PASS
 * The timed writes run the same instructions around each wait, so two of them differ by exactly
 * the line time of the extra bytes (bytes * 10 bits / baud at 250 MHz).
 * exit 0 iff the registers read as above and the RX channel is still busy at the end.
 */
#include "gap8.h"
#include "uart.h"

#define CLKDIV_2MBAUD 124 /* SoC clock 250 MHz / (124 + 1) */

static char line_16[16], line_160[160], line_a[32], line_b[32], line_20[20], line_100[100]; /* L2 (.bss) */
static char rx_buf[8];
static const char hello[] = "uart: Hello from GAP8 over the UART!\n"; /* .rodata: in L2 */

/* `n` bytes: the tag, dots, a newline */
static void make_line(char *buf, unsigned n, const char *tag)
{
    unsigned i = 0;
    for (; tag[i] && i < n - 1; i++)
        buf[i] = tag[i];
    for (; i < n - 1; i++)
        buf[i] = '.';
    buf[n - 1] = '\n';
}

/* FC cycles from just before the transfer is queued to just after the FC wakes on its end: the
 * same few instructions around every wait, so the difference of two such times is line time */
static uint32_t timed_write(const void *buf, uint32_t size)
{
    uint32_t t0 = gap8_timer_read(GAP8_FC_TIMER);
    gap8_uart_write_async(buf, size);
    (void)gap8_elw(GAP8_FC_EU_DEMUX + GAP8_EU_EVENT_WAIT_CLEAR); /* the mask holds the SoC line */
    uint32_t t1 = gap8_timer_read(GAP8_FC_TIMER);
    (void)GAP8_REG(GAP8_FC_EU_SOC_FIFO); /* pop the UART's event */
    return t1 - t0;
}

int main(void)
{
    int ok = 1;
    gap8_timer_reset(GAP8_FC_TIMER);
    gap8_uart_open(0);
    make_line(line_16, sizeof line_16, "uart: 16 B");
    make_line(line_160, sizeof line_160, "uart: 160 B");
    /* the greeting also warms the FC's instruction cache for the two timed writes after it */
    uint32_t c_hello = timed_write(hello, sizeof hello - 1);
    uint32_t c16 = timed_write(line_16, sizeof line_16);
    uint32_t c160 = timed_write(line_160, sizeof line_160);
    gap8_printf("uart_hello: tx %d B cycles=%lu\n", (int)sizeof hello - 1, c_hello);
    gap8_printf("uart_hello: tx 16 B cycles=%lu\n", c16);
    gap8_printf("uart_hello: tx 160 B cycles=%lu\n", c160);

    make_line(line_a, sizeof line_a, "uart: queued A");
    make_line(line_b, sizeof line_b, "uart: queued B");
    gap8_uart_write_async(line_a, sizeof line_a);
    gap8_uart_write_async(line_b, sizeof line_b);
    uint32_t cfg = GAP8_REG(GAP8_UART_TX_CFG), status = GAP8_REG(GAP8_UART_STATUS);
    gap8_uart_wait();
    uint32_t cfg_done = GAP8_REG(GAP8_UART_TX_CFG), status_done = GAP8_REG(GAP8_UART_STATUS);
    gap8_printf("uart_hello: queued cfg=0x%lx status=0x%lx done cfg=0x%lx status=0x%lx\n", cfg, status,
                cfg_done, status_done);
    ok &= cfg == (GAP8_UDMA_CFG_EN | GAP8_UDMA_CFG_PENDING) && status == 1u && cfg_done == 0u &&
          status_done == 0u;

    GAP8_REG(GAP8_UART_RX_SADDR) = (uint32_t)(uintptr_t)rx_buf;
    GAP8_REG(GAP8_UART_RX_SIZE) = sizeof rx_buf;
    GAP8_REG(GAP8_UART_RX_CFG) = GAP8_UDMA_CFG_EN;
    uint32_t rx_cfg = GAP8_REG(GAP8_UART_RX_CFG);
    status = GAP8_REG(GAP8_UART_STATUS);
    gap8_printf("uart_hello: rx started rx_cfg=0x%lx status=0x%lx\n", rx_cfg, status);
    ok &= rx_cfg == GAP8_UDMA_CFG_EN && status == 2u;

    gap8_uart_open(CLKDIV_2MBAUD);
    make_line(line_20, sizeof line_20, "uart: 2 Mbaud");
    make_line(line_100, sizeof line_100, "uart: 2 Mbaud");
    uint32_t c20 = timed_write(line_20, sizeof line_20);
    uint32_t c100 = timed_write(line_100, sizeof line_100);
    gap8_printf("uart_hello: tx 20 B at clkdiv %d cycles=%lu\n", CLKDIV_2MBAUD, c20);
    gap8_printf("uart_hello: tx 100 B at clkdiv %d cycles=%lu\n", CLKDIV_2MBAUD, c100);
    ok &= GAP8_REG(GAP8_UART_STATUS) == 2u; /* TX idle, RX still waiting for input */

    gap8_uart_puts("uart: bye\n");
    gap8_printf("uart_hello: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
