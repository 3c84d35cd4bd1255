/*
 * flashwright's RAM flash loader for the STM32F2/F4/F7 flash controller: programming with
 * the parallelism FLASH_CR.PSIZE selects, double-buffered. "Erase and program operations",
 * "Programming" in RM0090 (F405/F407/F42x/F43x), RM0383 (F411), RM0033 (F2) and RM0385
 * (F74x/F75x):
 * check BSY (FLASH_SR bit 16) is clear, then with FLASH_CR.PG set a write of the PSIZE width
 * to the flash starts its programming; the error flags OPERR (bit 1, SOP on F2/F4), WRPERR
 * (4), PGAERR (5), PGPERR (6: the access width is not PSIZE) and PGSERR (7, ERSERR on F7)
 * say it failed (RM0090 "Programming errors" and "Flash status register (FLASH_SR)").
 *
 * The host unlocks the controller, clears the SR flags and sets FLASH_CR = PG | PSIZE (the
 * PSIZE its own path uses for the target voltage), loads this code anywhere in SRAM
 * (position independent: no absolute address) and starts it with the registers of the
 * protocol that plugins/target-stm32/src/flash/ram-loader.ts documents:
 *
 *   r0  FLASH controller base (FLASH_SR at +0x0C)
 *   r1  start of the ring of buffers in SRAM, r2 its end (whole units)
 *   r3  flash address of the first unit (unit aligned)
 *   r4  number of units to program
 *   r5  control block: +0 write pointer (host), +4 read pointer (loader), +8 status (0, or
 *       FLASH_SR with the error that stopped the loader), +12 unit size in bytes: the
 *       parallelism, 1 (x8), 2 (x16) or 4 (x32); one access of that width per unit
 *
 * The ring walk, the confirmation of each unit, the end of the run and the error exit are
 * loaders/common/ring.inc's, which the F0/F1/F3, F2/F4/F7 and L4 loaders share: each unit's
 * data is loaded before the status poll, that poll's error flags are looked at after the
 * write, and the read pointer moves past the unit before when they are clear.
 *
 * DSB after each write: the Cortex-M7 of the F7 buffers writes, and the next status poll
 * must not pass the write that starts programming (ST's HAL-F7 FLASH_Program_* do the same).
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * ARMv6-M code (runs on the F2's Cortex-M3, the F4's M4 and the F7's M7).
 */
#include "../common/ring.inc"
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func
loader:
    adds r0, r0, #0x0c      @ r0: FLASH_SR
    ldr r7, [r5, #12]       @ unit: 1, 2 or 4 bytes
    muls r4, r7, r4
    adds r4, r4, r3
    ring_setup
    movs r1, #0xf2          @ OPERR | WRPERR | PGAERR | PGPERR | PGSERR
    movs r7, #1
    lsls r7, r7, #16        @ BSY
    ldr r6, [r5, #4]        @ read pointer: the next unit to program
    ldr r2, [r5, #12]
    cmp r2, #2
    beq batch2
    bhi batch4

    /* One loop per access width: ld, st and the unit size in bytes. */
    .macro program ld, st, bytes
    ring_batch \bytes
unit\bytes:
    \ld r4, [r6]
    ring_wait_idle \bytes
    \st r4, [r3]            @ starts programming this one
    dsb
    ring_advance \bytes, \bytes
    .endm

    program ldrb, strb, 1
    program ldrh, strh, 2
    program ldr, str, 4
    ring_end
