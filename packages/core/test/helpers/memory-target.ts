/**
 * A memory-only probe (like a GDB server) in front of a small target, for the pipeline's
 * flash routes (test-only). The flash at BASE can take plain writes ("plain", as QEMU's
 * does), ignore them ("ignore", as real flash behind a locked controller) or fault on them
 * ("fault"). The probe may offer its own flash driver (vFlash-like: writes are buffered
 * until done(), as OpenOCD does) and a memory map. The family identifies the chip or not.
 */
import type { FlashImage } from '../../src/exports/image.js';
import type { AddressRange } from '../../src/exports/image.js';
import type {
  Device,
  FlashRegion,
  MemoryAccessOptions,
  MemoryMapRegion,
  MemoryPort,
  NativeFlashPort,
  Probe,
  ProbeAccess,
  ProbeAccessLevel,
  ProgressCallback,
  TargetFamily,
} from '../../src/exports/plugin.js';
import type { PluginSet } from '../../src/exports/runner.js';
import { FlashwrightError, type FlashwrightPlugin } from '../../src/index.js';
import { rawFormat } from './fake-target.js';
import { pluginSetOf, recordingProbe, testPlugin, uniformFlashRegion } from './test-plugin.js';

export const BASE = 0x08000000;
export const PART = 'MEMCHIP-16K';

export interface MemoryTargetOptions {
  readonly access?: ProbeAccessLevel;
  /** How the flash answers plain memory writes. */
  readonly plainWrites?: 'plain' | 'ignore' | 'fault';
  /** The probe's own flash driver: erase blocks per server region. */
  readonly native?: readonly { start: number; end: number; blockSize: number }[];
  readonly memoryMap?: readonly MemoryMapRegion[];
  /** Whether the family recognises the chip (its ID registers read something it knows). */
  readonly identifies?: boolean;
  readonly flashBytes?: number;
  readonly sectorBytes?: number;
  /** Initial flash contents; 0x00 like QEMU's empty flash by default. */
  readonly initial?: number;
}

export type MemoryCall =
  /** `idempotent` as the writer passed it (MemoryAccessOptions), when true. */
  | { op: 'mem-write'; address: number; length: number; idempotent?: true }
  | { op: 'native-erase'; range: AddressRange }
  | { op: 'native-write'; address: number; length: number }
  | { op: 'native-done' }
  | { op: 'device-erase'; target: 'mass' | AddressRange[] }
  | { op: 'device-program'; ranges: AddressRange[] }
  | { op: 'reset' }
  | { op: 'close' };

export class MemoryTarget {
  readonly flash: Uint8Array;
  readonly calls: MemoryCall[] = [];
  readonly options: MemoryTargetOptions;
  readonly region: FlashRegion;
  #pending: [number, Uint8Array][] = [];

  constructor(options: MemoryTargetOptions = {}) {
    this.options = options;
    const bytes = options.flashBytes ?? 16 * 1024;
    const sectorBytes = options.sectorBytes ?? 1024;
    this.flash = new Uint8Array(bytes).fill(options.initial ?? 0x00);
    this.region = uniformFlashRegion({
      base: BASE,
      sectorBytes,
      sectors: bytes / sectorBytes,
      erasedValue: 0xff,
      writeUnitBytes: 4,
    });
  }

  bytes(address: number, length: number): Uint8Array {
    return this.flash.slice(address - BASE, address - BASE + length);
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  #inFlash(address: number, length: number): boolean {
    return address >= BASE && address + length <= BASE + this.flash.length;
  }

  memory(): MemoryPort {
    const read = (address: number, length: number): Promise<Uint8Array> => {
      if (!this.#inFlash(address, length))
        return Promise.reject(new FlashwrightError('TARGET_FAULT', 'unmapped'));
      return Promise.resolve(this.bytes(address, length));
    };
    const write = (
      address: number,
      data: Uint8Array,
      options?: MemoryAccessOptions,
    ): Promise<void> => {
      const idempotent = options?.idempotent === true ? { idempotent: true as const } : {};
      this.calls.push({ op: 'mem-write', address, length: data.length, ...idempotent });
      const mode = this.options.plainWrites ?? 'plain';
      if (!this.#inFlash(address, data.length) || mode === 'fault')
        return Promise.reject(new FlashwrightError('TARGET_FAULT', 'write refused'));
      if (mode === 'plain') this.flash.set(data, address - BASE);
      return Promise.resolve();
    };
    return {
      read,
      write,
      // No ID registers: everything outside the flash reads 0, as on QEMU.
      read32: () => Promise.resolve(0),
      write32: () => Promise.resolve(),
    };
  }

  native(): NativeFlashPort | undefined {
    const regions = this.options.native;
    if (regions === undefined) return undefined;
    return {
      regions,
      erase: (range) => {
        this.calls.push({ op: 'native-erase', range });
        const inside = regions.find((r) => range.start >= r.start && range.end <= r.end);
        if (inside === undefined || (range.start - inside.start) % inside.blockSize !== 0)
          return Promise.reject(new FlashwrightError('FLASH_ERASE_FAILED', 'bad erase range'));
        this.flash.fill(0xff, range.start - BASE, range.end - BASE);
        return Promise.resolve();
      },
      write: (address, data) => {
        this.calls.push({ op: 'native-write', address, length: data.length });
        this.#pending.push([address, data.slice()]);
        return Promise.resolve();
      },
      done: () => {
        this.calls.push({ op: 'native-done' });
        // OpenOCD 0.12 crashes on a vFlashDone that follows no vFlashWrite.
        if (this.#pending.length === 0)
          return Promise.reject(new FlashwrightError('PROBE_DISCONNECTED', 'server crashed'));
        for (const [address, data] of this.#pending) this.flash.set(data, address - BASE);
        this.#pending = [];
        return Promise.resolve();
      },
    };
  }

  probe(): Probe {
    return recordingProbe(
      {
        info: { transport: 'mem', name: 'Memory-only probe' },
        access: accessOf(this.options.access ?? 'memory'),
        warnings: [],
        memory: this.memory(),
        nativeFlash: this.native(),
        memoryMap: this.options.memoryMap,
      },
      {
        reset: () => {
          this.calls.push({ op: 'reset' });
          return Promise.resolve();
        },
        close: () => this.calls.push({ op: 'close' }),
      },
    );
  }

  /** The chip as its family would identify it: an algorithm that works on this flash. */
  device(memory: MemoryPort): Device {
    const region = this.region;
    return {
      family: 'memfam',
      name: PART,
      matches: (name) => name.toUpperCase() === PART,
      flash: [region],
      ram: [],
      flashSize: { kib: (region.end - region.start) / 1024, source: 'register' },
      facts: {},
      notes: [],
      protection: () => Promise.resolve({ readLevel: 0, writeProtected: [], summary: 'open' }),
      unprotect: () => Promise.resolve(),
      erase: (target, progress: ProgressCallback) => {
        this.calls.push({ op: 'device-erase', target: target === 'mass' ? 'mass' : [...target] });
        const ranges = target === 'mass' ? [region] : target;
        for (const r of ranges) this.flash.fill(0xff, r.start - BASE, r.end - BASE);
        progress({ operation: 'erase', doneBytes: 1, totalBytes: 1 });
        return Promise.resolve();
      },
      program: (image: FlashImage, progress: ProgressCallback) => {
        this.calls.push({ op: 'device-program', ranges: image.ranges() });
        for (const [start, data] of image.blocks) {
          this.flash.set(data, start - BASE);
          progress({
            operation: 'program',
            range: { start, end: start + data.length },
            doneBytes: data.length,
            totalBytes: image.size,
          });
        }
        return Promise.resolve();
      },
      read: async (address, length, progress: ProgressCallback) => {
        const data = await memory.read(address, length);
        progress({ operation: 'read', doneBytes: length, totalBytes: length });
        return data;
      },
      optionFields: () => [],
      readOptionBytes: () => Promise.resolve({}),
      writeOptionBytes: () => Promise.resolve(),
    };
  }

  plugin(): FlashwrightPlugin {
    const family: TargetFamily = {
      id: 'memfam',
      description: 'memory-only test family',
      identify: (ctx) =>
        Promise.resolve(this.options.identifies === true ? this.device(ctx.memory) : undefined),
      layoutOf: (name) =>
        name.toUpperCase() === PART
          ? { name: `${PART} (database)`, flash: [this.region] }
          : undefined,
    };
    const transport = {
      id: 'mem',
      description: 'memory-only test transport',
      list: () => Promise.resolve([]),
      open: () => Promise.resolve(this.probe()),
    };
    return testPlugin({ name: 'mem-plugin', transport, family, format: rawFormat });
  }

  /** A PluginSet where "mem-plugin", "mem", "memfam" and "raw" resolve to this target. */
  pluginSet(): PluginSet {
    return pluginSetOf(this.plugin());
  }
}

/** The preamble of a recipe for the memory-only target. */
/** `device: null` leaves target.device out. */
export function memoryRecipe(steps: string, device: string | null = PART): string {
  return [
    'plugins: [mem-plugin]',
    'probe: { transport: mem }',
    `target: { family: memfam${device === null ? '' : `, device: ${device}`} }`,
    'image: app.raw',
    `steps: ${steps}`,
    '',
  ].join('\n');
}

/** A probe access of the given level whose DP/AP registers nobody should touch. */
function accessOf(level: ProbeAccessLevel): ProbeAccess {
  if (level === 'memory') return { level };
  const dap = {
    readDp: () => Promise.reject(new Error('no DP in this test')),
    writeDp: () => Promise.reject(new Error('no DP in this test')),
    readAp: () => Promise.reject(new Error('no AP in this test')),
    writeAp: () => Promise.reject(new Error('no AP in this test')),
  };
  if (level === 'ap') return { level, dap };
  throw new Error('raw-dap probes are not modelled here');
}
