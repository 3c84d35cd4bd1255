import { crc32 } from 'node:zlib';
import {
  builtinStepDescription,
  parseBuiltinOptions,
  type VerifyMode,
} from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { formatAddress, mergeRanges, type AddressRange } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type { Device, StepDefinition, StepOutcome, StepRunContext } from '../../plugin/types.js';
import { formatBytes, formatRanges, plural } from '../../image/units-text.js';
import { MemoryOnlyDevice } from '../memory-device.js';
import { chooseMethod, compareModeText, describeChoice } from './compare-method.js';

/** Plain writes to an unidentified chip did not stick: what would make them (memory-device.ts). */
const UNNAMED_PART_HINT =
  'The chip was not identified and no part is named, so the image went out as plain memory writes, which flash behind a flash controller ignores. Name the part: --chip PART (`flashwright flash`) or target.device in the recipe.';

export interface VerifyOptions {
  readonly mode: VerifyMode;
}

const VERIFY_CHUNK_BYTES = 32 * 1024;

/** Mismatching ranges listed in the error; the count says how many there were. */
const MAX_REPORTED = 16;

export const verifyStep: StepDefinition<VerifyOptions> = {
  id: 'verify',
  description: builtinStepDescription('verify'),
  reads: ['expected', 'unchanged'],
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('verify', raw, at.keyPath);
    return { mode: typeof o === 'string' ? o : (o?.mode ?? 'auto') };
  },
  needsImage: () => true,
  title: (_ctx, options) => `Verify (${options.mode})`,
  plan: (ctx, options) => ({
    bytes: ctx.image?.size,
    lines: [
      ctx.image === undefined
        ? 'verify the flash against the image (no image)'
        : `compare ${formatBytes(ctx.image.size)} with the image ${compareModeText(options.mode, 'it')}`,
    ],
  }),
  run: async (ctx, options) => {
    // After a write step: what it wrote, with the kept bytes of partly covered sectors.
    const expected = ctx.state.expected ?? ctx.image;
    if (expected === undefined)
      throw new FlashwrightError('INTERNAL', 'verify ran without the image');
    const device = await ctx.device();
    const choice = chooseMethod(
      options.mode,
      device,
      (await ctx.probe()).memory.limits,
      expected.ranges(),
    );
    if (choice.noChecksum)
      ctx.log.warn(`${device.name} has no on-chip CRC; verifying by readback instead.`);
    ctx.log.debug(`verify: by ${choice.method}${describeChoice(choice)}`);
    // The device's CRC may not run here (it says why): readback then.
    let outcome = choice.method === 'crc' ? await verifyCrc(expected, device, ctx) : undefined;
    outcome ??= await verifyReadback(expected, device, ctx);
    return withUnchanged(outcome, ctx);
  },
};

/**
 * Sectors that the erase step compared with the image in this run, found equal and left
 * untouched, count as verified: the whole image is covered without reading them twice.
 */
function withUnchanged(outcome: StepOutcome, ctx: StepRunContext): StepOutcome {
  const unchanged = ctx.state.unchanged ?? [];
  if (unchanged.length === 0 || ctx.image === undefined) return outcome;
  const image = ctx.image;
  const bytes = unchanged.reduce((sum, range) => sum + image.slice(range).size, 0);
  const count = plural(unchanged.length, 'sector');
  const compared = `compared in ${count} before writing, which were left untouched`;
  return {
    ...outcome,
    summary:
      outcome.bytes === 0
        ? `${formatBytes(bytes)} match the image: ${compared}`
        : `${outcome.summary}; ${formatBytes(bytes)} ${compared}`,
    counts: { verifiedBytes: (outcome.bytes ?? 0) + bytes, comparedBeforeBytes: bytes },
  };
}

async function verifyReadback(
  expected: FlashImage,
  device: Device,
  ctx: StepRunContext,
): Promise<StepOutcome> {
  const total = expected.size;
  const mismatches: AddressRange[] = [];
  let first: { address: number; expected: number; actual: number } | undefined;
  let done = 0;
  for (const [start, data] of expected.blocks) {
    for (let offset = 0; offset < data.length; offset += VERIFY_CHUNK_BYTES) {
      ctx.checkpoint();
      const length = Math.min(VERIFY_CHUNK_BYTES, data.length - offset);
      const address = start + offset;
      const actual = await device.read(address, length, ctx.progress(done, total), ctx.signal);
      const want = data.subarray(offset, offset + length);
      let runStart = -1;
      for (let i = 0; i <= length; i++) {
        const differs = i < length && actual[i] !== want[i];
        if (differs && first === undefined)
          first = { address: address + i, expected: want[i]!, actual: actual[i]! };
        if (differs && runStart < 0) runStart = i;
        if (!differs && runStart >= 0) {
          mismatches.push({ start: address + runStart, end: address + i });
          runStart = -1;
        }
      }
      done += length;
    }
  }
  if (first !== undefined) {
    const ranges = mergeRanges(mismatches);
    const bytes = ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
    throw new FlashwrightError(
      'VERIFY_MISMATCH',
      `${formatBytes(bytes)} differ from the image, first at ${formatAddress(first.address)} (expected 0x${hex2(first.expected)}, read 0x${hex2(first.actual)}): ${formatRanges(ranges)}`,
      {
        hint: device instanceof MemoryOnlyDevice ? UNNAMED_PART_HINT : undefined,
        details: { mismatches: ranges.slice(0, MAX_REPORTED), mismatchCount: ranges.length, first },
      },
    );
  }
  return {
    status: 'done',
    summary: `${formatBytes(total)} match the image (readback)`,
    bytes: total,
  };
}

/**
 * Compares each block's CRC-32 computed on the chip with the image's. Undefined when the
 * device cannot compute it here (the caller reads back instead). A block whose CRC differs
 * is read back, so that the error names the differing bytes as a readback verify does.
 */
async function verifyCrc(
  expected: FlashImage,
  device: Device,
  ctx: StepRunContext,
): Promise<StepOutcome | undefined> {
  const total = expected.size;
  const bad: [number, Uint8Array][] = [];
  let done = 0;
  for (const [start, data] of expected.blocks) {
    ctx.checkpoint();
    const range = { start, end: start + data.length };
    const onChip = await device.checksum!(range, ctx.signal);
    if (onChip === undefined) return undefined;
    if (onChip >>> 0 !== crc32(data) >>> 0) bad.push([start, data]);
    done += data.length;
    ctx.progress(0, total)({ operation: 'verify', range, doneBytes: done, totalBytes: total });
  }
  if (bad.length > 0) {
    // Throws VERIFY_MISMATCH with the differing ranges and the first differing byte.
    await verifyReadback(FlashImage.from(bad), device, ctx);
    throw new FlashwrightError(
      'VERIFY_MISMATCH',
      `CRC-32 differs from the image in ${formatRanges(bad.map(([a, d]) => ({ start: a, end: a + d.length })))}, but a readback matches: the flash reads unstably`,
      { hint: 'Check the target supply and the SWD wiring, then program again.' },
    );
  }
  return {
    status: 'done',
    summary: `${formatBytes(total)} match the image (CRC-32 on the chip)`,
    bytes: total,
  };
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
