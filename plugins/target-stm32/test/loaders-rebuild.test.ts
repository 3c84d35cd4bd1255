/**
 * flashwright's RAM loaders (loaders/<family>) and on-chip CRC-32 routine (loaders/crc32):
 * Debian 12's gcc-arm-none-eabi rebuilds each committed binary byte for byte with its
 * Makefile, and the TypeScript copy the host loads is the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CRC32_ROUTINE } from '../src/flash/crc32-routine.js';
import { F0_F1_F3_LOADER } from '../src/flash/f0-f1-f3-loader.js';
import { F2_F4_F7_LOADER } from '../src/flash/f2-f4-f7-loader.js';
import { L0_L1_LOADER } from '../src/flash/l0-l1-loader.js';
import { H7_LOADER } from '../src/flash/h7-loader.js';
import { L4_LOADER } from '../src/flash/l4-loader.js';

const here = dirname(fileURLToPath(import.meta.url));
/** plugins/target-stm32/loaders, from dist/test. */
const loadersDir = join(here, '..', '..', 'loaders');
const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

/** Each binary's directory under loaders/, its file name and the bytes the host loads. */
const loaders: readonly (readonly [string, string, Uint8Array])[] = [
  ['l0-l1', 'loader.bin', L0_L1_LOADER],
  ['f0-f1-f3', 'loader.bin', F0_F1_F3_LOADER],
  ['f2-f4-f7', 'loader.bin', F2_F4_F7_LOADER],
  ['l4', 'loader.bin', L4_LOADER],
  ['h7', 'loader.bin', H7_LOADER],
  ['crc32', 'crc32.bin', CRC32_ROUTINE],
];

function gccMissing(): string | undefined {
  for (const [tool, pkg] of [
    ['arm-none-eabi-gcc', 'gcc-arm-none-eabi'],
    ['make', 'make'],
  ] as const) {
    if (spawnSync(tool, ['--version']).error !== undefined) {
      return `${tool} is not installed (Debian: apt-get install --no-install-recommends ${pkg})`;
    }
  }
  return undefined;
}

const missing = gccMissing();
if (missing !== undefined && peersRequired) {
  test('the loader rebuild needs arm-none-eabi-gcc (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) =>
    t.fail(missing));
} else if (missing !== undefined) {
  test.skip(`the loader rebuild is skipped: ${missing}`, () => {});
} else {
  for (const [name, file, bytes] of loaders) {
    test(`make rebuilds loaders/${name}/${file} byte for byte, and the TypeScript copy is the same`, (t) => {
      const dir = join(loadersDir, name);
      const out = mkdtempSync(join(tmpdir(), `fw-loader-${name}-`));
      const result = spawnSync('make', ['-s', '-C', dir, `OUT=${out}`], { encoding: 'utf8' });
      t.is(result.status, 0, result.stderr);
      const rebuilt = new Uint8Array(readFileSync(join(out, file)));
      t.deepEqual(rebuilt, new Uint8Array(readFileSync(join(dir, file))));
      t.deepEqual(rebuilt, bytes);
    });
  }
}
