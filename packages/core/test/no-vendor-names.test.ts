/**
 * Core knows target families only through the plugin API's typed contracts (option-field
 * roles, Device.flashSize, probe-warning codes, family hazards). This test keeps it that
 * way: no STM32 register name, option-field name or read-protection byte in core's source,
 * comments and READMEs included, so that a new family needs no change to core.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** STM32 option-field and register names (whole words, case as ST writes them). */
const vendorNames = [
  'WDG_SW',
  'IWDG_SW',
  'IWDG1_SW',
  'WWDG_SW',
  'nRST_STOP',
  'nRST_STDBY',
  'nRST_SHDW',
  'NRST_STOP_D1',
  'NRST_STBY_D1',
  'nSWBOOT0',
  'nBOOT0',
  'nBOOT1',
  'nBOOT_SEL',
  'BOOT_SEL',
  'BOOT_ADD0',
  'BOOT_ADD1',
  'BFB2',
  'BOR_LEV',
  'DUALBANK',
  'DUAL_BANK',
  'DB1M',
  'DBANK',
  'nDBANK',
  'nWRP',
  'WRP0',
  'WRP01',
  'WRP23',
  'WPSN1',
  'WPSN2',
  'WRP1A_STRT',
  'OPTCR',
  'OPTR',
  'OPTSR',
  'WRPR',
  'DBGMCU',
  'IWDG',
  'DEV_ID',
  'REV_ID',
  'flashSizeRaw',
  'flashSizeSource',
];

/** STM32 read-protection bytes: 0xAA (level 0), 0xBB/0x55 (level 1), 0xCC (level 2), 0xA5 (F1 level 0). */
const rdpBytes = /\b0x0*(aa|bb|cc|55|a5)\b/i;

const namePattern = new RegExp(`\\b(${vendorNames.join('|')})\\b`);

/** Each offending line as "file:line: text". */
function offences(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    const found = namePattern.exec(line)?.[1] ?? rdpBytes.exec(line)?.[0];
    return found === undefined ? [] : [`${file}:${index + 1}: ${found} in "${line.trim()}"`];
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat();
}

test('the check finds a vendor name or read-protection byte where one is', (t) => {
  t.is(offences('x.ts', 'const a = 1;\nvalues["nSWBOOT0"] === 0').length, 1);
  t.is(offences('x.ts', 'raw === 0xCC').length, 1);
  t.is(offences('x.ts', 'raw === 0x0cc').length, 1);
  t.deepEqual(offences('x.ts', 'const mask = 0xCCC; // nSWBOOT01 is not a name'), []);
});

test('core’s source names no STM32 register, option field or read-protection byte', async (t) => {
  const files = await filesUnder(src);
  t.true(files.length > 50, `core's source was found at ${src}`);
  const found = (
    await Promise.all(
      files.map(async (file) => offences(relative(src, file), await readFile(file, 'utf8'))),
    )
  ).flat();
  t.deepEqual(
    found,
    [],
    'Core reasons about option-field roles (plugin/types.ts OptionFieldRole), Device.flashSize, probe-warning codes and Device.optionHazards; move this knowledge into the family plugin.',
  );
});
