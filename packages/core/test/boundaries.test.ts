import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Core imports neither usb, net nor listr2 (transports own USB and sockets, the CLI renders
// progress, which leaves core as typed events).
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

/**
 * The folders of core's src (config, plugin, pipeline, diagnose, ...) as a graph: an edge
 * for every relative import from a file in one folder to a file in another, with the files
 * that make it. Files directly in src and in src/exports are entry points, not a layer.
 */
async function folderGraph(): Promise<Map<string, Map<string, string[]>>> {
  const src = join(core, 'src');
  const graph = new Map<string, Map<string, string[]>>();
  const folderOf = (file: string): string | undefined => {
    const parts = relative(src, file).split(sep);
    return parts.length < 2 || parts[0] === 'exports' ? undefined : parts[0];
  };
  for (const file of await sourceFiles(src)) {
    const from = folderOf(file);
    if (from === undefined) continue;
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
      const to = folderOf(resolve(dirname(file), match[1] ?? ''));
      if (to === undefined || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), relative(src, file)]);
    }
  }
  return graph;
}

/** Every cycle of folders, as "a -> b -> a (a/x.ts, b/y.ts)". */
function cycles(graph: Map<string, Map<string, string[]>>): string[] {
  const found = new Set<string>();
  const walk = (path: readonly string[]): void => {
    const last = path.at(-1) ?? '';
    for (const next of graph.get(last)?.keys() ?? []) {
      const at = path.indexOf(next);
      if (at === 0) {
        const loop = [...path, next];
        const files = loop.slice(1).map((to, i) => graph.get(loop[i] ?? '')?.get(to)?.[0]);
        // One spelling per cycle: start from its smallest folder name.
        const start = path.indexOf([...path].sort()[0] ?? '');
        if (start === 0) found.add(`${loop.join(' -> ')} (${files.join(', ')})`);
      } else if (at < 0) {
        walk([...path, next]);
      }
    }
  };
  for (const folder of graph.keys()) walk([folder]);
  return [...found];
}

test('no two folders of core import each other, directly or round a loop', async (t) => {
  const graph = await folderGraph();
  // The layering the scan must see: the pipeline words its failures with diagnose's
  // explanations; diagnose (doctor included) stands below the pipeline.
  t.truthy(graph.get('pipeline')?.get('diagnose'), 'the scan sees pipeline -> diagnose');
  t.is(graph.get('diagnose')?.get('pipeline'), undefined, 'diagnose imports nothing of pipeline');
  t.deepEqual(cycles(graph), []);
});

test('the cycle finder reports a loop of folders', (t) => {
  const graph = new Map([
    ['a', new Map([['b', ['a/x.ts']]])],
    ['b', new Map([['c', ['b/y.ts']]])],
    ['c', new Map([['a', ['c/z.ts']]])],
  ]);
  t.deepEqual(cycles(graph), ['a -> b -> c -> a (a/x.ts, b/y.ts, c/z.ts)']);
  graph.get('c')?.delete('a');
  t.deepEqual(cycles(graph), []);
});
