/*
 * flashwright's RAM flash loader for the STM32F0/F1/F3 flash controller (FPEC): half-word
 * programming, double-buffered. PM0075 "Main Flash memory programming" (the F1 flash
 * programming manual that RM0008's "Embedded Flash memory" section refers to), RM0091
 * "Flash program and erase operations" (F0), RM0316 "Flash program and erase operations"
 * (F3): with FLASH_CR.PG set, a half-word write to the flash
 * starts its programming; BSY (FLASH_SR bit 0) is set until it is done, and PGERR (bit 2:
 * the location was not erased) or WRPRTERR (bit 4: write protected) say it failed. Check BSY
 * before each write.
 *
 * The host unlocks the bank, clears the SR flags and sets FLASH_CR = PG (as its own
 * half-word path does), loads this code anywhere in SRAM (position independent: no absolute
 * address, no literal), and starts it with the registers of the protocol that
 * plugins/target-stm32/src/flash/ram-loader.ts documents:
 *
 *   r0  register block of the bank (FLASH_SR at +0x0C; bank 2 of an F1 XL part at +0x40)
 *   r1  start of the ring of buffers in SRAM, r2 its end (whole units)
 *   r3  flash address of the first unit (half-word aligned)
 *   r4  number of units (half-words) to program
 *   r5  control block: +0 write pointer (host), +4 read pointer (loader), +8 status (0, or
 *       FLASH_SR with the error that stopped the loader), +12 unit size (2)
 *
 * The ring walk, the confirmation of each unit, the end of the run and the error exit are
 * loaders/common/ring.inc's, which the F0/F1/F3, F2/F4/F7 and L4 loaders share: each unit's
 * data is loaded before the status poll, that poll's error flags are looked at after the
 * write, and the read pointer moves past the unit before when they are clear.
 *
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * Built for the Cortex-M0 (ARMv6-M) of the F0, so the same code runs on the F1's Cortex-M3
 * and the F3's Cortex-M4.
 */
#include "../common/ring.inc"
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func
loader:
    adds r0, r0, #0x0c      @ r0: FLASH_SR
    adds r4, r4, r4
    adds r4, r4, r3
    ring_setup
    movs r1, #0x14          @ PGERR | WRPRTERR
    movs r7, #1             @ BSY
    ldr r6, [r5, #4]        @ read pointer: the next unit to program
    ring_batch
unit:
    ldrh r4, [r6]
    ring_wait_idle
    strh r4, [r3]           @ starts programming this half-word
    ring_advance 2
    ring_end
