/**
 * Several processes allocate from one pool at the same time: two on one SQLite file, four on
 * one PostgreSQL database, 1,000 serials in all. No serial goes to two chips, the sequences
 * have no gaps except voided ones, and every allocation has its attempt in the log.
 */
import test from 'ava';
import { openStore } from '../src/index.js';
import { startFixture } from './helpers/children.js';
import { backends, freshDatabase } from './helpers/databases.js';

interface Allocation {
  chipUid: string;
  sequence: number;
  reused: boolean;
  voided: boolean;
  again?: number;
}

const TOTAL = 1000;

for (const backend of backends(test, 'concurrent allocation')) {
  const processes = backend === 'sqlite' ? 2 : 4;
  test(`${backend}: ${processes} processes allocate ${TOTAL} serials at once`, async (t) => {
    const location = await freshDatabase(t, backend);
    const count = TOTAL / processes;
    const children = Array.from({ length: processes }, (_, i) =>
      startFixture('allocator', [
        JSON.stringify({
          location,
          station: `st${i}`,
          pool: 'sn',
          count,
          voidEvery: 37,
          rerunEvery: 10,
        }),
      ]),
    );
    t.teardown(() => children.forEach((c) => c.process.kill('SIGKILL')));
    // All have opened (and migrated) the database before any allocates.
    await Promise.all(children.map((c) => c.waitFor(/^ready$/)));
    for (const c of children) c.process.stdin?.end('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    t.deepEqual(
      codes,
      children.map(() => 0),
      children.map((c) => c.stderr()).join('\n'),
    );

    const perStation = children.map((c) =>
      c.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Allocation),
    );
    const allocations = perStation.flat();
    t.is(allocations.length, TOTAL);
    // No sequence handed to two chips, none missing from 0 to TOTAL - 1.
    const sequences = allocations.map((a) => a.sequence).sort((a, b) => a - b);
    t.deepEqual(
      sequences,
      Array.from({ length: TOTAL }, (_, i) => i),
    );
    t.false(allocations.some((a) => a.reused));
    // A chip allocating again got its own serial back.
    for (const a of allocations.filter((x) => x.again !== undefined)) t.is(a.again, a.sequence);
    // The stations really ran at once: their sequences interleave.
    t.true(
      perStation.some((list) =>
        list.some((a, i) => i > 0 && a.sequence !== (list[i - 1]?.sequence ?? 0) + 1),
      ),
      'each station got one contiguous block: the processes did not overlap',
    );

    const store = await openStore(location);
    t.teardown(() => store.close());
    const serials = await store.serials('sn');
    t.is(serials.length, TOTAL);
    const byChip = new Map(allocations.map((a) => [a.chipUid, a]));
    for (const s of serials) {
      const a = byChip.get(s.chipUid);
      t.is(a?.sequence, s.sequence, `serial ${s.sequence}`);
      t.is(s.state, a?.voided === true ? 'voided' : 'bound');
      t.is(s.lastResult, 'pass');
    }
    t.is(
      serials.filter((s) => s.state === 'voided').length,
      allocations.filter((a) => a.voided).length,
    );
    // Every allocation is logged: one finished attempt per chip, with its serial.
    const attempts = await store.attempts({ pool: 'sn' });
    t.is(attempts.length, TOTAL);
    t.deepEqual(
      attempts.map((a) => `${a.chipUid}:${a.sequence}:${a.result}`).sort(),
      allocations.map((a) => `${a.chipUid}:${a.sequence}:pass`).sort(),
    );
    // The next allocation continues after the highest, voided ones skipped.
    t.like(await store.allocateSerial({ pool: 'sn', chipUid: 'late', station: 't' }), {
      sequence: TOTAL,
    });
  });
}

for (const backend of backends(test, 'concurrent allocation for the same chips')) {
  const processes = backend === 'sqlite' ? 2 : 4;
  test(`${backend}: ${processes} processes allocating for the same 100 chips bind each chip once`, async (t) => {
    const location = await freshDatabase(t, backend);
    const children = Array.from({ length: processes }, (_, i) =>
      startFixture('allocator', [
        JSON.stringify({ location, station: `st${i}`, pool: 'sn', count: 100, chipPrefix: 'chip' }),
      ]),
    );
    t.teardown(() => children.forEach((c) => c.process.kill('SIGKILL')));
    await Promise.all(children.map((c) => c.waitFor(/^ready$/)));
    for (const c of children) c.process.stdin?.end('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    t.deepEqual(
      codes,
      children.map(() => 0),
      children.map((c) => c.stderr()).join('\n'),
    );
    const seen = new Map<string, Set<number>>();
    for (const line of children.flatMap((c) => c.lines.filter((l) => l.startsWith('{')))) {
      const a = JSON.parse(line) as Allocation;
      seen.set(a.chipUid, (seen.get(a.chipUid) ?? new Set()).add(a.sequence));
    }
    t.is(seen.size, 100);
    t.true(
      [...seen.values()].every((s) => s.size === 1),
      'every process got the same serial for a chip',
    );
    const store = await openStore(location);
    t.teardown(() => store.close());
    t.deepEqual(
      (await store.serials('sn')).map((s) => s.sequence),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
}
