import test from 'ava';
import { catalogue, ExitCode } from '../src/index.js';

test('TARGET_PROTECTED advises what removes protection, not --yes on its own', (t) => {
  const entry = catalogue.TARGET_PROTECTED;
  t.is(entry.exitCode, ExitCode.refused);
  const hint = entry.hint ?? '';
  // --yes only confirms an unprotect step; without one in the recipe it changes nothing.
  t.regex(hint, /- unprotect: \{ confirm: mass-erase \}/);
  t.regex(hint, /`- unprotect` and run with --yes/);
  t.notRegex(hint, /steps, or pass --yes/);
  t.regex(hint, /erases the whole flash/);
});
