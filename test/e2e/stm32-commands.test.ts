/**
 * The board commands on a virtual STM32F411RE (sectors 4x16K, 1x64K, 3x128K; RM0383
 * "Flash module organization"), run as a user runs them (issue 17): erase of sectors and
 * ranges, reads to the end of the flash, option bytes outside a recipe, and `devices` with
 * full part numbers. A state file carries flash and option bytes from one call to the next.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { ndjson, project, runCli } from './helpers/cli.js';

const BASE = 0x08000000;
/** Sectors 0-4: 4 x 16 KB and the 64 KB sector 4. */
const IMAGE_BYTES = 128 * 1024;
const image = Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => ((i * 37 + (i >> 10)) & 0x7f) | 1);

const recipe = [
  'probe:',
  '  transport: virtual',
  '  options: { probe: stlink-v2, device: STM32F411RE, state: board-state.json }',
  'target: { family: stm32, device: STM32F411RE }',
  'image: { file: app.bin, base: 0x08000000 }',
  '',
].join('\n');

/** A project whose board holds `image` in sectors 0-4. */
async function flashedBoard(): Promise<string> {
  const cwd = await project({ 'flashwright.config.yaml': recipe, 'app.bin': image });
  const run = await runCli(['run'], { cwd });
  if (run.code !== 0) throw new Error(`run failed (${run.code}): ${run.stderr}${run.stdout}`);
  return cwd;
}

/** The first IMAGE_BYTES of flash, read back through the CLI. */
async function flashContents(cwd: string): Promise<Uint8Array> {
  const read = await runCli(['read', '0x08000000', String(IMAGE_BYTES), '-o', 'back.bin'], { cwd });
  if (read.code !== 0) throw new Error(`read failed (${read.code}): ${read.stderr}`);
  return new Uint8Array(await readFile(join(cwd, 'back.bin')));
}

/** `image` with [start, end) (bus addresses) erased. */
function withErased(...ranges: [number, number][]): Uint8Array {
  const expected = image.slice();
  for (const [start, end] of ranges) expected.fill(0xff, start - BASE, end - BASE);
  return expected;
}

function summaryOf(stdout: string): Record<string, unknown> {
  const last = ndjson(stdout).at(-1);
  if (last?.['type'] !== 'summary') throw new Error(`no summary in: ${stdout}`);
  return last;
}

test('erase --sectors and --range erase exactly those sectors, without confirmation', async (t) => {
  const cwd = await flashedBoard();
  const sectors = await runCli(['erase', '--sectors', '1,3'], { cwd });
  t.is(sectors.code, 0, sectors.stderr);
  t.regex(
    sectors.stdout,
    /erased sectors 1,3 \(32 KB\): 0x08004000\.\.0x08007FFF, 0x0800C000\.\.0x0800FFFF/,
  );
  const range = await runCli(['erase', '--range', '0x08010000:64K'], { cwd });
  t.is(range.code, 0, range.stderr);
  t.regex(range.stdout, /erased sector 4 \(64 KB\): 0x08010000\.\.0x0801FFFF/);
  t.true(
    bytesEqual(
      await flashContents(cwd),
      withErased([0x08004000, 0x08008000], [0x0800c000, 0x08010000], [0x08010000, 0x08020000]),
    ),
    'sectors 0 and 2 keep the image, 1, 3 and 4 are erased',
  );
});

test('erase --range that is not whole sectors is refused with the sector bounds; --widen erases them', async (t) => {
  const cwd = await flashedBoard();
  const refused = await runCli(['erase', '--range', '0x08004100..0x080081FF'], { cwd });
  t.is(refused.code, 2, refused.stderr);
  t.regex(
    refused.stderr,
    /error USAGE: --range: 0x08004100\.\.0x080081FF does not start and end on sector boundaries/,
  );
  t.regex(
    refused.stderr,
    /hint: It lies in sectors 1-2, 0x08004000\.\.0x0800BFFF\. Name whole sectors \(--range 0x08004000\.\.0x0800BFFF or --sectors 1-2\), or add --widen/,
  );
  t.true(bytesEqual(await flashContents(cwd), image), 'nothing was erased');

  const dryRun = await runCli(['erase', '--range', '0x08004100..0x080081FF', '--dry-run'], {
    cwd,
  });
  t.is(dryRun.code, 2, 'dry-run refuses it the same way (the layout comes from target.device)');

  const widened = await runCli(['erase', '--range', '0x08004100..0x080081FF', '--widen'], { cwd });
  t.is(widened.code, 0, widened.stderr);
  t.regex(
    widened.stderr,
    /warning: 0x08004100\.\.0x080081FF widened to whole sectors 1-2, 0x08004000\.\.0x0800BFFF/,
  );
  t.true(bytesEqual(await flashContents(cwd), withErased([0x08004000, 0x0800c000])));
});

test('erase: bad sectors and ranges exit 2 with a hint; without them it is a mass erase needing --yes', async (t) => {
  const cwd = await flashedBoard();
  const past = await runCli(['erase', '--sectors', '8'], { cwd });
  t.is(past.code, 2);
  t.regex(
    past.stderr,
    /--sectors: STM32F411xC\/E \[DEV_ID 0x431\] has no sector 8: its flash has sectors 0-7/,
  );
  const syntax = await runCli(['erase', '--range', '0x08000000'], { cwd });
  t.is(syntax.code, 2);
  t.regex(syntax.stderr, /--range: "0x08000000": no ":" or "\.\." in it; expected ADDR:LENGTH/);
  const outside = await runCli(['erase', '--range', '0x20000000:1K'], { cwd });
  t.is(outside.code, 2);
  t.regex(outside.stderr, /0x20000000\.\.0x200003FF is outside the flash/);
  const widenAlone = await runCli(['erase', '--widen'], { cwd });
  t.is(widenAlone.code, 2);
  t.regex(widenAlone.stderr, /--widen applies to --range only/);

  const mass = await runCli(['erase'], { cwd });
  t.is(mass.code, 6);
  t.regex(
    mass.stderr,
    /Refusing to mass-erase the flash without confirmation\n {2}hint: Pass --yes \(or --confirm mass-erase\)\./,
  );
  t.true(bytesEqual(await flashContents(cwd), image), 'nothing was erased');
});

test('read without a length reads to the end of the flash; without an address, all of it', async (t) => {
  const cwd = await flashedBoard();
  const all = await runCli(['read', '-o', 'all.bin'], { cwd });
  t.is(all.code, 0, all.stderr);
  t.regex(all.stdout, /512 KB \(0x08000000\.\.0x0807FFFF\) written to/);
  const whole = new Uint8Array(await readFile(join(cwd, 'all.bin')));
  t.is(whole.length, 512 * 1024);
  t.true(bytesEqual(whole.subarray(0, IMAGE_BYTES), image));
  t.true(whole.subarray(IMAGE_BYTES).every((b) => b === 0xff));

  const tail = await runCli(['read', '0x0801F000', '-o', 'tail.bin', '--json'], { cwd });
  t.is(tail.code, 0, tail.stderr);
  const steps = (summaryOf(tail.stdout)['result'] as { steps: { id: string; bytes: number }[] })
    .steps;
  t.is(steps.find((s) => s.id === 'read')?.bytes, 0x80000 - 0x1f000);
  const bytes = new Uint8Array(await readFile(join(cwd, 'tail.bin')));
  t.true(bytesEqual(bytes.subarray(0, 0x1000), image.subarray(0x1f000)));

  const ram = await runCli(['read', '0x20000000', '-o', 'ram.bin'], { cwd });
  t.is(ram.code, 2);
  t.regex(
    ram.stderr,
    /0x20000000 is not in the flash of STM32F411xC\/E .* a read without a length has no end/,
  );
  t.regex(ram.stderr, /hint: To read other memory, give a length/);
});

test('option-bytes shows every field; writes need --yes; unknown fields exit 2', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': recipe });
  const shown = await runCli(['option-bytes'], { cwd });
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /Option bytes of STM32F411xC\/E \[DEV_ID 0x431\]:/);
  t.regex(shown.stdout, /RDP\s+0xAA\s+level 0\s+Read protection/);
  t.regex(shown.stdout, /BOR_LEV\s+3\s+Brown-out reset level/);

  const refused = await runCli(['option-bytes', 'BOR_LEV=1'], { cwd });
  t.is(refused.code, 6);
  t.regex(refused.stderr, /Refusing to write option bytes \(BOR_LEV=1\) without confirmation/);
  t.regex(refused.stderr, /hint: Pass --yes \(or --confirm write-option-bytes\)\./);

  const unknown = await runCli(['option-bytes', 'BOR_LEVEL=1', '--yes'], { cwd });
  t.is(unknown.code, 2);
  t.regex(
    unknown.stderr,
    /error USAGE: BOR_LEVEL=1: this device has no option field "BOR_LEVEL"\. Did you mean "BOR_LEV"\?/,
  );
  t.regex(unknown.stderr, /hint: Fields: BOR_LEV, WDG_SW, /);
  const badValue = await runCli(['option-bytes', 'BOR_LEV=9', '--yes'], { cwd });
  t.is(badValue.code, 2);
  t.regex(badValue.stderr, /BOR_LEV=9: "9" is not a valid BOR_LEV \(raw 0\.\.3\)/);
  const malformed = await runCli(['option-bytes', 'BOR_LEV'], { cwd });
  t.is(malformed.code, 2);
  t.regex(malformed.stderr, /"BOR_LEV" is not NAME=VALUE/);

  const written = await runCli(['option-bytes', 'BOR_LEV=1', '--confirm', 'write-option-bytes'], {
    cwd,
  });
  t.is(written.code, 0, written.stderr);
  t.regex(written.stdout, /wrote BOR_LEV=1/);
  const json = await runCli(['option-bytes', '--json'], { cwd });
  t.is(json.code, 0, json.stderr);
  const result = summaryOf(json.stdout)['result'] as {
    values: Record<string, number>;
    fields: { name: string; value: number; meaning?: string }[];
  };
  t.is(result.values['BOR_LEV'], 1);
  t.like(
    result.fields.find((f) => f.name === 'RDP'),
    { value: 0xaa, meaning: 'level 0' },
  );
});

test('option-bytes RDP=2: --yes and write-option-bytes never write it; only --confirm permanently-disable-debug', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': recipe });
  for (const confirm of [['--yes'], ['--confirm', 'write-option-bytes']]) {
    for (const value of ['RDP=2', 'RDP=0xCC', 'RDP=level-2']) {
      const run = await runCli(['option-bytes', value, ...confirm], { cwd });
      t.is(run.code, 6, `${value} ${confirm.join(' ')}`);
      t.regex(run.stderr, /can never be undone/);
      t.regex(run.stderr, /pass --confirm permanently-disable-debug\. --yes does not cover this\./);
    }
  }
  const level1 = await runCli(['option-bytes', '--json'], { cwd });
  t.is(
    (summaryOf(level1.stdout)['result'] as { values: Record<string, number> }).values['RDP'],
    0xaa,
    'still level 0',
  );
  const permanent = await runCli(
    ['option-bytes', 'RDP=2', '--confirm', 'permanently-disable-debug'],
    { cwd },
  );
  t.is(permanent.code, 0, permanent.stderr);
  const gone = await runCli(['option-bytes'], { cwd });
  t.is(gone.code, 5, 'the debug port no longer answers');
});

interface PartJson {
  readonly part: string;
  readonly id: string;
  readonly name: string;
  readonly flashKiB: number;
  readonly flashSizeFrom: string;
  readonly banks: { name: string; start: number; end: number; sectors: number }[];
  readonly ram: { start: number; end: number; bytes: number }[];
}

test('devices resolves full part numbers to their entries; --json gives flash, RAM and banks', async (t) => {
  const cwd = await project({});
  const run = await runCli(['devices', 'STM32F411RE', 'STM32L151CBT6A', 'STM32F429ZI', '--json'], {
    cwd,
  });
  t.is(run.code, 0, run.stderr);
  const parts = ndjson(run.stdout).find((l) => l['type'] === 'devices')?.['parts'] as PartJson[];
  t.deepEqual(
    parts.map((p) => [p.part, p.id, p.flashKiB, p.flashSizeFrom]),
    [
      ['STM32F411RE', '0x431', 512, 'part-number'],
      ['STM32L151CBT6A', '0x429', 128, 'part-number'],
      ['STM32F429ZI', '0x419', 2048, 'part-number'],
    ],
  );
  t.deepEqual(parts[0]?.ram, [{ start: 0x20000000, end: 0x20020000, bytes: 128 * 1024 }]);
  t.like(parts[0]?.banks, [{ name: 'flash', start: BASE, end: 0x08080000, sectors: 8 }]);
  t.like(parts[1]?.banks, [{ start: BASE, end: 0x08020000, sectors: 512 }]);
  t.like(parts[2]?.banks, [
    { name: 'bank1', start: BASE, end: 0x08100000, sectors: 12 },
    { name: 'bank2', start: 0x08100000, end: 0x08200000, sectors: 12 },
  ]);

  const text = await runCli(['devices', 'STM32F411RET6'], { cwd });
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /STM32F411RET6: STM32F411xC\/E \(stm32, id 0x431\)/);
  t.regex(text.stdout, /Flash: {2}512 KB at 0x08000000 \(from the part number\)/);
  t.regex(
    text.stdout,
    /Bank: {3}flash 0x08000000\.\.0x0807FFFF \(512 KB\): 8 sectors, 4x16 KB, 1x64 KB, 3x128 KB/,
  );
  t.regex(text.stdout, /RAM: {4}0x20000000\.\.0x2001FFFF \(128 KB\)/);
});

test('devices: an unknown part number exits 2 with a hint; other text still filters the list', async (t) => {
  const cwd = await project({});
  const unknown = await runCli(['devices', 'STM32F411RE', 'STM32F999RE'], { cwd });
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /error USAGE: No device matches "STM32F999RE"/);
  t.regex(unknown.stderr, /hint: Give the part number as printed on the chip/);
  const filter = await runCli(['devices', 'L151'], { cwd });
  t.is(filter.code, 0, filter.stderr);
  t.regex(filter.stdout, /stm32\s+0x429\s+STM32L1 Cat\.2/);
});
