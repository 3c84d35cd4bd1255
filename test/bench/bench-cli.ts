import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The `flashwright` the benchmarks run: the published bundle (built by `pnpm build`), or the
 * build FLASHWRIGHT_BENCH_CLI names, e.g. packages/cli/dist/src/bin.js (the compiled sources,
 * as the tests run them) or the bin.js of another checkout, to compare.
 */
export function benchCli(): { readonly bin: string; readonly label: string } {
  const override = process.env.FLASHWRIGHT_BENCH_CLI;
  const bin = resolve(repo, override ?? 'packages/cli/dist/bundle/bin.cjs');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: run pnpm build`);
  return { bin, label: override ?? 'packages/cli/dist/bundle/bin.cjs (the published bundle)' };
}
