/**
 * SWD WAIT bursts of 1 to 64 responses in the middle of RAM writes on the simulated L151, F411
 * and L476. A write is never sent again from its start once part of it landed: without
 * `idempotent` it throws with how far it got (PartialWrite, exact to the byte: the RAM holds
 * the new bytes before that point and the old ones after it); an idempotent write is sent on
 * from there and completes when the burst is shorter than the retries.
 */
import test, { type ExecutionContext } from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { bytesEqual } from '@flashwright/core/image';
import { partialWriteOf } from '@flashwright/core/plugin';
import { pattern, rig, type Rig } from './helpers/virtual.js';

const RAM = 0x20000000;
/** Unaligned, so the write is an 8-bit head, a 32-bit middle and an 8-bit tail. */
const AT = RAM + 2;
const OLD = 0xa5;
const DATA = pattern(3000, 3).map((b) => (b === OLD ? 0x5a : b));
/** The driver's retry count, without its back-off sleeps. */
const RETRIES = { retries: 8, firstDelayMs: 0 };
const BURSTS = [1, 2, 3, 8, 16, 31, 32, 64];
const DEVICES = ['STM32L151CBxxA', 'STM32F411RE', 'STM32L476RG'];

interface Board {
  readonly device: string;
  readonly firmware?: string;
}

async function board(b: Board, atAccess?: number, count = 0): Promise<Rig> {
  const r = await rig(
    {
      device: b.device,
      ...(b.firmware ? { firmware: b.firmware } : {}),
      ...(atAccess === undefined ? {} : { faults: [{ kind: 'swd-wait', atAccess, count }] }),
    },
    { waitRetry: RETRIES },
  );
  await r.probe.connect({ speedKhz: 4000 });
  await r.probe.memory.write(RAM, new Uint8Array(DATA.length + 8).fill(OLD));
  return r;
}

/** The AP accesses of the write on a board without faults (the sim is deterministic). */
async function writeWindow(b: Board): Promise<{ first: number; last: number }> {
  const r = await board(b);
  try {
    const first = r.session.stats().apAccesses + 1;
    await r.probe.memory.write(AT, DATA);
    return { first, last: r.session.stats().apAccesses };
  } finally {
    await r.close();
  }
}

async function ram(r: Rig): Promise<Uint8Array> {
  // The burst may still be going on: reads are retried, and retried again here.
  for (let attempt = 0; ; attempt++) {
    try {
      return await r.probe.memory.read(AT, DATA.length);
    } catch (error) {
      if (attempt > 8) throw error;
    }
  }
}

/**
 * A write that did not complete says how far it got, to the byte: new data before, old after.
 * Returns the bytes it reports written.
 */
async function checkPartial(
  t: ExecutionContext,
  r: Rig,
  error: unknown,
  what: string,
): Promise<number> {
  t.true(error instanceof FlashwrightError, `${what}: ${String(error)}`);
  t.is((error as FlashwrightError).code, 'TARGET_NO_RESPONSE', what);
  const partial = partialWriteOf(error, AT, DATA.length);
  if (partial === undefined) {
    t.fail(`${what}: no PartialWrite`);
    return 0;
  }
  const back = await ram(r);
  const { writtenBytes, uncertainBytes } = partial;
  t.true(bytesEqual(back.subarray(0, writtenBytes), DATA.subarray(0, writtenBytes)), what);
  const untouched = back.subarray(writtenBytes + uncertainBytes);
  t.true(
    untouched.every((b) => b === OLD),
    `${what}: nothing written after ${writtenBytes} + ${uncertainBytes} bytes`,
  );
  return writtenBytes;
}

function cases(first: number, last: number): [number, number][] {
  const out: [number, number][] = [];
  for (const position of [0.1, 0.5, 0.9]) {
    for (const count of BURSTS) out.push([first + Math.floor((last - first) * position), count]);
  }
  let x = 0x2a;
  for (let i = 0; i < 6; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const position = (x >>> 8) / 2 ** 24;
    x = (x * 1103515245 + 12345) >>> 0;
    out.push([first + Math.floor((last - first) * position), 1 + ((x >>> 8) % 64)]);
  }
  return out;
}

for (const device of DEVICES) {
  test(`${device}: a WAIT burst in the middle of a RAM write is never answered by sending it again`, async (t) => {
    const { first, last } = await writeWindow({ device });
    for (const [atAccess, count] of cases(first, last)) {
      const what = `${device} burst of ${count} at ${atAccess}`;
      const r = await board({ device }, atAccess, count);
      try {
        const error = await r.probe.memory.write(AT, DATA).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        if (error === undefined) t.true(bytesEqual(await ram(r), DATA), what);
        else await checkPartial(t, r, error, what);
      } finally {
        await r.close();
      }
    }
    // One WAIT well inside the transfer: the old driver sent the whole write again.
    const r = await board({ device }, first + Math.floor((last - first) / 2), 1);
    try {
      const error = await t.throwsAsync(r.probe.memory.write(AT, DATA));
      const written = await checkPartial(t, r, error, `${device}: one WAIT`);
      t.true(written > 0 && written < DATA.length);
    } finally {
      await r.close();
    }
  });

  test(`${device}: an idempotent RAM write is sent on after a WAIT burst and completes`, async (t) => {
    const { first, last } = await writeWindow({ device });
    for (const [atAccess, count] of cases(first, last)) {
      const what = `${device} burst of ${count} at ${atAccess}`;
      const r = await board({ device }, atAccess, count);
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await r.probe.memory.write(AT, DATA, { idempotent: true });
            break;
          } catch (error) {
            // Only a burst longer than the retries may stop it; the same write again finishes.
            t.true(count > RETRIES.retries, `${what}: ${String(error)}`);
            t.is((error as FlashwrightError).code, 'TARGET_NO_RESPONSE', what);
            if (attempt > 8) throw error;
          }
        }
        t.true(bytesEqual(await ram(r), DATA), what);
      } finally {
        await r.close();
      }
    }
  });
}

test('without GETLASTRWSTATUS2 (V2J14) the command the WAIT cut short is reported in doubt', async (t) => {
  for (const device of ['STM32L151CBxxA', 'STM32L476RG']) {
    const b = { device, firmware: 'V2J14S0' };
    const { first, last } = await writeWindow(b);
    const r = await board(b, first + Math.floor((last - first) / 2), 1);
    try {
      const error = await t.throwsAsync(r.probe.memory.write(AT, DATA));
      await checkPartial(t, r, error, device);
      // The 2-byte 8-bit head went through; the 32-bit middle is in doubt as a whole.
      t.like(partialWriteOf(error, AT, DATA.length), { writtenBytes: 2, uncertainBytes: 2996 });
    } finally {
      await r.close();
    }
  }
});
