import { bankLayout, isDualBank } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../../bus.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import { ControllerBase, FLASH_BASE, type RdpLevel, type Stm32Context } from '../controller.js';
import { FlashArray, leBytes, type FlashUnit } from '../flash-array.js';
import { KeySequence } from '../key-sequence.js';
import { OptionAreaRegion } from '../regions.js';
import { RegisterBlock } from '../register-block.js';
import {
  Optcr,
  f2f4f7OptionAreas,
  f2f4f7OptionWords,
  f2f4f7Variant,
  rdpLevelOf,
  sectorWriteProtected,
  withRdp,
  type F2f4f7Variant,
} from './f2-f4-f7-options.js';

// STM32F2/F4/F7 flash interface: RM0090 §3 (F405/F42x), RM0033 (F2), RM0385/RM0410 (F7);
// register bits as the CMSIS-F2/F4/F7 headers define FLASH_CR_*/FLASH_SR_* (OpenOCD
// src/flash/nor/stm32f2x.c uses the same).
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const OPTKEY1 = 0x08192a3b;
const OPTKEY2 = 0x4c5d6e7f;

const Reg = { ACR: 0x00, KEYR: 0x04, OPTKEYR: 0x08, SR: 0x0c, CR: 0x10, OPTCR: 0x14, OPTCR1: 0x18 };

const Cr = {
  PG: 1 << 0,
  SER: 1 << 1,
  MER: 1 << 2,
  /** Bank-2 mass erase (MER1 in RM0090, MER2 in CMSIS). */
  MER2: 1 << 15,
  STRT: 1 << 16,
  EOPIE: 1 << 24,
  ERRIE: 1 << 25,
  LOCK: 1 << 31,
};
const Sr = {
  EOP: 1 << 0,
  OPERR: 1 << 1,
  WRPERR: 1 << 4,
  PGAERR: 1 << 5,
  PGPERR: 1 << 6,
  PGSERR: 1 << 7,
  BSY: 1 << 16,
};
const SR_W1C = Sr.EOP | Sr.OPERR | Sr.WRPERR | Sr.PGAERR | Sr.PGPERR | Sr.PGSERR | (1 << 8);
/**
 * The flag an injected `flash-error` raises: PGSERR. RM0090 FLASH_SR has no flag for an
 * operation that fails in the cells: OPERR (only with CR.ERRIE = 1) sums up the others,
 * WRPERR is protection, PGAERR and PGPERR are alignment and width; the sequence error is the
 * stand-in that a host without ERRIE sees.
 */
const INJECTED_ERROR = Sr.PGSERR;

/** The STM32F2/F4/F7 flash interface: sectors, PSIZE parallelism, OPTCR options, OTP. */
export class F2F4F7Controller extends ControllerBase {
  readonly flash: FlashArray;
  readonly variant: F2f4f7Variant;
  readonly #base: number;
  readonly #otp: Uint8Array;
  // Non-volatile option bytes (as register images) and what the last reset loaded.
  #nvOptcr: number;
  #nvOptcr1: number;
  #loadedOptcr: number;
  #loadedOptcr1: number;
  // Registers.
  #optcr: number;
  #optcr1: number;
  #cr = Cr.LOCK;
  #sr = 0;
  #acr = 0;
  readonly #keys = new KeySequence([KEY1, KEY2], 'FLASH_KEYR');
  #crLockedUntilReset = false;
  readonly #optionKeys = new KeySequence([OPTKEY1, OPTKEY2], 'FLASH_OPTKEYR');
  #optLockedUntilReset = false;

  constructor(ctx: Stm32Context) {
    super(ctx);
    this.variant = f2f4f7Variant(ctx.device);
    this.#base = ctx.device.controller.base;
    this.#nvOptcr = withRdp(this.variant.optcrDefault, ctx.initialRdp);
    this.#nvOptcr1 = this.variant.optcr1Default;
    this.#loadedOptcr = this.#nvOptcr;
    this.#loadedOptcr1 = this.#nvOptcr1;
    this.#optcr = this.#nvOptcr;
    this.#optcr1 = this.#nvOptcr1;
    this.flash = new FlashArray(
      FLASH_BASE,
      ctx.flashKiB * 1024,
      ctx.device.erasedValue,
      this.#layout(),
    );
    this.#otp = new Uint8Array(16 * this.variant.otp.blockBytes + 16).fill(0xff);
  }

  #layout() {
    return bankLayout(this.ctx.device, this.ctx.flashKiB, { dualBank: this.#dual() });
  }

  /** Dual bank: F42x/F469 2 MiB or OPTCR.DB1M, F76x OPTCR.nDBANK = 0 (device data; stm32f2x.c). */
  #dual(): boolean {
    return isDualBank(this.ctx.device, this.ctx.flashKiB, { OPTCR: this.#loadedOptcr });
  }

  protected override get hasBootAlias(): boolean {
    // F7: 0x00000000 is ITCM RAM; the boot address comes from OPTCR1.BOOT_ADD0.
    return !this.variant.isF7;
  }

  rdpLevel(): RdpLevel {
    return rdpLevelOf(this.#loadedOptcr);
  }

  reset(): void {
    this.busy.abort();
    this.#cr = Cr.LOCK;
    this.#sr = 0;
    this.#acr = 0;
    this.#keys.reset();
    this.#crLockedUntilReset = false;
    this.#optionKeys.reset();
    this.#optLockedUntilReset = false;
    // "The option bits are loaded with values from flash memory at reset release."
    this.#loadedOptcr = this.#nvOptcr;
    this.#loadedOptcr1 = this.#nvOptcr1;
    this.#optcr = this.#nvOptcr | Optcr.OPTLOCK;
    this.#optcr1 = this.#nvOptcr1;
    this.flash.setBanks(this.#layout());
  }

  saveState(): Record<string, unknown> {
    return { optcr: this.#nvOptcr, optcr1: this.#nvOptcr1, otp: bytesToBase64(this.#otp) };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const { optcr, optcr1, otp } = state;
    if (typeof optcr !== 'number' || typeof optcr1 !== 'number' || typeof otp !== 'string') {
      throw new TypeError('F2/F4/F7 state needs optcr, optcr1 and otp');
    }
    this.#nvOptcr = optcr >>> 0;
    this.#nvOptcr1 = optcr1 >>> 0;
    this.#otp.set(base64ToBytes(otp).subarray(0, this.#otp.length));
    this.reset();
  }

  protected mapRegisters(bus: SystemBus): void {
    bus.map(
      new RegisterBlock('FLASH', this.#base, this.#base + 0x400, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, size) => this.#writeRegister(offset, value, size),
      }),
    );
    const otp = this.variant.otp.base;
    bus.map({
      name: 'OTP',
      start: otp,
      end: otp + this.#otp.length,
      read: (address, size) => {
        // RM0090 Table 18: OTP not readable from debug at level 1.
        if (this.rdpLevel() !== 0) throw new BusError(address, 'OTP read under RDP level 1');
        return readLe(this.#otp, address - otp, size);
      },
      write: (address, size, value) => this.#program(address, size, value, 'otp'),
    });
    for (const area of f2f4f7OptionAreas(this.variant)) {
      const values = () => area.values(this.#nvOptcr, this.#nvOptcr1);
      bus.map(
        new OptionAreaRegion(
          'option bytes',
          area.base,
          () => f2f4f7OptionWords(values()),
          // Readable by the debugger at level 1 (RM0090 §3.7.3, table "Access versus
          // read protection level"). blackmagic issue #654 (PR #655) reports such a read
          // failing on one protected F4; where a peer and the manual disagree, the model
          // follows the manual.
          () => undefined,
        ),
      );
    }
  }

  #readRegister(offset: number): number {
    switch (offset) {
      case Reg.ACR:
        return this.#acr;
      case Reg.SR: {
        const busy = this.busy.busy; // first: an operation that just ended sets EOP
        return this.#sr | (busy ? Sr.BSY : 0);
      }
      case Reg.CR:
        return this.#cr;
      case Reg.OPTCR:
        return this.#optcr;
      case Reg.OPTCR1:
        return this.variant.optcr1Wrp || this.variant.isF7 ? this.#optcr1 : 0;
      default:
        return 0;
    }
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const address = this.#base + offset;
    switch (offset) {
      case Reg.ACR:
        this.#acr = value & 0x1f0f;
        return;
      case Reg.KEYR:
        this.#writeKey(address, value, size);
        return;
      case Reg.OPTKEYR:
        this.#writeOptKey(address, value, size);
        return;
      case Reg.SR:
        this.#sr &= ~(value & SR_W1C);
        return;
      case Reg.CR:
        this.#writeCr(value);
        return;
      case Reg.OPTCR:
        this.#writeOptcr(value);
        return;
      case Reg.OPTCR1:
        if (this.busy.busy) this.busy.stall();
        if (!(this.#optcr & Optcr.OPTLOCK)) this.#optcr1 = value >>> 0;
        return;
    }
  }

  /** "Any wrong sequence returns a bus error and lock up the FLASH_CR register until the next reset." */
  #writeKey(address: number, value: number, size: BusSize): void {
    const acceptable = (this.#cr & Cr.LOCK) !== 0 && !this.#crLockedUntilReset;
    const onWrong = () => {
      this.#crLockedUntilReset = true;
      this.#cr |= Cr.LOCK;
    };
    if (this.#keys.write(address, value, size, acceptable, onWrong)) this.#cr &= ~Cr.LOCK;
  }

  /** OPTKEYR clears OPTCR.OPTLOCK; after a failed sequence "this bit remains set until the next reset". */
  #writeOptKey(address: number, value: number, size: BusSize): void {
    const acceptable = (this.#optcr & Optcr.OPTLOCK) !== 0 && !this.#optLockedUntilReset;
    const onWrong = () => {
      this.#optLockedUntilReset = true;
      this.#optcr |= Optcr.OPTLOCK;
    };
    if (this.#optionKeys.write(address, value, size, acceptable, onWrong)) {
      this.#optcr &= ~Optcr.OPTLOCK;
    }
  }

  #writeCr(value: number): void {
    // RM0090 §3.6.1 note: a CR write while BSY stalls the AHB until BSY clears.
    if (this.busy.busy) this.busy.stall();
    if (this.#cr & Cr.LOCK) return;
    this.#cr = (value & ~Cr.STRT) >>> 0;
    if (value & Cr.LOCK) return;
    if (!(value & Cr.STRT)) return;
    if (value & (Cr.MER | Cr.MER2)) this.#massErase(value);
    else if (value & Cr.SER) this.#eraseSector((value >>> 3) & 0x1f);
    // STRT with neither SER nor MER: "unpredictable behavior ... without generating any
    // error flag" (RM0090 §3.6.3); the model does nothing.
  }

  #finish(error = 0): () => void {
    return () => {
      this.#cr &= ~Cr.STRT;
      if (error) this.#raise(error);
      else if (this.#cr & Cr.EOPIE) this.#sr |= Sr.EOP; // EOP only with EOPIE (RM0090 §3.9.5)
    };
  }

  /** An error flag, plus OPERR when error interrupts are enabled (RM0090 §3.6.6). */
  #raise(flag: number): void {
    this.#sr |= flag;
    if (this.#cr & Cr.ERRIE) this.#sr |= Sr.OPERR;
  }

  /** SNB to a sector: bank-2 sectors are (i | 0x10) on dual-bank parts (RM0090 §3.9.8). */
  #sectorOf(snb: number): FlashUnit | undefined {
    const bank = this.#dual() && snb & 0x10 ? 1 : 0;
    const index = bank === 1 ? snb & 0xf : snb;
    return this.flash.bankUnits(bank)[index];
  }

  #eraseSector(snb: number): void {
    this.#cr |= Cr.STRT;
    const unit = this.#sectorOf(snb);
    // WRPERR: "a sector erase is requested and the Sector Number SNB field is not valid",
    // on a write-protected sector, or with read protection and the debugger connected.
    if (!unit || this.rdpLevel() !== 0 || this.#protected(unit)) {
      this.#cr &= ~Cr.STRT;
      this.#raise(Sr.WRPERR);
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) this.flash.eraseUnit(unit);
    this.busy.start(this.eraseUs(unit.size), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  #massErase(value: number): void {
    this.#cr |= Cr.STRT;
    const banks = this.#dual() ? [value & Cr.MER ? 0 : -1, value & Cr.MER2 ? 1 : -1] : [0];
    const units = this.flash.units.filter((u) => banks.includes(u.bank));
    // "a mass erase cannot be performed if one of the sectors is write-protected".
    if (this.rdpLevel() !== 0 || units.some((u) => this.#protected(u))) {
      this.#cr &= ~Cr.STRT;
      this.#raise(Sr.WRPERR);
      return;
    }
    const failed = units.some((u) => this.injectedFailure(u.start, u.size));
    if (!failed && this.powered) for (const u of units) this.flash.eraseUnit(u);
    const us = this.massEraseUs() * (units.length / this.flash.units.length);
    this.busy.start(us, this.#finish(failed ? INJECTED_ERROR : 0));
  }

  #protected(unit: FlashUnit): boolean {
    return sectorWriteProtected(
      this.variant,
      unit,
      this.#dual(),
      this.#loadedOptcr,
      this.#loadedOptcr1,
    );
  }

  flashWrite(address: number, size: BusSize, value: number): void {
    this.#program(address, size, value, 'main');
  }

  /** A write into main flash or OTP: programming, if CR is set up for it (RM0090 §3.6.4). */
  #program(address: number, size: BusSize, value: number, area: 'main' | 'otp'): void {
    if (this.busy.busy) this.busy.stall();
    // "if there is an attempt to write to a flash memory address when the PG bit is not
    // set, the operation is aborted and ... PGSERR is set".
    if (!(this.#cr & Cr.PG)) {
      this.#raise(Sr.PGSERR);
      return;
    }
    const psizeBytes = 1 << ((this.#cr >>> 8) & 3);
    if (size !== psizeBytes) {
      // x64 needs a 64-bit access, which a 32-bit AHB-AP can never make.
      this.#raise(Sr.PGPERR);
      return;
    }
    if ((address & 15) + size > 16) {
      this.#raise(Sr.PGAERR); // the data would cross a 128-bit row
      return;
    }
    if (area === 'otp') {
      this.#programOtp(address, size, value);
      return;
    }
    const unit = this.flash.unitAt(address);
    if (!unit || this.rdpLevel() !== 0 || this.#protected(unit)) {
      this.#raise(Sr.WRPERR);
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    // "Successive write operations are possible without the need of an erase operation
    // when changing bits from '1' to '0'": programming ANDs.
    if (!failed) this.commit(address, leBytes(value, size), 'and');
    this.busy.start(this.programUs(), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  /** OTP: 16 data blocks then 16 lock bytes; a block whose lock byte is 0x00 is frozen. */
  #programOtp(address: number, size: BusSize, value: number): void {
    const offset = address - this.variant.otp.base;
    const lockBase = 16 * this.variant.otp.blockBytes;
    const block = Math.floor(offset / this.variant.otp.blockBytes);
    const locked = offset < lockBase && this.#otp[lockBase + block] === 0x00;
    if (locked || this.rdpLevel() !== 0) {
      this.#raise(Sr.WRPERR);
      return;
    }
    if (this.powered) {
      const data = leBytes(value, size);
      data.forEach((b, i) => (this.#otp[offset + i] = (this.#otp[offset + i] ?? 0xff) & b));
    }
    this.busy.start(this.programUs(), this.#finish());
  }

  #writeOptcr(value: number): void {
    if (this.busy.busy) this.busy.stall();
    if (this.#optcr & Optcr.OPTLOCK) return; // only OPTLOCK itself could change, and it is set
    this.#optcr = (value & ~Optcr.OPTSTRT) >>> 0;
    if (value & Optcr.OPTLOCK || !(value & Optcr.OPTSTRT)) return;
    this.#startOptionProgramming();
  }

  /**
   * OPTSTRT: the user configuration sector is erased and reprogrammed with OPTCR/OPTCR1
   * (RM0090 §3.7.2). Level 1 -> 0 mass-erases flash first (RM0090 §3.7.3). The new values take
   * effect at the next reset. Busy time: a 16 KiB sector erase for the configuration
   * sector (our estimate; no datasheet figure), plus the mass erase when regressing.
   */
  #startOptionProgramming(): void {
    const next = (this.#optcr & ~(Optcr.OPTLOCK | Optcr.OPTSTRT)) >>> 0;
    let us = this.eraseUs(16 * 1024);
    if (this.rdpLevel() === 1 && rdpLevelOf(next) === 0) {
      if (this.powered) this.flash.eraseAll();
      us += this.massEraseUs();
    }
    if (this.powered) {
      this.#nvOptcr = next | Optcr.OPTLOCK;
      this.#nvOptcr1 = this.#optcr1;
    }
    // OPTSTRT reads 1 until BSY clears.
    this.#optcr |= Optcr.OPTSTRT;
    this.busy.start(us, () => {
      this.#optcr &= ~Optcr.OPTSTRT;
      this.#finish()();
    });
  }
}

function readLe(bytes: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = (value << 8) | (bytes[offset + i] ?? 0xff);
  return value >>> 0;
}
