/**
 * The option-bytes step reasons about fields by role, not by name: a bank-mode field warns
 * that the layout changes, a boot field gets a dry-run note, and a permanent read-protection
 * value is named with its level.
 */
import test from 'ava';
import type { PlanEvent } from '../src/exports/runner.js';
import { FakeChip } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';

const image: [number, Uint8Array][] = [[0x08000000, counting(4)]];

function recipe(values: string): string {
  // target.device lets dry-run take the option fields from the family's database.
  const preamble = fakePreamble.replace(
    '{ family: fakefam }',
    '{ family: fakefam, device: FAKE-16K }',
  );
  return `${preamble}steps:\n  - connect\n  - option-bytes: { ${values}, confirm: write-option-bytes }\n`;
}

test('writing a bank-mode field warns that the flash layout changes', async (t) => {
  const chip = new FakeChip();
  const run = await runRecipe(chip, recipe('BANKS: 1'), image);
  t.is(run.error, undefined);
  const warnings = run.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  t.deepEqual(warnings, [
    'BANKS changes the flash layout: connect again before erasing or writing',
  ]);
  t.is(chip.options['BANKS'], 1);
  const quiet = await runRecipe(new FakeChip(), recipe('BOR_LEV: 2'), image);
  t.false(
    quiet.events.some((e) => e.type === 'warning'),
    'a field without the role: no warning',
  );
});

test('dry-run notes boot and bank-mode fields from their roles', async (t) => {
  const run = await runRecipe(new FakeChip(), recipe('BOOT_FROM: 1, BANKS: 0'), image, {
    dryRun: true,
  });
  const plan = run.events.find((e): e is PlanEvent => e.type === 'plan');
  const lines = plan?.steps.find((s) => s.id === 'option-bytes')?.lines ?? [];
  t.true(
    lines.some((l) => /^BOOT_FROM decide where the chip boots/.test(l)),
    lines.join('\n'),
  );
  t.true(lines.some((l) => /^BANKS changes the flash layout/.test(l)));
});

test('a permanent read-protection value is named with its level', async (t) => {
  const run = await runRecipe(new FakeChip(), recipe('RDP: 2'), image);
  t.is(run.error?.code, 'CONFIRMATION_REQUIRED');
  t.regex(run.error?.message ?? '', /RDP=0xCC \(read protection level 2\)/);
});
