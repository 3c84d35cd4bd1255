import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CtrlStat, DpRegister } from '../src/adiv5/debug-port.js';
import { Csw, MemApRegister } from '../src/adiv5/mem-ap.js';
import { SimBoard } from '../src/board.js';
import { BusError } from '../src/bus.js';
import { APPROTECT_DISABLE, createNrf52Chip, revisionOfBuildCode } from '../src/nrf52/index.js';
import { WDT_BASE } from '../src/nrf52/chip.js';
import { CTRL_AP_IDR, CtrlApRegister } from '../src/nrf52/ctrl-ap.js';
import { NVMC_BASE, NvmcRegister, UICR_BASE } from '../src/nrf52/nvmc.js';
import { createVirtualSession } from '../src/session.js';
import { createStm32Chip } from '../src/stm32/index.js';

type Options = Parameters<typeof createNrf52Chip>[0];

function board(options: Partial<Options> = {}) {
  const chip = createNrf52Chip({ device: 'nRF52840', ...options });
  const b = new SimBoard({ chip });
  return { chip, board: b, bus: b.bus };
}

function config(bus: SimBoard['bus'], mode: number): void {
  bus.write(NVMC_BASE + NvmcRegister.CONFIG, 4, mode);
}

/** An AP register through the DP, as a probe does it (SELECT, posted read, RDBUFF). */
function apRead(b: SimBoard, ap: number, reg: number): number {
  b.dp.write(DpRegister.SELECT, ((ap << 24) | (reg & 0xf0)) >>> 0);
  const first = b.dp.apRead(reg & 0xc);
  if (first.ack !== 'ok') throw new Error(`AP read ${first.ack}`);
  return b.dp.read(DpRegister.RDBUFF).value;
}

function apWrite(b: SimBoard, ap: number, reg: number, value: number): string {
  b.dp.write(DpRegister.SELECT, ((ap << 24) | (reg & 0xf0)) >>> 0);
  return b.dp.apWrite(reg & 0xc, value).ack;
}

function powerUp(b: SimBoard): void {
  b.dp.lineReset();
  b.dp.read(DpRegister.DPIDR);
  b.dp.write(DpRegister.CTRL_STAT, CtrlStat.CDBGPWRUPREQ | CtrlStat.CSYSPWRUPREQ);
}

test('the NVMC writes whole words only with WEN, and a write only clears bits', (t) => {
  const { bus } = board();
  t.throws(() => bus.write(0x1000, 4, 0x12345678), { instanceOf: BusError });
  config(bus, 1);
  t.throws(() => bus.write(0x1000, 2, 0x1234), { instanceOf: BusError });
  t.throws(() => bus.write(0x1002, 4, 0x1234), { instanceOf: BusError });
  bus.write(0x1000, 4, 0x12345678);
  bus.write(0x1000, 4, 0xff00ffff);
  t.is(bus.read(0x1000, 4), 0x12005678);
});

test('READY is 0 for tWRITE and tERASEPAGE of the part, and ERASEPAGE needs EEN', (t) => {
  const { bus, board: b } = board();
  config(bus, 1);
  const t0 = b.clock.nowUs;
  bus.write(0x2000, 4, 0);
  t.is(bus.read(NVMC_BASE + NvmcRegister.READY, 4), 0);
  b.clock.advanceUs(41);
  t.is(bus.read(NVMC_BASE + NvmcRegister.READY, 4), 1);
  // A write while busy stalls the bus until the previous one is done.
  bus.write(0x2004, 4, 0);
  bus.write(0x2008, 4, 0);
  t.true(b.clock.nowUs - t0 >= 2 * 41);
  bus.write(NVMC_BASE + NvmcRegister.ERASEPAGE, 4, 0x2000);
  t.is(bus.read(0x2000, 4), 0, 'ERASEPAGE without EEN does nothing');
  config(bus, 2);
  const t1 = b.clock.nowUs;
  bus.write(NVMC_BASE + NvmcRegister.ERASEPAGE, 4, 0x2000);
  t.is(bus.read(NVMC_BASE + NvmcRegister.READY, 4), 0);
  t.is(bus.read(0x2000, 4), 0xffffffff);
  t.true(b.clock.nowUs - t1 >= 85_000);
  t.is(bus.read(NVMC_BASE + NvmcRegister.READYNEXT, 4), 1);
});

test('ERASEUICR erases the UICR; ERASEALL flash and UICR', (t) => {
  const { bus } = board();
  config(bus, 1);
  bus.write(UICR_BASE + 0x80, 4, 0x11);
  bus.write(0x0, 4, 0x22);
  config(bus, 2);
  bus.write(NVMC_BASE + NvmcRegister.ERASEUICR, 4, 1);
  t.is(bus.read(UICR_BASE + 0x80, 4), 0xffffffff);
  t.is(bus.read(0x0, 4), 0x22);
  config(bus, 1);
  bus.write(UICR_BASE + 0x80, 4, 0x11);
  config(bus, 2);
  bus.write(NVMC_BASE + NvmcRegister.ERASEALL, 4, 1);
  t.is(bus.read(UICR_BASE + 0x80, 4), 0xffffffff);
  t.is(bus.read(0x0, 4), 0xffffffff);
});

test('FICR names the part; the revision shows in VARIANT and the MDK codes', (t) => {
  for (const [device, part, flashPages, hw] of [
    ['nRF52840', 0x52840, 256, 0x08],
    ['nRF52832', 0x52832, 128, 0x06],
    ['nRF52810', 0x52810, 48, 0x0a],
  ] as const) {
    const { bus } = board({ device });
    t.is(bus.read(0x10000100, 4), part);
    t.is(bus.read(0x10000010, 4), 4096);
    t.is(bus.read(0x10000014, 4), flashPages);
    t.is(bus.read(0x10000130, 4), hw);
  }
  t.is(board({ revision: 'hardened' }).bus.read(0x10000104, 4), 0x41414630); // "AAF0"
  t.is(revisionOfBuildCode('nRF52840-QIAA-F0'), 'hardened');
  t.is(revisionOfBuildCode('nRF52840-QIAA-D0'), 'legacy');
  t.is(revisionOfBuildCode('nRF52832-QFAA-G0'), 'hardened');
  t.throws(() => createNrf52Chip({ device: 'nRF52840-QIAA-F0', revision: 'legacy' }), {
    instanceOf: RangeError,
  });
});

test('legacy APPROTECT: latched at reset, blocks the AHB-AP but not the CTRL-AP; ERASEALL opens it', (t) => {
  const { chip, board: b } = board({ approtect: true });
  powerUp(b);
  t.is(apRead(b, 1, CtrlApRegister.IDR), CTRL_AP_IDR);
  t.is(apRead(b, 1, CtrlApRegister.APPROTECTSTATUS), 0);
  t.is(apRead(b, 0, MemApRegister.CSW) & Csw.DEVICE_EN, 0);
  apWrite(b, 0, MemApRegister.TAR, 0x10000100);
  t.is(apWrite(b, 0, MemApRegister.DRW, 0), 'fault');
  b.dp.write(DpRegister.ABORT, 0x1e);
  t.is(apWrite(b, 1, CtrlApRegister.ERASEALL, 1), 'ok');
  t.is(apRead(b, 1, CtrlApRegister.ERASEALLSTATUS), 1);
  b.clock.advanceUs(169_000);
  t.is(apRead(b, 1, CtrlApRegister.ERASEALLSTATUS), 0);
  t.is(apRead(b, 1, CtrlApRegister.APPROTECTSTATUS), 1);
  t.false(chip.protectedNow());
  b.systemReset();
  t.false(chip.protectedNow(), 'UICR was erased with the rest');
  // Writing UICR.APPROTECT = Enabled takes effect at the next reset.
  config(b.bus, 1);
  b.bus.write(UICR_BASE + 0x208, 4, 0xffffff00);
  t.false(chip.protectedNow());
  b.systemReset();
  t.true(chip.protectedNow());
});

test('hardened APPROTECT: locked at every reset unless UICR is HwDisabled and the firmware writes DISABLE', (t) => {
  const { chip, board: b } = board({ revision: 'hardened', approtect: true });
  t.true(chip.protectedNow());
  b.bus.write(APPROTECT_DISABLE, 4, 0x5a);
  t.true(chip.protectedNow(), 'UICR.APPROTECT is Enabled');
  chip.ctrlAp.writeRegister(CtrlApRegister.ERASEALL, 1);
  t.false(chip.protectedNow(), 'open after ERASEALL until the next reset');
  b.systemReset();
  t.true(chip.protectedNow(), 'erased UICR (0xFF) is not HwDisabled');
  chip.ctrlAp.writeRegister(CtrlApRegister.ERASEALL, 1);
  config(b.bus, 1);
  b.bus.write(UICR_BASE + 0x208, 4, 0xffffff5a);
  b.systemReset();
  t.true(chip.protectedNow(), 'HwDisabled alone is not enough');
  // Flash is erased, so no firmware runs: the bus write stands in for its store.
  b.bus.write(APPROTECT_DISABLE, 4, 0x5a);
  t.false(chip.protectedNow());
  b.systemReset();
  t.true(chip.protectedNow(), 're-armed at the next reset');
});

test('hardened APPROTECT: firmware that writes DISABLE at boot opens the port after each reset', (t) => {
  const { chip, board: b } = board({ revision: 'hardened' });
  // Vector table (SP, reset handler 0x101), then at 0x100: ldr r0, [pc, #4]; movs r1, #0x5a;
  // str r1, [r0]; b . ; with 0x40000558 (APPROTECT.DISABLE) as the literal at 0x108.
  const words: readonly [number, number][] = [
    [0x000, 0x20001000],
    [0x004, 0x00000101],
    [0x100, 0x215a4801],
    [0x104, 0xe7fe6001],
    [0x108, APPROTECT_DISABLE],
  ];
  config(b.bus, 1);
  for (const [address, word] of words) b.bus.write(address, 4, word);
  config(b.bus, 0);
  b.systemReset();
  t.true(chip.protectedNow(), 'locked until the firmware has run');
  b.clock.advanceUs(100);
  t.false(chip.protectedNow(), 'the firmware wrote SwDisable');
  b.systemReset();
  t.true(chip.protectedNow(), 're-armed at every reset');
  b.clock.advanceUs(100);
  t.false(chip.protectedNow());
});

test('CTRL-AP RESET holds the system in reset while 1', (t) => {
  const { board: b } = board();
  const ctrlAp = (b.chip as ReturnType<typeof createNrf52Chip>).ctrlAp;
  ctrlAp.writeRegister(CtrlApRegister.RESET, 1);
  t.true(b.nrstAsserted);
  ctrlAp.writeRegister(CtrlApRegister.RESET, 0);
  t.false(b.nrstAsserted);
});

test('STM32 boards have only AP 0: AP 1 reads as zero', (t) => {
  const b = new SimBoard({ chip: createStm32Chip({ device: 'STM32F411RE' }) });
  powerUp(b);
  t.is(apRead(b, 1, 0xfc), 0);
  t.not(apRead(b, 0, 0xfc), 0);
});

test('the state file keeps revision, flash and UICR of an nRF52', async (t) => {
  const state = join(await mkdtemp(join(tmpdir(), 'nrf-state-')), 'board.json');
  const first = createVirtualSession({
    probe: 'stlink-v3',
    device: 'nRF52833',
    state,
    revision: 'hardened',
    approtect: true,
  });
  const chip = first.board.chip as ReturnType<typeof createNrf52Chip>;
  chip.ctrlAp.writeRegister(CtrlApRegister.ERASEALL, 1);
  config(first.board.bus, 1);
  first.board.clock.advanceUs(200_000);
  first.board.bus.write(0x100, 4, 0xa5a5a5a5);
  first.board.bus.write(UICR_BASE + 0x208, 4, 0xffffff5a);
  await first.close();
  const second = createVirtualSession({ probe: 'stlink-v3', state, approtect: false });
  const again = second.board.chip as ReturnType<typeof createNrf52Chip>;
  t.is(again.partName, 'nRF52833');
  t.is(again.revision, 'hardened');
  t.is(again.nvmc.flash.read(0x100, 4), 0xa5a5a5a5);
  t.is(again.nvmc.uicrWord(0x208), 0xffffff5a);
  t.true(again.protectedNow(), 'no firmware half: locked after the power-on');
  await second.close();
});

test('the WDT block exists: RR[0] takes the reload value as flash loaders write it, CRV/RREN/CONFIG read their reset values', (t) => {
  const { bus, chip } = board();
  // OpenOCD's nrf5 loader (contrib/loaders/flash/nrf5/nrf5.S) stores 0x6E524635 to RR[0] each loop.
  bus.write(WDT_BASE + 0x600, 4, 0x6e524635);
  t.is(bus.read(WDT_BASE + 0x600, 4), 0, 'RR[n] is write-only');
  t.deepEqual(
    [0x400, 0x404, 0x504, 0x508, 0x50c].map((o) => bus.read(WDT_BASE + o, 4)),
    [0, 1, 0xffffffff, 1, 1],
  );
  bus.write(WDT_BASE + 0x504, 4, 0x8000);
  t.is(bus.read(WDT_BASE + 0x504, 4), 0x8000);
  chip.reset('system');
  t.is(bus.read(WDT_BASE + 0x504, 4), 0xffffffff, 'a reset restores CRV');
  t.throws(() => bus.write(WDT_BASE + 0x600, 2, 0x4635), { instanceOf: BusError });
});
