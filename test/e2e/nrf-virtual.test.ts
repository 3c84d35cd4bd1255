/**
 * nRF52 acceptance on virtual hardware (issue 13): the CLI as a user runs it, against a
 * simulated nRF52 behind a virtual ST-Link V3 (CTRL-AP access through READ_DAP_REG with
 * INIT_AP 1) and, for the protection acceptance, behind a virtual CMSIS-DAP v2 too (core's
 * ADIv5 layer reaches the CTRL-AP as AP 1 over the raw SWD wire), with a state file carrying
 * flash and UICR from one invocation to the next.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.hex');
const blinkBin = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.bin');

function recipe(
  options: readonly string[],
  body: string,
  device = 'nRF52840',
  probe = 'stlink-v3',
): string {
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    `    probe: ${probe}`,
    `    device: ${device}`,
    '    state: board-state.json',
    ...options.map((o) => `    ${o}`),
    'target:',
    '  family: nrf',
    `  device: ${device}`,
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

for (const [probe, revision] of [
  ['stlink-v3', 'legacy'],
  ['stlink-v3', 'hardened'],
  ['cmsis-dap-v2', 'legacy'],
  ['cmsis-dap-v2', 'hardened'],
] as const) {
  test(`nRF52840 (${revision}) with APPROTECT behind ${probe}: run refuses without unprotect, recovers with it, read equals the image`, async (t) => {
    const image = new Uint8Array(await readFile(blinkBin));
    // The blink firmware writes APPROTECT.DISABLE first thing (main.c); on hardened silicon
    // it is the core running it after `reset: { run: true }` that lets the later read in.
    const options = [`revision: ${revision}`, 'approtect: true'];
    const cwd = await project({
      'firmware.hex': await readFile(blinkHex),
      'flashwright.config.yaml': recipe(
        options,
        'image: firmware.hex\nsteps: [connect, { erase: auto }, write, verify]',
        'nRF52840',
        probe,
      ),
    });
    const refused = await runCli(['run', '--json'], { cwd });
    t.is(refused.code, 6, refused.stderr + refused.stdout);
    const error = summary(refused.stdout)['error'] as { code: string; hint: string };
    t.is(error.code, 'TARGET_PROTECTED');
    t.regex(error.hint, /unprotect/);

    await writeFile(
      join(cwd, 'flashwright.config.yaml'),
      recipe(options, flashSteps, 'nRF52840', probe),
    );
    const done = await runCli(['run', '--json'], { cwd });
    t.is(done.code, 0, done.stderr + done.stdout);
    t.is(summary(done.stdout)['status'], 'ok');

    const read = await runCli(['read', '0', String(image.length), '-o', 'back.bin'], { cwd });
    t.is(read.code, 0, read.stderr + read.stdout);
    t.true(bytesEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), image));

    const state = JSON.parse(await readFile(join(cwd, 'board-state.json'), 'utf8')) as {
      chip: { uicr: Record<string, number> };
    };
    // Hardened silicon: unprotect left UICR.APPROTECT = HwDisabled for the firmware half.
    t.is(state.chip.uicr['208'], revision === 'hardened' ? 0xffffff5a : undefined);
  });
}

/**
 * A minimal image whose firmware never writes APPROTECT.DISABLE: a vector table (initial SP,
 * reset handler at 0x101) and a reset handler that is `b .` (0xE7FE).
 */
function idleImage(): Uint8Array {
  const image = new Uint8Array(0x104);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x20001000, true);
  view.setUint32(4, 0x101, true);
  view.setUint16(0x100, 0xe7fe, true);
  return image;
}

test('hardened nRF52840 whose firmware does not open the port: locked again after the reset, doctor explains the firmware half', async (t) => {
  const options = ['revision: hardened', 'approtect: true'];
  const steps = flashSteps.replace('image: firmware.hex', 'image: { file: idle.bin, base: 0 }');
  const cwd = await project({
    'idle.bin': idleImage(),
    'flashwright.config.yaml': recipe(options, steps),
  });
  const done = await runCli(['run', '--json'], { cwd });
  t.is(done.code, 0, done.stderr + done.stdout);
  const read = await runCli(['read', '0', '64', '-o', 'back.bin', '--json'], { cwd });
  t.is(read.code, 6, read.stderr + read.stdout);
  const doctor = await runCli(['doctor'], { cwd });
  t.regex(doctor.stdout + doctor.stderr, /0x40000558/);
  t.regex(doctor.stdout + doctor.stderr, /firmware/);
});

test('UICR: a write without confirmation is refused, with it the field reads back; protected, the write (ERASEUICR) is refused', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': recipe([], 'steps: [connect]'),
  });
  const refused = await runCli(['option-bytes', 'NFCPINS=gpio', '--json'], { cwd });
  t.is(refused.code, 6, refused.stderr + refused.stdout);
  t.is((summary(refused.stdout)['error'] as { code: string }).code, 'CONFIRMATION_REQUIRED');

  const written = await runCli(
    ['option-bytes', 'NFCPINS=gpio', 'CUSTOMER0=0x12345678', '--confirm', 'write-option-bytes'],
    { cwd },
  );
  t.is(written.code, 0, written.stderr + written.stdout);
  const shown = await runCli(['option-bytes', '--json'], { cwd });
  t.is(shown.code, 0, shown.stderr);
  const text = shown.stdout;
  t.regex(text, /"NFCPINS":0/);
  t.regex(text, /"CUSTOMER0":305419896/);

  // Back to NFC needs a bit set again: ERASEUICR, with CUSTOMER0 written back.
  const back = await runCli(['option-bytes', 'NFCPINS=nfc', '--yes'], { cwd });
  t.is(back.code, 0, back.stderr + back.stdout);
  const again = await runCli(['option-bytes', '--json'], { cwd });
  t.regex(again.stdout, /"NFCPINS":1/);
  t.regex(again.stdout, /"CUSTOMER0":305419896/);

  // APPROTECT on, then a power-on: the UICR is out of reach and ERASEUICR is refused.
  const lock = await runCli(['option-bytes', 'APPROTECT=enabled', '--yes'], { cwd });
  t.is(lock.code, 0, lock.stderr + lock.stdout);
  // The next session powers the board on: the protection is latched from UICR.
  const eraseUicr = await runCli(['option-bytes', 'NFCPINS=nfc', '--yes', '--json'], { cwd });
  t.is(eraseUicr.code, 6, eraseUicr.stderr + eraseUicr.stdout);
  t.regex((summary(eraseUicr.stdout)['error'] as { message: string }).message, /ERASEUICR/);
});

for (const [device, kib, ramKib] of [
  ['nRF52840', 1024, 256],
  ['nRF52833', 512, 128],
  ['nRF52832', 512, 64],
  ['nRF52820', 256, 32],
  ['nRF52811', 192, 24],
  ['nRF52810', 192, 24],
] as const) {
  test(`${device} is identified from FICR`, async (t) => {
    const cwd = await project({
      'flashwright.config.yaml': recipe([], 'steps: [connect]', device),
    });
    const run = await runCli(['info', '--json'], { cwd });
    t.is(run.code, 0, run.stderr + run.stdout);
    const result = summary(run.stdout)['result'] as {
      device: { name: string; family: string; flashSize: { kib: number; source: string } };
      ram: { start: number; end: number }[];
      optionBytes: Record<string, number>;
    };
    t.is(result.device.family, 'nrf52');
    t.true(result.device.name.startsWith(device));
    t.like(result.device.flashSize, { kib, source: 'register' });
    t.is(result.ram[0]!.end - result.ram[0]!.start, ramKib * 1024);
    // REGOUT0 only on nRF52833/52840, NFCPINS not on nRF52810/811/820.
    t.is('REGOUT0' in result.optionBytes, device === 'nRF52840' || device === 'nRF52833');
    t.is('NFCPINS' in result.optionBytes, !['nRF52810', 'nRF52811', 'nRF52820'].includes(device));
  });
}

test('an ST-Link whose firmware cannot select AP 1 refuses clearly on a protected nRF52', async (t) => {
  // V2J27: DP/AP registers (J24) but no access ports other than 0 (J28).
  const cwd = await project({
    'firmware.hex': await readFile(blinkHex),
    'flashwright.config.yaml': recipe(['approtect: true'], flashSteps)
      .replace('probe: stlink-v3', 'probe: stlink-v2')
      .replace('    approtect: true', '    approtect: true\n    firmware: V2J27S6'),
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 4, run.stderr + run.stdout);
  const error = summary(run.stdout)['error'] as { code: string; message: string; hint: string };
  t.is(error.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.regex(error.message, /Access port 1 needs ST-Link firmware V2J28/);
  t.regex(error.message, /CTRL-AP/);
  t.regex(error.hint, /STLinkUpgrade/);
});

test('an ST-Link without DP/AP register access (V2J21) says what a protected nRF52 needs', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': recipe(['approtect: true'], 'steps: [connect]')
      .replace('probe: stlink-v3', 'probe: stlink-v2')
      .replace('    approtect: true', '    approtect: true\n    firmware: V2J21S4'),
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 4, run.stderr + run.stdout);
  const error = summary(run.stdout)['error'] as { code: string; message: string; hint: string };
  t.is(error.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.regex(error.message, /V2J28 or later; this probe has V2J21S4/);
  t.regex(error.hint, /STLinkUpgrade/);
});
