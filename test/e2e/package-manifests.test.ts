/**
 * Issue 17: every published package can be installed on its own. Its package.json says what
 * it ships (`files`), where its entry points and types are (`exports`, `types`), its license
 * and what it needs at run time (`dependencies`), and it has a README. The published
 * manifest is checked: pnpm applies `publishConfig` when packing (the CLI's bundle).
 * pack-install.test.ts then installs the real tarballs.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './helpers/cli.js';
import {
  exportTargets,
  isPublished,
  publishedManifest,
  publishedPackages,
  type WorkspacePackage,
} from './helpers/packages.js';

const packages = publishedPackages();

/** The package a bare specifier names: "@scope/name" or "name". */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The packages a published package imports at run time: the bare imports (static and
 * `import()`) of every module reachable from its entry points, as esbuild resolves them. The
 * CLI's bundle calls `__flashwrightImport("name")` where its sources say `import("name")`
 * (packages/cli/scripts/bundle.js): those count too.
 */
async function runtimeImports(pkg: WorkspacePackage): Promise<string[]> {
  const manifest = publishedManifest(pkg.manifest);
  const entries = [...exportTargets(manifest), ...Object.values(manifest.bin ?? {})]
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(repoRoot, pkg.dir, file));
  if (entries.length === 0) return [];
  const result = await esbuild.build({
    entryPoints: entries,
    bundle: true,
    write: false,
    outdir: '/nonexistent',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.inputs).flatMap((input) =>
    // <runtime>: esbuild's own helpers, for the CommonJS file it reads.
    input.imports.filter((i) => i.external && i.path !== '<runtime>').map((i) => i.path),
  );
  for (const input of Object.keys(result.metafile.inputs)) {
    const text = readFileSync(resolve(input), 'utf8');
    for (const [, name] of text.matchAll(/__flashwrightImport\("([^"]+)"\)/g)) imports.push(name!);
  }
  const builtins = new Set(builtinModules);
  return [...new Set(imports.map(packageOf))]
    .filter((name) => !name.startsWith('node:') && !builtins.has(name))
    .sort();
}

test('the repository has an MIT LICENSE held by the flashwright contributors', (t) => {
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  t.true(license.startsWith('MIT License'));
  t.regex(license, /Copyright \(c\) \d{4} flashwright contributors/);
});

test('the scan sees every published package', (t) => {
  const names = packages.map((p) => p.manifest.name);
  t.true(names.includes('@flashwright/cli') && names.includes('@flashwright/configs'));
  t.true(names.length >= 14, names.join(', '));
  t.false(names.includes('@flashwright/e2e'), 'the test package is private');
});

for (const pkg of packages) {
  const { name } = pkg.manifest;
  const manifest = publishedManifest(pkg.manifest);

  test(`${name}: MIT, an ES module package for Node 20.19+, with a README`, (t) => {
    t.is(manifest.license, 'MIT');
    t.is(manifest.type, 'module');
    t.is(manifest.engines?.node, '>=20.19');
    const readme = join(repoRoot, pkg.dir, 'README.md');
    t.true(existsSync(readme), `${pkg.dir}/README.md`);
    t.true(readFileSync(readme, 'utf8').startsWith(`# ${name}\n`), 'the README names the package');
  });

  test(`${name}: exports with types, and files that ship every entry point`, (t) => {
    const files = manifest.files ?? [];
    t.true(files.length > 0, '"files" lists what is published');
    t.true(Object.keys(manifest.exports ?? {}).length > 0, '"exports" is set');
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === 'string') {
        t.false(target.endsWith('.js'), `${subpath}: a module needs its types`);
        continue;
      }
      // TypeScript reads the first condition that matches: "types" must come first.
      t.deepEqual(Object.keys(target), ['types', 'default'], `${subpath}: types, then default`);
      t.true(target.types?.endsWith('.d.ts'), `${subpath}: types is a declaration file`);
    }
    const root = manifest.exports?.['.'];
    if (typeof root === 'object') t.is(manifest.types, root.types, '"types" is the root types');
    const shipped = [...exportTargets(manifest), ...Object.values(manifest.bin ?? {})];
    if (manifest.types !== undefined) shipped.push(manifest.types);
    for (const file of shipped) {
      t.true(isPublished(files, file.replace('*', 'x')), `${file} is in "files"`);
    }
  });

  test(`${name}: the entry points exist after the build`, (t) => {
    const targets = [...exportTargets(pkg.manifest), ...exportTargets(manifest)];
    for (const target of new Set(targets)) {
      const path = join(repoRoot, pkg.dir, target.replace('/*', ''));
      t.true(existsSync(path), `${pkg.dir}/${target} (run pnpm build)`);
    }
  });

  test(`${name}: every package its published code imports is a dependency`, async (t) => {
    const imported = await runtimeImports(pkg);
    const dependencies = Object.keys(manifest.dependencies ?? {});
    // An optional peer (the CLI's @flashwright/production) is imported by the commands that
    // need it, which say how to install it when it is missing.
    const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(
        ([name, meta]) => meta.optional === true && manifest.peerDependencies?.[name] !== undefined,
      )
      .map(([name]) => name);
    t.deepEqual(
      imported.filter((dep) => !dependencies.includes(dep) && !optionalPeers.includes(dep)),
      [],
      'imported at run time but not a dependency or an optional peer dependency',
    );
    const devOnly = Object.keys(manifest.devDependencies ?? {});
    t.deepEqual(
      dependencies.filter((dep) => devOnly.includes(dep)),
      [],
      'listed both as a dependency and as a devDependency',
    );
  });
}

test('isPublished reads "files" as npm does', (t) => {
  const files = ['dist/src', '!dist/src/**/*.map', 'dist/test/helpers/x.js'];
  t.true(isPublished(files, './dist/src/index.js'));
  t.true(isPublished(files, 'dist/src/deep/a.d.ts'));
  t.false(isPublished(files, 'dist/src/deep/a.js.map'));
  t.false(isPublished(files, 'dist/test/other.js'));
  t.true(isPublished(files, 'dist/test/helpers/x.js'));
  t.true(isPublished(['dist/src/**/*.d.ts'], 'dist/src/output/reporter.d.ts'));
  t.false(isPublished(['dist/src/**/*.d.ts'], 'dist/src/main.js'));
});
