/**
 * The nRF52840 firmware of the acceptance tests is built with Debian 12's
 * gcc-arm-none-eabi (test/fixtures/firmware/blink-nrf52840/Makefile) and committed; when
 * that toolchain is installed, a fresh build must match the committed files byte for byte.
 * The image itself must write APPROTECT.DISABLE (0x40000558) = 0x5A at boot.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from './helpers/cli.js';

const dir = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840');
const hasGcc = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
const hasMake = spawnSync('make', ['--version']).status === 0;
const withToolchain = hasGcc && hasMake ? test : test.skip;

withToolchain('a fresh build with arm-none-eabi-gcc matches the committed firmware', async (t) => {
  const checkDir = await mkdtemp(join(tmpdir(), 'blink-nrf52840-'));
  const run = spawnSync('make', ['--no-print-directory', 'check', `CHECK_DIR=${checkDir}/out`], {
    cwd: dir,
    encoding: 'utf8',
  });
  t.is(run.status, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /committed outputs match a fresh build/);
});

test('the firmware writes APPROTECT.DISABLE = 0x5A first thing in its reset handler', async (t) => {
  const image = new Uint8Array(await readFile(join(dir, 'out/blink.bin')));
  const view = new DataView(image.buffer);
  t.is(view.getUint32(0, true), 0x20040000, 'initial SP: the end of the 256 KB RAM');
  const reset = view.getUint32(4, true) & ~1;
  // movs r2, #0x5A ; str.w r2, [r3, #0x558] with r3 = 0x40000000 (see out/blink.map).
  const handler = image.subarray(reset, reset + 16);
  const hex = Buffer.from(handler).toString('hex');
  t.true(hex.includes('5a22'), hex);
  t.true(hex.includes('c3f85825'), hex);
});
