/**
 * Seeded fuzz test of everything flashwright reads: Intel HEX, S-record, ELF and raw binary
 * images, and recipes in YAML and JSON. Valid seeds from test/fixtures and configs/ are
 * mutated (a few thousand mutants per kind, the same ones for the same FUZZ_SEED) and fed
 * to the parsers and the recipe loader directly, and one in ten to the CLI's main in this
 * process. Every outcome must be a result or a FlashwrightError that is not internal (exit
 * 1); a recipe error must say where (file and line); Object.prototype must stay untouched.
 *
 * Reproduce a failure with the FUZZ_SEED it prints (each mutant's seed derives from it, its
 * kind and its number); FUZZ_COUNT sets mutants per kind, FUZZ_EXAMPLES examples shown.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { parse as parseYaml } from 'yaml';
import { type FlashwrightError, isFlashwrightError } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import type { ImageFormat } from '@flashwright/core/plugin';
import { loadRecipe } from '@flashwright/core/runner';
import { binFormat } from '@flashwright/format-bin';
import { elfFormat } from '@flashwright/format-elf';
import { ihexFormat } from '@flashwright/format-ihex';
import { srecFormat } from '@flashwright/format-srec';
import {
  cliProblem,
  describeThrown,
  Findings,
  mutantSeed,
  PrototypeGuard,
  Rng,
  runCliInProcess,
  sample,
  thrownProblem,
} from './helpers/fuzz.js';
import { repoRoot } from './helpers/cli.js';
import { mutateBytes, mutateElf, mutateRecords } from './helpers/mutate-image.js';
import { mutateText, mutateTree, render } from './helpers/mutate-recipe.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_0b11);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2500);
/** One mutant in this many also runs through the CLI's main. */
const CLI_EVERY = 10;

const test = anyTest as TestFn<{ dir: string; guard: PrototypeGuard }>;

test.before((t) => {
  t.context = {
    dir: mkdtempSync(join(tmpdir(), 'flashwright-fuzz-')),
    guard: new PrototypeGuard(),
  };
});
test.after.always((t) => {
  rmSync(t.context.dir, { recursive: true, force: true });
});

const firmware = join(repoRoot, 'test/fixtures/firmware/blink-l151/out');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(firmware, name)));
const elf = elfFormat();
const outputs: readonly ImageFormat[] = [ihexFormat, srecFormat, elf, binFormat];
/** Raw binaries of wider images (mostly fill) are only the size guard's business. */
const BIN_MAX_BYTES = 1024 * 1024;

interface ImageKind {
  readonly kind: string;
  readonly format: ImageFormat;
  readonly ext: string;
  readonly seeds: readonly Uint8Array[];
  readonly mutate: (rng: Rng, bytes: Uint8Array, log: string[]) => Uint8Array;
}

const imageKinds: readonly ImageKind[] = [
  {
    kind: 'ihex',
    format: ihexFormat,
    ext: '.hex',
    seeds: [fixture('blink.hex'), fixture('blink-gap.hex')],
    mutate: (rng, bytes, log) => mutateRecords(rng, 'ihex', bytes, log),
  },
  {
    kind: 'srec',
    format: srecFormat,
    ext: '.srec',
    seeds: [fixture('blink.srec'), fixture('blink-gap.srec')],
    mutate: (rng, bytes, log) => mutateRecords(rng, 'srec', bytes, log),
  },
  {
    kind: 'elf',
    format: elf,
    ext: '.elf',
    seeds: [fixture('blink.elf'), fixture('blink-gap.elf'), fixture('blink-be.elf')],
    mutate: mutateElf,
  },
  {
    kind: 'bin',
    format: binFormat,
    ext: '.bin',
    seeds: [fixture('blink.bin'), fixture('blink-be.bin')],
    mutate: mutateBytes,
  },
];

/** Load addresses for raw binaries, the edges of the address space included. */
function pickBase(rng: Rng, length: number): number {
  return rng.pick([
    0,
    0x08000000,
    0x20000000,
    2 ** 32 - length,
    2 ** 32 - length + 1,
    0xffffffff,
    rng.u32(),
  ]);
}

interface ImageCheck {
  readonly problem?: string | undefined;
  /** Wider than a raw binary worth writing: the CLI writes another format. */
  readonly wide: boolean;
}

/**
 * Sniffs with every format, parses with the kind's own, then writes the image in every
 * format and reads it back: what flashwright wrote it must read, unchanged.
 */
function checkImage(
  kind: ImageKind,
  bytes: Uint8Array,
  base: number | undefined,
  findings: Findings,
): ImageCheck {
  for (const format of outputs) {
    try {
      format.sniff(bytes.subarray(0, 512));
    } catch (error) {
      return { problem: `${format.id} sniff threw ${describeThrown(error)}`, wide: true };
    }
  }
  let image: FlashImage;
  try {
    image = kind.format.parse(bytes, { fileName: `mutant${kind.ext}`, base });
    image.crc32();
    findings.outcome('parsed');
  } catch (error) {
    findings.outcome(isFlashwrightError(error) ? error.code : 'thrown');
    return { problem: thrownProblem(error), wide: false };
  }
  const extent = image.extent() ?? { start: 0, end: 0 };
  const wide = extent.end - extent.start > BIN_MAX_BYTES;
  for (const format of outputs) {
    if (format === binFormat && wide) continue;
    let written: Uint8Array;
    try {
      written = format.serialize!(image, {});
    } catch (error) {
      const problem = thrownProblem(error);
      if (problem !== undefined) return { problem: `serialize ${format.id}: ${problem}`, wide };
      continue;
    }
    if (image.isEmpty) continue;
    try {
      const back = format.parse(written, { fileName: `back.${format.id}`, base: extent.start });
      // A raw binary has no gaps: they read back as the fill byte.
      const expected =
        format === binFormat
          ? FlashImage.from([[extent.start, image.read(extent.start, extent.end - extent.start)]])
          : image;
      if (!back.equals(expected)) {
        return { problem: `the image changed on a round trip through ${format.id}`, wide };
      }
    } catch (error) {
      return { problem: `${format.id} cannot read what it wrote: ${describeThrown(error)}`, wide };
    }
  }
  return { wide };
}

for (const kind of imageKinds) {
  test.serial(`fuzz ${kind.kind}: ${COUNT} mutants`, async (t) => {
    const findings = new Findings(SEED, kind.kind);
    const dir = join(t.context.dir, kind.kind);
    mkdirSync(dir);
    for (let index = 0; index < COUNT; index++) {
      const rng = new Rng(mutantSeed(SEED, kind.kind, index));
      const log: string[] = [];
      let bytes = rng.pick(kind.seeds);
      for (let n = 1 + rng.int(3); n > 0; n--) bytes = kind.mutate(rng, bytes, log);
      const base = kind.kind === 'bin' ? pickBase(rng, bytes.length) : undefined;
      if (base !== undefined) log.push(`base 0x${base.toString(16)}`);
      const checked = checkImage(kind, bytes, base, findings);
      const problems = [checked.problem];
      if (index % CLI_EVERY === 0) {
        // Through the CLI: the bounded reader, sniffing (an unknown extension) and exit codes.
        const input = join(dir, `mutant${rng.chance(0.5) ? kind.ext : '.img'}`);
        writeFileSync(input, bytes);
        const outputs = ['.hex', '.srec', '.elf', ...(checked.wide ? [] : ['.bin'])];
        const output = join(dir, `out${rng.pick(outputs)}`);
        const args = ['convert', input, output, '--json'];
        if (base !== undefined) args.push('--from', 'bin', '--base', `0x${base.toString(16)}`);
        problems.push(cliProblem(await runCliInProcess(args)));
      }
      const polluted = t.context.guard.check();
      if (polluted.length > 0) problems.push(`Object.prototype ${polluted.join(', ')}`);
      for (const problem of problems) {
        if (problem !== undefined) findings.add(index, log, problem, sample(bytes));
      }
    }
    t.log(findings.outcomes());
    t.is(findings.count, 0, findings.report());
  });
}

/** Trees of every shipped recipe, as the seeds of recipe mutants. */
function recipeSeeds(): unknown[] {
  const seeds: unknown[] = [];
  for (const folder of ['configs/examples', 'configs/boards']) {
    for (const name of readdirSync(join(repoRoot, folder)).filter((f) => f.endsWith('.yaml'))) {
      seeds.push(parseYaml(readFileSync(join(repoRoot, folder, name), 'utf8')));
    }
  }
  return seeds;
}

/** A project the recipes can point at: a base to extend, and the images they name. */
function recipeProject(dir: string): void {
  mkdirSync(join(dir, 'build'), { recursive: true });
  const board = readFileSync(join(repoRoot, 'configs/boards/nucleo-f103rb.yaml'), 'utf8');
  writeFileSync(join(dir, 'base.yaml'), board);
  writeFileSync(join(dir, 'base.json'), JSON.stringify(parseYaml(board)));
  writeFileSync(join(dir, 'package.json'), '{"name":"fuzz","private":true}\n');
  for (const [name, source] of [
    ['firmware.hex', 'blink.hex'],
    ['bootloader.hex', 'blink.hex'],
    ['app.elf', 'blink-gap.elf'],
    ['calibration.bin', 'blink.bin'],
    ['app.hex', 'blink.hex'],
  ] as const) {
    writeFileSync(join(dir, 'build', name), fixture(source));
  }
}

/** A recipe error must say where: its file, and a line for it (or for each issue). */
function locationProblem(error: FlashwrightError): string | undefined {
  if (error.exitCode !== 2) return undefined;
  const what = `${error.code}: ${error.message.slice(0, 300)}`;
  if (error.source?.file === undefined) return `recipe error without a file: ${what}`;
  const issues = error.details?.issues as { line?: number; keyPath?: string }[] | undefined;
  if (issues !== undefined) {
    const unplaced = issues.filter((issue) => issue.line === undefined);
    if (unplaced.length > 0)
      return `recipe issue without a line (${unplaced[0]?.keyPath}): ${what}`;
  } else if (!/:\d+/.test(error.message)) {
    return `recipe error without a line: ${what}`;
  }
  return undefined;
}

for (const format of ['yaml', 'json'] as const) {
  test.serial(`fuzz ${format} recipes: ${COUNT} mutants`, async (t) => {
    const findings = new Findings(SEED, `${format} recipe`);
    const dir = join(t.context.dir, `recipe-${format}`);
    recipeProject(dir);
    const seeds = recipeSeeds();
    const self = `recipe.${format}`;
    const file = join(dir, self);
    for (let index = 0; index < COUNT; index++) {
      const rng = new Rng(mutantSeed(SEED, `${format} recipe`, index));
      const log: string[] = [];
      let tree = rng.pick(seeds);
      for (let n = 1 + rng.int(3); n > 0; n--) tree = mutateTree(rng, tree, log, self);
      let text = render(tree, format);
      if (rng.chance(0.35)) text = mutateText(rng, text, format, log);
      writeFileSync(file, text);
      const problems: (string | undefined)[] = [];
      try {
        await loadRecipe({ cwd: dir, configFile: file, env: {} });
        findings.outcome('loaded');
      } catch (error) {
        findings.outcome(isFlashwrightError(error) ? error.code : 'thrown');
        problems.push(thrownProblem(error));
        if (isFlashwrightError(error)) problems.push(locationProblem(error));
      }
      if (index % CLI_EVERY === 0) {
        problems.push(
          cliProblem(await runCliInProcess(['run', '--dry-run', '--json', '-c', file])),
        );
      }
      const polluted = t.context.guard.check();
      if (polluted.length > 0) problems.push(`Object.prototype ${polluted.join(', ')}`);
      for (const problem of problems) {
        if (problem !== undefined) findings.add(index, log, problem, sample(text, 400));
      }
    }
    t.log(findings.outcomes());
    t.is(findings.count, 0, findings.report());
  });
}
