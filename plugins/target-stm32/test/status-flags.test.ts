import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { throwOnFlashError, type StatusFlag } from '../src/flash/status-flags.js';

// The L0/L1 FLASH_SR error flags (RM0038/RM0377).
const flags: readonly StatusFlag[] = [
  { name: 'WRPERR', mask: 1 << 8 },
  { name: 'PGAERR', mask: 1 << 9 },
  { name: 'SIZERR', mask: 1 << 10 },
  { name: 'NOTZEROERR', mask: 1 << 16 },
];
const WRPERR = 1 << 8;
const page = { start: 0x08001000, end: 0x08001100 };
const sector1 = { start: 0x08001000, end: 0x08002000 };

async function failure(
  ...args: Parameters<typeof throwOnFlashError>
): Promise<FlashwrightError | undefined> {
  try {
    await throwOnFlashError(...args);
  } catch (error) {
    if (error instanceof FlashwrightError) return error;
    throw error;
  }
  return undefined;
}

test('no error flag: nothing thrown, and protection is not read', async (t) => {
  let reads = 0;
  const reader = () => {
    reads++;
    return Promise.resolve([sector1]);
  };
  t.is(await failure(1 << 1, flags, 'erase', page, reader), undefined);
  t.is(
    await failure(1 << 9, flags, 'program', page, reader).then((e) => e?.code),
    'FLASH_PROGRAM_FAILED',
  );
  t.is(reads, 0, 'only a write-protection flag needs the protected ranges');
});

test('WRPERR on pages the option bytes protect: WRITE_PROTECTED (exit 6) naming the range', async (t) => {
  const error = await failure(WRPERR, flags, 'erase', page, () => Promise.resolve([sector1]));
  t.is(error?.code, 'WRITE_PROTECTED');
  t.is(error?.exitCode, 6);
  t.regex(error?.message ?? '', /the option bytes write-protect 0x08001000\.\.0x08001FFF$/);
  t.deepEqual(error?.details?.['writeProtected'], [sector1]);
});

test('WRPERR on pages the option bytes leave open: a flash failure (exit 7) naming the flag and its meaning', async (t) => {
  const other = { start: 0x08010000, end: 0x08011000 };
  const erase = await failure(WRPERR, flags, 'erase', page, () => Promise.resolve([other]));
  t.is(erase?.code, 'FLASH_ERASE_FAILED');
  t.is(erase?.exitCode, 7);
  t.regex(
    erase?.message ?? '',
    /^Erase failed at 0x08001000\.\.0x080010FF: WRPERR \(write protection error: the controller refused to erase or program there\) \(status 0x00000100\); the option bytes do not write-protect it$/,
  );
  t.regex(erase?.hint ?? '', /This is not write protection/);
  const program = await failure(WRPERR, flags, 'program', page, () => Promise.resolve([]));
  t.is(program?.code, 'FLASH_PROGRAM_FAILED');
  t.regex(program?.hint ?? '', /This is not write protection/);
});

test('WRPERR where the option bytes cannot be read: a flash failure that says so', async (t) => {
  const error = await failure(WRPERR, flags, 'erase', page, () =>
    Promise.reject(new Error('link lost')),
  );
  t.is(error?.code, 'FLASH_ERASE_FAILED');
  t.regex(error?.message ?? '', /whether the option bytes protect it could not be read$/);
});

test('WRPERR while writing option bytes is an option-byte failure, not page protection', async (t) => {
  const error = await failure(WRPERR, flags, 'option-bytes', undefined, () =>
    Promise.resolve([sector1]),
  );
  t.is(error?.code, 'FLASH_OPTION_BYTES_FAILED');
  t.regex(error?.message ?? '', /WRPERR \(write protection error/);
});

test('each flag is named with its meaning; the hint follows the kind of flag', async (t) => {
  const notErased = await failure(1 << 16, flags, 'program', page);
  t.regex(
    notErased?.message ?? '',
    /NOTZEROERR \(the word was not erased \(zero\) before programming\)/,
  );
  t.regex(notErased?.hint ?? '', /erase: auto/);
  const request = await failure((1 << 9) | (1 << 10), flags, 'program', page);
  t.regex(request?.message ?? '', /PGAERR \(alignment error: .*\), SIZERR \(size error: /);
  t.regex(request?.hint ?? '', /bug in flashwright/);
});
