/*
 * flashwright's RAM flash loader for the STM32H7 flash controller: flash-word programming
 * (RM0433 4.3.9 "Flash programming operations": 256-bit flash words on H74x/H75x, 128-bit
 * on H7A3/B3, RM0455 4.3.8), double-buffered.
 *
 * The host unlocks the bank (FLASH_KEYR1 or FLASH_KEYR2), clears its status through
 * FLASH_CCR, sets FLASH_CR.PG (with PSIZE where the part has it), loads this code anywhere
 * in SRAM (position independent: no absolute address) and starts it with:
 *
 *   r0  the bank's register block: FLASH_CR1/SR1 at +0x0C/+0x10 for bank 1 (0x52002000),
 *       FLASH_CR2/SR2 at the same offsets in bank 2's block (0x52002100); one run programs
 *       one bank, so both banks are programmed by one run each
 *   r1  start of the ring of buffers in SRAM (a whole number of flash words)
 *   r2  end of the ring
 *   r3  flash address of the first flash word (flash-word aligned)
 *   r4  number of flash words to program
 *   r5  control block: +0 write pointer (the host advances it past each flash word it has
 *       written into the ring), +4 read pointer (the loader advances it past each flash
 *       word it has programmed; the host may reuse the space behind it), +8 status (0, or
 *       FLASH_SR with the error that stopped the loader), +12 flash-word size in bytes
 *
 * While the flash programs one word the host fills the ring behind it: the pointers are the
 * only shared state, each written by one side. Each word is written with consecutive 32-bit
 * stores (the write buffer programs the word when its last byte arrives, RM0433 4.3.9),
 * then the loader waits for QW and BSY to clear ("check that QW1 has been raised and wait
 * until it is reset to 0") and stops on BKPT when all words are programmed or an error flag
 * is set (WRPERR, PGSERR, STRBERR, INCERR, OPERR: RM0433 4.9.5 FLASH_SR1). It uses no stack.
 * Built for the Cortex-M7 (ARMv7E-M).
 */
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func

    .equ FLASH_SR, 0x10
    .equ SR_BUSY, (1 << 0) | (1 << 2)                       @ BSY | QW
    .equ SR_ERRORS, (1 << 17) | (1 << 18) | (1 << 19) | (1 << 21) | (1 << 22)

loader:
    ldr r8, [r5, #12]       @ flash-word size
next:
    cbz r4, done
wait:
    ldrd r7, r6, [r5]       @ r7 = write pointer, r6 = read pointer: the word to program
    cmp r7, r6
    beq wait                @ the host has not filled it yet
    add r9, r3, r8          @ end of this flash word in flash
copy:
    ldr r7, [r6], #4
    str r7, [r3], #4        @ consecutive word writes; the last one starts programming
    cmp r3, r9
    bne copy
    dsb                     @ the stores have reached the flash interface before SR is read
busy:
    ldr r7, [r0, #FLASH_SR]
    tst r7, #SR_BUSY
    bne busy
    tst r7, #SR_ERRORS
    bne error
    cmp r6, r2
    it eq
    moveq r6, r1            @ wrap to the start of the ring
    str r6, [r5, #4]        @ past the flash word just programmed
    subs r4, #1
    b next
error:
    str r7, [r5, #8]
done:
    bkpt #0
