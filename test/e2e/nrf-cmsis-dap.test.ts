/**
 * Issue 13 acceptance behind CMSIS-DAP: an nRF52840 with APPROTECT on, behind a virtual
 * CMSIS-DAP v2 (core's ADIv5 layer reaches the CTRL-AP as AP 1 over the raw SWD wire). `run`
 * without `unprotect` exits 6 with a hint; with it the chip is recovered, written, verified
 * and reset, and a later `read` equals the image, on legacy and hardened silicon.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.hex');
const blinkBin = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.bin');

function recipe(options: readonly string[], body: string): string {
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    '    probe: cmsis-dap-v2',
    '    device: nRF52840',
    '    state: board-state.json',
    ...options.map((o) => `    ${o}`),
    'target:',
    '  family: nrf',
    '  device: nRF52840',
    body,
    '',
  ].join('\n');
}

function summary(stdout: string): Record<string, unknown> {
  const last = ndjson(stdout).at(-1);
  if (last?.['type'] !== 'summary') throw new Error(`no summary in: ${stdout}`);
  return last;
}

const flashSteps = [
  'image: firmware.hex',
  'steps:',
  '  - connect',
  '  - unprotect: { confirm: mass-erase }',
  '  - erase: auto',
  '  - write',
  '  - verify',
  '  - reset: { run: true }',
].join('\n');

for (const revision of ['legacy', 'hardened'] as const) {
  test(`nRF52840 (${revision}) with APPROTECT behind CMSIS-DAP v2: refused without unprotect, recovered with it, read equals the image`, async (t) => {
    const image = new Uint8Array(await readFile(blinkBin));
    // The blink firmware writes APPROTECT.DISABLE first thing (main.c); on hardened silicon
    // it is the core running it after `reset: { run: true }` that lets the later read in.
    const options = [`revision: ${revision}`, 'approtect: true'];
    const cwd = await project({
      'firmware.hex': await readFile(blinkHex),
      'flashwright.config.yaml': recipe(
        options,
        'image: firmware.hex\nsteps: [connect, { erase: auto }, write, verify]',
      ),
    });
    const refused = await runCli(['run', '--json'], { cwd });
    t.is(refused.code, 6, refused.stderr + refused.stdout);
    const error = summary(refused.stdout)['error'] as { code: string; hint: string };
    t.is(error.code, 'TARGET_PROTECTED');
    t.regex(error.hint, /unprotect/);

    await writeFile(join(cwd, 'flashwright.config.yaml'), recipe(options, flashSteps));
    const done = await runCli(['run', '--json'], { cwd });
    t.is(done.code, 0, done.stderr + done.stdout);
    t.is(summary(done.stdout)['status'], 'ok');

    const read = await runCli(['read', '0', String(image.length), '-o', 'back.bin'], { cwd });
    t.is(read.code, 0, read.stderr + read.stdout);
    t.true(bytesEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), image));
  });
}
