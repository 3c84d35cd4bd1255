/**
 * flashwright's STM32L0/L1 RAM loader (loaders/l0-l1; loaders-rebuild.test.ts rebuilds it),
 * run by the simulator's Thumb interpreter on a virtual STM32L151CB, programs 128 KiB with
 * the host filling one buffer of the ring while it programs another, and stops on a flash
 * error with the status.
 */
import test from 'ava';
import { createStm32Chip, SimBoard } from '@flashwright/sim';
import { L0_L1_LOADER } from '../src/flash/l0-l1-loader.js';
import { LoaderControl } from '../src/flash/ram-loader.js';

const FLASH_BASE = 0x40023c00;
const PECR = FLASH_BASE + 0x04;
const PEKEYR = FLASH_BASE + 0x0c;
const PRGKEYR = FLASH_BASE + 0x10;
const SR = FLASH_BASE + 0x18;
const DHCSR = 0xe000edf0;
const DBGKEY = 0xa05f0000;
const HALF_PAGE = 128;
const LOADER_AT = 0x20000000;
const CONTROL_AT = 0x20000100;
const RING_AT = 0x20000200;
const RING_SLOTS = 3;
const FLASH = 0x08000000;

/** A probe for the test: every access costs 1 µs of virtual time, during which the core runs. */
function probe(board: SimBoard) {
  return {
    read: (address: number): number => {
      board.clock.advanceUs(1);
      return board.bus.read(address, 4);
    },
    write: (address: number, value: number): void => {
      board.clock.advanceUs(1);
      board.bus.write(address, 4, value);
    },
  };
}

function pattern(bytes: number): Uint8Array {
  const data = new Uint8Array(bytes);
  let x = 0x1234567;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return data;
}

interface LoaderRun {
  readonly board: SimBoard;
  readonly status: number;
  /** How often the host found the ring full and waited for the loader. */
  readonly waits: number;
}

/** Host side of the protocol in loader.S, erasing first as the host path does. */
function runLoader(data: Uint8Array, flashAddress = FLASH): LoaderRun {
  const board = new SimBoard({ chip: createStm32Chip({ device: 'STM32L151CBxxA' }) });
  const p = probe(board);
  p.write(DHCSR, DBGKEY | 0x3);
  p.write(PEKEYR, 0x89abcdef);
  p.write(PEKEYR, 0x02030405);
  p.write(PRGKEYR, 0x8c9daebf);
  p.write(PRGKEYR, 0x13141516);
  p.write(PECR, (1 << 9) | (1 << 3)); // ERASE | PROG
  for (let page = 0; page < data.length; page += 256) p.write(FLASH + page, 0);
  while (p.read(SR) & 1);
  p.write(PECR, (1 << 10) | (1 << 3)); // FPRG | PROG
  L0_L1_LOADER.forEach((byte, i) => board.bus.write(LOADER_AT + i, 1, byte));
  p.write(CONTROL_AT + LoaderControl.WRITE, RING_AT);
  p.write(CONTROL_AT + LoaderControl.READ, RING_AT);
  p.write(CONTROL_AT + LoaderControl.STATUS, 0);
  p.write(CONTROL_AT + LoaderControl.UNIT_BYTES, HALF_PAGE);
  const ringEnd = RING_AT + RING_SLOTS * HALF_PAGE;
  const registers = [
    FLASH_BASE,
    RING_AT,
    ringEnd,
    flashAddress,
    data.length / HALF_PAGE,
    CONTROL_AT,
  ];
  registers.forEach((value, reg) => board.core.setCoreRegister(reg, value));
  board.core.setCoreRegister(15, LOADER_AT);
  board.core.setCoreRegister(16, 0x01000000);
  p.write(DHCSR, DBGKEY | 0x1);
  let write = RING_AT;
  let waits = 0;
  for (let offset = 0; offset < data.length && !board.core.halted; offset += HALF_PAGE) {
    const next = write + HALF_PAGE === ringEnd ? RING_AT : write + HALF_PAGE;
    // Never fill the last free slot: write == read means empty.
    while (p.read(CONTROL_AT + LoaderControl.READ) === next && !board.core.halted) waits++;
    const view = new DataView(data.buffer, data.byteOffset + offset, HALF_PAGE);
    for (let i = 0; i < HALF_PAGE; i += 4) p.write(write + i, view.getUint32(i, true));
    p.write(CONTROL_AT + LoaderControl.WRITE, next);
    write = next;
  }
  for (let i = 0; i < 100_000 && !board.core.halted; i++) p.read(DHCSR);
  return { board, status: p.read(CONTROL_AT + LoaderControl.STATUS), waits };
}

test('the loader programs 128 KiB of a virtual STM32L151CB while the host fills the ring', (t) => {
  const data = pattern(128 * 1024);
  const { board, status, waits } = runLoader(data);
  t.true(board.core.halted, 'ended on BKPT');
  t.is(status, 0);
  t.is(board.core.coreRegister(4), 0, 'all half-pages programmed');
  const back = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) back[i] = board.bus.read(FLASH + i, 1);
  t.deepEqual(back, data);
  t.true(waits > 0, 'the host waited for the loader: transfer and programming overlapped');
  t.log(`virtual time: ${(board.clock.nowUs / 1000).toFixed(0)} ms`);
});

test('a half-page that does not start on a half-page boundary stops the loader with PGAERR', (t) => {
  const { board, status } = runLoader(pattern(4 * HALF_PAGE), FLASH + 4);
  t.true(board.core.halted);
  t.is(status & (1 << 9), 1 << 9, 'FLASH_SR.PGAERR in the status word');
  t.is(board.core.coreRegister(4), 4, 'nothing counted as programmed');
});
