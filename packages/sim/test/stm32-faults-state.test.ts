import test from 'ava';
import { createStm32Chip } from '../src/stm32/index.js';
import { makeRig, type Rig } from './stm32-rig.js';

// Fault injection (flash-error, power-loss) and saved state, across the families.

function f103Unlocked(rig: Rig) {
  rig.write(0x40022004, 0x45670123);
  rig.write(0x40022004, 0xcdef89ab);
  rig.write(0x40022010, 1); // PG
}

test('flash-error on a page: programming it raises the family flag and changes nothing', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' }, [{ kind: 'flash-error', address: 0x08000410 }]);
  f103Unlocked(rig);
  rig.write(0x08000000, 0x1111, 2);
  rig.waitIdle(0x4002200c);
  rig.write(0x08000400, 0x2222, 2); // same 1 KiB page as the fault address
  const sr = rig.waitIdle(0x4002200c);
  t.is(sr & 0x4, 0x4, 'PGERR');
  t.is(rig.read(0x08000000, 2), 0x1111);
  t.is(rig.read(0x08000400, 2), 0xffff);
});

test('flash-error flags per family: F4 PGSERR, L1 WRPERR, L4 OPERR, H7 OPERR', (t) => {
  const f4 = makeRig({ device: 'STM32F411RE' }, [{ kind: 'flash-error', address: 0x08000000 }]);
  f4.write(0x40023c04, 0x45670123);
  f4.write(0x40023c04, 0xcdef89ab);
  f4.write(0x40023c10, 1 | (2 << 8));
  f4.write(0x08000100, 0x1234);
  t.is(f4.waitIdle(0x40023c0c, 1 << 16) & (1 << 7), 1 << 7);

  const l1 = makeRig({ device: 'STM32L151CBxxA' }, [{ kind: 'flash-error', address: 0x08000000 }]);
  l1.write(0x40023c0c, 0x89abcdef);
  l1.write(0x40023c0c, 0x02030405);
  l1.write(0x40023c10, 0x8c9daebf);
  l1.write(0x40023c10, 0x13141516);
  l1.write(0x08000004, 0x1234);
  t.is(l1.waitIdle(0x40023c18) & (1 << 8), 1 << 8);
  t.is(l1.read(0x08000004), 0);

  const l4 = makeRig({ device: 'STM32L476RG' }, [{ kind: 'flash-error', address: 0x08080000 }]);
  l4.write(0x40022008, 0x45670123);
  l4.write(0x40022008, 0xcdef89ab);
  l4.write(0x40022014, 1);
  l4.write(0x08080000, 1);
  l4.write(0x08080004, 2);
  t.is(l4.waitIdle(0x40022010, 1 << 16) & 0x3fa, 1 << 1, 'OPERR alone');

  const h7 = makeRig({ device: 'STM32H743ZI' }, [{ kind: 'flash-error', address: 0x08000000 }]);
  h7.write(0x52002004, 0x45670123);
  h7.write(0x52002004, 0xcdef89ab);
  h7.write(0x5200200c, 0x32);
  for (let i = 0; i < 8; i++) h7.write(0x08000000 + 4 * i, i);
  t.is(h7.waitIdle(0x52002010, 1 << 2) & (1 << 22), 1 << 22);
});

test('power loss: the chip keeps only the bytes programmed before the budget ran out', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' }, [{ kind: 'power-loss', afterFlashBytes: 5 }]);
  f103Unlocked(rig);
  rig.write(0x08000000, 0x1111, 2);
  rig.waitIdle(0x4002200c);
  rig.write(0x08000002, 0x2222, 2);
  rig.waitIdle(0x4002200c);
  t.false(rig.faults.powerLost);
  rig.write(0x08000004, 0x3333, 2); // only its first byte fits
  t.true(rig.faults.powerLost);
  t.is(rig.faults.flashBytesProgrammed, 5);
  const saved = rig.chip.saveState();
  const after = createStm32Chip({ device: 'STM32F103RB' });
  after.loadState(saved);
  const bytes = after.controller.flash.bytes.subarray(0, 8);
  t.deepEqual([...bytes], [0x11, 0x11, 0x22, 0x22, 0x33, 0xff, 0xff, 0xff]);
});

test('saved state is compact and restores flash, EEPROM and option bytes', (t) => {
  const rig = makeRig({ device: 'STM32L151CBxxA', uid: 'a1a2a3a4a5a6a7a8a9aaabac' });
  rig.write(0x40023c0c, 0x89abcdef);
  rig.write(0x40023c0c, 0x02030405);
  rig.write(0x40023c10, 0x8c9daebf);
  rig.write(0x40023c10, 0x13141516);
  rig.write(0x0801ff00, 0xcafebabe);
  rig.waitIdle(0x40023c18);
  rig.write(0x08080010, 0x77, 1);
  rig.waitIdle(0x40023c18);
  rig.write(0x40023c14, 0xfbead9c8);
  rig.write(0x40023c14, 0x24252627);
  rig.write(0x1ff80000, 0xffff0000); // RDP level 1 (applies at the next load)
  rig.waitIdle(0x40023c18);
  const text = JSON.stringify(rig.chip.saveState());
  t.true(text.length < 2000, `state is ${text.length} characters`);
  const restored = makeRig({ device: 'STM32L151CBxxA' });
  restored.chip.loadState(JSON.parse(text) as ReturnType<typeof rig.chip.saveState>);
  t.is(restored.chip.controller.rdpLevel(), 1, 'a restored chip powers up with its options');
  t.is(restored.read(0x1ff80000), 0xffff0000);
  t.is(restored.read(0x1ff80050), 0xa4a3a2a1, 'and its identity');
  t.is(restored.chip.controller.flash.read(0x0801ff00, 4), 0xcafebabe);
  const eeprom = restored.chip.saveState().controller['eeprom'] as { chunks: object };
  t.is(Object.keys(eeprom.chunks).length, 1);
});

test('loading state of another part is refused', (t) => {
  const f1 = createStm32Chip({ device: 'STM32F103RB' });
  const l1 = createStm32Chip({ device: 'STM32L151CBxxA' });
  t.throws(() => l1.loadState(f1.saveState()), { message: /not STM32L151CBxxA/ });
  const f103c8 = createStm32Chip({ device: 'STM32F103C8' });
  t.throws(() => f103c8.loadState(f1.saveState()), { message: /128 KiB/ });
});
