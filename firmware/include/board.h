/* Board identity for the mcusim firmware tree.
 *
 * The Makefile passes exactly one -DBOARD_<NAME> per build; this header turns it
 * into BOARD_NAME (the mcusim board name), CORE_NAME and SYSTEM_CORE_CLOCK (Hz,
 * the CPU clock the simulator's board file uses).
 */
#ifndef MCUSIM_BOARD_H
#define MCUSIM_BOARD_H

#if defined(BOARD_STM32F407_DISCO)
#define BOARD_NAME "stm32f407-disco"
#define CORE_NAME "Cortex-M4F"
#define SYSTEM_CORE_CLOCK 168000000u
#elif defined(BOARD_NUCLEO_L432KC)
#define BOARD_NAME "nucleo-l432kc"
#define CORE_NAME "Cortex-M4F"
#define SYSTEM_CORE_CLOCK 80000000u
#elif defined(BOARD_NUCLEO_L4R5ZI)
#define BOARD_NAME "nucleo-l4r5zi"
#define CORE_NAME "Cortex-M4F"
#define SYSTEM_CORE_CLOCK 120000000u
#elif defined(BOARD_DISCO_F746NG)
#define BOARD_NAME "disco-f746ng"
#define CORE_NAME "Cortex-M7"
#define SYSTEM_CORE_CLOCK 216000000u
#elif defined(BOARD_NUCLEO_H743ZI)
#define BOARD_NAME "nucleo-h743zi"
#define CORE_NAME "Cortex-M7"
#define SYSTEM_CORE_CLOCK 480000000u
#else
#error "define one BOARD_<NAME> (see firmware/Makefile)"
#endif

/* Flash base: the vector table sits here on every supported board. */
#define FLASH_BASE_ADDR 0x08000000u

#endif
