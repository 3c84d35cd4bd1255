// Writes configs/flashwright.schema.json from core's recipe schema (build core first).
// A core test fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { recipeJsonSchema } from '../../packages/core/dist/src/exports/runner.js';

const target = new URL('../flashwright.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(recipeJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
