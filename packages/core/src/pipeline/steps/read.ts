import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import { parseAddress, parseSizeBytes } from '../../config/units.js';
import { formatAddress } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type { StepDefinition } from '../../plugin/types.js';
import { checkOutputPath } from '../../util/bounded-file.js';
import { formatBytes } from '../../image/units-text.js';

export interface ReadOptions {
  readonly address: number;
  readonly lengthBytes: number;
  /** Absolute path. */
  readonly file: string;
}

export const readStep: StepDefinition<ReadOptions> = {
  id: 'read',
  description: builtinStepDescription('read'),
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('read', raw, at.keyPath);
    return {
      address: parseAddress(o.address) ?? 0,
      lengthBytes: parseSizeBytes(o.length) ?? 0,
      file: o.file,
    };
  },
  // Before connecting: a long read should not end in "cannot write the file".
  preflight: (options, at) => checkOutputPath(options.file, { keyPath: at.keyPath }),
  title: (_ctx, options) =>
    `Read ${formatBytes(options.lengthBytes)} at ${formatAddress(options.address)}`,
  plan: (_ctx, options) => ({
    bytes: options.lengthBytes,
    lines: [
      `read ${formatBytes(options.lengthBytes)} from ${formatAddress(options.address)} into ${options.file}`,
    ],
  }),
  run: async (ctx, options) => {
    const device = await ctx.device();
    const data = await device.read(
      options.address,
      options.lengthBytes,
      ctx.progress(0, options.lengthBytes),
      ctx.signal,
    );
    await ctx.writeImageFile(options.file, FlashImage.from([[options.address, data]]));
    return {
      status: 'done',
      summary: `${formatBytes(data.length)} written to ${options.file}`,
      bytes: data.length,
    };
  },
};
