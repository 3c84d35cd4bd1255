/**
 * `flashwright run` end to end over the GDB transport against a real GDB server: QEMU's
 * STM32F100 (machine stm32vldiscovery). QEMU's ID registers read 0 and it has no flash
 * driver (no memory map, no vFlash), so this is the general memory-only path: the recipe's
 * target.device supplies the layout, and the flash is programmed with plain memory writes
 * because the target takes them; with no part named, plain writes as `gdb load` does. The firmware prints the CRC-32 of its own image on USART1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import test from 'ava';
import { fixtureDir, peersRequired, qemuMissing, startQemu } from './gdb-qemu-harness.js';
import { ndjson, project, runCli } from './helpers/cli.js';

const missing = qemuMissing();
const qemuTest = missing !== undefined && !peersRequired ? test.skip : test.serial;
if (missing !== undefined) {
  if (peersRequired)
    test('qemu-system-arm is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`gdb-run e2e skipped: ${missing}`);
}

const TOKEN = /flashwright-ok crc32=([0-9a-f]{8})\r\n/;

function recipe(address: string, options: { device?: string; steps?: string } = {}): string {
  return [
    `probe: { transport: gdb, address: "${address}" }`,
    `target: { family: stm32${options.device === undefined ? '' : `, device: ${options.device}`} }`,
    'image: qemu-usart.hex',
    `steps: ${options.steps ?? '[write, verify, { reset: { run: true } }]'}`,
    '',
  ].join('\n');
}

async function firmwareProject(recipeText: string): Promise<string> {
  return project({
    'flashwright.config.yaml': recipeText,
    'qemu-usart.hex': await readFile(join(fixtureDir, 'qemu-usart.hex')),
  });
}

const firmwareCrc = async (): Promise<string> =>
  crc32(await readFile(join(fixtureDir, 'qemu-usart.bin')))
    .toString(16)
    .padStart(8, '0');

qemuTest('run writes, verifies, resets and runs the firmware; the token arrives', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const cwd = await firmwareProject(recipe(qemu.address, { device: 'STM32F100RB' }));
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}\n${qemu.stderr()}`);
  const events = ndjson(run.stdout);

  // The chip was not identified; the output says the recipe's word was taken.
  const warnings = events.filter((e) => e['type'] === 'warning').map((e) => String(e['message']));
  t.true(
    warnings.some((w) =>
      /could not be identified.*Taking the recipe’s word \(target\.device\) that it is STM32F100RB/.test(
        w,
      ),
    ),
    warnings.join('\n'),
  );
  const device = events.find((e) => e['type'] === 'device');
  t.like(device, { family: 'stm32', facts: { identified: false } });
  t.regex(String(device?.['name']), /STM32F100RB/);
  const infos = events.filter((e) => e['type'] === 'info').map((e) => String(e['message']));
  t.true(
    infos.some((m) => /plain memory writes \(the target takes them\)/.test(m)),
    infos.join('\n'),
  );

  const ends = events.filter((e) => e['type'] === 'step-end');
  t.deepEqual(
    ends.map((e) => [e['id'], e['status']]),
    [
      ['write', 'done'],
      ['verify', 'done'],
      ['reset', 'done'],
    ],
  );
  t.regex(String(ends[1]?.['summary']), /match the image \(readback\)/);
  t.like(events.at(-1), { type: 'summary', exitCode: 0 });

  const match = await qemu.waitForSerial(TOKEN, 10_000);
  t.is(match[1], await firmwareCrc(), 'the firmware saw every byte flashwright wrote');
});

qemuTest('erase: auto first: the touched pages are blanked, then written and run', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const cwd = await firmwareProject(
    recipe(qemu.address, {
      device: 'STM32F100RB',
      steps: '[connect, { erase: auto }, write, verify, { reset: { run: true } }]',
    }),
  );
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}\n${qemu.stderr()}`);
  // Plain output for people: the same warning, then the steps.
  t.regex(run.stderr + run.stdout, /warning: The chip could not be identified/);
  t.regex(run.stdout, /Erase touched sectors/);
  t.regex(run.stdout, /erased \d+ sectors \(\d+ KB\)/);
  const match = await qemu.waitForSerial(TOKEN, 10_000);
  t.is(match[1], await firmwareCrc());
});

qemuTest(
  'without target.device: written as `gdb load` writes, verified, and the firmware runs',
  async (t) => {
    const qemu = await startQemu();
    t.teardown(() => qemu.stop());
    const cwd = await firmwareProject(recipe(qemu.address));
    const run = await runCli(['run', '--json'], { cwd });
    t.is(run.code, 0, `${run.stdout}\n${run.stderr}\n${qemu.stderr()}`);
    const events = ndjson(run.stdout);
    const warnings = events.filter((e) => e['type'] === 'warning').map((e) => String(e['message']));
    t.true(
      warnings.some((w) => /no part is named .*no flash algorithm/.test(w)),
      warnings.join('\n'),
    );
    t.like(
      events.find((e) => e['type'] === 'device'),
      { name: 'unidentified chip', facts: { identified: false } },
    );
    t.deepEqual(
      events.filter((e) => e['type'] === 'step-end').map((e) => [e['id'], e['status']]),
      [
        ['write', 'done'],
        ['verify', 'done'],
        ['reset', 'done'],
      ],
    );
    const match = await qemu.waitForSerial(TOKEN, 10_000);
    t.is(match[1], await firmwareCrc(), 'the firmware saw every byte flashwright wrote');
  },
);

qemuTest('flashwright flash FILE over a GDB server: no recipe, no part named', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const cwd = await project({
    'app.bin': await readFile(join(fixtureDir, 'qemu-usart.bin')),
  });
  const run = await runCli(
    ['flash', 'app.bin', '--base', '0x08000000', '--probe', `gdb:${qemu.address}`],
    { cwd },
  );
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}\n${qemu.stderr()}`);
  t.regex(run.stderr, /warning: The chip could not be identified .* no part is named/);
  t.regex(run.stdout, /\[4\/5\] Verify \(auto\)\n\s+[\d.]+ KB match the image/);
  t.regex(run.stdout, /^ok \(/m);
  const match = await qemu.waitForSerial(TOKEN, 10_000);
  t.is(match[1], await firmwareCrc());
});

qemuTest(
  'info with no part named shows an unidentified chip and says what is unknown',
  async (t) => {
    const qemu = await startQemu();
    t.teardown(() => qemu.stop());
    const run = await runCli(['info', '--probe', `gdb:${qemu.address}`], {
      cwd: await project({}),
    });
    t.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
    t.regex(run.stdout, /Device:\s+unidentified chip \(unknown\)/);
    t.regex(run.stdout, /Flash size:\s+unknown: the chip was not identified and no part is named/);
    t.regex(run.stdout, /Protection:\s+unknown/);
  },
);

qemuTest('a target.device no database knows is refused, not guessed', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const cwd = await firmwareProject(recipe(qemu.address, { device: 'STM32Z999ZZ' }));
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 5, run.stderr);
  t.regex(
    run.stderr,
    /TARGET_UNKNOWN_DEVICE: The chip could not be identified, and no device database knows target\.device STM32Z999ZZ/,
  );
});
