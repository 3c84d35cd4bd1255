import { FlashwrightError } from '../errors/flashwright-error.js';
import { formatRange, rangesOverlap, type AddressRange } from '../image/address-range.js';
import type { FlashImage } from '../image/flash-image.js';
import type {
  Device,
  FlashRegion,
  Logger,
  NativeFlashPort,
  Probe,
  ProgressCallback,
} from '../plugin/types.js';
import { DatabaseDevice } from './database-device.js';
import { MemoryOnlyDevice } from './memory-device.js';
import {
  acceptsPlainWrites,
  isRamInMap,
  nativeCover,
  noRouteError,
  type FlashRoute,
} from './flash-routes.js';

/** Plain memory writes go out in pieces of this size, so progress moves and Ctrl-C is heard. */
const MEMORY_PIECE_BYTES = 4096;

/**
 * Erase, program and read of the identified device's flash, each region by its route (see
 * flash-routes.ts): the probe's own flash driver where it covers the region, plain memory
 * writes where the memory map says RAM or (for a chip known only from the recipe) where the
 * target takes them, and the family's algorithm otherwise. The steps plan with `flash`,
 * which is the device's layout cut into the probe driver's erase blocks where that driver
 * does the erasing.
 */
export class FlashAccess {
  readonly flash: readonly FlashRegion[];
  readonly #device: Device;
  readonly #probe: Probe;
  readonly #log: Logger;
  readonly #native: NativeFlashPort | undefined;
  readonly #nativeRegions = new Set<FlashRegion>();
  readonly #routes = new Map<FlashRegion, Promise<FlashRoute>>();

  constructor(device: Device, probe: Probe, log: Logger) {
    this.#device = device;
    this.#probe = probe;
    this.#log = log;
    this.#native = probe.nativeFlash;
    const native = this.#native;
    this.flash = device.flash.map((region) => {
      const cover = native === undefined ? undefined : nativeCover(region, native.regions);
      if (cover === undefined) return region;
      this.#nativeRegions.add(cover);
      return cover;
    });
  }

  /** How a region of `flash` is erased and programmed; decided once, then logged. */
  route(region: FlashRegion, signal: AbortSignal): Promise<FlashRoute> {
    let route = this.#routes.get(region);
    if (route === undefined) {
      route = this.#resolve(region, signal).then((resolved) => {
        if (resolved.kind !== 'device' || this.#probe.access.level === 'memory') {
          this.#log.info(`Flash ${region.name} ${formatRange(region)}: ${resolved.reason}.`);
        }
        return resolved;
      });
      // A failed decision (Ctrl-C, no route) is not remembered: the next call asks again.
      route.catch(() => this.#routes.delete(region));
      this.#routes.set(region, route);
    }
    return route;
  }

  /** The routes of the regions an image touches. */
  async routesFor(
    ranges: readonly AddressRange[],
    signal: AbortSignal,
  ): Promise<Map<FlashRegion, FlashRoute>> {
    const routes = new Map<FlashRegion, FlashRoute>();
    for (const region of this.flash) {
      if (ranges.some((r) => rangesOverlap(r, region)))
        routes.set(region, await this.route(region, signal));
    }
    return routes;
  }

  async #resolve(region: FlashRegion, signal: AbortSignal): Promise<FlashRoute> {
    if (this.#nativeRegions.has(region))
      return { kind: 'native', reason: 'erased and programmed by the probe’s own flash driver' };
    if (this.#probe.access.level !== 'memory')
      return { kind: 'device', reason: `the ${this.#device.family} flash algorithm` };
    if (isRamInMap(region, this.#probe.memoryMap))
      return { kind: 'memory', reason: 'plain memory writes (the probe’s memory map says RAM)' };
    if (this.#device instanceof MemoryOnlyDevice) {
      // As `gdb load` does: no trial write, verify tells whether the writes took.
      return {
        kind: 'memory',
        reason:
          'plain memory writes, as `gdb load` does: no flash algorithm (the chip was not identified and no part is named)',
      };
    }
    if (!(this.#device instanceof DatabaseDevice)) {
      return {
        kind: 'device',
        reason: `the ${this.#device.family} flash algorithm through the probe’s memory accesses`,
      };
    }
    if (await acceptsPlainWrites(this.#probe.memory, region.start, signal))
      return { kind: 'memory', reason: 'plain memory writes (the target takes them)' };
    throw noRouteError(region, this.#device.name);
  }

  /** Erases sector-aligned ranges of `flash`, or everything. */
  async erase(
    target: readonly AddressRange[] | 'mass',
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<void> {
    if (target === 'mass') return this.#massErase(progress, signal);
    const total = target.reduce((sum, r) => sum + (r.end - r.start), 0);
    let done = 0;
    for (const [region, ranges] of this.#byRegion(target)) {
      const route = await this.route(region, signal);
      const shifted = shift(progress, done, total);
      if (route.kind === 'device') await this.#device.erase(ranges, shifted, signal);
      else if (route.kind === 'native') await this.#nativeErase(ranges, shifted, signal);
      else await this.#fill(region, ranges, shifted, signal);
      done += ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
    }
  }

  /** Programs erased flash; the image is aligned to write units and lies inside `flash`. */
  async program(image: FlashImage, progress: ProgressCallback, signal: AbortSignal): Promise<void> {
    const total = image.size;
    let done = 0;
    for (const region of this.flash) {
      const part = image.slice(region);
      if (part.isEmpty) continue;
      const route = await this.route(region, signal);
      const shifted = shift(progress, done, total);
      if (route.kind === 'device') await this.#device.program(part, shifted, signal);
      else if (route.kind === 'native') await this.#nativeProgram(part, shifted, signal);
      else await this.#memoryProgram(part, shifted, signal);
      done += part.size;
    }
    if (done !== total)
      throw new FlashwrightError('INTERNAL', 'Image data outside the flash reached program()');
  }

  read(
    address: number,
    length: number,
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    return this.#device.read(address, length, progress, signal);
  }

  async #massErase(progress: ProgressCallback, signal: AbortSignal): Promise<void> {
    const routes = await Promise.all(this.flash.map((r) => this.route(r, signal)));
    const total = this.flash.reduce((sum, r) => sum + (r.end - r.start), 0);
    if (routes.every((r) => r.kind === 'device'))
      return this.#device.erase('mass', progress, signal);
    let done = 0;
    for (const [i, region] of this.flash.entries()) {
      const shifted = shift(progress, done, total);
      const kind = routes[i]!.kind;
      if (kind === 'device') await this.#device.erase(region.sectors, shifted, signal);
      else if (kind === 'native') await this.#nativeErase(region.sectors, shifted, signal);
      else await this.#fill(region, [region], shifted, signal);
      done += region.end - region.start;
    }
  }

  /** Groups ranges by the region that holds them, in order. */
  #byRegion(ranges: readonly AddressRange[]): [FlashRegion, AddressRange[]][] {
    const groups: [FlashRegion, AddressRange[]][] = [];
    for (const range of ranges) {
      const region = this.flash.find((r) => range.start >= r.start && range.end <= r.end);
      if (region === undefined)
        throw new FlashwrightError('INTERNAL', `${formatRange(range)} is not inside one region`);
      const last = groups.at(-1);
      if (last?.[0] === region) last[1].push(range);
      else groups.push([region, [range]]);
    }
    return groups;
  }

  /**
   * vFlashErase over runs of adjacent blocks of one server region. No vFlashDone here: GDB
   * sends it only after writes, and OpenOCD 0.12 crashes on a vFlashDone that follows no
   * vFlashWrite (measured; gdb_server.c hands flash_write the vflash_image that only the
   * first vFlashWrite allocates). OpenOCD erases when asked; a server that defers erases to
   * vFlashDone does them with the writes that follow.
   */
  async #nativeErase(
    ranges: readonly AddressRange[],
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<void> {
    const native = this.#nativePort();
    const runs: AddressRange[] = [];
    const serverRegion = (address: number): unknown =>
      native.regions.find((r) => address >= r.start && address < r.end);
    for (const range of ranges) {
      const last = runs.at(-1);
      if (last?.end === range.start && serverRegion(last.start) === serverRegion(range.start))
        runs[runs.length - 1] = { start: last.start, end: range.end };
      else runs.push({ ...range });
    }
    const total = ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
    let done = 0;
    for (const run of runs) {
      await native.erase(run, signal);
      done += run.end - run.start;
      progress({ operation: 'erase', range: run, doneBytes: done, totalBytes: total });
    }
  }

  /** vFlashWrite per block, then vFlashDone; only then are the ranges programmed. */
  async #nativeProgram(
    image: FlashImage,
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<void> {
    const native = this.#nativePort();
    const total = image.size;
    let sent = 0;
    for (const [start, data] of image.blocks) {
      await native.write(start, data, signal);
      sent += data.length;
      progress({ operation: 'program', doneBytes: sent, totalBytes: total });
    }
    await native.done(signal);
    for (const [start, data] of image.blocks) {
      const range = { start, end: start + data.length };
      progress({ operation: 'program', range, doneBytes: total, totalBytes: total });
    }
  }

  /**
   * "Erase" where plain writes program: write the erased value, as an erase leaves it. Such
   * memory takes a byte written twice like RAM (idempotent), as in #memoryProgram.
   */
  async #fill(
    region: FlashRegion,
    ranges: readonly AddressRange[],
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<void> {
    const total = ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
    const blank = new Uint8Array(MEMORY_PIECE_BYTES).fill(region.erasedValue);
    let done = 0;
    for (const range of ranges) {
      for (let at = range.start; at < range.end; at += MEMORY_PIECE_BYTES) {
        const end = Math.min(at + MEMORY_PIECE_BYTES, range.end);
        await this.#probe.memory.write(at, blank.subarray(0, end - at), {
          idempotent: true,
          signal,
        });
        done += end - at;
        progress({
          operation: 'erase',
          range: { start: at, end },
          doneBytes: done,
          totalBytes: total,
        });
      }
    }
  }

  async #memoryProgram(
    image: FlashImage,
    progress: ProgressCallback,
    signal: AbortSignal,
  ): Promise<void> {
    const total = image.size;
    let done = 0;
    for (const [start, data] of image.blocks) {
      for (let offset = 0; offset < data.length; offset += MEMORY_PIECE_BYTES) {
        const piece = data.subarray(offset, offset + MEMORY_PIECE_BYTES);
        await this.#probe.memory.write(start + offset, piece, { idempotent: true, signal });
        done += piece.length;
        const range = { start: start + offset, end: start + offset + piece.length };
        progress({ operation: 'program', range, doneBytes: done, totalBytes: total });
      }
    }
  }

  #nativePort(): NativeFlashPort {
    if (this.#native === undefined)
      throw new FlashwrightError('INTERNAL', 'The probe has no flash driver of its own');
    return this.#native;
  }
}

/** A device call's progress, as part of a larger operation that already did `offset` bytes. */
function shift(progress: ProgressCallback, offset: number, total: number): ProgressCallback {
  return (p) => progress({ ...p, doneBytes: offset + p.doneBytes, totalBytes: total });
}

const accessByDevice = new WeakMap<Device, FlashAccess>();

/** The FlashAccess of a connected device (one per device, so routes are decided once). */
export function flashAccessFor(device: Device, probe: Probe, log: Logger): FlashAccess {
  let access = accessByDevice.get(device);
  if (access === undefined) {
    access = new FlashAccess(device, probe, log);
    accessByDevice.set(device, access);
  }
  return access;
}
