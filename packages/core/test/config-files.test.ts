import test from 'ava';
import { parseFailure } from '../src/config/files.js';

test('a TypeScript recipe without the typescript package says how to fix it', (t) => {
  const missing = Object.assign(
    new Error("Cannot find package 'typescript' imported from /x/cosmiconfig/dist/loaders.js"),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );
  const error = parseFailure(missing, '/project/flashwright.config.ts');
  t.is(error.code, 'RECIPE_PARSE');
  t.regex(
    error.message,
    /flashwright\.config\.ts is written in TypeScript, but the typescript package is not installed/,
  );
  t.regex(
    error.hint ?? '',
    /pnpm add -D typescript.*npm i -D typescript.*flashwright\.config\.yaml/,
  );
});

test('other loader failures keep their message and name the file', (t) => {
  const error = parseFailure(
    Object.assign(new SyntaxError('Unexpected token } in JSON at position 12'), {
      filepath: '/p/x.json',
    }),
  );
  t.is(error.code, 'RECIPE_PARSE');
  t.regex(error.message, /\/p\/x\.json cannot be read: Unexpected token \}/);
});
