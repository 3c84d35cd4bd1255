import test from 'ava';
import { databaseLocation, storeKind } from '../src/index.js';

test('a postgres:// or postgresql:// URL is PostgreSQL, anything else an SQLite file', (t) => {
  t.is(storeKind('postgres://line@db/prod'), 'postgres');
  t.is(storeKind('PostgreSQL://line@db/prod'), 'postgres');
  t.is(storeKind('/var/lib/line.db'), 'sqlite');
  t.is(storeKind('postgres.db'), 'sqlite');
});

test('the command line wins, then the recipe, then the file next to the recipe', (t) => {
  const cwd = '/work/sub';
  t.is(
    databaseLocation({ flag: 'x.db', recipe: '/p/r.db', recipeDir: '/p', cwd }),
    '/work/sub/x.db',
  );
  t.is(databaseLocation({ flag: 'postgres://h/db', recipe: '/p/r.db', cwd }), 'postgres://h/db');
  t.is(databaseLocation({ recipe: 'postgres://h/db', recipeDir: '/p', cwd }), 'postgres://h/db');
  t.is(databaseLocation({ recipe: '/p/r.db', recipeDir: '/p', cwd }), '/p/r.db');
  t.is(databaseLocation({ recipeDir: '/p', cwd }), '/p/flashwright-production.db');
  t.is(databaseLocation({ cwd }), '/work/sub/flashwright-production.db');
});
