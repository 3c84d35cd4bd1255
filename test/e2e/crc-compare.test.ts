/**
 * Incremental flashing's compare by CRC-32 on the chip, through the CLI on virtual hardware:
 * the real ST-Link transport, the STM32 simulator running flashwright's CRC routine on its
 * Thumb interpreter. The erase step's counts say what was read through the probe
 * (`readBytes`) and what the chip checksummed (`crcBytes`). `auto` (the default) picks the
 * CRC for an F411 behind an ST-Link V2 and the readback for an L151 behind a V3; partly
 * covered sectors keep their other bytes; where the CRC cannot run (flash.loader: host, an
 * nRF52, which has no routine) the sectors are read back.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { project, runCli, runEvents, stepEnd, type CliEvents } from './helpers/cli.js';

const IMAGE_BYTES = 32 * 1024;

function pattern(bytes: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: bytes }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return 1 + ((x >>> 24) % 254);
  });
}

interface Setup {
  readonly device: string;
  readonly probe: string;
  readonly speedKhz: number;
  readonly erase?: string;
  readonly extra?: readonly string[];
  readonly family?: string;
  readonly image?: string;
}

function recipe(s: Setup): string {
  return [
    'probe:',
    '  transport: virtual',
    `  speed: ${s.speedKhz}`,
    `  options: { probe: ${s.probe}, device: ${s.device}, state: board.json, timing: instant }`,
    `target: { family: ${s.family ?? 'stm32'}, device: ${s.device} }`,
    ...(s.extra ?? []),
    s.image ?? `image: { file: app.bin, base: ${s.family === 'nrf' ? '0x0' : '0x08000000'} }`,
    `steps: [connect, { erase: ${s.erase ?? 'auto'} }, write, verify]`,
    '',
  ].join('\n');
}

/** Programs the image once, then runs again with the same image: the erase step's end. */
async function secondRun(
  setup: Setup,
): Promise<{ erase: Record<string, unknown>; all: CliEvents }> {
  const data = pattern(IMAGE_BYTES, 3);
  const cwd = await project({ 'flashwright.config.yaml': recipe(setup), 'app.bin': data });
  await runEvents(cwd);
  const all = await runEvents(cwd);
  return { erase: stepEnd(all, 'erase'), all };
}

test('auto, F411 behind an ST-Link V2: unchanged sectors are found by the CRC, nothing read back', async (t) => {
  const { erase, all } = await secondRun({
    device: 'STM32F411RE',
    probe: 'stlink-v2',
    speedKhz: 4000,
  });
  t.like(erase['counts'], {
    erasedSectors: 0,
    unchangedSectors: 2,
    readBytes: 0,
    crcBytes: IMAGE_BYTES,
    comparedBytes: IMAGE_BYTES,
  });
  t.regex(String(erase['summary']), /left untouched, compared by CRC-32 on the chip$/);
  t.like(stepEnd(all, 'verify')['counts'], { verifiedBytes: IMAGE_BYTES });
});

test('auto, L151 behind an ST-Link V3: reading back is cheaper, and is what happens', async (t) => {
  const { erase } = await secondRun({
    device: 'STM32L151CBxxA',
    probe: 'stlink-v3',
    speedKhz: 24000,
  });
  t.like(erase['counts'], { erasedSectors: 0, readBytes: IMAGE_BYTES, crcBytes: 0 });
  t.regex(String(erase['summary']), /compared by reading back 32 KB$/);
});

test('explicit modes are honoured: crc on the L151 behind a V3, readback on the F411 behind a V2', async (t) => {
  const crc = await secondRun({
    device: 'STM32L151CBxxA',
    probe: 'stlink-v3',
    speedKhz: 24000,
    erase: '{ mode: auto, compare: crc }',
  });
  t.like(crc.erase['counts'], { unchangedSectors: 128, readBytes: 0, crcBytes: IMAGE_BYTES });
  const readback = await secondRun({
    device: 'STM32F411RE',
    probe: 'stlink-v2',
    speedKhz: 4000,
    erase: '{ mode: auto, compare: readback }',
  });
  t.like(readback.erase['counts'], { readBytes: IMAGE_BYTES, crcBytes: 0 });
});

test('a changed, partly covered sector keeps its other bytes; only those are read', async (t) => {
  // First the whole of sectors 0 and 1 (16 KiB each); then an image of sector 0 unchanged and
  // 4 KiB inside sector 1 changed.
  const setup: Setup = { device: 'STM32F411RE', probe: 'stlink-v2', speedKhz: 4000 };
  const data = pattern(IMAGE_BYTES, 5);
  const cwd = await project({ 'flashwright.config.yaml': recipe(setup), 'app.bin': data });
  await runEvents(cwd);
  const patch = pattern(4096, 9);
  await writeFile(join(cwd, 'head.bin'), data.subarray(0, 16 * 1024));
  await writeFile(join(cwd, 'patch.bin'), patch);
  const twoFiles = [
    'image:',
    '  - { file: head.bin, base: 0x08000000 }',
    '  - { file: patch.bin, base: 0x08005000 }',
  ].join('\n');
  await writeFile(join(cwd, 'flashwright.config.yaml'), recipe({ ...setup, image: twoFiles }));
  const events = await runEvents(cwd);
  const erase = stepEnd(events, 'erase');
  // Kept: 0x08004000..0x08004FFF and 0x08006000..0x08007FFF, 12 KiB, read before the erase.
  t.like(erase['counts'], { erasedSectors: 1, unchangedSectors: 1, readBytes: 12 * 1024 });
  t.regex(String(erase['summary']), /kept 12 KB of existing data/);
  const read = await runCli(['read', '0x08000000', String(IMAGE_BYTES), '-o', 'back.bin'], {
    cwd,
  });
  t.is(read.code, 0, read.stderr);
  const expected = Uint8Array.from(data);
  expected.set(patch, 0x5000);
  t.deepEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), expected);
});

test('where the CRC cannot run the sectors are read back: flash.loader: host, an nRF52', async (t) => {
  const host = await secondRun({
    device: 'STM32F411RE',
    probe: 'stlink-v2',
    speedKhz: 4000,
    extra: ['flash: { loader: host }'],
    erase: '{ mode: auto, compare: crc }',
  });
  t.like(host.erase['counts'], { unchangedSectors: 2, readBytes: IMAGE_BYTES, crcBytes: 0 });
  t.true(
    host.all.some((e) =>
      /CRC-32 on the chip not used: flash\.loader is host/.test(String(e['message'])),
    ),
  );

  const nrf = await secondRun({
    device: 'nRF52840',
    family: 'nrf',
    probe: 'stlink-v3',
    speedKhz: 4000,
    erase: '{ mode: auto, compare: crc }',
  });
  t.like(nrf.erase['counts'], { erasedSectors: 0, readBytes: IMAGE_BYTES, crcBytes: 0 });
  t.true(
    nrf.all.some(
      (e) =>
        e['type'] === 'warning' &&
        /has no on-chip CRC; comparing by readback instead/.test(String(e['message'])),
    ),
  );
});
