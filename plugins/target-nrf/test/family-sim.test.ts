import test from 'ava';
import { FlashImage } from '@flashwright/core/image';
import { APPROTECT_DISABLE, UICR_BASE, type Nrf52Chip } from '@flashwright/sim';
import { noProgress, nrfRig, type NrfRig } from './sim-rig.js';

function chipOf(rig: { session: { board: { chip: unknown } } }): Nrf52Chip {
  return rig.session.board.chip as Nrf52Chip;
}

/**
 * Hardened silicon is locked after reset until its firmware writes APPROTECT.DISABLE. The
 * simulated flash is blank, so no firmware runs: the bus write stands in for its store.
 */
function firmwareOpensPort(rig: NrfRig): void {
  rig.session.board.bus.write(APPROTECT_DISABLE, 4, 0x5a);
}

test('identifies an open nRF52840 from FICR: part, flash, RAM, revision', async (t) => {
  const rig = await nrfRig({ device: 'nRF52840-QIAA-F0' });
  firmwareOpensPort(rig);
  const device = await rig.identify();
  t.truthy(device);
  t.is(device!.name, 'nRF52840-QI');
  t.is(device!.flash[0]!.end, 1024 * 1024);
  t.is(device!.flash[0]!.sectors.length, 256);
  t.deepEqual(device!.ram, [{ start: 0x20000000, end: 0x20040000 }]);
  t.is(device!.facts['APPROTECT'], 'hardened (IN-141)');
  t.true(device!.matches('nRF52840'));
  t.false(device!.matches('nRF52833'));
  t.false(device!.matches('STM32F103RB'));
  await rig.close();
});

test('a STM32 is not an nRF52', async (t) => {
  const rig = await nrfRig({ device: 'STM32F411RE' });
  t.is(await rig.identify(), undefined);
  await rig.close();
});

test('program and erase go through the NVMC: bits only clear, erase sets them, virtual time is the PS figures', async (t) => {
  const rig = await nrfRig({ device: 'nRF52840' });
  const device = (await rig.identify())!;
  const data = new Uint8Array(8192).map((_, i) => (i * 7 + 1) & 0xff);
  await device.erase([{ start: 0x1000, end: 0x3000 }], noProgress);
  const before = rig.session.stats().virtualMs;
  await device.program(FlashImage.from([[0x1000, data]]), noProgress);
  const programMs = rig.session.stats().virtualMs - before;
  // 2048 words x tWRITE 41 µs = 84 ms, plus the probe's own time.
  t.true(programMs >= 2048 * 0.041, `${programMs}`);
  t.deepEqual(await device.read(0x1000, data.length, noProgress), data);
  // Writing again without an erase ANDs into the cells: 0x0F over the data.
  await device.program(FlashImage.from([[0x1000, new Uint8Array(8).fill(0x0f)]]), noProgress);
  const anded = await device.read(0x1000, 8, noProgress);
  t.deepEqual(
    [...anded],
    [...data.subarray(0, 8)].map((b) => b & 0x0f),
  );
  const beforeErase = rig.session.stats().virtualMs;
  await device.erase([{ start: 0x1000, end: 0x2000 }], noProgress);
  t.true(rig.session.stats().virtualMs - beforeErase >= 85);
  t.true((await device.read(0x1000, 0x1000, noProgress)).every((b) => b === 0xff));
  await rig.close();
});

test('a protected chip is identified through the CTRL-AP and recovered by unprotect', async (t) => {
  const rig = await nrfRig({ device: 'nRF52832', approtect: true });
  const device = (await rig.identify())!;
  t.truthy(device);
  t.true(device.name.includes('access port protection on'));
  t.is((await device.protection()).readLevel, 1);
  t.true(device.matches('nRF52832'));
  await t.throwsAsync(device.readOptionBytes(), { code: 'TARGET_PROTECTED' } as never);
  await device.unprotect(noProgress);
  t.is((await device.protection()).readLevel, 0);
  t.is(device.name, 'nRF52832-QF');
  t.is(device.flash[0]!.end, 512 * 1024);
  await rig.close();
});

test('unprotect refuses a chip that is not the part the recipe named', async (t) => {
  const rig = await nrfRig({ device: 'nRF52833', approtect: true });
  const device = (await rig.identify())!;
  t.true(device.matches('nRF52840'));
  await t.throwsAsync(device.unprotect(noProgress), { code: 'TARGET_DEVICE_MISMATCH' } as never);
  await rig.close();
});

test('hardened: unprotect writes UICR.APPROTECT = 0x5A; after a reset the port opens only when the firmware writes APPROTECT.DISABLE', async (t) => {
  const rig = await nrfRig({ device: 'nRF52840', revision: 'hardened', approtect: true });
  const device = (await rig.identify())!;
  await device.unprotect(noProgress);
  const chip = chipOf(rig);
  t.is(chip.nvmc.uicrWord(0x208), 0xffffff5a);
  t.true(rig.lines.some((l) => l.includes('HwDisabled')));
  t.false(chip.protectedNow());
  rig.session.board.systemReset();
  t.true(chip.protectedNow(), 'locked again after the reset');
  // ERASEALL left the flash blank, so no firmware runs: the bus write stands in for its store.
  rig.session.board.bus.write(APPROTECT_DISABLE, 4, 0x5a);
  t.false(chip.protectedNow());
  t.is(rig.session.board.bus.read(UICR_BASE + 0x208, 4), 0xffffff5a);
  await rig.close();
});

test('UICR: fields per part, writes that set bits use ERASEUICR and keep the other words', async (t) => {
  const rig = await nrfRig({ device: 'nRF52810' });
  const device = (await rig.identify())!;
  const names = device.optionFields().map((f) => f.name);
  t.false(names.includes('NFCPINS'));
  t.false(names.includes('REGOUT0'));
  t.true(names.includes('PSELRESET1'));
  await device.writeOptionBytes({ CUSTOMER3: 0x11223344, PSELRESET0: 21, PSELRESET1: 21 });
  t.like(await device.readOptionBytes(), { CUSTOMER3: 0x11223344, PSELRESET0: 21 });
  await device.writeOptionBytes({ PSELRESET0: 0xffffffff, PSELRESET1: 0xffffffff });
  t.like(await device.readOptionBytes(), { CUSTOMER3: 0x11223344, PSELRESET0: 0xffffffff });
  await rig.close();
});

test('hazards: a one-sided or wrong pin reset, and a hardened chip whose UICR does not allow debugging', async (t) => {
  const rig = await nrfRig({ device: 'nRF52840', revision: 'hardened' });
  firmwareOpensPort(rig);
  const device = (await rig.identify())!;
  const values = await device.readOptionBytes();
  t.deepEqual(device.optionHazards?.(values), []);
  const codes = (v: Record<string, number>): string[] =>
    (device.optionHazards?.({ ...values, ...v }) ?? []).map((h) => h.code);
  t.deepEqual(codes({ PSELRESET0: 18 }), ['reset-pin']);
  t.deepEqual(codes({ PSELRESET0: 21, PSELRESET1: 21 }), ['reset-pin']);
  t.deepEqual(codes({ PSELRESET0: 18, PSELRESET1: 18 }), []);
  const relock = device.optionHazards?.({ ...values, APPROTECT: 0xff }) ?? [];
  t.like(relock[0], {
    code: 'debug-relocks',
    register: 0x40000558,
    value: 0x5a,
    fix: { APPROTECT: 0x5a },
  });
  await rig.close();
});
