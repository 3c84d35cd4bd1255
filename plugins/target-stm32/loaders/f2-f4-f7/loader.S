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
 * The loop: each unit's data is loaded before the status poll, so that the write follows
 * the poll that shows the controller idle within a few cycles; that poll's error flags are
 * looked at after the write (they are sticky, cleared by writing 1, so they still show an
 * error of the unit before), and the read pointer moves past the unit before when they are
 * clear. After the last unit, and whenever the ring is empty, the loader waits for the
 * controller and confirms the last unit the same way.
 *
 * DSB after each write: the Cortex-M7 of the F7 buffers writes, and the next status poll
 * must not pass the write that starts programming (ST's HAL-F7 FLASH_Program_* do the same).
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * ARMv6-M code (runs on the F2's Cortex-M3, the F4's M4 and the F7's M7).
 */
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
    mov r11, r4             @ end of the flash to program
    mov r10, r1             @ start of the ring
    mov r9, r2              @ end of the ring
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
batch\bytes:
    cmp r3, r11
    beq last
fill\bytes:
    ldr r2, [r5, #0]        @ write pointer
    cmp r2, r6
    bne 1f
    bl settle               @ the host has not filled the next unit yet
    b fill\bytes
1:  bhi 2f
    mov r2, r9              @ the data wraps: up to the end of the ring first
2:  mov r12, r2             @ end of this batch
unit\bytes:
    \ld r4, [r6]
busy\bytes:
    ldr r2, [r0]            @ FLASH_SR
    tst r2, r7
    bne busy\bytes          @ the previous unit is still programming
    \st r4, [r3]            @ starts programming this one
    dsb
    tst r2, r1
    bne error               @ the previous one failed
    str r6, [r5, #4]        @ the previous one is programmed
    adds r3, r3, #\bytes
    adds r6, r6, #\bytes
    cmp r6, r12
    bne unit\bytes
    cmp r6, r9
    bne batch\bytes
    mov r6, r10             @ wrap to the start of the ring
    b batch\bytes
    .endm

    program ldrb, strb, 1
    program ldrh, strh, 2
    program ldr, str, 4

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
