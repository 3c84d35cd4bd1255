/**
 * USB-level faults injected by the sim (timeout, stall, disconnect) at every stage: each
 * gives a clear catalogue error with exit code 4 (probe error), nothing hangs, and the link
 * recovers where the device does.
 */
import test, { type ExecutionContext } from 'ava';
import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import { SRAM_BASE } from '@flashwright/sim';
import { StLinkProbe } from '../src/driver/stlink-probe.js';
import { connected, pattern, rig, session, TEST_TIMEOUT_MS } from './helpers/virtual.js';

/** Time limit per failing operation: the transfer timeout plus margin, never a hang. */
const BOUND_MS = TEST_TIMEOUT_MS * 10;

async function failsWith(
  t: ExecutionContext,
  work: Promise<unknown>,
  code: ErrorCode,
): Promise<FlashwrightError | undefined> {
  const started = Date.now();
  const error = await t.throwsAsync(work, { instanceOf: FlashwrightError });
  t.is(error?.code, code);
  t.is(error?.exitCode, 4);
  t.truthy(error?.hint, 'has a hint');
  t.true(Date.now() - started < BOUND_MS, `failed within ${BOUND_MS} ms`);
  return error;
}

/** USB transfers one connected session uses up to and including connect(). */
async function transfersAfterConnect(): Promise<number> {
  const r = await connected();
  const n = r.session.stats().usbTransfers;
  await r.close();
  return n;
}

test('a USB timeout during a write: PROBE_TIMEOUT; the next transfer works again', async (t) => {
  const base = await transfersAfterConnect();
  const r = await connected({ faults: [{ kind: 'usb-timeout', atTransfer: base + 2 }] });
  t.teardown(() => r.close());
  const data = pattern(4096);
  const error = await failsWith(t, r.probe.memory.write(SRAM_BASE, data), 'PROBE_TIMEOUT');
  t.regex(error?.message ?? '', /WRITEMEM_32BIT data OUT/);
  await r.probe.memory.write(SRAM_BASE, data);
  t.deepEqual(await r.probe.memory.read(SRAM_BASE, data.length), data);
});

test('a USB timeout on a reply (IN): PROBE_TIMEOUT; the late state is resynchronised', async (t) => {
  const base = await transfersAfterConnect();
  // base+1: the READMEM block, base+2: its data IN, which is lost.
  const r = await connected({ faults: [{ kind: 'usb-timeout', atTransfer: base + 2 }] });
  t.teardown(() => r.close());
  const error = await failsWith(t, r.probe.memory.read(SRAM_BASE, 64), 'PROBE_TIMEOUT');
  t.regex(error?.message ?? '', /READMEM_32BIT reply/);
  await r.probe.memory.write32(SRAM_BASE, 0xcafef00d);
  t.is(await r.probe.memory.read32(SRAM_BASE), 0xcafef00d);
  t.is(r.session.device.queuedInBytes, 0);
});

test('a USB stall: PROBE_USB_ERROR; the halt is cleared and the probe keeps working', async (t) => {
  const base = await transfersAfterConnect();
  const r = await connected({ faults: [{ kind: 'usb-stall', atTransfer: base + 3 }] });
  t.teardown(() => r.close());
  const data = pattern(2048, 9);
  const error = await failsWith(t, r.probe.memory.write(SRAM_BASE, data), 'PROBE_USB_ERROR');
  t.regex(error?.message ?? '', /stalled/);
  await r.probe.memory.write(SRAM_BASE, data);
  t.deepEqual(await r.probe.memory.read(SRAM_BASE, data.length), data);
});

test('a disconnect mid-write: PROBE_DISCONNECTED, and every later call fails fast the same way', async (t) => {
  const base = await transfersAfterConnect();
  const r = await connected({ faults: [{ kind: 'disconnect', atTransfer: base + 5 }] });
  t.teardown(() => r.close());
  const error = await failsWith(
    t,
    r.probe.memory.write(SRAM_BASE, pattern(16384)),
    'PROBE_DISCONNECTED',
  );
  t.regex(error?.hint ?? '', /Reconnect/);
  await failsWith(t, r.probe.memory.read32(SRAM_BASE), 'PROBE_DISCONNECTED');
  await failsWith(t, r.probe.reset('software'), 'PROBE_DISCONNECTED');
  await r.probe.close(); // closing a vanished probe does not throw
  t.pass();
});

test('faults during the open sequence: every transfer index fails cleanly or opens', async (t) => {
  // Walk the fault over each transfer of open + connect; no case may hang or crash.
  const total = await transfersAfterConnect();
  for (const kind of ['usb-timeout', 'usb-stall', 'disconnect'] as const) {
    for (let n = 1; n <= total; n++) {
      const s = session({ faults: [{ kind, atTransfer: n }] });
      const started = Date.now();
      try {
        const probe = await StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS });
        try {
          await probe.connect();
        } finally {
          await probe.close();
        }
      } catch (error) {
        t.true(error instanceof FlashwrightError, `${kind}@${n}: ${String(error)}`);
        if (error instanceof FlashwrightError) {
          t.true([4, 5].includes(error.exitCode), `${kind}@${n}: ${error.code}`);
        }
      }
      t.true(Date.now() - started < BOUND_MS * 4, `${kind}@${n} bounded`);
      await s.close();
    }
  }
});

test('an aborted signal stops an operation promptly with the abort reason', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.probe.connect();
  const controller = new AbortController();
  controller.abort(new DOMException('stop', 'AbortError'));
  const error = await t.throwsAsync(
    r.probe.memory.read(SRAM_BASE, 4096, { signal: controller.signal }),
    { any: true },
  );
  t.is((error as { name?: string } | undefined)?.name, 'AbortError');
});

test('an abort mid-transfer stops at the next command boundary and leaves the link usable', async (t) => {
  const r = await connected({ device: 'STM32F411RE' });
  t.teardown(() => r.close());
  const controller = new AbortController();
  const device = r.session.device;
  const original = device.transferOut.bind(device);
  let outs = 0;
  // Abort while the second command's data phase is on the wire.
  device.transferOut = (endpoint: number, data: Uint8Array) => {
    if (++outs === 4) controller.abort(new DOMException('Ctrl-C', 'AbortError'));
    return original(endpoint, data);
  };
  const error = await t.throwsAsync(
    r.probe.memory.write(SRAM_BASE, pattern(65536), { signal: controller.signal }),
    { any: true },
  );
  t.is((error as { name?: string } | undefined)?.name, 'AbortError');
  device.transferOut = original;
  // The interrupted command was completed, not torn: the link still works and the bytes of
  // the last command landed whole.
  await r.probe.memory.write32(SRAM_BASE, 0x5a5a5a5a);
  t.is(await r.probe.memory.read32(SRAM_BASE), 0x5a5a5a5a);
  t.deepEqual(
    await r.probe.memory.read(SRAM_BASE + 6144, 6144),
    pattern(65536).subarray(6144, 12288),
  );
});
