import { FlashwrightError } from '@flashwright/core';
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
} from './controller.js';
import { type FlashOperation, type StatusFlag, maskOf, throwOnFlashError } from './status-flags.js';
import { hex, waitNotBusy } from './wait.js';

// The flash controller of STM32WB0x and STM32WL3x, from the BlueNRG-LP line (RM0530, RM0505
// and RM0511 "Flash controller"): FLASH_CTRL registers as ST's CMSIS packs describe them
// (Keil.STM32WB0x_DFP CMSIS/SVD/STM32WB07.svd, Keil.STM32WL3x_DFP CMSIS/SVD/STM32WL33.svd),
// the command sequence as the packs' flash algorithm CMSIS/Flash/STM32WB0x/FlashPrg.c runs it:
// clear the interrupt flags, write the word offset from the flash base to ADDRESS (and the data
// to DATA0-DATA3), write the command, poll until CMDDONE. OpenOCD src/flash/nor/bluenrg-x.c
// does the same, polling IRQRAW (flags before the mask), as this algorithm does.
const COMMAND = 0x00;
const CONFIG = 0x04;
const IRQRAW = 0x10;
const SIZE = 0x14;
const ADDRESS = 0x18;
const DATA0 = 0x40;

const CMD_ERASE = 0x11;
const CMD_MASSERASE = 0x22;
const CMD_WRITE = 0x33;
const CMD_BURSTWRITE = 0xcc;

const IRQ_CMDDONE = 1 << 0;
/** IRQRAW bits 5:0 (CMDDONE, CMDSTART, CMDERR, ILLCMD, READOK, FLNREADY): write 1 to clear. */
const IRQ_ALL = 0x3f;
const errorFlags: readonly StatusFlag[] = [
  { name: 'CMDERR', mask: 1 << 2 },
  { name: 'ILLCMD', mask: 1 << 3 },
];
/** CONFIG.DIS_GROUP_WRITE: burst write forbidden, so words go one by one. */
const CONFIG_DIS_GROUP_WRITE = 1 << 2;
/** SIZE.FLASH_SECURE (a protection key is present) and SIZE.SWD_DISABLE (flash and SWD). */
const SIZE_FLASH_SECURE = 1 << 19;
const SIZE_SWD_DISABLE = 1 << 20;

/** BURSTWRITE programs four words (DATA0-DATA3) at a word offset that is a multiple of four. */
const BURST_BYTES = 16;
const WORD_BYTES = 4;

export class BlueNrgLpController implements FlashController {
  constructor(private readonly ctx: ControllerContext) {}

  private get base(): number {
    return this.ctx.data.controller.base;
  }

  private async command(
    code: number,
    address: number,
    words: readonly number[],
    operation: FlashOperation,
    range: AddressRange,
    timeoutMs: number,
  ): Promise<void> {
    const memory = this.ctx.memory;
    await memory.write32(this.base + IRQRAW, IRQ_ALL);
    await memory.write32(this.base + ADDRESS, (address - this.ctx.data.flashBase) / WORD_BYTES);
    for (const [i, word] of words.entries()) await memory.write32(this.base + DATA0 + 4 * i, word);
    await memory.write32(this.base + COMMAND, code);
    const status = await this.waitDone(timeoutMs, `${operation} at 0x${hex(address)}`);
    await memory.write32(this.base + IRQRAW, IRQ_ALL);
    await throwOnFlashError(status, errorFlags, operation, range);
  }

  /**
   * Polls IRQRAW until CMDDONE; returns it (with the error flags). An illegal command raises
   * ILLCMD without CMDDONE, so that ends the wait too.
   */
  private waitDone(timeoutMs: number, what: string): Promise<number> {
    return waitNotBusy({
      memory: this.ctx.memory,
      statusAddress: this.base + IRQRAW,
      statusName: 'IRQRAW',
      doneMask: IRQ_CMDDONE | maskOf(errorFlags),
      timeoutMs,
      clock: this.ctx.clock,
      what,
    });
  }

  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const sector of sectors) {
      throwIfAborted(signal);
      const { start } = sector.range;
      await this.command(CMD_ERASE, start, [], 'erase', sector.range, Timeouts.pageEraseMs);
      done(sector);
    }
  }

  async eraseBank(bank: number): Promise<void> {
    const region = this.ctx.banks[bank];
    if (region === undefined) throw new RangeError(`no flash bank ${bank}`);
    const range = { start: region.start, end: region.end };
    await this.command(CMD_MASSERASE, region.start, [], 'erase', range, Timeouts.massEraseMs);
  }

  /**
   * Programs each run with BURSTWRITE where four words line up (a 16-byte boundary) and
   * bursts are allowed, else word by word with WRITE. A command ends before the next starts,
   * and its error flags are read after it (they are cleared before each command).
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    const config = await this.ctx.memory.read32(this.base + CONFIG, signal);
    const bursts = (config & CONFIG_DIS_GROUP_WRITE) === 0;
    for (const run of runs) {
      throwIfAborted(signal);
      if (run.address % WORD_BYTES !== 0 || run.data.length % WORD_BYTES !== 0) {
        throw new RangeError(`BlueNRG-LP flash takes whole words: ${hex(run.address)}`);
      }
      const view = new DataView(run.data.buffer, run.data.byteOffset, run.data.byteLength);
      let offset = 0;
      while (offset < run.data.length) {
        const address = run.address + offset;
        const burst =
          bursts && address % BURST_BYTES === 0 && run.data.length - offset >= BURST_BYTES;
        const bytes = burst ? BURST_BYTES : WORD_BYTES;
        const words = Array.from({ length: bytes / WORD_BYTES }, (_, i) =>
          view.getUint32(offset + WORD_BYTES * i, true),
        );
        const range = { start: address, end: address + bytes };
        await this.command(
          burst ? CMD_BURSTWRITE : CMD_WRITE,
          address,
          words,
          'program',
          range,
          Timeouts.programMs,
        );
        offset += bytes;
        progress.sent(run, offset);
      }
      progress.done(run);
    }
  }

  /** No option bytes on these parts. */
  readOptionRegisters(): Promise<OptionRegisters> {
    return Promise.resolve({});
  }

  writeOptionRegisters(): Promise<void> {
    return Promise.reject(
      new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `${this.ctx.data.name} has no option bytes to write`,
        { hint: 'Remove the option-byte step from the recipe for this part.' },
      ),
    );
  }

  /**
   * SIZE.FLASH_SECURE reads as level 1 and SIZE.SWD_DISABLE as level 2; `rdpByte` carries
   * those two bits (there is no RDP byte). No write protection is set by option bytes.
   */
  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const size = await this.ctx.memory.read32(this.base + SIZE, signal);
    const level = (size & SIZE_SWD_DISABLE) !== 0 ? 2 : (size & SIZE_FLASH_SECURE) !== 0 ? 1 : 0;
    return { rdpByte: (size >>> 19) & 0b11, level, writeProtected: [] };
  }

  /** Nothing to lock: the controller has no keys. */
  lock(): Promise<void> {
    return Promise.resolve();
  }
}
