import test, { type ExecutionContext } from 'ava';
import {
  OPENOCD_ERROR_LINE,
  OPENOCD_FALLBACK,
  openocdMissing,
  programWithOpenocd,
  type OpenocdProgramCase,
} from './openocd.js';

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

export interface OpenocdProgramCheck extends OpenocdProgramCase {
  /** More lines OpenOCD must print (e.g. what the stlink-dap driver says it found). */
  readonly expect?: readonly RegExp[];
  /**
   * With the work area: OpenOCD feeds its loader through a FIFO in RAM while it runs
   * (target_run_flash_async_algorithm: stm32f1x.c, stm32f2x.c, stm32l4x.c); stm32lx.c's
   * loader programs each buffer only after OpenOCD has written it. Default true.
   */
  readonly fifo?: boolean;
}

/**
 * Programs `c.image` with OpenOCD (programWithOpenocd) and checks that it exited 0 after
 * "Verified OK" and the reset, printed no error line, used its loader and CRC algorithm when
 * it had a work area, and that `flashwright read` returns the image.
 */
export async function checkOpenocdProgram(
  t: ExecutionContext,
  c: OpenocdProgramCheck,
): Promise<void> {
  const { run, virtualMs, readBack } = await programWithOpenocd(c);
  const log = run.output;
  const tail = log.slice(-4000);
  t.log(`virtual time: ${virtualMs.toFixed(0)} ms`);
  t.is(run.code, 0, tail);
  t.regex(log, /\*\* Verified OK \*\*/, tail);
  t.regex(log, /\*\* Resetting Target \*\*/, tail);
  t.notRegex(log, OPENOCD_ERROR_LINE);
  for (const line of c.expect ?? []) t.regex(log, line);
  if (c.workArea) {
    t.notRegex(log, OPENOCD_FALLBACK);
    // The loader's work area (loader + FIFO or buffer) and the CRC algorithm's (52 bytes,
    // contrib/loaders/checksum/armv7m_crc.s).
    const areas = [...log.matchAll(/allocated new working area of (\d+) bytes/g)].map((m) =>
      Number(m[1]),
    );
    t.true(
      areas.some((bytes) => bytes >= 1024),
      `buffer areas: ${areas.join(', ')}`,
    );
    t.true(areas.includes(52), `CRC area: ${areas.join(', ')}`);
    if (c.fifo ?? true) t.regex(log, /target_run_flash_async_algorithm/);
  }
  t.deepEqual(await readBack(), c.image);
}
