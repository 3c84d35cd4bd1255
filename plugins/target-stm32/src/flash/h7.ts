import { FlashwrightError } from '@flashwright/core';
import type { AddressRange } from '@flashwright/core/image';
import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import {
  type ControllerContext,
  type FlashController,
  type OptionRegisters,
  type ProgramRun,
  type ProtectionInfo,
  type RunProgress,
  type SectorRef,
  Timeouts,
  bankOf,
  rdpLevelOf,
  writeProtectedReader,
} from './controller.js';
import { h7Loader } from './h7-loader.js';
import { FlashBlock } from './flash-block.js';
import { Keys, unlockOptionControl } from './keys.js';
import { LoaderPath } from './loader-path.js';
import type { StatusFlag } from './status-flags.js';
import { hex, waitNotBusy } from './wait.js';

// STM32H7 flash (OpenOCD src/flash/nor/stm32h7x.c, CMSIS-H7 stm32h743xx.h/stm32h7a3xx.h, HAL-H7
// stm32h7xx_hal_flash.c). Per-bank registers repeat at +0x100; option registers exist in bank 1
// only.
const KEYR = 0x04;
const OPTKEYR = 0x08;
const CR = 0x0c;
const SR = 0x10;
const CCR = 0x14;
const OPTCR = 0x18;
const OPTSR_CUR = 0x1c;
const OPTSR_PRG = 0x20;
const OPTCCR = 0x24;
const WPSN_CUR = 0x38;
const WPSN_PRG = 0x3c;

const CR_LOCK = 1 << 0;
const CR_PG = 1 << 1;
const CR_SER = 1 << 2;
const CR_BER = 1 << 3;

/** CR bit positions differ on H7A/H7B (no PSIZE; FW 4, START 5, SNB [12:6]). */
interface CrLayout {
  readonly start: number;
  readonly snbShift: number;
  readonly psizeShift: number | undefined;
}
const crH74x: CrLayout = { start: 1 << 7, snbShift: 8, psizeShift: 4 };
const crH7ab: CrLayout = { start: 1 << 5, snbShift: 6, psizeShift: undefined };

const SR_BSY = 1 << 0;
const SR_QW = 1 << 2;
const errorFlags: readonly StatusFlag[] = [
  { name: 'WRPERR', mask: 1 << 17 },
  { name: 'PGSERR', mask: 1 << 18 },
  { name: 'STRBERR', mask: 1 << 19 },
  { name: 'INCERR', mask: 1 << 21 },
  { name: 'OPERR', mask: 1 << 22 },
];
/** CCR: every clear bit from EOP (16) to CRCEND (27). */
const CCR_ALL = 0x0fef0000;

const OPTCR_OPTLOCK = 1 << 0;
const OPTCR_OPTSTART = 1 << 1;
const OPTSR_OPT_BUSY = 1 << 0;
const OPTSR_OPTCHANGEERR = 1 << 30;
const OPTCCR_CLR_OPTCHANGEERR = 1 << 30;

/** H7A/B and H7R/S (8 KiB sectors): one WPSN bit per 4 sectors; the others one per sector. */
export function wpsnSectorsPerBit(data: Stm32DeviceData): number {
  return data.devId === 0x480 || data.devId === 0x485 ? 4 : 1;
}

export class H7Controller implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  private readonly cr: CrLayout;
  readonly loaderPath: LoaderPath;

  constructor(private readonly ctx: ControllerContext) {
    this.cr = ctx.data.devId === 0x480 || ctx.data.devId === 0x485 ? crH7ab : crH74x;
    this.loaderPath = new LoaderPath(ctx);
  }

  /** The register block of a bank (bank 2's at +0x100). */
  private bankBase(bank: number): number {
    const select = this.ctx.data.dualBank?.select;
    const offset = bank > 0 && select?.kind === 'register-block' ? select.offset : 0;
    return this.ctx.data.controller.base + offset;
  }

  private get base(): number {
    return this.ctx.data.controller.base;
  }

  /** PSIZE: x64 (3) from 2.7 V as OpenOCD programs H74x, x32 (2) below. */
  private get psize(): number {
    if (this.cr.psizeShift === undefined) return 0;
    const code = this.ctx.parallelismBytes >= 8 ? 3 : 2;
    return code << this.cr.psizeShift;
  }

  /** A bank's register block: unlock, operations, status checks and relock (flash-block.ts). */
  private block(bank: number): FlashBlock {
    const base = this.bankBase(bank);
    return new FlashBlock(this.ctx, {
      control: base + CR,
      unlockKeys: [
        {
          lockMask: CR_LOCK,
          keyRegister: base + KEYR,
          keys: Keys.flash,
          what: `Flash bank ${bank + 1}`,
        },
      ],
      lockValue: CR_LOCK,
      status: base + SR,
      busyMask: SR_BSY | SR_QW,
      errors: errorFlags,
      clear: base + CCR,
      clearMask: CCR_ALL,
      protectedRanges: this.protectedRanges,
    });
  }

  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const bank of new Set(sectors.map((s) => s.bank))) {
      const block = this.block(bank);
      const inBank = sectors.filter((s) => s.bank === bank);
      await block.eraseSectors(inBank, done, signal, (sector) => {
        const cr = CR_SER | this.psize | (sector.index << this.cr.snbShift);
        return {
          control: [cr, cr | this.cr.start],
          timeoutMs: Timeouts.sectorEraseMs,
          what: 'sector erase',
        };
      });
    }
  }

  async eraseBank(bank: number): Promise<void> {
    const block = this.block(bank);
    const cr = CR_BER | this.psize;
    await block.eraseBank(
      { control: [cr, cr | this.cr.start], timeoutMs: Timeouts.massEraseMs, what: 'bank erase' },
      this.ctx.banks[bank],
    );
  }

  /**
   * Flash words (32 bytes on H74x/H72x, 16 on H7A/B) written with consecutive 32-bit
   * accesses; a full word starts programming, and the next word waits in the write queue.
   * Each run goes through flashwright's RAM loader where the recipe allows (loader-path.ts
   * decides and falls back), the rest as one port write from the host. A run has one status
   * check: the error flags stay set until cleared through FLASH_CCR (RM0433 FLASH_SR1), so a
   * failed word shows at the end.
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const first = runs[0];
    if (first === undefined) return;
    const word =
      typeof this.ctx.data.writeUnitBytes === 'number' ? this.ctx.data.writeUnitBytes : 32;
    const bank = bankOf(this.ctx.banks, first.address);
    const block = this.block(bank);
    const base = this.bankBase(bank);
    await block.program(runs, progress, signal, {
      control: CR_PG | this.psize,
      // A flash word cut short waits in the write buffer: PG cleared and set again drops it
      // (RM0433 FLASH_SR1.WBNE).
      withoutPg: this.psize,
      loader: {
        path: this.loaderPath,
        code: h7Loader(base, word),
        recover: async () => {
          // The same for one the loader left, once the queue has drained.
          await this.ctx.memory.write32(base + CR, this.psize);
          await block.wait(Timeouts.programMs, 'programming').catch(() => 0);
          await block.clearFlags();
          await this.ctx.memory.write32(base + CR, CR_PG | this.psize);
        },
      },
      units: { width: 32, unitBytes: word, unitName: 'flash word' },
    });
  }

  async readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters> {
    const values: OptionRegisters = {
      OPTSR: await this.ctx.memory.read32(this.base + OPTSR_CUR, signal),
      WPSN1: await this.ctx.memory.read32(this.base + WPSN_CUR, signal),
    };
    if (this.ctx.banks.length > 1) {
      values.WPSN2 = await this.ctx.memory.read32(this.bankBase(1) + WPSN_CUR, signal);
    }
    return values;
  }

  /**
   * OPTKEYR unlock, write the _PRG registers, clear OPTCHANGEERR, OPTSTART, wait OPT_BUSY:
   * the new values apply without a reset (HAL-H7 HAL_FLASH_OB_Launch). An RDP 1 -> 0 change
   * mass-erases during OPT_BUSY.
   */
  async writeOptionRegisters(values: OptionRegisters): Promise<void> {
    const memory = this.ctx.memory;
    await unlockOptionControl(memory, this.base + OPTCR, this.base + OPTKEYR);
    try {
      if (values.OPTSR !== undefined) await memory.write32(this.base + OPTSR_PRG, values.OPTSR);
      if (values.WPSN1 !== undefined) await memory.write32(this.base + WPSN_PRG, values.WPSN1);
      if (values.WPSN2 !== undefined && this.ctx.banks.length > 1) {
        await memory.write32(this.bankBase(1) + WPSN_PRG, values.WPSN2);
      }
      await memory.write32(this.base + OPTCCR, OPTCCR_CLR_OPTCHANGEERR);
      await memory.write32(this.base + OPTCR, OPTCR_OPTSTART);
      const optsr = await waitNotBusy({
        memory,
        statusAddress: this.base + OPTSR_CUR,
        busyMask: OPTSR_OPT_BUSY,
        timeoutMs: Timeouts.optionMs,
        clock: this.ctx.clock,
        what: 'option-byte programming',
      });
      if ((optsr & OPTSR_OPTCHANGEERR) !== 0) {
        throw new FlashwrightError(
          'FLASH_OPTION_BYTES_FAILED',
          `Option-byte change was rejected (OPTSR_CUR 0x${hex(optsr)}: OPTCHANGEERR)`,
          { details: { optsr } },
        );
      }
    } finally {
      await memory.write32(this.base + OPTCR, OPTCR_OPTLOCK).catch(() => undefined);
    }
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const optsr = await this.ctx.memory.read32(this.base + OPTSR_CUR, signal);
    const rdpByte = (optsr >>> 8) & 0xff;
    const writeProtected: AddressRange[] = [];
    // WPSN: 0 = protected.
    const sectorsPerBit = wpsnSectorsPerBit(this.ctx.data);
    for (const [bank, region] of this.ctx.banks.entries()) {
      const wpsn = await this.ctx.memory.read32(this.bankBase(bank) + WPSN_CUR, signal);
      region.sectors.forEach((sector, index) => {
        if (((wpsn >>> Math.floor(index / sectorsPerBit)) & 1) === 0) writeProtected.push(sector);
      });
    }
    return { rdpByte, level: rdpLevelOf(this.ctx.data, rdpByte), writeProtected };
  }

  async lock(): Promise<void> {
    for (let bank = 0; bank < this.ctx.banks.length; bank++) {
      await this.block(bank).relock();
    }
  }
}
