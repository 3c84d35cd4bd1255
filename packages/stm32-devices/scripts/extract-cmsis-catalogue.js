// Derives the part catalogue (../data/catalogue.csv) from the device descriptions (.pdsc) of
// ST's CMSIS device family packs (Keil.STM32*_DFP, Apache-2.0). Not run by the build or CI,
// which cannot fetch the packs; run it by hand after cloning the pack repositories:
//
//   node scripts/extract-cmsis-catalogue.js <pack repo dir>... > data/catalogue.csv
//
// Each directory is a git clone (or bare git dir) of an Open-CMSIS-Pack/STM32*_DFP repository;
// the commit and the pack version of its newest <release> are written as provenance.
//
// Per part (the pdsc <device Dname>): the sub-family, the flash size (the sum of the read-only,
// non-alias memories at the flash address (see isFlashAddress), bounded by the default flash algorithm there),
// the number of banks where the pdsc
// describes the banks as separate memories (FLASH_Bank1/FLASH_Bank2), every RAM region at its
// own address (read-write memories that are not secure aliases), and the data EEPROM where an
// EEPROM flash algorithm covers it. Memories and algorithms of the family and sub-family
// apply to the devices below them, as the CMSIS-Pack specification (pdsc_family_pg.html)
// defines; a device's element of the same name replaces the inherited one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) =>
    ['family', 'subFamily', 'device', 'memory', 'algorithm', 'release'].includes(name),
});

function git(dir, ...args) {
  const gitDir = existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
  return execFileSync('git', ['--git-dir', gitDir, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** owner/name from the remote URL, or from a /work/.mirror style "owner+name" directory. */
function repoName(dir) {
  let url = '';
  try {
    url = git(dir, 'config', '--get', 'remote.origin.url').trim();
  } catch {
    // no remote configured
  }
  if (url !== '') return url.replace(/^.*github\.com[/:]|\.git$/g, '');
  const part = dir.split('/').find((p) => p.includes('+'));
  return part === undefined ? dir : part.replace('+', '/');
}

const num = (text) => Number.parseInt(String(text).trim(), 16);

/** The memories and algorithms of one level, keyed by name so that deeper levels replace them. */
function collect(node, inherited) {
  const memories = new Map(inherited.memories);
  for (const m of node.memory ?? []) memories.set(m.name ?? m.id, m);
  const algorithms = new Map(inherited.algorithms);
  for (const a of node.algorithm ?? []) algorithms.set(`${a.name}@${a.start}`, a);
  return { memories, algorithms };
}

/**
 * Main flash: at 0x08000000 on the STM32 flash controller, at 0x10040000 on STM32WB0x and
 * STM32WL3x (their packs' Main_Flash; the BlueNRG-LP flash controller, RM0530 "Memory map").
 */
const isFlashAddress = (start) =>
  (start >= 0x08000000 && start < 0x0c000000) || start === 0x10040000;

function isFlash(m) {
  const id = m.id ?? '';
  const access = m.access ?? (id.startsWith('IROM') ? 'rx' : id.startsWith('IRAM') ? 'rwx' : '');
  return !access.includes('w') && m.alias === undefined && isFlashAddress(num(m.start));
}

function isRam(m) {
  const id = m.id ?? '';
  const access = m.access ?? (id.startsWith('IRAM') ? 'rwx' : '');
  return access.includes('w') && m.alias === undefined;
}

/**
 * Regions sorted by start, overlapping ones merged: the STM32WB05/WB06 packs list SRAM0 at
 * 0x20000018 inherited from the sub-family and SRAM1 at 0x20000000 covering it on the device.
 */
function mergeOverlapping(regions) {
  const out = [];
  for (const r of regions) {
    const last = out.at(-1);
    if (last !== undefined && r.start < last.start + last.bytes) {
      last.bytes = Math.max(last.bytes, r.start + r.bytes - last.start);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

function describe(device, family, levels) {
  const memories = [...levels.memories.values()];
  const flash = memories.filter(isFlash);
  // Some memory elements are larger than the flash (STM32F730I8 lists 1 MiB of its 64 KiB);
  // the default flash algorithm at 0x08000000 then bounds the size. (Algorithms alone do not
  // do: one H7 algorithm serves parts of 1 and 2 MiB.)
  const algorithms = [...levels.algorithms.values()].filter(
    (a) => a.default === '1' || String(a.default).trim() === '1',
  );
  const mainAlgorithms = algorithms.filter((a) => [0x08000000, 0x10040000].includes(num(a.start)));
  const memoryBytes = flash.reduce((sum, m) => sum + num(m.size), 0);
  const flashBytes = Math.min(memoryBytes, ...mainAlgorithms.map((a) => num(a.size)));
  const banked = flash.filter((m) => /bank/i.test(m.name ?? ''));
  const ram = mergeOverlapping(
    memories
      .filter(isRam)
      .map((m) => ({ start: num(m.start), bytes: num(m.size) }))
      .sort((a, b) => a.start - b.start),
  );
  const eeprom = [...levels.algorithms.values()].find((a) => /EEPROM/i.test(a.name));
  const hex = (n) => n.toString(16);
  return [
    device.Dname,
    family,
    flashBytes / 1024,
    banked.length > 1 ? banked.length : '',
    ram.map((r) => `${hex(r.start)}+${hex(r.bytes)}`).join(' '),
    eeprom ? `${hex(num(eeprom.start))}+${hex(num(eeprom.size))}` : '',
  ].join(',');
}

const rows = [];
const provenance = [];
for (const dir of process.argv.slice(2)) {
  const commit = git(dir, 'rev-parse', 'HEAD').trim();
  const file = git(dir, 'ls-tree', '--name-only', 'HEAD')
    .split('\n')
    .find((f) => /^Keil\.STM32.*\.pdsc$/.test(f));
  if (file === undefined) throw new Error(`${dir}: no Keil.STM32*.pdsc at HEAD`);
  const doc = parser.parse(git(dir, 'show', `HEAD:${file}`)).package;
  const repo = repoName(dir);
  const version = doc.releases.release[0].version;
  provenance.push(`# ${repo}@${commit} ${file} pack ${version}`);
  const none = { memories: new Map(), algorithms: new Map() };
  for (const family of doc.devices.family) {
    const atFamily = collect(family, none);
    const groups = [
      ...(family.subFamily ?? []).map((s) => ({ node: s, name: s.DsubFamily })),
      { node: family, name: family.Dfamily },
    ];
    for (const { node, name } of groups) {
      const atGroup = node === family ? atFamily : collect(node, atFamily);
      for (const device of node.device ?? []) {
        rows.push(describe(device, name.replace(/ Series$/, ''), collect(device, atGroup)));
      }
    }
  }
}

rows.sort();
process.stdout.write(
  [
    '# STM32 part catalogue, derived by scripts/extract-cmsis-catalogue.js from the device',
    "# descriptions of ST's CMSIS device family packs (Apache-2.0: Copyright STMicroelectronics).",
    '# Columns: part, sub-family, flash KiB, banks (where the pack lists each bank),',
    '# RAM regions (hex start+bytes), data EEPROM (hex start+bytes).',
    ...provenance,
    'part,family,flashKiB,banks,ram,eeprom',
    ...rows,
    '',
  ].join('\n'),
);
