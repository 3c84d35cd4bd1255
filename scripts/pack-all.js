// `pnpm pack:all [DIR]`: packs every published package of the workspace (all but the private
// test package) with `pnpm pack`, as `pnpm publish` would, into DIR (default: packed/), and
// prints the tarballs. Run `pnpm build` first. The packages are not on the npm registry yet:
// install these tarballs instead (README: Quick start; test/e2e/pack-install.test.ts does).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const destination = resolve(process.argv[2] ?? join(root, 'packed'));
mkdirSync(destination, { recursive: true });

// pnpm replaces `workspace:*` ranges with the versions, applies `publishConfig` (the CLI's
// bundle) and runs each package's `prepack`.
const pack = spawnSync(
  'pnpm',
  ['--recursive', '--filter=!@flashwright/e2e', 'pack', '--pack-destination', destination],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' },
);
if (pack.status !== 0) {
  process.stderr.write(`pnpm pack failed (exit ${pack.status ?? pack.signal})\n`);
  process.exit(1);
}
for (const file of readdirSync(destination)
  .filter((f) => f.endsWith('.tgz'))
  .sort()) {
  process.stdout.write(`${join(destination, file)}\n`);
}
