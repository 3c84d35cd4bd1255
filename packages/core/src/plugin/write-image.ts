import { extname } from 'node:path';
import { FlashwrightError } from '../errors/flashwright-error.js';
import type { FlashImage } from '../image/flash-image.js';
import { writeOutputFile } from '../util/bounded-file.js';
import { formatByExtension, type PluginSet } from './plugin-set.js';
import type { ImageFormat } from './types.js';

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
