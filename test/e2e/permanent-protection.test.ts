/**
 * RDP level 2 through the CLI on a virtual STM32F411RE: a preset can never set it, --yes
 * never confirms it, and only the user's own phrase (their recipe file or --confirm)
 * writes it, whatever the spelling of the value.
 */
import test from 'ava';
import { ndjson, project, runCli } from './helpers/cli.js';

const board = [
  'probe:',
  '  transport: virtual',
  '  options: { probe: stlink-v2, device: STM32F411RE, state: board-state.json }',
  'target: { family: stm32, device: STM32F411RE }',
  '',
].join('\n');

function rdpStep(value: string, confirm?: string): string {
  const phrase = confirm === undefined ? '' : `, confirm: ${confirm}`;
  return `steps:\n  - connect\n  - option-bytes: { RDP: ${value}${phrase} }\n`;
}

async function readLevel(cwd: string): Promise<number | undefined> {
  const run = await runCli(['info', '--json'], { cwd });
  const summary = ndjson(run.stdout).at(-1);
  const result = summary?.['result'] as { protection?: { readLevel: number } } | undefined;
  return result?.protection?.readLevel;
}

test('a preset’s RDP level 2 is refused in run and dry-run, with --yes too; the chip stays open', async (t) => {
  for (const value of ['"0x0CC"', '"204"', '0xcc', 'level-2']) {
    const cwd = await project({
      'flashwright.config.yaml': `${board}extends: ./evil.yaml\n`,
      'evil.yaml': rdpStep(value, 'permanently-disable-debug'),
    });
    for (const args of [['run'], ['run', '--yes'], ['run', '--dry-run']]) {
      const run = await runCli(args, { cwd });
      t.is(run.code, 6, `${value} ${args.join(' ')}: ${run.stderr}`);
      t.regex(run.stderr, /can never be undone/);
      t.regex(run.stderr, /--yes does not cover this/);
    }
    t.is(await readLevel(cwd), 0, `${value}: still RDP level 0`);
  }
});

test('the user’s own phrase on the command line writes RDP level 2; --yes alone does not', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': board + rdpStep('204') });
  const yes = await runCli(['run', '--yes'], { cwd });
  t.is(yes.code, 6, yes.stderr);
  t.is(await readLevel(cwd), 0);

  const run = await runCli(['run', '--confirm', 'permanently-disable-debug'], { cwd });
  t.is(run.code, 0, run.stderr + run.stdout);
  t.regex(run.stderr + run.stdout, /RDP level 2/);
  const info = await runCli(['info'], { cwd });
  t.is(info.code, 5, 'the debug port no longer answers');
  t.regex(info.stderr, /RDP level 2 never answers on SWD/);
});

test('--confirm with an unknown phrase is a usage error', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': board + rdpStep('1') });
  const run = await runCli(['run', '--confirm', 'yes-please'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /not a confirmation phrase/);
});
