/**
 * SWJ-DP line sequences (ARM IHI 0031 ADIv5.2, SW-DP "Connection and line reset sequence"
 * and SWJ-DP "Switching from JTAG to SWD operation"): a line reset is at least 50 clocks with
 * SWDIO high followed by at least two idle (low) clocks; the JTAG-to-SWD switch is 16 bits
 * 0xE79E, least significant bit first, between two line resets. pyOCD (probe/swj.py) sends 51
 * ones and 8 idle clocks, as here.
 */

/** A bit string for SwdWire.swjSequence: `bitCount` bits, LSB of byte 0 first. */
export interface SwjSequence {
  readonly bitCount: number;
  readonly bits: Uint8Array;
}

export const LINE_RESET_ONES = 51;
export const IDLE_CLOCKS = 8;
export const JTAG_TO_SWD = 0xe79e;

class BitString {
  readonly #bits: number[] = [];

  push(value: number, count: number): this {
    for (let i = 0; i < count; i++) this.#bits.push((value >>> i) & 1);
    return this;
  }

  ones(count: number): this {
    for (let i = 0; i < count; i++) this.#bits.push(1);
    return this;
  }

  build(): SwjSequence {
    const bits = new Uint8Array(Math.ceil(this.#bits.length / 8));
    this.#bits.forEach((bit, i) => {
      if (bit) bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
    });
    return { bitCount: this.#bits.length, bits };
  }
}

/** Line reset, then idle: the DP then expects a DPIDR read. */
export function lineResetSequence(): SwjSequence {
  return new BitString().ones(LINE_RESET_ONES).push(0, IDLE_CLOCKS).build();
}

/** Line reset, JTAG-to-SWD code, line reset, idle: 126 bits. */
export function jtagToSwdSequence(): SwjSequence {
  return new BitString()
    .ones(LINE_RESET_ONES)
    .push(JTAG_TO_SWD, 16)
    .ones(LINE_RESET_ONES)
    .push(0, IDLE_CLOCKS)
    .build();
}
