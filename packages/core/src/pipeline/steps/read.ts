import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { RecipeStep } from '../../config/recipe.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { formatAddress } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import { formatByExtension, type PluginSet } from '../plugin-set.js';
import { formatBytes } from '../units-text.js';
import type { StepHandler } from './step-handler.js';

type ReadStep = Extract<RecipeStep, { id: 'read' }>;

export const readStep: StepHandler<ReadStep> = {
  title: (step) => `Read ${formatBytes(step.lengthBytes)} at ${formatAddress(step.address)}`,
  plan: (step) => ({
    destructive: false,
    bytes: step.lengthBytes,
    lines: [
      `read ${formatBytes(step.lengthBytes)} from ${formatAddress(step.address)} into ${step.file}`,
    ],
  }),
  run: async (step, session, ref) => {
    const device = await session.requireDevice();
    const data = await device.read(
      step.address,
      step.lengthBytes,
      session.progress(ref, 0, step.lengthBytes),
      session.signal,
    );
    await writeImageFile(
      step.file,
      FlashImage.from([[step.address, data]]),
      session.options.plugins,
    );
    return {
      status: 'done',
      summary: `${formatBytes(data.length)} written to ${step.file}`,
      bytes: data.length,
    };
  },
};

/**
 * Writes an image to a file in the format its extension names (.hex, .srec through their
 * plugins); anything else is written raw, as the bytes from the first address on.
 */
export async function writeImageFile(
  file: string,
  image: FlashImage,
  plugins: PluginSet,
): Promise<void> {
  const ext = extname(file).toLowerCase();
  const loaded = plugins
    .formats()
    .find((f) => f.extensions.includes(ext) && f.serialize !== undefined);
  if (loaded?.serialize !== undefined) {
    await writeFile(file, loaded.serialize(image));
    return;
  }
  const formatId = formatByExtension[ext];
  if (formatId === undefined || formatId === 'bin') {
    const extent = image.extent();
    const bytes =
      extent === undefined ? new Uint8Array() : image.read(extent.start, extent.end - extent.start);
    await writeFile(file, bytes);
    return;
  }
  const format = await plugins.format(formatId);
  if (format.serialize === undefined) {
    throw new FlashwrightError('IMAGE_UNSUPPORTED', `The ${format.id} format cannot write files`, {
      hint: 'Write a .bin file instead, or a format whose plugin can serialize (ihex, srec).',
    });
  }
  await writeFile(file, format.serialize(image));
}
