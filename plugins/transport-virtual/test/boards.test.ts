/** Several virtual boards behind one recipe: listed, opened by serial, each its own chip UID. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { isFlashwrightError } from '@flashwright/core';
import type { Logger } from '@flashwright/core/plugin';
import { createVirtualTransport, generatedSerial, generatedUid } from '../src/index.js';

const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

test('boards: N lists N probes with generated serials; each opens by serial with its own UID and state', async (t) => {
  const recipeDir = mkdtempSync(join(tmpdir(), 'fw-boards-'));
  const options = { device: 'STM32F411RE', boards: 3, state: 'b/{serial}.json' };
  const transport = createVirtualTransport();
  const listed = await transport.list(undefined, { options, recipeDir, log });
  t.deepEqual(
    listed.map((l) => l.serial),
    ['VB0001', 'VB0002', 'VB0003'],
  );
  for (const serial of ['VB0002', 'VB0003']) {
    const probe = await transport.open({ serial, options, recipeDir, log });
    await probe.connect();
    const memory = (
      probe as unknown as { memory: { read(a: number, n: number): Promise<Uint8Array> } }
    ).memory;
    // STM32F411 unique ID at 0x1FFF7A10 (RM0383 section 24.2).
    const uid = Buffer.from(await memory.read(0x1fff7a10, 12)).toString('hex');
    t.is(uid, generatedUid(Number(serial.slice(2)) - 1));
    t.is(probe.info.serial, serial);
    await probe.close();
    t.true(existsSync(join(recipeDir, 'b', `${serial}.json`)));
  }
  t.is(generatedSerial(0), 'VB0001');
});

test('a board whose present file is missing is unplugged; one without its powered file reads 0 V', async (t) => {
  const recipeDir = mkdtempSync(join(tmpdir(), 'fw-boards-'));
  const options = {
    device: 'STM32F411RE',
    boards: [
      { serial: 'A', present: 'a.plugged' },
      { serial: 'B', powered: 'b.powered', uid: '00112233445566778899aabb' },
    ],
  };
  const transport = createVirtualTransport();
  const list = async () =>
    (await transport.list(undefined, { options, recipeDir, log })).map((l) => l.serial);
  t.deepEqual(await list(), ['B']);
  const unplugged = await t.throwsAsync(transport.open({ serial: 'A', options, recipeDir, log }));
  t.true(isFlashwrightError(unplugged) && unplugged.code === 'PROBE_NOT_FOUND');
  writeFileSync(join(recipeDir, 'a.plugged'), '');
  t.deepEqual(await list(), ['A', 'B']);
  const b = await transport.open({ serial: 'B', options, recipeDir, log });
  t.is(await b.targetVoltage?.(), 0);
  await b.close();
  writeFileSync(join(recipeDir, 'b.powered'), '');
  const powered = await transport.open({ serial: 'B', options, recipeDir, log });
  t.true(((await powered.targetVoltage?.()) ?? 0) > 3);
  await powered.close();
});

test('bad boards options are recipe errors with did-you-mean', async (t) => {
  const recipeDir = mkdtempSync(join(tmpdir(), 'fw-boards-'));
  const transport = createVirtualTransport();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ boards: 0 }, /count from 1 to 1000/],
    [{ boards: 1001 }, /count from 1 to 1000/],
    [
      { boards: [{ serail: 'x' }] },
      /boards\[0\]\.serail: unknown option \(did you mean serial\?\)/,
    ],
    [{ boards: [{ uid: '12' }] }, /24 hex digits/],
    [{ boards: [{ serial: 'x' }, { serial: 'x' }] }, /"x" is used by two boards/],
    [{ boards: 2, state: 'one.json' }, /put \{serial\} in the path/],
  ];
  for (const [options, message] of cases) {
    const error = await t.throwsAsync(transport.list(undefined, { options, recipeDir, log }));
    t.true(isFlashwrightError(error) && error.code === 'RECIPE_INVALID', String(message));
    t.regex(error?.message ?? '', message);
  }
  const ambiguous = await t.throwsAsync(
    transport.open({ options: { device: 'STM32F411RE', boards: 2 }, recipeDir, log }),
  );
  t.true(isFlashwrightError(ambiguous) && ambiguous.code === 'PROBE_AMBIGUOUS');
});
