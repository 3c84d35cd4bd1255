import type { AddressRange } from '@flashwright/core/image';
import type { FlashRegion, Logger, MemoryPort } from '@flashwright/core/plugin';
import type { OptionRegisterName, Stm32DeviceData } from '@flashwright/stm32-devices';
import type { TargetClock } from './flash-clock.js';
import type { ProtectedRanges } from './status-flags.js';
import type { ProgramRun } from './program-plan.js';

/** One erase unit: its bank, its index within the bank, and the bytes it covers. */
export interface SectorRef {
  readonly bank: number;
  readonly index: number;
  readonly range: AddressRange;
}

/** Raw option registers by their CMSIS name (see @flashwright/stm32-devices option-layouts). */
export type OptionRegisters = Partial<Record<OptionRegisterName, number>>;

export interface ProtectionInfo {
  /** The RDP byte as loaded (live register), e.g. 0xAA. */
  readonly rdpByte: number;
  readonly level: 0 | 1 | 2;
  readonly writeProtected: readonly AddressRange[];
}

/** What a controller needs from the identified device and the probe. */
export interface ControllerContext {
  readonly memory: MemoryPort;
  readonly data: Stm32DeviceData;
  /** Flash banks in address order; sector indices count within a bank. */
  readonly banks: readonly FlashRegion[];
  readonly clock: TargetClock;
  readonly log: Logger;
  /** F2/F4/F7 and H7: program parallelism in bytes (PSIZE), chosen from the target voltage. */
  readonly parallelismBytes: number;
  /**
   * Re-attaches after an option reload reset the chip and cut the debug link, and halts the
   * core again. Tolerates the link being up already.
   */
  reattach(): Promise<void>;
  /** System reset with the core halted (F1/F2/F4/F7 load option bytes at reset). */
  resetHalt(): Promise<void>;
}

/**
 * A host-driven flash algorithm for one controller family. Methods that change flash leave
 * the controller locked when they return or throw. An AbortSignal is honoured between units
 * (never inside a started erase or program), so Ctrl-C stops at a safe point.
 */
export interface FlashController {
  /** Erases the given sectors in order; `done` is called as each one is known to be erased. */
  eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Erases a whole bank (bank mass erase, or every page where the family has none). */
  eraseBank(bank: number, signal?: AbortSignal): Promise<void>;
  /** Programs a run that lies within one bank; `done` gets the bytes finished so far. */
  program(run: ProgramRun, done: (bytes: number) => void, signal?: AbortSignal): Promise<void>;
  readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters>;
  /** Programs the registers given, then loads them (which may reset the chip and reattach). */
  writeOptionRegisters(values: OptionRegisters, signal?: AbortSignal): Promise<void>;
  readProtection(signal?: AbortSignal): Promise<ProtectionInfo>;
  /** Best-effort relock after an error or interruption. */
  lock(): Promise<void>;
}

/** Timeouts on the target clock. Option writes may include a full mass erase (RDP 1 -> 0). */
export const Timeouts = {
  programMs: 1_000,
  pageEraseMs: 2_000,
  sectorEraseMs: 10_000,
  massEraseMs: 60_000,
  optionMs: 60_000,
} as const;

/** Largest data phase of one probe memory write (ST-Link: 6144 bytes for 16/32-bit access). */
export const CHUNK_BYTES = 6144;

/** RDP level from the RDP byte: level-0 code, level-2 code, anything else is level 1. */
export function rdpLevelOf(data: Stm32DeviceData, rdpByte: number): 0 | 1 | 2 {
  if (rdpByte === data.rdp.level0) return 0;
  if (data.rdp.level2 !== undefined && rdpByte === data.rdp.level2) return 2;
  return 1;
}

/** Which bank a sector index refers to, for controllers that address banks by register. */
export function bankOf(banks: readonly FlashRegion[], address: number): number {
  const index = banks.findIndex((b) => address >= b.start && address < b.end);
  if (index < 0) throw new RangeError(`0x${address.toString(16)} is outside the flash`);
  return index;
}

/** Reads the write-protected ranges of a controller when asked (status-flags.ts). */
export function writeProtectedReader(controller: FlashController): ProtectedRanges {
  return async () => (await controller.readProtection()).writeProtected;
}
