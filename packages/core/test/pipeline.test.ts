import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { FlashJournalReport } from '../src/exports/runner.js';
import { exitCodeOf } from '../src/index.js';
import { FakeChip, rawFormat } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';

const BASE = 0x08000000;
const fullSteps = `${fakePreamble}steps: [connect, { erase: auto }, write, verify, { reset: { run: true } }]\n`;

test('a full run erases only the touched sectors, writes, verifies and resets', async (t) => {
  const chip = new FakeChip();
  const data = counting(1500);
  const run = await runRecipe(chip, fullSteps, [[BASE, data]]);
  t.is(run.error, undefined);
  t.deepEqual(chip.bytes(BASE, 1500), data);
  const erase = chip.calls.find((c) => c.op === 'erase');
  t.deepEqual(erase, {
    op: 'erase',
    target: [
      { start: BASE, end: BASE + 1024 },
      { start: BASE + 1024, end: BASE + 2048 },
    ],
  });
  t.deepEqual(chip.ops().at(-2), 'reset');
  t.deepEqual(chip.ops().at(-1), 'close');
  const ends = run.events.filter((e) => e.type === 'step-end');
  t.deepEqual(
    ends.map((e) => [e.id, e.status]),
    [
      ['connect', 'done'],
      ['erase', 'done'],
      ['write', 'done'],
      ['verify', 'done'],
      ['reset', 'done'],
    ],
  );
  t.deepEqual(run.result?.journal.written, [{ start: BASE, end: BASE + 1500 }]);
  // The rest of the second sector was erased and left blank (nothing to preserve).
  t.deepEqual(run.result?.journal.erased, [{ start: BASE + 1500, end: BASE + 2048 }]);
});

test('partly covered sectors keep their other bytes (read before erase, written back)', async (t) => {
  const chip = new FakeChip();
  const old = counting(2048, 0x40);
  chip.fill(BASE, old);
  const run = await runRecipe(chip, fullSteps, [[BASE + 100, Uint8Array.of(1, 2, 3, 4)]]);
  t.is(run.error, undefined);
  const after = chip.bytes(BASE, 1024);
  t.deepEqual(after.subarray(100, 104), Uint8Array.of(1, 2, 3, 4));
  t.deepEqual(after.subarray(0, 100), old.subarray(0, 100));
  t.deepEqual(after.subarray(104), old.subarray(104, 1024));
  // The next sector was not touched at all.
  t.deepEqual(chip.bytes(BASE + 1024, 1024), old.subarray(1024));
  // The touched sector is read whole, once: to compare it with the image and to keep the rest.
  const reads = chip.calls.filter((c) => c.op === 'read');
  t.deepEqual(reads[0], { op: 'read', address: BASE, length: 1024 });
  t.deepEqual(reads.slice(1), [{ op: 'read', address: BASE, length: 1024 }], 'then verify');
});

test('with --force the sector is not compared: only the bytes to keep are read', async (t) => {
  const chip = new FakeChip();
  chip.fill(BASE, counting(2048, 0x40));
  const run = await runRecipe(chip, fullSteps, [[BASE + 100, Uint8Array.of(1, 2, 3, 4)]], {
    force: true,
  });
  t.is(run.error, undefined);
  const reads = chip.calls.filter((c) => c.op === 'read').slice(0, 2);
  t.deepEqual(reads, [
    { op: 'read', address: BASE, length: 100 },
    { op: 'read', address: BASE + 104, length: 920 },
  ]);
});

test('incremental: a second run of the same image erases and writes nothing, and says so', async (t) => {
  const chip = new FakeChip();
  const data = counting(3000);
  t.is((await runRecipe(chip, fullSteps, [[BASE, data]])).error, undefined);
  chip.calls.length = 0;
  const again = await runRecipe(chip, fullSteps, [[BASE, data]]);
  t.is(again.error, undefined);
  t.false(chip.ops().includes('erase'));
  t.false(chip.ops().includes('program'));
  const ends = again.events.filter((e) => e.type === 'step-end');
  const erase = ends.find((e) => e.id === 'erase');
  // The fake chip estimates no CRC cost, so `auto` reads the sectors back.
  t.deepEqual(erase?.counts, {
    erasedSectors: 0,
    unchangedSectors: 3,
    comparedBytes: 3072,
    readBytes: 3072,
    crcBytes: 0,
  });
  t.regex(erase?.summary ?? '', /erased nothing, 3 sectors \(3 KB\) already hold the image/);
  t.regex(ends.find((e) => e.id === 'write')?.summary ?? '', /nothing to write/);
  const verify = ends.find((e) => e.id === 'verify');
  t.regex(verify?.summary ?? '', /^2\.93 KB match the image: compared in 3 sectors before writing/);
  t.is(verify?.counts?.verifiedBytes, 3000);

  // One byte changed: only its sector is erased and programmed; verify still covers all.
  chip.calls.length = 0;
  const changed = Uint8Array.from(data);
  changed[1500] = (changed[1500] ?? 0) ^ 0xff;
  const third = await runRecipe(chip, fullSteps, [[BASE, changed]]);
  t.is(third.error, undefined);
  t.deepEqual(
    chip.calls.filter((c) => c.op === 'erase'),
    [{ op: 'erase', target: [{ start: BASE + 1024, end: BASE + 2048 }] }],
  );
  t.deepEqual(chip.bytes(BASE, 3000), changed);
  const verified = third.events.find((e) => e.type === 'step-end' && e.id === 'verify');
  t.is(verified?.type === 'step-end' ? verified.counts?.verifiedBytes : undefined, 3000);
});

test('write units that equal the erased value are not programmed', async (t) => {
  const chip = new FakeChip();
  const data = new Uint8Array(1024).fill(0xff);
  data.set([1, 2, 3, 4], 0);
  data.set([5, 6, 7, 8], 1020);
  const run = await runRecipe(chip, fullSteps, [[BASE, data]]);
  t.is(run.error, undefined);
  const programmed = chip.calls.flatMap((c) => (c.op === 'program' ? c.ranges : []));
  t.deepEqual(programmed, [
    { start: BASE, end: BASE + 4 },
    { start: BASE + 1020, end: BASE + 1024 },
  ]);
});

test('unaligned image data is padded to whole write units', async (t) => {
  const chip = new FakeChip({ writeUnitBytes: 8 });
  const run = await runRecipe(chip, fullSteps, [[BASE + 3, Uint8Array.of(9, 9)]]);
  t.is(run.error, undefined);
  const programmed = chip.calls.flatMap((c) => (c.op === 'program' ? c.ranges : []));
  t.deepEqual(programmed, [{ start: BASE, end: BASE + 8 }]);
  t.deepEqual(chip.bytes(BASE, 6), Uint8Array.of(0xff, 0xff, 0xff, 9, 9, 0xff));
});

test('the device gets the planner’s runs: short erased gaps written through at the probe’s transfer cost, long ones skipped, every run whole units', async (t) => {
  // 2 ms to start a transfer, 80 us per 8-byte unit: erased gaps under 200 bytes cost less
  // to program than to skip.
  const chip = new FakeChip({ writeUnitBytes: 8, programUsPerUnit: 80, transferStartUs: 2000 });
  const data = new Uint8Array(2048).fill(0xff);
  data.set(counting(16), 0);
  data.set(counting(16), 64); // a 48-byte gap: written through
  data.set(counting(16), 1500); // a 1420-byte gap: skipped
  const odd = Uint8Array.of(7, 7); // at BASE + 3003: padded to its unit
  const run = await runRecipe(chip, fullSteps, [
    [BASE, data],
    [BASE + 3003, odd],
  ]);
  t.is(run.error, undefined);
  const programmed = chip.calls.flatMap((c) => (c.op === 'program' ? c.ranges : []));
  t.deepEqual(programmed, [
    { start: BASE, end: BASE + 80 },
    { start: BASE + 1496, end: BASE + 1520 },
    { start: BASE + 3000, end: BASE + 3008 },
  ]);
  t.deepEqual(chip.bytes(BASE, 80), data.subarray(0, 80));
  t.deepEqual(chip.bytes(BASE + 3000, 8), Uint8Array.of(0xff, 0xff, 0xff, 7, 7, 0xff, 0xff, 0xff));
});

test('a read-protected chip without an unprotect step is refused with exit 6 and a hint', async (t) => {
  const chip = new FakeChip({ readLevel: 1 });
  const run = await runRecipe(chip, fullSteps, [[BASE, counting(16)]]);
  t.is(run.error?.code, 'TARGET_PROTECTED');
  t.is(exitCodeOf(run.error), 6);
  t.regex(run.error?.hint ?? '', /unprotect: \{ confirm: mass-erase \}/);
  t.false(chip.ops().includes('erase'));
  t.true(chip.ops().includes('close'), 'the probe is closed after a failure');
});

test('unprotect without confirmation is refused only when the chip is protected', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, unprotect, { erase: auto }, write, verify]\n`;
  const open = new FakeChip();
  t.is((await runRecipe(open, recipe, [[BASE, counting(16)]])).error, undefined);
  t.false(open.ops().includes('unprotect'));

  const locked = new FakeChip({ readLevel: 1 });
  const refused = await runRecipe(locked, recipe, [[BASE, counting(16)]]);
  t.is(refused.error?.code, 'CONFIRMATION_REQUIRED');
  t.is(exitCodeOf(refused.error), 6);
  t.is(refused.error?.source?.keyPath, 'steps[1]');
  t.false(locked.ops().includes('unprotect'));
});

test('confirmed unprotect regresses RDP 1, then the image is written without a second erase', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { unprotect: { confirm: mass-erase } }, { erase: auto }, write, verify]\n`;
  const chip = new FakeChip({ readLevel: 1 });
  chip.fill(BASE, counting(64));
  const run = await runRecipe(chip, recipe, [[BASE, counting(16, 7)]]);
  t.is(run.error, undefined);
  t.deepEqual(
    chip.ops().filter((o) => o === 'unprotect' || o === 'erase'),
    ['unprotect'],
  );
  t.deepEqual(chip.bytes(BASE, 16), counting(16, 7));
  t.is(chip.bytes(BASE + 16, 1)[0], 0xff, 'regression erased the old contents');
});

test('--yes confirms unprotect', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, unprotect, write, verify]\n`;
  const chip = new FakeChip({ readLevel: 1 });
  const run = await runRecipe(chip, recipe, [[BASE, counting(8)]], { yes: true });
  t.is(run.error, undefined);
  t.true(chip.ops().includes('unprotect'));
});

test('RDP level 2 is reported as permanent', async (t) => {
  const chip = new FakeChip({ readLevel: 2 });
  const run = await runRecipe(chip, fullSteps, [[BASE, counting(8)]]);
  t.is(run.error?.code, 'TARGET_RDP2');
  t.is(exitCodeOf(run.error), 6);
});

test('a different chip than target.device is an error naming both', async (t) => {
  const chip = new FakeChip({ name: 'FAKE-16K' });
  const recipe = `${fakePreamble.replace('target: { family: fakefam }', 'target: { family: fakefam, device: OTHER-32K }')}steps: [connect]\n`;
  const run = await runRecipe(chip, recipe, [[BASE, counting(8)]]);
  t.is(run.error?.code, 'TARGET_DEVICE_MISMATCH');
  t.is(exitCodeOf(run.error), 5);
  t.regex(run.error?.message ?? '', /OTHER-32K.*FAKE-16K/);
});

test('mass erase needs confirmation; with it the whole flash is erased', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { erase: mass }, write, verify]\n`;
  const refused = await runRecipe(new FakeChip(), recipe, [[BASE, counting(8)]]);
  t.is(refused.error?.code, 'CONFIRMATION_REQUIRED');

  const chip = new FakeChip();
  chip.fill(BASE + 4096, counting(8));
  const confirmed = `${fakePreamble}steps: [connect, { erase: { mode: mass, confirm: mass-erase } }, write, verify]\n`;
  const run = await runRecipe(chip, confirmed, [[BASE, counting(8)]]);
  t.is(run.error, undefined);
  t.deepEqual(
    chip.calls.find((c) => c.op === 'erase'),
    { op: 'erase', target: 'mass' },
  );
  t.is(chip.bytes(BASE + 4096, 1)[0], 0xff);
});

test('a failure mid-write reports erased, written and unknown ranges', async (t) => {
  // 40 KB over two 32 KB programming chunks; the second chunk fails.
  const chip = new FakeChip({ sectors: 64, failProgramAt: BASE + 36 * 1024 });
  const run = await runRecipe(chip, fullSteps, [[BASE, counting(40 * 1024)]]);
  t.is(run.error?.code, 'FLASH_PROGRAM_FAILED');
  t.is(exitCodeOf(run.error), 7);
  const journal = run.error?.details?.journal as FlashJournalReport;
  t.deepEqual(journal.written, [{ start: BASE, end: BASE + 32 * 1024 }]);
  t.deepEqual(journal.unknown, [{ start: BASE + 32 * 1024, end: BASE + 40 * 1024 }]);
  t.deepEqual(journal.erased, []);
  t.false(chip.ops().includes('reset'), 'no later step runs');
});

test('Ctrl-C stops at the next safe point and reports what the flash holds', async (t) => {
  const controller = new AbortController();
  const chip = new FakeChip({
    sectors: 64,
    onProgram: (call) => {
      if (call === 0) controller.abort();
    },
  });
  const run = await runRecipe(chip, fullSteps, [[BASE, counting(40 * 1024)]], { controller });
  t.is(run.error?.code, 'INTERRUPTED');
  t.is(exitCodeOf(run.error), 130);
  // The chunk in flight when Ctrl-C came finished; nothing after it started.
  t.is(chip.calls.filter((c) => c.op === 'program').length, 1);
  const journal = run.error?.details?.journal as FlashJournalReport;
  t.deepEqual(journal.written, [{ start: BASE, end: BASE + 32 * 1024 }]);
  t.deepEqual(journal.erased, [{ start: BASE + 32 * 1024, end: BASE + 40 * 1024 }]);
  t.deepEqual(journal.unknown, []);
});

test('a verify mismatch names the first differing byte and exits 8', async (t) => {
  const chip = new FakeChip({ corruptAt: BASE + 5 });
  const run = await runRecipe(chip, fullSteps, [[BASE, counting(16)]]);
  t.is(run.error?.code, 'VERIFY_MISMATCH');
  t.is(exitCodeOf(run.error), 8);
  t.regex(run.error?.message ?? '', /first at 0x08000005 \(expected 0x06, read 0x07\)/);
  t.false(
    run.events.some((e) => e.type === 'step-end' && e.id === 'verify' && e.status === 'done'),
  );
});

test('verify: crc uses the on-chip CRC, and falls back to readback with a warning', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { erase: auto }, write, { verify: crc }]\n`;
  const withCrc = new FakeChip({ checksum: true });
  t.is((await runRecipe(withCrc, recipe, [[BASE, counting(64)]])).error, undefined);
  t.true(withCrc.ops().includes('checksum'));

  const corrupt = new FakeChip({ checksum: true, corruptAt: BASE + 1 });
  const mismatch = await runRecipe(corrupt, recipe, [[BASE, counting(64)]]);
  t.is(mismatch.error?.code, 'VERIFY_MISMATCH');
  t.is(exitCodeOf(mismatch.error), 8);
  // The block whose CRC differs is read back: the error names the byte, as readback does.
  t.regex(mismatch.error?.message ?? '', /first at 0x08000001 \(expected 0x02, read 0x03\)/);

  // A device whose CRC cannot run here (it says why) is verified by readback.
  const unavailable = new FakeChip({ checksum: 'unavailable' });
  const fallback = await runRecipe(unavailable, recipe, [[BASE, counting(64)]]);
  t.is(fallback.error, undefined);
  t.true(unavailable.ops().includes('checksum'));
  t.true(unavailable.ops().includes('read'));
  const badFallback = await runRecipe(
    new FakeChip({ checksum: 'unavailable', corruptAt: BASE + 1 }),
    recipe,
    [[BASE, counting(64)]],
  );
  t.is(badFallback.error?.code, 'VERIFY_MISMATCH');

  const without = new FakeChip();
  const run = await runRecipe(without, recipe, [[BASE, counting(64)]]);
  t.is(run.error, undefined);
  t.true(run.events.some((e) => e.type === 'warning' && /no on-chip CRC/.test(e.message)));
});

test('a recipe that writes without verify gets a warning', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { erase: auto }, write]\n`;
  const run = await runRecipe(new FakeChip(), recipe, [[BASE, counting(8)]]);
  t.is(run.error, undefined);
  t.true(
    run.events.some(
      (e) => e.type === 'warning' && /without verifying \(steps\[2\]\)/.test(e.message),
    ),
  );
});

test('image data outside the flash is an input error before anything is erased', async (t) => {
  const chip = new FakeChip();
  const run = await runRecipe(chip, fullSteps, [[BASE + 16 * 1024 - 2, counting(8)]]);
  t.is(run.error?.code, 'IMAGE_OUTSIDE_FLASH');
  t.is(exitCodeOf(run.error), 3);
  t.false(chip.ops().includes('erase'));
});

test('option bytes: refused without confirmation, written with it, skipped when already set', async (t) => {
  const unconfirmed = `${fakePreamble}steps: [connect, { option-bytes: { BOR_LEV: 2 } }]\n`;
  const chip = new FakeChip();
  t.is(
    (await runRecipe(chip, unconfirmed, [[BASE, counting(4)]])).error?.code,
    'CONFIRMATION_REQUIRED',
  );
  t.false(chip.ops().includes('writeOptionBytes'));

  const confirmed = `${fakePreamble}steps: [connect, { option-bytes: { BOR_LEV: 2, confirm: write-option-bytes } }]\n`;
  t.is((await runRecipe(chip, confirmed, [[BASE, counting(4)]])).error, undefined);
  t.deepEqual(
    chip.calls.find((c) => c.op === 'writeOptionBytes'),
    { op: 'writeOptionBytes', values: { BOR_LEV: 2 } },
  );

  chip.calls.length = 0;
  const again = await runRecipe(chip, unconfirmed, [[BASE, counting(4)]]);
  t.is(again.error, undefined, 'nothing to change needs no confirmation');
  t.false(chip.ops().includes('writeOptionBytes'));
});

test('option bytes: an unknown field gets a did-you-mean, a bad value the allowed range', async (t) => {
  const typo = `${fakePreamble}steps: [connect, { option-bytes: { BOR_LVL: 1, confirm: write-option-bytes } }]\n`;
  const run = await runRecipe(new FakeChip(), typo, [[BASE, counting(4)]]);
  t.is(run.error?.code, 'RECIPE_INVALID');
  t.regex(run.error?.message ?? '', /Did you mean "BOR_LEV"/);

  const range = `${fakePreamble}steps: [connect, { option-bytes: { BOR_LEV: 9, confirm: write-option-bytes } }]\n`;
  const bad = await runRecipe(new FakeChip(), range, [[BASE, counting(4)]]);
  t.is(bad.error?.code, 'RECIPE_INVALID');
  t.regex(bad.error?.message ?? '', /0\.\.4/);
});

test('RDP level 2 needs its own phrase: neither --yes nor write-option-bytes will do', async (t) => {
  const plain = `${fakePreamble}steps: [connect, { option-bytes: { RDP: 2, confirm: write-option-bytes } }]\n`;
  const chip = new FakeChip();
  const refused = await runRecipe(chip, plain, [[BASE, counting(4)]], { yes: true });
  t.is(refused.error?.code, 'CONFIRMATION_REQUIRED');
  t.regex(refused.error?.hint ?? '', /permanently-disable-debug.*--yes does not cover this/);
  t.false(chip.ops().includes('writeOptionBytes'));

  const phrase = `${fakePreamble}steps: [connect, { option-bytes: { RDP: 2, confirm: permanently-disable-debug } }]\n`;
  t.is((await runRecipe(chip, phrase, [[BASE, counting(4)]])).error, undefined);
  t.deepEqual(
    chip.calls.find((c) => c.op === 'writeOptionBytes'),
    { op: 'writeOptionBytes', values: { RDP: 0xcc } },
  );
});

test('dry-run plans sectors from the device database without opening the probe', async (t) => {
  const chip = new FakeChip();
  const recipe = fullSteps.replace(
    'target: { family: fakefam }',
    'target: { family: fakefam, device: FAKE-16K }',
  );
  const run = await runRecipe(chip, recipe, [[BASE + 1000, counting(100)]], { dryRun: true });
  t.is(run.error, undefined);
  t.deepEqual(chip.calls, [], 'no device call at all');
  const plan = run.events.find((e) => e.type === 'plan');
  t.is(plan?.type === 'plan' && plan.layout, 'database');
  const erase = plan?.type === 'plan' ? plan.steps.find((s) => s.id === 'erase') : undefined;
  t.deepEqual(erase?.lines, [
    'erase 2 sectors (2 KB): 0x08000000..0x080007FF',
    'first compare them with the image by CRC-32 on the chip or by reading them back, whichever is estimated faster for this probe and chip: sectors that already hold the image are neither erased nor written (--force rewrites them)',
    'keep 1.9 KB of existing data in partly covered sectors (read before erase, written back): 0x08000000..0x080003E7, 0x0800044C..0x080007FF',
  ]);
});

test('dry-run without target.device plans by image ranges and says so', async (t) => {
  const run = await runRecipe(new FakeChip(), fullSteps, [[BASE, counting(100)]], { dryRun: true });
  t.is(run.error, undefined);
  const plan = run.events.find((e) => e.type === 'plan');
  t.is(plan?.type === 'plan' && plan.layout, 'none');
  t.true(plan?.type === 'plan' && plan.notes.some((n) => /image ranges only/.test(n)));
});

test('dry-run refuses what the real run would refuse', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { erase: mass }, write, verify]\n`;
  const chip = new FakeChip();
  const run = await runRecipe(chip, recipe, [[BASE, counting(8)]], { dryRun: true });
  t.is(run.error?.code, 'CONFIRMATION_REQUIRED');
  t.deepEqual(chip.calls, []);
  t.true(
    run.events.some((e) => e.type === 'plan'),
    'the plan is still shown',
  );
});

test('an unknown plugin step is a recipe error with a did-you-mean', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, fake/recover]\n`;
  const run = await runRecipe(new FakeChip(), recipe, [[BASE, counting(8)]]);
  t.is(run.error?.code, 'RECIPE_INVALID');
  t.regex(
    run.error?.message ?? '',
    /steps\[1\]: no loaded plugin provides the step "fake\/recover"/,
  );
});

test('read writes memory to a file through the format plugin its extension names', async (t) => {
  const chip = new FakeChip();
  chip.fill(BASE, counting(32));
  const recipe = `${fakePreamble}steps: [connect, { read: { address: 0x08000000, length: 32, file: out.raw } }]\n`;
  const run = await runRecipe(chip, recipe, [[BASE, counting(8)]]);
  t.is(run.error, undefined);
  const file = run.events.find((e) => e.type === 'step-end' && e.id === 'read');
  const written = /^32 B \(0x08000000\.\.0x0800001F\) written to (.*out\.raw)$/.exec(
    file?.type === 'step-end' ? file.summary : '',
  );
  t.truthy(written);
  // The "raw" test format's serialize wrote it: address and length headers, then the data.
  const image = rawFormat.parse(new Uint8Array(await readFile(written![1]!)));
  t.deepEqual([...image.blocks], [[BASE, counting(32)]]);
});

test('read into .bin without the bin format plugin says how to install it', async (t) => {
  const chip = new FakeChip();
  const recipe = `${fakePreamble}steps: [connect, { read: { address: 0x08000000, length: 32, file: out.bin } }]\n`;
  const run = await runRecipe(chip, recipe, [[BASE, counting(8)]]);
  t.is(run.error?.code, 'PLUGIN_NOT_INSTALLED');
  t.regex(run.error?.hint ?? '', /@flashwright\/format-bin/);
});

test('an erase-only recipe erases whole touched sectors and does not pretend to keep data', async (t) => {
  const chip = new FakeChip();
  chip.fill(BASE, counting(2048, 0x40));
  const recipe = `${fakePreamble}steps: [connect, { erase: auto }]\n`;
  const run = await runRecipe(chip, recipe, [[BASE + 100, counting(4)]]);
  t.is(run.error, undefined);
  t.false(chip.ops().includes('read'), 'nothing is read back when no write follows');
  t.true(chip.bytes(BASE, 1024).every((b) => b === 0xff));
  const end = run.events.find((e) => e.type === 'step-end' && e.id === 'erase');
  t.is(end?.type === 'step-end' ? end.summary : '', 'erased 1 sector (1 KB)');
});
