import test from 'ava';
import { decodeFlashSizeKiB, stm32Devices } from '@flashwright/stm32-devices';
import { SystemBus } from '../src/bus.js';
import { VirtualClock } from '../src/clock.js';
import { FaultPlan } from '../src/faults.js';
import { createStm32Chip } from '../src/stm32/index.js';

// Every entry of the device database is instantiable at the data level: identification,
// flash-size register, layout, SRAM, core ids, and a save/load round trip.
for (const device of stm32Devices) {
  const label = `${device.name} (0x${device.devId.toString(16)})`;
  test(`data level: ${label}`, (t) => {
    const chip = createStm32Chip({ device: device.devId, revId: 0x2001 });
    const bus = new SystemBus();
    chip.attach(bus, {
      clock: new VirtualClock(),
      faults: new FaultPlan(),
      requestSystemReset: () => chip.reset('system'),
    });
    const idcode = bus.read(device.idcodeAddress, 4);
    if (device.controller.kind === 'bluenrg-lp') {
      // SYSCFG JTAG_ID: part number in [27:12] after ST's JEDEC code; DIE_ID the revision.
      t.is((idcode >>> 12) & 0xffff, device.devId, 'JTAG_ID part number');
      t.is(idcode & 0xfff, 0x041, 'ST JEDEC code');
      t.is(bus.read(0x40000000, 4), 0x001, 'DIE_ID');
    } else {
      t.is(idcode & 0xfff, device.devId, 'DEV_ID');
      t.is(idcode >>> 16, 0x2001, 'REV_ID');
    }
    const raw = bus.read(
      device.flashSizeRegister,
      device.flashSizeDecode.kind === 'last-word' ? 4 : 2,
    );
    t.is(decodeFlashSizeKiB(device, raw), chip.flashKiB, 'flash-size register decodes');
    t.is(chip.flashKiB, device.maxFlashKiB);
    const flash = chip.controller.flash;
    const total = flash.units.reduce((sum, u) => sum + u.size, 0);
    t.is(total, chip.flashKiB * 1024, 'layout covers the flash');
    t.is(flash.units[0]?.start, device.flashBase);
    t.is(bus.read(device.flashBase, 4), device.erasedValue * 0x01010101, 'erased flash');
    const ramEnd = 0x20000000 + (device.ramBytes ?? 4096) - 4;
    bus.write(ramEnd, 4, 0x5a5aa5a5);
    t.is(bus.read(ramEnd, 4), 0x5a5aa5a5, 'SRAM');
    const partNo = (chip.cpuId >>> 4) & 0xfff;
    const expected = {
      'cortex-m0': 0xc20,
      'cortex-m0+': 0xc60,
      'cortex-m3': 0xc23,
      'cortex-m4': 0xc24,
      'cortex-m7': 0xc27,
      'cortex-m33': 0xd21,
    }[device.core];
    t.is(partNo, expected, 'CPUID part number');
    t.is(chip.dpidr & 0xfff, 0x477, 'an Arm SW-DP');
    t.is((chip.apIdr >>> 13) & 0xf, 0x8, 'a MEM-AP');
    if (device.uidAddress !== undefined) {
      t.not(bus.read(device.uidAddress, 4), 0xffffffff, 'UID word 0 is programmed');
    }
    t.is(chip.debugAccess(), 'open');
    // Save and restore.
    const saved = JSON.parse(JSON.stringify(chip.saveState())) as ReturnType<typeof chip.saveState>;
    const copy = createStm32Chip({ device: device.devId });
    copy.loadState(saved);
    t.deepEqual(copy.saveState(), saved);
  });
}

test('part numbers resolve to their DEV_ID and flash size', (t) => {
  t.is(createStm32Chip({ device: 'STM32L151CBxxA' }).device.devId, 0x429);
  t.is(createStm32Chip({ device: 'STM32L151CB' }).device.devId, 0x416);
  const f103c8 = createStm32Chip({ device: 'STM32F103C8' });
  t.is(f103c8.device.devId, 0x410);
  t.is(f103c8.flashKiB, 64);
  t.is(f103c8.info.flashSizeRaw, 64);
});

test('a DEV_ID given as text selects the device, so ambiguous lines can be simulated', (t) => {
  const cat4 = createStm32Chip({ device: '0x436' });
  t.is(cat4.device.devId, 0x436);
  t.is(cat4.flashKiB, 384);
  t.is(createStm32Chip({ device: '0X437' }).device.devId, 0x437);
  t.throws(() => createStm32Chip({ device: '0x999' }), { message: /no STM32 with DEV_ID 0x999/ });
});

test('bad device options are rejected with a clear message', (t) => {
  t.throws(() => createStm32Chip({ device: 'ATSAMD21G18' }), { message: /not an STM32 part/ });
  t.throws(() => createStm32Chip({ device: 0x999 }), { message: /no STM32 with DEV_ID 0x999/ });
  t.throws(() => createStm32Chip({ device: 'STM32L151CC' }), { message: /several devices/ });
  t.throws(() => createStm32Chip({ device: 'STM32F103RB', flashSizeRaw: 0x10000 }), {
    message: /16-bit/,
  });
  t.throws(() => createStm32Chip({ device: 'STM32F103RB', rdp: 2 }), { message: /no RDP level 2/ });
  t.throws(() => createStm32Chip({ device: 'STM32F103RB', uid: 'abcd' }), { message: /12 bytes/ });
});

test('the SW-DP identifies the core revision: M3 r1p1 on F1, M3 r2p0 on F2 and L1', (t) => {
  // RM0008 31.8.3, RM0033 32.8.3, RM0038 30.8.3; OpenOCD's stock stm32l1.cfg and
  // stm32f2x.cfg expect 0x2BA01477, and its HLA connect refuses another value.
  t.is(createStm32Chip({ device: 'STM32F103RB' }).dpidr, 0x1ba01477);
  t.is(createStm32Chip({ device: 'STM32L151CBxxA' }).dpidr, 0x2ba01477);
  t.is(createStm32Chip({ device: 'STM32F205RG' }).dpidr, 0x2ba01477);
  t.is(createStm32Chip({ device: 'STM32L476RG' }).dpidr, 0x2ba01477);
});
