// The BlueNRG-LP flash controller model of STM32WB0x/WL3x (src/stm32/families/bluenrg-lp.ts),
// driven register by register as the packs' FlashPrg.c and OpenOCD's bluenrg-x.c drive it.
import test from 'ava';
import { BusError, SystemBus } from '../src/bus.js';
import { VirtualClock } from '../src/clock.js';
import { FaultPlan } from '../src/faults.js';
import { createStm32Chip } from '../src/stm32/index.js';

const FLASH = 0x10040000;
const CTRL = 0x40001000;
const COMMAND = CTRL + 0x00;
const CONFIG = CTRL + 0x04;
const IRQSTAT = CTRL + 0x08;
const IRQRAW = CTRL + 0x10;
const SIZE = CTRL + 0x14;
const ADDRESS = CTRL + 0x18;
const DATA0 = CTRL + 0x40;
const CMDDONE = 1;
const CMDSTART = 2;
const CMDERR = 4;
const ILLCMD = 8;

function rig(device = 'STM32WB07CC', rdp: 0 | 1 = 0) {
  const chip = createStm32Chip({ device, rdp });
  const bus = new SystemBus();
  chip.attach(bus, {
    clock: new VirtualClock(),
    faults: new FaultPlan(),
    requestSystemReset: () => chip.reset('system'),
  });
  const command = (code: number, wordOffset: number, data: number[] = []): number => {
    bus.write(IRQRAW, 4, 0x3f);
    bus.write(ADDRESS, 4, wordOffset);
    data.forEach((word, i) => bus.write(DATA0 + 4 * i, 4, word));
    bus.write(COMMAND, 4, code);
    return bus.read(IRQRAW, 4);
  };
  return { chip, bus, command };
}

test('page erase, burst write and word write program the flash; IRQSTAT stays masked after reset', (t) => {
  const { bus, command } = rig();
  t.is(bus.read(SIZE, 4) & 0x1ffff, 0xffff, 'SIZE: last word offset of 256 KiB');
  t.is(command(0x11, 0x200), CMDSTART | CMDDONE, 'erase page 2 (word offset 0x200)');
  t.is(command(0xcc, 0x200, [0x11111111, 0x22222222, 0x33333333, 0x44444444]), CMDSTART | CMDDONE);
  t.is(command(0x33, 0x205, [0xa5a5a5a5]), CMDSTART | CMDDONE);
  t.is(bus.read(FLASH + 0x800, 4), 0x11111111);
  t.is(bus.read(FLASH + 0x80c, 4), 0x44444444);
  t.is(bus.read(FLASH + 0x814, 4), 0xa5a5a5a5);
  t.is(bus.read(IRQSTAT, 4), 0, 'IRQMASK resets to 0x3F: every interrupt masked');
  // NOR cells: a second write only clears bits.
  t.is(command(0x33, 0x205, [0x0f0f0f0f]), CMDSTART | CMDDONE);
  t.is(bus.read(FLASH + 0x814, 4), 0x05050505);
  t.is(command(0x11, 0x205), CMDSTART | CMDDONE, 'erasing any word of the page erases it');
  t.is(bus.read(FLASH + 0x800, 4), 0xffffffff);
});

test('the controller refuses what it cannot do: CMDERR or ILLCMD, nothing changes', (t) => {
  const { bus, command } = rig();
  command(0x11, 0);
  t.is(
    command(0xcc, 2, [0, 0, 0, 0]) & CMDERR,
    CMDERR,
    'burst at a word offset not a multiple of 4',
  );
  t.is(bus.read(FLASH + 8, 4), 0xffffffff);
  t.is(command(0x33, 0x10000, [0]) & CMDERR, CMDERR, 'word beyond 256 KiB');
  t.is(command(0x44, 0) & ILLCMD, ILLCMD, 'unknown command');
  bus.write(CONFIG, 4, bus.read(CONFIG, 4) | 4);
  t.is(command(0xcc, 0, [0, 0, 0, 0]) & CMDERR, CMDERR, 'burst while DIS_GROUP_WRITE');
  t.is(bus.read(FLASH, 4), 0xffffffff);
  t.throws(() => bus.write(FLASH, 4, 0), { instanceOf: BusError, message: /flash controller/ });
});

test('a protection key (level 1) shows in SIZE.FLASH_SECURE and blocks debug reads of the flash', (t) => {
  const { bus } = rig('STM32WL33CC', 1);
  t.is((bus.read(SIZE, 4) >>> 19) & 1, 1);
  t.throws(() => bus.read(FLASH, 4), { instanceOf: BusError });
});

test('a JTAG_ID part number given as text selects the part, as a DEV_ID does', (t) => {
  t.is(createStm32Chip({ device: '0x2032' }).device.name, 'STM32WB09');
});

test('WB09: 512 KiB needs the 17-bit SIZE field', (t) => {
  const { chip, bus } = rig('STM32WB09KE');
  t.is(chip.flashKiB, 512);
  t.is(bus.read(SIZE, 4) & 0x1ffff, 0x1ffff);
});
