/**
 * The timing model of the virtual hardware. Every figure the simulator charges to its
 * VirtualClock comes from this file, and so does the physical floor the benchmarks divide
 * by, so a benchmark can never disagree with the simulator about what the hardware could do.
 */

/**
 * The USB link of a probe: full-speed or high-speed bulk (ST-Link V2/V2-1, V3; CMSIS-DAP v2),
 * or full-speed HID reports (CMSIS-DAP v1).
 */
export type UsbSpeed = 'full-speed' | 'high-speed' | 'full-speed-hid';

export interface UsbTiming {
  /** Cost of one command/response exchange, whatever its size. */
  readonly roundTripUs: number;
  /** Throughput of the data phases (bytes per second). */
  readonly payloadBytesPerSecond: number;
}

/**
 * The fixed USB figures of the model (our choice, not measurements): one command/response
 * round trip costs 1 ms at full speed (ST-Link V2, V2-1, CMSIS-DAP v2 on a full-speed probe)
 * and 0.125 ms at high speed (ST-Link V3, CMSIS-DAP v2 on a high-speed probe, one
 * microframe); bulk payload moves at 1 MB/s and 30 MB/s.
 *
 * Full-speed HID (CMSIS-DAP v1): an interrupt endpoint moves at most one 64-byte report per
 * 1 ms frame in each direction (USB 2.0 specification 5.7.3, Table 5-7: 64-byte maximum
 * packet at full speed; bInterval 1 as DAPLink's HID descriptor sets it), so the payload
 * rate is 64 000 B/s, and a report the host writes is answered in the next frame at the
 * earliest: a 1 ms round trip. Estimates from the specification's limits, not measurements;
 * every v1 report is 64 bytes whatever the command holds, and the sim charges it whole.
 */
export const usbTiming: Readonly<Record<UsbSpeed, UsbTiming>> = {
  'full-speed': { roundTripUs: 1000, payloadBytesPerSecond: 1_000_000 },
  'high-speed': { roundTripUs: 125, payloadBytesPerSecond: 30_000_000 },
  'full-speed-hid': { roundTripUs: 1000, payloadBytesPerSecond: 64_000 },
};

/**
 * CMSIS-DAP timing of the model, in the form of ST-Link's. The link is `usbTiming[usb]`; a
 * command that reaches the probe while an earlier one is still unanswered pays no round
 * trip (the probe buffers DAP_Info Packet Count commands, so their USB latency overlaps the
 * execution of the one before: CMSIS-DAP specification, "Communication"); the first command
 * after the host waited pays it. Each DAP_Transfer or DAP_TransferBlock transfer costs
 * SWD_CLOCKS_PER_ACCESS clocks (8 request + 1 turnaround + 3 ACK + 1 turnaround + 32 data
 * + 1 parity = 46, ARM IHI 0031 B4.2 "Serial Wire Debug protocol operation"), plus the idle
 * cycles DAP_TransferConfigure sets (0 by default). The link limit of moving N bytes is
 * therefore defined as for ST-Link: USB payload time plus SWD time.
 */
export const cmsisDapTiming = {
  v1: { usb: 'full-speed-hid', clocksPerTransfer: 46 },
  v2: { usb: 'high-speed', clocksPerTransfer: 46 },
} as const satisfies Readonly<
  Record<'v1' | 'v2', { readonly usb: UsbSpeed; readonly clocksPerTransfer: number }>
>;

/** SWD clocks charged per DP or AP register access (one 32-bit data transfer). */
export const SWD_CLOCKS_PER_ACCESS = 46;

/** Virtual time of `accesses` SWD register accesses at `speedKhz`. */
export function swdAccessUs(accesses: number, speedKhz: number): number {
  if (!(speedKhz > 0)) throw new RangeError(`SWD speed must be positive, got ${speedKhz} kHz`);
  return (accesses * SWD_CLOCKS_PER_ACCESS * 1000) / speedKhz;
}

/** Virtual time of moving `bytes` of payload over USB (the round trip is charged apart). */
export function usbPayloadUs(bytes: number, speed: UsbSpeed): number {
  return (bytes * 1_000_000) / usbTiming[speed].payloadBytesPerSecond;
}

/** One way the flash can be programmed, e.g. a half-word or an L1 half-page. */
export interface ProgramUnit {
  readonly label: string;
  readonly bytes: number;
  /** Typical busy time per unit. */
  readonly us: number;
}

/** One erasable unit size (page or sector) and its typical erase time. */
export interface EraseUnit {
  readonly bytes: number;
  readonly ms: number;
}

/** Datasheet flash timings of one reference part, standing in for its controller family. */
export interface FlashTiming {
  /** The part the figures were read for. */
  readonly part: string;
  /** Where they come from (document and table). */
  readonly source: string;
  /**
   * How sure the figures are: V read in the datasheet text itself; S quoted from the named
   * datasheet in third-party code comments or notes; R unconfirmed (remembered, not checked
   * against the datasheet).
   */
  readonly provenance: string;
  readonly programUnits: readonly ProgramUnit[];
  readonly eraseUnits: readonly EraseUnit[];
  /** Whole-flash erase; undefined where the family has none (L0/L1). */
  readonly massEraseMs: number | undefined;
  /** What we chose where the datasheet gives no typical value. */
  readonly note?: string;
}

/** Flash controller families of the STM32 models (issue 3 part 3). */
export type FlashFamily =
  'f0' | 'f1' | 'f3' | 'f2' | 'f4' | 'f7' | 'l0' | 'l1' | 'l4' | 'g0' | 'g4' | 'wb' | 'wl' | 'h7';

const f1: FlashTiming = {
  part: 'STM32F103RB',
  source: 'DS5319 (STM32F103x8/xB) §5.3.9 Table 28 "Flash memory characteristics"',
  provenance: 'V',
  programUnits: [{ label: 'half-word', bytes: 2, us: 52.5 }],
  eraseUnits: [
    { bytes: 1024, ms: 30 },
    { bytes: 2048, ms: 30 },
  ],
  massEraseMs: 30,
  note: 'page and mass erase: datasheet gives 20-40 ms and no typical; 30 ms is our midpoint',
};

const f0: FlashTiming = {
  part: 'STM32F030R8',
  source: 'DS9773 (STM32F030x4/x6/x8/xC) "Flash memory characteristics"',
  provenance: 'S (program typ), R (erase)',
  programUnits: [{ label: 'half-word', bytes: 2, us: 53.5 }],
  eraseUnits: [
    { bytes: 1024, ms: 30 },
    { bytes: 2048, ms: 30 },
  ],
  massEraseMs: 30,
  note: 'erase 20-40 ms without a typical; 30 ms as a code comment quoting the F0 datasheet',
};

const f4: FlashTiming = {
  part: 'STM32F411RE',
  source: 'DS10314 "Flash memory programming" table, x32 parallelism (PSIZE=2, 2.7-3.6 V)',
  provenance: 'S (16 µs, 250 ms), R (64 KiB, 128 KiB sector and mass erase)',
  programUnits: [{ label: 'word (x32)', bytes: 4, us: 16 }],
  eraseUnits: [
    { bytes: 16 * 1024, ms: 250 },
    { bytes: 32 * 1024, ms: 400 },
    { bytes: 64 * 1024, ms: 550 },
    { bytes: 128 * 1024, ms: 1000 },
    { bytes: 256 * 1024, ms: 2000 },
  ],
  massEraseMs: 8000,
  note: '32 KiB (F7) and 256 KiB (F7) sectors are interpolated/extrapolated by us, not datasheet figures',
};

const l1: FlashTiming = {
  part: 'STM32L151CB',
  source: 'DS6876 (STM32L151x6/8/B) "NVM / Flash memory and data EEPROM characteristics"',
  provenance: 'S (max 3.94 ms), R (typ 3.28 ms)',
  programUnits: [
    { label: 'word', bytes: 4, us: 3280 },
    { label: 'half-page (32 words)', bytes: 128, us: 3280 },
  ],
  eraseUnits: [{ bytes: 256, ms: 3.28 }],
  massEraseMs: undefined,
};

const l0: FlashTiming = {
  ...l1,
  programUnits: [
    { label: 'word', bytes: 4, us: 3280 },
    { label: 'half-page (16 words)', bytes: 64, us: 3280 },
  ],
  eraseUnits: [{ bytes: 128, ms: 3.28 }],
  note: 'no L0 datasheet figure was collected; the L1 figures stand in (same NVM design)',
};

const l4: FlashTiming = {
  part: 'STM32L476RG',
  source: 'DS10198 "Flash memory characteristics"',
  provenance: 'R',
  programUnits: [{ label: 'double word', bytes: 8, us: 81.7 }],
  eraseUnits: [
    { bytes: 2048, ms: 22 },
    { bytes: 4096, ms: 22 },
  ],
  massEraseMs: 22.1,
  note: '4 KiB pages (L4+) are assumed to erase as fast as 2 KiB ones',
};

const g0: FlashTiming = {
  part: 'STM32G071RB',
  source: 'DS12232 "Flash memory characteristics"',
  provenance: 'S (program, page erase), R (mass erase)',
  programUnits: [{ label: 'double word', bytes: 8, us: 85 }],
  eraseUnits: [
    { bytes: 2048, ms: 22 },
    { bytes: 4096, ms: 22 },
  ],
  massEraseMs: 22,
};

const h7: FlashTiming = {
  part: 'STM32H743',
  source: 'DS12110 rev 10 Table 53 (rev 11 Tables 43/140), x64 parallelism',
  provenance: 'S',
  programUnits: [{ label: 'flash word (256 bits)', bytes: 32, us: 100 }],
  eraseUnits: [
    { bytes: 8 * 1024, ms: 1000 },
    { bytes: 128 * 1024, ms: 1000 },
  ],
  massEraseMs: undefined,
  note: 'no bank/mass erase figure found; 8 KiB (H7A/B) sectors use the 128 KiB figure',
};

/**
 * The one table of datasheet flash timings, each entry with its datasheet and provenance.
 * Families that share a flash macro share an entry; the entry names the part the figures
 * were read for. Unconfirmed: the document numbers DS9773, DS10314, DS6876 and DS12232
 * (DS5319, DS10198 and DS12110 were seen in sources).
 */
export const flashTimings: Readonly<Record<FlashFamily, FlashTiming>> = {
  f0,
  f1,
  // No F3 datasheet figure was collected; the F1 FPEC figures stand in.
  f3: { ...f1, note: 'F3 uses the F1 (DS5319) figures; no F3 datasheet value collected' },
  f2: { ...f4, note: 'F2 uses the F4 (DS10314) figures; no F2 datasheet value collected' },
  f4,
  f7: { ...f4, note: 'F7 uses the F4 (DS10314) figures; no F7 datasheet value collected' },
  l0,
  l1,
  l4,
  g0,
  g4: { ...g0, note: 'G4 uses the G0 (DS12232) figures; no G4 datasheet value collected' },
  wb: { ...l4, note: 'WB uses the L4 (DS10198) figures; no WB datasheet value collected' },
  wl: { ...l4, note: 'WL uses the L4 (DS10198) figures; no WL datasheet value collected' },
  h7,
};

/** Erase time of one erase unit of `bytes` (the entry for that size, else the largest one). */
export function eraseUnitMs(timing: FlashTiming, bytes: number): number {
  const exact = timing.eraseUnits.find((u) => u.bytes === bytes);
  if (exact) return exact.ms;
  const larger = timing.eraseUnits.filter((u) => u.bytes >= bytes);
  const pick = larger[0] ?? timing.eraseUnits[timing.eraseUnits.length - 1];
  if (!pick) throw new RangeError(`${timing.part} has no erase timing`);
  return pick.ms;
}

/** The programming unit with the best throughput (lowest µs per byte). */
export function bestProgramUnit(timing: FlashTiming): ProgramUnit {
  let best: ProgramUnit | undefined;
  for (const unit of timing.programUnits) {
    if (!best || unit.us / unit.bytes < best.us / best.bytes) best = unit;
  }
  if (!best) throw new RangeError(`${timing.part} has no program timing`);
  return best;
}

export interface PhysicalFloorInput {
  readonly timing: FlashTiming;
  /** Bytes to program. */
  readonly imageBytes: number;
  /** Size of every erase unit (page or sector) the image touches, one entry per unit. */
  readonly erasedUnitBytes: readonly number[];
  /** The probe's USB speed, for the payload transfer time. */
  readonly usb: UsbSpeed;
  /** When given, SWD time of the data words (46 clocks per 32-bit word) is added. */
  readonly swdSpeedKhz?: number;
}

export interface PhysicalFloor {
  readonly eraseMs: number;
  readonly programMs: number;
  readonly usbTransferMs: number;
  readonly swdTransferMs: number;
  /** Sum of the above: the floor for host-driven programming (transfer and program take turns). */
  readonly totalMs: number;
}

/**
 * The physical floor of programming an image: erase of the touched units, plus programming
 * with the best unit, plus moving the payload. This is the floor for host-driven
 * programming, where transfer and programming take turns. Benchmarks report
 * efficiency = floor / virtual time.
 */
export function physicalFloor(input: PhysicalFloorInput): PhysicalFloor {
  const eraseMs = input.erasedUnitBytes.reduce((sum, b) => sum + eraseUnitMs(input.timing, b), 0);
  const unit = bestProgramUnit(input.timing);
  const programMs = (Math.ceil(input.imageBytes / unit.bytes) * unit.us) / 1000;
  const usbTransferMs = usbPayloadUs(input.imageBytes, input.usb) / 1000;
  const swdTransferMs =
    input.swdSpeedKhz === undefined
      ? 0
      : swdAccessUs(Math.ceil(input.imageBytes / 4), input.swdSpeedKhz) / 1000;
  return {
    eraseMs,
    programMs,
    usbTransferMs,
    swdTransferMs,
    totalMs: eraseMs + programMs + usbTransferMs + swdTransferMs,
  };
}

export interface OverlappedFloorInput extends PhysicalFloorInput {
  /** The transfer includes the SWD time of the payload, so the SWD clock is required. */
  readonly swdSpeedKhz: number;
}

export interface OverlappedFloor {
  readonly eraseMs: number;
  readonly programMs: number;
  /** USB payload time plus SWD time of the payload's words. */
  readonly transferMs: number;
  /** erase + max(program, transfer). */
  readonly totalMs: number;
}

/**
 * The floor for programming through a double-buffered RAM loader, beside physicalFloor():
 * the touched units are erased first (nothing can be programmed before), then the probe
 * moves the payload (USB and SWD) while the flash programs it, so only the slower of the
 * two counts: erase + max(program, transfer). What a loader may still lose against it is
 * the first buffer's transfer and the last buffer's programming, which do not overlap.
 */
export function overlappedFloor(input: OverlappedFloorInput): OverlappedFloor {
  const floor = physicalFloor(input);
  const transferMs = floor.usbTransferMs + floor.swdTransferMs;
  return {
    eraseMs: floor.eraseMs,
    programMs: floor.programMs,
    transferMs,
    totalMs: floor.eraseMs + Math.max(floor.programMs, transferMs),
  };
}
