/**
 * Two copies of core in one process: the CLI bundles its own, and a plugin installed in the
 * project imports the project's. An error the plugin's copy makes is still a
 * FlashwrightError to the CLI's copy: its code and exit code count, not "internal error".
 */
import test from 'ava';
import { PluginLoader } from '../src/exports/runner.js';
import { exitCodeOf, FlashwrightError, isFlashwrightError } from '../src/index.js';

type ErrorModule = typeof import('../src/errors/flashwright-error.js');

/** A second, separate instance of the error module (another URL is another module). */
async function otherCopy(): Promise<ErrorModule> {
  const url = new URL('../src/errors/flashwright-error.js?another-copy', import.meta.url);
  return (await import(url.href)) as ErrorModule;
}

test('an error from another copy of core is a FlashwrightError with its exit code', async (t) => {
  const other = await otherCopy();
  t.not(other.FlashwrightError, FlashwrightError, 'the copy is a class of its own');
  const error = new other.FlashwrightError('TARGET_FAULT', 'bus fault at 0x20000000');
  t.true(error instanceof FlashwrightError);
  t.true(isFlashwrightError(error));
  t.is(exitCodeOf(error), 5);
  // and the other way round
  t.true(new FlashwrightError('USAGE', 'x') instanceof other.FlashwrightError);
});

test('other errors are not FlashwrightErrors', (t) => {
  t.false(new Error('x') instanceof FlashwrightError);
  t.false({ code: 'USAGE', message: 'x' } instanceof FlashwrightError);
  t.false(isFlashwrightError(null));
  t.is(exitCodeOf(new TypeError('bug')), 1);
});

test('a plugin that throws its copy’s error at load keeps its code', async (t) => {
  const other = await otherCopy();
  const loader = new PluginLoader({
    baseDir: process.cwd(),
    resolvers: [() => 'test:plugin'],
    importModule: () =>
      Promise.resolve({
        plugin: () => {
          throw new other.FlashwrightError('RECIPE_INVALID', 'option "port" must be a number');
        },
      }),
  });
  const error = await t.throwsAsync(loader.load('some-plugin'));
  t.true(isFlashwrightError(error));
  t.like(error, { code: 'RECIPE_INVALID', message: 'option "port" must be a number' });
});
