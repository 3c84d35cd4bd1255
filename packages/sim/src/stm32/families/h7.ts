import { bankLayout } from '@flashwright/stm32-devices';
import type { BusSize, SystemBus } from '../../bus.js';
import {
  ControllerBase,
  FLASH_BASE,
  spanOf,
  type RdpLevel,
  type Stm32Context,
} from '../controller.js';
import { FlashArray, leBytes, type FlashUnit } from '../flash-array.js';
import { KeySequence } from '../key-sequence.js';
import { RegisterBlock } from '../register-block.js';
import {
  Optsr,
  defaultH7Options,
  h7Variant,
  rdpLevelOfOptsr,
  type H7Options,
  type H7Variant,
} from './h7-options.js';

// STM32H7 embedded flash (RM0433 for H742/743/750/753, RM0455 for H7A/B; register map and
// bits as CMSIS-H7 stm32h743xx.h and stm32h7a3xx.h define them).
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const OPTKEY1 = 0x08192a3b;
const OPTKEY2 = 0x4c5d6e7f;

/** Offsets in a bank's register block (bank 2 at +0x100 repeats these). */
const Bank = { KEYR: 0x04, CR: 0x0c, SR: 0x10, CCR: 0x14, WPSN_CUR: 0x38, WPSN_PRG: 0x3c };
/** Registers that exist only in the bank-1 block. */
const Opt = {
  OPTKEYR: 0x08,
  OPTCR: 0x18,
  OPTSR_CUR: 0x1c,
  OPTSR_PRG: 0x20,
  OPTCCR: 0x24,
  BOOT_CUR: 0x40,
  BOOT_PRG: 0x44,
};

const Cr = { LOCK: 1 << 0, PG: 1 << 1, SER: 1 << 2, BER: 1 << 3 };
const Sr = {
  BSY: 1 << 0,
  WBNE: 1 << 1,
  QW: 1 << 2,
  EOP: 1 << 16,
  WRPERR: 1 << 17,
  PGSERR: 1 << 18,
  STRBERR: 1 << 19,
  INCERR: 1 << 21,
  OPERR: 1 << 22,
  RDPERR: 1 << 23,
};
const SR_CLEARABLE = 0x0fef0000;
/** The flag an injected `flash-error` raises: OPERR, "write/erase error" (RM0433 FLASH_SR1). */
const INJECTED_ERROR = Sr.OPERR;
const OPTCR = { OPTLOCK: 1 << 0, OPTSTART: 1 << 1, MER: 1 << 4 };

/** One bank's registers and write buffer. */
class H7Bank {
  locked = true;
  readonly keys: KeySequence;
  cr = 0;
  sr = 0;
  /** The flash word being filled: its address and which bytes have been written. */
  buffer: { address: number; data: Uint8Array; written: boolean[] } | undefined;

  constructor(
    readonly crReset: number,
    register: string,
  ) {
    this.keys = new KeySequence([KEY1, KEY2], register);
    this.reset();
  }

  reset(): void {
    this.locked = true;
    this.keys.reset();
    this.cr = this.crReset & ~Cr.LOCK; // LOCK is read from `locked`
    this.sr = 0;
    this.buffer = undefined;
  }
}

/** The STM32H7 flash interface: flash words, per-bank registers, OPTSR options. */
export class H7Controller extends ControllerBase {
  readonly flash: FlashArray;
  readonly variant: H7Variant;
  readonly #base: number;
  readonly #banks: H7Bank[];
  #nv: H7Options;
  #cur: H7Options;
  #prg: H7Options;
  #optcr = OPTCR.OPTLOCK;
  readonly #optionKeys = new KeySequence([OPTKEY1, OPTKEY2], 'FLASH_OPTKEYR');
  #lockedUntilReset = false;
  #optionOperation = false;
  #optChangeErr = false;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const { device, flashKiB } = ctx;
    this.variant = h7Variant(device);
    this.#base = device.controller.base;
    const banks = bankLayout(device, flashKiB);
    this.flash = new FlashArray(FLASH_BASE, spanOf(banks), device.erasedValue, banks);
    // CR reset 0x31 on H74x (LOCK, PSIZE = x64); H7A/B has no PSIZE: 0x01.
    const crReset = this.variant.cr.psizeShift === undefined ? Cr.LOCK : 0x31;
    this.#banks = banks.map((_, i) => new H7Bank(crReset, `FLASH_KEYR${i + 1}`));
    this.#nv = defaultH7Options(ctx.initialRdp, banks.length, this.variant);
    this.#cur = cloneOptions(this.#nv);
    this.#prg = cloneOptions(this.#nv);
  }

  protected override get hasBootAlias(): boolean {
    return false; // 0x00000000 is ITCM RAM; the core boots from BOOT_ADD0
  }

  override bootAddress(): number {
    return ((this.#cur.boot & 0xffff) << 16) >>> 0;
  }

  rdpLevel(): RdpLevel {
    return rdpLevelOfOptsr(this.#cur.optsr);
  }

  reset(): void {
    this.busy.abort();
    for (const bank of this.#banks) bank.reset();
    this.#optcr = OPTCR.OPTLOCK;
    this.#optionKeys.reset();
    this.#lockedUntilReset = false;
    this.#optionOperation = false;
    this.#cur = cloneOptions(this.#nv);
    this.#prg = cloneOptions(this.#nv);
  }

  saveState(): Record<string, unknown> {
    return { options: cloneOptions(this.#nv) };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const options = state['options'] as H7Options | undefined;
    if (!options || typeof options.optsr !== 'number' || !Array.isArray(options.wpsn)) {
      throw new TypeError('H7 state needs options {optsr, wpsn, boot}');
    }
    this.#nv = cloneOptions(options);
    this.reset();
  }

  protected mapRegisters(bus: SystemBus): void {
    const size = this.#banks.length > 1 ? 0x200 : 0x100;
    bus.map(
      new RegisterBlock('FLASH', this.#base, this.#base + size, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, accessSize) => this.#writeRegister(offset, value, accessSize),
      }),
    );
  }

  #bankRegister(offset: number): { bank: H7Bank; index: number; local: number } | undefined {
    const index = offset >= 0x100 ? 1 : 0;
    const bank = this.#banks[index];
    const local = offset - 0x100 * index;
    if (!bank || !Object.values(Bank).includes(local)) return undefined;
    return { bank, index, local };
  }

  #readRegister(offset: number): number {
    const busy = this.busy.busy;
    const flashBusy = busy && !this.#optionOperation;
    const reg = this.#bankRegister(offset);
    if (reg) {
      const { bank, index, local } = reg;
      switch (local) {
        case Bank.CR:
          return bank.cr | (bank.locked ? Cr.LOCK : 0);
        case Bank.SR:
          return bank.sr | (bank.buffer ? Sr.WBNE : 0) | (flashBusy ? Sr.BSY | Sr.QW : 0);
        case Bank.WPSN_CUR:
          return this.#cur.wpsn[index] ?? 0;
        case Bank.WPSN_PRG:
          return this.#prg.wpsn[index] ?? 0;
        default:
          return 0;
      }
    }
    switch (offset) {
      case Opt.OPTCR:
        return this.#optcr;
      case Opt.OPTSR_CUR:
        return (
          (this.#cur.optsr & ~(Optsr.OPT_BUSY | Optsr.OPTCHANGEERR)) |
          (busy && this.#optionOperation ? Optsr.OPT_BUSY : 0) |
          (this.#optChangeErr ? Optsr.OPTCHANGEERR : 0)
        );
      case Opt.OPTSR_PRG:
        return this.#prg.optsr;
      case Opt.BOOT_CUR:
        return this.#cur.boot;
      case Opt.BOOT_PRG:
        return this.#prg.boot;
      default:
        return 0;
    }
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const reg = this.#bankRegister(offset);
    if (reg) {
      this.#writeBankRegister(reg.bank, reg.index, reg.local, value, size);
      return;
    }
    const optionsOpen = !(this.#optcr & OPTCR.OPTLOCK);
    switch (offset) {
      case Opt.OPTKEYR:
        this.#writeOptKey(value, size);
        return;
      case Opt.OPTCR:
        this.#writeOptcr(value);
        return;
      case Opt.OPTSR_PRG:
        if (optionsOpen) this.#prg.optsr = value >>> 0;
        return;
      case Opt.OPTCCR:
        if (value & Optsr.OPTCHANGEERR) this.#optChangeErr = false;
        return;
      case Opt.BOOT_PRG:
        if (optionsOpen) this.#prg.boot = value >>> 0;
        return;
    }
  }

  #writeBankRegister(bank: H7Bank, index: number, local: number, value: number, size: BusSize) {
    const address = this.#base + 0x100 * index + local;
    switch (local) {
      case Bank.KEYR: {
        // "Any wrong sequence locks up the FLASH_CRx register until the next system reset"
        // with a bus error (RM0433 §4.5.1, as on the other families).
        const acceptable = bank.locked && !this.#lockedUntilReset;
        const onWrong = () => {
          this.#lockedUntilReset = true;
          bank.locked = true;
        };
        if (bank.keys.write(address, value, size, acceptable, onWrong)) bank.locked = false;
        return;
      }
      case Bank.CR:
        this.#writeCr(bank, index, value);
        return;
      case Bank.CCR:
        bank.sr &= ~(value & SR_CLEARABLE);
        return;
      case Bank.WPSN_PRG:
        if (!(this.#optcr & OPTCR.OPTLOCK)) this.#prg.wpsn[index] = value >>> 0;
        return;
    }
  }

  #writeCr(bank: H7Bank, index: number, value: number): void {
    if (this.busy.busy) this.busy.stall();
    if (bank.locked) return;
    const { fw, start } = this.variant.cr;
    if (value & Cr.LOCK) {
      bank.locked = true;
      bank.cr = value & ~(Cr.LOCK | start | fw);
      return;
    }
    bank.cr = value & ~(start | fw);
    // WBNE: the buffer is emptied when "the application software has disabled write
    // operations in this bank" (RM0433 FLASH_SR1 description).
    if (!(value & Cr.PG) && !(value & fw)) bank.buffer = undefined;
    if (value & fw && bank.buffer) this.#programBuffer(bank);
    if (!(value & start)) return;
    if (value & Cr.BER) this.#eraseBanks([index]);
    else if (value & Cr.SER) this.#eraseSector(bank, index, value);
  }

  #finish(bank: H7Bank | undefined, error = 0): () => void {
    return () => {
      if (!bank) return;
      bank.sr |= error || Sr.EOP;
    };
  }

  /** A read at RDP level 1 also raises RDPERR ("read access to ... a RDP-protected area"). */
  override flashRead(address: number, size: BusSize): number {
    if (this.rdpLevel() !== 0) {
      const bank = this.#banks[this.flash.unitAt(address)?.bank ?? 0];
      if (bank) bank.sr |= Sr.RDPERR;
    }
    return super.flashRead(address, size);
  }

  #protected(unit: FlashUnit): boolean {
    const bit = Math.floor(unit.indexInBank / this.variant.sectorsPerWpsnBit);
    return (((this.#cur.wpsn[unit.bank] ?? 0) >>> bit) & 1) === 0;
  }

  #eraseSector(bank: H7Bank, index: number, value: number): void {
    const { snbShift, snbMask } = this.variant.cr;
    const unit = this.flash.bankUnits(index)[(value >>> snbShift) & snbMask];
    // No sector, a protected one, or read protection with the debugger attached: WRPERR
    // (RM0433 §4.3.10 write protection; an invalid sector number is our reading).
    if (!unit || this.rdpLevel() !== 0 || this.#protected(unit)) {
      bank.sr |= Sr.WRPERR;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) this.flash.eraseUnit(unit);
    this.busy.start(this.eraseUs(unit.size), this.#finish(bank, failed ? INJECTED_ERROR : 0));
  }

  /** Bank erase (CR.BER) or both banks (OPTCR.MER). Time: a sector erase per sector. */
  #eraseBanks(indices: number[]): void {
    const units = this.flash.units.filter((u) => indices.includes(u.bank));
    const first = this.#banks[indices[0] ?? 0];
    if (this.rdpLevel() !== 0 || units.some((u) => this.#protected(u))) {
      if (first) first.sr |= Sr.WRPERR;
      return;
    }
    const failed = units.some((u) => this.injectedFailure(u.start, u.size));
    if (!failed && this.powered) for (const u of units) this.flash.eraseUnit(u);
    const us = units.reduce((sum, u) => sum + this.eraseUs(u.size), 0);
    this.#optionOperation = false;
    this.busy.start(us, this.#finish(first, failed ? INJECTED_ERROR : 0));
  }

  /**
   * Writes fill the flash-word buffer (any access size); the word is programmed when its
   * last byte arrives, or early by CR.FW (missing bytes stay erased). PGSERR without PG;
   * INCERR when a write lands in another flash word before the buffer is complete; STRBERR
   * when a byte of the buffer is written twice (RM0433 §4.3.9, §4.9.5). Programming a word
   * that is not erased is "not recommended" (ECC): the model ANDs the data, no flag.
   */
  flashWrite(address: number, size: BusSize, value: number): void {
    if (this.busy.busy) this.busy.stall();
    const unit = this.flash.unitAt(address);
    const index = unit?.bank ?? 0;
    const bank = this.#banks[index];
    if (!bank || !unit) return;
    if (bank.locked || !(bank.cr & Cr.PG)) {
      bank.sr |= Sr.PGSERR;
      return;
    }
    const wordBytes = this.variant.flashWordBytes;
    const wordAddress = address & ~(wordBytes - 1);
    if (bank.buffer && bank.buffer.address !== wordAddress) {
      bank.buffer = undefined;
      bank.sr |= Sr.INCERR;
      return;
    }
    const buffer = (bank.buffer ??= {
      address: wordAddress,
      data: new Uint8Array(wordBytes).fill(0xff),
      written: Array.from({ length: wordBytes }, () => false),
    });
    const bytes = leBytes(value, size);
    const offset = address - wordAddress;
    for (let i = 0; i < size; i++) {
      if (buffer.written[offset + i]) {
        bank.buffer = undefined;
        bank.sr |= Sr.STRBERR;
        return;
      }
    }
    bytes.forEach((b, i) => {
      buffer.data[offset + i] = b;
      buffer.written[offset + i] = true;
    });
    if (buffer.written.every(Boolean)) this.#programBuffer(bank);
  }

  #programBuffer(bank: H7Bank): void {
    const buffer = bank.buffer;
    bank.buffer = undefined;
    if (!buffer) return;
    const unit = this.flash.unitAt(buffer.address);
    if (!unit || this.rdpLevel() !== 0 || this.#protected(unit)) {
      bank.sr |= Sr.WRPERR;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed) this.commit(buffer.address, buffer.data, 'and');
    this.#optionOperation = false;
    // One flash word: 100 µs at x64 (DS12110), the only parallelism in the timing table.
    this.busy.start(this.programUs(), this.#finish(bank, failed ? INJECTED_ERROR : 0));
  }

  #writeOptKey(value: number, size: BusSize): void {
    const acceptable = (this.#optcr & OPTCR.OPTLOCK) !== 0 && !this.#lockedUntilReset;
    const onWrong = () => {
      this.#lockedUntilReset = true;
      this.#optcr |= OPTCR.OPTLOCK;
    };
    const address = this.#base + Opt.OPTKEYR;
    if (this.#optionKeys.write(address, value, size, acceptable, onWrong)) {
      this.#optcr &= ~OPTCR.OPTLOCK;
    }
  }

  #writeOptcr(value: number): void {
    if (this.busy.busy) this.busy.stall();
    if (this.#optcr & OPTCR.OPTLOCK) return;
    this.#optcr = (value & ~(OPTCR.OPTSTART | OPTCR.MER)) >>> 0;
    if (value & OPTCR.MER) this.#eraseBanks(this.#banks.map((_, i) => i));
    else if (value & OPTCR.OPTSTART) this.#startOptionChange();
  }

  /**
   * OPTSTART programs OPTSR_PRG, WPSN_PRGx and BOOT_PRG and applies them once OPT_BUSY
   * drops: H7 has no OBL_LAUNCH bit (CMSIS-H7 FLASH_OPTCR_*) and HAL-H7's
   * HAL_FLASH_OB_Launch (stm32h7xx_hal_flash.c) only sets OPTSTART and waits for OPT_BUSY.
   * Unconfirmed: that every option (BOOT addresses, SWAP_BANK) applies without a reset.
   * Level 1 -> 0 mass-erases both banks while OPT_BUSY is set; any change at level 2 fails
   * with OPTCHANGEERR. Busy time: the regression erase, or one sector erase.
   */
  #startOptionChange(): void {
    if (this.rdpLevel() === 2) {
      this.#optChangeErr = true;
      return;
    }
    const next = cloneOptions(this.#prg);
    let us = this.eraseUs(this.flash.units[0]?.size ?? 131072);
    if (this.rdpLevel() === 1 && rdpLevelOfOptsr(next.optsr) === 0) {
      if (this.powered) this.flash.eraseAll();
      us += this.flash.units.reduce((sum, u) => sum + this.eraseUs(u.size), 0);
    }
    if (this.powered) this.#nv = cloneOptions(next);
    this.#optionOperation = true;
    this.busy.start(us, () => {
      this.#optionOperation = false;
      this.#cur = cloneOptions(this.#nv);
    });
  }
}

function cloneOptions(options: H7Options): H7Options {
  return { optsr: options.optsr >>> 0, wpsn: [...options.wpsn], boot: options.boot >>> 0 };
}
