import test from 'ava';
import { stm32Devices } from '@flashwright/stm32-devices';
import { BusError } from '../src/bus.js';
import { makeRig } from './stm32-rig.js';

// The minimal RCC of src/stm32/rcc.ts: reset values, ready flags following enables, SWS
// following SW, reset on system reset. Addresses and bits from the CMSIS device headers.

interface Case {
  readonly device: string | number;
  readonly base: number;
  /** RCC_CR as read after reset (ready flags included). */
  readonly cr: number;
}

const cases: readonly Case[] = [
  { device: 'STM32F103RB', base: 0x40021000, cr: 0x83 },
  { device: 'STM32F030R8', base: 0x40021000, cr: 0x83 },
  { device: 'STM32F411RE', base: 0x40023800, cr: 0x83 },
  { device: 'STM32F767BI', base: 0x40023800, cr: 0x83 },
  { device: 'STM32L151CBxxA', base: 0x40023800, cr: 0x300 },
  { device: 'STM32L053R8', base: 0x40021000, cr: 0x300 },
  { device: 'STM32L476RG', base: 0x40021000, cr: 0x63 },
  { device: 'STM32G071RB', base: 0x40021000, cr: 0x500 },
  { device: 0x468, base: 0x40021000, cr: 0x500 }, // G4
  { device: 'STM32WB55RG', base: 0x58000000, cr: 0x63 },
  { device: 'STM32WLE5JC', base: 0x58000000, cr: 0x63 },
  { device: 'STM32H743ZI', base: 0x58024400, cr: 0x05 },
];

for (const c of cases) {
  test(`${typeof c.device === 'number' ? `DEV_ID 0x${c.device.toString(16)}` : c.device}: RCC_CR at 0x${c.base.toString(16)} reads 0x${c.cr.toString(16)} after reset`, (t) => {
    const rig = makeRig({ device: c.device });
    t.is(rig.read(c.base), c.cr);
    t.is(rig.chip.rcc?.spec.base, c.base);
  });
}

test('L151 (OpenOCD stm32l_enable_HSI): HSION brings HSIRDY, SW=HSI brings SWS=HSI', (t) => {
  const rig = makeRig({ device: 'STM32L151CBxxA' });
  const cr = 0x40023800;
  const cfgr = 0x40023808;
  rig.write(cr, rig.read(cr) | 0x101);
  t.is(rig.read(cr), 0x303, 'HSION|HSIRDY next to MSION|MSIRDY');
  rig.write(cfgr, rig.read(cfgr) | 0x1);
  t.is(rig.read(cfgr), 0x5, 'SW=01, SWS=01');
  rig.write(cr, 0x1); // MSI off, HSI on
  t.is(rig.read(cr), 0x003, 'MSIRDY follows MSION off');
  t.is(rig.read(0x40023804), 0xb000, 'ICSCR reset value');
});

test('F411 (OpenOCD stm32f4x reset-init): PLLCFGR, PLLON -> PLLRDY, SW=PLL -> SWS=PLL; system reset restores', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  const rcc = 0x40023800;
  t.is(rig.read(rcc + 0x04), 0x24003010, 'PLLCFGR reset value');
  rig.write(rcc + 0x04, 0x08012008);
  rig.write(rcc, rig.read(rcc) | 0x01000000);
  t.is(rig.read(rcc) & 0x03000000, 0x03000000, 'PLLON and PLLRDY');
  rig.write(rcc + 0x08, rig.read(rcc + 0x08) | 0x1000);
  rig.write(rcc + 0x08, rig.read(rcc + 0x08) | 0x2);
  t.is(rig.read(rcc + 0x08), 0x100a, 'PPRE1 /2, SW=PLL, SWS=PLL');
  t.is(rig.read(rcc + 0x04), 0x08012008, 'PLLCFGR holds what was written');
  rig.chip.reset('system');
  t.is(rig.read(rcc), 0x83);
  t.is(rig.read(rcc + 0x04), 0x24003010);
  t.is(rig.read(rcc + 0x08), 0);
});

test('ready flags and SWS are read-only: writing them changes nothing', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  const rcc = 0x40021000;
  rig.write(rcc, 0x02020000); // PLLRDY and HSERDY without their enables, HSION off
  t.is(rig.read(rcc), 0, 'no enable, no ready flag; HSIRDY gone with HSION');
  rig.write(rcc + 0x04, 0xc); // SWS=11 written, SW=00
  t.is(rig.read(rcc + 0x04), 0);
  rig.write(rcc + 0x04, 0x1, 1); // a byte write to SW
  t.is(rig.read(rcc + 0x04), 0x5);
});

test('L476 (OpenOCD stm32l4x reset-init): RCC_CR = MSION|MSIRGSEL|range 9 keeps MSIRDY', (t) => {
  const rig = makeRig({ device: 'STM32L476RG' });
  rig.write(0x40021000, 0x99);
  t.is(rig.read(0x40021000), 0x9b);
  t.is(rig.read(0x4002100c), 0x1000, 'PLLCFGR reset value');
});

test('WB55: CFGR prescaler-applied flags stay set when CFGR is written', (t) => {
  const rig = makeRig({ device: 'STM32WB55RG' });
  t.is(rig.read(0x58000008), 0x00070000);
  rig.write(0x58000008, 0x3);
  t.is(rig.read(0x58000008), 0x0007000f, 'flags kept, SW=11 and SWS=11');
});

test('G071 and H743: 3-bit SW/SWS at [2:0]/[5:3]', (t) => {
  const g0 = makeRig({ device: 'STM32G071RB' });
  g0.write(0x40021008, 0x2);
  t.is(g0.read(0x40021008), 0x12);
  const h7 = makeRig({ device: 'STM32H743ZI' });
  h7.write(0x58024410, 0x3);
  t.is(h7.read(0x58024410), 0x1b);
  h7.write(0x58024400, 0x01000081); // PLL1ON, CSION, HSION
  t.is(h7.read(0x58024400), 0x03000185);
});

test('RCC is reset by a power-on too; lines without an RCC model (WBA) have none', (t) => {
  const rig = makeRig({ device: 'STM32L151CBxxA' });
  rig.write(0x40023800, 0x101);
  rig.chip.reset('power');
  t.is(rig.read(0x40023800), 0x300);
  const data = makeRig({ device: 'STM32WBA55CG' });
  t.is(data.chip.rcc, undefined);
  t.throws(() => data.read(0x46020c00), { instanceOf: BusError });
});

test('every behaviour-level line maps its RCC without clashing with its other regions', (t) => {
  const lines = new Set<string>();
  for (const device of stm32Devices) {
    const rig = makeRig({ device: device.devId });
    const rcc = rig.chip.rcc;
    if (!rcc) continue;
    lines.add(device.line);
    // HSI, or MSI on the MSI-booting lines, is on and ready after reset.
    t.not(rig.read(rcc.spec.base), 0, device.name);
  }
  t.deepEqual([...lines].sort(), [
    'STM32C0',
    'STM32F0',
    'STM32F1',
    'STM32F2',
    'STM32F3',
    'STM32F4',
    'STM32F7',
    'STM32G0',
    'STM32G4',
    'STM32H7',
    'STM32L0',
    'STM32L1',
    'STM32L4',
    'STM32L4+',
    'STM32L5',
    'STM32U0',
    'STM32U5',
    'STM32WB',
    'STM32WL',
  ]);
});

// L5 and U5: what OpenOCD 0.12's target/stm32l5x.cfg and stm32u5x.cfg reset-init handlers do
// (RM0438 and RM0456 RCC and PWR chapters; CMSIS-L5 stm32l552xx.h, CMSIS-U5 stm32u575xx.h).

test('L552 (OpenOCD stm32l5x_clock_config): PWREN opens PWR, VOS range 0 with VOSF clear, PLL from MSI, SWS follows', (t) => {
  const rig = makeRig({ device: 'STM32L552ZE' });
  const rcc = 0x40021000;
  const pwrCr1 = 0x40007000;
  t.is(rig.read(rcc), 0x63, 'MSI on and ready, range 6');
  t.is(rig.read(pwrCr1), 0x400, 'VOS range 2 after reset');
  rig.write(pwrCr1, 0);
  t.is(rig.read(pwrCr1), 0x400, 'PWR interface clock off: the write is lost');
  rig.write(rcc + 0x58, 1 << 28); // APB1ENR1.PWREN
  rig.write(pwrCr1, 0);
  t.is(rig.read(pwrCr1), 0, 'VOS range 0');
  t.is(rig.read(0x40007014) & 0x400, 0, 'SR2.VOSF: the regulator is ready');
  rig.write(rcc + 0x0c, 0x01003711); // PLLSRC MSI, PLLM /2, PLLN 55, PLLR /2, PLLREN
  rig.write(rcc, rig.read(rcc) | 0x01000000);
  t.is(rig.read(rcc) & 0x02000000, 0x02000000, 'PLLRDY');
  rig.write(rcc + 0x08, rig.read(rcc + 0x08) | 3);
  t.is(rig.read(rcc + 0x08) & 0xc, 0xc, 'SWS = PLL');
  // PLLM [7:4] = 1 divides by 2 (RM0438): 4 MHz / 2 * 55 / 2 = 55 MHz, not the 110 MHz
  // the OpenOCD script's comment names.
  t.is(rig.chip.coreClockHz(), 55_000_000);
  rig.chip.reset('system');
  t.is(rig.read(rcc + 0x08), 0, 'RCC resets with the system');
  t.is(rig.read(pwrCr1), 0, 'PWR does not');
  rig.chip.reset('power');
  t.is(rig.read(pwrCr1), 0x400);
});

test('U575 (OpenOCD stm32u5x_clock_config): VOSRDY after VOS range 1, BOOSTRDY follows BOOSTEN, PLL1 160 MHz', (t) => {
  const rig = makeRig({ device: 'STM32U575ZI' });
  const rcc = 0x46020c00;
  const vosr = 0x4602080c;
  t.is(rig.read(rcc), 0x35, 'MSIS and MSIK on and ready');
  t.is(rig.read(vosr), 0x8000, 'range 4, VOSRDY');
  rig.write(rcc + 0x94, 0x4); // AHB3ENR.PWREN
  rig.write(vosr, rig.read(vosr) | 0x30000);
  t.is(rig.read(vosr), 0x38000, 'VOS range 1 and ready');
  rig.write(rcc + 0x28, 0x00040009); // PLL1SRC MSIS, PLL1RGE 4-8 MHz, PLL1M /1, PLL1REN
  rig.write(vosr, rig.read(vosr) | 0x40000);
  t.is(rig.read(vosr) & 0x4000, 0x4000, 'BOOSTRDY');
  rig.write(rcc + 0x34, 0x0101024f); // PLL1N 80, PLL1R /2
  rig.write(rcc, rig.read(rcc) | 0x01000000);
  t.is(rig.read(rcc) & 0x02000000, 0x02000000, 'PLL1RDY');
  rig.write(rcc + 0x1c, rig.read(rcc + 0x1c) | 3);
  t.is(rig.read(rcc + 0x1c) & 0xc, 0xc, 'CFGR1.SWS = PLL1');
  t.is(rig.chip.coreClockHz(), 160_000_000);
  rig.write(vosr, rig.read(vosr) & ~0x40000);
  t.is(rig.read(vosr) & 0x4000, 0, 'BOOSTRDY follows BOOSTEN off');
});

test('L5/U5: the addresses OpenOCD stm32l4x.c tries for DBGMCU_IDCODE before 0xE0044000 read 0 (CTI, SAI2)', (t) => {
  for (const device of ['STM32L552ZE', 'STM32U575ZI']) {
    const rig = makeRig({ device });
    t.is(rig.read(0xe0042000), 0, `${device}: CTICONTROL`);
    t.is(rig.read(0x40015800), 0, `${device}: SAI2_GCR`);
    t.is(rig.read(0x40015804), 0x40, `${device}: SAI2_ACR1 reset value`);
    rig.write(0x40015800, 0x3);
    t.is(rig.read(0x40015800), 0, `${device}: SAI2 clock off, the write is lost`);
    t.is(rig.read(0xe0044000) & 0xfff, rig.chip.device.devId);
  }
  // U545 has no SAI2 (stm32u545xx.h): the address stays unmapped.
  const u545 = makeRig({ device: 'STM32U545RE' });
  t.throws(() => u545.read(0x40015800), { instanceOf: BusError });
});
