import test from 'ava';
import type { SwDebugPort } from '../src/adiv5/debug-port.js';
import { Abort, CtrlStat, DpRegister } from '../src/adiv5/debug-port.js';
import { Csw, MemAp, MemApRegister } from '../src/adiv5/mem-ap.js';
import { SimBoard } from '../src/board.js';
import { FaultPlan } from '../src/faults.js';
import { createTestChip, TEST_CHIP } from './helpers/test-chip.js';

function poweredBoard(faults = new FaultPlan()): SimBoard {
  const board = new SimBoard({ chip: createTestChip(), faults });
  const dp = board.dp;
  dp.lineReset();
  dp.read(DpRegister.DPIDR);
  dp.write(DpRegister.CTRL_STAT, CtrlStat.CDBGPWRUPREQ | CtrlStat.CSYSPWRUPREQ);
  return board;
}

/** AP register read the way a host does it: posted read, then RDBUFF. */
function apRead(dp: SwDebugPort, reg: number): number {
  dp.write(DpRegister.SELECT, reg & 0xf0);
  const first = dp.apRead(reg & 0xc);
  if (first.ack !== 'ok') throw new Error(`ack ${first.ack}`);
  return dp.read(DpRegister.RDBUFF).value;
}

test('after a line reset only a DPIDR read is answered', (t) => {
  const board = new SimBoard({ chip: createTestChip() });
  board.dp.lineReset();
  t.is(board.dp.read(DpRegister.CTRL_STAT).ack, 'no-ack');
  t.deepEqual(board.dp.read(DpRegister.DPIDR), { ack: 'ok', value: 0x2ba01477 });
  t.is(board.dp.read(DpRegister.CTRL_STAT).ack, 'ok');
});

test('power-up handshake sets the ACK bits; AP access before it faults', (t) => {
  const board = new SimBoard({ chip: createTestChip() });
  const dp = board.dp;
  dp.read(DpRegister.DPIDR);
  t.is(dp.read(DpRegister.CTRL_STAT).value, 0);
  t.is(dp.apRead(MemApRegister.IDR & 0xc).ack, 'fault');
  t.truthy(dp.read(DpRegister.CTRL_STAT).value & CtrlStat.STICKYERR);
  dp.write(DpRegister.ABORT, Abort.STKERRCLR);
  dp.write(DpRegister.CTRL_STAT, 0x50000000);
  t.is(dp.read(DpRegister.CTRL_STAT).value >>> 0, 0xf0000000);
});

test('AP reads are posted: the data arrives with the next read or RDBUFF', (t) => {
  const board = poweredBoard();
  const dp = board.dp;
  dp.write(DpRegister.SELECT, 0xf0);
  t.is(dp.apRead(0xc).value, 0); // IDR requested; previous buffer returned
  t.is(dp.apRead(0x8).value >>> 0, 0x24770011); // IDR arrives; BASE requested
  t.is(dp.read(DpRegister.RDBUFF).value >>> 0, 0xe00ff003);
  t.is(dp.read(DpRegister.RDBUFF).value >>> 0, 0xe00ff003, 'RDBUFF has no side effects');
});

test('a bus fault sets STICKYERR and every AP access faults until ABORT clears it', (t) => {
  const board = poweredBoard();
  const dp = board.dp;
  dp.write(DpRegister.SELECT, 0);
  dp.apWrite(MemApRegister.TAR, 0x10000000); // nothing mapped there
  t.is(dp.apRead(MemApRegister.DRW).ack, 'fault');
  t.truthy(dp.read(DpRegister.CTRL_STAT).value & CtrlStat.STICKYERR);
  dp.apWrite(MemApRegister.TAR, TEST_CHIP.RAM_START);
  t.is(dp.apRead(MemApRegister.DRW).ack, 'fault', 'sticky error blocks good accesses too');
  dp.write(DpRegister.ABORT, Abort.STKERRCLR);
  t.is(dp.read(DpRegister.CTRL_STAT).value & CtrlStat.STICKYERR, 0);
  dp.apWrite(MemApRegister.TAR, TEST_CHIP.RAM_START);
  t.is(dp.apRead(MemApRegister.DRW).ack, 'ok');
});

test('injected WAIT storm answers WAIT to the Nth.. AP accesses, then recovers', (t) => {
  const faults = new FaultPlan([{ kind: 'swd-wait', atAccess: 2, count: 3 }]);
  const board = poweredBoard(faults);
  const dp = board.dp;
  const acks = Array.from({ length: 6 }, () => dp.apRead(MemApRegister.CSW).ack);
  t.deepEqual(acks, ['ok', 'wait', 'wait', 'wait', 'ok', 'ok']);
});

test('an absent AP reads IDR as zero', (t) => {
  const board = poweredBoard();
  board.dp.write(DpRegister.SELECT, (1 << 24) | 0xf0);
  board.dp.apRead(0xc);
  t.is(board.dp.read(DpRegister.RDBUFF).value, 0);
  t.is(apRead(board.dp, MemApRegister.IDR), 0x24770011);
});

test('DPv2 banked CTRL/STAT: bank 1 is DLCR, others read zero', (t) => {
  const board = poweredBoard();
  board.dp.write(DpRegister.SELECT, 1);
  t.is(board.dp.read(DpRegister.CTRL_STAT).value, 0x40);
  board.dp.write(DpRegister.SELECT, 2);
  t.is(board.dp.read(DpRegister.CTRL_STAT).value, 0);
});

test('the DP of an unpowered or debug-disabled target does not answer', (t) => {
  const chip = createTestChip({ debugAccess: 'disabled' });
  const board = new SimBoard({ chip });
  t.is(board.dp.read(DpRegister.DPIDR).ack, 'no-ack');
  chip.access = 'open';
  t.is(board.dp.read(DpRegister.DPIDR).ack, 'ok');
});

test('each DP/AP transaction costs 46 SWD clocks', (t) => {
  const board = new SimBoard({ chip: createTestChip(), swdSpeedKhz: 1000 });
  const before = board.clock.nowUs;
  board.dp.read(DpRegister.DPIDR);
  board.dp.read(DpRegister.CTRL_STAT);
  t.is(board.clock.nowUs - before, 92);
});

// MEM-AP on its own, over a plain bus.
function ramAp(autoIncrementBytes?: number): { ap: MemAp; mem: Uint8Array } {
  const mem = new Uint8Array(0x3000);
  const view = new DataView(mem.buffer);
  const ap = new MemAp(
    {
      read: (a, size) =>
        size === 1
          ? view.getUint8(a)
          : size === 2
            ? view.getUint16(a, true)
            : view.getUint32(a, true),
      write: (a, size, v) => {
        if (size === 1) view.setUint8(a, v);
        else if (size === 2) view.setUint16(a, v, true);
        else view.setUint32(a, v, true);
      },
    },
    { idr: 0x04770031, base: 0xe00ff003, ...(autoIncrementBytes ? { autoIncrementBytes } : {}) },
  );
  return { ap, mem };
}

test('MEM-AP byte and half-word accesses use the byte lanes of the address', (t) => {
  const { ap, mem } = ramAp();
  mem.set([0x11, 0x22, 0x33, 0x44], 0x100);
  ap.writeRegister(MemApRegister.CSW, Csw.SIZE_8 | Csw.ADDRINC_SINGLE);
  ap.writeRegister(MemApRegister.TAR, 0x102);
  t.is(ap.readRegister(MemApRegister.DRW), 0x00330000);
  t.is(ap.readRegister(MemApRegister.DRW), 0x44000000);
  t.is(ap.tar, 0x104);
  ap.writeRegister(MemApRegister.CSW, Csw.SIZE_16 | Csw.ADDRINC_SINGLE);
  ap.writeRegister(MemApRegister.TAR, 0x102);
  ap.writeRegister(MemApRegister.DRW, 0xbeef0000);
  t.deepEqual([...mem.subarray(0x100, 0x104)], [0x11, 0x22, 0xef, 0xbe]);
  ap.writeRegister(MemApRegister.CSW, Csw.SIZE_8);
  ap.writeRegister(MemApRegister.TAR, 0x101);
  ap.writeRegister(MemApRegister.DRW, 0x0000aa00);
  t.is(mem[0x101], 0xaa);
  t.is(ap.tar, 0x101, 'AddrInc off keeps TAR');
});

test('MEM-AP auto-increment wraps inside the 1 KB block (4 KB on the M3/M4 AHB-AP)', (t) => {
  const { ap } = ramAp();
  ap.writeRegister(MemApRegister.CSW, Csw.SIZE_32 | Csw.ADDRINC_SINGLE);
  ap.writeRegister(MemApRegister.TAR, 0x7fc);
  ap.readRegister(MemApRegister.DRW);
  t.is(ap.tar, 0x400);
  const m3 = new MemAp(ramAp().ap.bus, { idr: 0x24770011, base: 0 });
  t.is(m3.autoIncrementBytes, 4096);
});

test('MEM-AP BD0-3 address TAR[31:4] plus the bank offset without incrementing', (t) => {
  const { ap, mem } = ramAp();
  new DataView(mem.buffer).setUint32(0x208, 0xcafef00d, true);
  ap.writeRegister(MemApRegister.CSW, Csw.SIZE_32 | Csw.ADDRINC_SINGLE);
  ap.writeRegister(MemApRegister.TAR, 0x204);
  t.is(ap.readRegister(MemApRegister.BD2), 0xcafef00d);
  t.is(ap.tar, 0x204);
});

test('MEM-AP CSW keeps DeviceEn set and refuses sizes above 32 bits', (t) => {
  const { ap } = ramAp();
  ap.writeRegister(MemApRegister.CSW, 0x23000051);
  t.is(ap.csw, 0x23000051);
  ap.writeRegister(MemApRegister.CSW, 0x23000015);
  t.is(ap.csw & 7, 1, 'size 5 (256-bit) is not accepted');
  t.is(ap.readRegister(MemApRegister.IDR), 0x04770031);
  t.is(ap.readRegister(MemApRegister.CFG), 0);
});

test('MEM-AP packed transfers: one DRW access moves a word as 4 bytes or 2 half-words (ADIv5.2 packed transfers)', (t) => {
  const { ap, mem } = ramAp();
  // 8-bit, AddrInc = packed: each DRW write is four byte transfers, TAR advances by 4.
  ap.writeRegister(MemApRegister.CSW, 0x23000000 | Csw.ADDRINC_PACKED | Csw.SIZE_8);
  t.is(ap.csw & Csw.ADDRINC_MASK, Csw.ADDRINC_PACKED, 'kept: this AP packs');
  ap.writeRegister(MemApRegister.TAR, 0x100);
  ap.writeRegister(MemApRegister.DRW, 0x44332211);
  ap.writeRegister(MemApRegister.DRW, 0x88776655);
  t.deepEqual([...mem.subarray(0x100, 0x108)], [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
  t.is(ap.tar, 0x108);
  // 16-bit packed reads: two half-word transfers per DRW read.
  ap.writeRegister(MemApRegister.CSW, 0x23000000 | Csw.ADDRINC_PACKED | Csw.SIZE_16);
  ap.writeRegister(MemApRegister.TAR, 0x100);
  t.is(ap.readRegister(MemApRegister.DRW), 0x44332211);
  t.is(ap.tar, 0x104);
});

test('MEM-AP without packed transfers: AddrInc = packed reads back as single', (t) => {
  const { ap: packing } = ramAp();
  const ap = new MemAp(packing.bus, { ...packing.options, packedTransfers: false });
  ap.writeRegister(MemApRegister.CSW, 0x23000000 | Csw.ADDRINC_PACKED | Csw.SIZE_8);
  t.is(ap.csw & Csw.ADDRINC_MASK, Csw.ADDRINC_SINGLE);
  ap.writeRegister(MemApRegister.TAR, 0x101);
  ap.writeRegister(MemApRegister.DRW, 0x0000aa00);
  t.is(ap.tar, 0x102);
});

test('SWJ sequence: 50 ones in a row are a line reset, 49 are not; the JTAG-to-SWD code is harmless', (t) => {
  const board = poweredBoard();
  const dp = board.dp;
  dp.swjSequence(49, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
  t.is(dp.read(DpRegister.CTRL_STAT).ack, 'ok');
  dp.swjSequence(16, Uint8Array.of(0x9e, 0xe7));
  t.is(dp.read(DpRegister.CTRL_STAT).ack, 'ok', 'the switch code alone resets nothing');
  dp.swjSequence(58, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0x00));
  t.is(dp.read(DpRegister.CTRL_STAT).ack, 'no-ack', 'line reset: only DPIDR is answered');
  t.is(dp.read(DpRegister.DPIDR).ack, 'ok');
});
