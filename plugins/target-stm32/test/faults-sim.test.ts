import test from 'ava';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

test('a flash error flag while programming names the chunk and the flag', async (t) => {
  for (const [part, flag] of [
    ['STM32F103RB', /PGERR/],
    ['STM32F411RE', /PGSERR/],
    ['STM32L476RG', /PROGERR/],
  ] as const) {
    const rig = await simRig({
      device: part,
      faults: [{ kind: 'flash-error', address: 0x08000800 }],
    });
    try {
      const device = await rig.identify();
      const sector = device.flash[0]!.sectors.find((s) => s.end > 0x08000800)!;
      // Erasing the faulty sector already fails on families that flag erase errors too.
      await device.erase([sector], noProgress).catch(() => undefined);
      const error = await t.throwsAsync(
        device.program(imageAt(0x08000000, pattern(4096, 1)), noProgress),
      );
      t.regex(error?.message ?? '', flag, part);
      t.true(
        ['FLASH_PROGRAM_FAILED', 'FLASH_ERASE_FAILED'].includes(
          (error as { code?: string }).code ?? '',
        ),
        part,
      );
      const range = (error as { details?: { range?: { start: number; end: number } } }).details
        ?.range;
      t.truthy(range, `${part}: the failed range is in the details`);
      t.true(
        range!.start <= 0x08000800 && range!.end > 0x08000800,
        `${part}: the range holds the fault`,
      );
    } finally {
      await rig.close();
    }
  }
});

test('write protection set through the option bytes refuses erase with WRITE_PROTECTED (exit 6)', async (t) => {
  const rig = await simRig({ device: 'STM32L476RG' });
  try {
    const device = await rig.identify();
    // Protect pages 0..1 of bank 1.
    await device.writeOptionBytes({ WRP1A_STRT: 0, WRP1A_END: 1 });
    const state = await device.protection();
    t.deepEqual(state.writeProtected, [{ start: 0x08000000, end: 0x08001000 }]);
    const error = await t.throwsAsync(
      device.erase([{ start: 0x08000000, end: 0x08000800 }], noProgress),
    );
    t.is((error as { code?: string }).code, 'WRITE_PROTECTED');
    // Clearing it (start above end) makes the page erasable again.
    await device.writeOptionBytes({ WRP1A_STRT: 0xff, WRP1A_END: 0 });
    t.deepEqual((await device.protection()).writeProtected, []);
    await t.notThrowsAsync(device.erase([{ start: 0x08000000, end: 0x08000800 }], noProgress));
  } finally {
    await rig.close();
  }
});

test('F4 write protection shows as sector ranges', async (t) => {
  const rig = await simRig({ device: 'STM32F411RE' });
  try {
    const device = await rig.identify();
    const before = await device.readOptionBytes();
    // nWRP bit 1 = 0: sector 1 protected.
    await device.writeOptionBytes({ nWRP: (before.nWRP ?? 0xfff) & ~0b10 });
    t.deepEqual((await device.protection()).writeProtected, [
      { start: 0x08004000, end: 0x08008000 },
    ]);
    const error = await t.throwsAsync(
      device.erase([{ start: 0x08004000, end: 0x08008000 }], noProgress),
    );
    t.is((error as { code?: string }).code, 'WRITE_PROTECTED');
  } finally {
    await rig.close();
  }
});
