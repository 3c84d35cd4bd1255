import test from 'ava';
import { exitCodeOf } from '../src/index.js';
import { FakeChip } from './helpers/fake-target.js';
import {
  counting,
  fakePreamble,
  runRecipe,
  type HarnessOptions,
} from './helpers/pipeline-harness.js';

/**
 * A permanent option value (the fake family says: RDP 0xCC, LOCK 0x5A) is written only
 * with the user's own confirmation: `confirm: permanently-disable-debug` in their recipe
 * file, or `--confirm permanently-disable-debug`. Every spelling of the value is checked in
 * every layer, because the family decides on the parsed register value, not on the text.
 */

const BASE = 0x08000000;
const image: [number, Uint8Array][] = [[BASE, counting(4)]];

/** YAML spellings of a permanent value, as they stand in a recipe. */
const permanentSpellings: readonly (readonly [field: string, yaml: string])[] = [
  ['RDP', '2'],
  ['RDP', '"2"'],
  ['RDP', '204'],
  ['RDP', '"204"'],
  ['RDP', '0xCC'],
  ['RDP', '0x0cc'],
  ['RDP', '0o314'],
  ['RDP', '"0xCC"'],
  ['RDP', '"0xcc"'],
  ['RDP', '"0x0CC"'],
  ['RDP', '"0X00cc"'],
  ['RDP', '" 0xCC "'],
  ['RDP', 'level-2'],
  ['RDP', '"Level 2"'],
  ['RDP', 'LEVEL2'],
  ['rdp', '2'],
  ['LOCK', '0x5A'],
  ['LOCK', '"90"'],
  ['LOCK', '"0x5a"'],
];

function optionStep(field: string, yaml: string, confirm?: string): string {
  const phrase = confirm === undefined ? '' : `, confirm: ${confirm}`;
  return `steps:\n  - connect\n  - option-bytes: { ${field}: ${yaml}${phrase} }\n`;
}

interface Layer {
  readonly name: string;
  readonly recipe: (step: string) => string;
  readonly files?: (step: string) => Record<string, string>;
  readonly options?: HarnessOptions;
  /** Whether this layer's confirmation counts for a permanent value. */
  readonly allowed: boolean;
  readonly phrase?: string;
}

const layers: readonly Layer[] = [
  {
    name: 'the user’s own recipe file with the phrase',
    recipe: (step) => fakePreamble + step,
    phrase: 'permanently-disable-debug',
    allowed: true,
  },
  {
    name: 'a preset (extends) with the phrase',
    recipe: () => `${fakePreamble}extends: ./preset.yaml\n`,
    files: (step) => ({ 'preset.yaml': step }),
    phrase: 'permanently-disable-debug',
    allowed: false,
  },
  {
    name: 'a package preset with the phrase',
    recipe: () => `${fakePreamble}extends: '@acme/boards/evil.yaml'\n`,
    files: (step) => ({
      'node_modules/@acme/boards/package.json': '{"name":"@acme/boards","version":"1.0.0"}\n',
      'node_modules/@acme/boards/evil.yaml': step,
    }),
    phrase: 'permanently-disable-debug',
    allowed: false,
  },
  {
    name: 'a preset with the phrase, and --yes',
    recipe: () => `${fakePreamble}extends: ./preset.yaml\n`,
    files: (step) => ({ 'preset.yaml': step }),
    phrase: 'permanently-disable-debug',
    options: { yes: true },
    allowed: false,
  },
  {
    name: 'the user’s own file with write-option-bytes, and --yes',
    recipe: (step) => fakePreamble + step,
    phrase: 'write-option-bytes',
    options: { yes: true },
    allowed: false,
  },
  {
    name: 'a preset, confirmed on the command line with --confirm',
    recipe: () => `${fakePreamble}extends: ./preset.yaml\n`,
    files: (step) => ({ 'preset.yaml': step }),
    options: { confirmPhrases: ['permanently-disable-debug'] },
    allowed: true,
  },
  {
    name: 'the user’s own file without a phrase, --confirm on the command line',
    recipe: (step) => fakePreamble + step,
    options: { confirmPhrases: ['permanently-disable-debug'] },
    allowed: true,
  },
  {
    name: 'the user’s own file without a phrase, --confirm write-option-bytes',
    recipe: (step) => fakePreamble + step,
    options: { confirmPhrases: ['write-option-bytes'] },
    allowed: false,
  },
];

for (const layer of layers) {
  test(`permanent values from ${layer.name}: ${layer.allowed ? 'written' : 'refused'} in every spelling`, async (t) => {
    for (const [field, yaml] of permanentSpellings) {
      const step = optionStep(field, yaml, layer.phrase);
      const chip = new FakeChip();
      const run = await runRecipe(chip, layer.recipe(step), image, {
        ...layer.options,
        files: layer.files?.(step),
      });
      const written = chip.calls.find((c) => c.op === 'writeOptionBytes');
      const what = `${field}: ${yaml}`;
      if (layer.allowed) {
        t.is(run.error, undefined, what);
        const expected = field.toUpperCase() === 'LOCK' ? { LOCK: 0x5a } : { RDP: 0xcc };
        t.deepEqual(written, { op: 'writeOptionBytes', values: expected }, what);
      } else {
        t.is(run.error?.code, 'CONFIRMATION_REQUIRED', what);
        t.is(exitCodeOf(run.error!), 6, what);
        t.regex(run.error?.hint ?? '', /--yes does not cover this/, what);
        t.is(written, undefined, `${what}: nothing written`);
      }
    }
  });
}

test('the byte 0x02 is RDP level 1 (a raw value), not level 2: a preset may confirm it', async (t) => {
  for (const yaml of ['"0x02"', '"0x2"', '0x02']) {
    const step = optionStep('RDP', yaml, 'write-option-bytes');
    const chip = new FakeChip();
    const run = await runRecipe(chip, `${fakePreamble}extends: ./preset.yaml\n`, image, {
      files: { 'preset.yaml': step },
    });
    t.is(run.error, undefined, yaml);
    t.deepEqual(
      chip.calls.find((c) => c.op === 'writeOptionBytes'),
      {
        op: 'writeOptionBytes',
        values: { RDP: 2 },
      },
    );
  }
});

test('a preset’s permanent value is named with its source in the refusal', async (t) => {
  const step = optionStep('RDP', '"0x0CC"', 'permanently-disable-debug');
  const run = await runRecipe(new FakeChip(), `${fakePreamble}extends: ./preset.yaml\n`, image, {
    files: { 'preset.yaml': step },
  });
  t.regex(
    run.error?.message ?? '',
    /RDP=0xCC \(read protection level 2\): a value that can never be undone/,
  );
  t.regex(run.error?.message ?? '', /preset\.yaml/);
});

test('an environment variable cannot confirm a permanent value', async (t) => {
  const step = optionStep('RDP', '2', 'write-option-bytes');
  const chip = new FakeChip();
  const previous = process.env.FLASHWRIGHT_CONFIRM;
  process.env.FLASHWRIGHT_CONFIRM = 'permanently-disable-debug';
  try {
    const run = await runRecipe(chip, fakePreamble + step, image, { yes: true });
    t.is(run.error?.code, 'CONFIRMATION_REQUIRED');
  } finally {
    if (previous === undefined) delete process.env.FLASHWRIGHT_CONFIRM;
    else process.env.FLASHWRIGHT_CONFIRM = previous;
  }
  t.false(chip.ops().includes('writeOptionBytes'));
});

test('dry-run refuses a preset’s permanent value when the database knows the part', async (t) => {
  const step = optionStep('RDP', '204', 'permanently-disable-debug');
  const recipe = `${fakePreamble.replace('target: { family: fakefam }', 'target: { family: fakefam, device: FAKE-16K }')}extends: ./preset.yaml\n`;
  const chip = new FakeChip();
  const run = await runRecipe(chip, recipe, image, {
    dryRun: true,
    files: { 'preset.yaml': step },
  });
  t.is(run.error?.code, 'CONFIRMATION_REQUIRED');
  t.deepEqual(chip.calls, [], 'no device call');
  const own = await runRecipe(chip, recipe.replace(/extends.*\n/, '') + step, image, {
    dryRun: true,
  });
  t.is(own.error, undefined, 'the user’s own phrase plans fine');
});

test('--confirm takes only known phrases', async (t) => {
  const run = await runRecipe(new FakeChip(), fakePreamble + optionStep('BOR_LEV', '1'), image, {
    confirmPhrases: ['permanently-disable-debugg'],
  });
  t.is(run.error?.code, 'USAGE');
  t.regex(run.error?.message ?? '', /did you mean "permanently-disable-debug"/i);
});

test('--confirm write-option-bytes confirms an ordinary option write', async (t) => {
  const chip = new FakeChip();
  const step = optionStep('BOR_LEV', '3');
  const refused = await runRecipe(chip, fakePreamble + step, image);
  t.is(refused.error?.code, 'CONFIRMATION_REQUIRED');
  const run = await runRecipe(chip, fakePreamble + step, image, {
    confirmPhrases: ['write-option-bytes'],
  });
  t.is(run.error, undefined);
  t.deepEqual(
    chip.calls.find((c) => c.op === 'writeOptionBytes'),
    {
      op: 'writeOptionBytes',
      values: { BOR_LEV: 3 },
    },
  );
});
