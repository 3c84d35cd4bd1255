import { extname } from 'node:path';
import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import { parseAddress, parseSizeBytes } from '../../config/units.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { formatAddress } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type { ImageFormat, StepDefinition } from '../../plugin/types.js';
import { checkOutputPath, writeOutputFile } from '../../util/bounded-file.js';
import { formatByExtension, type PluginSet } from '../../plugin/plugin-set.js';
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

export interface WriteImageOptions {
  /** Format id ("ihex", "srec", "elf", "bin" or a plugin's), instead of the extension's. */
  readonly format?: string | undefined;
  /** Gap byte, for formats that cannot express gaps (raw binary; 0xFF by default). */
  readonly fill?: number | undefined;
}

/**
 * The format an output file is written in: the explicit one, else the one its extension
 * names (a loaded plugin's first, then the built-ins), else raw binary.
 */
export async function outputFormatFor(
  file: string,
  plugins: PluginSet,
  explicit?: string,
): Promise<ImageFormat> {
  if (explicit !== undefined) return plugins.format(explicit);
  const ext = extname(file).toLowerCase();
  const loaded = plugins
    .formats()
    .find((f) => f.extensions.includes(ext) && f.serialize !== undefined);
  if (loaded !== undefined) return loaded;
  return plugins.format(formatByExtension[ext] ?? 'bin');
}

/**
 * Writes an image to a file through its format plugin's serialize, so that every format's
 * own options and guards apply (the raw binary's fill byte and size limit). Serializes
 * before creating the file: a refused image leaves no file behind.
 */
export async function writeImageFile(
  file: string,
  image: FlashImage,
  plugins: PluginSet,
  options: WriteImageOptions = {},
): Promise<ImageFormat> {
  const format = await outputFormatFor(file, plugins, options.format);
  if (format.serialize === undefined) {
    throw new FlashwrightError('IMAGE_UNSUPPORTED', `The ${format.id} format cannot write files`, {
      hint: 'Write another format: .hex, .srec or .bin (or name one with --to).',
    });
  }
  const bytes = format.serialize(image, { fill: options.fill });
  await writeOutputFile(file, bytes);
  return format;
}
