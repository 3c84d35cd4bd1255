import { statSync } from 'node:fs';
import type { RecipeImage } from '../config/recipe.js';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { FlashImage, type NamedImage } from '../image/flash-image.js';
import { readInputFile } from '../util/bounded-file.js';
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

/** Loads the recipe's images (loadImages, or one that reuses what it loaded before). */
export type ImageLoader = (
  images: readonly RecipeImage[],
  plugins: PluginSet,
) => Promise<FlashImage>;

/**
 * A loadImages that reads and parses the files again only when one changed (its size,
 * modification time or inode): the boards of a batch share one parse of the same image
 * instead of each reading it, and a station still picks up a rebuilt image for the next
 * board. A file that is not a regular one (a pipe) is read once. Images are immutable
 * (overlay and fillGaps return new ones), so sharing one is safe.
 */
export function reusingImageLoader(): ImageLoader {
  let last: { readonly key: string; readonly image: Promise<FlashImage> } | undefined;
  return (images, plugins) => {
    const key = JSON.stringify(
      images.map((entry) => [entry.file, entry.format, entry.base, fileVersion(entry.file)]),
    );
    if (last?.key !== key) last = { key, image: loadImages(images, plugins) };
    return last.image;
  };
}

/** What tells one version of a file from the next; null when it cannot be read (yet). */
function fileVersion(file: string): string | null {
  try {
    const stats = statSync(file);
    return stats.isFile() ? `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'stream';
  } catch {
    return null;
  }
}

/** Reads one image file (bounded: see readInputFile) and parses it with its format. */
export async function loadImage(entry: RecipeImage, plugins: PluginSet): Promise<FlashImage> {
  const bytes = await readInputFile(entry.file, {
    what: 'Image file',
    source: { keyPath: entry.keyPath },
    missing: {
      code: 'IMAGE_NOT_FOUND',
      hint: 'Build the firmware first, or fix the path (relative to the recipe file that names it).',
    },
  });
  const format = await plugins.formatForFile(
    entry.file,
    bytes.subarray(0, SNIFF_BYTES),
    entry.format,
  );
  try {
    return format.parse(bytes, { fileName: entry.file, base: entry.base });
  } catch (error) {
    if (error instanceof FlashwrightError) throw error;
    throw new FlashwrightError(
      'IMAGE_MALFORMED',
      `${entry.file} is not valid ${format.id}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
