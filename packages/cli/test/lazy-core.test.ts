import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

// `flashwright --version` and `--help` stay fast because nothing of core or the plugins is
// imported at start-up: the CLI names their types statically and loads the code with
// import() when a command runs (context.ts).
test('the CLI imports core and the plugins only as types or with import()', async (t) => {
  const offenders: string[] = [];
  let typeImports = 0;
  for (const file of await sourceFiles(src)) {
    const text = await readFile(file, 'utf8');
    for (const [statement, kind] of text.matchAll(
      /^(?:import|export)\s+(type\s+)?[^;]*?from\s+'@flashwright\/[^']+';/gm,
    )) {
      if (kind === undefined) offenders.push(`${file.slice(src.length)}: ${statement}`);
      else typeImports++;
    }
  }
  t.true(typeImports > 5, 'the scan sees the type imports');
  t.deepEqual(offenders, []);
});
