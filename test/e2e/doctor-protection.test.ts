/**
 * `flashwright doctor`, protection and option bytes, on virtual hardware: RDP level 1 with
 * and without the recipe's unprotect step, write protection on the pages the image touches
 * (set beforehand by `run` with an option-bytes step, kept in the board's state file), and
 * option bytes that get in the way of debugging or booting.
 */
import test from 'ava';
import { project } from './helpers/cli.js';
import {
  blinkText,
  boardProject,
  checkOf,
  doctor,
  jsonRun,
  virtualRecipe,
  type VirtualBoard,
} from './doctor-harness.js';

test('RDP level 1 and no unprotect step: TARGET_PROTECTED, exit 6; run refuses in the same words', async (t) => {
  const cwd = await boardProject({ device: 'STM32L151CBxxA', options: 'rdp: 1' });
  const run = await doctor(cwd);
  t.is(run.code, 6);
  const rdp = checkOf(run, 'read-protection');
  t.like(rdp, { verdict: 'fail', code: 'TARGET_PROTECTED', exitCode: 6 });
  t.regex(
    rdp.message,
    /is read-protected \(RDP level 1 \(RDP byte 0xBB\)\); its flash cannot be erased or written until protection is removed$/,
  );
  t.regex(rdp.hint ?? '', /- unprotect: \{ confirm: mass-erase \}/);
  t.regex(rdp.hint ?? '', /erases the whole flash/);

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 6);
  t.like(runFailure.summary.error, {
    code: 'TARGET_PROTECTED',
    message: rdp.message,
    hint: rdp.hint,
  });
});

test('RDP level 1 with a confirmed unprotect step: a warning that the flash will go, exit 0', async (t) => {
  const cwd = await boardProject({
    device: 'STM32L151CBxxA',
    options: 'rdp: 1',
    steps: '[connect, { unprotect: { confirm: mass-erase } }, { erase: auto }, write, verify]',
  });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const rdp = checkOf(run, 'read-protection');
  t.like(rdp, { verdict: 'warn', code: 'TARGET_PROTECTED' });
  t.regex(
    rdp.message,
    /the recipe's confirmed unprotect step removes it, which erases the whole flash/,
  );
});

test('RDP level 1 with an unconfirmed unprotect step: fails, unless --yes confirms it', async (t) => {
  const cwd = await boardProject({
    device: 'STM32L151CBxxA',
    options: 'rdp: 1',
    steps: '[connect, unprotect, { erase: auto }, write, verify]',
  });
  const run = await doctor(cwd);
  t.is(run.code, 6);
  const rdp = checkOf(run, 'read-protection');
  t.regex(rdp.message, /unprotect step is not confirmed, so it will be refused/);
  t.regex(rdp.hint ?? '', /Add `confirm: mass-erase` to the unprotect step, or pass --yes/);
  const confirmed = await doctor(cwd, ['--yes']);
  t.is(confirmed.code, 0);
  t.is(checkOf(confirmed, 'read-protection').verdict, 'warn');
});

/** Runs a recipe that writes option bytes into the board's state file, for doctor to find. */
async function boardWithOptions(board: VirtualBoard, values: string): Promise<string> {
  const withState = {
    ...board,
    options: ['state: board.json', board.options].filter(Boolean).join(', '),
  };
  const cwd = await project({
    'setup.yaml': virtualRecipe({
      ...withState,
      steps: `[connect, { option-bytes: { ${values}, confirm: write-option-bytes } }]`,
    }),
    'flashwright.config.yaml': virtualRecipe({ ...withState, image: 'app.hex' }),
    'app.hex': await blinkText(),
  });
  const written = await jsonRun(cwd, ['run', '-c', 'setup.yaml']);
  if (written.code !== 0) throw new Error(`setup failed: ${JSON.stringify(written.summary.error)}`);
  return cwd;
}

test('write protection where the image goes: WRITE_PROTECTED naming the WRP fields, exit 6; run agrees', async (t) => {
  // L1 WRP01 bit 0 protects sector 0: the first 4 KB, where the blink image lives.
  const cwd = await boardWithOptions({ device: 'STM32L151CBxxA' }, 'WRP01: 1');
  const run = await doctor(cwd);
  t.is(run.code, 6);
  const wrp = checkOf(run, 'write-protection');
  t.like(wrp, { verdict: 'fail', code: 'WRITE_PROTECTED', exitCode: 6 });
  t.regex(wrp.message, /the image touches write-protected flash \(0x08000000\.\.0x08000FFF\)$/);
  t.regex(wrp.hint ?? '', /option-bytes step on WRP01, WRP23 \(the image needs WRP01 bit 0\)/);
  t.regex(
    wrp.hint ?? '',
    /`- option-bytes: \{ WRP01: 0, WRP23: 0, confirm: write-option-bytes \}`/,
  );
  t.is(checkOf(run, 'read-protection').verdict, 'ok');

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 6);
  t.like(runFailure.summary.error, {
    code: 'WRITE_PROTECTED',
    message: wrp.message,
    hint: wrp.hint,
  });
});

test('write protection elsewhere in the flash: ok, and the range is named', async (t) => {
  // WRP01 bit 15 protects sector 15: 0x0800F000..0x0800FFFF, far from the image.
  const cwd = await boardWithOptions({ device: 'STM32L151CBxxA' }, 'WRP01: 0x8000');
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const wrp = checkOf(run, 'write-protection');
  t.is(wrp.verdict, 'ok');
  t.regex(wrp.message, /0x0800F000\.\.0x0800FFFF; the image does not touch it/);
});

test('a hardware watchdog and reset-on-Stop: option-bytes warning with the step that fixes each', async (t) => {
  const cwd = await boardWithOptions({ device: 'STM32L151CBxxA' }, 'IWDG_SW: 0, nRST_STOP: 0');
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const options = checkOf(run, 'option-bytes');
  t.is(options.verdict, 'warn');
  t.regex(
    options.message,
    /IWDG_SW = 0: a hardware watchdog runs from reset and cannot be stopped/,
  );
  t.regex(options.message, /nRST_STOP = 0: the chip resets instead of entering Stop mode/);
  t.regex(options.hint ?? '', /`- option-bytes: \{ IWDG_SW: 1, confirm: write-option-bytes \}`/);
  t.regex(options.hint ?? '', /probe\.connect: under-reset/);
  t.regex(options.hint ?? '', /`- option-bytes: \{ nRST_STOP: 1, confirm: write-option-bytes \}`/);
});

test('BOOT0 taken from the option bytes and set (G4 nSWBOOT0 = 0, nBOOT0 = 0): boots the bootloader', async (t) => {
  const cwd = await boardWithOptions({ device: 'STM32G474RE' }, 'nSWBOOT0: 0, nBOOT0: 0');
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const options = checkOf(run, 'option-bytes');
  t.is(options.verdict, 'warn');
  t.regex(
    options.message,
    /nSWBOOT0 = 0 and nBOOT0 = 0: .*starts its ROM bootloader after every reset/,
  );
  t.regex(
    options.hint ?? '',
    /`- option-bytes: \{ nBOOT0: 1, confirm: write-option-bytes \}` boots the flash again/,
  );
});

test('an F7 boot address outside the flash is named, with the factory value', async (t) => {
  const cwd = await boardWithOptions({ device: 'STM32F767BI' }, 'BOOT_ADD0: 0x40');
  const run = await doctor(cwd);
  const options = checkOf(run, 'option-bytes');
  t.is(options.verdict, 'warn');
  t.regex(
    options.message,
    /BOOT_ADD0 = 0x40: with the boot pin low the core boots from 0x00100000, which is not the flash but the ROM bootloader/,
  );
  t.regex(options.hint ?? '', /BOOT_ADD0: 0x80/);
});

test('factory option bytes: ok', async (t) => {
  const cwd = await boardProject({ device: 'STM32L476RG' });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  t.is(checkOf(run, 'option-bytes').verdict, 'ok');
  t.regex(
    checkOf(run, 'option-bytes').message,
    /^nothing in the way of debugging or booting \(.*IWDG_SW=1/,
  );
});
