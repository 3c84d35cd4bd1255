import test from 'ava';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Value imports and re-exports of a source file (`import type` and `import()` excluded). */
function staticImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const [, kind, specifier] of text.matchAll(
    /^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gm,
  )) {
    if (kind === undefined && specifier !== undefined) specifiers.push(specifier);
  }
  return specifiers;
}

/**
 * The source files that start-up loads: bin.ts, main.ts (which bin.ts imports once Node's
 * compile cache is on) and what they import statically, transitively.
 */
async function startupFiles(): Promise<Map<string, string[]>> {
  const reached = new Map<string, string[]>();
  const pending = [join(src, 'bin.ts'), join(src, 'main.ts')];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    const imports = staticImports(await readFile(file, 'utf8'));
    reached.set(file, imports);
    for (const specifier of imports) {
      if (specifier.startsWith('.')) {
        pending.push(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      }
    }
  }
  return reached;
}

// `flashwright --version` and `--help` stay fast because nothing of core or the plugins is
// loaded at start-up: the modules that import them (full-core.ts, standalone-core.ts, the
// plugins in builtin-plugins.ts) are reached only through import() when a command runs.
test('start-up imports neither core nor a plugin: those load with import()', async (t) => {
  const reached = await startupFiles();
  t.true(reached.has(join(src, 'commands/run.ts')) && reached.has(join(src, 'context.ts')));
  t.false(reached.has(join(src, 'full-core.ts')) || reached.has(join(src, 'standalone-core.ts')));
  const offenders = [...reached].flatMap(([file, imports]) =>
    imports
      .filter((specifier) => /^(@flashwright\/|listr2$)/.test(specifier))
      .map((specifier) => `${relative(src, file)}: ${specifier}`),
  );
  t.deepEqual(offenders, []);
});

test('the scan sees a value import of core in a module loaded at start-up', (t) => {
  t.deepEqual(
    staticImports(
      "import type { A } from '@flashwright/core';\nimport { B } from '@flashwright/core/runner';\n",
    ),
    ['@flashwright/core/runner'],
  );
});
