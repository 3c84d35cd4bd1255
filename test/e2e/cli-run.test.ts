import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appImage, loopbackRecipe, ndjson, project, runCli } from './helpers/cli.js';

// A whole `flashwright run` through the public plugin API: the example plugin's loopback
// board stands in for hardware (it lives under test/fixtures; nothing fake ships).

const BASE = 0x08000000;

async function boardFlash(cwd: string): Promise<Buffer> {
  const state = JSON.parse(await readFile(join(cwd, 'board.json'), 'utf8')) as { flash: string };
  return Buffer.from(state.flash, 'base64');
}

test('run writes and verifies the image, keeping the rest of touched sectors', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({
      probeOptions: 'fill: counting, state: board.json',
    }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /\[2\/5\] Erase touched sectors/);
  // The board counts up from 0, as the image's first 16 bytes do: that sector already holds
  // the image and is left alone (incremental flashing); the other is erased and written.
  t.regex(
    run.stdout,
    /erased 1 sector \(1 KB\), kept .* of existing data, 1 sector \(1 KB\) already holds the image: left untouched/,
  );
  t.regex(
    run.stdout,
    /\[4\/5\] Verify \(auto\)\n\s+1 KB match the image \(readback\); 16 B compared in 1 sector before writing/,
  );
  const flash = await boardFlash(cwd);
  t.deepEqual([...flash.subarray(0, 16)], [...Array(16).keys()]);
  t.deepEqual([...flash.subarray(0x410, 0x414)], [0xde, 0xad, 0xbe, 0xef]);
  t.is(flash[0x20], 0x20, 'bytes of a partly covered sector are kept');
  t.is(flash[0x800], 0x00, 'untouched sectors keep their contents');
  t.is(flash[0x801], 0x01);
});

test('a protected chip is refused with exit 6 and the fix in the hint', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ probeOptions: 'rdp: 1' }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 6);
  t.regex(
    run.stderr,
    /error TARGET_PROTECTED: EXAMPLE-64K is read-protected \(protection level 1\)/,
  );
  t.regex(run.stderr, /hint: Add `- unprotect: \{ confirm: mass-erase \}`/);

  const fixed = await project({
    'flashwright.config.yaml': loopbackRecipe({
      probeOptions: 'rdp: 1',
      steps: '[connect, { unprotect: { confirm: mass-erase } }, { erase: auto }, write, verify]',
    }),
    'app.fwtext': appImage,
  });
  const again = await runCli(['run'], { cwd: fixed });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /protection removed/);
});

test('a failing write exits 7 and lists what the flash holds', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ probeOptions: `failProgramAt: ${BASE + 0x410}` }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 7);
  t.regex(run.stderr, /error FLASH_PROGRAM_FAILED/);
  t.regex(run.stderr, /flash state after the failure:\n\s+written\s+0x08000000\.\.0x0800000F/);
  t.regex(run.stderr, /unknown\s+0x08000400\.\.0x080007FF|unknown\s+0x08000410/);
});

test('a verify mismatch exits 8 and the summary is never ok', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ probeOptions: `stuckBitAt: ${BASE + 3}` }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 8);
  const events = ndjson(run.stdout);
  t.like(events.at(-1), {
    type: 'summary',
    status: 'failed',
    exitCode: 8,
    error: { code: 'VERIFY_MISMATCH' },
  });
  t.regex(
    String((events.at(-1)?.error as { message: string }).message),
    /first at 0x08000003 \(expected 0x03, read 0x02\)/,
  );
});

test('the wrong chip exits 5 naming both parts', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ device: 'STM32F103C8' }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 5);
  t.regex(run.stderr, /expects STM32F103C8, but the connected chip is EXAMPLE-64K/);
});

test('a missing image exits 3 before the probe is opened', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 3);
  t.regex(run.stderr, /error IMAGE_NOT_FOUND: Image file .*app\.fwtext does not exist/);
  t.notRegex(run.stdout, /Connect/);
});

test('a transport that is not installed exits 2 with the install command', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml':
      'probe: { transport: "@acme/flashwright-jlink" }\nsteps: [connect]\n',
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /PLUGIN_NOT_INSTALLED: Plugin @acme\/flashwright-jlink is not installed/);
  t.regex(run.stderr, /pnpm add -D @acme\/flashwright-jlink/);
});

test('Ctrl-C stops at a safe point: exit 130, summary "interrupted" with the flash state', async (t) => {
  const cwd = await project({
    // 60 KB at 20 ms per KB: long enough to interrupt in the middle.
    'flashwright.config.yaml': loopbackRecipe({
      probeOptions: 'delayMs: 20',
      steps: '[connect, { erase: auto }, write, verify]',
    }),
    'app.fwtext': `# fwtext\n${Array.from({ length: 60 * 64 }, (_, i) => `0x${(BASE + i * 16).toString(16)}: ${'5a '.repeat(16).trim()}`).join('\n')}\n`,
  });
  let sent = false;
  const run = await runCli(['run', '--json'], {
    cwd,
    onLine: (line, child) => {
      if (!sent && line.includes('"operation":"program"')) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  t.true(sent, 'a write progress event arrived');
  t.is(run.code, 130);
  const summary = ndjson(run.stdout).at(-1) as {
    status: string;
    error: { code: string };
    journal: { written: unknown[]; erased: unknown[] };
  };
  t.is(summary.status, 'interrupted');
  t.is(summary.error.code, 'INTERRUPTED');
  t.true(summary.journal.written.length > 0, 'part of the image was written');
  t.true(summary.journal.erased.length > 0, 'the rest is reported erased, not written');
});
