import test from 'ava';
import { STLINK_MODELS, stLinkModel, type StLinkLine } from '../src/protocol/probe-ids.js';
import { decodeSerial } from '../src/usb/serial.js';
import { udevHint, udevRule } from '../src/usb/udev.js';
import { usbError } from '../src/usb/usb-errors.js';

test('every ST-Link PID of OpenOCD, pyOCD and probe-rs is known, with the endpoints of the lsusb dumps', (t) => {
  const expected: [number, StLinkLine, number, 64 | 512][] = [
    [0x3744, 'V1', 2, 64],
    [0x3748, 'V2', 2, 64],
    [0x374a, 'V2-1', 1, 64],
    [0x374b, 'V2-1', 1, 64],
    [0x3752, 'V2-1', 1, 64],
    [0x3742, 'V2-1', 1, 64],
    [0x374d, 'V3', 1, 512],
    [0x374e, 'V3', 1, 512],
    [0x374f, 'V3', 1, 512],
    [0x3753, 'V3', 1, 512],
    [0x3754, 'V3', 1, 512],
    [0x3755, 'V3PWR', 1, 512],
    [0x3757, 'V3PWR', 1, 512],
  ];
  t.is(STLINK_MODELS.length, expected.length);
  for (const [pid, line, out, packet] of expected) {
    const model = stLinkModel(0x0483, pid);
    t.truthy(model, pid.toString(16));
    t.is(model?.line, line);
    t.is(model?.outEndpoint, out);
    t.is(model?.inEndpoint, 1);
    t.is(model?.packetBytes, packet);
  }
  t.true(stLinkModel(0x0483, 0x374d)?.loader);
  t.true(stLinkModel(0x0483, 0x3755)?.loader);
  t.is(stLinkModel(0x1234, 0x3748), undefined);
  t.is(stLinkModel(0x0483, 0x5740), undefined);
});

test('a 12-byte binary serial is hex-encoded to 24 characters (OpenOCD example)', (t) => {
  const raw = String.fromCharCode(
    0x57,
    0xff,
    0x72,
    0x06,
    0x72,
    0x65,
    0x57,
    0x57,
    0x42,
    0x13,
    0x20,
    0x67,
  );
  t.deepEqual(decodeSerial(raw), { serial: '57FF72067265575742132067', binary: true });
  t.deepEqual(decodeSerial('55FF6D066684564928211687'), {
    serial: '55FF6D066684564928211687',
    binary: false,
  });
  t.deepEqual(decodeSerial(null), { serial: undefined, binary: false });
  t.deepEqual(decodeSerial(''), { serial: undefined, binary: false });
});

test('the udev rule is least-privilege: uaccess per vendor:product, no MODE', (t) => {
  t.is(
    udevRule(0x3748),
    'SUBSYSTEM=="usb", ATTR{idVendor}=="0483", ATTR{idProduct}=="3748", TAG+="uaccess"',
  );
  const hint = udevHint(0x374b);
  t.regex(hint, /\/etc\/udev\/rules\.d\/70-/);
  t.regex(hint, /idProduct}=="374b"/);
  t.regex(hint, /udevadm control --reload-rules/);
  t.notRegex(hint, /MODE/);
});

test('USB failures become catalogue errors in ST-Link wording', (t) => {
  t.is(usbError(new Error('timed out'), 'GET_VERSION reply', 1000).code, 'PROBE_TIMEOUT');
  t.regex(usbError(new Error('timed out'), 'GET_VERSION reply', 1000).message, /ST-Link/);
  t.regex(usbError(new Error('busy'), 'x').hint ?? '', /CubeProgrammer/);
  const other = usbError(new Error('boom'), 'READMEM_32BIT data IN');
  t.is(other.code, 'PROBE_USB_ERROR');
  t.regex(other.message, /READMEM_32BIT data IN/);
});
