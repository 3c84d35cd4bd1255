/**
 * The pipeline over memory-only probes (GDB servers): which route programs the flash (the
 * probe's own driver, plain memory writes, the family's algorithm), and the recipe's
 * target.device standing in for a chip that cannot be identified.
 */
import test from 'ava';
import type { PipelineEvent } from '../src/exports/runner.js';
import { exitCodeOf } from '../src/index.js';
import { BASE, MemoryTarget, PART, memoryRecipe } from './helpers/memory-target.js';
import { counting, runRecipe } from './helpers/pipeline-harness.js';

const fullSteps = '[connect, { erase: auto }, write, verify, { reset: { run: true } }]';

function messages(events: readonly PipelineEvent[], type: 'info' | 'warning'): string[] {
  return events.flatMap((e) => (e.type === type ? [e.message] : []));
}

test('the probe’s own flash driver erases and programs; the family’s algorithm is not used', async (t) => {
  const target = new MemoryTarget({
    identifies: true,
    native: [{ start: BASE, end: BASE + 16 * 1024, blockSize: 1024 }],
  });
  const data = counting(2000);
  const run = await runRecipe(target, memoryRecipe(fullSteps), [[BASE + 100, data]]);
  t.is(run.error, undefined);
  t.deepEqual(target.bytes(BASE + 100, 2000), data);
  t.false(
    target.ops().some((op) => op.startsWith('device-')),
    target.ops().join(' '),
  );
  // One vFlashErase over the touched blocks; writes, then one done (never a done alone).
  const flashOps = target.calls.filter((c) => c.op.startsWith('native-'));
  t.deepEqual(flashOps[0], {
    op: 'native-erase',
    range: { start: BASE, end: BASE + 3 * 1024 },
  });
  t.true(flashOps.slice(1, -1).every((c) => c.op === 'native-write'));
  t.true(flashOps.length > 2);
  t.is(flashOps.at(-1)?.op, 'native-done');
  t.is(flashOps.filter((c) => c.op === 'native-done').length, 1);
  // The bytes of partly covered blocks were read before the erase and written back.
  t.true(target.bytes(BASE, 100).every((b) => b === 0));
  t.deepEqual(run.result?.journal.written, [{ start: BASE, end: BASE + 3 * 1024 }]);
  t.true(messages(run.events, 'info').some((m) => /own flash driver/.test(m)));
});

test('erase follows the probe driver’s blocks where they differ from the device’s sectors', async (t) => {
  // The device has 1 KiB pages; the server erases in 4 KiB blocks.
  const target = new MemoryTarget({
    identifies: true,
    native: [{ start: BASE, end: BASE + 16 * 1024, blockSize: 4096 }],
    initial: 0x5a,
  });
  const run = await runRecipe(target, memoryRecipe(fullSteps), [[BASE + 4096 + 10, counting(8)]]);
  t.is(run.error, undefined);
  const erases = target.calls.filter((c) => c.op === 'native-erase');
  t.deepEqual(erases, [{ op: 'native-erase', range: { start: BASE + 4096, end: BASE + 8192 } }]);
  // The rest of the 4 KiB block kept its bytes (preserved), not just the rest of the page.
  t.true(target.bytes(BASE + 4096, 10).every((b) => b === 0x5a));
  t.true(target.bytes(BASE + 4096 + 18, 4096 - 18).every((b) => b === 0x5a));
  t.true(
    target.bytes(BASE, 4096).every((b) => b === 0x5a),
    'the block before is untouched',
  );
});

test('server regions with several block sizes (as OpenOCD reports F4 sectors) are followed', async (t) => {
  const target = new MemoryTarget({
    identifies: true,
    native: [
      { start: BASE, end: BASE + 8192, blockSize: 2048 },
      { start: BASE + 8192, end: BASE + 16 * 1024, blockSize: 8192 },
    ],
  });
  const run = await runRecipe(target, memoryRecipe('[connect, { erase: auto }, write, verify]'), [
    [BASE + 6000, counting(3000)],
  ]);
  t.is(run.error, undefined);
  t.deepEqual(
    target.calls.filter((c) => c.op === 'native-erase'),
    [
      { op: 'native-erase', range: { start: BASE + 4096, end: BASE + 8192 } },
      { op: 'native-erase', range: { start: BASE + 8192, end: BASE + 16384 } },
    ],
  );
  t.deepEqual(target.bytes(BASE + 6000, 3000), counting(3000));
});

test('a driver that covers only part of the flash leaves the family’s algorithm in charge', async (t) => {
  const target = new MemoryTarget({
    identifies: true,
    native: [{ start: BASE, end: BASE + 8192, blockSize: 1024 }],
  });
  const run = await runRecipe(target, memoryRecipe(fullSteps), [[BASE, counting(64)]]);
  t.is(run.error, undefined);
  t.false(target.ops().some((op) => op.startsWith('native-')));
  t.true(target.ops().includes('device-erase'));
  t.true(target.ops().includes('device-program'));
});

test('mass erase through the driver erases every block of the flash', async (t) => {
  const target = new MemoryTarget({
    identifies: true,
    native: [{ start: BASE, end: BASE + 16 * 1024, blockSize: 1024 }],
    initial: 0x11,
  });
  const run = await runRecipe(
    target,
    memoryRecipe('[connect, { erase: { mode: mass, confirm: mass-erase } }, write, verify]'),
    [[BASE, counting(16)]],
  );
  t.is(run.error, undefined, run.error?.message);
  t.deepEqual(
    target.calls.filter((c) => c.op === 'native-erase'),
    [{ op: 'native-erase', range: { start: BASE, end: BASE + 16 * 1024 } }],
  );
  t.false(target.ops().includes('device-erase'));
  t.true(target.bytes(BASE + 16, 16 * 1024 - 16).every((b) => b === 0xff));
});

test('memory the probe’s map calls RAM takes plain writes, erased-looking units included', async (t) => {
  const target = new MemoryTarget({
    identifies: true,
    memoryMap: [{ kind: 'ram', start: BASE, end: BASE + 16 * 1024 }],
  });
  // 0xFF units would be skipped on erased flash; here nothing was erased, so they are written.
  const data = new Uint8Array(64).fill(0xff);
  data.set([1, 2, 3, 4], 0);
  const run = await runRecipe(target, memoryRecipe('[connect, write, verify]'), [[BASE, data]]);
  t.is(run.error, undefined, run.error?.message);
  t.deepEqual(target.bytes(BASE, 64), data);
  t.false(target.ops().some((op) => op.startsWith('device-')));
  t.deepEqual(
    target.calls.filter((c) => c.op === 'mem-write'),
    // RAM takes a byte written twice: the probe may repeat it after the target was busy.
    [{ op: 'mem-write', address: BASE, length: 64, idempotent: true }],
  );
  t.true(messages(run.events, 'info').some((m) => /memory map says RAM/.test(m)));
});

test('an identified chip behind a server without map or driver: the family’s algorithm, no trial writes', async (t) => {
  const target = new MemoryTarget({ identifies: true });
  const run = await runRecipe(target, memoryRecipe(fullSteps), [[BASE, counting(64)]]);
  t.is(run.error, undefined);
  t.true(target.ops().includes('device-program'));
  // Stray plain writes could set sticky error flags in a real flash controller.
  t.false(target.ops().includes('mem-write'));
});

test('an unidentified chip is taken from target.device, said plainly, and written with plain writes', async (t) => {
  const target = new MemoryTarget({ identifies: false, plainWrites: 'plain' });
  const data = counting(3000, 7);
  const run = await runRecipe(target, memoryRecipe('[write, verify, { reset: { run: true } }]'), [
    [BASE, data],
  ]);
  t.is(run.error, undefined, run.error?.message);
  t.deepEqual(target.bytes(BASE, 3000), data);
  t.true(
    messages(run.events, 'warning').some((w) =>
      /could not be identified.*Taking the recipe’s word \(target\.device\) that it is MEMCHIP-16K: MEMCHIP-16K \(database\) from the memfam device database/.test(
        w,
      ),
    ),
  );
  const device = run.events.find((e) => e.type === 'device');
  t.like(device, { family: 'memfam', name: `${PART} (database)`, facts: { identified: false } });
  t.true(
    messages(run.events, 'info').some((m) =>
      /plain memory writes \(the target takes them\)/.test(m),
    ),
  );
  // The trial write put the four bytes back before the real write. The trial may hit flash,
  // so it is not marked idempotent; the image writes, on memory that takes plain writes, are.
  const writes = target.calls.filter((c) => c.op === 'mem-write');
  t.deepEqual(writes.slice(0, 2), [
    { op: 'mem-write', address: BASE, length: 4 },
    { op: 'mem-write', address: BASE, length: 4 },
  ]);
  t.deepEqual(writes.slice(2), [
    { op: 'mem-write', address: BASE, length: 3000, idempotent: true },
  ]);
  t.true(target.ops().includes('reset'));
});

test('a trial write that does not stick leaves the flash as it was and fails with exit 7', async (t) => {
  for (const plainWrites of ['ignore', 'fault'] as const) {
    const target = new MemoryTarget({ identifies: false, plainWrites, initial: 0x42 });
    const run = await runRecipe(target, memoryRecipe('[connect, write, verify]'), [
      [BASE, counting(16)],
    ]);
    t.is(run.error?.code, 'FLASH_PROGRAM_FAILED', plainWrites);
    t.is(exitCodeOf(run.error), 7);
    t.regex(
      run.error?.message ?? '',
      /No way to program main of MEMCHIP-16K \(database\): the chip was not identified/,
    );
    t.regex(run.error?.hint ?? '', /flash driver/);
    t.true(
      target.bytes(BASE, 16).every((b) => b === 0x42),
      plainWrites,
    );
    t.is(run.result, undefined);
    t.is(run.error?.details?.['journal'], undefined, 'nothing was touched');
  }
});

test('without target.device an unidentified chip is written as `gdb load` does: plain writes, no trial, verified', async (t) => {
  const target = new MemoryTarget({ identifies: false, plainWrites: 'plain', initial: 0x42 });
  const data = counting(3000, 9);
  const run = await runRecipe(target, memoryRecipe(fullSteps, null), [[BASE + 8, data]]);
  t.is(run.error, undefined, run.error?.message);
  t.deepEqual(target.bytes(BASE + 8, 3000), data);
  t.true(
    target.bytes(BASE, 8).every((b) => b === 0x42),
    'nothing outside the image is touched',
  );
  t.true(
    messages(run.events, 'warning').some((w) =>
      /could not be identified .* and no part is named .*no flash algorithm/.test(w),
    ),
    messages(run.events, 'warning').join('\n'),
  );
  t.like(
    run.events.find((e) => e.type === 'device'),
    { name: 'unidentified chip', facts: { identified: false } },
  );
  t.true(
    messages(run.events, 'info').some((m) => /plain memory writes, as `gdb load` does/.test(m)),
  );
  // No trial write: every plain write is the erase's fill or the image's (as gdb load).
  const writes = target.calls.filter((c) => c.op === 'mem-write');
  t.true(
    writes.every((c) => c.op === 'mem-write' && c.idempotent === true),
    JSON.stringify(writes),
  );
  t.true(writes.some((c) => c.op === 'mem-write' && c.address === BASE + 8 && c.length === 3000));
  t.false(target.ops().some((op) => op.startsWith('device-') || op.startsWith('native-')));
  t.like(
    run.result?.steps.find((s) => s.id === 'verify'),
    { status: 'done' },
  );
  t.true(target.ops().includes('reset'));
});

test('without target.device, plain writes real flash ignores fail verify, which says to name the part', async (t) => {
  const target = new MemoryTarget({ identifies: false, plainWrites: 'ignore' });
  const run = await runRecipe(target, memoryRecipe('[connect, write, verify]', null), [
    [BASE, counting(16)],
  ]);
  t.is(run.error?.code, 'VERIFY_MISMATCH');
  t.is(exitCodeOf(run.error), 8);
  t.regex(run.error?.hint ?? '', /no part is named.*Name the part: --chip PART .*target\.device/);
});

test('without target.device the server’s flash driver programs what its map calls flash', async (t) => {
  const target = new MemoryTarget({
    identifies: false,
    native: [{ start: BASE, end: BASE + 16 * 1024, blockSize: 1024 }],
  });
  const data = counting(1500);
  const run = await runRecipe(target, memoryRecipe(fullSteps, null), [[BASE + 1024, data]]);
  t.is(run.error, undefined, run.error?.message);
  t.deepEqual(target.bytes(BASE + 1024, 1500), data);
  t.deepEqual(
    target.calls.filter((c) => c.op === 'native-erase'),
    [{ op: 'native-erase', range: { start: BASE + 1024, end: BASE + 3072 } }],
  );
  t.false(target.ops().includes('mem-write'));
});

test('without target.device a mass erase is refused: the size of the flash is unknown', async (t) => {
  const target = new MemoryTarget({ identifies: false, initial: 0x42 });
  const run = await runRecipe(
    target,
    memoryRecipe('[connect, { erase: { mode: mass, confirm: mass-erase } }, write, verify]', null),
    [[BASE, counting(16)]],
  );
  t.is(run.error?.code, 'TARGET_UNKNOWN_DEVICE');
  t.regex(run.error?.message ?? '', /Cannot mass-erase .*no part is named/);
  t.false(target.ops().includes('mem-write'));
  t.is(run.error?.details?.['journal'], undefined, 'nothing was touched');
});

test('a target.device the database does not know is refused, not guessed', async (t) => {
  const target = new MemoryTarget({ identifies: false });
  const run = await runRecipe(target, memoryRecipe('[connect, write]', 'MEMCHIP-99K'), [
    [BASE, counting(16)],
  ]);
  t.is(run.error?.code, 'TARGET_UNKNOWN_DEVICE');
  t.regex(run.error?.message ?? '', /no device database knows target\.device MEMCHIP-99K/);
  t.is(run.error?.source?.keyPath, 'target.device');
});

test('only memory-only probes fall back to the recipe: a probe with AP access needs the chip’s ids', async (t) => {
  const target = new MemoryTarget({ identifies: false, access: 'ap' });
  const run = await runRecipe(target, memoryRecipe('[connect, write]'), [[BASE, counting(16)]]);
  t.is(run.error?.code, 'TARGET_UNKNOWN_DEVICE');
  t.notRegex(run.error?.hint ?? '', /target\.device/);
});

test('an unidentified chip: unprotect says protection is unknown, option bytes are refused', async (t) => {
  const target = new MemoryTarget({ identifies: false });
  const unprotect = await runRecipe(
    target,
    memoryRecipe('[connect, { unprotect: { confirm: mass-erase } }]'),
    [[BASE, counting(16)]],
  );
  t.is(unprotect.error, undefined);
  const end = unprotect.events.find((e) => e.type === 'step-end' && e.id === 'unprotect');
  t.like(end, { status: 'skipped' });
  t.regex(end?.type === 'step-end' ? end.summary : '', /protection unknown/);

  const options = await runRecipe(
    target,
    memoryRecipe('[connect, { option-bytes: { BOR_LEV: 1, confirm: write-option-bytes } }]'),
    [[BASE, counting(16)]],
  );
  t.is(options.error?.code, 'TARGET_UNKNOWN_DEVICE');
  t.regex(options.error?.message ?? '', /Cannot write option bytes: the chip was not identified/);
});

test('erase on plain-write memory writes the erased value, as an erase leaves it', async (t) => {
  const target = new MemoryTarget({ identifies: false, initial: 0x00 });
  const run = await runRecipe(target, memoryRecipe('[connect, { erase: auto }]'), [
    [BASE + 1024 + 4, counting(4)],
  ]);
  t.is(run.error, undefined, run.error?.message);
  t.true(target.bytes(BASE + 1024, 1024).every((b) => b === 0xff));
  t.true(
    target.bytes(BASE, 1024).every((b) => b === 0x00),
    'other pages untouched',
  );
  t.deepEqual(run.result?.journal.erased, [{ start: BASE + 1024, end: BASE + 2048 }]);
});
