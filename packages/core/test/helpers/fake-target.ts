/**
 * A fake probe and chip for pipeline tests (test-only; nothing fake ships in src). The chip
 * keeps flash bytes, enforces erase-before-program and read protection, records every
 * device call, and can fail or stall on demand.
 */
import { FlashImage, type AddressRange } from '../../src/exports/image.js';
import type {
  Device,
  FlashRegion,
  ImageFormat,
  MemoryPort,
  OptionFieldInfo,
  OptionValues,
  Probe,
  ProgressCallback,
  TargetFamily,
  TransportFactory,
} from '../../src/exports/plugin.js';
import type { PluginSet } from '../../src/exports/runner.js';
import { FlashwrightError, type FlashwrightPlugin } from '../../src/index.js';
import { pluginSetOf, recordingProbe, testPlugin, uniformFlashRegion } from './test-plugin.js';

export interface FakeChipOptions {
  readonly name?: string;
  readonly base?: number;
  readonly sectorBytes?: number;
  readonly sectors?: number;
  readonly erasedValue?: number;
  readonly writeUnitBytes?: number;
  /** The region's programUsPerUnit. */
  readonly programUsPerUnit?: number;
  /** The probe's memory port declares this transfer start cost (MemoryPort.limits). */
  readonly transferStartUs?: number;
  readonly readLevel?: 0 | 1 | 2;
  /** Programming any byte at this address fails (FLASH_PROGRAM_FAILED). */
  readonly failProgramAt?: number;
  /** Bit 0 of this byte never programs to 1... it reads back with bit 0 flipped. */
  readonly corruptAt?: number;
  /** Has an on-chip CRC (Device.checksum); 'unavailable': it answers that it cannot run. */
  readonly checksum?: boolean | 'unavailable';
  /** Device.checksumCostMs: a fixed cost and a cost per byte (ms). */
  readonly checksumCost?: { readonly fixedMs: number; readonly msPerByte: number };
  /** MemoryPortLimits.readBytesPerSecond of the probe (with transferStartUs). */
  readonly readBytesPerSecond?: number;
  /** Called before each program() call; may abort a controller to simulate Ctrl-C. */
  readonly onProgram?: (call: number) => void;
}

export type FakeCall =
  | { op: 'erase'; target: 'mass' | AddressRange[] }
  | { op: 'program'; ranges: AddressRange[] }
  | { op: 'read'; address: number; length: number }
  | { op: 'unprotect' }
  | { op: 'writeOptionBytes'; values: OptionValues }
  | { op: 'checksum'; range: AddressRange }
  | { op: 'open' }
  | { op: 'reset'; kind: string; halt: boolean | undefined }
  | { op: 'close' };

export class FakeChip {
  readonly name: string;
  readonly region: FlashRegion;
  readonly flash: Uint8Array;
  readLevel: 0 | 1 | 2;
  options: Record<string, number> = { RDP: 0xaa, BOR_LEV: 0 };
  readonly calls: FakeCall[] = [];
  #programs = 0;

  constructor(readonly config: FakeChipOptions = {}) {
    this.name = config.name ?? 'FAKE-16K';
    this.region = {
      ...uniformFlashRegion({
        base: config.base ?? 0x08000000,
        sectorBytes: config.sectorBytes ?? 1024,
        sectors: config.sectors ?? 16,
        erasedValue: config.erasedValue ?? 0xff,
        writeUnitBytes: config.writeUnitBytes ?? 4,
      }),
      programUsPerUnit: config.programUsPerUnit,
    };
    this.flash = new Uint8Array(this.region.end - this.region.start).fill(this.region.erasedValue);
    this.readLevel = config.readLevel ?? 0;
  }

  /** Bytes of flash at an address (test assertions). */
  bytes(address: number, length: number): Uint8Array {
    const offset = address - this.region.start;
    return this.flash.slice(offset, offset + length);
  }

  fill(address: number, data: Uint8Array): void {
    this.flash.set(data, address - this.region.start);
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  device(): Device {
    const region = this.region;
    const offsetOf = (address: number): number => address - region.start;
    const guardRead = (): void => {
      if (this.readLevel !== 0)
        throw new FlashwrightError('TARGET_FAULT', 'Flash read blocked by RDP');
    };
    return {
      family: 'fake',
      name: this.name,
      matches: (name) => name.toUpperCase() === this.name,
      flash: [region],
      ram: [{ start: 0x20000000, end: 0x20001000 }],
      flashSize: { kib: (region.end - region.start) / 1024, source: 'register' },
      facts: { id: 0x123 },
      notes: ['a fake chip'],
      protection: () =>
        Promise.resolve({
          readLevel: this.readLevel,
          writeProtected: [],
          summary: `RDP level ${this.readLevel}`,
        }),
      unprotect: (progress: ProgressCallback) => {
        this.calls.push({ op: 'unprotect' });
        this.flash.fill(region.erasedValue);
        this.readLevel = 0;
        progress({ operation: 'unprotect', doneBytes: 1, totalBytes: 1 });
        return Promise.resolve();
      },
      erase: (target, progress: ProgressCallback) => {
        this.calls.push({ op: 'erase', target: target === 'mass' ? 'mass' : [...target] });
        if (target === 'mass') {
          this.flash.fill(region.erasedValue);
          return Promise.resolve();
        }
        let done = 0;
        const total = target.reduce((s, r) => s + r.end - r.start, 0);
        for (const range of target) {
          this.flash.fill(region.erasedValue, offsetOf(range.start), offsetOf(range.end));
          done += range.end - range.start;
          progress({ operation: 'erase', range, doneBytes: done, totalBytes: total });
        }
        return Promise.resolve();
      },
      program: (image: FlashImage, progress: ProgressCallback, signal?: AbortSignal) => {
        signal?.throwIfAborted();
        // Runs once the call is under way: an abort here lands in the middle of this chunk.
        this.config.onProgram?.(this.#programs++);
        this.calls.push({ op: 'program', ranges: image.ranges() });
        let done = 0;
        for (const [start, data] of image.blocks) {
          if (start % region.writeUnitBytes !== 0 || data.length % region.writeUnitBytes !== 0) {
            throw new FlashwrightError('FLASH_PROGRAM_FAILED', `unaligned program at ${start}`);
          }
          for (let i = 0; i < data.length; i++) {
            const address = start + i;
            if (address === this.config.failProgramAt) {
              throw new FlashwrightError(
                'FLASH_PROGRAM_FAILED',
                `PGERR at 0x${address.toString(16)}`,
              );
            }
            const offset = offsetOf(address);
            if (this.flash[offset] !== region.erasedValue && data[i] !== region.erasedValue) {
              throw new FlashwrightError(
                'FLASH_PROGRAM_FAILED',
                `not erased at 0x${address.toString(16)}`,
              );
            }
            this.flash[offset] = address === this.config.corruptAt ? data[i]! ^ 1 : data[i]!;
          }
          done += data.length;
          progress({
            operation: 'program',
            range: { start, end: start + data.length },
            doneBytes: done,
            totalBytes: image.size,
          });
        }
        return Promise.resolve();
      },
      read: (address: number, length: number, progress: ProgressCallback) => {
        this.calls.push({ op: 'read', address, length });
        guardRead();
        progress({ operation: 'read', doneBytes: length, totalBytes: length });
        return Promise.resolve(this.bytes(address, length));
      },
      ...(this.config.checksum !== undefined && this.config.checksum !== false
        ? {
            checksum: async (range: AddressRange) => {
              this.calls.push({ op: 'checksum', range });
              if (this.config.checksum === 'unavailable') return undefined;
              const { crc32 } = await import('node:zlib');
              return crc32(this.bytes(range.start, range.end - range.start));
            },
          }
        : {}),
      ...(this.config.checksumCost === undefined
        ? {}
        : {
            checksumCostMs: (range: AddressRange) =>
              this.config.checksumCost!.fixedMs +
              (range.end - range.start) * this.config.checksumCost!.msPerByte,
          }),
      optionFields: () => fakeOptionFields,
      readOptionBytes: () => Promise.resolve({ ...this.options }),
      writeOptionBytes: (values: OptionValues) => {
        this.calls.push({ op: 'writeOptionBytes', values });
        this.options = { ...this.options, ...values };
        return Promise.resolve();
      },
    };
  }

  probe(): Probe {
    const startUs = this.config.transferStartUs;
    const memory: MemoryPort = {
      ...(startUs === undefined
        ? {}
        : {
            limits: {
              maxTransferBytes: 1024,
              alignBytes: 4,
              transferStartUs: startUs,
              readBytesPerSecond: this.config.readBytesPerSecond,
            },
          }),
      read: () => Promise.reject(new Error('not used')),
      write: () => Promise.reject(new Error('not used')),
      read32: () => Promise.resolve(0),
      write32: () => Promise.resolve(),
    };
    return recordingProbe(
      {
        info: { transport: 'fake', name: 'Fake probe', serial: 'F1' },
        access: { level: 'memory' },
        warnings: [],
        memory,
      },
      {
        reset: (kind, options) => {
          this.calls.push({ op: 'reset', kind, halt: options?.halt });
          return Promise.resolve();
        },
        close: () => this.calls.push({ op: 'close' }),
      },
    );
  }

  plugin(): FlashwrightPlugin {
    const transport: TransportFactory = {
      id: 'fake',
      description: 'fake transport',
      list: () => Promise.resolve([]),
      open: () => {
        this.calls.push({ op: 'open' });
        return Promise.resolve(this.probe());
      },
    };
    const family: TargetFamily = {
      id: 'fakefam',
      description: 'fake family',
      identify: () => Promise.resolve(this.device()),
      layoutOf: (name) =>
        name.toUpperCase() === this.name
          ? { name: this.name, flash: [this.region], optionFields: fakeOptionFields }
          : undefined,
    };
    return testPlugin({ name: 'fake-plugin', transport, family, format: rawFormat });
  }

  /** A PluginSet where "fake-plugin", "fake" (transport), "fakefam" (family) and "raw" (format) resolve to this chip. */
  pluginSet(): PluginSet {
    return pluginSetOf(this.plugin());
  }
}

/**
 * "raw" test format: 4-byte big-endian address, then data; several records back to back
 * as [address u32][length u32][bytes].
 */
/**
 * The fake family's option fields. Which values are permanent is the family's to say: RDP's
 * 0xCC, and LOCK's 0x5A (a name core has never heard of).
 */
export const fakeOptionFields: readonly OptionFieldInfo[] = [
  {
    name: 'RDP',
    description: 'read protection',
    values: { '0': 0xaa, '1': 0xbb, '2': 0xcc },
    min: 0,
    max: 0xff,
    role: { kind: 'read-protection', levelOf: (raw) => (raw === 0xaa ? 0 : raw === 0xcc ? 2 : 1) },
    isPermanent: (raw) => raw === 0xcc,
  },
  { name: 'BOR_LEV', description: 'brown-out level', min: 0, max: 4 },
  { name: 'BANKS', description: 'bank mode', min: 0, max: 1, role: { kind: 'bank-mode' } },
  { name: 'BOOT_FROM', description: 'boot source', min: 0, max: 3, role: { kind: 'boot' } },
  {
    name: 'LOCK',
    description: 'debug lock: 0x5A locks for good',
    min: 0,
    max: 0xff,
    isPermanent: (raw) => raw === 0x5a,
  },
];

export const rawFormat = {
  id: 'raw',
  description: 'test records',
  extensions: ['.raw'],
  sniff: () => false,
  parse(bytes: Uint8Array): FlashImage {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const blocks: [number, Uint8Array][] = [];
    for (let offset = 0; offset + 8 <= bytes.length;) {
      const address = view.getUint32(offset);
      const length = view.getUint32(offset + 4);
      blocks.push([address, bytes.slice(offset + 8, offset + 8 + length)]);
      offset += 8 + length;
    }
    return FlashImage.from(blocks);
  },
  serialize(image: FlashImage): Uint8Array {
    const parts: number[] = [];
    for (const [address, data] of image.blocks) {
      const header = new Uint8Array(8);
      new DataView(header.buffer).setUint32(0, address);
      new DataView(header.buffer).setUint32(4, data.length);
      parts.push(...header, ...data);
    }
    return Uint8Array.from(parts);
  },
} satisfies ImageFormat;

/** Encodes blocks in the "raw" test format. */
export function rawImage(blocks: [number, Uint8Array][]): Uint8Array {
  return rawFormat.serialize(FlashImage.from(blocks));
}
