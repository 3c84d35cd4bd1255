// Bundles the CLI for publishing: dist/bundle/bin.js (the `flashwright` command) and
// dist/bundle/index.js (`main` for programs), with commander, core, zod, yaml, listr2 and the
// built-in plugins inside. Start-up is then a few files instead of some 200 modules, and each
// `import()` of the sources (core, listr2, every plugin) stays a chunk of its own that loads
// only when a command needs it. Runs after `tsc -b` (root `pnpm build`, and `pnpm pack`).
//
// Left outside, as dependencies of the published package: `usb` (a native addon with
// prebuilt binaries beside its own files), `node-hid` (the same, for CMSIS-DAP v1), cosmiconfig (loaded for TypeScript recipes only;
// it finds `typescript` in the user's project) and @flashwright/configs (board presets read
// as files). @flashwright/production (the production database, with the native
// better-sqlite3 and pg) is an optional peer dependency: only `log` and the production
// commands import it, and a project that programs no production line does not install it. The bundled packages' licenses go to dist/bundle/THIRD-PARTY-LICENSES.txt.
//
// Only files whose content changed are written (chunk names carry a hash of their content),
// and stale ones removed: `pnpm pack` rebundles while tests may be running the bundle.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
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

const result = await build({
  absWorkingDir: packageDir,
  entryPoints: { bin: 'dist/src/bin.js', index: 'dist/src/index.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: bundleExternals,
  plugins: [yamlModuleBuild],
  // The bundle's chunks sit elsewhere than src/version.js: the version is written in.
  define: { FLASHWRIGHT_CLI_VERSION: JSON.stringify(manifest.version) },
  // Less text to parse at start-up; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS packages inside an ES module bundle (commander, nrf-intel-hex) call require(),
  // through esbuild's __require, which lives in one chunk. Every chunk gets the banner, so
  // it makes the require function only when called: createRequire costs about as much as
  // loading a small chunk, and all but one chunk never call it.
  banner: {
    js: "import { createRequire as __flashwrightCreateRequire } from 'node:module'; let __flashwrightRequire; const require = (id) => (__flashwrightRequire ??= __flashwrightCreateRequire(import.meta.url))(id);",
  },
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
files.set(join(outdir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(result.metafile));
// What each chunk holds, for start-up work (not published): https://esbuild.github.io/analyze/
files.set(join(packageDir, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));
for (const [path, contents] of files) writeIfChanged(path, contents);
for (const dir of [outdir, join(outdir, 'chunks')]) {
  for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    const path = join(dir, entry.name);
    if (entry.isFile() && !files.has(path)) rmSync(path);
  }
}

function writeIfChanged(path, contents) {
  const bytes = Buffer.from(contents);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes, { mode: path.endsWith('/bin.js') ? 0o755 : 0o644 });
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

if (!existsSync(join(outdir, 'bin.js'))) throw new Error('bundle: dist/bundle/bin.js missing');
