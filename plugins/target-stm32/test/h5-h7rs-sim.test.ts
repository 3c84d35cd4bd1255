// STM32H5 and H7R/S on virtual hardware with TrustZone disabled: the host algorithm drives
// the simulator's flash interface (H5 NSKEYR/NSCR/NSSR with BKSEL, H7R/S KEYR/CR/SR/ISR), in
// each bank, with 128-bit flash words and 8 KiB sectors.
import test from 'ava';
import { bytesEqual, type AddressRange } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const parts: [number, string, number][] = [
  [0x474, 'STM32H503RB', 2],
  [0x478, 'STM32H533RE', 2],
  [0x484, 'STM32H563ZI', 2],
  [0x47a, 'STM32H5F5LJ', 2],
  [0x485, 'STM32H7S3L8', 1],
];

for (const [devId, part, bankCount] of parts) {
  test(`0x${devId.toString(16)} ${part}: a 4 KiB image in each bank is erased, written, verified and read back`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(String(device.facts.devId).toLowerCase(), `0x${devId.toString(16)}`);
      t.is(device.flash.length, bankCount);
      t.regex((await device.protection()).summary, /product state OPEN .*RDP level 0/);
      for (const [i, bank] of device.flash.entries()) {
        t.is(bank.sectors[0]!.end - bank.sectors[0]!.start, 8192, '8 KiB sectors');
        // The last 4 KiB of the bank: a sector number other than 0 in the bank.
        const data = pattern(4096, devId + i);
        const start = bank.end - data.length;
        const range: AddressRange = { start, end: bank.end };
        const sectors = bank.sectors.filter((s) => s.start < range.end && s.end > range.start);
        await device.erase(sectors, noProgress);
        await device.program(imageAt(range.start, data), noProgress);
        const back = await device.read(range.start, data.length, noProgress);
        t.true(bytesEqual(back, data), `bank ${i + 1} reads back the image`);
        // The sector before it stayed erased: the erase hit the sector and bank it named.
        const before = await device.read(start - 16, 16, noProgress);
        t.true(
          before.every((b) => b === 0xff),
          `bank ${i + 1}: the sector before is untouched`,
        );
      }
      if (bankCount === 2) {
        // Bank 1's image is still there after bank 2 was erased and written.
        const bank1 = device.flash[0]!;
        const back = await device.read(bank1.end - 4096, 4096, noProgress);
        t.true(bytesEqual(back, pattern(4096, devId)), 'bank 1 kept its image');
      }
    } finally {
      await rig.close();
    }
  });
}

test('H5 and H7R/S: programming a flash word that was not erased breaks its ECC: reading it back fails', async (t) => {
  for (const part of ['STM32H563ZI', 'STM32H7S3L8']) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      const base = 0x08000000;
      await device.erase([{ start: base, end: base + 8192 }], noProgress);
      await device.program(imageAt(base, pattern(64, 3)), noProgress);
      // No status flag says so (the interface has none for it) ...
      await device.program(imageAt(base, pattern(64, 4)), noProgress);
      // ... but the words no longer read: a double ECC error, a bus fault for the debugger.
      await t.throwsAsync(device.read(base, 16, noProgress), undefined, part);
      // An erase clears it.
      await device.erase([{ start: base, end: base + 8192 }], noProgress);
      await device.program(imageAt(base, pattern(64, 4)), noProgress);
      t.true(bytesEqual(await device.read(base, 64, noProgress), pattern(64, 4)), part);
    } finally {
      await rig.close();
    }
  }
});

test('H5 and H7R/S: a controller locked until reset by a wrong key is FLASH_LOCKED (exit 7)', async (t) => {
  for (const [part, keyr] of [
    ['STM32H503RB', 0x40022004],
    ['STM32H7S3L8', 0x52002004],
  ] as const) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      // A wrong key: the silicon answers with a bus error and keeps the controller locked.
      await rig.probe.memory.write32(keyr, 0x12345678).catch(() => undefined);
      const error = await t.throwsAsync(
        device.erase([{ start: 0x08000000, end: 0x08002000 }], noProgress),
      );
      t.is((error as { code?: string }).code, 'FLASH_LOCKED', part);
      t.is((error as { exitCode?: number }).exitCode, 7, part);
    } finally {
      await rig.close();
    }
  }
});

test('H5 product state CLOSED reads as read protection level 1, and the flash stays closed', async (t) => {
  const rig = await simRig({ device: 'STM32H563ZI', rdp: 1 });
  try {
    const device = await rig.identify();
    const state = await device.protection();
    t.is(state.readLevel, 1);
    t.regex(state.summary, /product state CLOSED \(0x72\), read protection as RDP level 1/);
    await t.throwsAsync(device.read(0x08000000, 16, noProgress));
    const error = await t.throwsAsync(
      device.erase([{ start: 0x08000000, end: 0x08002000 }], noProgress),
    );
    t.regex(error?.message ?? '', /WRPERR/);
  } finally {
    await rig.close();
  }
});

test('H5 and H7R/S: removing read protection is refused: nothing changes the product state', async (t) => {
  for (const part of ['STM32H563ZI', 'STM32H7S3L8']) {
    const rig = await simRig({ device: part, rdp: 1 });
    try {
      const device = await rig.identify();
      const error = await t.throwsAsync(device.unprotect(() => undefined));
      t.is((error as { code?: string }).code, 'COMMAND_UNAVAILABLE', part);
      t.is((await device.protection()).readLevel, 1, `${part}: still closed`);
    } finally {
      await rig.close();
    }
  }
});

/** Loads H5/H7R/S option state (product state register, WRP registers) as a power-on would. */
function loadOptions(rig: Awaited<ReturnType<typeof simRig>>, state: number, wrp: number[]) {
  const chip = rig.session.board.chip;
  chip.loadState({ ...chip.saveState(), controller: { state, wrp } });
}

test('H563 with SWAP_BANK set: each bank is erased and written where its address says', async (t) => {
  const rig = await simRig({ device: 'STM32H563ZI' });
  try {
    loadOptions(rig, 0x8000ed00, [-1, -1]);
    const device = await rig.identify();
    const images = device.flash.map((bank, i) => ({
      start: bank.end - 8192,
      data: pattern(8192, i),
    }));
    for (const { start, data } of images) {
      await device.erase([{ start, end: start + data.length }], noProgress);
      await device.program(imageAt(start, data), noProgress);
    }
    for (const { start, data } of images) {
      t.true(bytesEqual(await device.read(start, data.length, noProgress), data));
    }
  } finally {
    await rig.close();
  }
});

test('H5 and H7R/S write protection (WRPxR, WRPSR) is a refusal naming the protected sectors (exit 6)', async (t) => {
  for (const [part, wrp, protectedText, protectedSectors] of [
    // One WRPSG bit per four sectors on the 128-sector banks of the H563.
    ['STM32H563ZI', [0xfffffffe, -1], '0x08000000..0x08001FFF', 4],
    ['STM32H503RB', [-1, 0xfffffffd], '0x08012000..0x08013FFF', 1],
    ['STM32H7S3L8', [0xfe], '0x08000000..0x08001FFF', 1],
  ] as const) {
    const rig = await simRig({ device: part });
    try {
      loadOptions(rig, part === 'STM32H7S3L8' ? 0xb4 : 0xed00, [...wrp]);
      const device = await rig.identify();
      t.is((await device.protection()).writeProtected.length, protectedSectors, part);
      const sector = device.flash
        .flatMap((b) => b.sectors)
        .find((s) =>
          protectedText.startsWith(`0x${s.start.toString(16).toUpperCase().padStart(8, '0')}`),
        )!;
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

test('H5 and H7R/S: a mass erase clears every bank through BER (BKSEL per bank on H5)', async (t) => {
  for (const part of ['STM32H503RB', 'STM32H7S3L8']) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      for (const bank of device.flash) {
        await device.program(imageAt(bank.start, pattern(32, 7)), noProgress);
      }
      await device.erase('mass', noProgress);
      for (const bank of device.flash) {
        const back = await device.read(bank.start, 32, noProgress);
        t.true(
          back.every((b) => b === 0xff),
          `${part}: bank at 0x${bank.start.toString(16)} erased`,
        );
      }
    } finally {
      await rig.close();
    }
  }
});
