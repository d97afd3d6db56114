/* fault: reads a word from an address no board maps (0x60000000, the FMC bank 1
 * window, left unpopulated on every mcusim board) through a volatile pointer inside
 * the non-inlined function read_sensor(). On silicon this is a precise BusFault
 * escalated to HardFault; HardFault_Handler is the startup Default_Handler "b ." loop.
 *
 * stdout: "fault: reading 0x60000000 from read_sensor\n" (printed before the fault)
 * expect: the simulator reports a fault (data read of unmapped 0x60000000, PC inside
 *         read_sensor); the firmware never exits by itself (manifest: expect = "fault")
 */
#include <stdint.h>
#include <stdio.h>

#define SENSOR_ADDR 0x60000000u

__attribute__((noinline)) uint32_t read_sensor(void)
{
    volatile uint32_t *reg = (volatile uint32_t *)SENSOR_ADDR;
    return *reg;
}

int main(void)
{
    printf("fault: reading 0x%08lx from read_sensor\n", (unsigned long)SENSOR_ADDR);
    fflush(stdout);
    uint32_t v = read_sensor();
    printf("fault: read returned 0x%08lx (a fault was expected)\n", (unsigned long)v);
    return 2;
}
