/*
 * flashwright's RAM flash loader for the STM32L0/L1 NVM controller: half-page programming
 * (RM0038 3.3.4 "Programming a half page"; RM0367 3.3.4 on L0), double-buffered.
 *
 * The host unlocks PECR and the program memory, clears the SR error flags and sets
 * PECR = FPRG | PROG, loads this code anywhere in SRAM (it is position independent: no
 * absolute address; one PC-relative constant), and starts it with:
 *
 *   r0  FLASH controller base (FLASH_PECR at +0x04, FLASH_SR at +0x18)
 *   r1  start of the ring of buffers in SRAM (a whole number of half-pages)
 *   r2  end of the ring
 *   r3  flash address of the first half-page (half-page aligned)
 *   r4  number of half-pages to program
 *   r5  control block: +0 write pointer (the host advances it past each half-page it has
 *       written into the ring), +4 read pointer (the loader advances it past each half-page
 *       it has programmed; the host may reuse the space behind it), +8 status (0, or FLASH_SR
 *       with the error that stopped the loader), +12 half-page size in bytes (128 on L1, 64
 *       on L0)
 *
 * While the loader programs one half-page the host fills the next: the pointers are the
 * only shared state, each written by one side. The loader ends on BKPT when all half-pages
 * are programmed or an error flag is set (WRPERR, PGAERR, SIZERR, RDERR, and on L0
 * NOTZEROERR and FWWERR). It uses no stack. Built for the L0's Cortex-M0+ (ARMv6-M), so the
 * same code runs on the L1's Cortex-M3.
 */
    .syntax unified
    .thumb
    .text
    .global loader
    .thumb_func
loader:
next:
    cmp r4, #0
    beq done
wait:
    ldr r7, [r5, #0]        @ write pointer
    ldr r6, [r5, #4]        @ read pointer: the half-page to program
    cmp r7, r6
    beq wait                @ the host has not filled it yet
    ldr r7, [r5, #12]
    adds r7, r7, r3
    mov r8, r7              @ end of this half-page in flash
copy:
    ldmia r6!, {r7}
    stmia r3!, {r7}         @ consecutive word writes; the last one starts programming
    cmp r3, r8
    bne copy
busy:
    ldr r7, [r0, #0x18]     @ FLASH_SR
    lsls r7, r7, #31        @ BSY
    bne busy
    ldr r7, [r0, #0x18]
    mov r8, r6
    ldr r6, errors
    tst r7, r6
    bne error
    mov r6, r8              @ past the half-page just programmed
    cmp r6, r2
    bne 1f
    mov r6, r1              @ wrap to the start of the ring
1:  str r6, [r5, #4]
    subs r4, #1
    b next
error:
    str r7, [r5, #8]
done:
    bkpt #0
    .align 2
errors:
    .word 0x00032700        @ WRPERR | PGAERR | SIZERR | RDERR | NOTZEROERR | FWWERR
