import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import { parseAddress, parseSizeBytes } from '../../config/units.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { formatAddress, mergeRanges, type AddressRange } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion, StepDefinition } from '../../plugin/types.js';
import { checkOutputPath } from '../../util/bounded-file.js';
import { formatBytes, formatRanges, totalBytes } from '../../image/units-text.js';
import { optionsError, optionsOrigin, type OptionsOrigin } from './checks.js';

export interface ReadOptions {
  /** Undefined: the whole flash. */
  readonly address?: number | undefined;
  /** Undefined: to the end of the flash that holds `address`. */
  readonly lengthBytes?: number | undefined;
  /** Absolute path. */
  readonly file: string;
  readonly origin: OptionsOrigin;
}

export const readStep: StepDefinition<ReadOptions> = {
  id: 'read',
  description: builtinStepDescription('read'),
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('read', raw, at.keyPath);
    return {
      address: o.address === undefined ? undefined : (parseAddress(o.address) ?? 0),
      lengthBytes: o.length === undefined ? undefined : (parseSizeBytes(o.length) ?? 0),
      file: o.file,
      origin: optionsOrigin(at),
    };
  },
  // Before connecting: a long read should not end in "cannot write the file".
  preflight: (options, at) => checkOutputPath(options.file, { keyPath: at.keyPath }),
  title: (_ctx, options) =>
    options.address === undefined
      ? 'Read the whole flash'
      : options.lengthBytes === undefined
        ? `Read from ${formatAddress(options.address)} to the end of the flash`
        : `Read ${formatBytes(options.lengthBytes)} at ${formatAddress(options.address)}`,
  plan: (ctx, options) => {
    if (options.lengthBytes === undefined && ctx.layout === undefined) {
      const what =
        options.address === undefined
          ? 'the whole flash'
          : `from ${formatAddress(options.address)} to the end of the flash that holds it`;
      return {
        lines: [
          `read ${what} into ${options.file} (its size is known once the chip is identified)`,
        ],
      };
    }
    let ranges: AddressRange[];
    try {
      ranges = rangesToRead(options, ctx.layout?.flash ?? [], ctx.layout?.name ?? '');
    } catch (error) {
      if (error instanceof FlashwrightError) return { lines: [error.message], refusal: error };
      throw error;
    }
    const bytes = totalBytes(ranges);
    return {
      bytes,
      lines: [`read ${formatBytes(bytes)} (${formatRanges(ranges)}) into ${options.file}`],
    };
  },
  run: async (ctx, options) => {
    const device = await ctx.device();
    const ranges = rangesToRead(options, device.flash, device.name);
    const total = totalBytes(ranges);
    const blocks: [number, Uint8Array][] = [];
    let done = 0;
    for (const { start, end } of ranges) {
      ctx.checkpoint();
      blocks.push([
        start,
        await device.read(start, end - start, ctx.progress(done, total), ctx.signal),
      ]);
      done += end - start;
    }
    await ctx.writeImageFile(options.file, FlashImage.from(blocks));
    return {
      status: 'done',
      summary: `${formatBytes(total)} (${formatRanges(ranges)}) written to ${options.file}`,
      bytes: total,
    };
  },
};

/**
 * What a read covers: the range given; from the address to the end of the flash that
 * holds it (banks that touch count as one); or every flash region.
 */
function rangesToRead(
  options: ReadOptions,
  flash: readonly FlashRegion[],
  deviceName: string,
): AddressRange[] {
  const { address, lengthBytes, origin } = options;
  if (address !== undefined && lengthBytes !== undefined) {
    return [{ start: address, end: address + lengthBytes }];
  }
  const spans = mergeRanges(flash.map((r) => ({ start: r.start, end: r.end })));
  const known = spans.length === 0 ? 'no flash is known' : `its flash is ${formatRanges(spans)}`;
  const lengthHint = origin.fromCommand
    ? 'give a length, e.g. `flashwright read 0x20000000 0x1000 -o ram.bin`'
    : 'give the step a length';
  if (address === undefined) {
    if (spans.length > 0) return spans;
    throw optionsError(origin, `cannot read the whole flash of ${deviceName}: ${known}`, {
      hint: `Give an address and a length: ${lengthHint}.`,
    });
  }
  const span = spans.find((s) => address >= s.start && address < s.end);
  if (span !== undefined) return [{ start: address, end: span.end }];
  throw optionsError(
    origin,
    `${formatAddress(address)} is not in the flash of ${deviceName} (${known}), so a read without a length has no end`,
    { hint: `To read other memory, ${lengthHint}.`, key: 'address' },
  );
}
