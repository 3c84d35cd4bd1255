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
import { type EflashVariant, eflashVariant } from './eflash-variants.js';

// STM32H5 (RM0481, RM0492) and H7R/S (RM0477) flash interface: 128-bit flash words filled
// through a write buffer, 8 KiB sectors, H5 with two banks. Registers: eflash-variants.ts.
// TrustZone is disabled (H5 OPTSR2_CUR/PRG.TZEN reads 0xC3, HAL-H5 OB_TZEN_DISABLE; 0xB4
// would enable it, as GetFlashSecureMode in Open-CMSIS-Pack/STM32H5xx_DFP CMSIS/Flash/STM32H5xx/FlashPrg.c tests; the H503 has
// no TrustZone and reads 0): the model has only the non-secure
// registers; SECKEYR/SECCR, the secure watermarks, HDP areas, OBK keys, OTP, EDATA, the
// CRC unit and option-byte programming are not modelled.
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const OPTKEY1 = 0x08192a3b;
const OPTKEY2 = 0x4c5d6e7f;

const WORD_BYTES = 16;
const Cr = { LOCK: 1 << 0, PG: 1 << 1, SER: 1 << 2, BER: 1 << 3, FW: 1 << 4 };
/** SR: BSY 0, WBNE 1, QW 2 (H7R/S); H5 has BSY, WBNE and DBNE (3). */
const Sr = { BSY: 1 << 0, WBNE: 1 << 1, QW: 1 << 2 };
const OPTCR = { OPTLOCK: 1 << 0, START: 1 << 1 };
/** H7R/S CR.ALL_BANKS: with BER, every sector. */
const ALL_BANKS = 1 << 24;
/** H5 FLASH_ECCDETR (0x104): ECCD, bit 31, a double ECC error was detected. */
const H5_ECCDETR = 0x104;
const ECCD = 1 << 31;
/** H5 FLASH_OPTSR2_CUR and _PRG: TZEN in bits 31:24. */
const H5_OPTSR2 = [0x70, 0x74];
const TZEN_DISABLED = 0xc3 << 24;
/** H7R/S FLASH_ECCDFADDR: the address of the first double ECC error. */
const H7RS_ECCDFADDR = 0x44;

/** The STM32H5 / H7R/S flash interface, TrustZone disabled. */
export class EflashController extends ControllerBase {
  readonly flash: FlashArray;
  readonly variant: EflashVariant;
  readonly #base: number;
  readonly #keys = new KeySequence([KEY1, KEY2], 'FLASH_KEYR');
  readonly #optionKeys = new KeySequence([OPTKEY1, OPTKEY2], 'FLASH_OPTKEYR');
  #locked = true;
  #lockedUntilReset = false;
  #cr = 0;
  #flags = 0;
  #optcr = OPTCR.OPTLOCK;
  /** The flash word being filled: its address, data and which bytes have been written. */
  #buffer: { address: number; data: Uint8Array; written: boolean[] } | undefined;
  /** Non-volatile: product state and write protection per bank. */
  #nvState: number;
  #nvWrp: number[];
  #state: number;
  #wrp: number[];
  /** Flash words programmed twice: their ECC no longer matches (cleared by erase). */
  readonly #eccBroken = new Set<number>();
  #eccFailAddress = 0;
  #eccd = false;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const variant = eflashVariant(ctx.device);
    if (!variant) throw new TypeError(`${ctx.device.name} has no H5 or H7R/S flash interface`);
    this.variant = variant;
    this.#base = ctx.device.controller.base;
    const banks = bankLayout(ctx.device, ctx.flashKiB);
    this.flash = new FlashArray(FLASH_BASE, spanOf(banks), ctx.device.erasedValue, banks);
    const { open, closed, locked } = variant.states;
    if (ctx.initialRdp === 2 && locked === undefined) {
      throw new RangeError(`${ctx.device.name} has no permanent protection state`);
    }
    const state = ctx.initialRdp === 0 ? open : ctx.initialRdp === 1 ? closed : (locked ?? closed);
    this.#nvState = this.#stateRegister(state);
    this.#nvWrp = banks.map(() => 0xffffffff);
    this.#state = this.#nvState;
    this.#wrp = [...this.#nvWrp];
  }

  /** H5: PRODUCT_STATE sits in OPTSR_CUR[15:8]; H7R/S: NVSR[7:0]. */
  #stateRegister(code: number): number {
    return this.variant.kind === 'h5' ? code << 8 : code;
  }

  #stateCode(): number {
    return this.variant.kind === 'h5' ? (this.#state >>> 8) & 0xff : this.#state & 0xff;
  }

  /**
   * Read protection as the debugger sees it: an OPEN part is level 0; a permanently locked
   * H5 (LOCKED) is level 2; any other state (H5 PROVISIONING, iROT-PROVISIONED, CLOSED;
   * H7R/S CLOSED or an invalid code) closes debug access to the user flash: level 1.
   */
  rdpLevel(): RdpLevel {
    const code = this.#stateCode();
    if (code === this.variant.states.open) return 0;
    return code === this.variant.states.locked ? 2 : 1;
  }

  reset(): void {
    this.busy.abort();
    this.#keys.reset();
    this.#optionKeys.reset();
    this.#locked = true;
    this.#lockedUntilReset = false;
    this.#cr = 0;
    this.#flags = 0;
    this.#optcr = OPTCR.OPTLOCK;
    this.#buffer = undefined;
    this.#eccd = false;
    this.#state = this.#nvState;
    this.#wrp = [...this.#nvWrp];
  }

  saveState(): Record<string, unknown> {
    return { state: this.#nvState, wrp: [...this.#nvWrp] };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const value = state['state'];
    const wrp = state['wrp'];
    if (typeof value !== 'number' || !Array.isArray(wrp) || wrp.length !== this.#nvWrp.length) {
      throw new TypeError(`state needs {state, wrp: [${this.#nvWrp.length} registers]}`);
    }
    this.#nvState = value >>> 0;
    this.#nvWrp = wrp.map((w) => Number(w) >>> 0);
    this.reset();
  }

  protected mapRegisters(bus: SystemBus): void {
    bus.map(
      new RegisterBlock('FLASH', this.#base, this.#base + 0x400, {
        read: (offset) => this.#readRegister(offset),
        write: (offset, value, size) => this.#writeRegister(offset, value, size),
      }),
    );
  }

  #readRegister(offset: number): number {
    const reg = this.variant.registers;
    const busy = this.busy.busy ? Sr.BSY | (this.variant.kind === 'h7rs' ? Sr.QW : 0) : 0;
    const sr = busy | (this.#buffer ? Sr.WBNE : 0);
    if (offset === reg.SR) return reg.FLAGS === reg.SR ? sr | this.#flags : sr;
    if (offset === reg.FLAGS) return this.#flags;
    if (offset === reg.CR) return this.#cr | (this.#locked ? Cr.LOCK : 0);
    if (offset === reg.OPTCR) return this.#optcr;
    if (offset === reg.STATE || offset === reg.STATE_PRG) return this.#state;
    const wrp = reg.WRP.findIndex((o) => o === offset || o + 4 === offset);
    if (wrp >= 0) return this.#wrp[wrp] ?? 0;
    if (this.variant.kind === 'h5' && H5_OPTSR2.includes(offset)) {
      return this.ctx.device.devId === 0x474 ? 0 : TZEN_DISABLED >>> 0;
    }
    if (this.variant.kind === 'h5' && offset === H5_ECCDETR) {
      return this.#eccd ? ECCD : 0;
    }
    if (this.variant.kind === 'h7rs' && offset === H7RS_ECCDFADDR) return this.#eccFailAddress;
    return 0;
  }

  #writeRegister(offset: number, value: number, size: BusSize): void {
    const reg = this.variant.registers;
    switch (offset) {
      case reg.KEYR: {
        // "If above sequence is wrong or performed twice, the FLASH_CR register is locked
        // until the next system reset, and access to it generates a bus error" (RM0477
        // FLASH_KEYR; the model applies it to H5's NSKEYR as to every other STM32).
        const onWrong = () => {
          this.#lockedUntilReset = true;
          this.#locked = true;
        };
        const ok = this.#locked && !this.#lockedUntilReset;
        if (this.#keys.write(this.#base + offset, value, size, ok, onWrong)) this.#locked = false;
        return;
      }
      case reg.OPTKEYR: {
        const onWrong = () => {
          this.#lockedUntilReset = true;
          this.#optcr |= OPTCR.OPTLOCK;
        };
        const ok = (this.#optcr & OPTCR.OPTLOCK) !== 0 && !this.#lockedUntilReset;
        if (this.#optionKeys.write(this.#base + offset, value, size, ok, onWrong)) {
          this.#optcr &= ~OPTCR.OPTLOCK;
        }
        return;
      }
      case reg.CR:
        this.#writeCr(value >>> 0);
        return;
      case reg.CLEAR:
        this.#flags &= ~(value & CLEARABLE);
        return;
      case reg.OPTCR:
        this.#writeOptcr(value >>> 0);
        return;
    }
    if (this.variant.kind === 'h5' && offset === H5_ECCDETR && value & ECCD) {
      this.#eccd = false; // ECCD is cleared by writing 1
    }
  }

  #writeCr(value: number): void {
    // "The user application cannot access any embedded Flash memory register until the
    // operation is acknowledged" (RM0477 FLASH_CR.START): a write while busy stalls.
    if (this.busy.busy) this.busy.stall();
    if (this.#locked) return;
    const start = this.variant.cr.start;
    if (value & Cr.LOCK) {
      this.#locked = true;
      this.#cr = value & ~(Cr.LOCK | start | Cr.FW);
      return;
    }
    this.#cr = value & ~(start | Cr.FW);
    // "When PG is cleared, the internal buffer is disabled for write operations, and all the
    // data stored in the buffer but not sent to the operation queue are lost" (RM0477).
    if (!(value & Cr.PG) && !(value & Cr.FW)) this.#buffer = undefined;
    // FW: "forces a write operation even if the write buffer is not full ... all bits not
    // written are set by hardware"; effective only with data in the buffer.
    if (value & Cr.FW && this.#buffer) this.#programBuffer();
    if (!(value & start)) return;
    const mer = this.variant.cr.mer;
    if (mer !== undefined && value & mer) this.#eraseBanks(this.flash.banks.map((_, i) => i));
    else if (value & Cr.BER) this.#eraseBanks(this.#bankErased(value));
    else if (value & Cr.SER) this.#eraseSector(value);
    // START without SER, BER or MER: nothing happens (no flag is modelled for it).
  }

  /** The banks a BER erases: BKSEL's on H5, the only one (or all, ALL_BANKS) on H7R/S. */
  #bankErased(value: number): number[] {
    const bksel = this.variant.cr.bksel;
    if (bksel === undefined) return value & ALL_BANKS ? this.flash.banks.map((_, i) => i) : [0];
    return [(value & bksel ? 1 : 0) ^ this.#swapped()];
  }

  /**
   * H5 OPTSR_CUR.SWAP_BANK (bit 31): bank 2 is mapped at 0x08000000. BKSEL names the
   * physical bank, so with the swap BKSEL = 0 erases the bank mapped second (read as
   * RM0456 describes BKER on U5; the model keeps addresses, not cells, per bank).
   */
  #swapped(): 0 | 1 {
    return this.variant.kind === 'h5' && this.#state >>> 31 === 1 ? 1 : 0;
  }

  #raise(flag: number): void {
    this.#flags |= flag;
  }

  #finish(error = 0): () => void {
    return () => this.#raise(error || this.variant.flags.EOP);
  }

  #protected(unit: FlashUnit): boolean {
    const perBit = this.variant.wrpSectorsPerBit(this.flash.bankUnits(unit.bank).length);
    const bit = Math.floor(unit.indexInBank / perBit);
    return (((this.#wrp[unit.bank] ?? 0xffffffff) >>> bit) & 1) === 0;
  }

  /** WRPERR: a protected sector, or a product state that closes the flash to the debugger. */
  #refused(units: readonly FlashUnit[]): boolean {
    return this.rdpLevel() !== 0 || units.some((u) => this.#protected(u));
  }

  #eraseSector(value: number): void {
    const { snbShift, snbMask, bksel } = this.variant.cr;
    const bank = bksel !== undefined && value & bksel ? 1 ^ this.#swapped() : this.#swapped();
    const unit = this.flash.bankUnits(bank)[(value >>> snbShift) & snbMask];
    if (!unit) {
      // A sector number past the bank's end: the manuals name no flag; PGSERR is our choice.
      this.#raise(this.variant.flags.PGSERR);
      return;
    }
    if (this.#refused([unit])) {
      this.#raise(this.variant.flags.WRPERR);
      return;
    }
    this.#erase([unit]);
  }

  /** "Write protection error is triggered when a bank erase is required and some sectors are protected" (RM0477 FLASH_CR.BER). */
  #eraseBanks(banks: readonly number[]): void {
    const units = this.flash.units.filter((u) => banks.includes(u.bank));
    if (units.length === 0 || this.#refused(units)) {
      this.#raise(units.length === 0 ? this.variant.flags.PGSERR : this.variant.flags.WRPERR);
      return;
    }
    this.#erase(units);
  }

  #erase(units: readonly FlashUnit[]): void {
    const failed = units.some((u) => this.injectedFailure(u.start, u.size));
    if (!failed && this.powered) {
      for (const u of units) {
        this.flash.eraseUnit(u);
        for (let a = u.start; a < u.start + u.size; a += WORD_BYTES) this.#eccBroken.delete(a);
      }
    }
    const us = units.reduce((sum, u) => sum + this.eraseUs(u.size), 0);
    // The EFLASH has no operation-error flag: an injected failure shows as PGSERR (our choice).
    this.busy.start(us, this.#finish(failed ? this.variant.flags.PGSERR : 0));
  }

  /**
   * Writes fill the 128-bit buffer (any access size); the flash word is programmed when its
   * last byte arrives, or early by CR.FW. PGSERR without PG (or locked); INCERR when a write
   * lands in another flash word before the buffer is complete; STRBERR when a byte of the
   * buffer is written twice ("when the master attempts to write several times the same byte
   * in the write buffer", RM0477 FLASH_ISR.STRBERRF).
   */
  flashWrite(address: number, size: BusSize, value: number): void {
    if (this.busy.busy) this.busy.stall();
    const { PGSERR, INCERR, STRBERR } = this.variant.flags;
    if (this.#locked || !(this.#cr & Cr.PG)) {
      this.#raise(PGSERR);
      return;
    }
    const wordAddress = address & ~(WORD_BYTES - 1);
    if (this.#buffer && this.#buffer.address !== wordAddress) {
      this.#buffer = undefined;
      this.#raise(INCERR);
      return;
    }
    const buffer = (this.#buffer ??= {
      address: wordAddress,
      data: new Uint8Array(WORD_BYTES).fill(0xff),
      written: Array.from({ length: WORD_BYTES }, () => false),
    });
    const offset = address - wordAddress;
    if (buffer.written.slice(offset, offset + size).some(Boolean)) {
      this.#buffer = undefined;
      this.#raise(STRBERR);
      return;
    }
    leBytes(value, size).forEach((b, i) => {
      buffer.data[offset + i] = b;
      buffer.written[offset + i] = true;
    });
    if (buffer.written.every(Boolean)) this.#programBuffer();
  }

  /**
   * Programs the buffered flash word. A word that is not erased is programmed all the same
   * (old AND new), but its ECC no longer matches: "Only a erased sector can be programmed ...
   * because of ECC" (FlashPrg.c of Open-CMSIS-Pack/STM32H5xx_DFP, BlankCheck), so reading it back is a
   * double ECC error (flashRead). All zeros is the exception the model makes: zero data has
   * all-zero check bits in a linear code, which programming can always reach (the model's
   * reading, as the L4 family accepts all-zero double words, RM0440 FLASH_SR.PROGERR).
   */
  #programBuffer(): void {
    const buffer = this.#buffer;
    this.#buffer = undefined;
    if (!buffer) return;
    const unit = this.flash.unitAt(buffer.address);
    if (!unit || this.#refused([unit])) {
      this.#raise(this.variant.flags.WRPERR);
      return;
    }
    const failed = this.injectedFailure(unit.start, unit.size);
    if (!failed && this.powered) {
      const zero = buffer.data.every((b) => b === 0);
      if (zero) this.#eccBroken.delete(buffer.address);
      else if (!this.flash.isErased(buffer.address, WORD_BYTES)) {
        this.#eccBroken.add(buffer.address);
      }
      this.commit(buffer.address, buffer.data, 'and');
    }
    this.busy.start(this.programUs(), this.#finish(failed ? this.variant.flags.PGSERR : 0));
  }

  /**
   * A flash word whose ECC does not match fails to read: a double ECC error, which the
   * interface reports with a bus error and flags (H5 ECCDETR.ECCD, H7R/S ISR.DBECCERRF with
   * the address in ECCDFADDR).
   */
  override flashRead(address: number, size: BusSize): number {
    if (this.rdpLevel() === 0 && this.#eccBroken.has(address & ~(WORD_BYTES - 1))) {
      if (this.variant.kind === 'h5') this.#eccd = true;
      else {
        if (!(this.#flags & this.variant.flags.DBECCERR)) this.#eccFailAddress = address;
        this.#flags |= this.variant.flags.DBECCERR;
      }
      throw new BusError(address, 'double ECC error: the flash word was programmed twice');
    }
    return super.flashRead(address, size);
  }

  /**
   * Option changes are not modelled: OPTSTRT/PG_OPT with the options unlocked ends in
   * OPTCHANGEERR (H5) / OPTERRF (H7R/S, not readable here), and nothing changes.
   */
  #writeOptcr(value: number): void {
    if (this.busy.busy) this.busy.stall();
    if (this.#optcr & OPTCR.OPTLOCK) return;
    this.#optcr = (value & ~OPTCR.START) | (value & OPTCR.OPTLOCK);
    if (value & OPTCR.START) this.#raise(this.variant.flags.OPTCHANGEERR);
  }
}

/** Flags CLEAR can clear: bits 16..28 (H5 NSCCR, H7R/S ICR). */
const CLEARABLE = 0x1fff0000;
