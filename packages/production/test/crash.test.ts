/**
 * kill -9 of a station in the middle of an allocation: the database keeps what was committed
 * (serial 0 bound to chip A, its attempt unfinished), nothing of the transaction that was cut
 * off, and the next run continues without a gap.
 */
import test from 'ava';
import { openStore } from '../src/index.js';
import { startFixture } from './helpers/children.js';
import { backends, freshDatabase } from './helpers/databases.js';

for (const backend of backends(test, 'kill -9')) {
  test(`${backend}: a station killed mid-transaction leaves the database consistent`, async (t) => {
    const location = await freshDatabase(t, backend);
    const child = startFixture('crash-child', [location]);
    t.teardown(() => child.process.kill('SIGKILL'));
    await child.waitFor(/^mid-transaction$/);
    child.process.kill('SIGKILL');
    t.is(await child.exited, 'SIGKILL');

    const store = await openStore(location);
    t.teardown(() => store.close());
    t.deepEqual(
      (await store.serials()).map((s) => [s.sequence, s.chipUid, s.state, s.lastResult]),
      [[0, 'A', 'bound', 'unfinished']],
    );
    t.deepEqual(
      (await store.attempts()).map((a) => [a.chipUid, a.sequence, a.result]),
      [['A', 0, 'unfinished']],
    );
    // The next run: A gets its serial back, B the next one (1: the cut-off one left no gap).
    t.deepEqual(await store.allocateSerial({ pool: 'sn', chipUid: 'A', station: 'next' }), {
      sequence: 0,
      reused: true,
      wasVoided: false,
    });
    t.deepEqual(await store.allocateSerial({ pool: 'sn', chipUid: 'B', station: 'next' }), {
      sequence: 1,
      reused: false,
      wasVoided: false,
    });
  });
}
