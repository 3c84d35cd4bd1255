import test from 'ava';
import { makeRig } from './stm32-rig.js';

// The core clock follows what the RCC selects (src/stm32/sysclk.ts), e.g. the clocks the
// reset-init handlers of OpenOCD's stock target configs switch to, and returns to the reset
// clock at reset.

test('F411: reset HSI 16 MHz; stm32f4x.cfg reset-init selects the PLL, HSI/8*128/4 = 64 MHz', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  t.is(rig.chip.coreClockHz(), 16e6);
  rig.write(0x40023804, 0x08012008); // RCC_PLLCFGR
  rig.write(0x40023800, rig.read(0x40023800) | 0x01000000); // PLLON
  rig.write(0x40023808, rig.read(0x40023808) | 0x1000); // PPRE1 /2: not HCLK
  t.is(rig.chip.coreClockHz(), 16e6);
  rig.write(0x40023808, rig.read(0x40023808) | 0x2); // SW = PLL
  t.is(rig.chip.coreClockHz(), 64e6);
  rig.write(0x40023808, rig.read(0x40023808) | 0x90); // HPRE = /4
  t.is(rig.chip.coreClockHz(), 16e6);
  rig.chip.reset('system');
  t.is(rig.chip.coreClockHz(), 16e6);
});

test('L151: reset MSI range 5 (2.097 MHz); stm32l1.cfg reset-init selects HSI 16 MHz; PLL', (t) => {
  const rig = makeRig({ device: 'STM32L151CBxxA' });
  t.is(rig.chip.coreClockHz(), 65_536 * 32);
  rig.write(0x40023800, rig.read(0x40023800) | 0x101); // HSION
  rig.write(0x40023808, rig.read(0x40023808) | 0x1); // SW = HSI
  t.is(rig.chip.coreClockHz(), 16e6);
  rig.write(0x40023808, (0x3 << 22) | (0x4 << 18) | 3); // PLLDIV /4, PLLMUL x12, SW = PLL: 16 * 12 / 4
  t.is(rig.chip.coreClockHz(), 48e6);
  rig.write(0x40023804, 0x6000); // ICSCR.MSIRANGE = 3
  rig.write(0x40023808, 0);
  t.is(rig.chip.coreClockHz(), 65_536 * 8);
});

test('L476: reset MSI 4 MHz from CSR.MSISRANGE; stm32l4x.cfg reset-init selects MSI range 9, 24 MHz', (t) => {
  const rig = makeRig({ device: 'STM32L476RG' });
  t.is(rig.chip.coreClockHz(), 4e6);
  rig.write(0x40021000, 0x99); // MSION | MSIRGSEL | MSIRANGE 9
  t.is(rig.chip.coreClockHz(), 24e6);
  rig.write(0x4002100c, (10 << 8) | 2); // PLLSRC HSI16, M /1, N x10, R /2: 80 MHz
  rig.write(0x40021008, 3); // SW = PLL
  t.is(rig.chip.coreClockHz(), 80e6);
});

test('F103: PLL from HSI/2 x 9 = 36 MHz; HSE, which the board has none of, keeps the reset clock', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  t.is(rig.chip.coreClockHz(), 8e6);
  rig.write(0x40021004, (7 << 18) | 2); // PLLMUL x9, SW = PLL
  t.is(rig.chip.coreClockHz(), 36e6);
  rig.write(0x40021004, 1); // SW = HSE
  t.is(rig.chip.coreClockHz(), 8e6);
});
