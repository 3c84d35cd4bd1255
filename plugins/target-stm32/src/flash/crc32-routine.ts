import type { AddressRange } from '@flashwright/core/image';
import { type MemoryPort, throwIfAborted } from '@flashwright/core/plugin';
import { CoreControl, LoaderFailure, describe } from './core-control.js';
import type { TargetClock } from './flash-clock.js';

/**
 * flashwright's on-chip CRC-32 routine (loaders/crc32/crc32.S, built by its Makefile into
 * crc32.bin; test/loaders-rebuild.test.ts rebuilds it and compares): the zlib/IEEE 802.3
 * CRC-32 of a memory range, position independent, ARMv6-M code. The halfwords below are
 * crc32.bin, little-endian.
 */
const HALFWORDS = [
  0x4c26, 0x2500, 0x002e, 0x2708, 0x0876, 0xd300, 0x4066, 0x3f01, 0xd1fa, 0x00af, 0x51d6, 0x3501,
  0x0a2f, 0xd0f3, 0x2400, 0x43e4, 0x2900, 0xd039, 0x0785, 0xd009, 0x7805, 0x3001, 0x3901, 0x4065,
  0xb2ed, 0x00ad, 0x5955, 0x0a24, 0x406c, 0xe7f1, 0x2904, 0xd31f, 0x6806, 0x3004, 0x3904, 0x0035,
  0x4065, 0xb2ed, 0x00ad, 0x5955, 0x0a24, 0x406c, 0x0a35, 0x4065, 0xb2ed, 0x00ad, 0x5955, 0x0a24,
  0x406c, 0x0c35, 0x4065, 0xb2ed, 0x00ad, 0x5955, 0x0a24, 0x406c, 0x0e35, 0x4065, 0xb2ed, 0x00ad,
  0x5955, 0x0a24, 0x406c, 0xe7dd, 0x2900, 0xd009, 0x7805, 0x3001, 0x3901, 0x4065, 0xb2ed, 0x00ad,
  0x5955, 0x0a24, 0x406c, 0xe7f3, 0x43e0, 0xbe00, 0x8320, 0xedb8,
];

/** The routine's code, to be placed anywhere in SRAM (word aligned). */
export const CRC32_ROUTINE: Uint8Array = Uint8Array.from(
  HALFWORDS.flatMap((halfword) => [halfword & 0xff, halfword >>> 8]),
);

/**
 * Core cycles per byte of the word loop: per word, LDR (2) and its pointer and count updates
 * (3), CMP, a branch not taken and the loop's taken branch (1 + 1 + 2), four table steps of
 * EORS, UXTB, LSLS, LDR (2), LSRS, EORS (7 each) and three shifts: 40 cycles for 4 bytes, from
 * the instruction cycle tables of the Cortex-M3 and Cortex-M0+ Technical Reference Manuals
 * (ARM DDI 0337, DDI 0484). The simulator's interpreter charges the same. Not counted: flash
 * wait states of the one flash load a word, none at the reset clocks up to 16 MHz, but 7 on
 * the H7 at its 64 MHz reset clock (RM0433, FLASH_ACR reset value), where a real chip is
 * up to 7 cycles a word slower than this estimate.
 */
const CYCLES_PER_BYTE = 10;
/** Building the 256-entry table: about 56 cycles an entry (eight shift-and-XOR steps). */
const TABLE_CYCLES = 14_500;
/**
 * Probe exchanges of one run: halt check, the routine's upload, registers, start, polls for
 * the halt, the result and the restore (counted on the virtual ST-Link: about 15).
 */
const START_EXCHANGES = 16;

/** Estimated milliseconds of crc32OnChip over `bytes` at `clockHz`. */
export function crc32CostMs(input: {
  readonly bytes: number;
  readonly clockHz: number;
  readonly transferStartUs: number;
}): number {
  const cycles = TABLE_CYCLES + input.bytes * CYCLES_PER_BYTE;
  return (START_EXCHANGES * input.transferStartUs) / 1000 + (cycles * 1000) / input.clockHz;
}

/** The byte-wise lookup table the routine builds in SRAM (256 words). */
const TABLE_BYTES = 1024;
/** Room for an exception frame if the routine faults, so the frame lands in the work area. */
const STACK_BYTES = 64;
/**
 * About 10 core cycles per byte (word loads, four table steps) plus 20 000 for the table: at
 * the slowest reset clock of the family (the L1's 2.1 MHz MSI) 5 µs per byte. Twice that,
 * and a second on top, before the run counts as hung.
 */
const TIMEOUT_US_PER_BYTE = 10;
const TIMEOUT_BASE_MS = 1000;

export interface ChecksumJob {
  readonly memory: MemoryPort;
  readonly clock: TargetClock;
  /** SRAM the routine may use (the device's first SRAM region). */
  readonly ram: AddressRange | undefined;
  readonly range: AddressRange;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs the CRC-32 routine on the core over `range` and returns the CRC (as zlib's crc32()).
 * The core is halted first and left halted; SRAM from the start of `ram` is overwritten
 * (code, table, stack: under 1.3 KiB). Throws LoaderFailure when the routine cannot run
 * (RAM too small, the probe cannot load or start it) or does not end on its BKPT.
 */
export async function crc32OnChip(job: ChecksumJob): Promise<number> {
  const { memory, ram, range } = job;
  const code = ram?.start ?? 0;
  const table = code + CRC32_ROUTINE.length;
  const stackTop = table + TABLE_BYTES + STACK_BYTES;
  if (!ram || stackTop > ram.end) {
    const have = ram ? ram.end - ram.start : 0;
    throw new LoaderFailure(
      `RAM too small (it needs ${stackTop - code} bytes, the device has ${have})`,
      0,
    );
  }
  const core = new CoreControl(memory, job.clock, job.signal);
  try {
    await core.prepare();
    await memory.write(code, CRC32_ROUTINE, { signal: job.signal, idempotent: true });
    await core.start({
      entry: code,
      stackTop,
      registers: [range.start, range.end - range.start, table],
    });
  } catch (error) {
    await core.restore();
    if (error instanceof LoaderFailure) throw error;
    throw new LoaderFailure(`the probe could not load and start it (${describe(error)})`, 0);
  }
  try {
    const timeoutMs = TIMEOUT_BASE_MS + ((range.end - range.start) * TIMEOUT_US_PER_BYTE) / 1000;
    const deadline = job.clock() + timeoutMs;
    while (!(await core.halted())) {
      throwIfAborted(job.signal);
      if (job.clock() > deadline) {
        throw new LoaderFailure(`it did not finish within ${Math.round(timeoutMs)} ms`, 0);
      }
    }
    await core.checkBreakpoint(0);
    return (await core.readRegister(0)) >>> 0;
  } finally {
    await core.restore();
  }
}
