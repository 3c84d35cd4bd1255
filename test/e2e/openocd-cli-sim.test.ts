/**
 * `flashwright sim --stlink-server HOST:PORT -c RECIPE` serves the recipe's virtual board
 * until Ctrl-C; real OpenOCD programs an image through it, and the state file the command
 * leaves behind holds the image.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createVirtualSession } from '@flashwright/sim';
import { runCli } from './helpers/cli.js';
import { openocdNotInstalled, programArgs, runOpenocd, STM32_FLASH } from './helpers/openocd.js';
import { openocdTestFn } from './helpers/openocd-test.js';
import { freePort, startSim } from './helpers/peer.js';

const openocdTest = openocdTestFn('CLI', openocdNotInstalled());

function recipe(dir: string, options: string): string {
  const file = join(dir, 'flashwright.config.yaml');
  writeFileSync(
    file,
    `probe:\n  transport: virtual\n  options:\n${options}\ntarget:\n  family: stm32\n`,
  );
  return file;
}

openocdTest(
  'flashwright sim serves a recipe to OpenOCD, which programs it; the state keeps it',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-sim-cli-'));
    const file = recipe(
      dir,
      '    probe: stlink-v2\n    device: STM32F103C8\n    state: board.json',
    );
    const data = Uint8Array.from({ length: 2048 }, (_, i) => (i * 73 + 11) & 0xff);
    writeFileSync(join(dir, 'image.bin'), data);
    const port = await freePort();
    const sim = await startSim(['--stlink-server', `127.0.0.1:${port}`, '-c', file], dir);
    t.teardown(() => sim.stop('SIGKILL'));
    const openocd = await runOpenocd(
      programArgs({
        port,
        targetCfg: 'target/stm32f1x.cfg',
        image: join(dir, 'image.bin'),
        address: STM32_FLASH,
        extra: ['set WORKAREASIZE 0'],
      }),
      90_000,
    );
    t.is(await sim.stop('SIGINT'), 0, sim.output());
    t.is(openocd.code, 0, openocd.output);
    t.regex(openocd.output, /\*\* Verified OK \*\*/);

    const check = createVirtualSession({ probe: 'stlink-v2', state: join(dir, 'board.json') });
    t.is(check.board.chip.partName, 'STM32F103C8');
    const device = check.device;
    await device.open();
    await device.claimInterface(0);
    const send = async (bytes: number[], inLength = 0): Promise<Uint8Array> => {
      const cmd = new Uint8Array(16);
      cmd.set(bytes);
      await device.transferOut(2, cmd);
      if (inLength === 0) return new Uint8Array(0);
      const reply = await device.transferIn(1, inLength, 500);
      return new Uint8Array(reply.data?.buffer ?? new ArrayBuffer(0));
    };
    await send([0xf3, 0x07]);
    await send([0xf2, 0x30, 0xa3], 2);
    const first = await send([0xf2, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x04], 1024);
    const second = await send([0xf2, 0x07, 0x00, 0x04, 0x00, 0x08, 0x00, 0x04], 1024);
    t.deepEqual([...first, ...second], [...data]);
    await check.close();
  },
);

test('flashwright sim refuses without --stlink-server, with a bad address, or without virtual hardware', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-sim-cli-'));
  const file = recipe(dir, '    probe: stlink-v2\n    device: STM32F103RB');
  const noServer = await runCli(['sim', '-c', file], { cwd: dir });
  t.is(noServer.code, 2);
  t.regex(noServer.stderr + noServer.stdout, /--stlink-server/);
  const badAddress = await runCli(['sim', '--stlink-server', 'localhost:99999', '-c', file], {
    cwd: dir,
  });
  t.is(badAddress.code, 2);
  t.regex(badAddress.stderr + badAddress.stdout, /HOST:PORT/);
  const real = join(dir, 'real.yaml');
  writeFileSync(real, 'probe:\n  transport: stlink\ntarget:\n  family: stm32\n');
  const notVirtual = await runCli(['sim', '--stlink-server', '127.0.0.1:7199', '-c', real], {
    cwd: dir,
  });
  t.is(notVirtual.code, 2);
  t.regex(notVirtual.stderr + notVirtual.stdout, /probe.transport: virtual/);
  const unknown = recipe(
    mkdtempSync(join(tmpdir(), 'fw-sim-cli-')),
    '    probe: stlink-v2\n    device: STM32F999',
  );
  const unknownDevice = await runCli(['sim', '--stlink-server', '127.0.0.1:7199', '-c', unknown], {
    cwd: dir,
  });
  t.is(unknownDevice.code, 2);
  t.regex(unknownDevice.stderr + unknownDevice.stdout, /probe\.options\.device/);
  const cmsis = recipe(
    mkdtempSync(join(tmpdir(), 'fw-sim-cli-')),
    '    probe: cmsis-dap-v2\n    device: STM32F103RB',
  );
  const cmsisServer = await runCli(['sim', '--stlink-server', '127.0.0.1:7199', '-c', cmsis], {
    cwd: dir,
  });
  t.is(cmsisServer.code, 2);
  t.regex(
    cmsisServer.stderr + cmsisServer.stdout,
    /serves a virtual ST-Link, but probe\.options\.probe is cmsis-dap-v2/,
  );
});
