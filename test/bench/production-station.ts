/**
 * One station of the production benchmark, in a child process: opens the database, says
 * "ready", waits for "go" on stdin, allocates `count` serials for chips of its own (and, with
 * `log`, starts and finishes an attempt for each, as a production run does), then prints the
 * milliseconds that took and exits.
 */
import { createInterface } from 'node:readline';
import { openStore } from '@flashwright/production';

const job = JSON.parse(process.argv[2] ?? '{}') as {
  location: string;
  station: string;
  count: number;
  log: boolean;
};
const store = await openStore(job.location);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
console.log('ready');
await go;
lines.close();
const started = performance.now();
for (let i = 0; i < job.count; i++) {
  const chipUid = `${job.station}-${i}`;
  const { sequence } = await store.allocateSerial({ pool: 'sn', chipUid, station: job.station });
  if (!job.log) continue;
  const id = await store.startAttempt({
    station: job.station,
    probe: 'bench',
    chipUid,
    imageSha256: '00',
    pool: 'sn',
    sequence,
  });
  await store.finishAttempt(id, { result: 'pass', exitCode: 0, durationsMs: { write: 1 } });
}
console.log(JSON.stringify({ ms: performance.now() - started }));
await store.close();
