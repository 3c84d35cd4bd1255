/*
 * flashwright's RAM flash loader for the STM32L4 flash controller and its relatives that
 * share it (L4+, G0, G4, WB, WL, C0, U0): double-word programming, double-buffered. RM0351
 * 3.3.7 "Flash main memory programming sequences", "Standard programming" (L4): check BSY
 * is clear, then with FLASH_CR.PG set write the first word of a double word at a
 * double-word aligned address and the second word, which starts programming; the error
 * flags of FLASH_SR (OPERR, PROGERR, WRPERR, PGAERR, SIZERR, PGSERR, MISERR, FASTERR; RM0351
 * 3.7.5) say it failed. RM0432 3.3.7 (L4+), RM0444 3.3.7 (G0), RM0440 3.3.7 (G4), RM0434
 * 3.3.8 (WB) and RM0453 3.3.8 (WL) run the same sequence, G0, WB and WL also waiting for
 * CFGBSY, so the host passes the status register's offset and its busy and error bits
 * (those of plugins/target-stm32/src/flash/l4.ts).
 *
 * The host unlocks the controller, clears the SR flags and sets FLASH_CR = PG, loads this
 * code anywhere in SRAM (position independent: no absolute address) and starts it with the
 * registers of the protocol that plugins/target-stm32/src/flash/ram-loader.ts documents:
 *
 *   r0  FLASH controller base
 *   r1  start of the ring of buffers in SRAM, r2 its end (whole units)
 *   r3  flash address of the first unit (double-word aligned)
 *   r4  number of units (double words) to program
 *   r5  control block: +0 write pointer (host), +4 read pointer (loader), +8 status (0, or
 *       FLASH_SR with the error that stopped the loader), +12 unit size (8), +16 offset of
 *       FLASH_SR, +20 its busy bits, +24 its error bits
 *
 * The ring walk, the confirmation of each unit, the end of the run and the error exit are
 * loaders/common/ring.inc's, which the F0/F1/F3, F2/F4/F7 and L4 loaders share: each unit's
 * data is loaded before the status poll, that poll's error flags are looked at after the
 * write, and the read pointer moves past the unit before when they are clear.
 *
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * Built for the G0's Cortex-M0+ (ARMv6-M), so the same code runs on the Cortex-M4 parts.
 */
#include "../common/ring.inc"
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func
loader:
    ldr r7, [r5, #16]
    adds r0, r0, r7         @ r0: FLASH_SR
    lsls r4, r4, #3
    adds r4, r4, r3
    ring_setup
    ldr r1, [r5, #24]       @ error bits
    ldr r7, [r5, #20]       @ busy bits
    ldr r6, [r5, #4]        @ read pointer: the next unit to program
    ring_batch
unit:
    ldr r4, [r6]
    ring_wait_idle
    str r4, [r3]
    ldr r4, [r6, #4]
    str r4, [r3, #4]        @ the second word starts programming
    ring_advance 8
    ring_end
