import test from 'ava';
import { join } from 'node:path';
import { loadRecipe } from '../src/exports/runner.js';
import type { FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

test('production.database: a path is relative to the file that declares it, a URL stays', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'extends: ./line/base.yaml\n',
    'line/base.yaml': 'production: { database: data/line.db }\n',
    'pg.yaml': 'production: { database: "postgres://line@db.local/prod" }\n',
  });
  const fromPreset = await loadRecipe({ cwd: dir, env: {} });
  t.is(fromPreset.recipe.production.database, join(dir, 'line/data/line.db'));
  const url = await loadRecipe({ cwd: dir, configFile: 'pg.yaml', env: {} });
  t.is(url.recipe.production.database, 'postgres://line@db.local/prod');
});

test('production.database is optional; an unknown production key is an issue', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': 'production: {}\n' });
  t.is((await loadRecipe({ cwd: dir, env: {} })).recipe.production.database, undefined);
  const bad = await projectDir({ 'flashwright.config.yaml': 'production: { databse: x.db }\n' });
  const error = await loadRecipe({ cwd: bad, env: {} }).catch(
    (e: unknown) => e as FlashwrightError,
  );
  t.is((error as FlashwrightError).code, 'RECIPE_INVALID');
  t.regex((error as FlashwrightError).message, /databse/);
});
