// Cross-checks the device data against the part catalogue derived from ST's CMSIS device
// family packs (data/catalogue.csv, written by scripts/extract-cmsis-catalogue.js; CI cannot
// fetch the packs, so the test runs on the committed table).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  bankLayout,
  findStm32Device,
  parsePartNumber,
  ramRegionsOf,
  type Stm32DeviceData,
} from '../src/index.js';

interface Region {
  readonly start: number;
  readonly bytes: number;
}

interface CatalogueRow {
  readonly part: string;
  readonly family: string;
  readonly flashKiB: number;
  readonly banks: number | undefined;
  readonly ram: readonly { readonly start: number; readonly bytes: number }[];
  readonly eeprom: { readonly start: number; readonly bytes: number } | undefined;
}

const region = (text: string): { start: number; bytes: number } => {
  const [start = '', bytes = ''] = text.split('+');
  return { start: Number.parseInt(start, 16), bytes: Number.parseInt(bytes, 16) };
};

const rows: CatalogueRow[] = readFileSync(
  new URL('../../data/catalogue.csv', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .slice(1)
  .map((line) => {
    const [part = '', family = '', flash = '', banks = '', ram = '', eeprom = ''] = line.split(',');
    return {
      part,
      family,
      flashKiB: Number(flash),
      banks: banks === '' ? undefined : Number(banks),
      ram: ram === '' ? [] : ram.split(' ').map(region),
      eeprom: eeprom === '' ? undefined : region(eeprom),
    };
  });

/**
 * Parts flashwright does not identify: no DEV_ID of STM32G411xC or STM32G414 has been
 * published (AN2606, the CMSIS packs and headers, OpenOCD, stlink and probe-rs name none).
 */
const notCovered = /^STM32(G411.C|G414)/;

/** The devices a part resolves to, or [] when it does not resolve. */
function resolve(part: string): Stm32DeviceData[] {
  const devices = (parsePartNumber(part)?.devIds ?? []).map(findStm32Device);
  return devices.every((d) => d !== undefined) ? devices : [];
}

/** RAM from 0x20000000 on, as one run of adjacent regions (the range `ramBytes` describes). */
function mainRamBytes(row: CatalogueRow): number {
  let end = 0x20000000;
  for (const r of row.ram) if (r.start === end) end += r.bytes;
  return end - 0x20000000;
}

const resolved = rows.filter((r) => resolve(r.part).length > 0);

test('the catalogue holds the parts of every STM32 series pack', (t) => {
  t.true(rows.length > 2000);
  for (const series of ['C0', 'F0', 'F2', 'F3', 'F4', 'F7', 'G0', 'G4', 'H5', 'H7', 'L0', 'L1']) {
    t.true(
      rows.some((r) => r.part.startsWith(`STM32${series}`)),
      series,
    );
  }
  for (const series of ['L4', 'L5', 'U0', 'U3', 'U5', 'WB', 'WBA', 'WL']) {
    t.true(
      rows.some((r) => r.part.startsWith(`STM32${series}`)),
      series,
    );
  }
});

test('at least 99% of the catalogue part numbers resolve to known device ids', (t) => {
  const covered = rows.filter((r) => !notCovered.test(r.part));
  const unresolved = covered.filter((r) => resolve(r.part).length === 0).map((r) => r.part);
  t.log(
    `resolved ${resolved.length} of ${rows.length} parts (${((100 * resolved.length) / rows.length).toFixed(1)}%); unresolved: ${rows
      .filter((r) => resolve(r.part).length === 0)
      .map((r) => r.part)
      .join(', ')}`,
  );
  t.deepEqual(unresolved, []);
  t.true(resolved.length / rows.length >= 0.99);
});

test('flash size from the part number agrees with the catalogue for at least 99% of resolved parts', (t) => {
  const disagree = resolved.filter((r) => {
    const part = parsePartNumber(r.part);
    return !resolve(r.part).some(
      (d) => Math.min(part?.flashKiB ?? d.maxFlashKiB, d.maxFlashKiB) === r.flashKiB,
    );
  });
  t.log(
    `flash agrees for ${resolved.length - disagree.length} of ${resolved.length} (${((100 * (resolved.length - disagree.length)) / resolved.length).toFixed(1)}%); disagrees for ${disagree.map((r) => `${r.part} ${r.flashKiB}`).join(', ')}`,
  );
  t.true(disagree.length / resolved.length <= 0.01);
});

test("every part's RAM at 0x20000000 fits its device id's RAM, for at least 99% of resolved parts", (t) => {
  const disagree = resolved.filter(
    (r) => !resolve(r.part).some((d) => d.ramBytes !== undefined && mainRamBytes(r) <= d.ramBytes),
  );
  t.log(
    `RAM beyond ramBytes for ${disagree.length}: ${disagree.map((r) => `${r.part} ${mainRamBytes(r)}`).join(', ')}`,
  );
  t.true(disagree.length / resolved.length <= 0.01);
});

const sameRegions = (a: readonly Region[], b: readonly Region[]): boolean => {
  const text = (regions: readonly Region[]): string =>
    regions
      .map((r) => `${r.start.toString(16)}+${r.bytes.toString(16)}`)
      .sort()
      .join(' ');
  return text(a) === text(b);
};

test("each part's RAM regions, every region at its own address, agree with the catalogue for at least 99% of resolved parts", (t) => {
  const disagree = resolved.filter(
    (r) => !resolve(r.part).some((d) => sameRegions(ramRegionsOf(d, r.part), r.ram)),
  );
  t.log(
    `RAM regions agree for ${resolved.length - disagree.length} of ${resolved.length} resolved parts (${((100 * (resolved.length - disagree.length)) / resolved.length).toFixed(1)}%); disagree: ${disagree.map((r) => r.part).join(', ')}`,
  );
  t.true(disagree.length / resolved.length <= 0.01);
});

test('RAM per part where parts of one id differ: F101C8 10 KiB, F103C8 20 KiB, F205RB 64 KiB, F205RG 128 KiB, F303VE with its CCM', (t) => {
  const ram = (part: string): string => {
    const [devId] = parsePartNumber(part)?.devIds ?? [];
    const device = devId === undefined ? undefined : findStm32Device(devId);
    if (device === undefined) return 'unresolved';
    return ramRegionsOf(device, part)
      .map((r) => `${r.start.toString(16)}+${r.bytes / 1024}K`)
      .join(' ');
  };
  t.is(ram('STM32F101C8T6'), '20000000+10K');
  t.is(ram('STM32F103C8T6'), '20000000+20K');
  t.is(ram('STM32F101VG'), '20000000+80K');
  t.is(ram('STM32F205RB'), '20000000+64K');
  t.is(ram('STM32F205RG'), '20000000+128K');
  t.is(ram('STM32F303VE'), '20000000+64K 10000000+16K');
  t.is(ram('STM32F303CC'), '20000000+40K 10000000+8K');
  t.is(ram('STM32L151C6T6A'), '20000000+16K');
  // Without a part number (identified by DEV_ID alone): the regions most parts of the id have.
  const f205 = findStm32Device(0x411);
  t.deepEqual(f205 && ramRegionsOf(f205), [{ start: 0x20000000, bytes: 0x20000 }]);
});

test('the bank count agrees where the pack lists each bank', (t) => {
  const listed = resolved.filter((r) => r.banks !== undefined);
  t.true(listed.length > 0);
  // Where an option bit selects the bank mode (G4 DBANK), the pack may list either layout.
  const disagree = listed.filter(
    (r) =>
      !resolve(r.part).some((d) =>
        [false, ...(d.dualBank?.modeBits !== undefined ? [true] : [])].some(
          (dualBank) => bankLayout(d, Math.ceil(r.flashKiB), { dualBank }).length === r.banks,
        ),
      ),
  );
  t.deepEqual(
    disagree.map((r) => `${r.part} ${r.banks}`),
    [],
  );
});

test('flash size, RAM regions and banks all agree for at least 99% of resolved parts', (t) => {
  const agree = resolved.filter((r) => {
    const part = parsePartNumber(r.part);
    return resolve(r.part).some(
      (d) =>
        Math.min(part?.flashKiB ?? d.maxFlashKiB, d.maxFlashKiB) === r.flashKiB &&
        sameRegions(ramRegionsOf(d, r.part), r.ram) &&
        (r.banks === undefined ||
          [false, ...(d.dualBank?.modeBits !== undefined ? [true] : [])].some(
            (dualBank) => bankLayout(d, Math.ceil(r.flashKiB), { dualBank }).length === r.banks,
          )),
    );
  });
  t.log(
    `all three agree for ${agree.length} of ${resolved.length} resolved parts (${((100 * agree.length) / resolved.length).toFixed(1)}%)`,
  );
  t.true(agree.length / resolved.length >= 0.99);
});

test('the committed src/generated/part-ram.ts is what the catalogue derives', (t) => {
  const script = fileURLToPath(new URL('../../scripts/derive-part-ram.js', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
});
