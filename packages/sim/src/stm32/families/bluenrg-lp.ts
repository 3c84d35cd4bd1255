import { bankLayout } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../../bus.js';
import { ControllerBase, type RdpLevel, type Stm32Context } from '../controller.js';
import { FlashArray, leBytes } from '../flash-array.js';
import { type RegisterFile, PlainRegisters, RegisterBlock } from '../register-block.js';

// The flash controller of STM32WB0x and STM32WL3x (the BlueNRG-LP line; RM0530, RM0505 and
// RM0511 "Flash controller"): FLASH_CTRL registers and fields as ST's CMSIS packs describe
// them (Keil.STM32WB0x_DFP CMSIS/SVD/STM32WB07.svd, reset values included), commands as the
// packs' flash algorithm (CMSIS/Flash/STM32WB0x/FlashPrg.c) and OpenOCD's
// src/flash/nor/bluenrg-x.c issue them.
const COMMAND = 0x00;
const CONFIG = 0x04;
const IRQSTAT = 0x08;
const IRQMASK = 0x0c;
const IRQRAW = 0x10;
const SIZE = 0x14;
const ADDRESS = 0x18;
const DATA0 = 0x40;

const CMD_ERASE = 0x11;
const CMD_MASSERASE = 0x22;
const CMD_WRITE = 0x33;
const CMD_BURSTWRITE = 0xcc;

export const BlueNrgIrq = {
  CMDDONE: 1 << 0,
  CMDSTART: 1 << 1,
  CMDERR: 1 << 2,
  ILLCMD: 1 << 3,
} as const;
/** IRQRAW bits 5:0 (CMDDONE .. FLNREADY), each cleared by writing 1. */
const IRQ_ALL = 0x3f;
/** CONFIG.DIS_GROUP_WRITE: burst write forbidden. */
const CONFIG_DIS_GROUP_WRITE = 1 << 2;
/** SIZE.FLASH_SECURE: a protection key is present (debug reads of the flash fault). */
const SIZE_FLASH_SECURE = 1 << 19;
/** SIZE.SWD_DISABLE: flash and SWD protected. */
const SIZE_SWD_DISABLE = 1 << 20;

const resetValues = new Map([
  [CONFIG, 0x10],
  [IRQMASK, 0x3f],
]);

/** SYSCFG DIE_ID (0x40000000) and JTAG_ID (0x40000004): the identity of the die. */
export const BLUENRG_SYSCFG = 0x40000000;
/** ST's JEDEC manufacturer code with bit 0 set, bits 11:0 of JTAG_ID. */
const ST_JEDEC = 0x041;

/**
 * SYSCFG of a BlueNRG-LP part as far as identification reads it: DIE_ID (product, version and
 * cut revision in bits 11:0) and JTAG_ID (part number in bits 27:12 after ST's JEDEC code).
 */
export function blueNrgSyscfgRegion(devId: number, revId: () => number): RegisterBlock {
  const other = new PlainRegisters();
  const registers: RegisterFile = {
    read: (offset) =>
      offset === 0
        ? revId() & 0xfff
        : offset === 4
          ? ((devId << 12) | ST_JEDEC) >>> 0
          : other.get(offset),
    write: (offset, value) => {
      if (offset > 4) other.set(offset, value);
    },
  };
  return new RegisterBlock('SYSCFG', BLUENRG_SYSCFG, BLUENRG_SYSCFG + 0x100, registers);
}

/**
 * The BlueNRG-LP flash controller. Flash is written only through it: an ERASE command erases
 * the 2 KiB page holding the word offset in ADDRESS, MASSERASE the whole array, WRITE programs
 * DATA0 at ADDRESS and BURSTWRITE DATA0-DATA3 at four consecutive words (ADDRESS a multiple of
 * four, and not while CONFIG.DIS_GROUP_WRITE forbids it). Each command raises CMDSTART, then
 * CMDDONE; a command that cannot run raises CMDERR (an address outside the flash, a burst that
 * is misaligned or forbidden) or ILLCMD (an unknown command code, or one given while another
 * runs) and changes nothing. Programming can only clear bits (NOR cells: old AND new), so a
 * word is erased before it is written. CPU stores into the flash fault. With a protection key
 * (SIZE.FLASH_SECURE, from rdp level 1) debug reads of the flash fault as well.
 */
export class BlueNrgLpController extends ControllerBase {
  readonly flash: FlashArray;
  readonly #registers = new PlainRegisters(resetValues);
  #irqRaw = 0;
  #rdp: RdpLevel;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const banks = bankLayout(ctx.device, ctx.flashKiB);
    this.flash = new FlashArray(
      ctx.device.flashBase,
      ctx.flashKiB * 1024,
      ctx.device.erasedValue,
      banks,
    );
    this.#rdp = ctx.initialRdp;
  }

  /** The core boots from 0x00000000 remapped to flash or SRAM (CONFIG.REMAP): not modelled. */
  protected override get hasBootAlias(): boolean {
    return false;
  }

  override bootAddress(): number {
    return this.ctx.device.flashBase;
  }

  rdpLevel(): RdpLevel {
    return this.#rdp;
  }

  reset(): void {
    this.busy.abort();
    this.#registers.reset();
    this.#irqRaw = 0;
  }

  saveState(): Record<string, unknown> {
    return { rdp: this.#rdp };
  }

  loadState(state: Readonly<Record<string, unknown>>): void {
    const rdp = state.rdp;
    if (rdp === 0 || rdp === 1 || rdp === 2) this.#rdp = rdp;
    this.reset();
  }

  flashWrite(address: number, _size: BusSize, _value: number): void {
    throw new BusError(
      address,
      'flash is written through the flash controller (COMMAND/ADDRESS/DATA), not by stores',
    );
  }

  protected mapRegisters(bus: SystemBus): void {
    const base = this.ctx.device.controller.base;
    bus.map(
      new RegisterBlock('FLASH_CTRL', base, base + 0x1000, {
        read: (offset) => this.#read(offset),
        write: (offset, value) => {
          this.#write(offset, value);
        },
      }),
    );
  }

  /** SIZE: the last valid word offset, with the protection bits. */
  get sizeRegister(): number {
    const lastWord = (this.ctx.flashKiB * 1024) / 4 - 1;
    const secure = this.#rdp >= 1 ? SIZE_FLASH_SECURE : 0;
    const swd = this.#rdp === 2 ? SIZE_SWD_DISABLE : 0;
    return (lastWord | secure | swd) >>> 0;
  }

  #read(offset: number): number {
    switch (offset) {
      case IRQRAW:
        return this.#raw();
      case IRQSTAT:
        return this.#raw() & ~this.#registers.get(IRQMASK) & IRQ_ALL;
      case SIZE:
        return this.sizeRegister;
      default:
        return this.#registers.get(offset);
    }
  }

  /** IRQRAW: CMDDONE is raised when the running command ends (busy runs its completion). */
  #raw(): number {
    return this.busy.busy ? this.#irqRaw & ~BlueNrgIrq.CMDDONE : this.#irqRaw;
  }

  #write(offset: number, value: number): void {
    switch (offset) {
      case IRQRAW:
      case IRQSTAT:
        this.#irqRaw &= ~(value & IRQ_ALL);
        return;
      case SIZE:
        return;
      case COMMAND:
        this.#command(value & 0xff);
        return;
      default:
        this.#registers.set(offset, value);
    }
  }

  #command(code: number): void {
    if (this.busy.busy || ![CMD_ERASE, CMD_MASSERASE, CMD_WRITE, CMD_BURSTWRITE].includes(code)) {
      this.#irqRaw |= BlueNrgIrq.ILLCMD;
      return;
    }
    const wordOffset = this.#registers.get(ADDRESS) & 0x1ffff;
    const address = this.flash.base + wordOffset * 4;
    const burst = code === CMD_BURSTWRITE;
    const bytes = burst ? 16 : code === CMD_WRITE ? 4 : 0;
    const misplaced = code !== CMD_MASSERASE && !this.flash.isMapped(address, Math.max(bytes, 4));
    const badBurst =
      burst &&
      ((wordOffset & 3) !== 0 || (this.#registers.get(CONFIG) & CONFIG_DIS_GROUP_WRITE) !== 0);
    this.#irqRaw |= BlueNrgIrq.CMDSTART;
    if (misplaced || badBurst) {
      this.#irqRaw |= BlueNrgIrq.CMDERR | BlueNrgIrq.CMDDONE;
      return;
    }
    // An injected flash-error fault fails the command that touches it with CMDERR.
    const unit = this.flash.unitAt(address);
    const touched =
      code === CMD_ERASE
        ? unit
        : code === CMD_MASSERASE
          ? undefined
          : { start: address, size: bytes };
    if (touched !== undefined && this.injectedFailure(touched.start, touched.size)) {
      this.#irqRaw |= BlueNrgIrq.CMDERR | BlueNrgIrq.CMDDONE;
      return;
    }
    let durationUs: number;
    if (code === CMD_ERASE) {
      if (unit !== undefined && this.powered) this.flash.eraseUnit(unit);
      durationUs = this.eraseUs(unit?.size ?? 0);
    } else if (code === CMD_MASSERASE) {
      if (this.powered) this.flash.eraseAll();
      durationUs = this.massEraseUs();
    } else {
      const words = Array.from({ length: bytes / 4 }, (_, i) => this.#registers.get(DATA0 + 4 * i));
      const data = new Uint8Array(bytes);
      words.forEach((word, i) => data.set(leBytes(word, 4), 4 * i));
      this.commit(address, data, 'and');
      durationUs = this.programUs() * (bytes / 4);
    }
    this.busy.start(durationUs, () => {
      this.#irqRaw |= BlueNrgIrq.CMDDONE;
    });
  }
}
