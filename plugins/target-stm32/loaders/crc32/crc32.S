/*
 * flashwright's on-chip checksum: the CRC-32 of a memory range, computed by the target so
 * that verify and the unchanged-sector check need not read the flash back through the probe.
 * The CRC is the one of IEEE 802.3 and zlib (reflected polynomial 0xEDB88320, initial value
 * and final XOR 0xFFFFFFFF; ISO/IEC 8802-3 clause 3.2.9), so the host compares it with
 * zlib's crc32() of the image.
 *
 * The host loads this code anywhere in SRAM (position independent: one PC-relative
 * constant, no absolute address) and starts it with:
 *
 *   r0  start of the range (any alignment)
 *   r1  length of the range in bytes
 *   r2  1 KiB of word-aligned SRAM for the byte-wise lookup table, which the routine builds
 *
 * It ends on BKPT with the CRC-32 in r0. It uses no stack, reads the range with word loads
 * where aligned (four table steps per load, the low byte first: the core is little-endian)
 * and byte loads at the unaligned head and the tail. Built for Cortex-M0+ (ARMv6-M), so the
 * same code runs on every STM32 core.
 */
    .syntax unified
    .thumb
    .text
    .global crc32
    .thumb_func

@ One table step: r4 = (r4 >> 8) ^ table[(r4 ^ byte) & 0xff], with the byte in r5[7:0].
.macro crc_byte
    eors r5, r4
    uxtb r5, r5
    lsls r5, r5, #2
    ldr r5, [r2, r5]
    lsrs r4, r4, #8
    eors r4, r5
.endm

crc32:
    ldr r4, polynomial
    movs r5, #0             @ n: the table entry being built
entry:
    movs r6, r5             @ c = n
    movs r7, #8
shift:
    lsrs r6, r6, #1         @ carry = the bit shifted out
    bcc 1f
    eors r6, r4
1:  subs r7, #1
    bne shift
    lsls r7, r5, #2
    str r6, [r2, r7]        @ table[n] = c
    adds r5, #1
    lsrs r7, r5, #8         @ n < 256?
    beq entry

    movs r4, #0
    mvns r4, r4             @ crc = 0xFFFFFFFF
head:
    cmp r1, #0
    beq done
    lsls r5, r0, #30        @ word aligned?
    beq words
    ldrb r5, [r0]
    adds r0, #1
    subs r1, #1
    crc_byte
    b head
words:
    cmp r1, #4
    bcc tail
    ldr r6, [r0]
    adds r0, #4
    subs r1, #4
    movs r5, r6
    crc_byte
    lsrs r5, r6, #8
    crc_byte
    lsrs r5, r6, #16
    crc_byte
    lsrs r5, r6, #24
    crc_byte
    b words
tail:
    cmp r1, #0
    beq done
    ldrb r5, [r0]
    adds r0, #1
    subs r1, #1
    crc_byte
    b tail
done:
    mvns r0, r4
    bkpt #0
    .align 2
polynomial:
    .word 0xEDB88320
