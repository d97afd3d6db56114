/* rt.c: mcusim's minimal GAP8 runtime. Register sequences are listed in firmware/README.md,
 * "GAP8 runtime"; addresses are in gap8.h. Compiled -ffreestanding, no libc.
 */
#include <stdarg.h>

#include "gap8.h"

extern char __vectors[];

/* ---- output and exit --------------------------------------------------------------------- */

void gap8_putc(char c) { GAP8_REG(GAP8_STDOUT_PUTC) = (uint32_t)(uint8_t)c; }

void gap8_puts(const char *s)
{
    while (*s)
        gap8_putc(*s++);
}

void gap8_exit(int code)
{
    GAP8_REG(GAP8_APB_CORESTATUS) = ((uint32_t)code & 0x7FFFFFFFu) | 0x80000000u;
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/* printf-lite: %d %i %u %x %X %p %s %c %%, flags '0' and '-', a field width; 'l'/'h'/'z' are
 * accepted and ignored (int = long = 32 bits). The line is formatted into a buffer and written
 * character by character to the stdout register. */
struct fmt_out {
    char *buf;
    unsigned len, cap;
};

static void out_c(struct fmt_out *o, char c)
{
    if (o->len < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void out_field(struct fmt_out *o, const char *s, unsigned n, unsigned width, int left, char pad)
{
    unsigned i;
    if (!left && pad == '0' && n && (*s == '-')) { /* zero padding goes after the sign */
        out_c(o, *s++);
        n--;
        if (width)
            width--;
    }
    if (!left)
        for (i = n; i < width; i++)
            out_c(o, pad);
    for (i = 0; i < n; i++)
        out_c(o, s[i]);
    if (left)
        for (i = n; i < width; i++)
            out_c(o, ' ');
}

static unsigned utoa_rev(char *tmp, uint32_t v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    return n;
}

static void vformat(struct fmt_out *o, const char *fmt, va_list ap)
{
    char tmp[12], num[12];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_c(o, *fmt);
            continue;
        }
        fmt++;
        int left = 0;
        char pad = ' ';
        unsigned width = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z')
            fmt++;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int32_t v = va_arg(ap, int32_t);
            uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            unsigned n = utoa_rev(tmp, u, 10, 0), k = 0;
            if (v < 0)
                num[k++] = '-';
            while (n)
                num[k++] = tmp[--n];
            out_field(o, num, k, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            uint32_t u = *fmt == 'p' ? (uint32_t)(uintptr_t)va_arg(ap, void *) : va_arg(ap, uint32_t);
            unsigned n = utoa_rev(tmp, u, *fmt == 'u' ? 10 : 16, *fmt == 'X'), k = 0;
            if (*fmt == 'p') {
                num[k++] = '0';
                num[k++] = 'x';
            }
            while (n)
                num[k++] = tmp[--n];
            out_field(o, num, k, width, left, pad);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            unsigned n = 0;
            if (!s)
                s = "(null)";
            while (s[n])
                n++;
            out_field(o, s, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_field(o, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            out_c(o, '%');
            break;
        case '\0':
            return;
        default: /* unknown conversion: print it verbatim */
            out_c(o, '%');
            out_c(o, *fmt);
            break;
        }
    }
}

int gap8_printf(const char *fmt, ...)
{
    char buf[160];
    struct fmt_out o = {buf, 0, sizeof buf};
    va_list ap;
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    unsigned n = o.len < o.cap ? o.len : o.cap;
    for (unsigned i = 0; i < n; i++)
        gap8_putc(buf[i]);
    return (int)o.len;
}

/* ---- traps: every vector but reset lands here (crt0.S) ------------------------------------ */

void __gap8_trap(void) __attribute__((used, noreturn));
void __gap8_trap(void)
{
    uint32_t cause, epc;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    __asm__ volatile("csrr %0, mepc" : "=r"(epc));
    gap8_printf("gap8: trap on hart 0x%lx mcause=0x%lx mepc=0x%lx\n", gap8_hartid(), cause, epc);
    gap8_exit(127);
}

/* ---- FC <-> cluster ---------------------------------------------------------------------- */

/* FC -> core 0 mailbox, in L2 (the FC writes it, core 0 reads it) */
static struct {
    int (*volatile fn)(void *);
    void *volatile arg;
    volatile int ret;
    volatile uint32_t done;
} cl_call;

/* core 0 -> team mailbox, in L1 */
struct team_mailbox {
    void (*volatile fn)(void *);
    void *volatile arg;
    volatile int nb;
    volatile uint32_t epoch;
};
static struct team_mailbox GAP8_L1 team;

void gap8_cluster_start(int nb_cores)
{
    for (int i = 0; i < GAP8_NB_CL_CORES; i++)
        GAP8_REG(GAP8_CL_BOOTADDR(i)) = (uint32_t)(uintptr_t)__vectors;
    GAP8_REG(GAP8_CL_ICACHE_EN) = 0xFFFFFFFFu;
    GAP8_REG(GAP8_CL_FETCH_EN) = (1u << nb_cores) - 1u;
}

int gap8_cluster_call(int (*fn)(void *), void *arg)
{
    cl_call.arg = arg;
    cl_call.done = 0;
    cl_call.fn = fn;
    /* wake cluster core 0: SW event 1, target mask = core 0 */
    GAP8_REG(GAP8_CL_EU_SW_TRIG(GAP8_EVT_FC_CALL)) = 1u << 0;
#ifdef GAP8_FC_POLL
    while (!cl_call.done)
        ;
#else
    /* sleep on the FC event unit until core 0 raises FC SW event 2; the flag makes a stale or
     * early event harmless */
    GAP8_REG(GAP8_FC_EU_DEMUX + GAP8_EU_EVT_MASK) = 1u << GAP8_EVT_CL_DONE;
    while (!cl_call.done)
        (void)gap8_elw(GAP8_FC_EU_DEMUX + GAP8_EU_EVENT_WAIT_CLEAR);
#endif
    return cl_call.ret;
}

static void cluster_master(void)
{
    for (;;) {
        int (*fn)(void *) = cl_call.fn;
        if (!fn) {
            gap8_cl_wait_event(GAP8_EVT_FC_CALL);
            continue;
        }
        cl_call.fn = 0;
        cl_call.ret = fn(cl_call.arg);
        cl_call.done = 1;
        GAP8_REG(GAP8_FC_EU_SW_TRIG(GAP8_EVT_CL_DONE)) = 1u << 0; /* FC is core 0 of its EU */
    }
}

static void cluster_slave(int core)
{
    uint32_t seen = 0;
    for (;;) {
        while (team.epoch == seen)
            gap8_cl_wait_event(GAP8_EVT_FORK);
        seen = team.epoch;
        if (core < team.nb) {
            team.fn(team.arg);
            gap8_team_barrier();
        }
    }
}

void __gap8_cluster_main(int core) __attribute__((used, noreturn));
void __gap8_cluster_main(int core)
{
    if (core == 0)
        cluster_master();
    cluster_slave(core);
    for (;;)
        ;
}

void gap8_team_barrier(void)
{
    GAP8_REG(GAP8_CL_EU_DEMUX + GAP8_EU_EVT_MASK) = 1u << GAP8_EVT_BARRIER;
    (void)gap8_elw(GAP8_CL_EU_DEMUX + GAP8_EU_BARRIER(0) + GAP8_EU_BAR_TRIG_WAIT_CLR);
}

int gap8_team_size(void) { return team.nb; }

void gap8_team_fork(int nb_cores, void (*fn)(void *), void *arg)
{
    uint32_t mask = (1u << nb_cores) - 1u;
    GAP8_REG(GAP8_CL_EU_DEMUX + GAP8_EU_BARRIER(0) + GAP8_EU_BAR_TRIGGER_MASK) = mask;
    GAP8_REG(GAP8_CL_EU_DEMUX + GAP8_EU_BARRIER(0) + GAP8_EU_BAR_TARGET_MASK) = mask;
    team.fn = fn;
    team.arg = arg;
    team.nb = nb_cores;
    team.epoch = team.epoch + 1;
    if (mask & ~1u)
        GAP8_REG(GAP8_CL_EU_DEMUX + GAP8_EU_SW_TRIG(GAP8_EVT_FORK)) = mask & ~1u;
    fn(arg);
    gap8_team_barrier();
}

/* ---- cluster DMA (mchan v6) -------------------------------------------------------------- */

static int dma_push(uint32_t cmd, const void *l1, const void *l2, int is_2d, uint32_t strides)
{
    int tid = (int)GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_QUEUE); /* allocate a counter */
    __asm__ volatile("" ::: "memory");                        /* earlier stores first */
    GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_QUEUE) = cmd;
    GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_QUEUE) = (uint32_t)(uintptr_t)l1;
    GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_QUEUE) = (uint32_t)(uintptr_t)l2;
    if (is_2d)
        GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_QUEUE) = strides;
    return tid;
}

#define DMA_CMD(size, ext2loc, is_2d)                                                              \
    (((uint32_t)(size) & 0xFFFFu) | ((ext2loc) ? GAP8_DMA_EXT2LOC : 0u) | GAP8_DMA_INCR |        \
     ((is_2d) ? GAP8_DMA_2D : 0u) | GAP8_DMA_ELE)
#define DMA_STRIDES(stride, len) ((((uint32_t)(stride) & 0x7FFFu) << 16) | ((uint32_t)(len) & 0x7FFFu))

int gap8_dma_l2_to_l1(void *l1, const void *l2, uint32_t size)
{
    return dma_push(DMA_CMD(size, 1, 0), l1, l2, 0, 0);
}

int gap8_dma_l1_to_l2(void *l2, const void *l1, uint32_t size)
{
    return dma_push(DMA_CMD(size, 0, 0), l1, l2, 0, 0);
}

int gap8_dma_l2_to_l1_2d(void *l1, const void *l2, uint32_t size, uint32_t stride, uint32_t len)
{
    return dma_push(DMA_CMD(size, 1, 1), l1, l2, 1, DMA_STRIDES(stride, len));
}

int gap8_dma_l1_to_l2_2d(void *l2, const void *l1, uint32_t size, uint32_t stride, uint32_t len)
{
    return dma_push(DMA_CMD(size, 0, 1), l1, l2, 1, DMA_STRIDES(stride, len));
}

void gap8_dma_wait(int tid)
{
    while (GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_STATUS) & (1u << tid))
        gap8_cl_wait_event(GAP8_EVT_DMA0);
    GAP8_REG(GAP8_DMA_DEMUX + GAP8_DMA_STATUS) = 1u << tid; /* free the counter */
}

/* ---- uDMA HyperBus: L3 -> L2 ------------------------------------------------------------- */

void gap8_udma_l3_to_l2(void *l2, const void *l3, uint32_t size)
{
    GAP8_REG(GAP8_UDMA_CG) |= 1u << GAP8_UDMA_HYPER_ID; /* peripheral clock on */
    GAP8_REG(GAP8_HYPER_EXT_ADDR) = (uint32_t)(uintptr_t)l3 - GAP8_L3_BASE;
    GAP8_REG(GAP8_HYPER_RX_SADDR) = (uint32_t)(uintptr_t)l2;
    GAP8_REG(GAP8_HYPER_RX_SIZE) = size;
    GAP8_REG(GAP8_HYPER_RX_CFG) = GAP8_UDMA_CFG_EN | GAP8_UDMA_CFG_SIZE_32;
    while (GAP8_REG(GAP8_HYPER_RX_CFG) & GAP8_UDMA_CFG_EN) /* EN reads 1 until the transfer ends */
        ;
}

/* ---- freestanding helpers ---------------------------------------------------------------- */

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

uint32_t gap8_fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ *b++) * 16777619u;
    return h;
}
