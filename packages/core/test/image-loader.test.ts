import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ImageFormat } from '../src/exports/plugin.js';
import { reusingImageLoader, type RecipeImage } from '../src/exports/runner.js';
import { PLUGIN_API_VERSION, type FlashwrightError } from '../src/index.js';
import { rawFormat, rawImage } from './helpers/fake-target.js';
import { pluginSetOf } from './helpers/test-plugin.js';

/** The "raw" test format, counting its parses. */
function countingSetup(): { plugins: ReturnType<typeof pluginSetOf>; parses: () => number } {
  let parses = 0;
  const format: ImageFormat = {
    ...rawFormat,
    parse: (bytes) => {
      parses++;
      return rawFormat.parse(bytes);
    },
  };
  const plugins = pluginSetOf({
    meta: { name: 'counting-plugin', version: '0.0.0', apiVersion: PLUGIN_API_VERSION },
    formats: [format],
  });
  return { plugins, parses: () => parses };
}

function imageEntry(): { file: string; images: RecipeImage[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'fw-image-loader-')), 'app.raw');
  return { file, images: [{ file, format: 'raw', keyPath: 'image' }] };
}

test('the boards of a batch share one read and parse of the image', async (t) => {
  const { plugins, parses } = countingSetup();
  const { file, images } = imageEntry();
  writeFileSync(file, rawImage([[0x08000000, Uint8Array.of(1, 2, 3, 4)]]));
  const load = reusingImageLoader();
  const first = await load(images, plugins);
  for (let board = 1; board < 5; board++) t.is(await load(images, plugins), first);
  t.is(parses(), 1);
  t.deepEqual([...first.blocks], [[0x08000000, Uint8Array.of(1, 2, 3, 4)]]);
});

test('a rebuilt image is read again for the next board (a station keeps running)', async (t) => {
  const { plugins, parses } = countingSetup();
  const { file, images } = imageEntry();
  writeFileSync(file, rawImage([[0x08000000, Uint8Array.of(1, 2, 3, 4)]]));
  const load = reusingImageLoader();
  await load(images, plugins);
  // Same size, new contents: told apart by the modification time.
  writeFileSync(file, rawImage([[0x08000000, Uint8Array.of(5, 6, 7, 8)]]));
  const later = new Date(Date.now() + 60_000);
  utimesSync(file, later, later);
  const rebuilt = await load(images, plugins);
  t.deepEqual([...rebuilt.blocks], [[0x08000000, Uint8Array.of(5, 6, 7, 8)]]);
  t.is(parses(), 2);
});

test('a missing image fails each board with IMAGE_NOT_FOUND until the file is there', async (t) => {
  const { plugins } = countingSetup();
  const { file, images } = imageEntry();
  const load = reusingImageLoader();
  for (let board = 0; board < 2; board++) {
    const error = await t.throwsAsync<FlashwrightError>(load(images, plugins));
    t.is(error?.code, 'IMAGE_NOT_FOUND');
  }
  writeFileSync(file, rawImage([[0x08000000, Uint8Array.of(9)]]));
  t.deepEqual([...(await load(images, plugins)).blocks], [[0x08000000, Uint8Array.of(9)]]);
});
