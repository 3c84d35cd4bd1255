import test from 'ava';
import { FlashwrightError } from '../src/errors/flashwright-error.js';
import { validateRecipe } from '../src/config/validate.js';

test('flash.loader defaults to auto and takes auto, ram or host', (t) => {
  t.is(validateRecipe({}, new Map()).flash.loader, 'auto');
  for (const loader of ['auto', 'ram', 'host'] as const) {
    t.is(validateRecipe({ flash: { loader } }, new Map()).flash.loader, loader);
  }
});

test('another flash.loader value, or another key under flash, is RECIPE_INVALID', (t) => {
  for (const flash of [{ loader: 'openocd' }, { loaders: 'ram' }]) {
    const error = t.throws(() => validateRecipe({ flash }, new Map()));
    t.true(error instanceof FlashwrightError);
    t.is((error as FlashwrightError).code, 'RECIPE_INVALID');
  }
});
