// Bundles the CLI for publishing, with commander, core, zod, yaml, listr2 and the built-in
// plugins inside:
// - dist/bundle/cli.cjs: the whole CLI as one CommonJS file. Each `import()` of the sources
//   (core, listr2, every plugin) stays lazy: its modules run only when a command needs them.
//   One CommonJS file is what V8's code cache can take on every Node version (Node 20 has
//   none for ES modules, see src/code-cache.ts), and a cached start reads one file instead
//   of some 200 modules or 40 chunks.
// - dist/bundle/bin.cjs (the `flashwright` command, src/bundle-bin.ts): loads cli.cjs with
//   the code cache of the command that runs.
// - dist/bundle/index.js (`main` for programs): cli.cjs's exports as an ES module.
// Runs after `tsc -b` (root `pnpm build`, and `pnpm pack`).
//
// Left outside, as dependencies of the published package: `usb` (a native addon with
// prebuilt binaries beside its own files), `node-hid` (the same, for CMSIS-DAP v1), cosmiconfig (loaded for TypeScript recipes only;
// it finds `typescript` in the user's project) and @flashwright/configs (board presets read
// as files). @flashwright/production (the production database, with the native
// better-sqlite3 and pg) is an optional peer dependency: only `log` and the production
// commands import it, and a project that programs no production line does not install it. The bundled packages' licenses go to dist/bundle/THIRD-PARTY-LICENSES.txt.
//
// Only files whose content changed are written, and stale ones removed: `pnpm pack`
// rebundles while tests may be running the bundle.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { tokenizer } from 'acorn';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(packageDir, 'dist/bundle');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

/** Packages the bundle imports at run time instead of containing them. */
const bundleExternals = [
  'usb',
  'node-hid',
  'cosmiconfig',
  '@flashwright/configs',
  '@flashwright/production',
];

/**
 * `yaml` as its ES module build (browser/dist, what its `default` export condition names: the
 * same modules as the CommonJS build Node's `node` condition picks, less a debug log that
 * reads process.env). ES modules are joined into the chunk as they are, where CommonJS ones
 * each get a wrapper and an exports object: a fifth less code to load and run for a recipe.
 */
const yamlModuleBuild = {
  name: 'yaml-module-build',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, async ({ path, kind, resolveDir, pluginData }) => {
      if (pluginData === yamlModuleBuild.name) return undefined;
      const commonJs = await build.resolve(path, {
        kind,
        resolveDir,
        pluginData: yamlModuleBuild.name,
      });
      if (commonJs.errors.length > 0) return { errors: commonJs.errors };
      return { path: join(dirname(commonJs.path), '../browser/dist/index.js') };
    });
  },
};

const commonJs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  // `import.meta` of the ES module sources, for a CommonJS file.
  inject: [join(packageDir, 'scripts/import-meta-shim.js')],
  // Less text to read at start-up; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
};
const importMeta = {
  'import.meta.url': 'importMetaUrl',
  'import.meta.resolve': 'importMetaResolve',
};

const cli = await build({
  ...commonJs,
  absWorkingDir: packageDir,
  entryPoints: ['dist/src/index.js'],
  outfile: join(outdir, 'cli.cjs'),
  external: bundleExternals,
  plugins: [yamlModuleBuild],
  // The bundle sits elsewhere than src/version.js: the version is written in.
  define: { ...importMeta, FLASHWRIGHT_CLI_VERSION: JSON.stringify(manifest.version) },
});
const [cliFile] = cli.outputFiles;
cliFile.contents = Buffer.from(callerImports(cliFile.text));
const bin = await build({
  ...commonJs,
  absWorkingDir: packageDir,
  entryPoints: ['dist/src/bundle-bin.js'],
  outfile: join(outdir, 'bin.cjs'),
  // Names the code cache: a cache is never used for another cli.cjs.
  define: {
    ...importMeta,
    FLASHWRIGHT_BUNDLE_HASH: JSON.stringify(
      createHash('sha256').update(cliFile.contents).digest('hex').slice(0, 16),
    ),
  },
});

const files = new Map([...cli.outputFiles, ...bin.outputFiles].map((f) => [f.path, f.contents]));
// Node reads cli.cjs's exports without running it (esbuild marks them for cjs-module-lexer).
files.set(join(outdir, 'index.js'), "export { main } from './cli.cjs';\n");
files.set(join(outdir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(cli.metafile));
// What the bundle holds and how its modules import each other (not published):
// https://esbuild.github.io/analyze/
files.set(join(packageDir, 'dist/bundle-meta.json'), JSON.stringify(cli.metafile));
for (const [path, contents] of files) writeIfChanged(path, contents);
for (const entry of existsSync(outdir) ? readdirSync(outdir, { withFileTypes: true }) : []) {
  const path = join(outdir, entry.name);
  if (!files.has(path)) rmSync(path, { recursive: true });
}

/**
 * Makes every `import(...)` in the bundle `__flashwrightImport(...)`, the import() of the
 * code that loads it: an import() compiled from V8's code cache fails on Node 20 (see
 * src/code-cache.ts). Loaded by Node's require() instead (index.js), the bundle has no such
 * argument and uses its own import().
 */
function callerImports(text) {
  const prelude = '"use strict";';
  if (!text.startsWith(prelude)) throw new Error('bundle: cli.cjs does not start in strict mode');
  const starts = [];
  let previous;
  // Tokens, not text: an `import(` inside a string or a regular expression stays as it is.
  for (const token of tokenizer(text, { ecmaVersion: 'latest', sourceType: 'script' })) {
    if (token.type.label === '(' && previous?.type.keyword === 'import')
      starts.push(previous.start);
    previous = token;
  }
  let rewritten = text;
  for (const start of starts.reverse()) {
    rewritten = `${rewritten.slice(0, start)}__flashwrightImport${rewritten.slice(start + 'import'.length)}`;
  }
  return `${prelude}var __flashwrightImport=__flashwrightImport??((specifier,options)=>import(specifier,options));${rewritten.slice(prelude.length)}`;
}

function writeIfChanged(path, contents) {
  const bytes = Buffer.from(contents);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes, { mode: path.endsWith('/bin.cjs') ? 0o755 : 0o644 });
}

/** The name, version, license and license text of every npm package inside the bundle. */
function thirdPartyLicenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match === null) continue;
    const dir = resolve(packageDir, match[1]);
    if (packages.has(dir)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.name.startsWith('@flashwright/')) continue;
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    packages.set(dir, {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license ?? 'see the package',
      text: licenseFile === undefined ? undefined : readFileSync(join(dir, licenseFile), 'utf8'),
    });
  }
  const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
  const sections = sorted.map((p) =>
    [
      `${p.name}@${p.version} (${p.license})`,
      '',
      p.text?.trim() ?? '(no license file in the package)',
    ].join('\n'),
  );
  return `The flashwright CLI bundle contains these packages:\n\n${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

if (!existsSync(join(outdir, 'bin.cjs'))) throw new Error('bundle: dist/bundle/bin.cjs missing');
