/**
 * On a terminal the CLI renders with listr2: each step with bytes done, KB/s and ETA while
 * it runs. The test gives the CLI a real pseudo-terminal through util-linux `script`, on
 * virtual hardware in realtime timing so the write step lasts long enough to show progress.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import test from 'ava';
import { cliBin, project } from './helpers/cli.js';

const scriptBin = '/usr/bin/script';

function runInTerminal(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = { TERM: 'xterm-256color' };
  for (const [key, value] of Object.entries(process.env)) {
    // CI=... makes the CLI choose plain lines even on a terminal; FLASHWRIGHT_* would
    // override the recipe.
    if (value !== undefined && key !== 'CI' && !key.startsWith('FLASHWRIGHT_')) env[key] ??= value;
  }
  const command = `stty cols 120 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliBin)} ${args.map((a) => JSON.stringify(a)).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(scriptBin, ['-qec', command, '/dev/null'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const hasScript = existsSync(scriptBin);

(hasScript ? test : test.skip)(
  'a run on a terminal shows listr2 steps with bytes, KB/s and ETA',
  async (t) => {
    const cwd = await project({
      'flashwright.config.yaml': [
        'probe:',
        '  transport: virtual',
        '  options: { probe: stlink-v2, device: STM32L151CBxxA, timing: realtime }',
        'target: { family: stm32, device: STM32L151CBxxA }',
        'image: { file: app.bin, base: 0x08000000 }',
        'steps: [connect, { erase: auto }, write, verify]',
        '',
      ].join('\n'),
      // 16 KB of random data: about 0.6 s of half-page programming on this part.
      'app.bin': randomBytes(16 * 1024),
    });
    const run = await runInTerminal(['run'], cwd);
    t.is(run.code, 0, run.output);
    // listr2's own marks, not the plain reporter's "[n/m]" lines.
    t.regex(run.output, /✔/);
    t.notRegex(run.output, /\[1\/4\]/);
    // While writing: bytes done of the total, the rate and the time left.
    t.regex(run.output, /\d+(\.\d+)? KB\/16(\.0)? KB {2}\d+\.\d KB\/s {2}ETA \d+ s/);
    // Each finished step keeps its summary with the rate.
    t.regex(run.output, /Write 16 KB: wrote 16 KB .*KB\/s\)/);
  },
);

(hasScript ? test : test.skip)(
  'a batch on a terminal shows one listr2 row per board: probe, chip UID, serial, then bytes, KB/s and ETA',
  async (t) => {
    const cwd = await project({
      'flashwright.config.yaml': [
        'probe:',
        '  transport: virtual',
        "  options: { probe: stlink-v2, device: STM32L151CBxxA, state: 'b/{serial}.json', boards: 2, timing: realtime }",
        'target: { family: stm32, device: STM32L151CBxxA }',
        'image: { file: app.bin, base: 0x08000000 }',
        'steps: [connect, { erase: auto }, write, verify]',
        'production:',
        '  serial: { counter: { start: 7, width: 4 }, address: 0x08003ff0, encoding: u32le }',
        '',
      ].join('\n'),
      'app.bin': randomBytes(16 * 1024),
    });
    const run = await runInTerminal(['batch'], cwd);
    t.is(run.code, 0, run.output);
    // Without colours and cursor moves.
    const output = run.output.replace(
      new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'),
      '',
    );
    // The boards run at once: which of them draws serial 0007 first is up to timing.
    const serialOf = (board: string, uid: string): string | undefined =>
      new RegExp(`✔ ${board} .* uid ${uid} {2}serial (000[78])`).exec(output)?.[1];
    const serials = [
      serialOf('VB0001', '010034000553494d4c4f5431'),
      serialOf('VB0002', '020034000553494d4c4f5431'),
    ];
    t.deepEqual([...serials].sort(), ['0007', '0008'], output);
    t.regex(output, /write \d+(\.\d+)? (KB|B)\/16(\.0)? KB {2}\d+\.\d KB\/s {2}ETA \d+ s/);
    t.regex(output, /board +probe +chip UID +serial +result +time/);
    t.regex(output, /2 of 2 boards passed/);
  },
);
