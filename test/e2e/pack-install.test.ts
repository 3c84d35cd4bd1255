/**
 * Issue 17: the packages install and work outside the workspace. `pnpm pack:all` packs every
 * published package as `pnpm publish` would; the tarballs are then installed into fresh
 * projects in the temporary directory, where nothing of the workspace can be found:
 *
 * - the README's quick start, word for word: `npm i -D` of the CLI, core and configs
 *   tarballs, then `npx flashwright flash` and `run` program a virtual board. The built-in
 *   plugins come from the CLI's bundle; `usb` and cosmiconfig from its dependencies.
 * - every package at once with pnpm and no hoisting, so that each package sees only its own
 *   dependencies: every entry point of every package is imported, and the CLI runs with the
 *   plugins installed in the project.
 *
 * A package that misses a runtime dependency or a file fails here. Registry packages (zod,
 * usb, ...) come from the npm cache when they are there (--prefer-offline).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';
import { publishedPackages } from './helpers/packages.js';

/** The quick start's commands: program a file, and run the recipe, on a virtual board. */
const FLASH_ARGS = ['flash', 'app.hex', '--probe', 'virtual', '--json'];
const RUN_ARGS = ['run', '--probe', 'virtual', '--json'];

const TIMEOUT_MS = 5 * 60_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell; npm and pnpm see no workspace variables of this run. */
function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(npm_|pnpm_|FLASHWRIGHT_)/i.test(key)) env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function describeRun(what: string, result: Run): string {
  return `${what} exited ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;
}

/** The last NDJSON line: the summary every command ends with. */
function summaryOf(stdout: string): Record<string, unknown> {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

/** A 16-byte Intel HEX image at 0x08000000 (an initial stack pointer and three vectors). */
const APP_HEX = ':020000040800F2\n:10000000000000200D0100080F0100081101000888\n:00000001FF\n';

/** The README's quick-start recipe. */
const RECIPE = 'extends: board:rak5205\nimage: app.hex\n';

async function freshProject(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{"name":"firmware","private":true}\n');
  await writeFile(join(dir, 'flashwright.config.yaml'), RECIPE);
  await writeFile(join(dir, 'app.hex'), APP_HEX);
  // Loaded by cosmiconfig, which then needs typescript: not installed in these projects.
  await writeFile(join(dir, 'typed-recipe.ts'), 'export default { image: "app.hex" };\n');
  return dir;
}

let work: string;
let tarballs: Map<string, string>;

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flashwright-pack-'));
  const packed = join(work, 'packed');
  const pack = await run(
    process.execPath,
    [join(repoRoot, 'scripts/pack-all.js'), packed],
    repoRoot,
  );
  if (pack.code !== 0) throw new Error(describeRun('pnpm pack:all', pack));
  tarballs = new Map();
  for (const file of await readdir(packed)) {
    const name = /^flashwright-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(file)?.[1];
    if (name !== undefined) tarballs.set(`@flashwright/${name}`, join(packed, file));
  }
});

test.after.always(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test.serial('pack:all packs every published package', (t) => {
  t.deepEqual(
    [...tarballs.keys()].sort(),
    publishedPackages().map((p) => p.manifest.name),
  );
});

test.serial('the quick start: npm installs the CLI, and it programs a virtual board', async (t) => {
  t.timeout(TIMEOUT_MS);
  const project = await freshProject(join(work, 'quick-start'));
  const wanted = ['@flashwright/cli', '@flashwright/core', '@flashwright/configs'];
  const install = await run(
    'npm',
    [
      'install',
      '--save-dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...wanted.map((name) => tarballs.get(name) ?? name),
    ],
    project,
  );
  t.is(install.code, 0, describeRun('npm install', install));
  t.deepEqual(
    (await readdir(join(project, 'node_modules/@flashwright'))).sort(),
    ['cli', 'configs', 'core'],
    'no plugin package is installed: they come from the CLI',
  );

  const version = await run('npx', ['flashwright', '--version'], project);
  t.is(version.stdout.trim(), '0.1.0', describeRun('--version', version));

  for (const args of [FLASH_ARGS, RUN_ARGS]) {
    const programmed = await run('npx', ['flashwright', ...args], project);
    t.is(programmed.code, 0, describeRun(args.join(' '), programmed));
    t.like(summaryOf(programmed.stdout), { status: 'ok', exitCode: 0, result: { verified: true } });
    t.regex(programmed.stdout, /STM32L1/, 'the board preset and the STM32 family were found');
  }

  // `usb` loads from the CLI's dependencies: no USB subsystem here, but no missing module.
  const probes = await run(
    'npx',
    ['flashwright', 'probes', '--probe', 'stlink', '--json'],
    project,
  );
  t.is(probes.code, 0, describeRun('probes --probe stlink', probes));
  t.notRegex(probes.stdout, /could not be loaded|Cannot find (package|module)/);

  const convert = await run('npx', ['flashwright', 'convert', 'app.hex', 'app.bin'], project);
  t.is(convert.code, 0, describeRun('convert', convert));
});

test.serial(
  'every package installs on its own dependencies, with pnpm and no hoisting',
  async (t) => {
    t.timeout(TIMEOUT_MS);
    const project = await freshProject(join(work, 'all-packages'));
    const specs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'firmware',
        private: true,
        dependencies: specs,
        pnpm: { overrides: specs },
      }),
    );
    // Without hoisting, a package that imports an undeclared dependency fails to load.
    await writeFile(join(project, '.npmrc'), 'hoist=false\n');
    const install = await run('pnpm', ['install', '--prefer-offline'], project);
    t.is(install.code, 0, describeRun('pnpm install', install));

    // Imports every module entry point and resolves every data file of every package.
    const check = `
    import { readFileSync, readdirSync } from 'node:fs';
    import { join } from 'node:path';
    const loaded = [];
    for (const dir of readdirSync('node_modules/@flashwright')) {
      const root = join('node_modules/@flashwright', dir);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        const specifier = manifest.name + subpath.slice(1);
        if (typeof target === 'object') await import(specifier);
        else if (specifier.endsWith('/*')) {
          for (const file of readdirSync(join(root, subpath.slice(2, -2)))) {
            import.meta.resolve(specifier.replace('*', file));
          }
        } else import.meta.resolve(specifier);
        loaded.push(specifier);
      }
    }
    console.log(JSON.stringify(loaded));
  `;
    await writeFile(join(project, 'check.mjs'), check);
    const imported = await run(process.execPath, ['check.mjs'], project);
    t.is(imported.code, 0, describeRun('importing every entry point', imported));
    const loaded = JSON.parse(imported.stdout) as string[];
    t.true(loaded.includes('@flashwright/core/loader') && loaded.includes('@flashwright/cli'));
    t.true(loaded.length >= 20, loaded.join(', '));

    // The CLI with the project's own plugins (and their copy of core).
    const flash = await run(join(project, 'node_modules/.bin/flashwright'), FLASH_ARGS, project);
    t.is(flash.code, 0, describeRun(FLASH_ARGS.join(' '), flash));
    t.like(summaryOf(flash.stdout), { status: 'ok', exitCode: 0, result: { verified: true } });

    // A TypeScript recipe loads cosmiconfig, which asks for typescript: cosmiconfig itself
    // must be found, so the error names typescript.
    const ts = await run(
      join(project, 'node_modules/.bin/flashwright'),
      ['run', '--dry-run', '-c', 'typed-recipe.ts'],
      project,
    );
    t.is(ts.code, 2, describeRun('a TypeScript recipe', ts));
    t.regex(ts.stderr, /typescript package is not installed/);
  },
);
