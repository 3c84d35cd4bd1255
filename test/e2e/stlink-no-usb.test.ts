/**
 * `--probe stlink` on a machine without a USB subsystem (our containers, most CI): every
 * command says so with PROBE_NO_USB and exit code 4, `probes` lists the transport as not
 * available and exits 0, and nothing crashes. Skipped where USB exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';

const cli = new URL('../../../packages/cli/dist/src/bin.js', import.meta.url).pathname;
const noUsb = !existsSync('/sys/bus/usb/devices');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(...args: string[]): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), 'fw-stlink-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

function summaryOf(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const maybe = noUsb ? test : test.skip;

maybe('info --probe stlink: PROBE_NO_USB, exit 4, with the virtual-probe hint', async (t) => {
  const human = await run('info', '--probe', 'stlink');
  t.is(human.code, 4);
  t.regex(human.stderr, /PROBE_NO_USB/);
  t.regex(human.stderr, /--probe virtual/);
  t.notRegex(human.stderr, /\n\s+at /, 'no stack trace');
  const json = await run('info', '--probe', 'stlink', '--json');
  t.is(json.code, 4);
  const summary = summaryOf(json.stdout);
  t.is(summary['exitCode'], 4);
  t.like(summary['error'], { code: 'PROBE_NO_USB', exitCode: 4 });
});

maybe('probes --probe stlink: lists the transport as unavailable and exits 0', async (t) => {
  const json = await run('probes', '--probe', 'stlink', '--json');
  t.is(json.code, 0);
  const lines = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const probes = lines.find((l) => l['type'] === 'probes') as
    { unavailable: { transport: string; reason: string }[] } | undefined;
  t.truthy(probes);
  const stlink = probes?.unavailable.find((u) => u.transport === 'stlink');
  t.regex(stlink?.reason ?? '', /no usable USB subsystem/);
});
