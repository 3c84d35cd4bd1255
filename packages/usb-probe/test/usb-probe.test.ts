import test from 'ava';
import { isFlashwrightError, type FlashwrightError } from '@flashwright/core';
import {
  chooseProbe,
  classifyUsbFailure,
  getU16,
  getU32,
  GUARD_MARGIN_MS,
  guardTransfer,
  hex,
  hidrawRule,
  putU16,
  putU32,
  serialMatches,
  udevHint,
  usbErrorsFor,
  usbfsRule,
} from '../src/index.js';

const usbError = usbErrorsFor({ probe: 'Test probe', holders: 'the other tool' });

test('USB failures are classified from libusb, nusb, hidapi and WebUSB messages', (t) => {
  t.is(classifyUsbFailure(new Error('LIBUSB_ERROR_TIMEOUT')), 'timeout');
  t.is(classifyUsbFailure(new Error('transfer timed out')), 'timeout');
  // The messages node `usb` 3.1 (node-usb-rs over nusb) produces, from its webusb_device.rs.
  t.is(classifyUsbFailure(new Error('transferIn error: Cancelled')), 'timeout');
  t.is(classifyUsbFailure(new Error('transferOut error: Stall')), 'stall');
  t.is(classifyUsbFailure(new Error('transferIn error: Disconnected')), 'disconnected');
  t.is(classifyUsbFailure(new Error('open error: Permission denied (os error 13)')), 'access');
  t.is(
    classifyUsbFailure(new Error('claimInterface error: Device or resource busy (os error 16)')),
    'busy',
  );
  t.is(classifyUsbFailure(new Error('transferIn error: Fault')), 'other');
  t.is(classifyUsbFailure(new Error('endpoint stalled')), 'stall');
  t.is(classifyUsbFailure(new Error('device disconnected')), 'disconnected');
  t.is(
    classifyUsbFailure(Object.assign(new Error('x'), { name: 'NotFoundError' })),
    'disconnected',
  );
  // node-hid (hidapi) wording for an unplugged or unopenable v1 probe.
  t.is(classifyUsbFailure(new Error('could not read from HID device')), 'disconnected');
  t.is(classifyUsbFailure(new Error('cannot open device with path /dev/hidraw0')), 'access');
  t.is(classifyUsbFailure(new Error('interface is busy')), 'busy');
  t.is(classifyUsbFailure(new Error('boom')), 'other');
});

test("each failure maps to its catalogue code and exit code, in the transport's wording", (t) => {
  const timeout = usbError(new Error('timed out'), 'GET_VERSION reply', 1000);
  t.is(timeout.code, 'PROBE_TIMEOUT');
  t.is(timeout.message, 'Test probe did not answer GET_VERSION reply within 1000 ms');
  t.is(usbError(new Error('stall'), 'x').code, 'PROBE_USB_ERROR');
  t.is(usbError(new Error('device disconnected'), 'x').message, 'Test probe disconnected during x');
  const denied = usbError(new Error('EACCES'), 'x');
  t.is(denied.code, 'PROBE_ACCESS_DENIED');
  t.regex(denied.hint ?? '', /flashwright probes/);
  t.is(usbError(new Error('LIBUSB_ERROR_BUSY'), 'x').hint, 'Close the other tool, then try again.');
  const other = usbError(new Error('boom'), 'READMEM_32BIT data IN');
  t.is(other.code, 'PROBE_USB_ERROR');
  t.is(other.exitCode, 4);
  t.regex(other.message, /READMEM_32BIT data IN: boom/);
  // A catalogue error passes through unchanged.
  t.is(usbError(other, 'y'), other);
});

function fakeDevice(clearHalt: () => Promise<void>): USBDevice {
  return { clearHalt } as unknown as USBDevice;
}

test('guardTransfer: our timer fires when the device ignores its timeout, and the link hears of it', async (t) => {
  const abandoned: FlashwrightError[] = [];
  const failed: FlashwrightError[] = [];
  const error = await t.throwsAsync(
    guardTransfer(new Promise<never>(() => undefined), {
      what: 'reading a reply',
      timeoutMs: 5,
      usbError,
      device: fakeDevice(() => Promise.resolve()),
      inEndpoint: 1,
      onAbandoned: (e) => abandoned.push(e),
      fail: (e) => (failed.push(e), e),
    }),
  );
  t.true(isFlashwrightError(error));
  t.is((error as FlashwrightError).code, 'PROBE_TIMEOUT');
  t.is(abandoned.length, 1);
  t.deepEqual(failed, abandoned);
});

test('guardTransfer: a reply that arrived while the event loop was blocked past the timeout is taken, not a timeout', async (t) => {
  const abandoned: FlashwrightError[] = [];
  const guard = {
    what: 'READDEBUGREG command',
    timeoutMs: 5,
    usbError,
    device: fakeDevice(() => Promise.resolve()),
    inEndpoint: 1,
    onAbandoned: (e: FlashwrightError) => abandoned.push(e),
    fail: (e: FlashwrightError) => e,
  };
  // Started from the check phase: the reply (an I/O completion, delivered after the timers
  // phase of the next turn) is queued before our timer expires, and then the host keeps the
  // loop busy past the timer's deadline, so both are due when the loop turns.
  const result = await new Promise<number>((resolve, reject) => {
    setImmediate(() => {
      const reply = new Promise<number>((done) => setImmediate(() => done(42)));
      guardTransfer(reply, guard).then(resolve, reject);
      const busyUntil = performance.now() + guard.timeoutMs + GUARD_MARGIN_MS + 50;
      while (performance.now() < busyUntil) {
        // a long synchronous stretch of the host (another board's work, a loaded machine)
      }
    });
  });
  t.is(result, 42);
  t.deepEqual(abandoned, [], 'the link is not marked broken');
});

test('guardTransfer: a generic failure of an unplugged device becomes PROBE_DISCONNECTED', async (t) => {
  const base = {
    what: 'sending a command',
    timeoutMs: 1000,
    usbError,
    inEndpoint: 1,
    fail: (e: FlashwrightError) => e,
  };
  const gone = await t.throwsAsync(
    guardTransfer(Promise.reject(new Error('NetworkError')), {
      ...base,
      device: fakeDevice(() => Promise.reject(new Error('LIBUSB_ERROR_NO_DEVICE'))),
    }),
  );
  t.is((gone as FlashwrightError).code, 'PROBE_DISCONNECTED');
  const present = await t.throwsAsync(
    guardTransfer(Promise.reject(new Error('NetworkError')), {
      ...base,
      device: fakeDevice(() => Promise.resolve()),
    }),
  );
  t.is((present as FlashwrightError).code, 'PROBE_USB_ERROR');
  t.is(
    await guardTransfer(Promise.resolve(42), {
      ...base,
      device: fakeDevice(() => Promise.resolve()),
    }),
    42,
  );
});

const probes: readonly { serial: string | undefined }[] = [
  { serial: '55FF6D066684564928211687' },
  { serial: '55AA494849887767052840' },
  { serial: undefined },
];
const nouns = { one: 'test probe', many: 'test probes' };
const label = (c: { serial: string | undefined }, i: number): string =>
  `#${i} ${c.serial ?? '(none)'}`;

test('chooseProbe: by serial prefix (any case), by index, or the only one', (t) => {
  t.true(serialMatches('55FF6D066684564928211687', '55ff6d'));
  t.false(serialMatches('55FF6D066684564928211687', '66'));
  t.false(serialMatches(undefined, '55'));
  t.is(chooseProbe(probes, { serial: '55aa' }, nouns, label).serial, '55AA494849887767052840');
  t.is(chooseProbe(probes, { index: 2 }, nouns, label).serial, undefined);
  t.is(chooseProbe(probes.slice(0, 1), {}, nouns, label).serial, '55FF6D066684564928211687');
});

test('chooseProbe: ambiguous and absent probes are named with what is connected', (t) => {
  const ambiguous = t.throws<FlashwrightError>(() => chooseProbe(probes, {}, nouns, label));
  t.is(ambiguous.code, 'PROBE_AMBIGUOUS');
  t.regex(ambiguous.message, /^3 test probes match \(no serial or index\):\n {2}#0 55FF/);
  const bySerial = t.throws<FlashwrightError>(() =>
    chooseProbe(probes, { serial: '55' }, nouns, label),
  );
  t.is(bySerial.code, 'PROBE_AMBIGUOUS');
  const missing = t.throws<FlashwrightError>(() =>
    chooseProbe(probes, { serial: 'ABC' }, nouns, label),
  );
  t.is(missing.code, 'PROBE_NOT_FOUND');
  t.regex(missing.message, /^No test probe with serial ABC\. Connected test probes:\n/);
  const none = t.throws<FlashwrightError>(() => chooseProbe([], {}, nouns, label));
  t.is(none.message, 'No test probe. No test probe is connected.');
  t.is(
    t.throws<FlashwrightError>(() => chooseProbe(probes, { index: 3 }, nouns, label)).code,
    'PROBE_NOT_FOUND',
  );
});

test('udev rules are least-privilege (uaccess per vendor:product, no MODE), one or two lines', (t) => {
  t.is(
    usbfsRule(0x0483, 0x3748),
    'SUBSYSTEM=="usb", ATTR{idVendor}=="0483", ATTR{idProduct}=="3748", TAG+="uaccess"',
  );
  t.is(
    hidrawRule(0x0d28, 0x0204),
    'KERNEL=="hidraw*", ATTRS{idVendor}=="0d28", ATTRS{idProduct}=="0204", TAG+="uaccess"',
  );
  const one = udevHint('/etc/udev/rules.d/70-x.rules', [usbfsRule(1, 2)]);
  t.regex(one, /^Add this line to \/etc\/udev\/rules\.d\/70-x\.rules:\n {2}SUBSYSTEM/);
  t.regex(one, /udevadm control --reload-rules/);
  t.notRegex(one, /MODE/);
  t.regex(
    udevHint('/f', [usbfsRule(1, 2), hidrawRule(1, 2)]),
    /^Add these lines to \/f:\n.*\n.*hidraw/,
  );
});

test('little-endian fields are written and read byte by byte', (t) => {
  const bytes = new Uint8Array(8);
  putU16(bytes, 0, 0x1234);
  putU32(bytes, 2, 0xdeadbeef);
  t.deepEqual([...bytes], [0x34, 0x12, 0xef, 0xbe, 0xad, 0xde, 0, 0]);
  t.is(getU16(bytes, 0), 0x1234);
  t.is(getU32(bytes.subarray(2), 0), 0xdeadbeef);
  t.is(hex(0x2a), '0x0000002a');
  t.is(hex(0x2a, 2), '0x2a');
  t.is(hex(-1), '0xffffffff');
});
