import { bankLayout } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../../bus.js';
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
import { bytesToHex, hexToBytes } from './hex.js';
import {
  FPEC_OPTION_BASE,
  FPEC_OPTION_BYTES,
  defaultOptionBlock,
  loadOptions,
  obrValue,
  pageWriteProtected,
  rdpCode,
  wrprValue,
  type FpecLoadedOptions,
  type FpecVariant,
} from './f0-f1-f3-options.js';

// FPEC of STM32F0/F1/F3 (PM0075 for F1, RM0091 for F0, RM0316 for F3; register and bit
// positions as CMSIS-F1 stm32f103xg.h, CMSIS-F0 stm32f091xc.h and CMSIS-F3 stm32f303xc.h
// define them).
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;

const Reg = {
  ACR: 0x00,
  KEYR: 0x04,
  OPTKEYR: 0x08,
  SR: 0x0c,
  CR: 0x10,
  AR: 0x14,
  OBR: 0x1c,
  WRPR: 0x20,
};
/** STM32F1 XL density: bank-2 registers at +0x40 (CMSIS-F1 stm32f103xg.h FLASH_TypeDef). */
const BANK2_OFFSET = 0x40;

const Cr = {
  PG: 1 << 0,
  PER: 1 << 1,
  MER: 1 << 2,
  OPTPG: 1 << 4,
  OPTER: 1 << 5,
  STRT: 1 << 6,
  LOCK: 1 << 7,
  OPTWRE: 1 << 9,
  ERRIE: 1 << 10,
  EOPIE: 1 << 12,
  /** F0/F3 only; reserved on F1. */
  OBL_LAUNCH: 1 << 13,
};
const CR_WRITABLE = Cr.PG | Cr.PER | Cr.MER | Cr.OPTPG | Cr.OPTER | Cr.ERRIE | Cr.EOPIE;

const Sr = { BSY: 1 << 0, PGERR: 1 << 2, WRPRTERR: 1 << 4, EOP: 1 << 5 };
const SR_W1C = Sr.PGERR | Sr.WRPRTERR | Sr.EOP;
/**
 * The flag an injected `flash-error` raises: PGERR, the one error flag of FLASH_SR besides
 * the write-protection one (RM0008 FLASH_SR: PGERR, WRPRTERR). Silicon sets it for a
 * half-word that was not erased; an erase that fails raises no flag at all.
 */
const INJECTED_ERROR = Sr.PGERR;

/** One set of KEYR/SR/CR/AR: bank 1, or bank 2 of an F1 XL part. */
class FpecBank {
  locked = true;
  /** A wrong key sequence locks the FPEC until the next reset. */
  lockedUntilReset = false;
  readonly keys = new KeySequence([KEY1, KEY2], 'FLASH_KEYR');
  cr = Cr.LOCK;
  sr = 0;
  ar = 0;

  reset(): void {
    this.locked = true;
    this.lockedUntilReset = false;
    this.keys.reset();
    this.cr = Cr.LOCK;
    this.sr = 0;
    this.ar = 0;
  }
}

/** The STM32F0/F1/F3 flash program/erase controller. */
export class F0F1F3Controller extends ControllerBase {
  readonly flash: FlashArray;
  readonly variant: FpecVariant;
  readonly #base: number;
  readonly #banks: FpecBank[];
  #optionBlock: Uint8Array;
  #loaded: FpecLoadedOptions;
  #acr = 0x30;
  readonly #optionKeys = new KeySequence([KEY1, KEY2], 'FLASH_OPTKEYR');

  constructor(ctx: Stm32Context) {
    super(ctx);
    const { device } = ctx;
    this.variant = device.line === 'STM32F1' ? 'f1' : 'f0-f3';
    this.#base = device.controller.base;
    // F1 XL (0x430): bank 1 is the first 512 KiB, bank 2 the rest, with its own
    // KEYR2/SR2/CR2/AR2 (device data dualBank; CMSIS-F1 stm32f103xg.h FLASH_TypeDef).
    const banks = bankLayout(device, ctx.flashKiB);
    this.flash = new FlashArray(FLASH_BASE, spanOf(banks), device.erasedValue, banks);
    this.#banks = banks.map(() => new FpecBank());
    this.#optionBlock = defaultOptionBlock(this.variant, ctx.initialRdp);
    this.#loaded = loadOptions(this.variant, this.#optionBlock);
  }

  rdpLevel(): RdpLevel {
    return this.#loaded.rdpLevel;
  }

  reset(): void {
    this.busy.abort();
    for (const bank of this.#banks) bank.reset();
    this.#optionKeys.reset();
    this.#acr = 0x30;
    // Option bytes are loaded at every system reset and power-on (PM0075 §2.5).
    this.#loaded = loadOptions(this.variant, this.#optionBlock);
  }

  saveState(): Record<string, unknown> {
    return { optionBytes: bytesToHex(this.#optionBlock) };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const hex = state['optionBytes'];
    if (typeof hex !== 'string') throw new TypeError('FPEC state lacks optionBytes');
    const block = hexToBytes(hex);
    if (block.length !== FPEC_OPTION_BYTES) throw new RangeError('FPEC option block is 16 bytes');
    this.#optionBlock = block;
    this.reset();
  }

  protected mapRegisters(bus: SystemBus): void {
    bus.map(
      new RegisterBlock('FLASH (FPEC)', this.#base, this.#base + 0x400, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, size) => this.#writeRegister(offset, value, size),
      }),
    );
    bus.map({
      name: 'option bytes',
      start: FPEC_OPTION_BASE,
      end: FPEC_OPTION_BASE + FPEC_OPTION_BYTES,
      // "Always read-accessible" whatever the protection level (PM0075).
      read: (address, size) => readLe(this.#optionBlock, address - FPEC_OPTION_BASE, size),
      write: (address, size, value) => this.#writeOptionByte(address, size, value),
    });
  }

  #bankOf(address: number): FpecBank {
    const unit = this.flash.unitAt(address);
    return this.#banks[unit?.bank ?? 0] ?? (this.#banks[0] as FpecBank);
  }

  #readRegister(offset: number): number {
    const bankIndex = offset >= BANK2_OFFSET && this.#banks.length > 1 ? 1 : 0;
    const bank = this.#banks[bankIndex];
    const local = bankIndex === 1 ? offset - BANK2_OFFSET : offset;
    if (!bank) return 0;
    const busy = this.busy.busy;
    if (bankIndex === 0 && offset === Reg.ACR) return this.#acr;
    switch (local) {
      case Reg.SR:
        return bank.sr | (busy ? Sr.BSY : 0);
      case Reg.CR:
        return bank.cr;
      case Reg.AR:
        return bank.ar;
    }
    if (bankIndex === 0 && offset === Reg.OBR) return obrValue(this.variant, this.#loaded);
    if (bankIndex === 0 && offset === Reg.WRPR) return wrprValue(this.#loaded);
    return 0;
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const bankIndex = offset >= BANK2_OFFSET && this.#banks.length > 1 ? 1 : 0;
    const bank = this.#banks[bankIndex];
    const local = bankIndex === 1 ? offset - BANK2_OFFSET : offset;
    if (!bank) return;
    if (bankIndex === 0 && offset === Reg.ACR) {
      this.#acr = value & 0x3f;
      return;
    }
    const address = this.#base + offset;
    switch (local) {
      case Reg.KEYR:
        this.#writeKey(bank, address, value, size);
        return;
      case Reg.OPTKEYR:
        if (bankIndex === 0) this.#writeOptionKey(bank, address, value, size);
        return;
      case Reg.SR:
        bank.sr &= ~(value & SR_W1C);
        return;
      case Reg.CR:
        this.#writeCr(bank, bankIndex, value);
        return;
      case Reg.AR:
        // FLASH_AR is written while BSY is clear only; a busy FPEC stalls the write.
        if (this.busy.busy) this.busy.stall();
        bank.ar = value >>> 0;
        return;
    }
  }

  /**
   * KEYR: KEY1 then KEY2 unlocks CR. Anything else, including a key write while already
   * unlocked (OO stm32f1x.c: "otherwise writing on STM32_FLASH_KEYR will fail"), is a wrong
   * sequence: the FPEC and CR stay locked until the next reset and the write gets a bus
   * error (PM0075 §2.3.1, RM0091 §3.2.2).
   */
  #writeKey(bank: FpecBank, address: number, value: number, size: BusSize): void {
    const acceptable = bank.locked && !bank.lockedUntilReset;
    if (bank.keys.write(address, value, size, acceptable, () => this.#lockUntilReset(bank))) {
      bank.locked = false;
      bank.cr &= ~Cr.LOCK;
    }
  }

  /** OPTKEYR: the same keys, accepted only while CR is unlocked; sets CR.OPTWRE. */
  #writeOptionKey(bank: FpecBank, address: number, value: number, size: BusSize): void {
    const acceptable = !bank.locked && !bank.lockedUntilReset;
    if (
      this.#optionKeys.write(address, value, size, acceptable, () => this.#lockUntilReset(bank))
    ) {
      bank.cr |= Cr.OPTWRE;
    }
  }

  #lockUntilReset(bank: FpecBank): void {
    bank.lockedUntilReset = true;
    bank.locked = true;
    bank.cr = (bank.cr | Cr.LOCK) & ~Cr.OPTWRE;
  }

  #writeCr(bank: FpecBank, bankIndex: number, value: number): void {
    // A busy FPEC stalls the AHB until the operation ends; what the embassy F1 driver's
    // history (commit 4239a438) reports for a genuine STM32F103 writing without waiting.
    if (this.busy.busy) this.busy.stall();
    if (bank.locked) return; // CR is read-only while locked
    if (value & Cr.LOCK) {
      bank.locked = true;
      bank.cr = Cr.LOCK | (value & CR_WRITABLE);
      return;
    }
    const optwre = value & Cr.OPTWRE ? bank.cr & Cr.OPTWRE : 0;
    bank.cr = (value & CR_WRITABLE) | optwre;
    if (value & Cr.OBL_LAUNCH && this.variant === 'f0-f3' && bankIndex === 0) {
      // F0/F3: OBL_LAUNCH reloads the option bytes through a system reset (RM0091 §3.5.5).
      this.env?.requestSystemReset();
      return;
    }
    if (!(value & Cr.STRT)) return;
    bank.cr |= Cr.STRT;
    if (value & Cr.PER) this.#erasePage(bank);
    else if (value & Cr.MER) this.#massErase(bank, bankIndex);
    else if (value & Cr.OPTER && bankIndex === 0) this.#eraseOptions(bank);
    else bank.cr &= ~Cr.STRT;
  }

  #finish(bank: FpecBank, errorFlag = 0): () => void {
    return () => {
      bank.cr &= ~Cr.STRT;
      bank.sr |= errorFlag || Sr.EOP;
    };
  }

  #erasePage(bank: FpecBank): void {
    const unit = this.flash.unitAt(bank.ar);
    if (!unit || this.#banks[unit.bank] !== bank) {
      // An address outside this bank's pages erases nothing and never signals EOP.
      bank.cr &= ~Cr.STRT;
      return;
    }
    const error = this.#refusal(unit);
    if (error) {
      bank.cr &= ~Cr.STRT;
      bank.sr |= error;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) this.flash.eraseUnit(unit);
    this.busy.start(this.eraseUs(unit.size), this.#finish(bank, failed ? INJECTED_ERROR : 0));
  }

  #massErase(bank: FpecBank, bankIndex: number): void {
    const units = this.flash.bankUnits(bankIndex);
    if (units.some((u) => this.#writeProtected(u))) {
      bank.cr &= ~Cr.STRT;
      bank.sr |= Sr.WRPRTERR;
      return;
    }
    const failed = units.some((u) => this.injectedFailure(u.start, u.size));
    if (!failed && this.powered) for (const u of units) this.flash.eraseUnit(u);
    this.busy.start(this.massEraseUs(), this.#finish(bank, failed ? INJECTED_ERROR : 0));
  }

  #eraseOptions(bank: FpecBank): void {
    if (!(bank.cr & Cr.OPTWRE)) {
      bank.cr &= ~Cr.STRT;
      return;
    }
    if (this.powered) this.#optionBlock.fill(0xff);
    this.busy.start(this.eraseUs(this.flash.units[0]?.size ?? 1024), this.#finish(bank));
  }

  /**
   * Why a program or page erase of `unit` is refused, as an SR flag. Read protection with
   * the debugger connected blocks both (RM0365 §4.3.1: "a program/erase attempt sets
   * PGERR"); a WRP bit at 0 gives WRPRTERR.
   */
  #refusal(unit: FlashUnit): number {
    if (this.#loaded.rdpLevel !== 0) return Sr.PGERR;
    if (this.#writeProtected(unit)) return Sr.WRPRTERR;
    return 0;
  }

  #writeProtected(unit: FlashUnit): boolean {
    return pageWriteProtected(wrprValue(this.#loaded), unit.index, unit.size);
  }

  flashWrite(address: number, size: BusSize, value: number): void {
    const bank = this.#bankOf(address);
    if (this.busy.busy) this.busy.stall();
    // Without PG the FPEC does not program; F0/F1/F3 have no sequence-error flag, so the
    // write is simply lost (RM0091 §3.2.2: "The program operation is started when the CPU
    // writes a half-word ... with the PG bit ... set").
    if (!(bank.cr & Cr.PG)) return;
    if (size !== 2) {
      // PM0075 §2.3.3: "Any attempt to write data that are not half-word long will result
      // in a bus error response from the FPEC."
      throw new BusError(address, 'the FPEC programs half-words only');
    }
    const unit = this.flash.unitAt(address);
    if (!unit) return;
    const error = this.#refusal(unit);
    if (error) {
      bank.sr |= error;
      return;
    }
    // PM0075 §2.3.3 and HAL-F1: a half-word that is not 0xFFFF is skipped with PGERR,
    // except that 0x0000 can always be written.
    const current = this.flash.read(address, 2);
    if (current !== 0xffff && (value & 0xffff) !== 0) {
      bank.sr |= Sr.PGERR;
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed) this.commit(address, leBytes(value, 2), 'replace');
    this.busy.start(this.programUs(), this.#finish(bank, failed ? INJECTED_ERROR : 0));
  }

  /**
   * Option byte programming: OPTPG with OPTWRE, half-word writes; the FPEC writes the low
   * byte and its complement itself (HAL-F1 writes 0x00A5 to OB->RDP). A half-word that is
   * not erased gives PGERR. Programming the level-0 RDP code while protection is active
   * first mass-erases the main flash (PM0075 §2.4.1 "Readout unprotection").
   */
  #writeOptionByte(address: number, size: BusSize, value: number): void {
    const bank = this.#banks[0];
    if (!bank) return;
    if (this.busy.busy) this.busy.stall();
    if (!(bank.cr & Cr.OPTPG) || !(bank.cr & Cr.OPTWRE)) return;
    if (size !== 2) throw new BusError(address, 'option bytes are programmed as half-words');
    const offset = (address - FPEC_OPTION_BASE) & ~1;
    if (readLe(this.#optionBlock, offset, 2) !== 0xffff) {
      bank.sr |= Sr.PGERR;
      return;
    }
    const byte = value & 0xff;
    let durationUs = this.programUs();
    if (offset === 0 && byte === rdpCode(this.variant, 0) && this.#loaded.rdpLevel !== 0) {
      if (this.powered) this.flash.eraseAll();
      durationUs += this.massEraseUs();
    }
    if (this.powered) {
      this.#optionBlock[offset] = byte;
      this.#optionBlock[offset + 1] = ~byte & 0xff;
    }
    this.busy.start(durationUs, this.#finish(bank));
  }
}

function readLe(bytes: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = (value << 8) | (bytes[offset + i] ?? 0xff);
  return value >>> 0;
}
