import type { AddressRange } from '@flashwright/core/image';
import { throwIfAborted } from '@flashwright/core/plugin';
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
import { FlashBlock, type LockKey } from './flash-block.js';
import { Keys } from './keys.js';
import { l0L1Loader } from './l0-l1-loader.js';
import { LoaderPath } from './loader-path.js';
import { type StatusFlag, flagsSet, maskOf, throwOnFlashError } from './status-flags.js';
import { DATA_EEPROM, mainFlash } from '../device/regions.js';
import { writeUnits } from './unit-write.js';

// STM32L0/L1 NVM controller: RM0038 (L1), RM0367/RM0377 (L0); registers and bits as CMSIS-L1
// stm32l151xb.h/stm32l151xe.h and CMSIS-L0 stm32l073xx.h define them, sequences as OpenOCD
// src/flash/nor/stm32lx.c and HAL-L0/L1 run them.
const PECR = 0x04;
const PEKEYR = 0x0c;
const PRGKEYR = 0x10;
const OPTKEYR = 0x14;
const SR = 0x18;
const OBR = 0x1c;
const WRPR = 0x20;
/** WRPR2..4 of the larger parts (sectors 32-63, 64-95, 96-127). */
const WRPR_HIGH = [0x80, 0x84, 0x88] as const;

const PECR_PELOCK = 1 << 0;
const PECR_PRGLOCK = 1 << 1;
const PECR_OPTLOCK = 1 << 2;
const PECR_PROG = 1 << 3;
/** With ERASE: a write of 0 erases a data EEPROM word (RM0038 "Erasing data", CMSIS FLASH_PECR_DATA). */
const PECR_DATA = 1 << 4;
const PECR_ERASE = 1 << 9;
const PECR_FPRG = 1 << 10;
const PECR_OBL_LAUNCH = 1 << 18;

const SR_BSY = 1 << 0;
const SR_EOP = 1 << 1;
const l1Flags: readonly StatusFlag[] = [
  { name: 'WRPERR', mask: 1 << 8 },
  { name: 'PGAERR', mask: 1 << 9 },
  { name: 'SIZERR', mask: 1 << 10 },
  { name: 'RDERR', mask: 1 << 13 },
];
const l0Flags: readonly StatusFlag[] = [
  ...l1Flags,
  { name: 'NOTZEROERR', mask: 1 << 16 },
  { name: 'FWWERR', mask: 1 << 17 },
];
/** Option-load flags: set by a bad option word at load time, not by flash operations. */
const SR_OPTVERR = (1 << 11) | (1 << 12);

/** Option words: 16-bit value in [15:0], complement in [31:16]. */
const OPTION_WORDS = 0x1ff80000;
const optionOrder = ['RDP', 'USER', 'WRP01', 'WRP23'] as const;

/** Write protection granularity: one bit per 4 KiB sector, 1 = protected. */
const WRP_SECTOR_BYTES = 4096;
/** Erased pages between status checks while streaming page erases. */
const ERASE_BATCH_PAGES = 16;

export class L0L1Controller implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  private readonly flags: readonly StatusFlag[];
  /** flashwright's RAM loader, or the host path (loader-path.ts). */
  readonly loaderPath: LoaderPath;

  /** Unlock, status checks and relock (flash-block.ts). */
  private readonly block: FlashBlock;

  constructor(private readonly ctx: ControllerContext) {
    this.flags = ctx.data.line === 'STM32L0' ? l0Flags : l1Flags;
    this.loaderPath = new LoaderPath(ctx);
    this.block = new FlashBlock(ctx, {
      control: this.base + PECR,
      unlockKeys: this.unlockKeys('program'),
      lockValue: PECR_PRGLOCK | PECR_OPTLOCK | PECR_PELOCK,
      status: this.base + SR,
      busyMask: SR_BSY,
      errors: this.flags,
      clear: this.base + SR,
      clearMask: maskOf(this.flags) | SR_EOP | SR_OPTVERR,
      protectedRanges: this.protectedRanges,
      // A half-page an earlier run left unfinished (the link lost, the target busy); a read
      // under RDP level 1 faults, and then there is nothing to program anyway.
      idle: () => this.abandonHalfPage(ctx.data.flashBase).catch(() => undefined),
    });
  }

  private get base(): number {
    return this.ctx.data.controller.base;
  }

  private get halfPageBytes(): number {
    return this.ctx.data.halfPageBytes ?? 128;
  }

  /** PECR opens with PEKEYR; PRGKEYR (program memory) or OPTKEYR (option bytes) then. */
  private unlockKeys(what: 'program' | 'option'): LockKey[] {
    const pecr = {
      lockMask: PECR_PELOCK,
      keyRegister: this.base + PEKEYR,
      keys: Keys.lxPecr,
      what: 'PECR',
    };
    return what === 'program'
      ? [
          pecr,
          {
            lockMask: PECR_PRGLOCK,
            keyRegister: this.base + PRGKEYR,
            keys: Keys.lxProgram,
            what: 'Program memory',
          },
        ]
      : [
          pecr,
          {
            lockMask: PECR_OPTLOCK,
            keyRegister: this.base + OPTKEYR,
            keys: Keys.lxOption,
            what: 'Option bytes',
          },
        ];
  }

  /** PECR can only change while the NVM is idle. */
  private async setMode(pecr: number): Promise<void> {
    await this.block.wait(Timeouts.programMs, 'flash operation');
    await this.ctx.memory.write32(this.base + PECR, pecr);
  }

  /**
   * Page erase: ERASE|PROG, then a write of 0 to the first word of each page. The writes are
   * streamed: a write while BSY stalls the bus until the previous erase is done (Black Magic
   * Debug's stm32l0.c streams its page erases the same way), so a page is complete when the
   * write of the next one returns. Error flags are read once per batch without waiting.
   */
  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const eeprom =
      sectors.length > 0 && this.ctx.banks[sectors[0]?.bank ?? 0]?.name === DATA_EEPROM;
    await this.block.unlocked(async () => {
      // Program memory: a page per write; data EEPROM: a word per write (ERASE|DATA).
      await this.setMode(PECR_ERASE | (eeprom ? PECR_DATA : PECR_PROG));
      let settled: SectorRef[] = [];
      let pending: SectorRef | undefined;
      const check = async (wait: boolean): Promise<void> => {
        const status = wait
          ? await this.block.wait(Timeouts.pageEraseMs, 'page erase')
          : await this.ctx.memory.read32(this.base + SR);
        const range = rangeOf(settled, pending);
        await throwOnFlashError(status, this.flags, 'erase', range, this.protectedRanges);
        for (const s of settled) done(s);
        settled = [];
      };
      for (const sector of sectors) {
        throwIfAborted(signal);
        await this.ctx.memory.write32(sector.range.start, 0);
        if (pending) settled.push(pending);
        pending = sector;
        if (settled.length >= ERASE_BATCH_PAGES) await check(false);
      }
      if (pending) settled.push(pending);
      pending = undefined;
      await check(true);
    });
  }

  /**
   * No mass erase on L0/L1 (CMSIS-L0/L1 FLASH_PECR has no MER bit): erase the bank page by
   * page, as stlink-org src/stlink-lib/common_flash.c does.
   */
  async eraseBank(bank: number, signal?: AbortSignal): Promise<void> {
    const region = this.ctx.banks[bank];
    if (!region) throw new RangeError(`no bank ${bank}`);
    const sectors = region.sectors.map((range, index) => ({ bank, index, range }));
    await this.eraseSectors(sectors, () => undefined, signal);
  }

  /**
   * Each run as core planned it: whole half-pages (32 words on L1, 16 on L0) in half-page
   * mode (FPRG|PROG), the words before the first and after the last whole half-page (where
   * the image starts or ends part-way into one) one by one in word mode (no PECR bits).
   * Half-pages go out back to back in one port write: the first word of the next one stalls
   * until the previous one is programmed. The status is checked at the end of each part: the
   * error flags are "Cleared by writing 1" (RM0038 FLASH_SR).
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const half = this.halfPageBytes;
    await this.block.unlocked(async () => {
      for (const run of runs) {
        throwIfAborted(signal);
        if (this.inDataEeprom(run.address)) {
          // Data EEPROM: word writes with PECR clear, no half-pages (RM0038 "Data EEPROM programming").
          await this.programWords(
            run.address,
            run.data,
            (bytes) => progress.sent(run, bytes),
            signal,
          );
          progress.done(run);
          continue;
        }
        const first = Math.min(run.data.length, alignUp(run.address, half) - run.address);
        const wholeEnd = first + Math.floor((run.data.length - first) / half) * half;
        const from = (offset: number) => (bytes: number) => progress.sent(run, offset + bytes);
        await this.programWords(run.address, run.data.subarray(0, first), from(0), signal);
        const middle = run.data.subarray(first, wholeEnd);
        await this.programHalfPages(run.address + first, middle, from(first), signal);
        const last = run.data.subarray(wholeEnd);
        await this.programWords(run.address + wholeEnd, last, from(wholeEnd), signal);
        progress.done(run);
      }
    });
  }

  private inDataEeprom(address: number): boolean {
    const region = this.ctx.banks.find((b) => b.name === DATA_EEPROM);
    return region !== undefined && address >= region.start && address < region.end;
  }

  private async programWords(
    address: number,
    data: Uint8Array,
    sent: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (data.length === 0) return;
    await this.setMode(0);
    await writeUnits(address, data, {
      memory: this.ctx.memory,
      log: this.ctx.log,
      width: 32,
      unitBytes: 4,
      unitName: 'word',
      onProgress: sent,
      signal,
    });
    const range = { start: address, end: address + data.length };
    await this.block.check('program', range, Timeouts.programMs, 'word programming');
  }

  private async programHalfPages(
    address: number,
    data: Uint8Array,
    sent: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (data.length === 0) return;
    await this.setMode(PECR_FPRG | PECR_PROG);
    const done = await this.programWithLoader(address, data, sent, signal);
    if (done === data.length) return;
    address += done;
    data = data.subarray(done);
    const sentBefore = done;
    const sentRest = (bytes: number): void => sent(sentBefore + bytes);
    await writeUnits(address, data, {
      memory: this.ctx.memory,
      log: this.ctx.log,
      width: 32,
      unitBytes: this.halfPageBytes,
      unitName: 'half-page',
      dropPartialUnit: async () => {
        await this.abandonHalfPage(address);
        await this.ctx.memory.write32(this.base + SR, maskOf(this.flags.filter(isAbortFlag)));
      },
      onProgress: sentRest,
      signal,
    });
    const range = { start: address, end: address + data.length };
    await this.block.check('program', range, Timeouts.programMs, 'half-page programming');
  }

  /**
   * Programs whole half-pages with flashwright's RAM loader (loader-path.ts decides whether,
   * and falls back). Returns how many bytes from `address` are programmed; the host programs
   * the rest. A flash error the loader reports is thrown as the host path would throw it.
   */
  private programWithLoader(
    address: number,
    data: Uint8Array,
    sent: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    return this.loaderPath.program(l0L1Loader(this.base, this.halfPageBytes), {
      address,
      data,
      sent,
      signal,
      checkStatus: (status, range) =>
        throwOnFlashError(status, this.flags, 'program', range, this.protectedRanges),
      recover: async (at) => {
        // A half-page the loader left in the latches would break the host's first write.
        await this.abandonHalfPage(at).catch(() => undefined);
        await this.ctx.memory.write32(this.base + SR, maskOf(this.flags) | SR_EOP);
        await this.setMode(PECR_FPRG | PECR_PROG);
      },
    });
  }

  /**
   * Drops the words of a half-page that was cut short from the latches, where they would break
   * the next flash write: a read of the flash abandons them (RM0377 FWWERR, "a write/erase
   * operation is aborted to perform a fetch"; RM0038 names no flag for it: an assumption that
   * L1 behaves alike). The caller clears the flag that leaves (isAbortFlag).
   */
  private async abandonHalfPage(address: number): Promise<void> {
    await this.ctx.memory.read32(address);
  }

  /** RDP, USER, then one WRP word per 16 sectors of 4 KiB (WRP01, WRP23). */
  private get optionWords(): number {
    const flashBytes = mainFlash(this.ctx.banks).reduce((n, b) => n + (b.end - b.start), 0);
    return 2 + Math.min(2, Math.ceil(flashBytes / (16 * WRP_SECTOR_BYTES)));
  }

  async readOptionRegisters(signal?: AbortSignal): Promise<OptionRegisters> {
    const count = this.optionWords;
    const bytes = await this.ctx.memory.read(OPTION_WORDS, count * 4, signal ? { signal } : {});
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values: OptionRegisters = {};
    optionOrder.slice(0, count).forEach((name, i) => {
      values[name] = view.getUint32(i * 4, true) & 0xffff;
    });
    return values;
  }

  /**
   * Each changed option word is written with its complement (value | ~value << 16), then
   * OBL_LAUNCH reloads them through a system reset (which drops the debug link). Writing RDP
   * from level 1 to 0 mass-erases flash and data EEPROM first.
   */
  async writeOptionRegisters(values: OptionRegisters, signal?: AbortSignal): Promise<void> {
    const current = await this.readOptionRegisters(signal);
    const memory = this.ctx.memory;
    await this.block.unlock(this.unlockKeys('option'));
    try {
      await this.block.wait(Timeouts.optionMs, 'previous flash operation');
      await this.block.clearFlags();
      for (const [i, name] of optionOrder.entries()) {
        const value = values[name];
        if (value === undefined || value === current[name]) continue;
        const word = ((value & 0xffff) | ((~value & 0xffff) << 16)) >>> 0;
        await memory.write32(OPTION_WORDS + i * 4, word);
        const status = await this.block.wait(Timeouts.optionMs, `option word ${name}`);
        await throwOnFlashError(status, this.flags, 'option-bytes');
        const loaded = flagsSet(status, [{ name: 'OPTVERR', mask: SR_OPTVERR }]);
        if (loaded.length > 0) this.ctx.log.debug(`L0/L1 option write left ${loaded.join(',')}`);
      }
      const pecr = await memory.read32(this.base + PECR);
      await memory.write32(this.base + PECR, pecr | PECR_OBL_LAUNCH).catch(() => undefined);
    } catch (error) {
      await this.lock();
      throw error;
    }
    await this.ctx.reattach();
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const obr = await this.ctx.memory.read32(this.base + OBR, signal);
    const rdpByte = obr & 0xff;
    const flashBytes = (mainFlash(this.ctx.banks).at(-1)?.end ?? 0) - this.ctx.data.flashBase;
    const registers = [WRPR, ...WRPR_HIGH].slice(
      0,
      Math.max(1, Math.ceil(flashBytes / (32 * WRP_SECTOR_BYTES))),
    );
    const writeProtected: AddressRange[] = [];
    for (const [r, offset] of registers.entries()) {
      const bits = await this.ctx.memory.read32(this.base + offset, signal);
      for (let bit = 0; bit < 32; bit++) {
        if (((bits >>> bit) & 1) === 0) continue;
        const start = this.ctx.data.flashBase + (r * 32 + bit) * WRP_SECTOR_BYTES;
        writeProtected.push({ start, end: start + WRP_SECTOR_BYTES });
      }
    }
    return { rdpByte, level: rdpLevelOf(this.ctx.data, rdpByte), writeProtected };
  }

  async lock(): Promise<void> {
    await this.block.relock();
  }
}

/**
 * The flag an abandoned half-page leaves: FWWERR on L0; RM0038 names none for L1 (the
 * simulator raises PGAERR).
 */
function isAbortFlag(flag: StatusFlag): boolean {
  return flag.name === 'PGAERR' || flag.name === 'FWWERR';
}

function alignUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

function rangeOf(sectors: readonly SectorRef[], extra?: SectorRef): AddressRange | undefined {
  const all = extra ? [...sectors, extra] : sectors;
  const first = all[0];
  const last = all.at(-1);
  return first && last ? { start: first.range.start, end: last.range.end } : undefined;
}
