import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stm32Devices } from '../src/index.js';

/** packages/stm32-devices, from dist/test. */
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const generator = join(packageDir, 'scripts', 'generate-devices.js');
const dataDir = join(packageDir, 'data');

function generate(...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [generator, ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** Runs the generator on a copy of the data files with `edit` applied to `file`. */
function generateEdited(
  file: string,
  edit: (text: string) => string,
): { status: number | null; stderr: string; wrote: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'stm32-data-'));
  try {
    cpSync(dataDir, join(dir, 'data'), { recursive: true });
    const path = join(dir, 'data', file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the edit did not change ${file}`);
    writeFileSync(path, after);
    const out = join(dir, 'devices.ts');
    const result = generate('--data', join(dir, 'data'), '--out', out);
    return { ...result, wrote: existsSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the committed src/generated/devices.ts is what the data files generate', (t) => {
  const result = generate('--check');
  t.is(result.status, 0, result.stderr);
});

test('the generated module holds the table as JSON text, which V8 parses faster than code', (t) => {
  // The table loads whenever a command resolves an STM32 part (run --dry-run included).
  const text = readFileSync(join(packageDir, 'src', 'generated', 'devices.ts'), 'utf8');
  const json = /= JSON\.parse\(`([^`]*)`\) as readonly Stm32DeviceData\[\];\n$/.exec(text)?.[1];
  if (json === undefined) return t.fail('devices.ts does not end in JSON.parse(`...`)');
  // Undo the template literal's escapes (\\, \` and \${) to get the JSON text back.
  const unescaped = json.replace(/\\(\\|`|\$\{)/g, '$1');
  t.deepEqual(JSON.parse(unescaped) as unknown, stm32Devices);
});

test('the data files hold exactly the device table of the former src/devices.ts', (t) => {
  // The fixture was dumped from the hand-written TypeScript table before it moved to
  // data/*.yaml; the move must not change a single value.
  const before: unknown = JSON.parse(
    readFileSync(join(packageDir, 'test', 'fixtures', 'devices-before.json'), 'utf8'),
  );
  t.deepEqual(JSON.parse(JSON.stringify(stm32Devices)) as unknown, before);
});

test('an unknown key in a device fails the generator, naming file, line, device and key', (t) => {
  const result = generateEdited('f4.yaml', (s) =>
    s.replace('    name: STM32F42x/F43x\n', '    name: STM32F42x/F43x\n    flashBse: 0x08000000\n'),
  );
  t.is(result.status, 1);
  t.false(result.wrote);
  t.regex(result.stderr, /f4\.yaml:\d+: device 0x419 \(STM32F42x\/F43x\): unknown key 'flashBse'/);
});

test('an unknown key nested in the defaults fails the generator', (t) => {
  const result = generateEdited('h7.yaml', (s) =>
    s.replace('bank2Base: 0x52002100 }', 'bank2Base: 0x52002100, bank3Base: 0 }'),
  );
  t.is(result.status, 1);
  t.regex(result.stderr, /h7\.yaml:\d+: defaults: unknown key 'controller\.bank3Base'/);
});

test('a missing required key fails the generator', (t) => {
  const result = generateEdited('l1.yaml', (s) => s.replace('    maxFlashKiB: 256\n', ''));
  t.is(result.status, 1);
  t.false(result.wrote);
  t.regex(
    result.stderr,
    /l1\.yaml:\d+: device 0x427 \([^)]+\)\): missing required key 'maxFlashKiB'/,
  );
});

test('a value of the wrong type or an unknown layout kind fails the generator', (t) => {
  const wrongType = generateEdited('g0.yaml', (s) =>
    s.replace('  erasedValue: 0xff', "  erasedValue: '0xff'"),
  );
  t.regex(wrongType.stderr, /g0\.yaml:\d+: defaults: 'erasedValue': .*expected number/);
  const wrongKind = generateEdited('l4.yaml', (s) => s.replace('kind: bker', 'kind: bkr'));
  t.regex(wrongKind.stderr, /l4\.yaml:\d+: device 0x415 .*'dualBank\.select\.kind'/);
});

test('shared values are written once: repeating the default or sharing a value fails', (t) => {
  const repeated = generateEdited('c0.yaml', (s) =>
    s.replace('    name: STM32C011\n', '    name: STM32C011\n    writeUnitBytes: 8\n'),
  );
  t.regex(repeated.stderr, /c0\.yaml:\d+: device 0x443 \(STM32C011\): 'writeUnitBytes' repeats/);
  const shared = generateEdited('u3.yaml', (s) =>
    s.replace(/(\n {2}- devId: 0x[0-9a-f]+\n)/g, '$1    dataEepromBase: 0x08080000\n'),
  );
  t.regex(shared.stderr, /u3\.yaml:\d+: every device sets 'dataEepromBase' to the same value/);
});

test('a device id in two files fails the generator', (t) => {
  const result = generateEdited('u3.yaml', (s) => s.replace(/devId: 0x[0-9a-f]+/, 'devId: 0x413'));
  t.is(result.status, 1);
  t.regex(result.stderr, /device 0x413: in both STM32F4 and STM32U3/);
});
