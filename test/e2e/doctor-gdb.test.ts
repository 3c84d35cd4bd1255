/**
 * `flashwright doctor` through a memory-only probe: QEMU's STM32F100 behind its GDB stub,
 * whose ID registers read 0. With target.device the chip is taken on the recipe's word (a
 * warning, as `run` does it); without, a warning that run writes as `gdb load` does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { fixtureDir, peersRequired, qemuMissing, startQemu } from './gdb-qemu-harness.js';
import { project } from './helpers/cli.js';
import { checkOf, doctor, jsonRun } from './doctor-harness.js';

const missing = qemuMissing();
const qemuTest = missing !== undefined && !peersRequired ? test.skip : test.serial;
if (missing !== undefined) {
  if (peersRequired)
    test('qemu-system-arm is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`doctor-gdb e2e skipped: ${missing}`);
}

async function gdbProject(address: string, device?: string): Promise<string> {
  return project({
    'flashwright.config.yaml': [
      `probe: { transport: gdb, address: "${address}" }`,
      `target: { family: stm32${device === undefined ? '' : `, device: ${device}`} }`,
      'image: qemu-usart.hex',
      '',
    ].join('\n'),
    'qemu-usart.hex': await readFile(join(fixtureDir, 'qemu-usart.hex')),
  });
}

qemuTest(
  'with target.device: the chip is taken on the recipe’s word, a warning; exit 0',
  async (t) => {
    const qemu = await startQemu();
    t.teardown(() => qemu.stop());
    const run = await doctor(await gdbProject(qemu.address, 'STM32F100RB'));
    t.is(run.code, 0, `${run.stderr}\n${qemu.stderr()}`);
    const id = checkOf(run, 'device-id');
    t.like(id, { verdict: 'warn', code: 'TARGET_UNKNOWN_DEVICE' });
    t.regex(
      id.message,
      /the recipe names STM32F100RB, so run takes its layout .* on the recipe's word/,
    );
    t.is(checkOf(run, 'swd').verdict, 'ok');
    t.is(checkOf(run, 'read-protection').verdict, 'skipped');
    t.is(checkOf(run, 'image').verdict, 'ok', 'the image is checked against the database layout');
    // No code runs through a memory-only probe: the RAM dry run is skipped and says why.
    t.like(checkOf(run, 'ram-code'), { verdict: 'skipped' });
    t.regex(checkOf(run, 'ram-code').message, /needs the identified chip|runs no code on the chip/);
  },
);

qemuTest(
  'without target.device: a warning that run writes as `gdb load` does, exit 0, and run does',
  async (t) => {
    const qemu = await startQemu();
    t.teardown(() => qemu.stop());
    const cwd = await gdbProject(qemu.address);
    const run = await doctor(cwd);
    t.is(run.code, 0, `${run.stderr}\n${qemu.stderr()}`);
    const id = checkOf(run, 'device-id');
    t.like(id, { verdict: 'warn', code: 'TARGET_UNKNOWN_DEVICE' });
    t.regex(id.message, /no part is named: run writes the image as `gdb load` does/);
    t.regex(id.hint ?? '', /For real flash, name the part in target\.device/);
    t.like(checkOf(run, 'image'), { verdict: 'skipped' });
    // A fresh QEMU for run: the first one has been attached to and detached from already.
    const second = await startQemu();
    t.teardown(() => second.stop());
    const written = await jsonRun(await gdbProject(second.address), ['run']);
    t.is(written.code, 0, JSON.stringify(written.summary));
    t.like(written.summary, { status: 'ok', result: { verified: true } });
  },
);
