/**
 * runDoctor over the fake chip: the order of the checks, skipping after a failure, and the
 * SWD fallbacks (a slower clock, connecting under reset) that the simulator cannot show,
 * because its chips never sleep or remap their SWD pins.
 */
import test from 'ava';
import { runDoctor, type DoctorCheckEvent } from '../src/exports/diagnose.js';
import type { ConnectOptions, Probe } from '../src/exports/plugin.js';
import { loadRecipe } from '../src/exports/runner.js';
import { FlashwrightError } from '../src/index.js';
import { FakeChip, rawImage } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';
import { projectDir } from './helpers/recipe-dir.js';

const BASE = 0x08000000;

/** A chip that answers only when `answers(options)` says so, with a voltage reading. */
class PickyChip extends FakeChip {
  readonly attempts: ConnectOptions[] = [];

  constructor(
    readonly answers: (options: ConnectOptions) => boolean,
    readonly volts?: number,
  ) {
    super();
  }

  override probe(): Probe {
    const probe = super.probe();
    return {
      ...probe,
      targetVoltage: () => Promise.resolve(this.volts),
      connect: (options = {}) => {
        this.attempts.push({ speedKhz: options.speedKhz, mode: options.mode });
        if (this.answers(options)) return Promise.resolve({});
        return Promise.reject(
          new FlashwrightError('TARGET_NO_RESPONSE', 'no ACK on SWD', { hint: 'wiring' }),
        );
      },
    };
  }
}

async function doctorOn(chip: FakeChip, probeLine: string) {
  const dir = await projectDir({
    'flashwright.config.yaml': fakePreamble
      .replace('probe: { transport: fake }', probeLine)
      .replace('target: { family: fakefam }', 'target: { family: fakefam, device: FAKE-16K }'),
    'app.raw': rawImage([[BASE, counting(64)]]),
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  const checks: DoctorCheckEvent[] = [];
  const report = await runDoctor({
    resolved,
    plugins: chip.pluginSet(),
    emit: (event) => {
      if (event.type === 'check') checks.push(event);
    },
    signal: new AbortController().signal,
    yes: false,
  });
  return { report, checks };
}

test('a target that answers only under reset: a warning naming the settings that work', async (t) => {
  const chip = new PickyChip((o) => o.mode === 'under-reset', 3.3);
  const { report, checks } = await doctorOn(
    chip,
    'probe: { transport: fake, speed: 4000, connect: normal }',
  );
  t.deepEqual(chip.attempts, [
    { speedKhz: 4000, mode: 'normal' },
    { speedKhz: 480, mode: 'normal' },
    { speedKhz: 480, mode: 'under-reset' },
  ]);
  const swd = checks.find((c) => c.id === 'swd');
  t.like(swd, { verdict: 'warn', code: 'TARGET_NO_RESPONSE' });
  t.regex(
    swd?.message ?? '',
    /No answer with the recipe's settings \(connect: normal, 4000 kHz: no ACK on SWD\), but the target answers with connect: under-reset, 480 kHz/,
  );
  t.is(swd?.hint, 'Set probe.speed: 480 and probe.connect: under-reset in the recipe.');
  t.is(report.firstFailure, undefined, 'the rest of the checks ran on the working connection');
  t.is(checks.find((c) => c.id === 'device-id')?.verdict, 'ok');
  t.is(checks.find((c) => c.id === 'target-voltage')?.verdict, 'ok');
});

test('a target that needs a slower clock: only the speed is suggested', async (t) => {
  const chip = new PickyChip((o) => (o.speedKhz ?? 4000) <= 480);
  const { checks } = await doctorOn(chip, 'probe: { transport: fake, speed: 1800 }');
  const swd = checks.find((c) => c.id === 'swd');
  t.is(swd?.hint, 'Set probe.speed: 480 in the recipe.');
  t.is(chip.attempts.length, 2);
});

test('checks come out in order (voltage waits for SWD), and everything after a dead link is skipped', async (t) => {
  const chip = new PickyChip(() => false, 0.2);
  const { report, checks } = await doctorOn(chip, 'probe: { transport: fake, speed: 1800 }');
  t.deepEqual(
    checks.map((c) => c.index),
    [...Array(11).keys()],
  );
  t.deepEqual(
    checks.map((c) => c.verdict),
    [
      'ok',
      'ok',
      'fail',
      'fail',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'ok',
    ],
  );
  t.is(report.firstFailure?.check, 'target-voltage');
  t.is(report.firstFailure?.code, 'TARGET_VOLTAGE_LOW');
  t.deepEqual(report.counts, { ok: 3, warn: 0, fail: 2, skipped: 6 });
  // The image is still checked: against the fake family's database layout.
  t.regex(checks[10]?.message ?? '', /^64 B at 0x08000000\.\.0x0800003F/);
});

test('run and doctor explain a silent target with the same message and hint', async (t) => {
  const chip = new PickyChip(() => false, 3.3);
  const probeLine = 'probe: { transport: fake, speed: 1800, connect: under-reset }';
  const { report } = await doctorOn(chip, probeLine);
  const run = await runRecipe(
    chip,
    `${fakePreamble.replace('probe: { transport: fake }', probeLine)}steps: [connect]\n`,
    [[BASE, counting(8)]],
  );
  t.is(run.error?.code, 'TARGET_NO_RESPONSE');
  t.is(run.error?.message, report.firstFailure?.message);
  t.is(run.error?.hint, report.firstFailure?.hint);
  t.regex(
    run.error?.message ?? '',
    /^The target does not answer on SWD \(connect: under-reset, 1800 kHz\): no ACK on SWD$/,
  );
});

test('doctor never erases, writes or unprotects, even on a protected chip', async (t) => {
  const chip = new FakeChip({ readLevel: 1 });
  const { report } = await doctorOn(chip, 'probe: { transport: fake }');
  t.is(report.firstFailure?.code, 'TARGET_PROTECTED');
  const ops = chip.ops();
  t.false(ops.some((o) => ['erase', 'program', 'unprotect', 'writeOptionBytes'].includes(o)));
  t.true(ops.includes('close'), 'the probe is closed');
});
