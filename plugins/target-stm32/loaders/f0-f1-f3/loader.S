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
 * The loop: each unit's data is loaded before the status poll, so that the write follows
 * the poll that shows the controller idle within a few cycles; that poll's error flags are
 * looked at after the write (they are sticky, cleared by writing 1, so they still show an
 * error of the unit before), and the read pointer moves past the unit before when they are
 * clear. After the last unit, and whenever the ring is empty, the loader waits for the
 * controller and confirms the last unit the same way.
 *
 * It ends on BKPT when all units are programmed or an error flag is set, and uses no stack.
 * Built for the Cortex-M0 (ARMv6-M) of the F0, so the same code runs on the F1's Cortex-M3
 * and the F3's Cortex-M4.
 */
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func
loader:
    adds r0, r0, #0x0c      @ r0: FLASH_SR
    adds r4, r4, r4
    adds r4, r4, r3
    mov r11, r4             @ end of the flash to program
    mov r10, r1             @ start of the ring
    mov r9, r2              @ end of the ring
    movs r1, #0x14          @ PGERR | WRPRTERR
    movs r7, #1             @ BSY
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
    ldrh r4, [r6]
busy:
    ldr r2, [r0]            @ FLASH_SR
    tst r2, r7
    bne busy                @ the previous half-word is still programming
    strh r4, [r3]           @ starts programming this one
    tst r2, r1
    bne error               @ the previous one failed
    str r6, [r5, #4]        @ the previous one is programmed
    adds r3, r3, #2
    adds r6, r6, #2
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
