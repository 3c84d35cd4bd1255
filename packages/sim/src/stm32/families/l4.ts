import { bankLayout, isDualBank } from '@flashwright/stm32-devices';
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
import {
  type L4RegisterMap,
  l4HasFastProgramming,
  l4HasWaitDataFlag,
  l4PageNumberBits,
  l4ProgramUnitBytes,
  l4RegisterMap,
} from './l4-registers.js';
import { RegisterBlock } from '../register-block.js';
import {
  PCROP_END_NONE,
  PCROP_START_NONE,
  l4OptionAreaBases,
  l4OptionAreas,
  l4OtpRegion,
} from './l4-options.js';

// The double-word flash controller of STM32L4/L4+, G0, G4, WB, WL, C0 and U0: RM0351,
// RM0432, RM0444, RM0440 §3.3, RM0434, RM0453; register map and bits as each family's CMSIS
// header defines them (stm32l476xx.h, stm32l4r5xx.h, stm32g0b1xx.h, stm32g474xx.h, CMSIS-WB/WL).
// The same controller, seen through its non-secure registers with TrustZone disabled, on
// STM32L5 (RM0438, double word), U5 (RM0456, quad word), U3 (RM0487, double word) and WBA
// (RM0493 WBA5x and RM0515 WBA6x quad word, WBA2x double word): l4-registers.ts.
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const OPTKEY1 = 0x08192a3b;
const OPTKEY2 = 0x4c5d6e7f;

const WRP_DEFAULT = 0xff00ffff; // start 0xFF > end 0x00: nothing protected

const Cr = {
  PG: 1 << 0,
  PER: 1 << 1,
  MER1: 1 << 2,
  MER2: 1 << 15,
  STRT: 1 << 16,
  OPTSTRT: 1 << 17,
  FSTPG: 1 << 18,
  EOPIE: 1 << 24,
  ERRIE: 1 << 25,
  OBL_LAUNCH: 1 << 27,
  OPTLOCK: 1 << 30,
  LOCK: 1 << 31,
};
const Sr = {
  EOP: 1 << 0,
  OPERR: 1 << 1,
  PROGERR: 1 << 3,
  WRPERR: 1 << 4,
  PGAERR: 1 << 5,
  SIZERR: 1 << 6,
  PGSERR: 1 << 7,
  MISSERR: 1 << 8,
  FASTERR: 1 << 9,
  OPTWERR: 1 << 13,
  OPTVERR: 1 << 15,
  BSY: 1 << 16,
  WDW: 1 << 17,
};
/** Flags that, left set, make the next operation fail with PGSERR (RM0440 §3.3.7). */
const PROGRAM_ERRORS =
  Sr.PROGERR | Sr.SIZERR | Sr.PGAERR | Sr.PGSERR | Sr.WRPERR | Sr.MISSERR | Sr.FASTERR;
const SR_W1C = PROGRAM_ERRORS | Sr.EOP | Sr.OPERR | Sr.OPTWERR | Sr.OPTVERR | (1 << 14);

/**
 * The flag an injected `flash-error` raises: OPERR, "set by hardware when a Flash memory
 * operation (program / erase) completes unsuccessfully" (RM0351/RM0440 FLASH_SR). Silicon
 * sets it only with CR.ERRIE = 1; the model sets it always, so the failure shows.
 */
const INJECTED_ERROR = Sr.OPERR;

/** Fast programming: the next double word must come within about 2 x 25 µs (RM0440). */
const FAST_WINDOW_US = 50;

/** The STM32L4-family flash controller (double-word programming). */
export class L4Controller extends ControllerBase {
  readonly flash: FlashArray;
  /**
   * CR.BKER position on parts that can run dual-bank (device data: bit 11 in CMSIS-L4
   * stm32l476xx.h and CMSIS-G4 stm32g474xx.h, bit 13 in CMSIS-G0 stm32g0b1xx.h).
   */
  readonly bkerBit: number | undefined;
  readonly #base: number;
  // Non-volatile options: OPTR with the complement the hardware writes next to it, and the
  // WRP area registers; and the copies loaded at the last reset.
  #nvOptr: readonly [number, number];
  #nvWrp: number[];
  #loadedOptr: number;
  #loadedWrp: number[];
  #optVerr = false;
  // Registers.
  #optr: number;
  #wrp: number[];
  #cr = Cr.LOCK | Cr.OPTLOCK;
  #sr = 0;
  #acr = 0;
  readonly #keys = new KeySequence([KEY1, KEY2], 'FLASH_KEYR');
  readonly #optionKeys = new KeySequence([OPTKEY1, OPTKEY2], 'FLASH_OPTKEYR');
  #lockedUntilReset = false;
  /** The words of a program unit written so far, waiting for the last. */
  #pendingWords: { address: number; value: number }[] = [];
  readonly #reg: L4RegisterMap;
  /** 8 (double word) or 16 (U5 quad word). */
  readonly #unitBytes: number;
  #fastDeadlineUs: number | undefined;
  /** The PCROP registers read their fixed values (L4/L4+, where the option area is mapped). */
  readonly #pcrop: boolean;
  /** CR.PNB width (l4-registers.ts). */
  readonly #pnbBits: number;
  /** CR.FSTPG exists (L4 family); reserved on L5/U5/U3/WBA. */
  readonly #fastProgramming: boolean;
  /** SR.WDW exists (U5, U3, WBA). */
  readonly #waitDataFlag: boolean;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const { device, flashKiB } = ctx;
    const select = device.dualBank?.select;
    this.bkerBit = select?.kind === 'bker' ? select.bit : undefined;
    this.#pcrop = l4OptionAreaBases(device).length > 0;
    this.#base = device.controller.base;
    this.#reg = l4RegisterMap(device);
    this.#unitBytes = l4ProgramUnitBytes(device);
    this.#pnbBits = l4PageNumberBits(device, this.bkerBit);
    this.#fastProgramming = l4HasFastProgramming(device);
    this.#waitDataFlag = l4HasWaitDataFlag(device);
    const rdp = ctx.initialRdp === 0 ? 0xaa : ctx.initialRdp === 2 ? 0xcc : 0xbb;
    // Factory OPTR: 0xFFEFF8AA (RM0351, RM0432, RM0440); G0 0xFFFFFEAA (RM0444). The bits
    // that matter here are the RDP byte and the dual-bank bits (set: dual where possible).
    // L5/U5: TZEN (bit 31) clear, TrustZone disabled, as this model assumes.
    const factory =
      device.line === 'STM32G0'
        ? 0xfffffeaa
        : device.controller.kind === 'l5-u5'
          ? 0x7feff8aa
          : 0xffeff8aa;
    const optr = ((factory & ~0xff) | rdp) >>> 0;
    this.#nvOptr = [optr, ~optr >>> 0];
    this.#nvWrp = [WRP_DEFAULT, WRP_DEFAULT, WRP_DEFAULT, WRP_DEFAULT];
    this.#loadedOptr = optr;
    this.#loadedWrp = [...this.#nvWrp];
    this.#optr = optr;
    this.#wrp = [...this.#nvWrp];
    const single = bankLayout(device, flashKiB, { dualBank: false });
    const dual = bankLayout(device, flashKiB, { dualBank: true });
    this.flash = new FlashArray(FLASH_BASE, spanOf(single, dual), device.erasedValue, single);
    this.reset();
  }

  rdpLevel(): RdpLevel {
    const rdp = this.#loadedOptr & 0xff;
    return rdp === 0xaa ? 0 : rdp === 0xcc ? 2 : 1;
  }

  /** Reset and OBL_LAUNCH: relock, reload options (a complement mismatch gives OPTVERR and level 1). */
  reset(): void {
    this.busy.abort();
    this.#cr = Cr.LOCK | Cr.OPTLOCK;
    this.#keys.reset();
    this.#optionKeys.reset();
    this.#lockedUntilReset = false;
    this.#pendingWords = [];
    this.#fastDeadlineUs = undefined;
    const [value, complement] = this.#nvOptr;
    this.#optVerr = (value ^ complement) >>> 0 !== 0xffffffff;
    // A mismatching OPTR loads as protected (RDP byte 0xFF): RM0440 "or even if the
    // complement is not correct".
    this.#loadedOptr = this.#optVerr ? (value | 0xff) >>> 0 : value;
    this.#loadedWrp = [...this.#nvWrp];
    this.#optr = this.#loadedOptr;
    this.#wrp = [...this.#loadedWrp];
    this.#sr = this.#optVerr ? Sr.OPTVERR : 0;
    this.flash.setBanks(bankLayout(this.ctx.device, this.ctx.flashKiB, { dualBank: this.#dual() }));
  }

  saveState(): Record<string, unknown> {
    return { optr: [...this.#nvOptr], wrp: [...this.#nvWrp] };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const optr = state['optr'];
    const wrp = state['wrp'];
    if (!Array.isArray(optr) || optr.length !== 2 || !Array.isArray(wrp) || wrp.length !== 4) {
      throw new TypeError('L4 state needs optr [value, complement] and four wrp registers');
    }
    this.#nvOptr = [Number(optr[0]) >>> 0, Number(optr[1]) >>> 0];
    this.#nvWrp = wrp.map((w) => Number(w) >>> 0);
    this.reset();
  }

  #dual(): boolean {
    return isDualBank(this.ctx.device, this.ctx.flashKiB, { OPTR: this.#loadedOptr });
  }

  protected mapRegisters(bus: SystemBus): void {
    bus.map(
      new RegisterBlock('FLASH', this.#base, this.#base + 0x400, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, size) => this.#writeRegister(offset, value, size),
      }),
    );
    const words = () => ({ optr: this.#nvOptr, wrp: this.#nvWrp });
    for (const region of [
      ...l4OptionAreas(this.ctx.device, words),
      ...l4OtpRegion(this.ctx.device, () => this.rdpLevel()),
    ]) {
      bus.map(region);
    }
  }

  #readRegister(offset: number): number {
    const reg = this.#reg;
    switch (offset) {
      case reg.ACR:
        return this.#acr;
      case reg.SR: {
        const busy = this.busy.busy;
        const waiting = this.#waitDataFlag && this.#pendingWords.length > 0;
        return this.#sr | (busy ? Sr.BSY : 0) | (waiting ? Sr.WDW : 0);
      }
      case reg.CR:
        return this.#cr;
      case reg.OPTR:
        return this.#optr;
    }
    const wrp = reg.WRP.indexOf(offset);
    if (wrp >= 0) return this.#wrp[wrp] ?? 0;
    const pcrop = this.#pcrop ? reg.PCROP.indexOf(offset) : -1;
    return pcrop < 0 ? 0 : pcrop % 2 === 0 ? PCROP_START_NONE : PCROP_END_NONE;
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const address = this.#base + offset;
    const reg = this.#reg;
    switch (offset) {
      case reg.ACR:
        this.#acr = value >>> 0;
        return;
      case reg.KEYR:
        this.#writeKey(address, value, size, false);
        return;
      case reg.OPTKEYR:
        this.#writeKey(address, value, size, true);
        return;
      case reg.SR:
        this.#sr &= ~(value & SR_W1C);
        return;
      case reg.CR:
        this.#writeCr(value);
        return;
      case reg.OPTR:
        if (!(this.#cr & Cr.OPTLOCK)) this.#optr = value >>> 0;
        return;
    }
    const wrp = reg.WRP.indexOf(offset);
    if (wrp >= 0 && !(this.#cr & Cr.OPTLOCK)) this.#wrp[wrp] = value >>> 0;
  }

  /**
   * KEYR unlocks CR; OPTKEYR (accepted only with CR unlocked) clears OPTLOCK. "Any wrong
   * sequence locks up the FLASH_CR register until the next system reset. In the case of a
   * wrong key sequence, a bus error is detected" (RM0440 §3.3.5; RM0444 for OPTKEYR).
   */
  #writeKey(address: number, value: number, size: BusSize, option: boolean): void {
    const lockBit = option ? Cr.OPTLOCK : Cr.LOCK;
    const acceptable =
      !this.#lockedUntilReset &&
      (this.#cr & lockBit) !== 0 &&
      (!option || (this.#cr & Cr.LOCK) === 0);
    const onWrong = () => {
      this.#lockedUntilReset = true;
      this.#keys.reset();
      this.#optionKeys.reset();
      this.#cr |= Cr.LOCK | Cr.OPTLOCK;
    };
    const keys = option ? this.#optionKeys : this.#keys;
    if (keys.write(address, value, size, acceptable, onWrong)) this.#cr &= ~lockBit;
  }

  #writeCr(value: number): void {
    // "Any attempt to write to it with the BSY bit set causes the AHB bus to stall until
    // the BSY bit is cleared" (RM0440 §3.3.5).
    if (this.busy.busy) this.busy.stall();
    if (this.#cr & Cr.LOCK) return;
    // LOCK and OPTLOCK can be set, not cleared, by a write; "If LOCK is set by software,
    // OPTLOCK is automatically set as well" (RM0444).
    let locks = this.#cr & (Cr.LOCK | Cr.OPTLOCK);
    if (value & Cr.LOCK) locks = Cr.LOCK | Cr.OPTLOCK;
    locks |= value & Cr.OPTLOCK;
    if (!this.#fastProgramming) value &= ~Cr.FSTPG; // reserved bit: reads 0, does nothing
    this.#cr =
      ((value & ~(Cr.LOCK | Cr.OPTLOCK | Cr.STRT | Cr.OPTSTRT | Cr.OBL_LAUNCH)) | locks) >>> 0;
    if (!(this.#cr & (Cr.PG | Cr.FSTPG))) this.#pendingWords = [];
    if (locks & Cr.LOCK) return;
    if (value & Cr.OBL_LAUNCH && !(locks & Cr.OPTLOCK)) {
      this.env?.requestSystemReset();
      return;
    }
    if (value & Cr.OPTSTRT && !(locks & Cr.OPTLOCK)) this.#programOptions();
    else if (value & Cr.STRT) this.#startErase(value);
  }

  #finish(error = 0): () => void {
    return () => {
      this.#cr &= ~(Cr.STRT | Cr.OPTSTRT);
      if (error) this.#raise(error);
      else if (this.#cr & Cr.EOPIE) this.#sr |= Sr.EOP; // "set only if ... EOPIE = 1"
    };
  }

  #raise(flag: number): void {
    this.#sr |= flag;
    if (this.#cr & Cr.ERRIE) this.#sr |= Sr.OPERR;
  }

  /** WRP areas: pages start..end of the bank are protected when start <= end. */
  #writeProtected(unit: FlashUnit): boolean {
    const areas = unit.bank === 0 ? [0, 1] : [2, 3];
    return areas.some((i) => {
      const reg = this.#loadedWrp[i] ?? WRP_DEFAULT;
      const start = reg & 0xff;
      const end = (reg >>> 16) & 0xff;
      return start <= end && unit.indexInBank >= start && unit.indexInBank <= end;
    });
  }

  /** WRPERR also covers "the debug features are connected ... when RDP is Level 1". */
  #refused(units: readonly FlashUnit[]): boolean {
    return this.rdpLevel() !== 0 || units.some((u) => this.#writeProtected(u));
  }

  #startErase(value: number): void {
    const modes = value & (Cr.PG | Cr.FSTPG | Cr.PER | Cr.MER1 | Cr.MER2);
    // PGSERR: left-over errors, or PER combined with PG/FSTPG/MER (RM0440 §3.3.7).
    if (this.#sr & PROGRAM_ERRORS || (modes & Cr.PER && modes !== Cr.PER)) {
      this.#raise(Sr.PGSERR);
      return;
    }
    if (modes === Cr.PER) this.#erasePage(value);
    else if (modes & (Cr.MER1 | Cr.MER2) && !(modes & (Cr.PG | Cr.FSTPG))) this.#massErase(modes);
    else if (modes) this.#raise(Sr.PGSERR);
  }

  #erasePage(value: number): void {
    const bker = this.bkerBit;
    const bank = bker !== undefined && (value >>> bker) & 1 ? 1 : 0;
    const page = (value >>> 3) & ((1 << this.#pnbBits) - 1);
    // BKER must stay 0 in single-bank mode; a page past the bank's end is no page. The RMs
    // name no flag for either: PGSERR is our choice.
    const unit = bank === 1 && !this.#dual() ? undefined : this.flash.bankUnits(bank)[page];
    if (!unit) {
      this.#raise(Sr.PGSERR);
      return;
    }
    if (this.#refused([unit])) {
      this.#raise(Sr.WRPERR);
      return;
    }
    this.#cr |= Cr.STRT;
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) this.flash.eraseUnit(unit);
    this.busy.start(this.eraseUs(unit.size), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  #massErase(modes: number): void {
    const dual = this.#dual();
    if (!dual && modes & Cr.MER2) {
      this.#raise(Sr.PGSERR); // no bank 2 to erase
      return;
    }
    const banks = dual ? [modes & Cr.MER1 ? 0 : -1, modes & Cr.MER2 ? 1 : -1] : [0];
    const units = this.flash.units.filter((u) => banks.includes(u.bank));
    if (this.#refused(units)) {
      this.#raise(Sr.WRPERR); // "the mass erase request is aborted (for both banks ...)"
      return;
    }
    this.#cr |= Cr.STRT;
    const failed = units.some((u) => this.injectedFailure(u.start, u.size));
    if (!failed && this.powered) for (const u of units) this.flash.eraseUnit(u);
    this.busy.start(this.massEraseUs(), this.#finish(failed ? INJECTED_ERROR : 0));
  }

  /**
   * Double-word programming (RM0440 §3.3.7): PG set, two 32-bit writes, the first at an
   * 8-byte aligned address and the second in the same double word; programming starts on
   * the second. U5 programs quad words alike, starting on the fourth write (RM0456). SIZERR for byte/half-word writes, PGAERR for misplaced words, PGSERR
   * without PG (or with PER/MER, or with errors left set), PROGERR when the double word is
   * not erased unless the data is all zero.
   */
  flashWrite(address: number, size: BusSize, value: number): void {
    if (this.busy.busy) this.busy.stall();
    const modes = this.#cr & (Cr.PG | Cr.FSTPG | Cr.PER | Cr.MER1 | Cr.MER2);
    if (!(modes & (Cr.PG | Cr.FSTPG)) || modes & (Cr.PER | Cr.MER1 | Cr.MER2)) {
      this.#abortWrite(Sr.PGSERR);
      return;
    }
    if (this.#sr & PROGRAM_ERRORS) {
      this.#abortWrite(Sr.PGSERR);
      return;
    }
    if (size !== 4) {
      this.#abortWrite(Sr.SIZERR);
      return;
    }
    const pending = this.#pendingWords;
    const first = pending[0];
    if (first === undefined) {
      if (address % this.#unitBytes !== 0) {
        this.#abortWrite(Sr.PGAERR);
        return;
      }
    } else if (address !== first.address + 4 * pending.length) {
      this.#abortWrite(Sr.PGAERR);
      return;
    }
    pending.push({ address, value });
    if (pending.length * 4 < this.#unitBytes) return;
    this.#pendingWords = [];
    const start = pending[0]?.address ?? address;
    this.#programUnit(
      start,
      pending.map((w) => w.value),
      (modes & Cr.FSTPG) !== 0,
    );
  }

  #abortWrite(flag: number): void {
    this.#pendingWords = [];
    this.#raise(flag);
  }

  #programUnit(address: number, words: readonly number[], fast: boolean): void {
    const unit = this.flash.unitAt(address);
    if (!unit || this.#refused([unit])) {
      this.#raise(Sr.WRPERR);
      return;
    }
    if (fast) {
      // Fast programming keeps the high voltage on between double words; over a debug
      // port the next one always comes too late: MISSERR (and FASTERR) after the first.
      const now = this.env?.clock.nowUs ?? 0;
      if (this.#fastDeadlineUs !== undefined && now > this.#fastDeadlineUs) {
        this.#fastDeadlineUs = undefined;
        this.#raise(Sr.MISSERR | Sr.FASTERR);
        return;
      }
    } else if (words.some((w) => w !== 0) && !this.flash.isErased(address, this.#unitBytes)) {
      this.#raise(Sr.PROGERR);
      return;
    }
    const data = new Uint8Array(this.#unitBytes);
    words.forEach((word, i) => data.set(leBytes(word, 4), 4 * i));
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed) this.commit(address, data, 'replace');
    this.busy.start(this.programUs(), this.#finish(failed ? INJECTED_ERROR : 0));
    if (fast) this.#fastDeadlineUs = this.busy.untilUs + FAST_WINDOW_US;
  }

  /**
   * OPTSTRT: the option registers are written to the option bytes, the hardware adding the
   * complements (RM0444 §3.4.2). They are "updated into the flash memory, but not applied":
   * the registers read the loaded values again until OBL_LAUNCH or a reset. RDP level 1 ->
   * 0 erases the main flash first (RM0432, RM0444 excerpts). Busy time: one page erase plus
   * the mass erase when regressing (our estimate; the datasheets give no figure).
   */
  #programOptions(): void {
    if (this.rdpLevel() === 2) {
      this.#raise(Sr.WRPERR); // "Attempt to modify the option bytes when ... Level 2"
      return;
    }
    const next = this.#optr >>> 0;
    let us = this.eraseUs(this.flash.units[0]?.size ?? 2048);
    if (this.rdpLevel() === 1 && (next & 0xff) === 0xaa) {
      if (this.powered) this.flash.eraseAll();
      us += this.massEraseUs();
    }
    if (this.powered) {
      this.#nvOptr = [next, ~next >>> 0];
      this.#nvWrp = [...this.#wrp];
    }
    this.#optr = this.#loadedOptr;
    this.#wrp = [...this.#loadedWrp];
    this.#cr |= Cr.OPTSTRT;
    this.busy.start(us, this.#finish());
  }
}
