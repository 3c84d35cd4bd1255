import type { CompareMode } from '../../config/steps-schema.js';
import { unchangedSectors, type SectorPlan } from '../../flash/planner.js';
import { mergeRanges, type AddressRange } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import { totalBytes } from '../../image/units-text.js';
import type { Device, StepFlash, StepRunContext } from '../../plugin/types.js';
import { chooseMethod, describeChoice, readbackMs, type CompareMethod } from './compare-method.js';
import { compareByCrc, crcCallRanges } from './crc-compare.js';

/** Bytes per read: the pipeline can stop between reads (Ctrl-C). */
const READ_CHUNK_BYTES = 32 * 1024;

export interface SectorComparison {
  readonly method: CompareMethod;
  readonly unchanged: readonly SectorPlan[];
  /** What was read back (whole sectors by readback; by CRC, runs that auto read instead). */
  readonly current: FlashImage;
  /** Bytes compared: whole sectors read back, or the image's bytes in them by CRC. */
  readonly comparedBytes: number;
  readonly readBytes: number;
  readonly crcBytes: number;
}

/**
 * Incremental flashing's check: which touched sectors already hold the image, by CRC-32 on
 * the chip or by reading them back (`mode`; `auto` weighs the estimates of both for the
 * unchanged case: the CRC calls over the image's data against reading the sectors whole). Where
 * the chip cannot run the CRC after all, the device has said why and the sectors are read.
 */
export async function compareSectors(
  ctx: StepRunContext,
  device: Device,
  flash: StepFlash,
  sectors: readonly SectorPlan[],
  image: FlashImage,
  mode: CompareMode,
): Promise<SectorComparison> {
  const whole = sectors.map((s) => s.range);
  const limits = (await ctx.probe()).memory.limits;
  const plan = {
    device,
    sectors,
    image,
    readbackMs: (bytes: number) => readbackMs(limits, bytes),
    readBack: mode === 'auto',
  };
  const choice = chooseMethod(mode, device, limits, crcCallRanges(plan), totalBytes(whole));
  if (choice.noChecksum)
    ctx.log.warn(`${device.name} has no on-chip CRC; comparing by readback instead.`);
  ctx.log.debug(
    `erase: comparing the touched sectors by ${choice.method}${describeChoice(choice)}`,
  );
  if (choice.method === 'crc') {
    const byCrc = await compareByCrc({
      ...plan,
      read: (range) => flash.read(range.start, range.end - range.start, () => undefined),
      checkpoint: () => ctx.checkpoint(),
      progress: (range, doneBytes, total) =>
        ctx.progress(0, total)({ operation: 'verify', range, doneBytes, totalBytes: total }),
      signal: ctx.signal,
    });
    if (byCrc !== undefined) {
      return {
        method: 'crc',
        unchanged: byCrc.unchanged,
        current: byCrc.current,
        comparedBytes: image.size,
        readBytes: byCrc.readBytes,
        crcBytes: byCrc.crcBytes,
      };
    }
  }
  const readBytes = totalBytes(whole);
  const current = await readRanges(ctx, flash, whole, readBytes);
  return {
    method: 'readback',
    unchanged: unchangedSectors(sectors, image, current),
    current,
    comparedBytes: readBytes,
    readBytes,
    crcBytes: 0,
  };
}

/** Reads `ranges` (address order) through the flash routes, in pieces with safe points. */
export async function readRanges(
  ctx: StepRunContext,
  flash: StepFlash,
  ranges: readonly AddressRange[],
  total: number,
): Promise<FlashImage> {
  const blocks: [number, Uint8Array][] = [];
  let done = 0;
  for (const range of mergeRanges(ranges)) {
    for (let at = range.start; at < range.end; at += READ_CHUNK_BYTES) {
      ctx.checkpoint();
      const length = Math.min(READ_CHUNK_BYTES, range.end - at);
      blocks.push([at, await flash.read(at, length, ctx.progress(done, total))]);
      done += length;
    }
  }
  return FlashImage.from(blocks);
}
