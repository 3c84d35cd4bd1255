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
 * The loop: each unit's data is loaded before the status poll, so that the write follows
 * the poll that shows the controller idle within a few cycles; that poll's error flags are
 * looked at after the write (they are sticky, cleared by writing 1, so they still show an
 * error of the unit before), and the read pointer moves past the unit before when they are
 * clear. After the last unit, and whenever the ring is empty, the loader waits for the
 * controller and confirms the last unit the same way.
 *
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * Built for the G0's Cortex-M0+ (ARMv6-M), so the same code runs on the Cortex-M4 parts.
 */
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
    mov r11, r4             @ end of the flash to program
    mov r10, r1             @ start of the ring
    mov r9, r2              @ end of the ring
    ldr r1, [r5, #24]       @ error bits
    ldr r7, [r5, #20]       @ busy bits
    ldr r6, [r5, #4]        @ read pointer: the next unit to program
batch:
    cmp r3, r11
    beq last
fill:
    ldr r2, [r5, #0]        @ write pointer
    cmp r2, r6
    beq empty
    bhi 1f
    mov r2, r9              @ the data wraps: up to the end of the ring first
1:  mov r12, r2             @ end of this batch
unit:
    ldr r4, [r6]
busy:
    ldr r2, [r0]            @ FLASH_SR
    tst r2, r7
    bne busy                @ the previous double word is still programming
    str r4, [r3]
    ldr r4, [r6, #4]
    str r4, [r3, #4]        @ the second word starts programming
    tst r2, r1
    bne error               @ the previous one failed
    str r6, [r5, #4]        @ the previous one is programmed
    adds r3, r3, #8
    adds r6, r6, #8
    cmp r6, r12
    bne unit
    cmp r6, r9
    bne batch
    mov r6, r10             @ wrap to the start of the ring
    b batch
empty:                      @ the host has not filled the next unit yet
    bl settle
    b fill
last:
    bl settle
    b done
error:
    str r2, [r5, #8]
done:
    bkpt #0
settle:                     @ waits for the last write, then moves the read pointer past it
    ldr r2, [r0]
    tst r2, r1
    bne error
    tst r2, r7
    bne settle
    str r6, [r5, #4]
    bx lr
