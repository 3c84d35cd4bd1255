import test from 'ava';
import { join } from 'node:path';
import { findJsonSyntaxError, lineColumnAt } from '../src/config/json-syntax.js';
import { loadRecipe } from '../src/exports/runner.js';
import { exitCodeOf, type FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

// Each case: the text, the expected 1-based line and column, and a word of the message.
const cases: readonly (readonly [string, string, number, number, RegExp])[] = [
  [
    'missing comma between properties',
    '{\n  "probe": { "transport": "stlink" }\n  "image": "app.hex"\n}\n',
    3,
    3,
    /expected ',' or '}' after the value of "probe".*comma missing/,
  ],
  [
    'missing comma in a list',
    '{\n  "steps": [\n    "connect"\n    "write"\n  ]\n}\n',
    4,
    5,
    /expected ',' or '\]' after a list item/,
  ],
  [
    'trailing comma (named at the comma)',
    '{\n  "probe": {\n    "speed": 4000,\n  }\n}\n',
    3,
    18,
    /trailing comma/,
  ],
  [
    'unterminated string',
    '{\n  "image": "app.hex,\n  "steps": []\n}\n',
    2,
    21,
    /string is not closed before the end of the line/,
  ],
  [
    'bad token on line 1',
    '{ probe: 1 }',
    1,
    3,
    /expected a property name in double quotes, found 'probe'/,
  ],
  [
    'bad token on a later line',
    '{\n  "probe": {\n    "speed": fast\n  }\n}\n',
    3,
    14,
    /expected a value, found 'fast'/,
  ],
  [
    'error at the end of the file',
    '{\n  "probe": {\n    "speed": 1\n  }\n',
    5,
    1,
    /the end of the file \(the '\{' at line 1, column 1 is not closed\)/,
  ],
  ['an empty value', '{ "image": }', 1, 12, /expected a value, found '\}'/],
  ['a leading zero', '{ "base": 0800 }', 1, 12, /may not start with 0/],
  ['text after the value', '{}\n}\n', 2, 1, /unexpected '\}' after the end/],
  ['a bad escape', '{ "a": "\\x" }', 1, 10, /unknown escape \\x/],
  ['a short \\u escape', '{ "a": "\\u12" }', 1, 13, /four hexadecimal digits/],
  ['a tab inside a string', '{ "a": "x\ty" }', 1, 10, /control character/],
  ['Windows line ends', '{\r\n  "a": 1\r\n  "b": 2\r\n}\r\n', 3, 3, /expected ','/],
];

for (const [name, text, line, column, message] of cases) {
  test(`JSON syntax error: ${name}`, (t) => {
    t.throws(() => JSON.parse(text) as unknown, undefined, 'the case is invalid JSON');
    const error = findJsonSyntaxError(text);
    t.like(error, { line, column });
    t.regex(error?.message ?? '', message);
  });
}

test('where Node gives a position, it is the one flashwright finds (trailing commas aside)', (t) => {
  let compared = 0;
  for (const [name, text] of cases) {
    if (name.startsWith('trailing comma')) continue;
    let message = '';
    try {
      JSON.parse(text);
    } catch (error) {
      message = (error as Error).message;
    }
    const found = findJsonSyntaxError(text);
    const position = /at position (\d+)/.exec(message);
    if (position !== null) {
      compared++;
      t.is(found?.offset, Number(position[1]), name);
    }
    // Newer Node versions also say "(line N column M)".
    const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
    if (lineColumn !== null) {
      t.deepEqual([found?.line, found?.column], [Number(lineColumn[1]), Number(lineColumn[2])]);
    }
  }
  t.true(compared >= 5, `compared ${compared} positions`);
});

test('valid JSON has no syntax error', (t) => {
  for (const text of [
    '{}',
    '[]',
    ' { "a" : [ 1 , -2.5e+3 , 0 , 0.1 , true , false , null , "x\\"\\u00e9\\n" ] } \n',
    '{"steps":["connect",{"erase":"auto"}],"probe":{"speed":4000}}',
  ]) {
    t.notThrows(() => JSON.parse(text) as unknown);
    t.is(findJsonSyntaxError(text), undefined, text);
  }
});

test('lineColumnAt counts lines from 1 and columns from 1', (t) => {
  t.deepEqual(lineColumnAt('ab\ncd', 0), { line: 1, column: 1 });
  t.deepEqual(lineColumnAt('ab\ncd', 2), { line: 1, column: 3 });
  t.deepEqual(lineColumnAt('ab\ncd', 3), { line: 2, column: 1 });
  t.deepEqual(lineColumnAt('ab\ncd', 5), { line: 2, column: 3 });
});

test('a JSON recipe with a syntax error is RECIPE_PARSE (exit 2) naming file:line:column', async (t) => {
  const dir = await projectDir({
    'flashwright.config.json': '{\n  "probe": { "transport": "stlink" }\n  "image": "app.hex"\n}\n',
  });
  const error = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: dir, env: {} }));
  t.is(error.code, 'RECIPE_PARSE');
  t.is(exitCodeOf(error), 2);
  const file = join(dir, 'flashwright.config.json');
  t.true(error.message.startsWith(`${file}:3:3: expected ',' or '}'`), error.message);
  t.deepEqual(error.source, { file, line: 3, column: 3 });
  t.regex(error.hint ?? '', /JSON syntax/);
});

test('a syntax error in package.json is located the same way; a byte order mark is no content', async (t) => {
  const dir = await projectDir({ 'flashwright.config.json': '\uFEFF{ "probe": {} }\n' });
  t.is((await loadRecipe({ cwd: dir, env: {} })).file, join(dir, 'flashwright.config.json'));

  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'flashwright.config.json'), '');
  await writeFile(join(dir, 'package.json'), '{\n  "name": "x",\n  "flashwright": {,}\n}\n');
  const error = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: dir, env: {} }));
  t.like(error.source, { file: join(dir, 'package.json'), line: 3, column: 19 });
});

test('YAML syntax errors name line and column the same way', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': 'probe:\n  speed: 1\n  speed: 2\n' });
  const error = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: dir, env: {} }));
  const file = join(dir, 'flashwright.config.yaml');
  t.true(error.message.startsWith(`${file}:3:3: Map keys must be unique`), error.message);
  t.deepEqual(error.source, { file, line: 3, column: 3 });
});
