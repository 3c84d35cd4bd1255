// Generates src/generated/devices.ts from the device data files in data/ (one YAML file per
// product line, see data/README.md). Runs before `tsc -b` in the root `pnpm build`, so a data
// file with an unknown key, a missing key or a wrong type fails the build, naming the file,
// line, device and key. The output is plain TypeScript: nothing is parsed at run time.
//
//   node scripts/generate-devices.js            write the module (only when it changed)
//   node scripts/generate-devices.js --check    exit 1 when the committed module is stale
//   --data <dir> --out <file>                   other locations (tests)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { deviceSchema, entrySchema, lineFileSchema } from './device-schema.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `STM32L4+` lives in l4plus.yaml, `STM32WBA` in wba.yaml. */
function fileNameFor(line) {
  return `${line.slice('STM32'.length).toLowerCase().replace('+', 'plus')}.yaml`;
}

/** Turns zod issues into messages, each with the YAML path of the node it is about. */
function describeIssues(issues, input, at) {
  const out = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const name = (keys) => keys.join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: [...at, ...path], key, text: `unknown key '${name([...path, key])}'` });
      }
      continue;
    }
    let value = input;
    for (const p of path) value = value?.[p];
    if (value === undefined) {
      const where = [...at, ...path.slice(0, -1)];
      out.push({ path: where, text: `missing required key '${name(path)}'` });
    } else {
      out.push({ path: [...at, ...path], text: `'${name(path)}': ${issue.message}` });
    }
  }
  return out;
}

/** 1-based line of the node at `path` (or of `key` in the map there), else of its nearest parent. */
function lineOf(doc, lineCounter, path, key) {
  for (let p = path; ; p = p.slice(0, -1)) {
    const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
    if (node?.range) {
      const pair =
        key !== undefined && isMap(node) ? node.items.find((i) => i.key?.value === key) : undefined;
      return lineCounter.linePos(pair?.key?.range?.[0] ?? node.range[0]).line;
    }
    if (p.length === 0) return 1;
  }
}

/** Reads and checks one data file; returns its devices, merged with the defaults. */
function loadLineFile(file, errors) {
  const fromCwd = relative(process.cwd(), file);
  const shown = fromCwd.startsWith('..') ? file : fromCwd;
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const message = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      errors.push(`${shown}:${e.linePos?.[0]?.line ?? 1}: ${message}`);
    }
    return [];
  }
  const data = doc.toJS();
  const report = (items, label) => {
    for (const item of items) {
      const line = lineOf(doc, lineCounter, item.path, item.key);
      errors.push(`${shown}:${line}: ${label}${item.text}`);
    }
  };
  const top = lineFileSchema.safeParse(data);
  if (!top.success) {
    report(describeIssues(top.error.issues, data, []), '');
    return [];
  }
  const defaultsChecked = entrySchema.safeParse(top.data.defaults);
  if (!defaultsChecked.success) {
    report(
      describeIssues(defaultsChecked.error.issues, top.data.defaults, ['defaults']),
      'defaults: ',
    );
    return [];
  }
  const { line, defaults, devices } = top.data;
  const expected = fileNameFor(line);
  if (basename(file) !== expected) {
    errors.push(`${shown}:1: line ${line} belongs in ${expected} (one file per product line)`);
  }
  const out = [];
  devices.forEach((entry, index) => {
    const at = ['devices', index];
    const label =
      typeof entry.devId === 'number'
        ? `device 0x${entry.devId.toString(16)}${typeof entry.name === 'string' ? ` (${entry.name})` : ''}: `
        : `device #${index + 1}: `;
    const repeated = Object.keys(entry).filter(
      (k) => k in defaults && isDeepStrictEqual(entry[k], defaults[k]),
    );
    for (const key of repeated) {
      report([{ path: at, key, text: `'${key}' repeats the line default; remove it` }], label);
    }
    const checked = entrySchema.safeParse(entry);
    if (!checked.success) {
      report(describeIssues(checked.error.issues, entry, at), label);
      return;
    }
    const merged = deviceSchema.safeParse({ ...defaults, ...entry, line });
    if (!merged.success) {
      report(describeIssues(merged.error.issues, { ...defaults, ...entry }, at), label);
      return;
    }
    out.push(merged.data);
  });
  // Shared values are written once: a key every device sets to one value belongs in defaults.
  if (devices.length > 1) {
    for (const key of Object.keys(devices[0] ?? {})) {
      if (devices.every((d) => key in d && isDeepStrictEqual(d[key], devices[0][key]))) {
        errors.push(
          `${shown}:${lineOf(doc, lineCounter, ['devices', 0], key)}: every device sets '${key}' to the same value; move it to defaults`,
        );
      }
    }
  }
  return out;
}

/** All devices of all data files, in file-name order, or the errors that stop the build. */
function loadDevices(dataDir) {
  const errors = [];
  const files = readdirSync(dataDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  if (files.length === 0) errors.push(`${dataDir}: no .yaml data files`);
  const devices = files.flatMap((f) => loadLineFile(join(dataDir, f), errors));
  const seen = new Map();
  for (const d of devices) {
    const other = seen.get(d.devId);
    if (other) errors.push(`device 0x${d.devId.toString(16)}: in both ${other} and ${d.line}`);
    seen.set(d.devId, d.line);
  }
  return { devices, errors };
}

/**
 * The generated module's text: the table as JSON text given to JSON.parse, one device per
 * line. V8 parses JSON several times faster than the same object literal, which it must
 * compile as code (https://v8.dev/blog/cost-of-javascript-2019#json); the table is loaded
 * whenever a command resolves an STM32 part, `run --dry-run` included.
 */
function renderModule(devices) {
  const rows = devices.map((device) => `  ${JSON.stringify(device)},`).join('\n');
  const json = `[\n${rows.slice(0, -1)}\n]`;
  // Inside a template literal only \, ` and ${ are special.
  const text = json.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
  return [
    '// Generated by packages/stm32-devices/scripts/generate-devices.js from data/*.yaml: do not',
    '// edit. Change the data files and run `pnpm build` (or `pnpm --filter',
    '// @flashwright/stm32-devices generate`).',
    "import type { Stm32DeviceData } from '../types.js';",
    '',
    `export const stm32Devices = JSON.parse(\`${text}\`) as readonly Stm32DeviceData[];`,
    '',
  ].join('\n');
}

function main() {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: join(packageDir, 'data') },
      out: { type: 'string', default: join(packageDir, 'src', 'generated', 'devices.ts') },
      check: { type: 'boolean', default: false },
    },
  });
  const { devices, errors } = loadDevices(values.data);
  if (errors.length > 0) {
    process.stderr.write(
      `STM32 device data is invalid:\n${errors.map((e) => `  ${e}\n`).join('')}`,
    );
    process.exitCode = 1;
    return;
  }
  const text = renderModule(devices);
  const current = existsSync(values.out) ? readFileSync(values.out, 'utf8') : undefined;
  if (values.check) {
    if (current !== text) {
      process.stderr.write(
        `${values.out} is stale: run \`pnpm --filter @flashwright/stm32-devices generate\`\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
  if (current === text) return;
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, text);
  process.stdout.write(
    `wrote ${relative(process.cwd(), values.out)} (${devices.length} devices)\n`,
  );
}

main();
