/**
 * Two copies of core in one process: the CLI bundles its own, and a plugin installed in the
 * project imports the project's. An error the plugin's copy makes is still a
 * FlashwrightError to the CLI's copy (its code and exit code count, not "internal error"),
 * and an image the plugin's copy parsed works with the CLI's.
 */
import test from 'ava';
import type * as Errors from '../src/errors/flashwright-error.js';
import { FlashImage } from '../src/exports/image.js';
import type * as Images from '../src/image/flash-image.js';
import { PluginLoader } from '../src/exports/runner.js';
import { exitCodeOf, FlashwrightError, isFlashwrightError } from '../src/index.js';

type ErrorModule = typeof Errors;
type ImageModule = typeof Images;

/** A second, separate instance of a module of core (another URL is another module). */
async function otherCopy<M>(path: string): Promise<M> {
  return (await import(new URL(`${path}?another-copy`, import.meta.url).href)) as M;
}

const otherErrors = (): Promise<ErrorModule> => otherCopy('../src/errors/flashwright-error.js');

test('an error from another copy of core is a FlashwrightError with its exit code', async (t) => {
  const other = await otherErrors();
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
  const other = await otherErrors();
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

test('an image from another copy of core compares and merges with ours', async (t) => {
  const other = await otherCopy<ImageModule>('../src/image/flash-image.js');
  t.not(other.FlashImage, FlashImage);
  const data = new Uint8Array([1, 2, 3, 4]);
  const theirs = other.FlashImage.from([[0x08000000, data]]);
  const ours = FlashImage.from([[0x08000000, data]]);
  t.true(ours.equals(theirs));
  t.true(theirs.equals(ours));
  const merged = FlashImage.merge([
    { source: 'a.hex', image: ours.slice({ start: 0x08000000, end: 0x08000002 }) },
    { source: 'b.hex', image: theirs.slice({ start: 0x08000002, end: 0x08000004 }) },
  ]);
  t.true(merged.equals(ours));
});
