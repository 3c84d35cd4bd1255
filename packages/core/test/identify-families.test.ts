import test from 'ava';
import { FlashwrightError } from '../src/errors/flashwright-error.js';
import type { FlashwrightPlugin, TargetFamily } from '../src/plugin/types.js';
import { FakeChip } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';
import { pluginSetOf } from './helpers/test-plugin.js';

/** The fake chip's plugin with a family in front that fails (memory it reads is blocked). */
function withFailingFamily(chip: FakeChip, recognises = true) {
  const base = chip.plugin();
  const failing: TargetFamily = {
    id: 'failfam',
    description: 'a family whose ID registers fault on this chip',
    identify: () =>
      Promise.reject(new FlashwrightError('TARGET_NO_RESPONSE', 'failfam: nothing answers')),
  };
  const fake = base.families![0]!;
  const plugin: FlashwrightPlugin = {
    ...base,
    families: [
      failing,
      recognises ? fake : { ...fake, identify: () => Promise.resolve(undefined) },
    ],
  };
  return { pluginSet: () => pluginSetOf(plugin) };
}

const recipe = `${fakePreamble.replace('family: fakefam', 'family: failfam')}steps: [connect]\n`;

test('a family that fails does not keep the next one from identifying the chip', async (t) => {
  const run = await runRecipe(withFailingFamily(new FakeChip()), recipe, [
    [0x08000000, counting(4)],
  ]);
  t.is(run.error, undefined, run.error?.message);
});

test('when no family identifies the chip, the first failure is the error', async (t) => {
  const run = await runRecipe(withFailingFamily(new FakeChip(), false), recipe, [
    [0x08000000, counting(4)],
  ]);
  t.is(run.error?.code, 'TARGET_NO_RESPONSE');
  t.regex(run.error?.message ?? '', /failfam/);
});
