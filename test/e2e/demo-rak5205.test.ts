/**
 * The demo (`pnpm demo`): the original report's board on virtual hardware. An ST-Link V2
 * clone with an STM32L151CBxxA whose flash-size register reads 0x6B80, at RDP level 1. The
 * recipe unprotects (confirmed), erases, writes the real blink firmware, verifies and
 * resets, with realtime progress; every run starts from a fresh protected board.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { project, repoRoot } from './helpers/cli.js';
import { checkOf, doctor, jsonRun } from './doctor-harness.js';

const demoRecipe = join(repoRoot, 'configs/examples/rak5205-demo.yaml');

interface StepEnd {
  readonly id: string;
  readonly status: string;
  readonly summary: string;
  readonly durationMs: number;
  readonly virtualMs?: number;
}

async function runDemo() {
  // From an empty directory, as `pnpm demo` runs it: nothing but the recipe is needed.
  const cwd = await project({});
  const run = await jsonRun(cwd, ['run', '-c', demoRecipe]);
  const ends = run.events.filter((e) => e['type'] === 'step-end') as unknown as StepEnd[];
  return { ...run, ends };
}

test('`pnpm demo` builds, explains the board with doctor, then runs the recipe', async (t) => {
  const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = manifest.scripts['demo'] ?? '';
  const bin = 'node packages/cli/dist/src/bin.js';
  const match = new RegExp(`^pnpm build && ${bin} doctor -c (\\S+) && ${bin} run -c (\\S+)$`).exec(
    script,
  );
  t.truthy(match, script);
  t.is(join(repoRoot, match?.[1] ?? ''), demoRecipe);
  t.is(join(repoRoot, match?.[2] ?? ''), demoRecipe);
  t.true(existsSync(demoRecipe));
});

test('the demo unprotects the RDP 1 board, writes blink, verifies and resets', async (t) => {
  const run = await runDemo();
  t.is(run.code, 0, JSON.stringify(run.summary.error));
  t.like(run.summary, { status: 'ok', exitCode: 0 });

  const device = run.events.find((e) => e['type'] === 'device') as
    | {
        name: string;
        flashSize: { raw?: number };
        facts: Record<string, unknown>;
        notes: string[];
      }
    | undefined;
  t.regex(device?.name ?? '', /0x429/);
  t.is(device?.flashSize.raw, 0x6b80, 'the register reads what the real part reads');
  t.is(device?.facts['rdpLevel'], 1, 'the board arrives read-protected');
  t.true(device?.notes.some((n) => /0x6B80/.test(n)));
  const flash = (device as unknown as { flash: { start: number; end: number }[] }).flash;
  // Program memory, then the 4 KB data EEPROM that write and verify handle too.
  t.deepEqual(
    flash.map((r) => r.end - r.start),
    [128 * 1024, 4 * 1024],
    '128 KB, not 27520 KB',
  );

  // An ST-Link V2 clone, as sold with these boards: each of its quirks is said once.
  const probe = run.events.find((e) => e['type'] === 'probe') as
    { info: { name: string; serial: string } } | undefined;
  t.regex(probe?.info.name ?? '', /ST-LINK\/V2 \(clone or old firmware\)/);
  t.is(probe?.info.serial, '55FF6D066684564928211687');
  const warnings = run.events.filter((e) => e['type'] === 'warning').map((e) => e['message']);
  t.is(warnings.filter((w) => /binary serial number/.test(String(w))).length, 1);
  t.is(warnings.filter((w) => /NRST does not seem to reach/.test(String(w))).length, 1);

  t.deepEqual(
    run.ends.map((e) => [e.id, e.status]),
    [
      ['connect', 'done'],
      ['unprotect', 'done'],
      ['erase', 'skipped'],
      ['write', 'done'],
      ['verify', 'done'],
      ['reset', 'done'],
    ],
  );
  // RDP 1 -> 0 erases program memory and the data EEPROM (RM0038 "Read protection").
  t.regex(run.ends[1]?.summary ?? '', /^protection removed, 132 KB erased$/);
  // Its five zero words (the erased value) lie inside half-pages that are programmed anyway:
  // written through, not skipped.
  t.regex(run.ends[3]?.summary ?? '', /^wrote 436 B$/);
  t.regex(run.ends[4]?.summary ?? '', /^436 B match the image \(readback\)$/);
  t.regex(run.ends[5]?.summary ?? '', /running/);
});

test('timing is realtime: the unprotect step takes as long as on the board, progress as it goes', async (t) => {
  const run = await runDemo();
  const unprotect = run.ends.find((e) => e.id === 'unprotect');
  const virtualMs = unprotect?.virtualMs ?? 0;
  t.true(virtualMs > 1000, `the RDP regression takes ${virtualMs} ms of board time`);
  // Realtime sleeps the virtual time of every transfer: the wall clock cannot be faster.
  t.true((unprotect?.durationMs ?? 0) >= virtualMs * 0.9, `${unprotect?.durationMs} ms`);
  const progress = run.events.filter((e) => e['type'] === 'progress' && e['id'] === 'write');
  t.true(progress.length >= 2, 'write progress is reported as it goes');
  t.is(progress.at(-1)?.['doneBytes'], progress.at(-1)?.['totalBytes']);
});

test('every demo run starts from a fresh protected board', async (t) => {
  const first = await runDemo();
  const second = await runDemo();
  for (const run of [first, second]) {
    t.is(run.code, 0);
    t.is(run.ends.find((e) => e.id === 'unprotect')?.status, 'done');
  }
});

test('doctor on the demo board: all clear but the protection the recipe removes', async (t) => {
  const cwd = await project({});
  const run = await doctor(cwd, ['-c', demoRecipe]);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(
    run.checks.filter((c) => c.verdict !== 'ok').map((c) => [c.id, c.verdict]),
    [
      ['target-voltage', 'skipped'],
      ['swd', 'warn'],
      ['read-protection', 'warn'],
      ['ram-code', 'skipped'],
    ],
  );
  // The clone's RST pin does not reach NRST: attaching "under reset" was a software reset.
  t.regex(checkOf(run, 'swd').message, /NRST does not seem to reach the target/);
  t.regex(checkOf(run, 'swd').hint ?? '', /Wire the target’s NRST to the probe’s RST pin/);
  t.regex(checkOf(run, 'flash-size').message, /reads 0x6B80/);
  t.regex(checkOf(run, 'flash-size').message, /reports 27520 KB/);
  t.regex(checkOf(run, 'read-protection').message, /confirmed unprotect step removes it/);
  t.regex(checkOf(run, 'probe-firmware').message, /^V2J37S7/);
  t.regex(checkOf(run, 'ram-code').message, /read-protected .* once protection is removed/);
});
