/* hello: prints one greeting line naming the board and core over semihosting
 * (SYS_WRITE to the ":tt" stdout handle) and exits 0.
 *
 * stdout: "Hello from <board> (<core> @ <MHz> MHz)\n", e.g.
 *         "Hello from stm32f407-disco (Cortex-M4F @ 168 MHz)"
 * exit:   0
 */
#include <stdio.h>
#include "board.h"

int main(void)
{
    printf("Hello from %s (%s @ %u MHz)\n", BOARD_NAME, CORE_NAME,
           (unsigned)(SYSTEM_CORE_CLOCK / 1000000u));
    return 0;
}
