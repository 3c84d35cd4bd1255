import test from 'ava';
import {
  bestProgramUnit,
  eraseUnitMs,
  flashTimings,
  overlappedFloor,
  physicalFloor,
  swdAccessUs,
  usbPayloadUs,
  usbTiming,
} from '../src/timing.js';

test('USB figures: 1 ms / 0.125 ms per round trip, 1 MB/s / 30 MB/s payload', (t) => {
  t.is(usbTiming['full-speed'].roundTripUs, 1000);
  t.is(usbTiming['high-speed'].roundTripUs, 125);
  t.is(usbPayloadUs(1_000_000, 'full-speed'), 1_000_000);
  t.is(usbPayloadUs(30_000_000, 'high-speed'), 1_000_000);
});

test('SWD costs 46 clocks per access at the set speed', (t) => {
  t.is(swdAccessUs(1, 1000), 46);
  t.is(swdAccessUs(1000, 4000), 11_500);
  t.throws(() => swdAccessUs(1, 0), { instanceOf: RangeError });
});

test('every family has a cited timing entry with program and erase units', (t) => {
  for (const [family, timing] of Object.entries(flashTimings)) {
    t.true(timing.source.length > 10, family);
    t.true(timing.programUnits.length > 0, family);
    t.true(timing.eraseUnits.length > 0, family);
  }
  t.is(flashTimings.f1.programUnits[0]?.us, 52.5);
  t.is(flashTimings.h7.programUnits[0]?.bytes, 32);
});

test('best program unit prefers the L1 half-page over the word', (t) => {
  t.is(bestProgramUnit(flashTimings.l1).bytes, 128);
  t.is(bestProgramUnit(flashTimings.f1).bytes, 2);
});

test('erase time looks up the unit size, else the next larger unit', (t) => {
  t.is(eraseUnitMs(flashTimings.f4, 16 * 1024), 250);
  t.is(eraseUnitMs(flashTimings.f4, 128 * 1024), 1000);
  t.is(eraseUnitMs(flashTimings.f4, 20 * 1024), 400);
  t.is(eraseUnitMs(flashTimings.f4, 1024 * 1024), 2000);
});

test('physical floor adds erase, best-unit programming and payload transfer', (t) => {
  // 4 KiB on an F103: 4 pages x 30 ms, 2048 half-words x 52.5 µs, 4096 B at 1 MB/s.
  const floor = physicalFloor({
    timing: flashTimings.f1,
    imageBytes: 4096,
    erasedUnitBytes: [1024, 1024, 1024, 1024],
    usb: 'full-speed',
  });
  t.is(floor.eraseMs, 120);
  t.is(floor.programMs, 107.52);
  t.is(floor.usbTransferMs, 4.096);
  t.is(floor.swdTransferMs, 0);
  t.is(floor.totalMs, 120 + 107.52 + 4.096);
  const withSwd = physicalFloor({
    timing: flashTimings.l1,
    imageBytes: 200,
    erasedUnitBytes: [256],
    usb: 'high-speed',
    swdSpeedKhz: 4000,
  });
  // 200 bytes = 2 half-pages (rounded up) of 3.28 ms; 50 words of SWD at 11.5 µs.
  t.is(withSwd.programMs, 6.56);
  t.is(withSwd.swdTransferMs, 0.575);
});

test('overlapped floor: erase, then the slower of programming and USB + SWD transfer', (t) => {
  // 128 KiB on an F411 behind a V2: 32768 words x 16 µs = 524.288 ms of programming;
  // 131.072 ms of USB payload at 1 MB/s plus 32768 words x 11.5 µs = 376.832 ms of SWD.
  const f4 = {
    timing: flashTimings.f4,
    imageBytes: 128 * 1024,
    erasedUnitBytes: [16384, 16384, 16384, 16384, 65536],
    usb: 'full-speed',
    swdSpeedKhz: 4000,
  } as const;
  const slowFlash = overlappedFloor(f4);
  t.is(slowFlash.eraseMs, 4 * 250 + 550);
  t.is(slowFlash.programMs, 524.288);
  t.is(slowFlash.transferMs, 131.072 + 376.832);
  t.is(slowFlash.totalMs, 1550 + 524.288);
  // At 1 MHz SWD the transfer (131.072 + 1507.328 ms) is the slower side.
  const slowLink = overlappedFloor({ ...f4, swdSpeedKhz: 1000 });
  t.is(slowLink.totalMs, 1550 + 131.072 + 1507.328);
  // Never above the host-driven floor, which adds all three.
  const turns = physicalFloor(f4);
  t.true(slowFlash.totalMs < turns.totalMs);
  t.is(turns.totalMs - slowFlash.totalMs, slowFlash.transferMs);
});
