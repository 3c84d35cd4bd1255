import { BusError, type BusRegion, type BusSize } from '../bus.js';
import type { ChipEnvironment } from '../chip-model.js';
import { FlashBusy } from '../stm32/busy.js';
import { FlashArray, leBytes } from '../stm32/flash-array.js';
import { NRF52_PAGE_BYTES, type Nrf52Part } from './parts.js';

/** NVMC base and register offsets (nRF52840 PS v1.7, "NVMC - Non-volatile memory controller"). */
export const NVMC_BASE = 0x4001e000;
export const NvmcRegister = {
  READY: 0x400,
  READYNEXT: 0x408,
  CONFIG: 0x504,
  ERASEPAGE: 0x508,
  ERASEALL: 0x50c,
  ERASEPCR0: 0x510,
  ERASEUICR: 0x514,
} as const;

/** CONFIG.WEN: read only, write enabled, erase enabled. */
export const NvmcConfig = { REN: 0, WEN: 1, EEN: 2 } as const;

export const UICR_BASE = 0x10001000;
export const UICR_BYTES = 0x1000;

/**
 * The non-volatile memories and their controller: code flash at 0x00000000 in 4 KB pages,
 * the UICR page at 0x10001000, and the NVMC. The cells only go from 1 to 0 when written
 * (a written word is ANDed into the cell, as on silicon: the PS says a word must not be
 * written more than twice between erases, and writing a 1 leaves a 0 a 0); only an erase
 * sets them to 1 again. Writes are whole 32-bit words with CONFIG.WEN = Wen, anything else
 * faults; erases need CONFIG.WEN = Een. Each operation keeps READY at 0 for the part's
 * tWRITE, tERASEPAGE or tERASEALL in virtual time, and a bus access to the flash or UICR
 * meanwhile waits (the AHB stalls).
 */
export class Nrf52Nvmc {
  readonly flash: FlashArray;
  /** UICR words (erased: 0xFFFFFFFF). */
  readonly uicr = new Uint32Array(UICR_BYTES / 4).fill(0xffffffff);
  readonly busy: FlashBusy;
  #config = 0;
  #env: ChipEnvironment | undefined;

  constructor(readonly part: Nrf52Part) {
    const pages = (part.flashKiB * 1024) / NRF52_PAGE_BYTES;
    this.flash = new FlashArray(0, part.flashKiB * 1024, 0xff, [
      { start: 0, sectorBytes: new Array<number>(pages).fill(NRF52_PAGE_BYTES) },
    ]);
    this.busy = new FlashBusy(() => this.#env?.clock);
  }

  attach(env: ChipEnvironment): void {
    this.#env = env;
  }

  reset(): void {
    this.busy.abort();
    this.#config = 0;
  }

  uicrWord(offset: number): number {
    return this.uicr[offset >>> 2] ?? 0xffffffff;
  }

  /** Erases code flash and UICR (CTRL-AP ERASEALL and NVMC ERASEALL). */
  eraseAll(): void {
    this.flash.eraseAll();
    this.uicr.fill(0xffffffff);
  }

  flashRegion(): BusRegion {
    return {
      name: 'code flash',
      start: 0,
      end: this.flash.end,
      read: (address, size) => {
        this.busy.stall();
        return this.flash.read(address, size);
      },
      write: (address, size, value) => {
        this.#checkWrite(address, size);
        this.#program(this.part.writeWordUs, () => {
          const admitted = this.#admit(4);
          this.flash.program(address, leBytes(value, 4), 'and', admitted);
        });
      },
    };
  }

  uicrRegion(): BusRegion {
    return {
      name: 'UICR',
      start: UICR_BASE,
      end: UICR_BASE + UICR_BYTES,
      read: (address, size) => {
        this.busy.stall();
        const word = this.uicrWord((address - UICR_BASE) & ~3);
        const shift = 8 * (address & 3);
        return size === 4 ? word : (word >>> shift) & (size === 1 ? 0xff : 0xffff);
      },
      write: (address, size, value) => {
        this.#checkWrite(address, size);
        const index = (address - UICR_BASE) >>> 2;
        this.#program(this.part.writeWordUs, () => {
          if (this.#admit(4) === 4) this.uicr[index] = (this.uicrWord(index * 4) & value) >>> 0;
        });
      },
    };
  }

  registerRegion(): BusRegion {
    return {
      name: 'NVMC',
      start: NVMC_BASE,
      end: NVMC_BASE + 0x1000,
      read: (address, size) => {
        if (size !== 4) throw new BusError(address, 'NVMC registers are 32-bit');
        return this.#readRegister(address - NVMC_BASE);
      },
      write: (address, size, value) => {
        if (size !== 4) throw new BusError(address, 'NVMC registers are 32-bit');
        this.#writeRegister(address - NVMC_BASE, value >>> 0);
      },
    };
  }

  #readRegister(offset: number): number {
    switch (offset) {
      case NvmcRegister.READY:
        return this.busy.busy ? 0 : 1;
      case NvmcRegister.READYNEXT:
        return this.part.readyNext && !this.busy.busy ? 1 : 0;
      case NvmcRegister.CONFIG:
        return this.#config;
      default:
        return 0;
    }
  }

  #writeRegister(offset: number, value: number): void {
    switch (offset) {
      case NvmcRegister.CONFIG:
        this.busy.stall();
        this.#config = value & 0x3;
        return;
      case NvmcRegister.ERASEPAGE:
      case NvmcRegister.ERASEPCR0: {
        if (this.#config !== NvmcConfig.EEN) return;
        const unit = this.flash.unitAt(value);
        if (!unit || unit.start !== value) return;
        this.#program(this.part.erasePageMs * 1000, () => this.flash.eraseUnit(unit));
        return;
      }
      case NvmcRegister.ERASEALL:
        if (this.#config !== NvmcConfig.EEN || (value & 1) === 0) return;
        this.#program(this.part.eraseAllMs * 1000, () => this.eraseAll());
        return;
      case NvmcRegister.ERASEUICR:
        if (this.#config !== NvmcConfig.EEN || (value & 1) === 0) return;
        this.#program(this.part.erasePageMs * 1000, () => this.uicr.fill(0xffffffff));
        return;
      default:
        return;
    }
  }

  #checkWrite(address: number, size: BusSize): void {
    // PS "NVMC": only full 32-bit words can be written, at word-aligned addresses.
    if (size !== 4 || (address & 3) !== 0) {
      throw new BusError(address, 'the NVMC writes whole 32-bit words only');
    }
    this.busy.stall();
    if (this.#config !== NvmcConfig.WEN) {
      throw new BusError(address, 'write to flash or UICR without NVMC CONFIG.WEN = Wen');
    }
  }

  /** Applies an operation (unless power is gone) and keeps READY low for `durationUs`. */
  #program(durationUs: number, apply: () => void): void {
    this.busy.stall();
    if (this.#env?.faults.powerLost !== true) apply();
    this.busy.start(durationUs);
  }

  #admit(bytes: number): number {
    return this.#env ? this.#env.faults.admitFlashProgram(bytes) : bytes;
  }
}
