import test from 'ava';
import { findStm32Device, optionLayouts } from '@flashwright/stm32-devices';
import { flashRegions } from '../src/device/regions.js';
import {
  decodeOptionFields,
  encodeOptionFields,
  findOptionField,
  optionFieldInfos,
} from '../src/options/option-codec.js';

const l4 = optionLayouts.l4;

test('L4 OPTR fields decode from the register', (t) => {
  // RDP 0xAA, BOR_LEV 2, nRST_STOP 1, IWDG_SW 1, DUALBANK 1.
  const optr = 0xaa | (2 << 8) | (1 << 12) | (1 << 16) | (1 << 21);
  const values = decodeOptionFields(l4, { OPTR: optr });
  t.is(values.RDP, 0xaa);
  t.is(values.BOR_LEV, 2);
  t.is(values.nRST_STOP, 1);
  t.is(values.nRST_STDBY, 0);
  t.is(values.IWDG_SW, 1);
  t.is(values.DUALBANK, 1);
  t.false('WRP1A_STRT' in values, 'registers not read are left out');
});

test('encoding changes only the named bits', (t) => {
  const optr = 0xffeff8aa;
  const { registers, fields } = encodeOptionFields(
    l4,
    { OPTR: optr },
    { BOR_LEV: 4, nrst_stdby: 0 },
  );
  t.is(registers.OPTR, ((optr & ~(0b111 << 8) & ~(1 << 13)) | (4 << 8)) >>> 0);
  t.deepEqual(fields, { BOR_LEV: 4, nRST_STDBY: 0 });
});

test('aliases find their field; unknown names list the valid ones', (t) => {
  t.is(findOptionField(optionLayouts.f1, 'IWDG_SW')?.name, 'WDG_SW');
  const error = t.throws(() => encodeOptionFields(l4, { OPTR: 0 }, { BOR_LEVEL: 1 }));
  t.is((error as { code?: string }).code, 'RECIPE_INVALID');
  t.regex(error.message, /BOR_LEVEL/);
  t.regex((error as { hint?: string }).hint ?? '', /BOR_LEV, /);
});

test('values out of the field width are rejected with the named values', (t) => {
  const error = t.throws(() => encodeOptionFields(l4, { OPTR: 0 }, { BOR_LEV: 8 }));
  t.regex(error.message, /0\.\.7/);
  const rdp = t.throws(() => encodeOptionFields(l4, { OPTR: 0 }, { RDP: 256 }));
  t.regex(rdp.message, /0 = 0xAA/);
});

test('values are raw: F1 RDP 0x00 is level 1, not the name "0"', (t) => {
  const { registers } = encodeOptionFields(optionLayouts.f1, { RDP: 0xa5 }, { RDP: 0x00 });
  t.is(registers.RDP, 0x00);
});

test('field infos give named RDP levels and the raw range', (t) => {
  const f4 = findStm32Device(0x413)!;
  const infos = optionFieldInfos(optionLayouts['f2-f4'], f4, flashRegions(f4, 1024, false, 4));
  const rdp = infos.find((f) => f.name === 'RDP');
  t.deepEqual(rdp?.values, { '0': 0xaa, '1': 0x55, '2': 0xcc });
  t.is(rdp?.min, 0);
  t.is(rdp?.max, 255);
  const f1 = findStm32Device(0x410)!;
  const wdg = optionFieldInfos(optionLayouts.f1, f1, flashRegions(f1, 128, false, 2)).find(
    (f) => f.name === 'WDG_SW',
  );
  t.regex(wdg?.description ?? '', /also: IWDG_SW/);
});

test('L0/L1 option words carry the value in the low half-word', (t) => {
  const values = decodeOptionFields(optionLayouts.l1, { RDP: 0x00aa, USER: 0x0078 });
  t.is(values.RDP, 0xaa);
  t.is(values.BOR_LEV, 8);
  t.is(values.IWDG_SW, 1);
  t.is(values.nRST_STOP, 1);
  t.is(values.nRST_STDBY, 1);
  t.is(values.BFB2, 0);
});
