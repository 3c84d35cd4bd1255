/**
 * Every board preset in configs/boards, rehearsed with `--probe virtual`: the preset is a
 * valid recipe base, names a part the device database and the simulator know, and doctor
 * finds nothing wrong with a fresh board of that part. The STM32 blink image (0x08000000)
 * fits every STM32 preset, the nRF52840 blink image (0x00000000) every nRF52 one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { project, repoRoot } from './helpers/cli.js';
import { blinkText, checkOf, doctor } from './doctor-harness.js';

const boardsDir = join(repoRoot, 'configs/boards');
const presets = (await readdir(boardsDir)).filter((f) => f.endsWith('.yaml')).sort();

/** What each preset must say: the part, and the probe it defaults to. */
const expected: Readonly<Record<string, { device: RegExp; transport: string }>> = {
  'rak5205.yaml': { device: /DEV_ID 0x429/, transport: 'stlink' },
  'nucleo-f103rb.yaml': { device: /DEV_ID 0x410/, transport: 'stlink' },
  'nucleo-f411re.yaml': { device: /DEV_ID 0x431/, transport: 'stlink' },
  'nucleo-l476rg.yaml': { device: /DEV_ID 0x415/, transport: 'stlink' },
  'clicker4-stm32f767bi.yaml': { device: /DEV_ID 0x451/, transport: 'stlink' },
  'nrf52840-dk.yaml': { device: /nRF52840.*INFO\.PART 0x52840/, transport: 'stlink' },
  'nrf52-dk.yaml': { device: /nRF52832.*INFO\.PART 0x52832/, transport: 'stlink' },
  'bluepill-debugprobe.yaml': { device: /DEV_ID 0x410/, transport: 'cmsis-dap' },
};

const nrfBlinkHex = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.hex');

test('the presets are the ones this test knows', (t) => {
  t.deepEqual(presets, Object.keys(expected).sort());
});

for (const preset of presets) {
  const name = preset.slice(0, -'.yaml'.length);
  test(`board:${name} on virtual hardware: every check passes`, async (t) => {
    const text = await readFile(join(boardsDir, preset), 'utf8');
    t.regex(text, new RegExp(`transport: ${expected[preset]?.transport ?? '?'}`));
    const cwd = await project({
      'flashwright.config.yaml': `extends: board:${name}\nimage: app.hex\n`,
      'app.hex': name.startsWith('nrf') ? await readFile(nrfBlinkHex, 'utf8') : await blinkText(),
    });
    const run = await doctor(cwd, ['--probe', 'virtual']);
    t.is(run.code, 0, JSON.stringify(run.summary.error));
    // flashwright runs no code of its own on nRF52 (no RAM loader or on-chip CRC there yet),
    // so the ram-code dry run is skipped on those boards, and said to be.
    const runsNoCode = name.startsWith('nrf');
    t.deepEqual(
      run.checks.filter((c) => c.verdict !== 'ok').map((c) => `${c.id} ${c.verdict}`),
      runsNoCode ? ['ram-code skipped'] : [],
      run.checks.map((c) => `${c.id}: ${c.message}`).join('\n'),
    );
    if (runsNoCode) t.regex(checkOf(run, 'ram-code').message, /nrf52 family runs no code/);
    t.regex(checkOf(run, 'device-id').message, expected[preset]?.device ?? /^$/);
    t.regex(checkOf(run, 'device-id').message, /as the recipe expects/);
  });
}

test('the Clicker 4 preset says its on-board programmer is not an ST-Link', async (t) => {
  const text = await readFile(join(boardsDir, 'clicker4-stm32f767bi.yaml'), 'utf8');
  t.regex(text, /NOT an ST-Link/);
  t.regex(text, /CODEGRIP/);
  t.regex(text, /external ST-Link/);
});
