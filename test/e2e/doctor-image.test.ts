/**
 * `flashwright doctor`, the image check, on virtual hardware: an image that runs past the
 * end of the flash, one with data that is not in the flash at all, one that cannot be
 * loaded, and the check without a chip (from the device database). `run` refuses such an
 * image in the same words, before anything is erased.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from './helpers/cli.js';
import { boardProject, checkOf, doctor, ihex, jsonRun } from './doctor-harness.js';

const counting = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i & 0xff);

test('an image that runs past the end of the flash: IMAGE_OUTSIDE_FLASH, exit 3; run refuses alike', async (t) => {
  // 64 bytes from 0x0801FFE0: the last 32 fit the 128 KB of the L151CB, the rest do not.
  const cwd = await boardProject(
    { device: 'STM32L151CBxxA' },
    { 'app.hex': ihex(0x0801ffe0, counting(64)) },
  );
  const run = await doctor(cwd);
  t.is(run.code, 3);
  const image = checkOf(run, 'image');
  t.like(image, { verdict: 'fail', code: 'IMAGE_OUTSIDE_FLASH', exitCode: 3 });
  t.regex(
    image.message,
    /^The image does not fit the flash of .*: it runs to 0x0802001F, 32 B past the end of the flash at 0x0801FFFF/,
  );
  t.regex(image.message, /outside: 0x08020000\.\.0x0802001F$/);
  t.regex(image.hint ?? '', /check the FLASH length in the linker script/);
  t.regex(image.hint ?? '', /set target\.flashSize/);

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 3);
  t.like(runFailure.summary.error, {
    code: 'IMAGE_OUTSIDE_FLASH',
    message: image.message,
    hint: image.hint,
  });
  t.is(runFailure.summary.journal, undefined, 'refused before anything was erased');
});

test('a recipe that claims less flash than the image needs: the fix names target.flashSize', async (t) => {
  // blink-gap keeps a record at 0x0801FC00, in the last KB of the 128 KB part.
  const cwd = await boardProject(
    { device: 'STM32L151CBxxA', flashSize: '64K' },
    {
      'app.hex': await readFile(
        join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink-gap.hex'),
        'utf8',
      ),
    },
  );
  const run = await doctor(cwd);
  t.is(run.code, 3);
  const image = checkOf(run, 'image');
  t.regex(image.message, /past the end of the flash at 0x0800FFFF/);
  t.regex(image.hint ?? '', /set target\.flashSize in the recipe/);
});

test('data that is not in the flash at all (RAM): IMAGE_OUTSIDE_FLASH with the load address', async (t) => {
  const cwd = await boardProject(
    { device: 'STM32F103RB' },
    { 'app.hex': ihex(0x20000000, counting(32)) },
  );
  const run = await doctor(cwd);
  t.is(run.code, 3);
  const image = checkOf(run, 'image');
  t.like(image, { verdict: 'fail', code: 'IMAGE_OUTSIDE_FLASH' });
  t.regex(
    image.message,
    /^The image has data outside the flash of .*: 0x20000000\.\.0x2000001F \(flash: .*0x08000000\.\.0x0801FFFF, 128 KB\)$/,
  );
  t.regex(image.hint ?? '', /a raw \.bin needs image\.base, e.g\. 0x08000000/);
});

test('a raw binary without a base address: the image check fails with IMAGE_BASE_REQUIRED, exit 3', async (t) => {
  const cwd = await boardProject(
    { device: 'STM32F103RB', image: 'app.bin' },
    { 'app.bin': 'not really firmware' },
  );
  const run = await doctor(cwd);
  t.is(run.code, 3);
  const image = checkOf(run, 'image');
  t.like(image, { verdict: 'fail', code: 'IMAGE_BASE_REQUIRED', exitCode: 3 });
  t.regex(image.hint ?? '', /base: 0x08000000/);
  t.is(checkOf(run, 'device-id').verdict, 'ok', 'the hardware checks still ran');
});

test('without an answering chip the image is checked against the device database', async (t) => {
  const cwd = await boardProject(
    { device: 'STM32F411RE', options: 'rdp: 2' },
    { 'app.hex': ihex(0x08080000, counting(16)) },
  );
  const run = await doctor(cwd);
  t.is(run.code, 5, 'the first failure (no SWD answer) sets the exit code');
  const image = checkOf(run, 'image');
  t.like(image, { verdict: 'fail', code: 'IMAGE_OUTSIDE_FLASH' });
  t.regex(image.message, /16 B past the end of the flash at 0x0807FFFF/);
});

test('a fitting image: ok, with its size and share of the flash', async (t) => {
  const cwd = await boardProject({ device: 'STM32L151CBxxA' });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  t.is(checkOf(run, 'image').message, '436 B at 0x08000000..0x080001B3, 1% of the flash');
});
