/**
 * STM32 acceptance on virtual hardware (issue 5): the CLI as a user runs it, against a
 * simulated chip behind a simulated ST-Link V2 speaking the real USB protocol, with a
 * state file carrying flash and option bytes from one invocation to the next.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const blinkBin = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.bin');

interface Board {
  readonly device: string;
  readonly extra?: string;
}

function recipe(board: Board, body: string): string {
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    '    probe: stlink-v2',
    `    device: ${board.device}`,
    '    state: board-state.json',
    ...(board.extra === undefined ? [] : [`    ${board.extra}`]),
    'target:',
    '  family: stm32',
    `  device: ${board.device}`,
    body,
    '',
  ].join('\n');
}

function summary(stdout: string): Record<string, unknown> {
  const lines = ndjson(stdout);
  const last = lines.at(-1);
  if (last?.['type'] !== 'summary') throw new Error(`no summary in: ${stdout}`);
  return last;
}

interface InfoResult {
  readonly device: {
    name: string;
    facts: Record<string, string | number | boolean>;
    flashSize: { kib: number; source: string; raw?: number; registerAddress?: number };
  };
  readonly flash: { start: number; end: number }[];
  readonly protection: { readLevel: number; summary: string };
  readonly optionBytes: Record<string, number>;
  readonly targetVoltage?: number;
  readonly probe: { firmwareVersion?: string };
}

async function info(cwd: string): Promise<{ result: InfoResult; human: string }> {
  const json = await runCli(['info', '--json'], { cwd });
  if (json.code !== 0) throw new Error(`info failed (${json.code}): ${json.stderr}${json.stdout}`);
  const human = await runCli(['info'], { cwd });
  return { result: summary(json.stdout)['result'] as InfoResult, human: human.stdout };
}

test('info on STM32L151CBxxA whose flash-size register reads 0x6B80 reports 128 KB', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': recipe(
      { device: 'STM32L151CBxxA', extra: 'flashSizeRaw: 0x6B80' },
      'steps: [connect]',
    ),
  });
  const { result, human } = await info(cwd);
  t.is(result.device.facts['devId'], '0x429');
  t.like(result.device.flashSize, { kib: 128, source: 'register', raw: 0x6b80 });
  t.is(result.flash[0]!.end - result.flash[0]!.start, 128 * 1024);
  t.is(result.protection.readLevel, 0);
  t.is(result.optionBytes['RDP'], 0xaa);
  t.is(result.probe.firmwareVersion, 'V2J37S7');
  t.regex(
    human,
    /Flash size: {2}128 KiB from the flash-size register at 0x1FF8004C \(register reads 0x6B80\)/,
  );
  t.notRegex(human, /27520/);
  t.regex(human, /0x6B80/);
});

test('STM32L151CBxxA at RDP level 1: run refuses without unprotect, unprotects with it, read equals the image', async (t) => {
  const image = new Uint8Array(await readFile(blinkBin));
  const board: Board = { device: 'STM32L151CBxxA', extra: 'rdp: 1' };
  const cwd = await project({
    'app.bin': image,
    'flashwright.config.yaml': recipe(
      board,
      [
        'image: { file: app.bin, base: 0x08000000 }',
        'steps: [connect, { erase: auto }, write, verify, { reset: { run: true } }]',
      ].join('\n'),
    ),
  });
  const refused = await runCli(['run', '--json'], { cwd });
  t.is(refused.code, 6, refused.stderr);
  const error = summary(refused.stdout)['error'] as { code: string; hint: string };
  t.is(error.code, 'TARGET_PROTECTED');
  t.regex(error.hint, /unprotect/);

  await writeFile(
    join(cwd, 'flashwright.config.yaml'),
    recipe(
      board,
      [
        'image: { file: app.bin, base: 0x08000000 }',
        'steps:',
        '  - connect',
        '  - unprotect: { confirm: mass-erase }',
        '  - erase: auto',
        '  - write',
        '  - verify',
        '  - reset: { run: true }',
      ].join('\n'),
    ),
  );
  const done = await runCli(['run', '--json'], { cwd });
  t.is(done.code, 0, done.stderr + done.stdout);
  t.is(summary(done.stdout)['status'], 'ok');

  const read = await runCli(['read', '0x08000000', String(image.length), '-o', 'back.bin'], {
    cwd,
  });
  t.is(read.code, 0, read.stderr);
  t.true(bytesEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), image));
  t.is((await info(cwd)).result.protection.readLevel, 0);
});

test('STM32F767 with RDP = 0xFF: info reports level 1, and unprotect works', async (t) => {
  const board: Board = { device: 'STM32F767BI' };
  const cwd = await project({
    'flashwright.config.yaml': recipe(
      board,
      'steps: [connect, { option-bytes: { RDP: 0xFF, confirm: write-option-bytes } }]',
    ),
  });
  const set = await runCli(['run', '--json'], { cwd });
  t.is(set.code, 0, set.stderr + set.stdout);
  const protectedInfo = (await info(cwd)).result;
  t.is(protectedInfo.protection.readLevel, 1);
  t.regex(protectedInfo.protection.summary, /RDP level 1 \(RDP byte 0xFF\)/);
  t.is(protectedInfo.optionBytes['RDP'], 0xff);

  await writeFile(
    join(cwd, 'flashwright.config.yaml'),
    recipe(board, 'steps: [connect, { unprotect: { confirm: mass-erase } }]'),
  );
  const unprotect = await runCli(['run', '--json'], { cwd });
  t.is(unprotect.code, 0, unprotect.stderr + unprotect.stdout);
  const open = (await info(cwd)).result;
  t.is(open.protection.readLevel, 0);
  t.is(open.optionBytes['RDP'], 0xaa);
});

const families: [string, string][] = [
  ['F0/F1/F3', 'STM32F103RB'],
  ['F2/F4/F7', 'STM32F411RE'],
  ['L0/L1', 'STM32L151CBxxA'],
  ['L4/L4+/G0/G4/WB/WL', 'STM32L476RG'],
  ['H7', 'STM32H743ZI'],
];

for (const [family, device] of families) {
  test(`${family}: ${device} takes a 128 KB image, verifies it and reads it back equal`, async (t) => {
    const image = Uint8Array.from({ length: 128 * 1024 }, (_, i) => (i * 37 + (i >> 10)) & 0xff);
    const cwd = await project({
      'app.bin': image,
      'flashwright.config.yaml': recipe(
        { device },
        [
          'image: { file: app.bin, base: 0x08000000 }',
          'steps: [connect, { erase: auto }, write, verify]',
        ].join('\n'),
      ),
    });
    const run = await runCli(['run', '--json'], { cwd });
    t.is(run.code, 0, run.stderr + run.stdout);
    const events = ndjson(run.stdout);
    t.truthy(
      events.find((e) => e['type'] === 'step' && JSON.stringify(e).includes('verify')) ??
        events.find((e) => JSON.stringify(e).includes('"verify"')),
      'verify ran',
    );
    const read = await runCli(['read', '0x08000000', '0x20000', '-o', 'back.bin'], { cwd });
    t.is(read.code, 0, read.stderr);
    t.true(bytesEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), image));
  });
}

test('a recipe naming another part is refused with both names (exit 5)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe: { transport: virtual, options: { probe: stlink-v2, device: STM32L151CBxxA } }',
      'target: { family: stm32, device: STM32F103RB }',
      'steps: [connect]',
      '',
    ].join('\n'),
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 5);
  const error = summary(run.stdout)['error'] as { code: string; message: string };
  t.is(error.code, 'TARGET_DEVICE_MISMATCH');
  t.regex(error.message, /STM32F103RB/);
  t.regex(error.message, /0x429/);
});

test('devices --json lists the STM32 database with ids, sizes and layouts', async (t) => {
  const cwd = await project({});
  const run = await runCli(['devices', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const result = summary(run.stdout)['result'] as
    { devices?: Record<string, unknown>[] } | undefined;
  const devices =
    result?.devices ??
    (ndjson(run.stdout).find((l) => Array.isArray(l['devices']))?.['devices'] as
      Record<string, unknown>[] | undefined) ??
    [];
  const stm32 = devices.filter((d) => d['family'] === 'stm32');
  t.true(stm32.length >= 80);
  const l151 = stm32.find((d) => d['id'] === '0x429');
  t.like(l151, { family: 'stm32', flashBase: 0x08000000, maxFlashKiB: 128 });
  t.deepEqual(l151?.['layout'], { kind: 'pages', pageBytes: 256 });
  const f767 = stm32.find((d) => d['id'] === '0x451');
  t.is((f767?.['layout'] as { kind?: string } | undefined)?.kind, 'sectors-by-bank-mode');
});

test('flashwright read at RDP level 1: system memory and the L4 option bytes read, main flash is refused', async (t) => {
  const board = { device: 'STM32L476RG', extra: 'rdp: 1' };
  const cwd = await project({ 'flashwright.config.yaml': recipe(board, '') });
  const system = await runCli(['read', '0x1FFF0000', '64', '-o', 'sys.bin'], { cwd });
  t.is(system.code, 0, system.stderr);
  const rom = await readFile(join(cwd, 'sys.bin'));
  // The simulator's stand-in bootloader starts with a vector table: SP in SRAM, reset in ROM.
  t.is(rom.readUInt32LE(0), 0x20001000);
  t.is(rom.readUInt32LE(4), 0x1fff0101);
  const options = await runCli(['read', '0x1FFF7800', '8', '-o', 'opt.bin'], { cwd });
  t.is(options.code, 0, options.stderr);
  const opt = await readFile(join(cwd, 'opt.bin'));
  t.is(opt.readUInt32LE(0) & 0xff, 0xbb, 'RDP byte of level 1');
  t.is(opt.readUInt32LE(4), ~opt.readUInt32LE(0) >>> 0, 'with its complement');
  const flash = await runCli(['read', '0x08000000', '64', '-o', 'flash.bin'], { cwd });
  t.not(flash.code, 0);
});
