import { bankLayout } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../../bus.js';
import {
  ControllerBase,
  FLASH_BASE,
  spanOf,
  type RdpLevel,
  type Stm32Context,
} from '../controller.js';
import { FlashArray, leBytes, type FlashArrayState } from '../flash-array.js';
import { FlashRegion } from '../regions.js';
import { HalfPageLatches } from './l0-l1-half-page.js';
import { Pecr, PecrRegister, type KeyRegister } from './l0-l1-pecr.js';
import { RegisterBlock } from '../register-block.js';
import {
  LX_OPTION_BASE,
  dataEepromBytes,
  defaultLxOptions,
  loadLxOptions,
  optionWordOffsets,
  type LxLoadedOptions,
} from './l0-l1-options.js';

// STM32L0/L1 NVM interface: RM0038 (L1), RM0377/RM0367 (L0), PM0062; register map and bits
// as CMSIS-L1 (stm32l151xb.h ... stm32l151xe.h) and CMSIS-L0 (stm32l073xx.h) define them,
// sequences as HAL-L0/L1 (stm32l0xx_hal_flash*.c, stm32l1xx_hal_flash*.c) run them.

const Reg = {
  ACR: 0x00,
  PECR: 0x04,
  PDKEYR: 0x08,
  PEKEYR: 0x0c,
  PRGKEYR: 0x10,
  OPTKEYR: 0x14,
  SR: 0x18,
  OBR: 0x1c,
  WRPR: 0x20,
};
/** WRPR2..WRPR4 of the larger parts. */
const WRPR_EXTRA = [0x80, 0x84, 0x88];

const Sr = {
  BSY: 1 << 0,
  EOP: 1 << 1,
  ENDHV: 1 << 2,
  READY: 1 << 3,
  WRPERR: 1 << 8,
  PGAERR: 1 << 9,
  SIZERR: 1 << 10,
  OPTVERR: 1 << 11,
  OPTVERRUSR: 1 << 12,
  /** L0 only. */
  NOTZEROERR: 1 << 16,
  /** L0 only: a write was aborted by a fetch. */
  FWWERR: 1 << 17,
};
const SR_W1C = 0x33f02;
/**
 * The flag an injected `flash-error` raises: WRPERR. RM0038/RM0377 FLASH_SR has no flag for
 * an operation that fails in the cells; WRPERR is how the NVM refuses an erase or program
 * (write protection, a locked PECR, read protection, system memory: RM0377 §3.7.4), the
 * others report a width or alignment (SIZERR, PGAERR), a word that is not zero (L0
 * NOTZEROERR), a fetch abort (L0 FWWERR), option loading (OPTVERR) or a PCROP read (RDERR).
 * Hosts tell it from write protection by the option bytes.
 */
const INJECTED_ERROR = Sr.WRPERR;

/** The STM32L0/L1 NVM controller: program memory, data EEPROM and option bytes. */
export class L0L1Controller extends ControllerBase {
  readonly flash: FlashArray;
  readonly eeprom: FlashArray;
  readonly isL0: boolean;
  readonly #base: number;
  readonly #optionOffsets: number[];
  #nvOptions: Map<number, number>;
  #loaded: LxLoadedOptions;
  readonly #pecr: PecrRegister;
  #sr = 0;
  readonly #halfPage: HalfPageLatches;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const { device, flashKiB } = ctx;
    this.isL0 = device.line === 'STM32L0';
    this.#pecr = new PecrRegister(this.isL0);
    this.#base = device.controller.base;
    this.#halfPage = new HalfPageLatches(device.halfPageBytes ?? (this.isL0 ? 64 : 128));
    const banks = bankLayout(device, flashKiB);
    this.flash = new FlashArray(FLASH_BASE, spanOf(banks), device.erasedValue, banks);
    const eepromBase = device.dataEepromBase ?? 0x08080000;
    const eepromBytes = dataEepromBytes(device);
    this.eeprom = new FlashArray(eepromBase, eepromBytes, 0, [
      { start: eepromBase, sectorBytes: [eepromBytes] },
    ]);
    this.#optionOffsets = optionWordOffsets(flashKiB);
    this.#nvOptions = defaultLxOptions(this.#optionOffsets, ctx.initialRdp);
    this.#loaded = loadLxOptions(this.#nvOptions);
    this.reset();
  }

  rdpLevel(): RdpLevel {
    return this.#loaded.rdpLevel;
  }

  reset(): void {
    this.busy.abort();
    this.#pecr.reset();
    this.#halfPage.clear();
    this.#loaded = loadLxOptions(this.#nvOptions);
    this.#sr = this.#loaded.optVerr ? Sr.OPTVERR : 0;
    if (this.#loaded.optVerrUser && !this.isL0 && this.#optionOffsets.length > 4) {
      this.#sr |= Sr.OPTVERRUSR; // L1 Cat.3 and later only (CMSIS-L1)
    }
  }

  saveState(): Record<string, unknown> {
    const options: Record<string, number> = {};
    for (const [offset, word] of this.#nvOptions) options[offset.toString(16)] = word;
    return { options, eeprom: this.eeprom.saveState() };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const options = state['options'] as Record<string, number> | undefined;
    const eeprom = state['eeprom'] as FlashArrayState | undefined;
    if (!options || !eeprom) throw new TypeError('L0/L1 state needs options and eeprom');
    this.#nvOptions = new Map(
      this.#optionOffsets.map((o) => [o, (options[o.toString(16)] ?? 0) >>> 0] as const),
    );
    this.eeprom.loadState(eeprom);
    this.reset();
  }

  protected mapRegisters(bus: SystemBus): void {
    bus.map(
      new RegisterBlock('FLASH (NVM)', this.#base, this.#base + 0x400, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, size) => this.#writeRegister(offset, value, size),
      }),
    );
    const eeprom = this.eeprom;
    bus.map(
      new FlashRegion(
        'data EEPROM',
        eeprom.base,
        eeprom.end,
        {
          flashRead: (address, size) => this.#eepromRead(address, size),
          flashWrite: (address, size, value) => this.#eepromWrite(address, size, value),
        },
        () => true,
      ),
    );
    // Option words: +0x00..+0x1F, and +0x80.. on parts with more than 6 WRP words.
    const low = this.#optionOffsets.filter((o) => o < 0x80);
    const high = this.#optionOffsets.filter((o) => o >= 0x80);
    for (const group of [low, high]) {
      if (group.length === 0) continue;
      const start = LX_OPTION_BASE + (group[0] ?? 0);
      bus.map({
        name: 'option bytes',
        start,
        end: start + 4 * group.length,
        // Readable at every protection level (RM0038 table "Access vs protection").
        read: (address, size) => {
          const offset = address - LX_OPTION_BASE;
          const word = this.#nvOptions.get(offset & ~3) ?? 0;
          return (word >>> (8 * (offset & 3))) & (size === 4 ? 0xffffffff : (1 << (8 * size)) - 1);
        },
        write: (address, size, value) => this.#writeOption(address, size, value),
      });
    }
  }

  // --- registers ---

  #readRegister(offset: number): number {
    switch (offset) {
      case Reg.PECR:
        return this.#pecr.value;
      case Reg.SR: {
        const busy = this.busy.busy;
        return this.#sr | Sr.READY | (busy ? Sr.BSY : Sr.ENDHV);
      }
      case Reg.OBR:
        return this.#loaded.obr;
      case Reg.WRPR:
        return this.#loaded.wrp[0] ?? 0;
    }
    const extra = WRPR_EXTRA.indexOf(offset);
    return extra >= 0 ? (this.#loaded.wrp[extra + 1] ?? 0) : 0;
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const address = this.#base + offset;
    switch (offset) {
      case Reg.PECR:
        this.#writePecr(value);
        return;
      case Reg.PEKEYR:
      case Reg.PRGKEYR:
      case Reg.OPTKEYR: {
        const which: KeyRegister =
          offset === Reg.PEKEYR ? 'pe' : offset === Reg.PRGKEYR ? 'prg' : 'opt';
        this.#pecr.writeKey(which, address, value, size);
        return;
      }
      case Reg.SR:
        this.#sr &= ~(value & SR_W1C);
        return;
    }
  }

  #writePecr(value: number): void {
    // STM32L1: "PECR can only be changed when the NVM hardware is idle" (BMP stm32l0.c
    // notes); the write waits. L0 accepts PECR writes during an operation.
    if (!this.isL0 && this.busy.busy) this.busy.stall();
    if (this.#pecr.write(value).oblLaunch) {
      // OBL_LAUNCH reloads the option bytes through a system reset (RM0038 §3.9.2).
      if (this.busy.busy) this.busy.stall();
      this.env?.requestSystemReset();
    }
  }

  #finish(error = 0): () => void {
    return () => {
      this.#sr |= error || Sr.EOP;
    };
  }

  /** WRPERR causes shared by program memory, data EEPROM and option bytes (RM0377 §3.7.4). */
  #locked(bit: number): boolean {
    return this.#pecr.has(Pecr.PELOCK | bit) || this.rdpLevel() !== 0;
  }

  #writeProtected(address: number): boolean {
    const sector = Math.floor((address - FLASH_BASE) / 4096);
    return (((this.#loaded.wrp[sector >>> 5] ?? 0) >>> (sector & 31)) & 1) === 1;
  }

  // --- program memory ---

  override flashRead(address: number, size: BusSize): number {
    this.#interruptHalfPage();
    return super.flashRead(address, size);
  }

  flashWrite(address: number, size: BusSize, value: number): void {
    if (this.busy.busy) this.busy.stall();
    const mode = this.#pecr.value & (Pecr.PROG | Pecr.FPRG | Pecr.ERASE | Pecr.DATA);
    if (mode === (Pecr.PROG | Pecr.FPRG)) {
      this.#halfPageWrite(address, size, value);
      return;
    }
    this.#interruptHalfPage();
    if (this.#locked(Pecr.PRGLOCK) || this.#writeProtected(address)) {
      this.#sr |= Sr.WRPERR;
      return;
    }
    if (size !== 4) {
      this.#sr |= Sr.SIZERR; // program memory takes 32-bit writes only
      return;
    }
    if (mode === (Pecr.PROG | Pecr.ERASE)) {
      this.#erasePage(address);
      return;
    }
    this.#programWord(address, value);
  }

  /** Page erase: ERASE|PROG, then write a word (0) anywhere in the page (HAL-L1 FLASH_PageErase). */
  #erasePage(address: number): void {
    const unit = this.flash.unitAt(address);
    if (!unit) return;
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) this.flash.eraseUnit(unit);
    this.busy.start(this.eraseUs(unit.size), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  /**
   * Word write. L0: a target word that is not zero is refused with NOTZEROERR unless
   * NZDISABLE (RM0377). L1 has no such check and no flag for it: the cells can only be
   * driven from 0 to 1, so the word becomes old OR new and its ECC no longer matches (a
   * repeated write on an L152 reading back wrong values: community.st.com thread 440102,
   * "STM32L152 flash access"). Our model of RM0038's silence: program OR, no flag; the
   * host's verify is what catches it.
   */
  #programWord(address: number, value: number): void {
    if (address & 3) {
      this.#sr |= Sr.PGAERR;
      return;
    }
    const unit = this.flash.unitAt(address);
    if (!unit) return;
    if (this.isL0 && !this.#pecr.has(Pecr.NZDISABLE) && this.flash.read(address, 4) !== 0) {
      this.#sr |= Sr.NOTZEROERR;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed) this.commit(address, leBytes(value, 4), 'or');
    this.busy.start(this.programUs(0), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  /**
   * Half-page programming (FPRG|PROG): 32 (L1) or 16 (L0) words written one after another
   * into the latches of one half-page, 32-bit accesses only (SIZERR), all inside the same
   * half-page (PGAERR); programming starts after the last word (PM0062, HAL
   * HAL_FLASHEx_HalfPageProgram). Any other flash access before the last word breaks the
   * sequence: the half-page is abandoned with PGAERR (L1) or FWWERR (L0, "write aborted by
   * a fetch"). RM0038 names no dedicated flag; PGAERR is our choice and programs nothing.
   */
  #halfPageWrite(address: number, size: BusSize, value: number): void {
    if (!this.#halfPage.pending && (this.#locked(Pecr.PRGLOCK) || this.#writeProtected(address))) {
      this.#sr |= Sr.WRPERR;
      return;
    }
    const step = this.#halfPage.write(address, size, value);
    if (step.kind === 'broken') this.#sr |= step.reason === 'size' ? Sr.SIZERR : Sr.PGAERR;
    if (step.kind !== 'complete') return;
    const unit = this.flash.unitAt(step.base);
    if (!unit) return;
    const notZero = !this.flash.isErased(step.base, step.data.length);
    if (this.isL0 && !this.#pecr.has(Pecr.NZDISABLE) && notZero) {
      this.#sr |= Sr.NOTZEROERR;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed) this.commit(step.base, step.data, 'or');
    this.busy.start(this.programUs(1), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  /** Another flash access while the latches fill abandons the half-page. */
  #interruptHalfPage(): void {
    if (!this.#halfPage.pending) return;
    this.#halfPage.clear();
    this.#sr |= this.isL0 ? Sr.FWWERR : Sr.PGAERR;
  }

  // --- data EEPROM ---

  #eepromRead(address: number, size: BusSize): number {
    this.#interruptHalfPage();
    // Data EEPROM is read-protected together with program memory (RM0038 §3.7.1).
    if (this.rdpLevel() !== 0) throw new BusError(address, 'data EEPROM read under RDP level 1');
    if (this.busy.busy) this.busy.stall();
    return this.eeprom.read(address, size);
  }

  /**
   * Data EEPROM: byte, half-word or word writes with PECR unlocked; the word is erased
   * automatically first (HAL-L1 HAL_FLASHEx_DATAEEPROM_Erase just writes 0). Busy time:
   * the program-memory word figure, lacking an EEPROM figure in the timing table.
   */
  #eepromWrite(address: number, size: BusSize, value: number): void {
    this.#interruptHalfPage();
    if (this.busy.busy) this.busy.stall();
    if (this.#locked(0)) {
      this.#sr |= Sr.WRPERR;
      return;
    }
    if (address % size !== 0) {
      this.#sr |= Sr.PGAERR;
      return;
    }
    const erase = (this.#pecr.value & (Pecr.ERASE | Pecr.DATA)) === (Pecr.ERASE | Pecr.DATA);
    if (this.powered) {
      this.eeprom.program(address, leBytes(erase ? 0 : value, size), 'replace');
    }
    this.busy.start(this.programUs(0), this.#finish());
  }

  // --- option bytes ---

  /**
   * Option words are written whole (32-bit), with PELOCK and OPTLOCK cleared; the write
   * erases the word first. Writing an RDP byte of 0xAA while level 1 is in force erases
   * program memory and data EEPROM (RDP regression, RM0038 §3.7.1; OO stm32lx_mass_erase).
   * Options apply at OBL_LAUNCH or reset.
   */
  #writeOption(address: number, size: BusSize, value: number): void {
    this.#interruptHalfPage();
    if (this.busy.busy) this.busy.stall();
    if (this.#pecr.has(Pecr.PELOCK | Pecr.OPTLOCK) || this.rdpLevel() === 2) {
      this.#sr |= Sr.WRPERR;
      return;
    }
    if (size !== 4) {
      this.#sr |= Sr.SIZERR;
      return;
    }
    const offset = address - LX_OPTION_BASE;
    let us = 2 * this.programUs(0); // erase + write of the word
    if (offset === 0 && (value & 0xff) === 0xaa && this.rdpLevel() === 1) {
      if (this.powered) {
        this.flash.eraseAll();
        this.eeprom.eraseAll();
      }
      us += this.massEraseUs();
    }
    if (this.powered) this.#nvOptions.set(offset, value >>> 0);
    this.busy.start(us, this.#finish());
  }
}
