import test from 'ava';
import { findStm32Device } from '@flashwright/stm32-devices';
import { deviceName, matchesDeviceName } from '../src/device/naming.js';

test('an L151CB -A part matches 0x429 but not the plain Cat.1 id', (t) => {
  const cat2 = findStm32Device(0x429)!;
  const cat1 = findStm32Device(0x416)!;
  t.true(matchesDeviceName(cat2, 'STM32L151CBxxA'));
  t.true(matchesDeviceName(cat2, 'stm32l151cbt6a'));
  t.false(matchesDeviceName(cat1, 'STM32L151CBxxA'));
  t.true(matchesDeviceName(cat1, 'STM32L151CB'));
  t.false(matchesDeviceName(cat2, 'STM32F103RB'));
  t.false(matchesDeviceName(cat2, 'nRF52840'));
});

test('line names and the bare family match', (t) => {
  const f411 = findStm32Device(0x431)!;
  t.true(matchesDeviceName(f411, 'STM32F4'));
  t.true(matchesDeviceName(f411, 'stm32'));
  t.false(matchesDeviceName(f411, 'STM32F7'));
});

test('device names carry the DEV_ID so mismatch errors can name both parts', (t) => {
  t.is(
    deviceName(findStm32Device(0x429)!),
    'STM32L1 Cat.2 (L100/L151/L152 x6A/x8A/xBA) [DEV_ID 0x429]',
  );
});

test('a name that leaves the id open is settled by the DEV_ID at connect', (t) => {
  // STM32L151RC is Cat.3 (0x427) or Cat.4 (0x436); STM32L151RD is 0x436 or 0x437.
  t.true(matchesDeviceName(findStm32Device(0x427)!, 'STM32L151RC'));
  t.true(matchesDeviceName(findStm32Device(0x436)!, 'STM32L151RC'));
  t.false(matchesDeviceName(findStm32Device(0x437)!, 'STM32L151RC'));
  t.true(matchesDeviceName(findStm32Device(0x437)!, 'STM32L152RD'));
});

test('L0 Cat.5 parts with 64 KiB and the new H5 ids match their chips', (t) => {
  t.true(matchesDeviceName(findStm32Device(0x447)!, 'STM32L071C8'));
  t.true(matchesDeviceName(findStm32Device(0x447)!, 'STM32L083V8Tx'));
  t.true(matchesDeviceName(findStm32Device(0x474)!, 'STM32H503RB'));
  t.true(matchesDeviceName(findStm32Device(0x478)!, 'STM32H533RE'));
  t.true(matchesDeviceName(findStm32Device(0x451)!, 'STM32F768AI'));
});
