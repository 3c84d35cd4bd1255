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
  bankOf,
  rdpLevelOf,
  writeProtectedReader,
} from './controller.js';
import { f0F1F3Loader } from './f0-f1-f3-loader.js';
import { FlashBlock } from './flash-block.js';
import { Keys } from './keys.js';
import { LoaderPath } from './loader-path.js';
import { type StatusFlag, maskOf } from './status-flags.js';

// F0/F1/F3 flash controller ("FPEC"): PM0075 (F1), RM0091 (F0), RM0316/RM0365 (F3); registers
// and bits as CMSIS-F1 stm32f103xg.h, CMSIS-F0 stm32f091xc.h and CMSIS-F3 stm32f303xc.h define
// them, sequences as OpenOCD src/flash/nor/stm32f1x.c runs them.
const KEYR = 0x04;
const OPTKEYR = 0x08;
const SR = 0x0c;
const CR = 0x10;
const AR = 0x14;
const OBR = 0x1c;
const WRPR = 0x20;

const CR_PG = 1 << 0;
const CR_PER = 1 << 1;
const CR_MER = 1 << 2;
const CR_OPTPG = 1 << 4;
const CR_OPTER = 1 << 5;
const CR_STRT = 1 << 6;
const CR_LOCK = 1 << 7;
const CR_OPTWRE = 1 << 9;
/** F0/F3 only; F1 loads option bytes at system reset. */
const CR_OBL_LAUNCH = 1 << 13;

const SR_BSY = 1 << 0;
const SR_EOP = 1 << 5;
const errorFlags: readonly StatusFlag[] = [
  { name: 'PGERR', mask: 1 << 2 },
  { name: 'WRPRTERR', mask: 1 << 4 },
];

/** Option bytes: eight half-words, value in the low byte, complement in the high byte. */
const OPTION_BYTES = 0x1ffff800;
const optionOrder = ['RDP', 'USER', 'DATA0', 'DATA1', 'WRP0', 'WRP1', 'WRP2', 'WRP3'] as const;

/** Write protection: one WRPR bit per 4 KiB; bit 31 covers the rest of larger parts (OpenOCD). */
const WRP_BYTES = 4096;

export class F0F1F3Controller implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  /** flashwright's RAM loader, or the host path (loader-path.ts). */
  readonly loaderPath: LoaderPath;

  constructor(private readonly ctx: ControllerContext) {
    this.loaderPath = new LoaderPath(ctx);
  }

  private get isF1(): boolean {
    return this.ctx.data.line === 'STM32F1';
  }

  /** Register block of a bank: F1 XL bank 2 has KEYR2/SR2/CR2/AR2 at +0x40. */
  private regs(bank: number): number {
    const select = this.ctx.data.dualBank?.select;
    const offset = bank > 0 && select?.kind === 'register-block' ? select.offset : 0;
    return this.ctx.data.controller.base + offset;
  }

  private block(bank: number): FlashBlock {
    const base = this.regs(bank);
    return new FlashBlock(this.ctx, {
      control: base + CR,
      unlockKeys: [
        { lockMask: CR_LOCK, keyRegister: base + KEYR, keys: Keys.flash, what: 'Flash controller' },
      ],
      lockValue: CR_LOCK,
      status: base + SR,
      busyMask: SR_BSY,
      errors: errorFlags,
      clear: base + SR,
      clearMask: maskOf(errorFlags) | SR_EOP,
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
      const base = this.regs(bank);
      await block.unlocked(async () => {
        await this.ctx.memory.write32(base + CR, CR_PER);
        const inBank = sectors.filter((s) => s.bank === bank);
        await block.eraseEach(inBank, done, signal, (sector) => ({
          setup: [[base + AR, sector.range.start]],
          control: [CR_PER | CR_STRT],
          timeoutMs: Timeouts.pageEraseMs,
          what: 'page erase',
        }));
      });
    }
  }

  async eraseBank(bank: number): Promise<void> {
    await this.block(bank).eraseBank(
      {
        control: [CR_MER, CR_MER | CR_STRT],
        timeoutMs: Timeouts.massEraseMs,
        what: 'mass erase',
      },
      this.ctx.banks[bank],
    );
  }

  /**
   * Half-word programming, through flashwright's RAM loader where it runs (loader-path.ts),
   * else from the host, or the host programs what the loader left. From the host, each run
   * goes out as one port write of 16-bit accesses: a write to flash while BSY stalls the bus
   * until the previous half-word is done (the same assumption Black Magic Debug's stm32f1.c
   * makes), so no per-unit polling is needed. The status is checked once per run: PGERR and
   * WRPRTERR stay set until written with 1 (PM0075, FLASH_SR: "Reset by writing 1"), so a
   * half-word that failed shows at the end.
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const first = runs[0];
    if (first === undefined) return;
    const bank = bankOf(this.ctx.banks, first.address);
    await this.block(bank).program(runs, progress, signal, {
      control: CR_PG,
      loader: { path: this.loaderPath, code: f0F1F3Loader(this.regs(bank)) },
      units: { width: 16, unitBytes: 2, unitName: 'half-word' },
    });
  }

  async readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters> {
    const bytes = await this.ctx.memory.read(OPTION_BYTES, 16, signal ? { signal } : {});
    const values: OptionRegisters = {};
    optionOrder.forEach((name, i) => {
      values[name] = bytes[i * 2] ?? 0xff;
    });
    return values;
  }

  /**
   * Option bytes are erased and rewritten as a block (PM0075 / RM0091): unlock KEYR and
   * OPTKEYR, OPTER + STRT, then OPTPG and the eight half-words with their complements.
   * Changing RDP from level 1 to 0 mass-erases the flash at that point.
   */
  async writeOptionRegisters(values: OptionRegisters, signal?: AbortSignal): Promise<void> {
    const current = await this.readOptionRegisters(signal);
    const next = { ...current, ...values };
    const base = this.regs(0);
    const block = this.block(0);
    const memory = this.ctx.memory;
    await block.unlock();
    try {
      await block.wait(Timeouts.optionMs, 'previous flash operation');
      await block.clearFlags();
      if (((await memory.read32(base + CR)) & CR_OPTWRE) === 0) {
        await memory.write32(base + OPTKEYR, Keys.flash[0]);
        await memory.write32(base + OPTKEYR, Keys.flash[1]);
      }
      await memory.write32(base + CR, CR_OPTER | CR_OPTWRE);
      await memory.write32(base + CR, CR_OPTER | CR_OPTWRE | CR_STRT);
      await block.check('option-bytes', undefined, Timeouts.optionMs, 'option erase');
      await memory.write32(base + CR, CR_OPTPG | CR_OPTWRE);
      for (const [i, name] of optionOrder.entries()) {
        const value = (next[name] ?? 0xff) & 0xff;
        const halfWord = value | ((~value & 0xff) << 8);
        await memory.write(
          OPTION_BYTES + i * 2,
          new Uint8Array([halfWord & 0xff, halfWord >>> 8]),
          {
            width: 16,
          },
        );
        await block.check('option-bytes', undefined, Timeouts.optionMs, `option byte ${name}`);
      }
      if (!this.isF1) {
        // F0/F3: OBL_LAUNCH reloads the option bytes through a system reset, which cuts the
        // debug link; the write may report an error for that reason.
        await memory.write32(base + CR, CR_OPTWRE | CR_OBL_LAUNCH).catch(() => undefined);
        await this.ctx.reattach();
        return;
      }
      await memory.write32(base + CR, CR_LOCK);
    } catch (error) {
      await memory.write32(base + CR, CR_LOCK).catch(() => undefined);
      throw error;
    }
    // F1 has no OBL_LAUNCH (CMSIS-F1 defines none; OpenOCD stm32f1x.c refuses options_load on
    // F1): option bytes load at system reset.
    await this.ctx.resetHalt();
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const base = this.regs(0);
    const obr = await this.ctx.memory.read32(base + OBR, signal);
    const wrpr = await this.ctx.memory.read32(base + WRPR, signal);
    let rdpByte: number;
    if (this.isF1) {
      // F1 OBR.RDPRT (bit 1) only says protected or not.
      rdpByte = (obr & 0b10) !== 0 ? 0x00 : 0xa5;
    } else {
      // F0/F3 OBR bits [2:1]: 00 level 0, 01 level 1, 11 level 2.
      const code = (obr >>> 1) & 0b11;
      rdpByte = code === 0 ? 0xaa : code === 0b11 ? 0xcc : 0xbb;
    }
    return {
      rdpByte,
      level: rdpLevelOf(this.ctx.data, rdpByte),
      writeProtected: this.wrpRanges(wrpr),
    };
  }

  private wrpRanges(wrpr: number): AddressRange[] {
    const start = this.ctx.data.flashBase;
    const end = this.ctx.banks.at(-1)?.end ?? start;
    const ranges: AddressRange[] = [];
    for (let bit = 0; bit < 32; bit++) {
      if (((wrpr >>> bit) & 1) !== 0) continue;
      const from = start + bit * WRP_BYTES;
      if (from >= end) break;
      const to = bit === 31 ? end : Math.min(end, from + WRP_BYTES);
      ranges.push({ start: from, end: to });
    }
    return ranges;
  }

  async lock(): Promise<void> {
    for (let bank = 0; bank < this.ctx.banks.length; bank++) {
      await this.block(bank).relock();
    }
  }
}
