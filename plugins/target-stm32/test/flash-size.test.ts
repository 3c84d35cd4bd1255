import test from 'ava';
import { findStm32Device } from '@flashwright/stm32-devices';
import { resolveFlashSize } from '../src/identify/flash-size.js';

const device = (id: number) => {
  const d = findStm32Device(id);
  if (!d) throw new Error(`no 0x${id.toString(16)}`);
  return d;
};

test('0x429 reading 0x6B80 is 128 KiB, with the raw value and the quirk in a note', (t) => {
  const size = resolveFlashSize(device(0x429), 0x6b80);
  t.is(size.kib, 128);
  t.is(size.source, 'register');
  t.is(size.raw, 0x6b80);
  t.regex(size.notes.join('\n'), /0x6B80.*0x00FF.*128 KiB/);
});

test('a plain register value needs no note and keeps no raw value', (t) => {
  const size = resolveFlashSize(device(0x410), 0x0080);
  t.deepEqual(size, { kib: 128, source: 'register', notes: [] });
});

test('0x436 codes: 0 is 384 KiB, 1 is 256 KiB', (t) => {
  t.is(resolveFlashSize(device(0x436), 0).kib, 384);
  const cat3 = resolveFlashSize(device(0x436), 1);
  t.is(cat3.kib, 256);
  t.is(cat3.raw, 1);
  t.regex(cat3.notes[0] ?? '', /code/);
});

test('early L1 Cat.1 silicon reading 0 is taken as 128 KiB', (t) => {
  const size = resolveFlashSize(device(0x416), 0);
  t.is(size.kib, 128);
  t.regex(size.notes[0] ?? '', /early silicon/);
});

test('values above the line maximum are capped with a warning', (t) => {
  // An F103 (0x410, max 128 KiB) whose register claims 512 KiB.
  const size = resolveFlashSize(device(0x410), 0x0200);
  t.is(size.kib, 128);
  t.is(size.source, 'database');
  t.is(size.raw, 0x0200);
  t.regex(size.notes[0] ?? '', /more than the 128 KiB/);
});

test('an unreadable or blank register falls back to the maximum and says how to override', (t) => {
  const unreadable = resolveFlashSize(device(0x431), undefined);
  t.is(unreadable.kib, 512);
  t.regex(unreadable.notes[0] ?? '', /could not be read.*target\.flashSize/);
  const blank = resolveFlashSize(device(0x450), 0xffff);
  t.is(blank.kib, 2048);
  t.is(blank.raw, 0xffff);
});

test('target.flashSize overrides the register, and must be whole KiB', (t) => {
  const size = resolveFlashSize(device(0x410), 0x0040, 128 * 1024);
  t.is(size.kib, 128);
  t.is(size.source, 'override');
  t.regex(size.notes[0] ?? '', /reads 0x0040/);
  const error = t.throws(() => resolveFlashSize(device(0x410), 0x40, 1000));
  t.is((error as { code?: string }).code, 'RECIPE_INVALID');
});
