/**
 * writeUnits, the program loops' answer to a write the busy target cut short: resume at the
 * start of the unit that holds the first byte not written, dropping a partly sent unit first;
 * stop with FLASH_INTERRUPTED where that is not possible. Over a scripted memory port.
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { type MemoryPort, type PartialWrite, withPartialWrite } from '@flashwright/core/plugin';
import { writeUnits, type UnitWriteOptions } from '../src/flash/unit-write.js';
import { recordingLog } from './helpers/sim-rig.js';

const BASE = 0x08000000;

const busy = () =>
  new FlashwrightError('TARGET_NO_RESPONSE', 'the target kept answering WAIT', {
    hint: 'Try a lower probe.speed.',
  });

/** What the next write does: lands whole, or lands `written` (+ `uncertain`) bytes and throws. */
type Step = 'ok' | { written: number; uncertain?: number } | Error;

function scriptedPort(steps: Step[]) {
  const writes: { address: number; length: number }[] = [];
  const memory: MemoryPort = {
    read: () => Promise.reject(new Error('not used')),
    read32: () => Promise.reject(new Error('not used')),
    write32: () => Promise.reject(new Error('not used')),
    write(address, data) {
      writes.push({ address, length: data.length });
      const step = steps.shift() ?? 'ok';
      if (step === 'ok') return Promise.resolve();
      if (step instanceof Error) return Promise.reject(step);
      const partial: PartialWrite = {
        address,
        lengthBytes: data.length,
        writtenBytes: step.written,
        uncertainBytes: step.uncertain ?? 0,
      };
      return Promise.reject(withPartialWrite(busy(), partial));
    },
  };
  return { memory, writes };
}

function options(
  memory: MemoryPort,
  drop?: () => Promise<void>,
): UnitWriteOptions & { log: ReturnType<typeof recordingLog> } {
  return {
    memory,
    log: recordingLog(),
    width: 32,
    unitBytes: 8,
    unitName: 'double word',
    ...(drop ? { dropPartialUnit: drop } : {}),
  };
}

test('cut short at a unit boundary: programming goes on from the first byte not written', async (t) => {
  const { memory, writes } = scriptedPort([{ written: 48 }, 'ok']);
  const o = options(memory);
  await writeUnits(BASE, new Uint8Array(256), o);
  t.deepEqual(writes, [
    { address: BASE, length: 256 },
    { address: BASE + 48, length: 208 },
  ]);
  t.true(o.log.lines.some((l) => /WAIT.*at 0x08000030; going on from there/.test(l)));
});

test('cut short inside a unit: the partial unit is dropped and sent whole again', async (t) => {
  const { memory, writes } = scriptedPort([{ written: 52 }, { written: 20 }, 'ok']);
  let drops = 0;
  const o = options(memory, () => {
    drops++;
    return Promise.resolve();
  });
  await writeUnits(BASE, new Uint8Array(256), o);
  t.is(drops, 2);
  t.deepEqual(writes, [
    { address: BASE, length: 256 },
    { address: BASE + 48, length: 208 },
    { address: BASE + 64, length: 192 },
  ]);
  t.true(
    o.log.lines.some((l) => /double word at 0x08000030\.\.0x08000037; sending it again/.test(l)),
  );
});

test('inside a unit, a controller that cannot drop it stops with FLASH_INTERRUPTED (exit 7)', async (t) => {
  const { memory, writes } = scriptedPort([{ written: 52 }]);
  const error = await t.throwsAsync(writeUnits(BASE, new Uint8Array(256), options(memory)), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'FLASH_INTERRUPTED');
  t.is(error?.exitCode, 7);
  t.regex(
    error?.message ?? '',
    /stopped at 0x08000034: .*WAIT.*double word at 0x08000030\.\.0x08000037/,
  );
  t.deepEqual(error?.details?.['range'], { start: BASE + 48, end: BASE + 56 });
  t.is(error?.hint, 'Try a lower probe.speed.', 'the transport’s hint');
  t.is(writes.length, 1, 'nothing sent again');
});

test('the same unit cut short twice in a row stops (a persistent stall is not chased forever)', async (t) => {
  const { memory, writes } = scriptedPort([{ written: 52 }, { written: 4 }]);
  let drops = 0;
  const error = await t.throwsAsync(
    writeUnits(
      BASE,
      new Uint8Array(256),
      options(memory, () => {
        drops++;
        return Promise.resolve();
      }),
    ),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'FLASH_INTERRUPTED');
  t.regex(error?.message ?? '', /twice in the middle of the double word at 0x08000030/);
  t.is(drops, 2, 'left without a partial unit in the controller');
  t.is(writes.length, 2);
});

test('a probe that cannot say how far it got: stop, the doubtful range named, nothing sent again', async (t) => {
  const { memory, writes } = scriptedPort([{ written: 64, uncertain: 192 }]);
  let drops = 0;
  const error = await t.throwsAsync(
    writeUnits(
      BASE,
      new Uint8Array(256),
      options(memory, () => {
        drops++;
        return Promise.resolve();
      }),
    ),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'FLASH_INTERRUPTED');
  t.regex(error?.message ?? '', /cannot say how much of 0x08000040\.\.0x080000FF/);
  t.deepEqual(error?.details?.['range'], { start: BASE + 64, end: BASE + 256 });
  t.is(drops, 1);
  t.is(writes.length, 1);
});

test('no progress, or an error that says nothing about progress, comes through unchanged', async (t) => {
  const nothing = scriptedPort([{ written: 0 }]);
  const stalled = await t.throwsAsync(
    writeUnits(BASE, new Uint8Array(64), options(nothing.memory)),
  );
  t.is((stalled as FlashwrightError).code, 'TARGET_NO_RESPONSE');
  const lost = new FlashwrightError('PROBE_DISCONNECTED', 'gone');
  const gone = scriptedPort([lost]);
  t.is(await t.throwsAsync(writeUnits(BASE, new Uint8Array(64), options(gone.memory))), lost);
  t.is(gone.writes.length, 1);
});

/** A port that moves 20 bytes a transfer and tells onProgress after each (`cut`: a busy stop). */
function piecewisePort(cut?: number) {
  const landed: number[] = [];
  const memory: MemoryPort = {
    read: () => Promise.reject(new Error('not used')),
    read32: () => Promise.reject(new Error('not used')),
    write32: () => Promise.reject(new Error('not used')),
    write(address, data, o) {
      for (let done = 0; done < data.length;) {
        const end = Math.min(done + 20, data.length);
        if (cut !== undefined && address - BASE + end > cut) {
          const writtenBytes = cut - (address - BASE);
          cut = undefined;
          const partial = { address, lengthBytes: data.length, writtenBytes, uncertainBytes: 0 };
          return Promise.reject(withPartialWrite(busy(), partial));
        }
        landed.push(address - BASE + end);
        done = end;
        o?.onProgress?.(done);
      }
      return Promise.resolve();
    },
  };
  return { memory, landed };
}

test('progress counts from the start of the data, across a restart after a busy stop', async (t) => {
  const { memory } = piecewisePort(48);
  const seen: number[] = [];
  await writeUnits(BASE, new Uint8Array(100), {
    ...options(memory),
    onProgress: (n) => seen.push(n),
  });
  // 20 and 40 land, the stop at 48 resumes at 48 (a unit boundary), then 68, 88, 100.
  t.deepEqual(seen, [20, 40, 68, 88, 100]);
});

test('an abort stops the write where a transfer ends on a whole unit, never inside one', async (t) => {
  const { memory, landed } = piecewisePort();
  const controller = new AbortController();
  const error: unknown = await writeUnits(BASE, new Uint8Array(200), {
    ...options(memory),
    signal: controller.signal,
    onProgress: () => controller.abort(),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.is((error as { name?: string } | undefined)?.name, 'AbortError');
  // 20 is inside the third double word; 40 ends the fifth: the write stops there.
  t.deepEqual(landed, [20, 40]);
});
