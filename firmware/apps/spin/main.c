/* spin: prints one line, then loops forever incrementing a volatile counter.
 * Used for the simulator's cycle/time-limit test: it never exits by itself.
 *
 * stdout: "spin: looping forever on <board>\n"
 * expect: the run is stopped by the cycle limit (manifest: expect = "cycle-limit")
 */
#include <stdio.h>
#include "board.h"

volatile unsigned long spin_counter;

int main(void)
{
    printf("spin: looping forever on %s\n", BOARD_NAME);
    fflush(stdout);
    for (;;)
        spin_counter++;
}
