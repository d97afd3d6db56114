/* uart.c: UART0 over the uDMA, FC side (uart.h). */
#include "uart.h"

void gap8_uart_open(uint32_t clkdiv)
{
    GAP8_REG(GAP8_UDMA_CG) |= 1u << GAP8_UDMA_UART_ID; /* peripheral clock on */
    GAP8_REG(GAP8_UART_SETUP) = GAP8_UART_SETUP_CLKDIV(clkdiv) | GAP8_UART_SETUP_8BITS |
                                GAP8_UART_SETUP_TX_ENA | GAP8_UART_SETUP_RX_ENA;
    /* SoC events reach the FC unmasked after reset: keep only the UART's TX end */
    GAP8_REG(GAP8_SOC_EU_FC_MASK_MSB) = 0xFFFFFFFFu;
    GAP8_REG(GAP8_SOC_EU_FC_MASK_LSB) = ~(1u << GAP8_UART_TX_SOC_EVENT);
    GAP8_REG(GAP8_FC_EU_DEMUX + GAP8_EU_EVT_MASK) = 1u << GAP8_FC_EVT_SOC;
}

void gap8_uart_write_async(const void *l2, uint32_t size)
{
    __asm__ volatile("" ::: "memory"); /* the buffer's stores first */
    GAP8_REG(GAP8_UART_TX_SADDR) = (uint32_t)(uintptr_t)l2;
    GAP8_REG(GAP8_UART_TX_SIZE) = size;
    GAP8_REG(GAP8_UART_TX_CFG) = GAP8_UDMA_CFG_EN; /* 8-bit data size */
}

void gap8_uart_wait(void)
{
    GAP8_REG(GAP8_FC_EU_DEMUX + GAP8_EU_EVT_MASK) = 1u << GAP8_FC_EVT_SOC;
    /* EN reads 1 until the last queued transfer ends; each end raises the SoC-event line, which
     * stays set in the event buffer if it comes before the p.elw */
    while (GAP8_REG(GAP8_UART_TX_CFG) & GAP8_UDMA_CFG_EN) {
        (void)gap8_elw(GAP8_FC_EU_DEMUX + GAP8_EU_EVENT_WAIT_CLEAR);
        while (GAP8_REG(GAP8_FC_EU_SOC_FIFO) >> 31) /* empty the FIFO: the ids are not needed */
            ;
    }
}

void gap8_uart_write(const void *l2, uint32_t size)
{
    gap8_uart_write_async(l2, size);
    gap8_uart_wait();
}

void gap8_uart_puts(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    gap8_uart_write(s, n);
}
