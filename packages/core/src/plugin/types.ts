import type { ConnectMode } from '../config/schema.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { ProbeAccess, ProbeAccessLevel } from '../adiv5/ports.js';
import type { AddressRange } from '../image/address-range.js';
import type { FlashImage } from '../image/flash-image.js';
import type { MemoryPort } from '../ports/memory-port.js';
import type { StepDefinition } from './step-types.js';

export * from './step-types.js';

/**
 * Major version of the plugin API. The loader refuses plugins built for another one.
 * 2: steps declare their confirmation and return an outcome (one step model); typed
 * contracts between core and families (option-field roles, `Device.flashSize`,
 * `Device.optionHazards`, probe warnings with codes).
 * 3: `Probe.access` is a union that carries DP/AP register access (`dap`) and, for probes
 * that only move SWD transactions, the wire core's ADIv5 layer drives.
 */
export const PLUGIN_API_VERSION = 3;

export interface PluginMeta {
  /** The package name, e.g. "@flashwright/transport-stlink". */
  readonly name: string;
  readonly version: string;
  readonly apiVersion: number;
}

/**
 * What a plugin package's named export `plugin(options)` returns. Every slot is optional:
 * a transport plugin fills `transports`, a format plugin `formats`, and so on.
 */
export interface FlashwrightPlugin {
  readonly meta: PluginMeta;
  readonly transports?: readonly TransportFactory[];
  readonly families?: readonly TargetFamily[];
  readonly formats?: readonly ImageFormat[];
  readonly steps?: readonly StepDefinition[];
}

export type PluginFactory = (options?: Readonly<Record<string, unknown>>) => FlashwrightPlugin;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

// ---------------------------------------------------------------------------------------
// Transports

export type { ConnectMode };
export type ResetKind = 'hardware' | 'software' | 'core';

export interface ProbeInfo {
  /** Transport id, e.g. "stlink". */
  readonly transport: string;
  /** Human name, e.g. "ST-Link V2 (clone)". */
  readonly name: string;
  readonly serial?: string | undefined;
  readonly vendorId?: number | undefined;
  readonly productId?: number | undefined;
  readonly hardwareVersion?: string | undefined;
  /** Firmware version string as the vendor prints it, e.g. "V2J37S7". */
  readonly firmwareVersion?: string | undefined;
}

/** One probe seen by `list()`, including probes that cannot be opened and why. */
export interface ProbeListing extends ProbeInfo {
  readonly usable: boolean;
  readonly problem?: { readonly code: ErrorCode; readonly message: string; readonly hint?: string };
}

/** Which probe to open and how. Comes from the recipe's `probe` section and `--probe`. */
export interface ProbeRequest {
  readonly serial?: string | undefined;
  readonly index?: number | undefined;
  /** Transport-specific settings: every other key of the recipe's `probe` section. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Directory of the recipe file, for resolving relative paths (e.g. a virtual state file). */
  readonly recipeDir: string;
  readonly log: Logger;
  /**
   * The recipe's `target.device`, for transports that build the target themselves: the
   * virtual transport simulates this part when `probe.options.device` is not given.
   */
  readonly targetDevice?: string | undefined;
}

/** What `TransportFactory.list` may know of the recipe. */
export type ListContext = Pick<ProbeRequest, 'options' | 'recipeDir' | 'log'>;

export interface TransportFactory {
  /** "stlink", "cmsis-dap", "gdb", "virtual". */
  readonly id: string;
  readonly description: string;
  /**
   * Probes this transport can see. Throws PROBE_NO_USB when the machine has no USB at all.
   * `context` carries the recipe's probe options, for transports whose probes the recipe
   * describes (the virtual transport's `boards`).
   */
  list(signal?: AbortSignal, context?: ListContext): Promise<readonly ProbeListing[]>;
  open(request: ProbeRequest, signal?: AbortSignal): Promise<Probe>;
}

export interface ConnectOptions {
  readonly speedKhz?: number | undefined;
  readonly mode?: ConnectMode | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ConnectResult {
  /** SW-DP identification register, when the probe reports it. */
  readonly dpidr?: number | undefined;
  /** Interface clock actually in use. */
  readonly speedKhz?: number | undefined;
}

export type { ProbeAccess, ProbeAccessLevel };

/** Flash done by the far side (a GDB server's vFlash packets). */
export interface NativeFlashPort {
  readonly regions: readonly {
    readonly start: number;
    readonly end: number;
    readonly blockSize: number;
  }[];
  erase(range: AddressRange, signal?: AbortSignal): Promise<void>;
  write(address: number, data: Uint8Array, signal?: AbortSignal): Promise<void>;
  done(signal?: AbortSignal): Promise<void>;
}

/**
 * One region of the target's memory map as the probe reports it (a GDB server's
 * qXfer:memory-map). "ram" regions take plain memory writes; "flash" regions need an
 * erase/program algorithm (or the probe's nativeFlash); "rom" is read-only.
 */
export interface MemoryMapRegion {
  readonly kind: 'ram' | 'rom' | 'flash';
  readonly start: number;
  readonly end: number;
  /** Erase block size in bytes, for flash regions. */
  readonly blockSize?: number | undefined;
}

export interface ProbeStats {
  /** Simulated time spent, for virtual probes. */
  readonly virtualElapsedMs?: number;
  readonly transfers?: number;
}

/**
 * What a probe warning is about, so that core can act on it without reading its words:
 * - `firmware-outdated`: the probe works, but its firmware lacks things flashwright uses
 *   (doctor's probe-firmware check warns);
 * - `nrst-not-wired`: a hardware reset did not reach the target, so the probe reset it by
 *   software instead (doctor's SWD check warns and says how to wire it);
 * - `clone`: the probe looks like a clone or runs very old firmware (serial, name);
 * - `target-voltage-low`: the probe measured a low target supply while opening;
 * - `other`: anything else worth showing.
 */
/**
 * `slow-link`: the probe's link to the host holds memory transfers far below what the SWD
 * clock allows (small packets, one command at a time), so programming takes much longer.
 */
export type ProbeWarningCode =
  'firmware-outdated' | 'nrst-not-wired' | 'clone' | 'target-voltage-low' | 'slow-link' | 'other';

/** Something the probe noticed, for the user: a code for core, a message for people. */
export interface ProbeWarning {
  readonly code: ProbeWarningCode;
  /** One or two sentences, shown as they are. */
  readonly message: string;
  /** What to do about it, where the transport knows better than core (how to update). */
  readonly hint?: string | undefined;
  /** Values the message is made of (firmware version, volts), for JSON consumers. */
  readonly params?: Readonly<Record<string, string | number>> | undefined;
}

export interface Probe {
  readonly info: ProbeInfo;
  /** How the probe reaches the target; `dap` and `wire` are usable after connect. */
  readonly access: ProbeAccess;
  /**
   * Warnings for the user: found while opening (old firmware, clone quirks) and, appended
   * later, while attaching or resetting (a reset line that does not reach the target).
   */
  readonly warnings: readonly ProbeWarning[];
  connect(options?: ConnectOptions): Promise<ConnectResult>;
  /** Target memory; usable after connect. */
  readonly memory: MemoryPort;
  readonly nativeFlash?: NativeFlashPort | undefined;
  /** The target's memory map, where the probe knows it (GDB servers); usable after connect. */
  readonly memoryMap?: readonly MemoryMapRegion[] | undefined;
  /** Resets the target. `halt` stops the core at the reset vector. */
  reset(kind: ResetKind, options?: { halt?: boolean; signal?: AbortSignal }): Promise<void>;
  /** Target supply in volts, where the probe measures it. */
  targetVoltage?(signal?: AbortSignal): Promise<number | undefined>;
  stats?(): ProbeStats;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Target families

/** A flash region with its erase units. Sectors are sorted and cover [start, end). */
export interface FlashRegion {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly sectors: readonly AddressRange[];
  /** The value of an erased byte: 0xFF on most parts, 0x00 on some (STM32L0/L1). */
  readonly erasedValue: number;
  /** Smallest programmable unit in bytes (2 on F1, 8 on L4, 32 on H7). */
  readonly writeUnitBytes: number;
  /**
   * Typical time to program one write unit, in microseconds (the datasheet's figure; where
   * the controller programs a page of units at once, the page's time shared among its
   * units), so that the planner writes short erased gaps through instead of starting a new
   * transfer.
   */
  readonly programUsPerUnit?: number | undefined;
  /**
   * Where the controller programs a page of write units, aligned, in the time of one unit
   * (STM32L0/L1 half-page: 64 or 128 bytes of 4-byte words), its size in bytes, a multiple
   * of writeUnitBytes. The planner then cuts runs only at page boundaries and skips erased
   * stretches only as whole pages, so that no run ends part-way into a page it could have
   * programmed whole. Undefined: every write unit stands alone.
   */
  readonly programPageBytes?: number | undefined;
}

export interface ProtectionState {
  /** Read protection level: 0 open, 1 flash readout blocked, 2 permanent. */
  readonly readLevel: 0 | 1 | 2;
  /** Write-protected flash ranges. */
  readonly writeProtected: readonly AddressRange[];
  /** One line for humans, e.g. "RDP level 1": the family's own words. */
  readonly summary: string;
}

/** A low-power mode that an option field can turn into a reset. */
export type LowPowerMode = 'stop' | 'standby' | 'shutdown';

/**
 * What an option field means, so that core can reason about it without knowing its name.
 * Values are raw register values of the field.
 */
export type OptionFieldRole =
  /**
   * Read protection. `levelOf` maps a raw value to the level it selects (0 open, 1 flash
   * readout blocked, 2 permanent); which values can never be undone is the field's
   * `isPermanent`.
   */
  | { readonly kind: 'read-protection'; readonly levelOf: (raw: number) => 0 | 1 | 2 }
  /**
   * Write protection, one bit per flash area: `bitRanges[i]` is the flash that bit i covers
   * on this device (empty when the bit covers nothing there). A bit protects its flash when
   * it is set, or when it is clear.
   */
  | {
      readonly kind: 'write-protection';
      readonly protectsWhen: 'bit-set' | 'bit-clear';
      readonly bitRanges: readonly (readonly AddressRange[])[];
    }
  /**
   * One bound of a write-protected area of pages: `area` names the area both bounds
   * share; the area protects `pages[start]` to `pages[end]` (inclusive, the end clipped to
   * the last page) and nothing when start > end.
   */
  | {
      readonly kind: 'write-protection-area';
      readonly area: string;
      readonly bound: 'start' | 'end';
      readonly pages: readonly AddressRange[];
    }
  /**
   * Selects a watchdog that starts at reset and cannot be stopped (`hardwareWhen`), or one
   * the firmware starts (`softwareWhen`). `firstTimeoutMs`: roughly when it first fires
   * after reset, unless the firmware reloads it.
   */
  | {
      readonly kind: 'watchdog';
      readonly hardwareWhen: number;
      readonly softwareWhen: number;
      readonly firstTimeoutMs?: number | undefined;
    }
  /** Makes entering a low-power mode reset the chip (`resetsWhen`) or not (`entersWhen`). */
  | {
      readonly kind: 'low-power-reset';
      readonly mode: LowPowerMode;
      readonly resetsWhen: number;
      readonly entersWhen: number;
    }
  /** Takes part in choosing where the chip boots (the family judges combinations: `Device.optionHazards`). */
  | { readonly kind: 'boot' }
  /** Selects the bank organisation, which changes the flash layout. */
  | { readonly kind: 'bank-mode' }
  /** Free for the firmware (user data bytes); not shown among the settings. */
  | { readonly kind: 'user-data' };

export interface OptionFieldInfo {
  readonly name: string;
  readonly description: string;
  /** Allowed values by name (a read-protection field's levels, say); or a numeric range. */
  readonly values?: Readonly<Record<string, number>> | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  /** What the field means to core: protection, watchdog, low-power reset, boot, bank mode. */
  readonly role?: OptionFieldRole | undefined;
  /**
   * Turns a recipe value into the raw value the device writes, or undefined when it is not
   * one. Without it core's `parseOptionValue` applies: a field's named values first (so the
   * number 2 is read-protection level 2), then 0x-hex and decimal as raw values (0x02 is the
   * byte 2).
   */
  parse?(value: number | string): number | undefined;
  /**
   * True when writing this raw value can never be undone (read protection that disables
   * the debug port for good). The runner then needs the user's own confirmation phrase,
   * never --yes or a preset's.
   */
  isPermanent?(raw: number): boolean;
}

export type OptionValues = Readonly<Record<string, number>>;

/**
 * Something in the option bytes that gets in the way of debugging or booting. Core finds
 * the watchdog and low-power ones from the fields' roles; a family reports the ones only
 * it can see (boot selection spread over fields, a boot address outside the flash) from
 * `Device.optionHazards`. Core words each from its code and values: `fields` are the
 * fields involved with their current values, `fix` the option-bytes values that remove it.
 */
export type OptionHazard = {
  readonly fields: OptionValues;
  readonly fix: OptionValues;
} & (
  | {
      /** A watchdog that starts at reset and cannot be stopped (its first timeout, roughly). */
      readonly code: 'hardware-watchdog';
      readonly firstTimeoutMs?: number | undefined;
    }
  | {
      /** Entering these low-power modes resets the chip, dropping the debug connection. */
      readonly code: 'low-power-reset';
      readonly modes: readonly LowPowerMode[];
    }
  | {
      /**
       * The boot selection is taken from the option bytes and picks the ROM bootloader, so
       * the firmware in flash never starts. `pinFix`: the values that hand the choice back
       * to the boot pin.
       */
      readonly code: 'boots-bootloader';
      readonly pinFix?: OptionValues | undefined;
    }
  | {
      /**
       * A boot-address field points the core outside the flash (`address`; into the ROM
       * bootloader when `romBootloader`). `fix` boots the flash at `fixAddress` (the factory
       * value); `alternative` boots it at another address. `pin`: the boot-pin level this
       * address applies to.
       */
      readonly code: 'boot-address';
      readonly address: number;
      readonly romBootloader: boolean;
      readonly pin?: 'low' | 'high' | undefined;
      readonly fixAddress: number;
      readonly alternative?: { readonly fix: OptionValues; readonly address: number } | undefined;
    }
  | {
      /** The chip boots from another bank (`bank`) whenever that bank holds a valid image. */
      readonly code: 'boots-other-bank';
      readonly bank: number;
    }
  | {
      /**
       * Debug access locks again at every reset unless the option bytes allow it (`fix`) and
       * the firmware writes `value` to `register` at boot. `firmwareHalfMissing`: the option
       * bytes allow it, yet the debug port was found locked, so the firmware does not.
       */
      readonly code: 'debug-relocks';
      readonly register: number;
      readonly value: number;
      readonly firmwareHalfMissing: boolean;
    }
  | {
      /**
       * The pin reset is configured inconsistently (the fields disagree, or name another pin
       * than `pin`), so the reset pin may not reset the chip; `fix` connects it to `pin`.
       */
      readonly code: 'reset-pin';
      readonly pin: string;
    }
);

/** Progress reported by a device while it works; `range` is the part just finished. */
export interface FlashProgress {
  readonly operation: 'erase' | 'program' | 'verify' | 'read' | 'unprotect' | 'option-bytes';
  readonly range?: AddressRange | undefined;
  readonly doneBytes: number;
  readonly totalBytes: number;
}

export type ProgressCallback = (progress: FlashProgress) => void;

export interface TargetContext {
  readonly probe: Probe;
  readonly memory: MemoryPort;
  readonly log: Logger;
  /**
   * How the runner connected (speed, mode), so that a device can re-attach the same way
   * after an option-byte reload resets the chip and drops the debug link.
   */
  readonly connectOptions?: Omit<ConnectOptions, 'signal'> | undefined;
}

/** Extra confirmations for Device.writeOptionBytes. */
export interface WriteOptionBytesOptions {
  /**
   * The user's own confirmation of a permanent value (`confirm: permanently-disable-debug`
   * in their recipe file, or `--confirm permanently-disable-debug`). A device refuses to
   * write a value its field calls permanent without it.
   */
  readonly confirmPermanent?: boolean | undefined;
}

/** A device's flash size and where it came from. */
export interface FlashSize {
  readonly kib: number;
  /**
   * `register`: the chip's flash-size register (with the family's quirks applied);
   * `override`: the recipe's `target.flashSize`; `database`: the family's device database,
   * because the register could not be read or made no sense.
   */
  readonly source: 'register' | 'override' | 'database';
  /** The raw register value, when it was read and says more than `kib` (a quirk, a rejected value). */
  readonly raw?: number | undefined;
  /** Address of the flash-size register. */
  readonly registerAddress?: number | undefined;
  /** The family's explanation: the quirk applied, or why the register was not believed. */
  readonly note?: string | undefined;
  /** How to find the real size when the family had to assume one (the part-number code). */
  readonly hint?: string | undefined;
}

export interface IdentifyOptions {
  /** Override for chips whose flash-size register reads garbage (recipe `target.flashSize`). */
  readonly flashSizeBytes?: number | undefined;
  /**
   * Recipe `flash.loader`: `auto` (default) programs through a RAM loader where the family
   * has one and falls back to host-driven programming with a warning, `ram` makes a loader
   * failure an error, `host` never runs code on the target.
   */
  readonly loader?: 'auto' | 'ram' | 'host' | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** One device of a family's database, for `flashwright devices`. */
export interface DeviceDescriptor {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly flashBase: number;
  readonly maxFlashKiB: number;
  readonly [key: string]: unknown;
}

export interface TargetFamily {
  /** "stm32", "nrf52". */
  readonly id: string;
  readonly description: string;
  /** Reads ID registers; returns undefined when the chip is not of this family. */
  identify(ctx: TargetContext, options?: IdentifyOptions): Promise<Device | undefined>;
  devices?(): readonly DeviceDescriptor[];
  /**
   * The flash layout of a part named in a recipe (`target.device`), from the family's
   * database, so that `run --dry-run` can plan sectors without hardware. Undefined when
   * the family does not know the part.
   */
  layoutOf?(
    deviceName: string,
    options?: { flashSizeBytes?: number | undefined },
  ): DeviceLayout | undefined;
  /**
   * The database entries a full part number as printed on the chip or in an order code
   * ("STM32F411RET6") belongs to, with that part's flash and RAM, for `flashwright devices
   * PART`. Usually one; several when the part number leaves the entry open (no flash-size
   * code). Empty when the name is not a part number this family knows.
   */
  describePart?(partNumber: string): readonly PartDescription[];
}

/** A part number resolved through a family's database (`TargetFamily.describePart`). */
export interface PartDescription {
  /** The part number as the family reads it, e.g. "STM32F411RET6". */
  readonly part: string;
  /** The database entry (as `devices()` lists it). */
  readonly device: DeviceDescriptor;
  /** The part's flash size: from its part number, or the entry's largest when it has no size code. */
  readonly flashKiB: number;
  readonly flashSizeFrom: 'part-number' | 'database';
  /** The flash banks as the part comes from the factory (default bank mode), with their sectors. */
  readonly flash: readonly FlashRegion[];
  readonly ram: readonly AddressRange[];
  /** What the user should know: a size taken from the database, a selectable bank mode. */
  readonly notes: readonly string[];
}

/** A part's memory layout from a device database (no chip attached). */
export interface DeviceLayout {
  /** The part or line name the database uses. */
  readonly name: string;
  readonly flash: readonly FlashRegion[];
  readonly ram?: readonly AddressRange[] | undefined;
  /** The part's option fields, so that --dry-run can check values and permanence. */
  readonly optionFields?: readonly OptionFieldInfo[] | undefined;
}

/** An identified chip, bound to the context it was identified through. */
export interface Device {
  readonly family: string;
  /** Part or line name, e.g. "STM32L1 Cat.2 (L100/L151/L152 x6A/x8A/xBA)". */
  readonly name: string;
  /** Does a recipe's `target.device` (e.g. "STM32L151CBxxA") name this chip? */
  matches(deviceName: string): boolean;
  readonly flash: readonly FlashRegion[];
  readonly ram: readonly AddressRange[];
  /** The flash size and where it came from (doctor's flash-size check). */
  readonly flashSize: FlashSize;
  /**
   * Identification registers as the family names them, e.g. { "PART": "0x413" }: named
   * when the chip is not the part the recipe expects.
   */
  readonly ids?: Readonly<Record<string, string>> | undefined;
  /** Facts for `info` (revision, core, raw register values): shown, never interpreted. */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  /** Quirks applied and other things the user should know. */
  readonly notes: readonly string[];

  protection(signal?: AbortSignal): Promise<ProtectionState>;
  /** RDP 1 to 0. Mass-erases the flash; the caller has obtained confirmation. */
  unprotect(progress: ProgressCallback, signal?: AbortSignal): Promise<void>;
  /** Erases whole sectors (the ranges are sector-aligned) or the whole flash. */
  erase(
    target: readonly AddressRange[] | 'mass',
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Programs erased flash: each block of the image as one run, exactly as given (a block over
   * the boundary of two touching regions, banks, is cut there). Core plans the runs
   * (flash/planner.ts): whole write units, erased stretches already left out; a device
   * refuses a block that is not whole write units as a contract violation (INTERNAL).
   * Progress ranges name only bytes known to be programmed.
   */
  program(image: FlashImage, progress: ProgressCallback, signal?: AbortSignal): Promise<void>;
  read(
    address: number,
    length: number,
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<Uint8Array>;
  /**
   * CRC-32 (zlib's) of a range computed on the chip, where the family can; undefined where it
   * cannot here (e.g. a probe that cannot run code), the device having said why: the caller
   * reads back instead.
   */
  checksum?(range: AddressRange, signal?: AbortSignal): Promise<number | undefined>;
  /**
   * Estimated milliseconds of one `checksum(range)` call through this probe: starting the
   * routine and running it at the core clock the family runs it at. Undefined where the
   * checksum cannot run here or the family cannot tell; verify and the incremental compare in
   * `auto` then read back (they weigh it against MemoryPortLimits.readBytesPerSecond).
   */
  checksumCostMs?(range: AddressRange): number | undefined;
  /**
   * Why code (a RAM flash loader, the on-chip CRC) cannot run on the chip through this probe,
   * once `checksum` has answered undefined; doctor shows it.
   */
  readonly codeUnavailable?: string | undefined;
  /**
   * The chip's factory-programmed unique ID (e.g. the STM32 96-bit UID), bytes in address
   * order, where the family knows where it is. Batch programming records it for every board
   * and binds the board's serial number to it.
   */
  uniqueId?(signal?: AbortSignal): Promise<Uint8Array>;
  optionFields(): readonly OptionFieldInfo[];
  readOptionBytes(signal?: AbortSignal): Promise<OptionValues>;
  /**
   * Hazards in these option values that the fields' roles cannot show on their own (boot
   * selection spread over several fields, a boot address outside the flash). Core adds the
   * ones roles show (watchdog, low-power reset).
   */
  optionHazards?(values: OptionValues): readonly OptionHazard[];
  /** Writes named fields, launches the option reload and reconnects. Caller confirmed. */
  writeOptionBytes(
    values: OptionValues,
    signal?: AbortSignal,
    options?: WriteOptionBytesOptions,
  ): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Image formats

export interface ParseOptions {
  /** For error messages. */
  readonly fileName?: string | undefined;
  /** Load address for formats without addresses (raw binary). */
  readonly base?: number | undefined;
}

export interface SerializeOptions {
  /** Byte for gaps, in formats that cannot express them (raw binary). */
  readonly fill?: number | undefined;
}

/** Formats are pure: bytes in, image out. No I/O. */
export interface ImageFormat {
  /** "ihex", "srec", "elf", "bin". */
  readonly id: string;
  readonly description: string;
  /** Lower-case extensions with the dot: [".hex", ".ihex"]. */
  readonly extensions: readonly string[];
  /** True when the first bytes look like this format. */
  sniff(head: Uint8Array): boolean;
  parse(bytes: Uint8Array, options?: ParseOptions): FlashImage;
  serialize?(image: FlashImage, options?: SerializeOptions): Uint8Array;
}
