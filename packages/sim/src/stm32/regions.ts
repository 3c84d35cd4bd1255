import { BusError, type BusRegion, type BusSize } from '../bus.js';
import { RegisterBlock, type RegisterFile } from './register-block.js';

/** Where main-flash bus accesses go: the family's controller decides what they do. */
export interface FlashPort {
  flashRead(address: number, size: BusSize): number;
  flashWrite(address: number, size: BusSize, value: number): void;
}

/** The main flash (or data EEPROM) on the bus. Accesses into holes between banks fault. */
export class FlashRegion implements BusRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly port: FlashPort,
    readonly isMapped: (address: number, size: number) => boolean,
  ) {}

  read(address: number, size: BusSize): number {
    if (!this.isMapped(address, size)) throw new BusError(address, `${this.name}: no cells here`);
    return this.port.flashRead(address, size);
  }

  write(address: number, size: BusSize, value: number): void {
    if (!this.isMapped(address, size)) throw new BusError(address, `${this.name}: no cells here`);
    this.port.flashWrite(address, size, value);
  }
}

/**
 * The boot alias at 0x00000000: the boot memory (main flash when booting from it) appears
 * there too, which is where the core fetches its reset vectors. Reads follow the flash's
 * rules (read protection included); programming goes through the real addresses.
 */
export class BootAliasRegion implements BusRegion {
  readonly start = 0;

  constructor(
    readonly end: number,
    readonly target: BusRegion,
  ) {}

  get name(): string {
    return `boot alias of ${this.target.name}`;
  }

  read(address: number, size: BusSize): number {
    return this.target.read(this.target.start + address, size);
  }

  write(address: number): void {
    throw new BusError(address, 'the boot alias is read-only; program the flash at 0x08000000');
  }
}

/** Factory-programmed bytes (flash size, unique ID): readable, never writable. */
export class RomRegion implements BusRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    /** The byte at an address; undefined reads as 0xFF (unprogrammed factory cells). */
    readonly byteAt: (address: number) => number | undefined,
  ) {}

  read(address: number, size: BusSize): number {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | (this.byteAt(address + i) ?? 0xff);
    return value >>> 0;
  }

  write(address: number): void {
    throw new BusError(address, `${this.name} is read-only`);
  }
}

/**
 * DBGMCU: IDCODE (DEV_ID in [11:0], REV_ID in [31:16]) is read-only, the freeze and
 * configuration registers after it just hold what the debugger writes.
 */
export function dbgmcuRegion(address: number, idcode: () => number): RegisterBlock {
  const words = new Map<number, number>();
  const registers: RegisterFile = {
    read: (offset) => (offset === 0 ? idcode() : (words.get(offset) ?? 0)),
    write: (offset, value) => {
      if (offset !== 0) words.set(offset, value);
    },
  };
  return new RegisterBlock('DBGMCU', address, address + 0x40, registers);
}

/**
 * An option-byte area as memory: 32-bit words mirroring the non-volatile option bytes, as
 * the family lays them out. Read-only on the bus: options are programmed through the FLASH
 * option registers. `blocked` gives the reason reads fault, if they do (read protection).
 */
export class OptionAreaRegion implements BusRegion {
  readonly end: number;

  constructor(
    readonly name: string,
    readonly start: number,
    /** The words, in address order (a fixed count). */
    readonly words: () => readonly number[],
    readonly blocked: () => string | undefined = () => undefined,
  ) {
    this.end = start + 4 * words().length;
  }

  read(address: number, size: BusSize): number {
    const reason = this.blocked();
    if (reason !== undefined) throw new BusError(address, `${this.name}: ${reason}`);
    const words = this.words();
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const offset = address + i - this.start;
      value = (value << 8) | (((words[offset >>> 2] ?? 0xffffffff) >>> (8 * (offset & 3))) & 0xff);
    }
    return value >>> 0;
  }

  write(address: number): void {
    throw new BusError(address, `${this.name} is programmed through the FLASH option registers`);
  }
}
