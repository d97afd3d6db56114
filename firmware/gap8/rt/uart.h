/* uart.h: UART0 behind the uDMA (../shared/docs/gap8.md §3.5), used from the FC. Link
 * gap8/rt/uart.c (gap8.mk: GAP8_RT_UART_OBJS); apps that print with gap8_printf only do not.
 *
 * The TX channel sends SIZE bytes straight from L2 (the uDMA reaches L2 only: not the FC stack
 * in FC TCDM, not L1). A completed transfer raises SoC event 2 * 4 + 1 = 9 (udma_v2.h numbering);
 * the SoC event generator forwards it to the FC event unit's SoC-event line and FIFO, and
 * gap8_uart_wait sleeps on that line (p.elw) instead of polling.
 */
#ifndef GAP8_UART_H
#define GAP8_UART_H

#include "gap8.h"

#define GAP8_UDMA_UART_ID      4u
#define GAP8_UART_RX_SADDR     0x1A102200u
#define GAP8_UART_RX_SIZE      0x1A102204u
#define GAP8_UART_RX_CFG       0x1A102208u
#define GAP8_UART_TX_SADDR     0x1A102210u
#define GAP8_UART_TX_SIZE      0x1A102214u
#define GAP8_UART_TX_CFG       0x1A102218u
#define GAP8_UART_STATUS       0x1A102220u /* bit 0 TX busy, bit 1 RX busy */
#define GAP8_UART_SETUP        0x1A102224u
#define GAP8_UART_SETUP_8BITS  (3u << 1)   /* data bits - 5; parity off, 1 stop bit: 8N1 */
#define GAP8_UART_SETUP_TX_ENA (1u << 8)
#define GAP8_UART_SETUP_RX_ENA (1u << 9)
#define GAP8_UART_SETUP_CLKDIV(d) ((uint32_t)(d) << 16) /* baud = SoC clock / (d + 1) */
#define GAP8_UDMA_CFG_PENDING  (1u << 5)   /* reads 1 while a second transfer waits */

#define GAP8_UART_TX_SOC_EVENT (2u * GAP8_UDMA_UART_ID + 1u)
#define GAP8_SOC_EU_FC_MASK_MSB 0x1A106004u /* bit set: that SoC event (32..63) is not forwarded */
#define GAP8_SOC_EU_FC_MASK_LSB 0x1A106008u /* events 0..31 */
#define GAP8_FC_EU_SOC_FIFO    (GAP8_FC_EU_GLOBAL + 0x700u) /* pop: bit 31 valid | event id */
#define GAP8_FC_EVT_SOC        27           /* FC event line of SoC events (properties.h) */

/* Clock the UART, 8N1, TX and RX enabled, divisor `clkdiv` (0: mcusim's board rate, uart_baud;
 * silicon needs a divisor). Only the UART's TX event is forwarded to the FC from then on, and
 * the FC's event mask holds the SoC-event line alone. */
void gap8_uart_open(uint32_t clkdiv);
/* Queue a TX transfer of `size` bytes at `l2` (at most two in flight: the running one and one
 * pending); the buffer must stay unchanged until the transfer is done. */
void gap8_uart_write_async(const void *l2, uint32_t size);
/* Sleep until every queued TX transfer is done. */
void gap8_uart_wait(void);
/* gap8_uart_write_async + gap8_uart_wait. */
void gap8_uart_write(const void *l2, uint32_t size);
/* A NUL-terminated string in L2 (e.g. a literal: .rodata is in L2), blocking. */
void gap8_uart_puts(const char *s);

#endif
