import test from 'ava';
import { isFlashwrightError } from '@flashwright/core';
import { openStore, type ProductionStore } from '../src/index.js';
import { backends, freshDatabase, type Backend } from './helpers/databases.js';

async function fresh(t: Parameters<typeof freshDatabase>[0], backend: Backend) {
  const store = await openStore(await freshDatabase(t, backend));
  t.teardown(() => store.close());
  return store;
}

const allocate = (store: ProductionStore, chipUid: string, reuseVoided = false) =>
  store.allocateSerial({ pool: 'sn', chipUid, station: 'st1', reuseVoided });

for (const backend of backends(test, 'store')) {
  test(`${backend}: new chips get 0, 1, 2; a chip seen before gets its own serial back`, async (t) => {
    const store = await fresh(t, backend);
    t.deepEqual(await allocate(store, 'A'), { sequence: 0, reused: false, wasVoided: false });
    t.deepEqual(await allocate(store, 'B'), { sequence: 1, reused: false, wasVoided: false });
    const failed = await store.startAttempt({
      station: 'st1',
      probe: 'P1',
      chipUid: 'A',
      imageSha256: 'aa',
      pool: 'sn',
      sequence: 0,
    });
    await store.finishAttempt(failed, {
      result: 'fail',
      errorCode: 'FLASH_PROGRAM_FAILED',
      exitCode: 7,
      durationsMs: {},
    });
    t.deepEqual(await allocate(store, 'A'), { sequence: 0, reused: true, wasVoided: false });
    t.deepEqual(await allocate(store, 'C'), { sequence: 2, reused: false, wasVoided: false });
    // Pools count on their own.
    t.like(await store.allocateSerial({ pool: 'mac', chipUid: 'C', station: 'st1' }), {
      sequence: 0,
    });
    t.deepEqual(
      (await store.serials('sn')).map((s) => [s.sequence, s.chipUid, s.state, s.station]),
      [
        [0, 'A', 'bound', 'st1'],
        [1, 'B', 'bound', 'st1'],
        [2, 'C', 'bound', 'st1'],
      ],
    );
  });

  test(`${backend}: a voided serial is never handed out again unless asked`, async (t) => {
    const store = await fresh(t, backend);
    await allocate(store, 'A');
    await allocate(store, 'B');
    await allocate(store, 'C');
    await store.voidSerial('sn', 1, 'board B cracked');
    await store.voidSerial('sn', 0, 'label misprinted');
    await store.voidSerial('sn', 1, 'again'); // no change
    // B comes back after its serial was voided: a new one, not its old one.
    t.deepEqual(await allocate(store, 'B'), { sequence: 3, reused: false, wasVoided: false });
    t.deepEqual(await allocate(store, 'D'), { sequence: 4, reused: false, wasVoided: false });
    // Asked to reuse: the lowest voided first.
    t.deepEqual(await allocate(store, 'E', true), { sequence: 0, reused: false, wasVoided: true });
    t.deepEqual(await allocate(store, 'F', true), { sequence: 1, reused: false, wasVoided: true });
    t.deepEqual(await allocate(store, 'G', true), { sequence: 5, reused: false, wasVoided: false });
    const serials = await store.serials('sn');
    t.deepEqual(
      serials.map((s) => [s.sequence, s.chipUid, s.state]),
      [
        [0, 'E', 'bound'],
        [1, 'F', 'bound'],
        [2, 'C', 'bound'],
        [3, 'B', 'bound'],
        [4, 'D', 'bound'],
        [5, 'G', 'bound'],
      ],
    );
    t.is(serials[0]?.voidReason, undefined);
  });

  test(`${backend}: voiding keeps the reason and time; an unknown serial is SERIAL_UNKNOWN`, async (t) => {
    const store = await fresh(t, backend);
    await allocate(store, 'A');
    const before = Date.now();
    await store.voidSerial('sn', 0, 'board dropped');
    const [row] = await store.serials();
    t.is(row?.state, 'voided');
    t.is(row?.chipUid, 'A');
    t.is(row?.voidReason, 'board dropped');
    t.true((row?.voidedAt?.getTime() ?? 0) >= before - 5_000);
    const error = await t.throwsAsync(store.voidSerial('sn', 1, 'x'));
    t.true(isFlashwrightError(error));
    t.like(error, { code: 'SERIAL_UNKNOWN', exitCode: 2 });
    t.like(await t.throwsAsync(store.voidSerial('other', 0, 'x')), { code: 'SERIAL_UNKNOWN' });
  });

  test(`${backend}: attempts are logged with every field, unfinished until finished, and filtered`, async (t) => {
    const store = await fresh(t, backend);
    const since = new Date(Date.now() - 60_000);
    const first = await store.startAttempt({
      station: 'line-1',
      probe: '0669FF3830',
      chipUid: '0031003A3235510B37333439',
      device: 'STM32F411xC/E',
      imageSha256: 'ab'.repeat(32),
      pool: 'sn',
      sequence: 7,
      serialText: 'SN-000007',
      recipe: '/x/flashwright.config.yaml',
    });
    const second = await store.startAttempt({ station: 'line-2', probe: 'P2', imageSha256: 'cd' });
    const third = await store.startAttempt({
      station: 'line-2',
      probe: 'P3',
      imageSha256: 'ef',
      pool: 'sn',
    });
    t.true(second > first && third > second);
    const journal = { erased: [[134217728, 134234112]], written: [], unknown: [[1, 2]] };
    await store.finishAttempt(first, {
      result: 'pass',
      exitCode: 0,
      durationsMs: { connect: 12, write: 3400 },
    });
    await store.finishAttempt(second, {
      result: 'fail',
      errorCode: 'VERIFY_MISMATCH',
      exitCode: 8,
      durationsMs: { verify: 5 },
      journal,
    });
    const all = await store.attempts();
    t.deepEqual(
      all.map((a) => [a.id, a.result]),
      [
        [first, 'pass'],
        [second, 'fail'],
        [third, 'unfinished'],
      ],
    );
    const [a, b, c] = all;
    t.like(a, {
      station: 'line-1',
      probe: '0669FF3830',
      chipUid: '0031003A3235510B37333439',
      device: 'STM32F411xC/E',
      imageSha256: 'ab'.repeat(32),
      pool: 'sn',
      sequence: 7,
      serialText: 'SN-000007',
      recipe: '/x/flashwright.config.yaml',
      exitCode: 0,
      errorCode: undefined,
      journal: undefined,
    });
    t.deepEqual(a?.durationsMs, { connect: 12, write: 3400 });
    t.true(a?.startedAt instanceof Date && a.finishedAt instanceof Date);
    t.true((a?.finishedAt?.getTime() ?? 0) >= (a?.startedAt.getTime() ?? 1));
    t.deepEqual(b?.journal, journal);
    t.like(b, {
      errorCode: 'VERIFY_MISMATCH',
      exitCode: 8,
      chipUid: undefined,
      sequence: undefined,
    });
    t.like(c, { finishedAt: undefined, exitCode: undefined, durationsMs: undefined });

    const ids = async (filter: Parameters<ProductionStore['attempts']>[0]) =>
      (await store.attempts(filter)).map((x) => x.id);
    t.deepEqual(await ids({ pool: 'sn' }), [first, third]);
    t.deepEqual(await ids({ chipUid: '0031003A3235510B37333439' }), [first]);
    t.deepEqual(await ids({ result: 'unfinished' }), [third]);
    t.deepEqual(await ids({ result: 'fail' }), [second]);
    t.deepEqual(await ids({ since }), [first, second, third]);
    t.deepEqual(await ids({ since: new Date(Date.now() + 60_000) }), []);
    t.like(
      await t.throwsAsync(
        store.finishAttempt(9999, { result: 'pass', exitCode: 0, durationsMs: {} }),
      ),
      {
        code: 'INTERNAL',
      },
    );
  });

  test(`${backend}: serials show the newest attempt's serial text and result`, async (t) => {
    const store = await fresh(t, backend);
    await allocate(store, 'A');
    await allocate(store, 'B');
    const attempt = (result?: 'pass' | 'fail') => async () => {
      const id = await store.startAttempt({
        station: 's',
        probe: 'p',
        imageSha256: 'x',
        pool: 'sn',
        sequence: 0,
        serialText: `SN-${result ?? 'u'}`,
      });
      if (result !== undefined)
        await store.finishAttempt(id, {
          result,
          exitCode: result === 'pass' ? 0 : 7,
          durationsMs: {},
        });
    };
    await attempt('fail')();
    await attempt('pass')();
    const [a, b] = await store.serials();
    t.like(a, { serialText: 'SN-pass', lastResult: 'pass' });
    t.like(b, { serialText: undefined, lastResult: undefined });
    await attempt()();
    t.like((await store.serials())[0], { lastResult: 'unfinished' });
  });
}
