import test from 'ava';
import { VirtualClock } from '../src/clock.js';
import { RealtimePace } from '../src/realtime.js';

function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // A core the interpreter runs slower than real time.
  }
}

/** A board clock whose core costs 5 ms of host time per virtual millisecond. */
function slowCoreClock(): VirtualClock {
  const clock = new VirtualClock();
  clock.setRunner({
    runUntil(untilUs) {
      while (clock.nowUs < untilUs) {
        burn(5);
        clock.advanceUs(Math.min(1000, untilUs - clock.nowUs));
      }
    },
  });
  return clock;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a board whose core cannot be run in real time slips behind the wall clock instead of catching up for ever', async (t) => {
  const clock = slowCoreClock();
  const pace = new RealtimePace(clock, true);
  pace.catchUp();
  await sleep(300);
  pace.catchUp();
  // Catching up 300 ms would take 1.5 s of host time; the board ran some and slipped.
  t.true(clock.nowUs > 0, 'the core ran');
  t.true(clock.nowUs < 150_000, `the board slipped: ${clock.nowUs} µs`);
  // From the slip on, board time again follows the wall clock from where it is.
  const before = clock.nowUs;
  await sleep(50);
  pace.catchUp();
  t.true(clock.nowUs > before, 'it keeps running after a slip');
});

test('a halted core is cheap to run: the board catches up with the wall clock in full', async (t) => {
  const clock = new VirtualClock();
  const pace = new RealtimePace(clock, true);
  pace.catchUp();
  await sleep(100);
  pace.catchUp();
  t.true(clock.nowUs >= 100_000, `${clock.nowUs} µs after 100 ms`);
});

test('a board that runs behind the wall clock still lets the event loop turn between its transfers', async (t) => {
  // The board never leads the wall clock, so no transfer sleeps.
  const clock = slowCoreClock();
  const pace = new RealtimePace(clock, true);
  let timerFired = false;
  // A timer of the host (a transfer timeout, another board's sleep) that is due at once.
  setTimeout(() => (timerFired = true), 0);
  let transfers = 0;
  // Each transfer catches up for up to 20 ms: 100 of them keep the host busy for seconds.
  while (!timerFired && transfers < 100) {
    pace.catchUp();
    await pace.keepPace();
    transfers++;
  }
  t.true(timerFired, `the timer had not fired after ${transfers} transfers`);
});
