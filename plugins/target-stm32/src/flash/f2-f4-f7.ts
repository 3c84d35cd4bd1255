import type { AddressRange } from '@flashwright/core/image';
import {
  type ControllerContext,
  type FlashController,
  type OptionRegisters,
  type ProgramRun,
  type ProtectionInfo,
  type RunProgress,
  type SectorRef,
  Timeouts,
  rdpLevelOf,
  writeProtectedReader,
} from './controller.js';
import { f2F4F7Loader } from './f2-f4-f7-loader.js';
import { FlashBlock } from './flash-block.js';
import { Keys, unlockOptionControl } from './keys.js';
import { LoaderPath } from './loader-path.js';
import { type StatusFlag, maskOf } from './status-flags.js';

// F2/F4/F7 flash controller: PM0059 and RM0090; registers and bits as the CMSIS-F2/F4/F7
// headers define FLASH_CR_*, FLASH_SR_* and FLASH_OPTCR_*, sequences as OpenOCD
// src/flash/nor/stm32f2x.c runs them.
const KEYR = 0x04;
const OPTKEYR = 0x08;
const SR = 0x0c;
const CR = 0x10;
const OPTCR = 0x14;
const OPTCR1 = 0x18;

const CR_PG = 1 << 0;
const CR_SER = 1 << 1;
const CR_MER = 1 << 2;
const SNB_SHIFT = 3;
const PSIZE_SHIFT = 8;
const CR_STRT = 1 << 16;
const CR_LOCK = 1 << 31;

const OPTCR_OPTLOCK = 1 << 0;
const OPTCR_OPTSTRT = 1 << 1;

const SR_EOP = 1 << 0;
const SR_BSY = 1 << 16;
const errorFlags: readonly StatusFlag[] = [
  // Named SOP in the CMSIS F2/F4 headers, OPERR on F7.
  { name: 'OPERR', mask: 1 << 1 },
  { name: 'WRPERR', mask: 1 << 4 },
  { name: 'PGAERR', mask: 1 << 5 },
  { name: 'PGPERR', mask: 1 << 6 },
  // ERSERR on F7.
  { name: 'PGSERR', mask: 1 << 7 },
];
/** RDERR (bit 8) exists on some parts only; clearing it elsewhere writes a reserved 0 bit. */
const SR_RDERR = 1 << 8;

/** PSIZE code of a parallelism in bytes: x8 = 0, x16 = 1, x32 = 2 (x64 needs VPP). */
function psizeCode(bytes: number): number {
  return bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
}

/** Write protection: nWRP bit i = sector i (0 = protected); bank 2 of F42x in OPTCR1. */
export class F2F4F7Controller implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  /** flashwright's RAM loader, or the host path (loader-path.ts). */
  readonly loaderPath: LoaderPath;
  /** Unlock, operations, status checks and relock (flash-block.ts). */
  private readonly block: FlashBlock;

  constructor(private readonly ctx: ControllerContext) {
    this.loaderPath = new LoaderPath(ctx);
    const base = ctx.data.controller.base;
    this.block = new FlashBlock(ctx, {
      control: base + CR,
      unlockKeys: [
        { lockMask: CR_LOCK, keyRegister: base + KEYR, keys: Keys.flash, what: 'Flash controller' },
      ],
      lockValue: CR_LOCK,
      status: base + SR,
      busyMask: SR_BSY,
      errors: errorFlags,
      clear: base + SR,
      clearMask: maskOf(errorFlags) | SR_EOP | SR_RDERR,
      protectedRanges: this.protectedRanges,
    });
  }

  private get base(): number {
    return this.ctx.data.controller.base;
  }

  private get psize(): number {
    return psizeCode(this.ctx.parallelismBytes) << PSIZE_SHIFT;
  }

  /** CR.SNB value of a sector: bank-2 sectors carry the bank flag (0x10) on dual-bank parts. */
  private snb(sector: SectorRef): number {
    const select = this.ctx.data.dualBank?.select;
    if (sector.bank === 0) return sector.index;
    if (select?.kind !== 'snb-flag') {
      throw new RangeError(`${this.ctx.data.name} has no second bank`);
    }
    return select.flag | sector.index;
  }

  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.block.eraseSectors(sectors, done, signal, (sector) => {
      // SER, SNB and PSIZE first, then STRT (the order of ST's flash_loader.c).
      const cr = CR_SER | (this.snb(sector) << SNB_SHIFT) | this.psize;
      return {
        control: [cr, cr | CR_STRT],
        timeoutMs: Timeouts.sectorEraseMs,
        what: 'sector erase',
      };
    });
  }

  async eraseBank(bank: number): Promise<void> {
    const bank2Bit = this.ctx.data.dualBank?.massEraseBank2Bit;
    const dual = this.ctx.banks.length > 1;
    // MER erases bank 1 (or the single bank); MER1/MER2 at bit 15 erases bank 2.
    const bit = bank === 0 || bank2Bit === undefined ? CR_MER : 1 << bank2Bit;
    if (bank > 0 && !dual) throw new RangeError(`${this.ctx.data.name} has no second bank`);
    const cr = bit | this.psize;
    await this.block.eraseBank(
      { control: [cr, cr | CR_STRT], timeoutMs: Timeouts.massEraseMs, what: 'bank erase' },
      this.ctx.banks[bank],
    );
  }

  /**
   * Programs with the PSIZE width, through flashwright's RAM loader where it runs
   * (loader-path.ts), else from the host: each run one port write; writes while BSY stall the bus
   * (Black Magic Debug's stm32f4.c relies on the same). The status is checked once per run:
   * the error flags are "Cleared by writing 1" (RM0090 FLASH_SR), and a write that breaks
   * the rules sets one and is not performed (RM0090 §3.5.4 "Programming errors").
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const width = (this.ctx.parallelismBytes * 8) as 8 | 16 | 32;
    await this.block.program(runs, progress, signal, {
      control: CR_PG | this.psize,
      loader: {
        path: this.loaderPath,
        code: f2F4F7Loader(this.base, this.ctx.parallelismBytes),
      },
      units: { width, unitBytes: this.ctx.parallelismBytes, unitName: `${width}-bit unit` },
    });
  }

  private get hasOptcr1(): boolean {
    const layout = this.ctx.data.optionLayout;
    return layout === 'f4-dual' || layout === 'f7' || layout === 'f76x';
  }

  async readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters> {
    const values: OptionRegisters = {
      OPTCR: await this.ctx.memory.read32(this.base + OPTCR, signal),
    };
    if (this.hasOptcr1) values.OPTCR1 = await this.ctx.memory.read32(this.base + OPTCR1, signal);
    return values;
  }

  /**
   * Unlock OPTCR (OPTKEYR), write OPTCR1 then OPTCR, start with OPTSTRT, wait BSY (an RDP
   * 1 -> 0 change mass-erases here), relock; the values load at the next reset.
   */
  async writeOptionRegisters(values: OptionRegisters): Promise<void> {
    const memory = this.ctx.memory;
    await unlockOptionControl(memory, this.base + OPTCR, this.base + OPTKEYR);
    try {
      await this.block.wait(Timeouts.optionMs, 'previous flash operation');
      await this.block.clearFlags();
      if (values.OPTCR1 !== undefined && this.hasOptcr1) {
        await memory.write32(this.base + OPTCR1, values.OPTCR1);
      }
      const optcr = ((values.OPTCR ?? (await memory.read32(this.base + OPTCR))) & ~0b11) >>> 0;
      await memory.write32(this.base + OPTCR, optcr);
      await memory.write32(this.base + OPTCR, optcr | OPTCR_OPTSTRT);
      await this.block.check(
        'option-bytes',
        undefined,
        Timeouts.optionMs,
        'option-byte programming',
      );
    } finally {
      const optcr = await memory.read32(this.base + OPTCR).catch(() => undefined);
      if (optcr !== undefined) {
        await memory.write32(this.base + OPTCR, (optcr | OPTCR_OPTLOCK) & ~OPTCR_OPTSTRT);
      }
    }
    // F2/F4/F7 have no OBL_LAUNCH (CMSIS-F2/F4/F7 FLASH_OPTCR_*): option bytes load at reset.
    await this.ctx.resetHalt();
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const optcr = await this.ctx.memory.read32(this.base + OPTCR, signal);
    const rdpByte = (optcr >>> 8) & 0xff;
    const writeProtected: AddressRange[] = [];
    const layout = this.ctx.data.optionLayout;
    const wrpBits = layout === 'f413' ? 15 : layout === 'f7' ? 8 : 12;
    const nwrp = (optcr >>> 16) & ((1 << wrpBits) - 1);
    // F76x in dual-bank mode: one nWRP bit covers two adjacent sectors (OpenOCD stm32f2x.c).
    const sectorsPerBit = layout === 'f76x' && this.ctx.banks.length > 1 ? 2 : 1;
    const all = this.ctx.banks.flatMap((b) => b.sectors);
    const bank1 = this.ctx.banks[0]?.sectors ?? [];
    const bitSectors = (bits: number, count: number, sectors: readonly AddressRange[]): void => {
      for (let bit = 0; bit < count; bit++) {
        if (((bits >>> bit) & 1) !== 0) continue;
        for (let k = 0; k < sectorsPerBit; k++) {
          const sector = sectors[bit * sectorsPerBit + k];
          if (sector) writeProtected.push(sector);
        }
      }
    };
    if (layout === 'f4-dual') {
      bitSectors(nwrp, wrpBits, bank1);
      const optcr1 = await this.ctx.memory.read32(this.base + OPTCR1, signal);
      bitSectors((optcr1 >>> 16) & 0xfff, 12, this.ctx.banks[1]?.sectors ?? []);
    } else {
      bitSectors(nwrp, wrpBits, all);
      // F413/F423: sectors 14 and 15 share nWRP bit 14 (OpenOCD stm32f2x.c).
      const sector15 = all[15];
      if (layout === 'f413' && ((nwrp >>> 14) & 1) === 0 && sector15) writeProtected.push(sector15);
    }
    return { rdpByte, level: rdpLevelOf(this.ctx.data, rdpByte), writeProtected };
  }

  async lock(): Promise<void> {
    await this.block.relock();
  }
}
