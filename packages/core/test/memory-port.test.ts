/**
 * The MemoryPort contract for a write the busy target cut short: a port attaches how far it
 * got (PartialWrite), and the caller reads it back for exactly the write it made.
 */
import test from 'ava';
import { partialWriteOf, withPartialWrite } from '../src/exports/plugin.js';
import { FlashwrightError } from '../src/index.js';

const busy = () =>
  new FlashwrightError('TARGET_NO_RESPONSE', 'the target kept answering WAIT', {
    hint: 'lower the speed',
    details: { status: 0x10 },
  });

test('a PartialWrite travels with the error and keeps its code, message, hint and details', (t) => {
  const partial = { address: 0x08000000, lengthBytes: 256, writtenBytes: 96, uncertainBytes: 0 };
  const error = withPartialWrite(busy(), partial);
  t.is(error.code, 'TARGET_NO_RESPONSE');
  t.is(error.message, 'the target kept answering WAIT');
  t.is(error.hint, 'lower the speed');
  t.is(error.details?.['status'], 0x10);
  t.deepEqual(partialWriteOf(error, 0x08000000, 256), partial);
});

test('it belongs to one write: another address or length, or a foreign error, has none', (t) => {
  const error = withPartialWrite(busy(), {
    address: 0x20000000,
    lengthBytes: 64,
    writtenBytes: 8,
    uncertainBytes: 56,
  });
  t.is(partialWriteOf(error, 0x20000004, 60), undefined);
  t.is(partialWriteOf(error, 0x20000000, 128), undefined);
  t.is(partialWriteOf(busy(), 0x20000000, 64), undefined, 'no progress said: unknown');
  t.is(partialWriteOf(new Error('boom'), 0x20000000, 64), undefined);
});

test('an inconsistent PartialWrite is ignored rather than trusted', (t) => {
  for (const [writtenBytes, uncertainBytes] of [
    [65, 0],
    [32, 33],
    [-1, 0],
    [1.5, 0],
  ] as const) {
    const error = new FlashwrightError('TARGET_NO_RESPONSE', 'busy', {
      details: {
        partialWrite: { address: 0x20000000, lengthBytes: 64, writtenBytes, uncertainBytes },
      },
    });
    t.is(partialWriteOf(error, 0x20000000, 64), undefined, `${writtenBytes} + ${uncertainBytes}`);
  }
});
