/**
 * One contract between core and target families: the example plugin's family
 * (test/fixtures/example-plugin/options.js) names its option fields PROT, WD_MODE,
 * SLEEP_RESET, BOOTSEL and WP_MASK, which core has never heard of, and describes them by
 * role. Through the CLI it gets doctor's protection, write-protection and option-byte
 * checks, and the permanent-value guard in run and dry-run, with no change to core.
 */
import test from 'ava';
import { appImage, loopbackRecipe, project, runCli } from './helpers/cli.js';
import { checkOf, doctor, jsonRun } from './doctor-harness.js';

const state = 'state: board.json';

/** A loopback project whose board keeps its state; `setup` steps run first, with `run`. */
async function board(setup?: string, probeOptions = state): Promise<string> {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ probeOptions }),
    'setup.yaml': loopbackRecipe({ probeOptions, steps: `[connect, ${setup ?? ''}]` }),
    'app.fwtext': appImage,
  });
  if (setup !== undefined) {
    const written = await jsonRun(cwd, ['run', '-c', 'setup.yaml']);
    if (written.code !== 0) throw new Error(`setup: ${JSON.stringify(written.summary.error)}`);
  }
  return cwd;
}

test('factory options: every check passes, on fields found by role', async (t) => {
  const run = await doctor(await board());
  t.is(run.code, 0, run.stderr);
  // The fixture family has no on-chip checksum routine: the RAM-code dry run says so.
  t.deepEqual(
    run.checks.filter((c) => c.verdict !== 'ok').map((c) => `${c.id} ${c.verdict}`),
    ['ram-code skipped'],
  );
  t.regex(checkOf(run, 'ram-code').message, /family runs no code on the chip/);
  t.is(checkOf(run, 'flash-size').message, '64 KB');
  t.is(checkOf(run, 'read-protection').message, 'protection level 0');
  t.is(
    checkOf(run, 'option-bytes').message,
    'nothing in the way of debugging or booting (PROT=0x3C, WD_MODE=0, SLEEP_RESET=0, BOOTSEL=0)',
    'the write-protection mask is not a setting',
  );
});

test('read protection: doctor fails with TARGET_PROTECTED, exit 6, as run does', async (t) => {
  const cwd = await board(undefined, 'rdp: 1');
  const run = await doctor(cwd);
  t.is(run.code, 6);
  const prot = checkOf(run, 'read-protection');
  t.like(prot, { verdict: 'fail', code: 'TARGET_PROTECTED', exitCode: 6 });
  t.regex(prot.message, /EXAMPLE-64K is read-protected \(protection level 1\)/);
  const refused = await jsonRun(cwd, ['run']);
  t.like(refused.summary.error, { code: 'TARGET_PROTECTED', message: prot.message });
});

test('write protection from the WP_MASK role: named bit, the fix, exit 6; run agrees', async (t) => {
  const cwd = await board('{ option-bytes: { WP_MASK: 0x0001, confirm: write-option-bytes } }');
  const run = await doctor(cwd);
  t.is(run.code, 6);
  const wp = checkOf(run, 'write-protection');
  t.like(wp, { verdict: 'fail', code: 'WRITE_PROTECTED', exitCode: 6 });
  t.regex(wp.message, /the image touches write-protected flash \(0x08000000\.\.0x08000FFF\)$/);
  t.regex(wp.hint ?? '', /option-bytes step on WP_MASK \(the image needs WP_MASK bit 0\)/);
  t.regex(wp.hint ?? '', /`- option-bytes: \{ WP_MASK: 0, confirm: write-option-bytes \}`/);
  const refused = await jsonRun(cwd, ['run']);
  t.is(refused.code, 6);
  t.like(refused.summary.error, { code: 'WRITE_PROTECTED', message: wp.message, hint: wp.hint });
  t.is(refused.summary.journal, undefined, 'refused before anything was erased');
});

test('option-byte hazards from roles and from the family, each with its fix', async (t) => {
  const cwd = await board(
    '{ option-bytes: { WD_MODE: 1, SLEEP_RESET: 1, BOOTSEL: 1, confirm: write-option-bytes } }',
  );
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const options = checkOf(run, 'option-bytes');
  t.is(options.verdict, 'warn');
  t.regex(options.message, /^WD_MODE = 1: a hardware watchdog runs from reset .*about 250 ms/);
  t.regex(options.message, /SLEEP_RESET = 1: the chip resets instead of entering Stop mode/);
  t.regex(options.message, /BOOTSEL = 1: .*starts its ROM bootloader after every reset/);
  for (const fix of ['WD_MODE: 0', 'SLEEP_RESET: 0', 'BOOTSEL: 0']) {
    t.regex(
      options.hint ?? '',
      new RegExp(`\`- option-bytes: \\{ ${fix}, confirm: write-option-bytes \\}\``),
    );
  }
});

test('the permanent-value guard: PROT level 2 needs the user’s own phrase, in run and dry-run', async (t) => {
  for (const value of ['2', 'level-2', '0x96', '150']) {
    const step = `{ option-bytes: { PROT: ${value}, confirm: write-option-bytes } }`;
    const recipe = loopbackRecipe({ probeOptions: state, steps: `[connect, ${step}]` });
    const dir = await project({ 'flashwright.config.yaml': recipe, 'app.fwtext': appImage });
    for (const args of [['run'], ['run', '--dry-run'], ['run', '--yes']]) {
      const refused = await jsonRun(dir, args);
      t.is(refused.code, 6, `${value} ${args.join(' ')}`);
      t.regex(
        refused.summary.error?.message ?? '',
        /PROT=0x96 \(read protection level 2\): a value that can never be undone/,
      );
    }
    t.is(checkOf(await doctor(dir), 'read-protection').verdict, 'ok', 'nothing was written');
  }
  const own = await board('{ option-bytes: { PROT: 2, confirm: permanently-disable-debug } }');
  const locked = await doctor(own);
  t.like(checkOf(locked, 'read-protection'), { verdict: 'fail', code: 'TARGET_RDP2' });
});

test('dry-run reads the roles from the family database: a boot field gets a warning line', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({
      steps: '[connect, { option-bytes: { BOOTSEL: 0, confirm: write-option-bytes } }]',
    }),
    'app.fwtext': appImage,
  });
  const plan = await runCli(['run', '--dry-run'], { cwd });
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /BOOTSEL decide where the chip boots/);
  const unknown = await project({
    'flashwright.config.yaml': loopbackRecipe({
      steps: '[connect, { option-bytes: { WDG_SW: 1, confirm: write-option-bytes } }]',
    }),
    'app.fwtext': appImage,
  });
  const refused = await jsonRun(unknown, ['run', '--dry-run']);
  t.is(refused.code, 2, 'an STM32 name means nothing to this family');
  t.regex(refused.summary.error?.message ?? '', /this device has no option field "WDG_SW"/);
});
