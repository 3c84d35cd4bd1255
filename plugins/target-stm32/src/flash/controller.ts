import type { AddressRange } from '@flashwright/core/image';
import type { FlashRegion, Logger, MemoryPort } from '@flashwright/core/plugin';
import type { OptionRegisterName, Stm32DeviceData } from '@flashwright/stm32-devices';
import type { TargetClock } from './flash-clock.js';
import type { LoaderMode } from './ram-loader.js';
import type { ProtectedRanges } from './status-flags.js';

/** A stretch to program as core planned it: whole write units inside one bank. */
export interface ProgramRun {
  readonly address: number;
  readonly data: Uint8Array;
}

/** What a controller tells while it programs runs. */
export interface RunProgress {
  /** Bytes of `run` the port has put on the bus so far; not yet known to be programmed. */
  sent(run: ProgramRun, bytes: number): void;
  /** `run` is programmed: the controller's status after it showed no error. */
  done(run: ProgramRun): void;
}

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
  /**
   * What stands in for RDP where the part has none (H5 PRODUCT_STATE, H7R/S NVSTATE), e.g.
   * "product state CLOSED (0x72)"; `level` then gives its read-protection role.
   */
  readonly state?: string;
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
  /** SRAM regions, for a RAM flash loader's work area. */
  readonly ram: readonly AddressRange[];
  /** `flash.loader` from the recipe (default auto). */
  readonly loader?: LoaderMode | undefined;
  /** Why no RAM loader can run through this probe, if so. */
  readonly loaderUnavailable?: string | undefined;
  /**
   * Re-attaches after an option reload reset the chip and cut the debug link, and halts the
   * core again. Tolerates the link being up already.
   */
  reattach(): Promise<void>;
  /** System reset with the core halted (F1/F2/F4/F7 load option bytes at reset). */
  resetHalt(): Promise<void>;
}

/**
 * A host-driven flash algorithm for one controller family: sequences only, no planning (core
 * plans what to program, the memory port splits transfers at the probe's limits). Methods
 * that change flash leave the controller locked when they return or throw. An AbortSignal is
 * honoured between units (never inside a started erase or program), so Ctrl-C stops at a
 * safe point.
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
  /**
   * Programs runs that lie in one bank, in order, each handed to the port in one write and
   * its status checked once after it: the error flags are sticky (set by hardware, cleared
   * only by writing 1), so a unit that failed anywhere in the run still shows at its end.
   */
  program(runs: readonly ProgramRun[], progress: RunProgress, signal?: AbortSignal): Promise<void>;
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

/** The bytes a run covers, for messages and status errors. */
export function runRange(run: ProgramRun): AddressRange {
  return { start: run.address, end: run.address + run.data.length };
}

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
