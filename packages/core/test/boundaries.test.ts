import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// DESIGN.md: core imports neither usb, net nor listr2; progress leaves core as typed events.
// The ESLint rule catches it at lint time; this test catches it in `pnpm test` too.
const core = fileURLToPath(new URL('../../', import.meta.url));
const forbidden = ['usb', 'listr2', 'net', 'node:net'];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

test('core sources import neither usb, net nor listr2', async (t) => {
  const files = await sourceFiles(join(core, 'src'));
  t.true(files.length > 20, 'the scan sees core’s sources');
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(
      /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g,
    )) {
      const specifier = match[1] ?? '';
      if (forbidden.includes(specifier) || forbidden.some((f) => specifier.startsWith(`${f}/`))) {
        offenders.push(`${file}: ${specifier}`);
      }
    }
  }
  t.deepEqual(offenders, []);
});

test('core’s package.json depends on neither usb nor listr2', async (t) => {
  const manifest = JSON.parse(await readFile(join(core, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const deps = {
    ...manifest.dependencies,
    ...manifest.devDependencies,
    ...manifest.peerDependencies,
    ...manifest.optionalDependencies,
  };
  t.true('zod' in deps, 'the scan reads the real manifest');
  t.deepEqual(
    Object.keys(deps).filter((d) => forbidden.includes(d)),
    [],
  );
});
