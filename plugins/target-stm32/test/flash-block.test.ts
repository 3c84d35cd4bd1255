/**
 * The sequence the keyed controllers share (src/flash/flash-block.ts), over a register model
 * that records each access: the order of unlock, idle wait, flag clear, operation and relock,
 * and the error a flag or a timeout gives.
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import type { ControllerContext } from '../src/flash/controller.js';
import { FlashBlock, type FlashBlockLayout } from '../src/flash/flash-block.js';
import { waitNotBusy } from '../src/flash/wait.js';
import { recordingLog } from './helpers/sim-rig.js';

const KEYR = 0x04;
const SR = 0x0c;
const CR = 0x10;
const AR = 0x14;
const LOCK = 1 << 7;
const BSY = 1 << 0;
const PGERR = 1 << 2;
const START = 1 << 6;

/**
 * Registers as a map: CR starts locked and the keys clear LOCK; a write with START sets BSY
 * for `busyPolls` reads of SR, then `errorAfter` (sticky until written with 1).
 */
function model(options: { errorAfter?: number; failWrite?: number } = {}) {
  const regs = new Map<number, number>([[CR, LOCK]]);
  const log: string[] = [];
  let busyPolls = 0;
  const memory: MemoryPort = {
    read: () => Promise.reject(new Error('not used')),
    write: () => Promise.reject(new Error('not used')),
    read32: (address) => {
      let value = regs.get(address) ?? 0;
      if (address === SR && busyPolls > 0) {
        busyPolls--;
        value |= BSY;
      }
      log.push(`r ${address.toString(16)}`);
      return Promise.resolve(value);
    },
    write32: (address, value) => {
      log.push(`w ${address.toString(16)}=${(value >>> 0).toString(16)}`);
      if (address === options.failWrite) return Promise.reject(new Error('link lost'));
      if (address === KEYR && value === 0xcdef89ab) regs.set(CR, (regs.get(CR) ?? 0) & ~LOCK);
      else if (address === SR) regs.set(SR, (regs.get(SR) ?? 0) & ~value);
      else regs.set(address, value);
      if (address === CR && (value & START) !== 0) {
        busyPolls = 2;
        regs.set(SR, (regs.get(SR) ?? 0) | (options.errorAfter ?? 0));
      }
      return Promise.resolve();
    },
  };
  const ctx = { memory, clock: () => 0, log: recordingLog() } as unknown as ControllerContext;
  return { ctx, log, regs };
}

const layout: FlashBlockLayout = {
  control: CR,
  unlockKeys: [
    { lockMask: LOCK, keyRegister: KEYR, keys: [0x45670123, 0xcdef89ab], what: 'Flash controller' },
  ],
  lockValue: LOCK,
  status: SR,
  busyMask: BSY,
  errors: [{ name: 'PGERR', mask: PGERR }],
  clear: SR,
  clearMask: PGERR,
};

const range = { start: 0x08000400, end: 0x08000800 };

test('an erase runs unlock, idle wait, idle hook, flag clear, setup, start, busy wait and relock in that order', async (t) => {
  const { ctx, log } = model();
  const idle: number[] = [];
  const block = new FlashBlock(ctx, {
    ...layout,
    idle: (status) => {
      log.push(`idle ${status}`);
      idle.push(status);
      return Promise.resolve();
    },
  });
  await block.eraseBank(
    { setup: [[AR, range.start]], control: [2, 2 | START], timeoutMs: 100, what: 'page erase' },
    range,
  );
  t.deepEqual(log, [
    'r 10', // CR: locked
    'w 4=45670123',
    'w 4=cdef89ab',
    'r 10', // unlocked now
    'r c', // idle
    'idle 0',
    'w c=4', // clear PGERR
    'w 14=8000400', // AR
    'w 10=2',
    'w 10=42', // START
    'r c', // busy
    'r c', // busy
    'r c', // done
    'r c', // relock: idle
    'w 10=80',
  ]);
});

test('an error flag after the operation is the family error naming the flag and the range, and the controller is relocked', async (t) => {
  const { ctx, log, regs } = model({ errorAfter: PGERR });
  const block = new FlashBlock(ctx, layout);
  const error = await t.throwsAsync(
    block.eraseBank({ control: [2 | START], timeoutMs: 100, what: 'page erase' }, range),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'FLASH_ERASE_FAILED');
  t.regex(error?.message ?? '', /^Erase failed at 0x08000400\.\.0x080007FF: PGERR/);
  t.is(log.at(-1), 'w 10=80');
  t.is(regs.get(CR), LOCK);
});

test('a relock that fails does not hide the error of the work', async (t) => {
  const { ctx } = model({ failWrite: CR });
  const block = new FlashBlock(ctx, layout);
  await t.throwsAsync(
    block.unlocked(() => Promise.reject(new Error('the work failed'))),
    { message: 'the work failed' },
  );
  // Relocking alone never throws (the best-effort lock after an interruption).
  await t.notThrowsAsync(block.relock());
});

test('waitNotBusy with a done mask waits for a done bit and names the register in its timeout', async (t) => {
  const { ctx, regs } = model();
  regs.set(0x20, 0);
  let now = 0;
  const wait = (timeoutMs: number) =>
    waitNotBusy({
      memory: ctx.memory,
      statusAddress: 0x20,
      statusName: 'IRQRAW',
      doneMask: 0b1101,
      timeoutMs,
      clock: () => (now += 10),
      what: 'erase at 0x10040000',
    });
  const error = await t.throwsAsync(wait(25), { instanceOf: FlashwrightError });
  t.is(error?.code, 'FLASH_TIMEOUT');
  t.regex(
    error?.message ?? '',
    /erase at 0x10040000 did not finish within 25 ms \(IRQRAW 0x00000000\)/,
  );
  regs.set(0x20, 0b1000);
  t.is(await wait(25), 0b1000, 'an error bit ends the wait as CMDDONE does');
});
