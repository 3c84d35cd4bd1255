/**
 * `flashwright run` over the GDB transport against OpenOCD's GDB server, whose memory map
 * offers vFlash: the flash is erased and programmed by OpenOCD's own flash driver. OpenOCD
 * drives the simulated STM32F103C8 that `flashwright sim --stlink-server` serves, so the
 * result can be checked in the board's state file afterwards, independently of OpenOCD.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ndjson, project, runCli } from './helpers/cli.js';
import { openocdNotInstalled, stlinkServerArgs } from './helpers/openocd.js';
import { openocdTestFn } from './helpers/openocd-test.js';
import { freePort, startPeer, startSim } from './helpers/peer.js';

const openocdTest = openocdTestFn('gdb', openocdNotInstalled());

const IMAGE_BASE = 0x08000400;
const image = Uint8Array.from({ length: 6000 }, (_, i) => (i * 73 + 11) & 0xff);

const simRecipe = `probe:
  transport: virtual
  options: { probe: stlink-v2, device: STM32F103C8, state: board.json }
target: { family: stm32 }
`;
/** Fills the first 8 KiB of the board's flash with `old` first, through the virtual probe. */
const old = Uint8Array.from({ length: 0x2000 }, (_, i) => (i * 7 + 3) & 0xff);
const preRecipe = `${simRecipe}image: { file: old.bin, base: 0x08000000 }
steps: [connect, { erase: auto }, write, verify]
`;

openocdTest('run erases and writes through OpenOCD’s flash driver (vFlash)', async (t) => {
  const stlinkPort = await freePort();
  const gdbPort = await freePort();
  const recipe = [
    `probe: { transport: gdb, address: "127.0.0.1:${gdbPort}" }`,
    'target: { family: stm32, device: STM32F103C8 }',
    `image: { file: app.bin, base: 0x${IMAGE_BASE.toString(16)} }`,
    'steps: [connect, { erase: auto }, write, verify, { reset: { run: false } }]',
    '',
  ].join('\n');
  const cwd = await project({
    'sim.yaml': simRecipe,
    'pre.yaml': preRecipe,
    'run.yaml': recipe,
    'app.bin': image,
    'old.bin': old,
  });
  const pre = await runCli(['run', '-c', 'pre.yaml'], { cwd });
  t.is(pre.code, 0, pre.stderr);
  const sim = await startSim(['--stlink-server', `127.0.0.1:${stlinkPort}`, '-c', 'sim.yaml'], cwd);
  t.teardown(() => sim.stop('SIGKILL'));
  const openocd = await startPeer(
    'openocd',
    stlinkServerArgs({
      port: stlinkPort,
      targetCfg: 'target/stm32f1x.cfg',
      extra: ['set WORKAREASIZE 0'],
      gdbPort,
    }),
    cwd,
    /Listening on port \d+ for gdb connections/,
  );
  t.teardown(() => openocd.stop('SIGKILL'));

  const run = await runCli(['run', '--json', '-c', 'run.yaml'], { cwd });
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}\n${openocd.output()}`);
  const events = ndjson(run.stdout);
  // Identified through OpenOCD (its ID registers read fine), flashed by OpenOCD.
  t.like(
    events.find((e) => e['type'] === 'device'),
    { family: 'stm32', facts: { devId: '0x410' } },
  );
  const infos = events.filter((e) => e['type'] === 'info').map((e) => String(e['message']));
  t.true(
    infos.some((m) =>
      /0x08000000\.\.0x0800FFFF: erased and programmed by the probe’s own flash driver/.test(m),
    ),
    infos.join('\n'),
  );
  const ends = events.filter((e) => e['type'] === 'step-end');
  t.deepEqual(
    ends.map((e) => [e['id'], e['status']]),
    [
      ['connect', 'done'],
      ['erase', 'done'],
      ['write', 'done'],
      ['verify', 'done'],
      ['reset', 'done'],
    ],
  );
  // Pages 1..6 (1 KiB each) hold the image; the rest of page 6 is read first and kept.
  t.regex(String(ends[1]?.['summary']), /^erased 6 sectors \(6 KB\), kept 144 B of existing data/);

  // Stop both peers (the sim saves its board on Ctrl-C) and read the flash back directly.
  await openocd.stop('SIGTERM');
  t.is(await sim.stop('SIGINT'), 0, sim.output());
  const readBack = await runCli(
    ['read', '0x08000000', '0x2000', '-o', 'back.bin', '-c', 'sim.yaml'],
    { cwd },
  );
  t.is(readBack.code, 0, readBack.stderr);
  const flash = new Uint8Array(await readFile(join(cwd, 'back.bin')));
  const offset = IMAGE_BASE - 0x08000000;
  t.deepEqual(flash.subarray(offset, offset + image.length), image);
  t.deepEqual(flash.subarray(0, offset), old.subarray(0, offset), 'page 0 untouched');
  t.deepEqual(
    flash.subarray(offset + image.length),
    old.subarray(offset + image.length),
    'the rest of page 6 kept, page 7 untouched',
  );
});
