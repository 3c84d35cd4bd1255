import test from 'ava';
import {
  bankLayout,
  decodeFlashSizeKiB,
  findStm32Device,
  flashBanks,
  isDualBank,
  optionLayouts,
  stm32Devices,
} from '../src/index.js';

const reference = [
  0x443, 0x44c, 0x44d, 0x453, 0x493, 0x440, 0x442, 0x444, 0x445, 0x448, 0x410, 0x412, 0x414, 0x418,
  0x420, 0x428, 0x430, 0x411, 0x422, 0x432, 0x438, 0x439, 0x446, 0x413, 0x419, 0x421, 0x423, 0x431,
  0x433, 0x434, 0x441, 0x458, 0x463, 0x449, 0x451, 0x452, 0x456, 0x460, 0x466, 0x467, 0x468, 0x469,
  0x479, 0x484, 0x450, 0x480, 0x483, 0x485, 0x417, 0x425, 0x447, 0x457, 0x416, 0x427, 0x429, 0x436,
  0x437, 0x415, 0x435, 0x461, 0x462, 0x464, 0x470, 0x471, 0x472, 0x459, 0x489, 0x42a, 0x454, 0x455,
  0x476, 0x481, 0x482, 0x494, 0x495, 0x496, 0x492, 0x4b0, 0x4b2, 0x497,
  // Not in those sources; AN2606 "Bootloader identification": H503, H523/H533, H5Ex/H5Fx.
  0x474, 0x478, 0x47a,
  // STM32WB0x and WL3x: JTAG_ID part numbers (OpenOCD src/flash/nor/bluenrg-x.c).
  0x201e, 0x2028, 0x2032, 0x2027,
];

test("every DEV_ID of stlink's chip files, OpenOCD's STM32 drivers and AN2606 is present exactly once", (t) => {
  const ids = stm32Devices.map((d) => d.devId);
  t.is(new Set(ids).size, ids.length, 'duplicate devId');
  t.deepEqual([...ids].sort(), [...reference].sort());
});

test('every entry names its sources and a known IDCODE address', (t) => {
  // DBGMCU_IDCODE by core, and SYSCFG JTAG_ID of the BlueNRG-LP parts (WB0x, WL3x).
  const idcodeAddresses = new Set([0xe0042000, 0x40015800, 0xe0044000, 0x5c001000, 0x40000004]);
  for (const d of stm32Devices) {
    t.true(d.sources.length > 0, `${d.name} has no source`);
    t.true(idcodeAddresses.has(d.idcodeAddress), `${d.name} IDCODE address`);
    t.true(d.maxFlashKiB > 0);
    t.true(d.erasedValue === 0xff || d.erasedValue === 0x00);
  }
});

test('the flash layout of every device adds up to its maximum flash size', (t) => {
  for (const d of stm32Devices) {
    const banks = flashBanks(d, d.maxFlashKiB);
    const total = banks.flatMap((b) => b.sectorBytes).reduce((a, b) => a + b, 0);
    t.is(total, d.maxFlashKiB * 1024, `${d.name} (0x${d.devId.toString(16)})`);
    t.is(banks[0]?.start, d.flashBase);
  }
});

test('STM32L1 0x429 uses only the low byte of the flash-size register', (t) => {
  const l151 = findStm32Device(0x429)!;
  t.is(decodeFlashSizeKiB(l151, 0x6b80), 128);
  t.is(decodeFlashSizeKiB(l151, 0x0080), 128);
});

test('STM32L1 0x436 flash size is a code', (t) => {
  const cat4 = findStm32Device(0x436)!;
  t.is(decodeFlashSizeKiB(cat4, 0), 384);
  t.is(decodeFlashSizeKiB(cat4, 1), 256);
});

test('early silicon reading 0 falls back where ST does, and 0xFFFF is implausible', (t) => {
  t.is(decodeFlashSizeKiB(findStm32Device(0x416)!, 0), 128);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 0), undefined);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 0xffff), undefined);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 64), 64);
});

test('F4 sectors follow the 16/64/128 KiB pattern and repeat per bank', (t) => {
  const f42x = findStm32Device(0x419)!;
  const banks = flashBanks(f42x, 2048);
  t.is(banks.length, 2);
  t.is(banks[1]?.start, 0x08100000);
  t.deepEqual(
    banks[0]?.sectorBytes.map((b) => b / 1024),
    [16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128],
  );
  const f411 = flashBanks(findStm32Device(0x431)!, 256);
  t.deepEqual(
    f411[0]?.sectorBytes.map((b) => b / 1024),
    [16, 16, 16, 16, 64, 128],
  );
});

test('L1 Cat.6 leaves 64 KiB between its banks', (t) => {
  const banks = flashBanks(findStm32Device(0x437)!, 384);
  t.is(banks[1]?.start, 0x08040000);
});

test('part numbers resolve to the device id their line reports', async (t) => {
  const { parsePartNumber } = await import('../src/index.js');
  const cases: [string, number[], number | undefined][] = [
    ['STM32L151CBxxA', [0x429], 128],
    ['STM32L151CB', [0x416], 128],
    ['STM32F103RB', [0x410], 128],
    ['STM32F103ZE', [0x414], 512],
    ['STM32F411RE', [0x431], 512],
    ['STM32L476RG', [0x415], 1024],
    ['STM32F767BI', [0x451], 2048],
    ['STM32H743ZI', [0x450], 2048],
    ['stm32g071rb', [0x460], 128],
    ['STM32G411CBT6', [0x468], 128],
    ['STM32G411CCT6', [], 256],
    ['STM32G414CBT6', [], 128],
    ['STM32WB05KZV6', [0x2028], 192],
    ['STM32WB09TEF7', [0x2032], 512],
    ['STM32WL33K8V6', [0x2027], 64],
  ];
  for (const [name, devIds, flashKiB] of cases) {
    const part = parsePartNumber(name);
    t.deepEqual(part?.devIds, devIds, name);
    t.is(part?.flashKiB, flashKiB, name);
  }
  t.is(parsePartNumber('nRF52840'), undefined);
  t.deepEqual(parsePartNumber('STM32Q999ZZ')?.devIds, []);
});

test('every device id is reachable from at least one part-number rule', async (t) => {
  const { parsePartNumber } = await import('../src/index.js');
  // A representative part per id keeps the rule table honest as lines are added.
  const samples = [
    'STM32C011F6',
    'STM32C051C8',
    'STM32C091RC',
    'STM32C031C6',
    'STM32C071RB',
    'STM32F051R8',
    'STM32F091RC',
    'STM32F031K6',
    'STM32F042K6',
    'STM32F072RB',
    'STM32F103C8',
    'STM32F103C6',
    'STM32F103RE',
    'STM32F107VC',
    'STM32F100RB',
    'STM32F100ZE',
    'STM32F103ZG',
    'STM32F207ZG',
    'STM32F303VC',
    'STM32F373CC',
    'STM32F334R8',
    'STM32F302R8',
    'STM32F303RE',
    'STM32F407VG',
    'STM32F429ZI',
    'STM32F446RE',
    'STM32F401CC',
    'STM32F411CE',
    'STM32F401RE',
    'STM32F469NI',
    'STM32F412ZG',
    'STM32F410RB',
    'STM32F413ZH',
    'STM32F746ZG',
    'STM32F767ZI',
    'STM32F722ZE',
    'STM32G051C8',
    'STM32G071RB',
    'STM32G031K8',
    'STM32G0B1RE',
    'STM32G431KB',
    'STM32G474RE',
    'STM32G491RE',
    'STM32H563ZI',
    'STM32H503RB',
    'STM32H533RE',
    'STM32H5F5ZJ',
    'STM32H743ZI',
    'STM32H7A3ZI',
    'STM32H723ZG',
    'STM32H7S3L8',
    'STM32L053R8',
    'STM32L031K6',
    'STM32L073RZ',
    'STM32L011K4',
    'STM32L152RB',
    'STM32L152RC',
    'STM32L151CBxxA',
    'STM32L152RD',
    'STM32L152RE',
    'STM32L476RG',
    'STM32L432KC',
    'STM32L496ZG',
    'STM32L452RE',
    'STM32L412KB',
    'STM32L4R5ZI',
    'STM32L4P5ZG',
    'STM32L552ZE',
    'STM32U031R8',
    'STM32U083RC',
    'STM32U3C5ZI',
    'STM32U375RG',
    'STM32U545RE',
    'STM32U5G9ZJ',
    'STM32U5A5ZJ',
    'STM32U575ZI',
    'STM32WB15CC',
    'STM32WB55RG',
    'STM32WB35CE',
    'STM32WBA55CG',
    'STM32WBA65RI',
    'STM32WBA25CE',
    'STM32WL55JC',
    'STM32WB05KZ',
    'STM32WB07CC',
    'STM32WB09KE',
    'STM32WL33CC',
  ];
  const { stm32Devices } = await import('../src/index.js');
  const reached = new Set(samples.flatMap((s) => parsePartNumber(s)?.devIds ?? []));
  for (const d of stm32Devices)
    t.true(reached.has(d.devId), `no part reaches 0x${d.devId.toString(16)}`);
});

test('the flash-size code is read after the pin-count letter on every line shape', async (t) => {
  const { parsePartNumber } = await import('../src/index.js');
  t.is(parsePartNumber('STM32WB55RG')?.flashKiB, 1024);
  t.is(parsePartNumber('STM32WBA55CG')?.flashKiB, 1024);
  t.is(parsePartNumber('STM32G0B1RE')?.flashKiB, 512);
  t.is(parsePartNumber('STM32L151CBxxA')?.line, 'L151');
});

test('H7 with 1 MiB keeps bank 2 at 0x08100000', (t) => {
  const banks = bankLayout(findStm32Device(0x450)!, 1024);
  t.deepEqual(
    banks.map((b) => [b.start, b.sectorBytes.length]),
    [
      [0x08000000, 4],
      [0x08100000, 4],
    ],
  );
  t.is(bankLayout(findStm32Device(0x450)!, 128).length, 1, 'a 128 KiB H7 is single-bank');
});

test('dual-bank mode follows the option bit the part documents', (t) => {
  const f767 = findStm32Device(0x451)!;
  // nDBANK (OPTCR bit 29) = 1: single bank of 4x32, 1x128, 7x256 KiB.
  t.false(isDualBank(f767, 2048, { OPTCR: 1 << 29 }));
  t.true(isDualBank(f767, 2048, { OPTCR: 0 }));
  const single = bankLayout(f767, 2048, { dualBank: false });
  t.deepEqual(
    single[0]?.sectorBytes.map((b) => b / 1024),
    [32, 32, 32, 32, 128, 256, 256, 256, 256, 256, 256, 256],
  );
  const dual = bankLayout(f767, 2048, { dualBank: true });
  t.is(dual[1]?.start, 0x08100000);
  t.is(dual[1]?.sectorBytes[0], 16 * 1024);

  const l476 = findStm32Device(0x415)!;
  t.true(isDualBank(l476, 1024), '1 MiB L4 is always dual-bank');
  t.false(isDualBank(l476, 512, { OPTR: 0 }));
  t.true(isDualBank(l476, 512, { OPTR: 1 << 21 }));

  const g474 = findStm32Device(0x469)!;
  t.deepEqual(
    bankLayout(g474, 512, { dualBank: false })[0]?.sectorBytes.length,
    128,
    '4 KiB pages single-bank',
  );
  const g4dual = bankLayout(g474, 256, { dualBank: true });
  t.is(g4dual[1]?.start, 0x08040000, 'trimmed G4 leaves a gap before bank 2');
  t.is(g4dual[0]?.sectorBytes[0], 2048);

  const f1xl = findStm32Device(0x430)!;
  t.is(bankLayout(f1xl, 768)[1]?.start, 0x08080000);
  t.is(bankLayout(f1xl, 768)[1]?.sectorBytes.length, 128);
});

test('0xFFFF in the flash-size register is never a size, whatever the mask', (t) => {
  t.is(decodeFlashSizeKiB(findStm32Device(0x450)!, 0xffff), undefined);
  t.is(decodeFlashSizeKiB(findStm32Device(0x450)!, 0x0800), 2048);
  t.is(decodeFlashSizeKiB(findStm32Device(0x450)!, 0xf400), 1024, 'H7 keeps bits [11:0]');
});

test('every device has an option layout whose fields fit and do not overlap', (t) => {
  for (const d of stm32Devices) {
    const fields = optionLayouts[d.optionLayout];
    if (d.optionLayout !== 'none') {
      t.truthy(
        fields.find((f) => f.role?.kind === 'rdp'),
        `${d.name} has no RDP field`,
      );
    }
    const used = new Map<string, number>();
    for (const f of fields) {
      t.true(f.width >= 1 && f.bit + f.width <= 32, `${d.optionLayout}.${f.name} width`);
      const mask = (2 ** f.width - 1) * 2 ** f.bit;
      const before = used.get(f.register) ?? 0;
      t.is(Number(BigInt(before) & BigInt(mask)), 0, `${d.optionLayout}.${f.name} overlaps`);
      used.set(f.register, Number(BigInt(before) | BigInt(mask)));
    }
    const names = fields.flatMap((f) => [f.name, ...(f.aliases ?? [])].map((n) => n.toUpperCase()));
    t.is(new Set(names).size, names.length, `${d.optionLayout} has a duplicate name`);
  }
});

test('RDP codes of the option layouts agree with the device rdp data', (t) => {
  for (const d of stm32Devices) {
    const rdp = optionLayouts[d.optionLayout].find((f) => f.role?.kind === 'rdp');
    if (!rdp?.values) continue;
    t.is(rdp.values['0'], d.rdp.level0, `${d.name} level 0`);
    t.is(rdp.values['2'], d.rdp.level2, `${d.name} level 2`);
  }
});

test('bankLayout agrees with flashBanks wherever both give every bank', (t) => {
  for (const d of stm32Devices) {
    const banks = bankLayout(d, d.maxFlashKiB);
    const total = banks.flatMap((b) => b.sectorBytes).reduce((a, b) => a + b, 0);
    t.is(total, d.maxFlashKiB * 1024, `${d.name} (0x${d.devId.toString(16)})`);
    t.is(banks[0]?.start, d.flashBase);
    if (d.layout.kind === 'sectors' || d.layout.kind === 'sectors-by-bank-mode') {
      t.deepEqual(banks, flashBanks(d, d.maxFlashKiB), d.name);
    }
  }
});

test('system memory, where known, lies outside main flash and SRAM and is at most 128 KiB', (t) => {
  const known = stm32Devices.filter((d) => d.systemMemory !== undefined);
  t.true(known.length >= 60, `${known.length} devices with system memory`);
  for (const d of known) {
    const { base, bytes } = d.systemMemory!;
    const flashEnd = d.flashBase + d.maxFlashKiB * 1024;
    t.true(bytes > 0 && bytes <= 128 * 1024, d.name);
    t.true(base + bytes <= d.flashBase || base >= flashEnd, `${d.name} overlaps flash`);
    t.true(base + bytes <= 0x20000000, `${d.name} reaches SRAM`);
  }
  t.deepEqual(findStm32Device(0x410)?.systemMemory, { base: 0x1ffff000, bytes: 0x800 });
  t.deepEqual(findStm32Device(0x431)?.systemMemory, { base: 0x1fff0000, bytes: 0x7800 });
  t.deepEqual(findStm32Device(0x429)?.systemMemory, { base: 0x1ff00000, bytes: 0x1000 });
  t.deepEqual(findStm32Device(0x415)?.systemMemory, { base: 0x1fff0000, bytes: 0x7000 });
  t.deepEqual(findStm32Device(0x450)?.systemMemory, { base: 0x1ff00000, bytes: 0x20000 });
});

test('option fields carry the roles core reasons about, whatever their names', (t) => {
  for (const [layout, fields] of Object.entries(optionLayouts)) {
    for (const f of fields) {
      const where = `${layout}.${f.name}`;
      // The independent watchdog (IWDG) selection; the window watchdog's is not a hazard here.
      if (/^I?WDG1?_SW$/.test(f.name)) t.is(f.role?.kind, 'watchdog', where);
      if (/^n?RST_(STOP|STDBY|STBY|SHDW)/i.test(f.name)) {
        t.is(f.role?.kind, 'low-power-reset', where);
      }
      if (/^(n?WRP\d*|WPSN\d)$/.test(f.name)) t.is(f.role?.kind, 'wrp', where);
      if (/^WRP\d[AB]_(STRT|END)$/.test(f.name)) t.is(f.role?.kind, 'wrp-area', where);
      if (/^(nBOOT0|nBOOT1|nSWBOOT0|nBOOT_SEL|BOOT_SEL|BOOT_ADD[01]|BFB2)$/.test(f.name)) {
        t.is(f.role?.kind, 'boot', where);
      }
      if (f.name === 'BFB2') {
        t.not(f.role?.kind === 'boot' ? f.role.bank2When : undefined, undefined, where);
      }
    }
  }
  // BFB2 boots bank 2 when clear on F1 XL (RM0008) and L1 (FLASH_OBR_nRST_BFB2), when set elsewhere.
  const bank2When = (layout: keyof typeof optionLayouts) => {
    const role = optionLayouts[layout].find((f) => f.name === 'BFB2')?.role;
    return role?.kind === 'boot' ? role.bank2When : undefined;
  };
  t.deepEqual((['f1-xl', 'l1', 'l0', 'f4-dual', 'l4'] as const).map(bank2When), [0, 0, 1, 1, 1]);
});

test('parts that always have two banks come back with two', (t) => {
  const bank2 = (devId: number, kib: number): number | undefined =>
    bankLayout(findStm32Device(devId)!, kib)[1]?.start;
  t.is(bank2(0x484, 2048), 0x08100000); // H563ZI
  t.is(bank2(0x484, 512), 0x08040000); // H562RG
  t.is(bank2(0x474, 128), 0x08010000); // H503RB
  t.is(bank2(0x4b0, 2048), 0x08100000); // WBA65RI
  t.is(bank2(0x437, 512), 0x08040000); // L152RE (Cat.5)
  t.is(bank2(0x437, 384), 0x08040000); // L152RDxxX (Cat.6)
  t.is(bank2(0x436, 384), 0x08030000); // L152RD (Cat.4)
  t.is(bank2(0x436, 256), undefined); // L151RCxxA: one bank
  t.is(bank2(0x447, 192), 0x08018000); // L073RZ
  t.true(isDualBank(findStm32Device(0x484)!, 2048));
});
