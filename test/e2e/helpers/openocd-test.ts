import test from 'ava';
import { openocdMissing } from './openocd.js';

/**
 * The test function for a suite that runs OpenOCD (apart from ./openocd.js, which the
 * OpenOCD benchmark imports outside AVA): `test.serial` where OpenOCD 0.12 runs.
 * Where it does not, CI (FLASHWRIGHT_REQUIRE_PEERS=1) gets a failing test that says why, and
 * a local run skips the suite with a warning.
 */
export function openocdTestFn(
  suite: string,
  missing = openocdMissing(),
): typeof test.serial | typeof test.skip {
  if (missing === undefined) return test.serial;
  if (process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1') {
    test('openocd is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
    return test.serial;
  }
  console.warn(`openocd ${suite} e2e skipped: ${missing}`);
  return test.skip;
}
