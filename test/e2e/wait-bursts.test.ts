/**
 * SWD WAIT bursts through the CLI (`flashwright run` on a virtual STM32L151 behind the real
 * ST-Link transport): bursts spread over the whole run, so several fall inside the write.
 * With GETLASTRWSTATUS2 the probe says how far a write got and programming resumes at the
 * start of the half-page; without it (V2J14) the run stops with FLASH_INTERRUPTED, the
 * journal lists the range in doubt as unknown, and the same recipe again completes the job.
 * Neither reports a flash error flag or calls it a bug.
 *
 * `faulty.yaml` is the recipe plus the bursts; the board's state file carries the flash
 * from one run to the next.
 */
import test from 'ava';
import { project, runCli } from './helpers/cli.js';
import { ihex, jsonRun, virtualRecipe } from './doctor-harness.js';

const FLASH = 0x08000000;
const IMAGE = Uint8Array.from({ length: 16 * 1024 }, (_, i) => ((i * 13 + 5) % 255) + 1);
/**
 * A burst of `count` WAIT responses every 2500 AP accesses, from connect to verify: further
 * apart than the longest command (6144 bytes, 1536 accesses), which a read sends again whole.
 */
function bursts(count: number): string {
  const list = Array.from({ length: 10 }, (_, i) => {
    return `{ kind: swd-wait, atAccess: ${300 + 2500 * i}, count: ${count} }`;
  });
  return `[ ${list.join(', ')} ]`;
}

async function waitProject(count: number, firmware?: string): Promise<string> {
  const options = ['state: board.json', firmware ? `firmware: ${firmware}` : ''];
  return project({
    // The host-driven write path is the subject: the RAM loader writes only SRAM, which a
    // burst never leaves in doubt (plugins/target-stm32/test/loader-fallback-sim.test.ts).
    'flashwright.config.yaml': virtualRecipe({
      device: 'STM32L151CBxxA',
      loader: 'host',
      options: options.filter(Boolean).join(', '),
      image: 'app.hex',
    }),
    'faulty.yaml': `extends: ./flashwright.config.yaml\nprobe: { options: { faults: ${bursts(count)} } }\n`,
    'app.hex': ihex(FLASH, IMAGE),
  });
}

function infos(events: readonly Record<string, unknown>[]): string[] {
  return events.flatMap((e) => (e['type'] === 'info' ? [String(e['message'])] : []));
}

test('WAIT bursts in the middle of the write: programming resumes, verify passes, exit 0', async (t) => {
  const cwd = await waitProject(3);
  const run = await jsonRun(cwd, ['run', '-c', 'faulty.yaml']);
  t.is(run.code, 0, JSON.stringify(run.summary.error));
  t.like(run.summary, { status: 'ok', exitCode: 0 });
  const resumed = infos(run.events).filter((m) => /^Programming: the target stayed busy/.test(m));
  t.true(resumed.length > 0, 'a burst fell inside the write and was resumed from');
  t.true(
    run.events.some(
      (e) => e['type'] === 'step-end' && e['id'] === 'verify' && e['status'] === 'done',
    ),
  );
  t.deepEqual(run.summary.journal?.written, [{ start: FLASH, end: FLASH + IMAGE.length }]);
});

test('without GETLASTRWSTATUS2: FLASH_INTERRUPTED, exit 7, the range unknown; the same recipe again completes it', async (t) => {
  const cwd = await waitProject(1, 'V2J14S0');
  const human = await runCli(['run', '-c', 'faulty.yaml'], { cwd });
  t.is(human.code, 7, human.stderr);
  t.regex(human.stderr, /^error FLASH_INTERRUPTED: Programming stopped at 0x080[0-9A-F]{5}: /m);
  t.regex(human.stderr, /the probe cannot say how much of 0x080[0-9A-F]{5}\.\.0x080[0-9A-F]{5}/);
  t.regex(human.stderr, /unknown\s+0x080[0-9A-F]{5}\.\.0x080[0-9A-F]{5}/);
  t.regex(
    human.stderr,
    /run the same recipe again: it erases and rewrites the ranges listed as erased or unknown/,
  );
  t.notRegex(human.stderr, /bug|PGAERR|PROGERR/);
  t.notRegex(human.stdout, /^ok/m, 'no success line');

  const again = await jsonRun(cwd, ['run']);
  t.is(again.code, 0, JSON.stringify(again.summary.error));
  t.like(again.summary, { status: 'ok', exitCode: 0 });
  t.true(
    again.events.some(
      (e) => e['type'] === 'step-end' && e['id'] === 'verify' && e['status'] === 'done',
    ),
  );
});
