import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import {
  type AddressRange,
  type FlashImage,
  formatRange,
  rangeContains,
} from '@flashwright/core/image';
import {
  throwIfAborted,
  type Device,
  type FlashRegion,
  type FlashSize,
  type OptionFieldInfo,
  type OptionHazard,
  type OptionValues,
  type ProgressCallback,
  type ProtectionState,
  type TargetContext,
} from '@flashwright/core/plugin';
import { CtrlAp, dapOf } from './ctrl-ap.js';
import { Ficr, readIdentity } from './identify.js';
import { Nvmc, NvmcClient } from './nvmc.js';
import { targetClock } from './wait.js';
import { NRF_PAGE_BYTES, partByName, RAM_BASE, type NrfPart } from './parts.js';
import {
  APPROTECT_DISABLE_REGISTER,
  APPROTECT_HW_DISABLED,
  decodeUicr,
  encodeUicr,
  UICR_BASE,
  UICR_USED_BYTES,
  uicrFields,
  uicrHazards,
  type UicrField,
} from './uicr.js';

/** What FICR says about the chip. */
export interface NrfIdentity {
  readonly part: NrfPart;
  readonly flashBytes: number;
  readonly ramBytes: number;
  /** INFO.VARIANT as text, e.g. "AAF0" (the build code is its last two characters). */
  readonly variant: string;
  readonly packageName: string;
  /** The hardened APPROTECT (IN-141), from FICR as Nordic's MDK tells it. */
  readonly hardened: boolean;
  readonly raw: Readonly<Record<string, number>>;
}

const READ_CHUNK_BYTES = 16 * 1024;
const hex = (n: number, digits = 1): string =>
  `0x${(n >>> 0).toString(16).toUpperCase().padStart(digits, '0')}`;

/** The flash layout of a part with `flashBytes` of code flash. */
export function nrfFlash(part: NrfPart, flashBytes: number): FlashRegion[] {
  const sectors: AddressRange[] = [];
  for (let start = 0; start < flashBytes; start += NRF_PAGE_BYTES) {
    sectors.push({ start, end: start + NRF_PAGE_BYTES });
  }
  return [
    {
      name: 'code flash',
      start: 0,
      end: flashBytes,
      sectors,
      erasedValue: 0xff,
      writeUnitBytes: 4,
      programUsPerUnit: part.writeWordUs,
    },
  ];
}

/**
 * An identified nRF52. A chip found with access port protection on cannot tell its part
 * (FICR is behind the blocked AHB-AP): it takes the part the recipe names (see `matches`)
 * and reads FICR once `unprotect` has recovered it.
 */
export class NrfDevice implements Device {
  readonly family = 'nrf52';
  readonly #target: TargetContext;
  #identity: NrfIdentity | undefined;
  /** The part the recipe names, for a chip whose FICR could not be read. */
  #expected: NrfPart | undefined;
  readonly #lockedAtConnect: boolean;

  constructor(target: TargetContext, identity: NrfIdentity | undefined) {
    this.#target = target;
    this.#identity = identity;
    this.#lockedAtConnect = identity === undefined;
  }

  get #part(): NrfPart | undefined {
    return this.#identity?.part ?? this.#expected;
  }

  get name(): string {
    if (this.#identity) return `${this.#identity.part.name}-${this.#identity.packageName}`;
    return `${this.#expected?.name ?? 'nRF52'} (access port protection on; FICR unreadable)`;
  }

  /**
   * Does the recipe's part name this chip? A protected chip cannot say which nRF52 it is, so
   * any nRF52 part name matches it, and that part's layout stands for it until `unprotect`
   * reads FICR (which then must agree).
   */
  matches(deviceName: string): boolean {
    const named = partByName(deviceName);
    if (!named) return false;
    if (this.#identity) return named === this.#identity.part;
    this.#expected = named;
    return true;
  }

  get flash(): readonly FlashRegion[] {
    if (this.#identity) return nrfFlash(this.#identity.part, this.#identity.flashBytes);
    return this.#expected ? nrfFlash(this.#expected, this.#expected.maxFlashKiB * 1024) : [];
  }

  get ram(): readonly AddressRange[] {
    const bytes = this.#identity?.ramBytes ?? (this.#expected?.maxRamKiB ?? 0) * 1024;
    return bytes > 0 ? [{ start: RAM_BASE, end: RAM_BASE + bytes }] : [];
  }

  get flashSize(): FlashSize {
    const identity = this.#identity;
    if (!identity) {
      return {
        kib: this.#expected?.maxFlashKiB ?? 0,
        source: 'database',
        note: 'FICR is unreadable while access port protection is on: the size is the named part’s largest',
      };
    }
    return {
      kib: identity.flashBytes / 1024,
      source: 'register',
      raw: identity.flashBytes / NRF_PAGE_BYTES,
      registerAddress: Ficr.CODESIZE,
      note: 'FICR CODESIZE (pages) x CODEPAGESIZE (4 KB)',
    };
  }

  get ids(): Readonly<Record<string, string>> {
    return this.#identity
      ? { 'INFO.PART': hex(this.#identity.part.part) }
      : { 'CTRL-AP IDR': '0x02880000' };
  }

  get facts(): Readonly<Record<string, string | number | boolean>> {
    const identity = this.#identity;
    if (!identity) return { 'access port protection': true };
    return {
      'INFO.PART': hex(identity.part.part),
      'INFO.VARIANT': identity.variant,
      'INFO.PACKAGE': identity.packageName,
      'INFO.RAM': `${identity.ramBytes / 1024} KB`,
      'INFO.FLASH': `${identity.raw['flashKiB'] ?? 0} KB`,
      APPROTECT: identity.hardened ? 'hardened (IN-141)' : 'legacy',
    };
  }

  get notes(): readonly string[] {
    const part = this.#part;
    if (!this.#identity) {
      return [
        `The AHB-AP is blocked (access port protection); the CTRL-AP answers. ${part ? `Taking the recipe’s word that this is an ${part.name}` : 'The part is unknown'} until unprotect (CTRL-AP ERASEALL) opens it.`,
      ];
    }
    return this.#identity.hardened
      ? [
          `This ${this.#identity.part.name} has the hardened APPROTECT (build code ${this.#identity.part.hardenedBuildCode} or later, IN-141): it locks again at every reset unless UICR.APPROTECT is 0x5A and the firmware writes APPROTECT.DISABLE = 0x5A at boot.`,
        ]
      : [];
  }

  get #fields(): UicrField[] {
    const part = this.#requirePart('UICR');
    return uicrFields(part, this.#identity?.hardened ?? false);
  }

  #requirePart(what: string): NrfPart {
    const part = this.#part;
    if (part) return part;
    throw new FlashwrightError(
      'TARGET_PROTECTED',
      `${what}: this nRF52 is protected (access port protection) and its part is unknown`,
      {
        hint: 'Name the part (target.device, e.g. nRF52840) and add `- unprotect: { confirm: mass-erase }` before erase; that erases the whole chip.',
      },
    );
  }

  #nvmc(): NvmcClient {
    const part = this.#requirePart('Flash');
    return new NvmcClient(this.#target.memory, part, targetClock(this.#target.probe));
  }

  async protection(signal?: AbortSignal): Promise<ProtectionState> {
    let on: boolean;
    if (this.#target.probe.access.level === 'memory') {
      // Memory answered (FICR was read), so nothing blocks the debugger.
      on = this.#identity === undefined;
    } else {
      on = await new CtrlAp(this.#target.probe.access.dap).protectionOn(signal);
    }
    return {
      readLevel: on ? 1 : 0,
      writeProtected: [],
      summary: on
        ? `access port protection on (CTRL-AP APPROTECTSTATUS 0)${this.#identity?.hardened === false ? '' : `; hardened silicon (IN-141) also locks at every reset unless UICR.APPROTECT = 0x5A and the firmware writes 0x5A to APPROTECT.DISABLE (${hex(APPROTECT_DISABLE_REGISTER)}) at boot`}`
        : 'access port protection off (CTRL-AP APPROTECTSTATUS 1)',
    };
  }

  /**
   * CTRL-AP ERASEALL: erases code flash, UICR and RAM and opens the debug port. Then FICR
   * is read, and on hardened silicon UICR.APPROTECT is set to HwDisabled (0x5A) so that the
   * firmware can keep the port open after the next reset (it must write APPROTECT.DISABLE).
   */
  async unprotect(progress: ProgressCallback, signal?: AbortSignal): Promise<void> {
    const ctrlAp = new CtrlAp(
      dapOf(this.#target.probe, 'Removing access port protection'),
      targetClock(this.#target.probe),
    );
    const total = this.flash.reduce((n, r) => n + (r.end - r.start), 0);
    progress({ operation: 'unprotect', doneBytes: 0, totalBytes: total });
    throwIfAborted(signal);
    const eraseAllMs = this.#part?.eraseAllMs ?? 200;
    await ctrlAp.eraseAll(eraseAllMs, signal);
    const identity = await readIdentity(this.#target.memory, signal).catch((error: unknown) => {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        'CTRL-AP ERASEALL finished, but the AHB-AP still refuses memory access',
        { cause: error, hint: 'Power-cycle the board and run again.' },
      );
    });
    if (!identity) {
      throw new FlashwrightError(
        'TARGET_UNKNOWN_DEVICE',
        'After ERASEALL, FICR names no known nRF52 part',
      );
    }
    if (this.#expected && this.#expected !== identity.part) {
      throw new FlashwrightError(
        'TARGET_DEVICE_MISMATCH',
        `The recovered chip is an ${identity.part.name}, not the ${this.#expected.name} the recipe names (its flash has been erased)`,
        { hint: `Set target.device to ${identity.part.name}, or connect the right board.` },
      );
    }
    this.#identity = identity;
    if (identity.hardened) {
      await this.#writeUicrWords(new Map([[0x208, 0xffffff00 | APPROTECT_HW_DISABLED]]), signal);
      this.#target.log.info(
        `${identity.part.name} (hardened APPROTECT): wrote UICR.APPROTECT = 0x5A (HwDisabled); the debug port stays open after a reset only if the firmware writes APPROTECT.DISABLE = 0x5A at boot.`,
      );
    }
    const region = this.flash[0];
    progress({
      operation: 'unprotect',
      range: region ? { start: region.start, end: region.end } : undefined,
      doneBytes: total,
      totalBytes: total,
    });
  }

  async erase(
    target: readonly AddressRange[] | 'mass',
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<void> {
    const nvmc = this.#nvmc();
    const flash = this.flash;
    if (target === 'mass') {
      // NVMC ERASEALL takes the UICR too: keep its words and write them back.
      const totalBytes = flash.reduce((n, r) => n + (r.end - r.start), 0);
      const uicr = await this.#readUicrWords(signal);
      await nvmc.eraseRegister(Nvmc.ERASEALL, signal);
      await this.#writeUicrWords(uicr, signal);
      const region = flash[0];
      progress({
        operation: 'erase',
        range: region ? { start: region.start, end: region.end } : undefined,
        doneBytes: totalBytes,
        totalBytes,
      });
      return;
    }
    const pages = new Set<number>();
    for (const range of target) {
      for (
        let page = range.start - (range.start % NRF_PAGE_BYTES);
        page < range.end;
        page += NRF_PAGE_BYTES
      ) {
        pages.add(page);
      }
    }
    const ordered = [...pages].sort((a, b) => a - b);
    const totalBytes = ordered.length * NRF_PAGE_BYTES;
    let doneBytes = 0;
    await nvmc.erasePages(
      ordered,
      (page) => {
        doneBytes += NRF_PAGE_BYTES;
        progress({
          operation: 'erase',
          range: { start: page, end: page + NRF_PAGE_BYTES },
          doneBytes,
          totalBytes,
        });
      },
      signal,
    );
  }

  /** Programs each block of the image as one run of whole words (core's planner made them). */
  async program(
    image: FlashImage,
    progress: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<void> {
    const flash = this.flash;
    const runs: { address: number; data: Uint8Array }[] = [];
    for (const [address, data] of image.blocks) {
      const range = { start: address, end: address + data.length };
      if (!flash.some((r) => rangeContains(r, range))) {
        throw new FlashwrightError(
          'IMAGE_OUTSIDE_FLASH',
          `Image data at ${formatRange(range)} lies outside the flash of ${this.name} (${flash.map((r) => formatRange(r)).join(', ')})`,
          { hint: 'Check the link address of the image.', details: { range } },
        );
      }
      if (address % 4 !== 0 || data.length % 4 !== 0) {
        throw new FlashwrightError(
          'INTERNAL',
          `Program run ${formatRange(range)} of ${this.name} is not whole 4-byte words; core's flash planner makes only runs that are`,
        );
      }
      runs.push({ address, data });
    }
    const totalBytes = image.size;
    let doneBytes = 0;
    await this.#nvmc().writeWords(
      runs,
      (run) => {
        doneBytes += run.data.length;
        progress({
          operation: 'program',
          range: { start: run.address, end: run.address + run.data.length },
          doneBytes,
          totalBytes,
        });
      },
      signal,
    );
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
        throw await this.#explainReadFault(error, { start, end: start + size });
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

  async #explainReadFault(error: unknown, range: AddressRange): Promise<unknown> {
    if (!isFlashwrightError(error) || error.code !== 'TARGET_FAULT') return error;
    const state = await this.protection().catch(() => undefined);
    if (!state || state.readLevel === 0) return error;
    return new FlashwrightError(
      'TARGET_PROTECTED',
      `Memory at ${formatRange(range)} cannot be read: ${state.summary}`,
      { cause: error },
    );
  }

  optionFields(): readonly OptionFieldInfo[] {
    return this.#fields.map((f) => f.info);
  }

  optionHazards(values: OptionValues): readonly OptionHazard[] {
    const part = this.#part;
    if (!part) return [];
    return uicrHazards(part, this.#identity?.hardened ?? false, values, this.#lockedAtConnect);
  }

  async readOptionBytes(signal?: AbortSignal): Promise<OptionValues> {
    await this.#refuseWhileProtected('Reading the UICR', signal);
    const values = decodeUicr(this.#fields, await this.#readUicrWords(signal));
    // Erased customer registers say nothing: shown only once the firmware's data is there.
    for (const f of this.#fields) {
      if (f.info.role?.kind === 'user-data' && values[f.info.name] === 0xffffffff) {
        delete values[f.info.name];
      }
    }
    return values;
  }

  /**
   * Writes UICR fields. Bits only go from 1 to 0 in a write; when a field needs a bit set
   * again, ERASEUICR erases the whole UICR first and every other word is written back. The
   * caller confirmed (`confirm: write-option-bytes`). Refused while access port protection
   * is on: the UICR is out of reach then, and ERASEUICR with it.
   */
  async writeOptionBytes(values: OptionValues, signal?: AbortSignal): Promise<void> {
    await this.#refuseWhileProtected('Writing the UICR', signal);
    const fields = this.#fields;
    const current = await this.#readUicrWords(signal);
    const wanted = encodeUicr(fields, current, values);
    const needsErase = [...wanted].some(([offset, word]) => {
      const old = current.get(offset) ?? 0xffffffff;
      return (word & ~old) >>> 0 !== 0;
    });
    if (needsErase) {
      await this.#nvmc().eraseRegister(Nvmc.ERASEUICR, signal);
      await this.#writeUicrWords(wanted, signal);
    } else {
      const changed = new Map([...wanted].filter(([offset, word]) => current.get(offset) !== word));
      await this.#writeUicrWords(changed, signal);
    }
    const after = decodeUicr(fields, await this.#readUicrWords(signal));
    const wrong = Object.entries(values).filter(([name, value]) => after[name] !== value);
    if (wrong.length > 0) {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `UICR read back differently: ${wrong.map(([n, v]) => `${n} is ${hex(after[n] ?? 0)}, wanted ${hex(v)}`).join('; ')}`,
        { hint: 'Power-cycle the board and read them again with `flashwright option-bytes`.' },
      );
    }
  }

  async #refuseWhileProtected(what: string, signal?: AbortSignal): Promise<void> {
    const state = await this.protection(signal);
    if (state.readLevel === 0) return;
    throw new FlashwrightError(
      'TARGET_PROTECTED',
      `${what} is refused on ${this.name}: access port protection is on, so the UICR can be neither read nor written, and ERASEUICR is refused`,
      {
        hint: 'Remove the protection first with `- unprotect: { confirm: mass-erase }` (CTRL-AP ERASEALL, which erases flash and UICR), then write the UICR.',
        details: { protection: state },
      },
    );
  }

  async #readUicrWords(signal?: AbortSignal): Promise<Map<number, number>> {
    const bytes = await this.#target.memory.read(
      UICR_BASE,
      UICR_USED_BYTES,
      signal ? { signal, width: 32 } : { width: 32 },
    );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words = new Map<number, number>();
    for (let offset = 0; offset < UICR_USED_BYTES; offset += 4) {
      const word = view.getUint32(offset, true);
      if (word !== 0xffffffff) words.set(offset, word);
    }
    return words;
  }

  async #writeUicrWords(words: ReadonlyMap<number, number>, signal?: AbortSignal): Promise<void> {
    const runs = [...words]
      .filter(([, word]) => word !== 0xffffffff)
      .map(([offset, word]) => {
        const data = new Uint8Array(4);
        new DataView(data.buffer).setUint32(0, word >>> 0, true);
        return { address: UICR_BASE + offset, data };
      });
    if (runs.length > 0) await this.#nvmc().writeWords(runs, () => undefined, signal);
  }
}
