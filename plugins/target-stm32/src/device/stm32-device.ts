import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import { CortexM } from '@flashwright/core/arm';
import {
  type AddressRange,
  type FlashImage,
  formatRange,
  mergeRanges,
  rangeContains,
} from '@flashwright/core/image';
import {
  type Device,
  type FlashRegion,
  type FlashSize,
  type OptionFieldInfo,
  type OptionHazard,
  type OptionValues,
  type ProgressCallback,
  type ProtectionState,
  type TargetContext,
  type WriteOptionBytesOptions,
  sleep,
  throwIfAborted,
} from '@flashwright/core/plugin';
import {
  type OptionFieldData,
  resetCoreClockHz,
  type Stm32DeviceData,
} from '@flashwright/stm32-devices';
import type { FlashController, ProgramRun, SectorRef } from '../flash/controller.js';
import { LoaderFailure } from '../flash/core-control.js';
import { crc32CostMs, crc32OnChip } from '../flash/crc32-routine.js';
import { targetClock } from '../flash/flash-clock.js';
import {
  decodeOptionFields,
  encodeOptionFields,
  optionFieldInfos,
} from '../options/option-codec.js';
import { availableOptionFields } from '../options/available-fields.js';
import { stm32OptionHazards } from '../options/hazards.js';
import { matchesDeviceName } from './naming.js';
import { DATA_EEPROM, mainFlash } from './regions.js';
import { sectorsCovering } from './sector-map.js';
import { uniqueIdWordAddresses } from './unique-id.js';

export interface Stm32DeviceInit {
  readonly data: Stm32DeviceData;
  readonly name: string;
  readonly target: TargetContext;
  readonly flash: readonly FlashRegion[];
  readonly ram: readonly AddressRange[];
  readonly flashSize: FlashSize;
  readonly ids: Readonly<Record<string, string>>;
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  readonly notes: readonly string[];
  readonly controller: FlashController;
  /** Why no code may run on the core (the recipe's `flash.loader: host`), if so. */
  readonly codeRefused?: string | undefined;
}

const READ_CHUNK_BYTES = 16 * 1024;

/** An identified STM32, bound to the probe it was identified through. */
export class Stm32Device implements Device {
  readonly family = 'stm32';
  readonly name: string;
  readonly flash: readonly FlashRegion[];
  readonly ram: readonly AddressRange[];
  readonly flashSize: FlashSize;
  readonly ids: Readonly<Record<string, string>>;
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  readonly notes: readonly string[];
  readonly data: Stm32DeviceData;
  readonly #target: TargetContext;
  readonly #controller: FlashController;
  readonly #fields: readonly OptionFieldData[];
  readonly #codeRefused: string | undefined;

  constructor(init: Stm32DeviceInit) {
    this.data = init.data;
    this.name = init.name;
    this.flash = init.flash;
    this.ram = init.ram;
    this.flashSize = init.flashSize;
    this.ids = init.ids;
    this.facts = init.facts;
    this.notes = init.notes;
    this.#target = init.target;
    this.#controller = init.controller;
    this.#codeRefused = init.codeRefused;
    const banks = mainFlash(init.flash);
    const flashKiB = banks.reduce((n, r) => n + (r.end - r.start), 0) / 1024;
    this.#fields = availableOptionFields(init.data, banks.length > 1, flashKiB);
  }

  matches(deviceName: string): boolean {
    return matchesDeviceName(this.data, deviceName);
  }

  /** The 96-bit unique ID, 12 bytes in address order (U_ID[7:0] first). */
  async uniqueId(signal?: AbortSignal): Promise<Uint8Array> {
    const addresses = uniqueIdWordAddresses(this.data);
    if (addresses === undefined) {
      throw new FlashwrightError(
        'COMMAND_UNAVAILABLE',
        `The device database has no unique-ID address for ${this.name}`,
        {
          hint: 'Add uidAddress to the part in @flashwright/stm32-devices (from its reference manual).',
        },
      );
    }
    const bytes = new Uint8Array(4 * addresses.length);
    const view = new DataView(bytes.buffer);
    for (const [i, address] of addresses.entries()) {
      view.setUint32(4 * i, await this.#target.memory.read32(address, signal), true);
    }
    return bytes;
  }

  /** Why the on-chip CRC routine cannot run, once it failed or when the probe cannot run code. */
  #checksumUnavailable: string | undefined;

  get codeUnavailable(): string | undefined {
    return this.#checksumUnavailable;
  }

  /**
   * The CRC-32 of `range` computed on the chip by flashwright's routine (loaders/crc32), run
   * like the RAM flash loaders; undefined, with a note saying why, where it cannot run (a
   * probe with memory access only, too little RAM, the routine faulted or hung): the caller
   * reads back instead. After one failure the session does not try again.
   */
  async checksum(range: AddressRange, signal?: AbortSignal): Promise<number | undefined> {
    const refused = this.#codeCannotRun();
    if (refused !== undefined && this.#checksumUnavailable === undefined) {
      this.#checksumUnavailable = refused;
      this.#target.log.info(`CRC-32 on the chip not used: ${refused}; reading back instead.`);
    }
    if (this.#checksumUnavailable !== undefined) return undefined;
    await this.ensureHalted(signal);
    try {
      return await crc32OnChip({
        memory: this.#target.memory,
        clock: targetClock(this.#target.probe),
        ram: this.ram[0],
        range,
        signal,
      });
    } catch (error) {
      if (!(error instanceof LoaderFailure)) throw error;
      this.#checksumUnavailable = error.reason;
      this.#target.log.warn(`CRC-32 on the chip not used: ${error.reason}; reading back instead.`);
      return undefined;
    }
  }

  /**
   * Estimated milliseconds of checksum(range): loading and starting the routine and its run
   * on the core at the line's reset clock (the core runs from it after a connect under reset;
   * firmware that switched to a faster clock makes the CRC faster than this). Undefined where
   * the routine cannot run here.
   */
  checksumCostMs(range: AddressRange): number | undefined {
    if (this.#checksumUnavailable !== undefined || this.#codeCannotRun() !== undefined)
      return undefined;
    const clockHz = resetCoreClockHz(this.data.line);
    const transferStartUs = this.#target.memory.limits?.transferStartUs;
    if (clockHz === undefined || transferStartUs === undefined) return undefined;
    return crc32CostMs({ bytes: range.end - range.start, clockHz, transferStartUs });
  }

  /** Why no code can run on the core through this probe, or the recipe's refusal. */
  #codeCannotRun(): string | undefined {
    const probe = this.#target.probe;
    if (probe.access.level === 'memory')
      return `the probe (${probe.info.name}) gives memory access only and cannot run code`;
    return this.#codeRefused;
  }

  /** Flash work needs a halted core: running firmware could touch the controller too. */
  private async ensureHalted(signal?: AbortSignal): Promise<void> {
    const core = new CortexM(this.#target.memory);
    if (!(await core.isHalted(signal))) await core.halt(signal);
  }

  async protection(signal?: AbortSignal): Promise<ProtectionState> {
    const info = await this.#controller.readProtection(signal);
    const hex = info.rdpByte.toString(16).toUpperCase().padStart(2, '0');
    const wrp =
      info.writeProtected.length === 0
        ? ''
        : `; write-protected: ${info.writeProtected.map(formatRange).join(', ')}`;
    return {
      readLevel: info.level,
      writeProtected: info.writeProtected,
      summary:
        info.state === undefined
          ? `RDP level ${info.level} (RDP byte 0x${hex})${wrp}`
          : `${info.state}, read protection as RDP level ${info.level}${wrp}`,
    };
  }

  async unprotect(progress: ProgressCallback, signal?: AbortSignal): Promise<void> {
    const controller = this.#controller;
    const state = await this.protection(signal);
    const totalBytes = this.flashBytes;
    if (state.readLevel === 2) {
      throw new FlashwrightError(
        'TARGET_RDP2',
        `${this.name} is at RDP level 2: read protection cannot be removed`,
        {
          hint: 'Level 2 is permanent by design: the debug port and the option bytes are frozen for good. Replace the chip.',
        },
      );
    }
    if (state.readLevel === 0) {
      progress({ operation: 'unprotect', doneBytes: totalBytes, totalBytes });
      return;
    }
    throwIfAborted(signal);
    progress({ operation: 'unprotect', doneBytes: 0, totalBytes });
    await this.ensureHalted(signal);
    const level0 = this.rdpField.values?.['0'];
    if (level0 === undefined) throw new FlashwrightError('INTERNAL', 'No RDP level-0 code');
    const current = await controller.readOptionRegisters(signal);
    const { registers } = encodeOptionFields(this.#fields, current, {
      [this.rdpField.name]: level0,
    });
    // RDP 1 -> 0 mass-erases the flash inside this call, on every family (PM0075 for F1,
    // RM0444 and RM0440 for G0 and G4; OpenOCD stm32lx.c stm32lx_mass_erase relies on it).
    await controller.writeOptionRegisters(registers, signal);
    const after = await this.protection();
    if (after.readLevel !== 0) {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `Read protection is still on after the RDP regression (${after.summary})`,
        { hint: 'Power-cycle the board (some parts reload RDP only at power-on) and run again.' },
      );
    }
    progress({
      operation: 'unprotect',
      range: this.flashExtent,
      doneBytes: totalBytes,
      totalBytes,
    });
  }

  async erase(
    target: readonly AddressRange[] | 'mass',
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<void> {
    const controller = this.#controller;
    await this.ensureHalted(signal);
    const sectors =
      target === 'mass'
        ? // A mass erase clears program memory; the data EEPROM keeps its contents.
          this.flash.flatMap((region, bank) =>
            region.name === DATA_EEPROM ? [] : allSectors(region, bank),
          )
        : sectorsCovering(this.flash, target);
    const totalBytes = sectors.reduce((n, s) => n + (s.range.end - s.range.start), 0);
    let doneBytes = 0;
    const finished = (range: AddressRange): void => {
      doneBytes += range.end - range.start;
      progress({ operation: 'erase', range, doneBytes, totalBytes });
    };
    for (const [bank, region] of this.flash.entries()) {
      const inBank = sectors.filter((s) => s.bank === bank);
      if (inBank.length === 0) continue;
      throwIfAborted(signal);
      if (inBank.length === region.sectors.length) {
        // Every sector of the bank: one bank erase does the same in a fraction of the time.
        await controller.eraseBank(bank, signal);
        finished({ start: region.start, end: region.end });
      } else {
        await controller.eraseSectors(inBank, (s) => finished(s.range), signal);
      }
    }
  }

  /**
   * Programs each block of `image` as one run, exactly as given: core planned the runs
   * (whole write units inside one bank) and dropped what needs no programming. Progress
   * moves as the port's transfers finish; a range is reported once the controller's status
   * after its run showed no error.
   */
  async program(
    image: FlashImage,
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<void> {
    const controller = this.#controller;
    this.checkInsideFlash(image);
    const banks = this.runsByBank(image);
    await this.ensureHalted(signal);
    const totalBytes = image.size;
    let finished = 0;
    let reported = 0;
    const report = (doneBytes: number, range?: AddressRange): void => {
      reported = Math.max(reported, doneBytes);
      progress({ operation: 'program', range, doneBytes: reported, totalBytes });
    };
    for (const runs of banks) {
      await controller.program(
        runs,
        {
          sent: (_run, bytes) => report(finished + bytes),
          done: (run) => {
            finished += run.data.length;
            report(finished, { start: run.address, end: run.address + run.data.length });
          },
        },
        signal,
      );
    }
  }

  /**
   * The image's blocks as runs, grouped by bank; a block over the boundary of two touching
   * banks is cut there (an image joins touching blocks, so it cannot hold them apart). A
   * block that is not whole write units breaks the contract with core's planner, which never
   * sends one (INTERNAL).
   */
  private runsByBank(image: FlashImage): ProgramRun[][] {
    const banks = this.flash.map((): ProgramRun[] => []);
    for (const [address, data] of image.blocks) {
      for (const [bank, region] of this.flash.entries()) {
        const start = Math.max(address, region.start);
        const end = Math.min(address + data.length, region.end);
        if (start >= end) continue;
        const unit = region.writeUnitBytes;
        if (start % unit !== 0 || end % unit !== 0) {
          throw new FlashwrightError(
            'INTERNAL',
            `Program run ${formatRange({ start, end })} of ${this.name} is not whole ${unit}-byte write units; core's flash planner makes only runs that are`,
            { details: { range: { start, end }, writeUnitBytes: unit } },
          );
        }
        banks[bank]?.push({ address: start, data: data.subarray(start - address, end - address) });
      }
    }
    return banks.filter((runs) => runs.length > 0);
  }

  async read(
    address: number,
    length: number,
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += READ_CHUNK_BYTES) {
      throwIfAborted(signal);
      const size = Math.min(READ_CHUNK_BYTES, length - offset);
      const start = address + offset;
      try {
        out.set(await this.#target.memory.read(start, size, signal ? { signal } : {}), offset);
      } catch (error) {
        throw await this.explainReadFault(error, { start, end: start + size });
      }
      progress({
        operation: 'read',
        range: { start, end: start + size },
        doneBytes: offset + size,
        totalBytes: length,
      });
    }
    return out;
  }

  /** A faulting flash read under RDP level 1 is the protection, not a broken link. */
  private async explainReadFault(error: unknown, range: AddressRange): Promise<unknown> {
    if (!isFlashwrightError(error) || error.code !== 'TARGET_FAULT') return error;
    if (!this.flash.some((r) => rangeContains(r, { start: range.start, end: range.start + 1 }))) {
      return error;
    }
    const state = await this.protection().catch(() => undefined);
    if (!state || state.readLevel === 0) return error;
    return new FlashwrightError(
      'TARGET_PROTECTED',
      `Flash at ${formatRange(range)} cannot be read: ${state.summary}`,
      { cause: error },
    );
  }

  optionFields(): readonly OptionFieldInfo[] {
    return optionFieldInfos(this.#fields, this.data, mainFlash(this.flash));
  }

  optionHazards(values: OptionValues): OptionHazard[] {
    return stm32OptionHazards(values, this.#fields, mainFlash(this.flash));
  }

  async readOptionBytes(signal?: AbortSignal): Promise<OptionValues> {
    const registers = await this.#controller.readOptionRegisters(signal);
    return decodeOptionFields(this.#fields, registers);
  }

  async writeOptionBytes(
    values: OptionValues,
    signal?: AbortSignal,
    options: WriteOptionBytesOptions = {},
  ): Promise<void> {
    const controller = this.#controller;
    const current = await controller.readOptionRegisters(signal);
    const encoded = encodeOptionFields(this.#fields, current, values);
    const permanent = this.optionFields().some((f) => {
      const raw = encoded.fields[f.name];
      return raw !== undefined && f.isPermanent?.(raw) === true;
    });
    if (permanent && options.confirmPermanent !== true) {
      throw new FlashwrightError(
        'CONFIRMATION_REQUIRED',
        `Refusing to set RDP level 2 on ${this.name}: it disables the debug port for good and cannot be undone`,
        {
          hint: 'Only if you really mean it: give the option-bytes step `confirm: permanently-disable-debug` in your own recipe file, or pass --confirm permanently-disable-debug.',
        },
      );
    }
    throwIfAborted(signal);
    await this.ensureHalted(signal);
    if (permanent) {
      await this.writeRdpLevel2(controller, encoded.registers, signal);
      return;
    }
    await controller.writeOptionRegisters(encoded.registers, signal);
    const after = decodeOptionFields(this.#fields, await controller.readOptionRegisters());
    const wrong = Object.entries(encoded.fields).filter(([name, value]) => after[name] !== value);
    if (wrong.length > 0) {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `Option bytes read back differently: ${wrong.map(([n, v]) => `${n} is ${after[n]}, wanted ${v}`).join('; ')}`,
        { hint: 'Power-cycle the board (some options load only at power-on) and read them again.' },
      );
    }
  }

  /**
   * RDP level 2 (confirmed by the caller): once it loads, the debug port stops answering, so
   * losing the link afterwards is the expected outcome rather than a failure.
   */
  private async writeRdpLevel2(
    controller: FlashController,
    registers: Readonly<Record<string, number>>,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await controller.writeOptionRegisters(registers, signal);
    } catch (error) {
      const gone =
        isFlashwrightError(error) &&
        (error.code === 'PROBE_DISCONNECTED' || error.code === 'TARGET_NO_RESPONSE');
      if (!gone) throw error;
    }
    this.#target.log.warn(
      `${this.name} is now at RDP level 2: its debug port is disabled for good`,
    );
  }

  private get rdpField(): OptionFieldData {
    const field = this.#fields.find((f) => f.role?.kind === 'rdp');
    if (!field) {
      throw new FlashwrightError(
        'COMMAND_UNAVAILABLE',
        `No RDP option field known for ${this.name}`,
      );
    }
    return field;
  }

  private get flashBytes(): number {
    return this.flash.reduce((n, r) => n + (r.end - r.start), 0);
  }

  private get flashExtent(): AddressRange | undefined {
    const first = this.flash[0];
    const last = this.flash.at(-1);
    return first && last ? { start: first.start, end: last.end } : undefined;
  }

  private checkInsideFlash(image: FlashImage): void {
    // Banks that touch (most dual-bank parts) form one stretch an image may span.
    const stretches = mergeRanges(this.flash);
    for (const range of image.ranges()) {
      if (stretches.some((r) => rangeContains(r, range))) continue;
      throw new FlashwrightError(
        'IMAGE_OUTSIDE_FLASH',
        `Image data at ${formatRange(range)} lies outside the flash of ${this.name} (${this.flash.map((r) => formatRange(r)).join(', ')})`,
        {
          hint: 'Check the link address of the image, or target.flashSize if the part has more flash than detected.',
          details: { range },
        },
      );
    }
  }

  /** Re-attaches after an option reload reset the chip; used by the controllers. */
  static async reattach(target: TargetContext, signal?: AbortSignal): Promise<void> {
    const options = target.connectOptions ?? {};
    const modes =
      options.mode === 'under-reset' ? ['under-reset'] : ['normal', 'normal', 'under-reset'];
    let lastError: unknown;
    for (const [attempt, mode] of modes.entries()) {
      try {
        await target.probe.connect({ ...options, mode: mode as 'normal' | 'under-reset' });
        const core = new CortexM(target.memory);
        if (!(await core.isHalted(signal))) await core.halt(signal);
        return;
      } catch (error) {
        lastError = error;
        await sleep(20 * (attempt + 1), signal);
      }
    }
    throw new FlashwrightError(
      'PROBE_DISCONNECTED',
      'Could not re-attach after the option-byte reload reset the chip',
      {
        cause: lastError,
        hint: 'Power-cycle the board and run `flashwright info` to see the new option bytes.',
      },
    );
  }
}

function allSectors(region: FlashRegion, bank: number): SectorRef[] {
  return region.sectors.map((range, index) => ({ bank, index, range }));
}
