/**
 * Incremental flashing through the CLI on virtual hardware (issue: one contract between core
 * and target families): the same 128 KB image written twice erases and programs nothing the
 * second time, and says so; with the first byte changed only the first sector is erased and
 * programmed, while verify still covers the whole image.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { project, runCli, runEvents, stepEnd, type CliEvents } from './helpers/cli.js';

const FLASH = 0x08000000;
const IMAGE_BYTES = 128 * 1024;

interface Part {
  readonly device: string;
  /** Size of the first sector (page): what a changed first byte erases. */
  readonly firstSectorBytes: number;
}

const parts: readonly Part[] = [
  { device: 'STM32L476RG', firstSectorBytes: 2048 },
  { device: 'STM32F411RE', firstSectorBytes: 16 * 1024 },
  { device: 'STM32L151CBxxA', firstSectorBytes: 256 },
];

function image(seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: IMAGE_BYTES }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

function recipe(device: string): string {
  return [
    'probe:',
    '  transport: virtual',
    `  options: { probe: stlink-v2, device: ${device}, state: board.json }`,
    `target: { family: stm32, device: ${device} }`,
    'image: { file: app.bin, base: 0x08000000 }',
    'steps: [connect, { erase: auto }, write, verify]',
    '',
  ].join('\n');
}

function journal(events: CliEvents): { erased: unknown[]; written: unknown[] } {
  const summary = events.at(-1) as { journal?: { erased: unknown[]; written: unknown[] } };
  return summary.journal ?? { erased: [], written: [] };
}

for (const part of parts) {
  test(`${part.device}: the same image twice, then one byte changed`, async (t) => {
    const data = image(part.device.length);
    const cwd = await project({ 'flashwright.config.yaml': recipe(part.device), 'app.bin': data });

    const first = await runEvents(cwd);
    t.like(stepEnd(first, 'erase')['counts'], { unchangedSectors: 0 });

    const second = await runEvents(cwd);
    const erase = stepEnd(second, 'erase');
    t.like(erase['counts'], { erasedSectors: 0 });
    t.true(((erase['counts'] as { unchangedSectors: number }).unchangedSectors ?? 0) > 0);
    t.regex(String(erase['summary']), /erased nothing, .* already hold the image: left untouched/);
    t.like(stepEnd(second, 'write'), { status: 'skipped', bytes: 0 });
    t.regex(String(stepEnd(second, 'write')['summary']), /nothing to write/);
    t.like(stepEnd(second, 'verify')['counts'], { verifiedBytes: IMAGE_BYTES });
    t.deepEqual(journal(second).written, []);
    t.deepEqual(journal(second).erased, []);

    const changed = Uint8Array.from(data);
    changed[0] = (changed[0] ?? 0) ^ 0xff;
    await writeFile(join(cwd, 'app.bin'), changed);
    const third = await runEvents(cwd);
    const firstSector = { start: FLASH, end: FLASH + part.firstSectorBytes };
    t.like(stepEnd(third, 'erase')['counts'], { erasedSectors: 1 });
    t.deepEqual(journal(third).written, [firstSector]);
    t.like(stepEnd(third, 'verify')['counts'], { verifiedBytes: IMAGE_BYTES });

    // The board holds the changed image: a read of the whole range equals it.
    const read = await runCli(['read', '0x08000000', String(IMAGE_BYTES), '-o', 'back.bin'], {
      cwd,
    });
    t.is(read.code, 0, read.stderr);
    const { readFile } = await import('node:fs/promises');
    t.deepEqual(new Uint8Array(await readFile(join(cwd, 'back.bin'))), changed);

    // --force rewrites every touched sector.
    const forced = await runEvents(cwd, ['--force']);
    t.like(stepEnd(forced, 'erase')['counts'], { unchangedSectors: 0, comparedBytes: 0 });
    t.deepEqual(journal(forced).written, [{ start: FLASH, end: FLASH + IMAGE_BYTES }]);
  });
}
