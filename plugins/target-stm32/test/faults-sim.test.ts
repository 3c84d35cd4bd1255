import test from 'ava';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

test('a flash error flag while programming names the chunk and the flag', async (t) => {
  for (const [part, flag] of [
    ['STM32F103RB', /PGERR \(programming error/],
    ['STM32F411RE', /PGSERR \(sequence error/],
    ['STM32L476RG', /OPERR \(operation error/],
    // The L0/L1 model raises WRPERR for an injected error; no WRP covers the page.
    ['STM32L151CBxxA', /WRPERR \(write protection error.*the option bytes do not write-protect it/],
    ['STM32H743ZI', /OPERR \(operation error/],
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
      t.is((error as { exitCode?: number }).exitCode, 7, part);
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

test('an injected flash error on an STM32L151 is a flash failure during erase and during programming, not protection', async (t) => {
  const rig = await simRig({
    device: 'STM32L151CBxxA',
    faults: [{ kind: 'flash-error', address: 0x08000100 }],
  });
  try {
    const device = await rig.identify();
    const erase = await t.throwsAsync(
      device.erase([{ start: 0x08000000, end: 0x08000200 }], noProgress),
    );
    t.like(erase, { code: 'FLASH_ERASE_FAILED', exitCode: 7 });
    t.regex(
      erase?.message ?? '',
      /^Erase failed at 0x08000000\.\.0x080001FF: WRPERR \(write protection error/,
    );
    t.regex(erase?.message ?? '', /the option bytes do not write-protect it$/);
    // The chip arrives erased, so programming needs no erase: it hits the faulty page too.
    const program = await t.throwsAsync(
      device.program(imageAt(0x08000100, pattern(256, 3)), noProgress),
    );
    t.like(program, { code: 'FLASH_PROGRAM_FAILED', exitCode: 7 });
    t.regex(program?.message ?? '', /0x08000100\.\.0x080001FF: WRPERR \(write protection error/);
    t.regex((program as { hint?: string } | undefined)?.hint ?? '', /This is not write protection/);
  } finally {
    await rig.close();
  }
});

test('write protection from the option bytes stays a refusal naming the protected range (F103, L151, H743)', async (t) => {
  for (const [part, values, protectedText] of [
    ['STM32F103RB', { WRP0: 0xfe }, '0x08000000..0x08000FFF'],
    ['STM32L151CBxxA', { WRP01: 1 }, '0x08000000..0x08000FFF'],
    ['STM32H743ZI', { WPSN1: 0xfe }, '0x08000000..0x0801FFFF'],
  ] as const) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      await device.writeOptionBytes(values);
      const sector = device.flash[0]!.sectors[0]!;
      const error = await t.throwsAsync(device.erase([sector], noProgress));
      t.like(error, { code: 'WRITE_PROTECTED', exitCode: 6 }, part);
      t.true(
        error?.message.endsWith(`the option bytes write-protect ${protectedText}`),
        `${part}: ${error?.message}`,
      );
    } finally {
      await rig.close();
    }
  }
});
