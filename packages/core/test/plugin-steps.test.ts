import { readFile } from 'node:fs/promises';
import test from 'ava';
import { FlashImage } from '../src/exports/image.js';
import type { RunState, StepDefinition } from '../src/exports/plugin.js';
import { builtinSteps, type PipelineEvent } from '../src/exports/runner.js';
import { FlashwrightError, exitCodeOf } from '../src/index.js';
import { FakeChip, type FakeChipOptions } from './helpers/fake-target.js';
import {
  counting,
  fakePreamble,
  runRecipe,
  type HarnessOptions,
} from './helpers/pipeline-harness.js';
import { pluginSetOf } from './helpers/test-plugin.js';

/**
 * Plugin steps are defined as the built-in ones are: the runner checks their confirmation
 * (phrase in the step, --confirm PHRASE, --yes), and their flash work through ctx.flash()
 * is routed, journalled and reported as progress like the built-in erase and write.
 */

const BASE = 0x08000000;
const SECTOR = { start: BASE + 0x400, end: BASE + 0x800 };

interface PatchOptions {
  readonly confirmed: boolean;
}

/** "fake/patch": erases the second sector and programs 8 bytes into it. */
const patchStep: StepDefinition<PatchOptions> = {
  id: 'fake/patch',
  description: 'Patches the second sector',
  parseOptions: (raw) => ({
    confirmed: (raw as { confirm?: unknown } | null)?.confirm === 'erase-patch-sector',
  }),
  confirmation: (options) => ({
    phrase: 'erase-patch-sector',
    what: 'erase the patch sector',
    inRecipe: options.confirmed,
  }),
  plan: () => ({ lines: ['erase the second sector and write the patch'], bytes: 8 }),
  run: async (ctx) => {
    const flash = await ctx.flash();
    const total = SECTOR.end - SECTOR.start + 8;
    await flash.erase([SECTOR], ctx.progress(0, total));
    ctx.checkpoint();
    const patch = FlashImage.from([[SECTOR.start, counting(8)]]);
    await flash.program(patch, ctx.progress(SECTOR.end - SECTOR.start, total));
    return { status: 'done', summary: 'patched', bytes: 8 };
  },
};

/** "fake/blank": says the whole flash is blank (as a vendor's recover would), if it declares so. */
function blankStep(writes: readonly (keyof RunState)[]): StepDefinition<null> {
  return {
    id: 'fake/blank',
    description: 'Claims a blank flash',
    writes,
    parseOptions: () => null,
    plan: () => ({ lines: ['blank'] }),
    run: () => Promise.resolve({ status: 'done', summary: 'blank', state: { erased: 'all' } }),
  };
}

function chipWith(steps: readonly StepDefinition[], options: FakeChipOptions = {}) {
  const chip = new FakeChip(options);
  return { chip, target: { pluginSet: () => pluginSetOf({ ...chip.plugin(), steps }) } };
}

function patchRun(recipeStep: string, options: HarnessOptions & { dryRun?: boolean } = {}) {
  const { chip, target } = chipWith([patchStep]);
  const recipe = `${fakePreamble}steps: [connect, ${recipeStep}]\n`;
  return runRecipe(target, recipe, [[BASE, counting(8)]], options).then((run) => ({ chip, run }));
}

test('a destructive plugin step is refused without its phrase, and in --dry-run', async (t) => {
  for (const step of ['fake/patch', '{ fake/patch: { confirm: yes } }']) {
    const { chip, run } = await patchRun(step);
    t.is(run.error?.code, 'CONFIRMATION_REQUIRED', step);
    t.is(exitCodeOf(run.error), 6);
    t.regex(run.error?.hint ?? '', /confirm: erase-patch-sector/);
    t.false(chip.ops().includes('erase'), `${step}: nothing erased`);
  }
  const { run } = await patchRun('fake/patch', { dryRun: true });
  t.is(run.error?.code, 'CONFIRMATION_REQUIRED');
  const plan = run.events.find((e) => e.type === 'plan');
  const planned = plan?.type === 'plan' ? plan.steps[1] : undefined;
  t.like(planned, { id: 'fake/patch', destructive: true, confirmed: false });
  t.deepEqual(planned?.lines, [
    'erase the second sector and write the patch',
    'needs confirmation: confirm: erase-patch-sector in the step, or --yes',
  ]);
});

test('its phrase in the step, --confirm PHRASE or --yes confirms a plugin step', async (t) => {
  const ways: [string, HarnessOptions][] = [
    ['{ fake/patch: { confirm: erase-patch-sector } }', {}],
    ['fake/patch', { confirmPhrases: ['erase-patch-sector'] }],
    ['fake/patch', { yes: true }],
  ];
  for (const [step, options] of ways) {
    const { chip, run } = await patchRun(step, options);
    t.is(run.error, undefined, step);
    t.deepEqual(chip.bytes(SECTOR.start, 8), counting(8));
  }
});

test('a plugin step’s flash work is routed, reported as progress and journalled', async (t) => {
  const { chip, run } = await patchRun('fake/patch', { yes: true });
  t.deepEqual(
    chip.calls.find((c) => c.op === 'erase'),
    { op: 'erase', target: [SECTOR] },
  );
  const progress = run.events.filter(
    (e): e is Extract<PipelineEvent, { type: 'progress' }> => e.type === 'progress',
  );
  t.deepEqual(
    progress.map((p) => [p.index, p.id, p.operation, p.doneBytes, p.totalBytes]),
    [
      [1, 'fake/patch', 'erase', 1024, 1032],
      [1, 'fake/patch', 'program', 1032, 1032],
    ],
  );
  t.deepEqual(run.result?.journal.written, [{ start: SECTOR.start, end: SECTOR.start + 8 }]);
  t.deepEqual(run.result?.journal.erased, [{ start: SECTOR.start + 8, end: SECTOR.end }]);
});

test('a plugin step that fails mid-program reports the flash state it left', async (t) => {
  const { chip, target } = chipWith([patchStep], { failProgramAt: SECTOR.start + 4 });
  const recipe = `${fakePreamble}steps: [connect, fake/patch]\n`;
  const run = await runRecipe(target, recipe, [[BASE, counting(8)]], { yes: true });
  t.is(run.error?.code, 'FLASH_PROGRAM_FAILED');
  t.is(run.error?.details?.step, 'steps[1]');
  t.deepEqual(run.error?.details?.journal, {
    erased: [{ start: SECTOR.start + 8, end: SECTOR.end }],
    written: [],
    unknown: [{ start: SECTOR.start, end: SECTOR.start + 8 }],
    lines: ['erased   0x08000408..0x080007FF', 'unknown  0x08000400..0x08000407'],
  });
  t.true(chip.ops().includes('erase'));
});

test('run state passes from a plugin step to the built-in ones through declared outputs', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, fake/blank, { erase: auto }, write, verify]\n`;
  const declared = chipWith([blankStep(['erased'])]);
  const run = await runRecipe(declared.target, recipe, [[BASE, counting(8)]]);
  t.is(run.error, undefined);
  const erase = run.events.find((e) => e.type === 'step-end' && e.id === 'erase');
  t.like(erase, { status: 'skipped' }, 'erase: auto saw erased: "all"');
  t.false(declared.chip.ops().includes('erase'));

  const undeclared = chipWith([blankStep([])]);
  const bug = await runRecipe(undeclared.target, recipe, [[BASE, counting(8)]]);
  t.true(bug.error instanceof FlashwrightError);
  t.is(bug.error?.code, 'PLUGIN_INVALID');
  t.regex(bug.error?.message ?? '', /fake\/blank: run\(\) changed run state .* writes: erased/);
  t.false(undeclared.chip.ops().includes('erase'), 'the run stops at the bug');
});

test('--confirm accepts the phrase a recipe’s plugin step names, and no other', async (t) => {
  const { run } = await patchRun('fake/patch', { confirmPhrases: ['erase-patch-sectr'] });
  t.is(run.error?.code, 'USAGE');
  t.regex(run.error?.message ?? '', /Did you mean "erase-patch-sector"/);
});

test('docs/plugins.md lists the run state each built-in step reads and writes', async (t) => {
  const docs = await readFile(new URL('../../../../docs/plugins.md', import.meta.url), 'utf8');
  const rows = new Map<string, [string, string]>();
  for (const match of docs.matchAll(/^\| `([a-z-]+)` +\| ([^|]*)\| ([^|]*)\|$/gm)) {
    rows.set(match[1]!, [match[2]!.trim(), match[3]!.trim()]);
  }
  const list = (keys: readonly string[] | undefined): string =>
    (keys ?? []).map((k) => `\`${k}\``).join(', ');
  for (const [id, step] of Object.entries(builtinSteps)) {
    const declared: [string, string] = [list(step.reads), list(step.writes)];
    if (declared[0] === '' && declared[1] === '') t.false(rows.has(id), id);
    else t.deepEqual(rows.get(id), declared, id);
  }
});
