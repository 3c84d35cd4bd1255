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
  rdpLevelOf,
  writeProtectedReader,
} from './controller.js';
import { FlashBlock } from './flash-block.js';
import { Keys } from './keys.js';
import { l4Loader } from './l4-loader.js';
import { LoaderPath } from './loader-path.js';
import type { RamLoader } from './ram-loader.js';
import { type StatusFlag, maskOf } from './status-flags.js';

/**
 * Register offsets of the L4-family controller (L4, L4+, G0, G4, WB, WL, C0, U0: FLASH_TypeDef
 * of CMSIS-L4 stm32l476xx.h, CMSIS-G0/G4/WB/WL) and of the TrustZone-era map that L5/U5/U3/WBA
 * use for their non-secure registers (OpenOCD src/flash/nor/stm32l4x.c).
 */
interface RegisterMap {
  readonly KEYR: number;
  readonly OPTKEYR: number;
  readonly SR: number;
  readonly CR: number;
  readonly OPTR: number;
  readonly WRP1AR: number;
  readonly WRP1BR: number;
  readonly WRP2AR: number;
  readonly WRP2BR: number;
}

const l4Map: RegisterMap = {
  KEYR: 0x08,
  OPTKEYR: 0x0c,
  SR: 0x10,
  CR: 0x14,
  OPTR: 0x20,
  WRP1AR: 0x2c,
  WRP1BR: 0x30,
  WRP2AR: 0x4c,
  WRP2BR: 0x50,
};

const l5Map: RegisterMap = {
  KEYR: 0x08,
  OPTKEYR: 0x10,
  SR: 0x20,
  CR: 0x28,
  OPTR: 0x40,
  WRP1AR: 0x58,
  WRP1BR: 0x5c,
  WRP2AR: 0x68,
  WRP2BR: 0x6c,
};

const CR_PG = 1 << 0;
const CR_PER = 1 << 1;
const CR_MER1 = 1 << 2;
const PNB_SHIFT = 3;
const CR_STRT = 1 << 16;
const CR_OPTSTRT = 1 << 17;
const CR_OBL_LAUNCH = 1 << 27;
const CR_OPTLOCK = 1 << 30;
const CR_LOCK = 1 << 31;

const SR_EOP = 1 << 0;
const SR_BSY = 1 << 16;
/** G0 BSY2 (bank 2) and CFGBSY; WB/WL CFGBSY. Bit 17 is PEMPTY on L4+, so not everywhere. */
const SR_BSY2 = 1 << 17;
const SR_CFGBSY = 1 << 18;
/** WB/WL: a CPU2 operation has suspended flash writes (RM0453; CMSIS-WB/WL FLASH_SR_PESD). */
const SR_PESD = 1 << 19;
const SR_OPTVERR = 1 << 15;
const commonErrorFlags: readonly StatusFlag[] = [
  { name: 'OPERR', mask: 1 << 1 },
  { name: 'PROGERR', mask: 1 << 3 },
  { name: 'WRPERR', mask: 1 << 4 },
  { name: 'PGAERR', mask: 1 << 5 },
  { name: 'SIZERR', mask: 1 << 6 },
  { name: 'PGSERR', mask: 1 << 7 },
];
/** L4 family FLASH_SR: the fast-programming errors too (RM0351, RM0440 FLASH_SR). */
const l4ErrorFlags: readonly StatusFlag[] = [
  ...commonErrorFlags,
  { name: 'MISERR', mask: 1 << 8 },
  { name: 'FASTERR', mask: 1 << 9 },
];
/**
 * L5, U5, U3 and WBA NSSR: no fast programming (bits 8, 9 and 15 reserved) but OPTWERR (bit
 * 13), set when option bytes are written with an invalid configuration (RM0438, RM0456,
 * RM0487, RM0493 FLASH_NSSR; FLASH_NSSR_OPTWERR / FLASH_SR_OPTWERR in CMSIS-L5 stm32l552xx.h,
 * CMSIS-U5 stm32u575xx.h, CMSIS-U3 stm32u385xx.h, CMSIS-WBA stm32wba55xx.h; HAL-U3 and HAL-U5
 * count it among FLASH_FLAG_SR_ERRORS). OpenOCD 0.12 stm32l4x.c ignores it.
 */
const nonSecureErrorFlags: readonly StatusFlag[] = [
  ...commonErrorFlags,
  { name: 'OPTWERR', mask: 1 << 13 },
];

function busyMaskOf(data: Stm32DeviceData): number {
  switch (data.line) {
    case 'STM32G0':
    case 'STM32C0':
    case 'STM32U0':
      return SR_BSY | SR_BSY2 | SR_CFGBSY;
    case 'STM32WB':
    case 'STM32WL':
      return SR_BSY | SR_CFGBSY;
    default:
      return SR_BSY;
  }
}

export class L4Controller implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  private readonly map: RegisterMap;
  private readonly busyMask: number;
  private readonly errorFlags: readonly StatusFlag[];
  /** flashwright's RAM loader, or the host path (loader-path.ts). */
  readonly loaderPath: LoaderPath;
  /** Unlock, operations, status checks and relock (flash-block.ts). */
  private readonly block: FlashBlock;

  constructor(private readonly ctx: ControllerContext) {
    const nonSecure = ctx.data.controller.kind === 'l5-u5';
    this.map = nonSecure ? l5Map : l4Map;
    this.busyMask = busyMaskOf(ctx.data);
    this.errorFlags = nonSecure ? nonSecureErrorFlags : l4ErrorFlags;
    this.loaderPath = new LoaderPath(ctx);
    this.block = new FlashBlock(ctx, {
      control: this.reg('CR'),
      unlockKeys: [
        {
          lockMask: CR_LOCK,
          keyRegister: this.reg('KEYR'),
          keys: Keys.flash,
          what: 'Flash controller',
        },
      ],
      lockValue: CR_LOCK | CR_OPTLOCK,
      status: this.reg('SR'),
      busyMask: this.busyMask,
      errors: this.errorFlags,
      clear: this.reg('SR'),
      // The errors, EOP, and OPTVERR on the L4 map.
      clearMask: (maskOf(this.errorFlags) | SR_EOP | (nonSecure ? 0 : SR_OPTVERR)) >>> 0,
      protectedRanges: this.protectedRanges,
      idle: (status) => {
        const dualCore = ctx.data.line === 'STM32WB' || ctx.data.line === 'STM32WL';
        if ((status & SR_PESD) !== 0 && dualCore) {
          ctx.log.warn('CPU2 has suspended flash operations (SR.PESD); waiting for it');
        }
        return Promise.resolve();
      },
    });
  }

  private reg(name: keyof RegisterMap): number {
    return this.ctx.data.controller.base + this.map[name];
  }

  /** CR bits that select a page: PNB counts within the bank, BKER picks bank 2. */
  private pageBits(sector: SectorRef): number {
    const select = this.ctx.data.dualBank?.select;
    const bker = sector.bank > 0 && select?.kind === 'bker' ? 1 << select.bit : 0;
    return (sector.index << PNB_SHIFT) | bker;
  }

  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.block.eraseSectors(sectors, done, signal, (sector) => ({
      // PER, PNB, BKER and STRT in one write, as OpenOCD's stm32l4x.c does.
      control: [CR_PER | this.pageBits(sector) | CR_STRT],
      timeoutMs: Timeouts.pageEraseMs,
      what: 'page erase',
    }));
  }

  async eraseBank(bank: number): Promise<void> {
    const mer2 = this.ctx.data.dualBank?.massEraseBank2Bit;
    let bits = CR_MER1;
    if (bank > 0) {
      if (mer2 === undefined) throw new RangeError(`${this.ctx.data.name} has no second bank`);
      bits = 1 << mer2;
    }
    await this.block.eraseBank(
      { control: [bits, bits | CR_STRT], timeoutMs: Timeouts.massEraseMs, what: 'bank erase' },
      this.ctx.banks[bank],
    );
  }

  /**
   * Double-word (quad-word on U5) programming, through flashwright's RAM loader where it runs
   * (loader-path.ts), else from the host with 32-bit writes: the operation starts when
   * the last word of a unit arrives, and writes while BSY stall the bus (Black Magic Debug's
   * stm32l4.c streams the same way), so a run is one port write and one status check: the
   * error flags are "Cleared by writing 1" (RM0351 FLASH_SR), so a failed unit shows at the end.
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const unit =
      typeof this.ctx.data.writeUnitBytes === 'number' ? this.ctx.data.writeUnitBytes : 8;
    const loader = this.ramLoader(unit);
    await this.block.program(runs, progress, signal, {
      control: CR_PG,
      // Clearing PG drops a first word waiting for its second, the host's or the loader's
      // (the RMs do not say so: an assumption, which the simulator models).
      withoutPg: 0,
      loader: loader && { path: this.loaderPath, code: loader },
      units: { width: 32, unitBytes: unit, unitName: unit === 16 ? 'quad word' : 'double word' },
    });
  }

  /**
   * The RAM loader with this part's controller parameters (status register, busy and error
   * bits as the host path uses them), for the parts of the L4 register map (L4, L4+, G0, G4,
   * WB, WL, C0, U0), which program double words; none for the TrustZone-era L5/U5 map.
   */
  private ramLoader(unitBytes: number): RamLoader | undefined {
    if (this.map !== l4Map || unitBytes !== 8) return undefined;
    return l4Loader({
      controllerBase: this.ctx.data.controller.base,
      statusOffset: this.map.SR,
      busyMask: this.busyMask,
      errorMask: maskOf(this.errorFlags),
    });
  }

  private get optionRegisterNames(): readonly (
    'OPTR' | 'WRP1AR' | 'WRP1BR' | 'WRP2AR' | 'WRP2BR'
  )[] {
    // WRP areas are offered where the layout has them (L4); bank-2 areas on dual-bank parts.
    if (this.ctx.data.optionLayout !== 'l4') return ['OPTR'];
    return this.ctx.data.dualBank
      ? ['OPTR', 'WRP1AR', 'WRP1BR', 'WRP2AR', 'WRP2BR']
      : ['OPTR', 'WRP1AR', 'WRP1BR'];
  }

  async readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters> {
    const values: OptionRegisters = {};
    for (const name of this.optionRegisterNames) {
      values[name] = await this.ctx.memory.read32(this.reg(name), signal);
    }
    return values;
  }

  /**
   * Unlock CR and OPTLOCK, write the registers, OPTSTRT, wait BSY (an RDP 1 -> 0 change
   * mass-erases here), then OBL_LAUNCH: a system reset that reloads the options and cuts the
   * debug link (OpenOCD ignores the error of that write the same way).
   */
  async writeOptionRegisters(values: OptionRegisters): Promise<void> {
    const memory = this.ctx.memory;
    await this.block.unlock();
    try {
      await this.block.unlock([
        {
          lockMask: CR_OPTLOCK,
          keyRegister: this.reg('OPTKEYR'),
          keys: Keys.option,
          what: 'Option bytes',
        },
      ]);
      await this.block.wait(Timeouts.optionMs, 'previous flash operation');
      await this.block.clearFlags();
      for (const name of this.optionRegisterNames) {
        const value = values[name];
        if (value !== undefined) await memory.write32(this.reg(name), value);
      }
      await memory.write32(this.reg('CR'), CR_OPTSTRT);
      await this.block.check(
        'option-bytes',
        undefined,
        Timeouts.optionMs,
        'option-byte programming',
      );
      await memory.write32(this.reg('CR'), CR_OBL_LAUNCH).catch(() => undefined);
    } catch (error) {
      await this.lock();
      throw error;
    }
    await this.ctx.reattach();
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const optr = await this.ctx.memory.read32(this.reg('OPTR'), signal);
    const rdpByte = optr & 0xff;
    const writeProtected: AddressRange[] = [];
    if (this.ctx.data.optionLayout === 'l4') {
      const areas = [
        ['WRP1AR', 0],
        ['WRP1BR', 0],
        ['WRP2AR', 1],
        ['WRP2BR', 1],
      ] as const;
      for (const [name, bank] of areas) {
        const region = this.ctx.banks[bank];
        if (!region || !this.optionRegisterNames.includes(name)) continue;
        const value = await this.ctx.memory.read32(this.reg(name), signal);
        const first = value & 0xff;
        const last = (value >>> 16) & 0xff;
        // An area is empty when its start page is above its end page.
        if (first > last) continue;
        const from = region.sectors[first];
        const to = region.sectors[Math.min(last, region.sectors.length - 1)];
        if (from && to) writeProtected.push({ start: from.start, end: to.end });
      }
    }
    return { rdpByte, level: rdpLevelOf(this.ctx.data, rdpByte), writeProtected };
  }

  async lock(): Promise<void> {
    await this.block.relock();
  }
}
