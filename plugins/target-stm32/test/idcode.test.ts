import test from 'ava';
import {
  correctDevId,
  decodeIdcode,
  idcodeCandidates,
  IdcodeAddress,
  isPlausibleDevId,
  cloneNote,
} from '../src/identify/idcode.js';

test('the IDCODE address follows the core, the others come after', (t) => {
  t.deepEqual(idcodeCandidates(0xc60).slice(0, 1), [IdcodeAddress.armv6m]);
  t.deepEqual(idcodeCandidates(0xc20).slice(0, 1), [IdcodeAddress.armv6m]);
  t.deepEqual(idcodeCandidates(0xc23).slice(0, 1), [IdcodeAddress.armv7m]);
  t.deepEqual(idcodeCandidates(0xd21).slice(0, 1), [IdcodeAddress.armv8m]);
  t.deepEqual(idcodeCandidates(0xc27).slice(0, 2), [IdcodeAddress.armv7m, IdcodeAddress.h7]);
  for (const partNo of [0xc20, 0xc23, 0xc27, 0xd21]) {
    t.is(new Set(idcodeCandidates(partNo)).size, 4, 'every address is tried once');
  }
});

test('IDCODE splits into DEV_ID and REV_ID', (t) => {
  t.deepEqual(decodeIdcode(0x10186429, 0xe0042000), {
    raw: 0x10186429,
    address: 0xe0042000,
    devId: 0x429,
    revId: 0x1018,
  });
  t.false(isPlausibleDevId(0));
  t.false(isPlausibleDevId(0xfff));
  t.true(isPlausibleDevId(0x410));
});

test('F4 revision A reporting 0x411 on a Cortex-M4 is 0x413; a real F2 stays 0x411', (t) => {
  const f4 = correctDevId(0x411, 0xc24);
  t.is(f4.devId, 0x413);
  t.regex(f4.note ?? '', /revision A/);
  t.deepEqual(correctDevId(0x411, 0xc23), { devId: 0x411 });
});

test('GigaDevice REV_IDs on DEV_ID 0x410 are named', (t) => {
  t.regex(cloneNote(decodeIdcode(0x13030410, 0xe0042000)) ?? '', /GD32F1x0/);
  t.is(cloneNote(decodeIdcode(0x20036410, 0xe0042000)), undefined);
});
