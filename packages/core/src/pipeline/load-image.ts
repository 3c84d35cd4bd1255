import { open, readFile } from 'node:fs/promises';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { FlashImage, type NamedImage } from '../image/flash-image.js';
import type { RecipeImage } from '../config/recipe.js';
import type { PluginSet } from './plugin-set.js';

const SNIFF_BYTES = 512;

/** Reads, parses and merges the recipe's image files (overlaps are errors naming both). */
export async function loadImages(
  images: readonly RecipeImage[],
  plugins: PluginSet,
): Promise<FlashImage> {
  const named: NamedImage[] = [];
  for (const entry of images)
    named.push({ source: entry.file, image: await loadImage(entry, plugins) });
  const image = named.length === 1 ? named[0]!.image : FlashImage.merge(named);
  if (image.isEmpty) {
    throw new FlashwrightError(
      'IMAGE_MALFORMED',
      `${images.map((i) => i.file).join(', ')} holds no data`,
      {
        hint: 'Check that the build produced the image (an empty file, or only symbols).',
      },
    );
  }
  return image;
}

export async function loadImage(entry: RecipeImage, plugins: PluginSet): Promise<FlashImage> {
  const head = await readHead(entry);
  const format = await plugins.formatForFile(entry.file, head, entry.format);
  const bytes = await readFile(entry.file);
  try {
    return format.parse(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), {
      fileName: entry.file,
      base: entry.base,
    });
  } catch (error) {
    if (error instanceof FlashwrightError) throw error;
    throw new FlashwrightError(
      'IMAGE_MALFORMED',
      `${entry.file} is not valid ${format.id}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

async function readHead(entry: RecipeImage): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(entry.file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FlashwrightError(
      code === 'ENOENT' ? 'IMAGE_NOT_FOUND' : 'IMAGE_UNSUPPORTED',
      code === 'ENOENT'
        ? `Image file ${entry.file} does not exist`
        : `Image file ${entry.file} cannot be read (${code})`,
      {
        cause: error,
        source: { keyPath: entry.keyPath },
        hint:
          code === 'ENOENT'
            ? 'Build the firmware first, or fix the path (relative to the recipe file that names it).'
            : 'Check the file permissions.',
      },
    );
  }
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
