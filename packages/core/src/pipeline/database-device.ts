import { FlashwrightError } from '../errors/flashwright-error.js';
import type { AddressRange } from '../image/address-range.js';
import type { MemoryPort } from '../ports/memory-port.js';
import type {
  Device,
  DeviceLayout,
  FlashRegion,
  FlashSize,
  OptionFieldInfo,
  OptionValues,
  ProgressCallback,
  ProtectionState,
} from '../plugin/types.js';

/**
 * A chip behind a memory-only probe that no family could identify. It has no flash
 * algorithm of its own: the pipeline programs it through the probe's flash driver or plain
 * memory writes (see flash-routes.ts), and it knows nothing of protection or option bytes,
 * because the registers that would tell are exactly what could not be read. Its memory is
 * the probe's. Two kinds: DatabaseDevice (the part the recipe names) and MemoryOnlyDevice
 * (no part named: memory-device.ts).
 */
export abstract class UnidentifiedDevice implements Device {
  readonly family: string;
  readonly name: string;
  readonly flash: readonly FlashRegion[];
  readonly ram: readonly AddressRange[];
  readonly flashSize: FlashSize;
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  readonly notes: readonly string[] = [
    'Protection and option bytes are unknown: the chip was not identified, so they were not read.',
  ];
  readonly #memory: MemoryPort;

  protected constructor(options: {
    family: string;
    name: string;
    flash: readonly FlashRegion[];
    ram: readonly AddressRange[];
    flashSize: FlashSize;
    layoutSource: string;
    memory: MemoryPort;
  }) {
    this.family = options.family;
    this.name = options.name;
    this.flash = options.flash;
    this.ram = options.ram;
    this.flashSize = options.flashSize;
    this.facts = { identified: false, layoutSource: options.layoutSource };
    this.#memory = options.memory;
  }

  abstract matches(deviceName: string): boolean;

  /** The error for anything that needs the chip's own registers. */
  abstract notIdentified(what: string): FlashwrightError;

  protection(): Promise<ProtectionState> {
    return Promise.resolve({
      readLevel: 0,
      writeProtected: [],
      summary: 'unknown (the chip was not identified, so its protection was not read)',
    });
  }

  unprotect(): Promise<void> {
    return Promise.reject(this.notIdentified('remove read protection'));
  }

  // The pipeline never routes erase or program here (flash-routes.ts refuses first); these
  // guard against a plugin step calling them.
  erase(): Promise<void> {
    return Promise.reject(this.notIdentified('erase with the family’s flash algorithm'));
  }

  program(): Promise<void> {
    return Promise.reject(this.notIdentified('program with the family’s flash algorithm'));
  }

  async read(
    address: number,
    length: number,
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const data = await this.#memory.read(address, length, signal ? { signal } : {});
    progress({
      operation: 'read',
      range: { start: address, end: address + length },
      doneBytes: length,
      totalBytes: length,
    });
    return data;
  }

  optionFields(): readonly OptionFieldInfo[] {
    return [];
  }

  readOptionBytes(): Promise<OptionValues> {
    return Promise.reject(this.notIdentified('read the option bytes'));
  }

  writeOptionBytes(): Promise<void> {
    return Promise.reject(this.notIdentified('write option bytes'));
  }
}

/**
 * A chip that could not be identified, taken on the recipe's word (`target.device`): its
 * layout comes from the family's device database.
 */
export class DatabaseDevice extends UnidentifiedDevice {
  /** The part as the recipe names it. */
  readonly recipeName: string;

  constructor(options: {
    family: string;
    recipeName: string;
    layout: DeviceLayout;
    memory: MemoryPort;
  }) {
    const flash = options.layout.flash;
    const flashBytes = flash.reduce((sum, r) => sum + (r.end - r.start), 0);
    super({
      family: options.family,
      name: options.layout.name,
      flash,
      ram: options.layout.ram ?? [],
      flashSize: { kib: flashBytes / 1024, source: 'database' },
      layoutSource: `${options.family} device database (target.device: ${options.recipeName})`,
      memory: options.memory,
    });
    this.recipeName = options.recipeName;
  }

  matches(deviceName: string): boolean {
    return deviceName.trim().toUpperCase() === this.recipeName.trim().toUpperCase();
  }

  notIdentified(what: string): FlashwrightError {
    return new FlashwrightError(
      'TARGET_UNKNOWN_DEVICE',
      `Cannot ${what}: the chip was not identified (its layout is taken from target.device ${this.recipeName})`,
      {
        hint: 'Connect through a probe or GDB server that lets the family read the chip’s ID registers (run `flashwright info -v`).',
        source: { keyPath: 'target.device' },
      },
    );
  }
}
