import test from 'ava';
import { stm32Devices } from '@flashwright/stm32-devices';
import { deviceDescriptors, layoutOfPart } from '../src/descriptors.js';
import { plugin } from '../src/index.js';

test('devices() lists every database entry with the fields `devices --json` needs', (t) => {
  const list = deviceDescriptors();
  t.is(list.length, stm32Devices.length);
  for (const d of list) {
    // DEV_IDs have 3 hex digits; the BlueNRG-LP JTAG_ID part numbers (WB0x, WL3x) have 4 and
    // their flash is at 0x10040000.
    const blueNrg =
      d.controller !== null && (d.controller as { kind?: string }).kind === 'bluenrg-lp';
    t.regex(d.id, blueNrg ? /^0x[0-9A-F]{4}$/ : /^0x[0-9A-F]{3}$/);
    t.is(d.family, 'stm32');
    t.is(d.flashBase, blueNrg ? 0x10040000 : 0x08000000);
    t.true(d.maxFlashKiB > 0);
    t.truthy(d.layout);
    t.is(typeof d.layoutSummary, 'string');
  }
  const l151 = list.find((d) => d.id === '0x429');
  t.is(l151?.layoutSummary, 'pages of 256 B');
  const f411 = list.find((d) => d.id === '0x431');
  t.is(f411?.layoutSummary, 'sectors 4x16K, 1x64K, 7x128K per bank');
  t.notThrows(() => JSON.stringify(list));
});

test('layoutOf plans a named part without a chip', (t) => {
  const layout = layoutOfPart('STM32F411RE');
  t.is(layout?.flash.length, 1);
  t.is(layout?.flash[0]?.end, 0x08080000);
  t.is(layout?.flash[0]?.sectors.length, 8);
  const l151 = layoutOfPart('STM32L151CBxxA');
  t.is(l151?.flash[0]?.sectors.length, 512);
  t.is(l151?.flash[0]?.erasedValue, 0);
  t.is(layoutOfPart('STM32F103C8', 128 * 1024)?.flash[0]?.end, 0x08020000);
  t.is(layoutOfPart('nRF52840'), undefined);
});

test('the plugin offers the stm32 family under the current API', (t) => {
  const p = plugin();
  t.is(p.meta.name, '@flashwright/target-stm32');
  t.is(p.families?.[0]?.id, 'stm32');
});
