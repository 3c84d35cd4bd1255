// The host algorithm on the non-secure status register of L5, U5, U3 and WBA (FLASH_NSSR):
// OPTWERR (bit 13) is an error there, and the reserved bits of the L4 family's FLASH_SR
// (fast-programming errors 8-9, OPTVERR 15) are not written (RM0456 FLASH_NSSR; CMSIS-U5
// stm32u575xx.h, CMSIS-WBA stm32wba55xx.h FLASH_NSSR_*).
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import { findStm32Device } from '@flashwright/stm32-devices';
import type { ControllerContext } from '../src/flash/controller.js';
import { L4Controller } from '../src/flash/l4.js';

const BASE = 0x40022000;
const NSSR = BASE + 0x20;
const NSCR = BASE + 0x28;
const OPTSTRT = 1 << 17;
const OBL_LAUNCH = 1 << 27;
const OPTWERR = 1 << 13;

/** A controller that is unlocked and idle, and reports `afterOptstrt` once OPTSTRT is set. */
function fakeController(afterOptstrt: number) {
  const writes: [number, number][] = [];
  let sr = 0;
  const memory: MemoryPort = {
    read: () => Promise.reject(new Error('not used')),
    write: () => Promise.reject(new Error('not used')),
    read32: (address) => Promise.resolve(address === NSSR ? sr : 0),
    write32: (address, value) => {
      writes.push([address, value >>> 0]);
      if (address === NSCR && value & OPTSTRT) sr = afterOptstrt;
      return Promise.resolve();
    },
  };
  return { memory, writes };
}

function context(devId: number, memory: MemoryPort): ControllerContext {
  const data = findStm32Device(devId);
  if (!data) throw new Error(`no device 0x${devId.toString(16)}`);
  return {
    memory,
    data,
    banks: [],
    clock: () => 0,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    parallelismBytes: 4,
    ram: [],
    reattach: () => Promise.resolve(),
    resetHalt: () => Promise.resolve(),
  };
}

for (const [devId, name] of [
  [0x482, 'U575'],
  [0x454, 'U385'],
  [0x492, 'WBA55'],
] as const) {
  test(`${name}: OPTWERR after OPTSTRT fails the option-byte write, and no OBL_LAUNCH follows`, async (t) => {
    const { memory, writes } = fakeController(OPTWERR);
    const controller = new L4Controller(context(devId, memory));
    const error = await t.throwsAsync(controller.writeOptionRegisters({ OPTR: 0x1feff8aa }), {
      instanceOf: FlashwrightError,
    });
    t.is(error?.code, 'FLASH_OPTION_BYTES_FAILED');
    t.regex(error?.message ?? '', /OPTWERR/);
    t.false(writes.some(([address, value]) => address === NSCR && (value & OBL_LAUNCH) !== 0));
  });

  test(`${name}: clearing NSSR writes only its defined flags (no reserved bits 8, 9, 15)`, async (t) => {
    const { memory, writes } = fakeController(0);
    const controller = new L4Controller(context(devId, memory));
    await controller.eraseSectors([], () => undefined);
    const clears = writes.filter(([address]) => address === NSSR).map(([, value]) => value);
    t.deepEqual(clears, [0x20fb], 'EOP, OPERR, PROGERR, WRPERR, PGAERR, SIZERR, PGSERR, OPTWERR');
  });
}
