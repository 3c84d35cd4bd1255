/**
 * The transport: finding CMSIS-DAP interfaces on USB devices as pyOCD and probe-rs do,
 * listing with serials and DAP_Info, choosing by serial or index, the udev hint, and v1
 * through HID reports.
 */
import test from 'ava';
import type { FlashwrightError } from '@flashwright/core';
import { type ErrorCode } from '@flashwright/core';
import type { Logger } from '@flashwright/core/plugin';
import { createVirtualCmsisDapSession, type VirtualCmsisDap } from '@flashwright/sim';
import { createCmsisDapTransport, type UsbBackend } from '../src/transport.js';
import { findDapInterface } from '../src/usb/dap-interface.js';
import { HidPacketChannel, type HidReportDevice } from '../src/usb/hid-channel.js';
import { udevHint } from '../src/usb/udev.js';
import { CmsisDapProbe } from '../src/driver/cmsis-dap-probe.js';

const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

function virtual(probe: 'cmsis-dap-v1' | 'cmsis-dap-v2', serialNumber?: string): VirtualCmsisDap {
  return createVirtualCmsisDapSession({
    probe,
    device: 'STM32F103RB',
    ...(serialNumber === undefined ? {} : { serialNumber }),
  }).device;
}

function backend(devices: USBDevice[]): UsbBackend {
  return { getDevices: () => Promise.resolve(devices) };
}

function request(options: { serial?: string; index?: number } = {}) {
  return { ...options, options: {}, recipeDir: '.', log };
}

/** A WebUSB-shaped device with one interface, for descriptor matching. */
function fakeDevice(shape: {
  vendorId: number;
  productId: number;
  productName: string;
  interfaceClass: number;
  interfaceName: string | null;
  type: USBEndpointType;
  openError?: Error;
}): USBDevice {
  const alternate = {
    alternateSetting: 0,
    interfaceClass: shape.interfaceClass,
    interfaceSubclass: 0,
    interfaceProtocol: 0,
    interfaceName: shape.interfaceName,
    endpoints: [
      { endpointNumber: 1, direction: 'out', type: shape.type, packetSize: 64 },
      { endpointNumber: 1, direction: 'in', type: shape.type, packetSize: 64 },
    ],
  } as USBAlternateInterface;
  const configuration = {
    configurationValue: 1,
    configurationName: null,
    interfaces: [{ interfaceNumber: 0, alternate, alternates: [alternate], claimed: false }],
  } as unknown as USBConfiguration;
  return {
    vendorId: shape.vendorId,
    productId: shape.productId,
    productName: shape.productName,
    serialNumber: 'X1',
    configuration: null,
    configurations: [configuration],
    opened: false,
    open: () => Promise.reject(shape.openError ?? new Error('not simulated')),
    close: () => Promise.resolve(),
  } as unknown as USBDevice;
}

test('interfaces: v2 is the vendor interface named CMSIS-DAP with bulk endpoints', (t) => {
  const debugprobe = fakeDevice({
    vendorId: 0x2e8a,
    productId: 0x000c,
    productName: 'Debug Probe (CMSIS-DAP)',
    interfaceClass: 0xff,
    interfaceName: 'CMSIS-DAP v2 Interface',
    type: 'bulk',
  });
  t.like(findDapInterface(debugprobe), { version: 'v2', interfaceNumber: 0, outEndpoint: 1 });
  t.like(findDapInterface(virtual('cmsis-dap-v2')), { version: 'v2', packetBytes: 512 });
  t.like(findDapInterface(virtual('cmsis-dap-v1')), {
    version: 'v1',
    // The virtual DAPLink has the HID interface only, so it is interface 0 (USB 2.0 9.6.5).
    interfaceNumber: 0,
    inEndpoint: 4,
    outEndpoint: 4,
    packetBytes: 64,
  });
});

test('interfaces: a HID interface counts when the interface or product says CMSIS-DAP, or the VID:PID is known', (t) => {
  const jlink = fakeDevice({
    vendorId: 0x1366,
    productId: 0x1051,
    productName: 'J-Link',
    interfaceClass: 0x03,
    interfaceName: 'CMSIS-DAP',
    type: 'interrupt',
  });
  t.like(findDapInterface(jlink), { version: 'v1' });
  const keyboard = fakeDevice({
    vendorId: 0x046d,
    productId: 0xc31c,
    productName: 'USB Keyboard',
    interfaceClass: 0x03,
    interfaceName: null,
    type: 'interrupt',
  });
  t.is(findDapInterface(keyboard), undefined);
  const vendorNotDap = fakeDevice({
    vendorId: 0x0483,
    productId: 0x3748,
    productName: 'STM32 STLink',
    interfaceClass: 0xff,
    interfaceName: 'ST-Link Debug',
    type: 'bulk',
  });
  t.is(findDapInterface(vendorNotDap), undefined);
});

test('list: each probe with its serial, CMSIS-DAP version and DAP_Info firmware', async (t) => {
  const transport = createCmsisDapTransport(
    backend([virtual('cmsis-dap-v2', 'AAA1'), virtual('cmsis-dap-v1', 'BBB2')]),
  );
  const listed = await transport.list();
  t.is(listed.length, 2);
  t.like(listed[0], {
    transport: 'cmsis-dap',
    name: 'MCU-Link CMSIS-DAP',
    serial: 'AAA1',
    vendorId: 0x1fc9,
    productId: 0x0143,
    firmwareVersion: '2.1.1',
    usable: true,
  });
  t.regex(listed[0]?.hardwareVersion ?? '', /CMSIS-DAP v2 \(protocol 2\.1\.0, 8 x 512 B\)/);
  t.like(listed[1], { name: 'DAPLink CMSIS-DAP', serial: 'BBB2', usable: true });
});

test('open: by serial prefix, by index; several without a choice are ambiguous', async (t) => {
  const devices = [virtual('cmsis-dap-v2', 'AAA1'), virtual('cmsis-dap-v1', 'BBB2')];
  const transport = createCmsisDapTransport(backend(devices));
  const bySerial = await transport.open(request({ serial: 'bbb' }));
  t.is(bySerial.info.serial, 'BBB2');
  t.is(bySerial.access.level, 'raw-dap');
  await bySerial.close();
  const byIndex = await transport.open(request({ index: 0 }));
  t.is(byIndex.info.serial, 'AAA1');
  await byIndex.close();
  const error = await t.throwsAsync<FlashwrightError>(transport.open(request()));
  t.is(error.code, 'PROBE_AMBIGUOUS');
  t.regex(error.message, /#0 MCU-Link CMSIS-DAP \(CMSIS-DAP v2\) serial AAA1/);
  const missing = await t.throwsAsync<FlashwrightError>(transport.open(request({ serial: 'ZZZ' })));
  t.is(missing.code, 'PROBE_NOT_FOUND');
  t.is(missing.exitCode, 4);
  const none = await t.throwsAsync<FlashwrightError>(
    createCmsisDapTransport(backend([])).open(request()),
  );
  t.regex(none.message, /No CMSIS-DAP probe is connected/);
});

test('a probe this user may not open: the udev rules for usbfs and hidraw, on Linux', async (t) => {
  const denied = fakeDevice({
    vendorId: 0x2e8a,
    productId: 0x000c,
    productName: 'Debug Probe (CMSIS-DAP)',
    interfaceClass: 0xff,
    interfaceName: 'CMSIS-DAP v2 Interface',
    type: 'bulk',
    openError: new Error('LIBUSB_ERROR_ACCESS'),
  });
  const linux = createCmsisDapTransport(backend([denied]), { platform: 'linux' });
  const error = await t.throwsAsync<FlashwrightError>(linux.open(request()));
  t.is(error.code satisfies ErrorCode, 'PROBE_ACCESS_DENIED');
  t.is(error.hint, udevHint(0x2e8a, 0x000c));
  t.regex(
    error.hint ?? '',
    /SUBSYSTEM=="usb", ATTR\{idVendor\}=="2e8a", ATTR\{idProduct\}=="000c", TAG\+="uaccess"/,
  );
  t.regex(error.hint ?? '', /KERNEL=="hidraw\*"/);
  const [listing] = await linux.list();
  t.like(listing, { usable: false, problem: { code: 'PROBE_ACCESS_DENIED' } });
  t.regex(listing?.problem?.hint ?? '', /70-flashwright-cmsis-dap\.rules/);
  const mac = createCmsisDapTransport(backend([denied]), { platform: 'darwin' });
  const other = await t.throwsAsync<FlashwrightError>(mac.open(request()));
  t.notRegex(other.hint ?? '', /SUBSYSTEM==/);
});

/** A device whose configuration getter throws as node `usb` 3 does without access to the node. */
function unreadable(vendorId: number, productId: number, productName: string): USBDevice {
  const denied = (): never => {
    throw new Error('open error: permission denied (errno 13)');
  };
  return {
    vendorId,
    productId,
    productName,
    serialNumber: 'X2',
    get configuration() {
      return denied();
    },
    get configurations() {
      return denied();
    },
    opened: false,
    close: () => Promise.resolve(),
  } as unknown as USBDevice;
}

test('a device whose configuration this user may not read: a CMSIS-DAP probe is listed as denied with the udev rule, any other device is skipped', async (t) => {
  const stlink = unreadable(0x0483, 0x3748, 'STM32 STLink');
  const debugprobe = unreadable(0x2e8a, 0x000c, 'Debug Probe (CMSIS-DAP)');
  const linux = createCmsisDapTransport(backend([stlink, debugprobe]), { platform: 'linux' });
  const listings = await linux.list();
  t.is(listings.length, 1);
  t.like(listings[0], {
    serial: 'X2',
    usable: false,
    problem: { code: 'PROBE_ACCESS_DENIED', hint: udevHint(0x2e8a, 0x000c) },
  });
  const error = await t.throwsAsync<FlashwrightError>(linux.open(request()));
  t.is(error.code satisfies ErrorCode, 'PROBE_ACCESS_DENIED');
  t.is(error.hint, udevHint(0x2e8a, 0x000c));
  const onlyStlink = createCmsisDapTransport(backend([stlink]), { platform: 'linux' });
  t.deepEqual(await onlyStlink.list(), []);
});

/** A HID device that answers like the virtual v1 probe, through node-hid's framing. */
function hidOver(device: VirtualCmsisDap): HidReportDevice & { written: Uint8Array[] } {
  const written: Uint8Array[] = [];
  const iface = findDapInterface(device);
  if (!iface) throw new Error('no interface');
  let opened: Promise<void> | undefined;
  const ready = async () => {
    opened ??= device.open().then(() => device.claimInterface(iface.interfaceNumber));
    await opened;
  };
  return {
    written,
    async write(data) {
      await ready();
      const bytes = Uint8Array.from(data);
      written.push(bytes);
      // node-hid: byte 0 is the report ID (0 for CMSIS-DAP), the rest is the report.
      await device.transferOut(iface.outEndpoint ?? 0, bytes.subarray(1));
      return bytes.length;
    },
    async read(timeoutMs) {
      await ready();
      const result = await device
        .transferIn(iface.inEndpoint, 64, timeoutMs)
        .catch(() => undefined);
      const view = result?.data;
      return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : undefined;
    },
    close: () => device.close(),
  };
}

test('v1 through HID reports: a report ID 0 then the 64-byte report, responses read whole', async (t) => {
  const device = virtual('cmsis-dap-v1');
  const hid = hidOver(device);
  const channel = new HidPacketChannel(hid, 64, 200);
  const probe = await CmsisDapProbe.open(channel, device);
  t.is(probe.dapInfo.packetBytes, 64);
  t.is(probe.dapInfo.serial, device.serialNumber);
  const first = hid.written[0];
  t.is(first?.length, 65);
  t.deepEqual(
    Array.from(first?.subarray(0, 3) ?? []),
    [0x00, 0x00, 0xff],
    'ID 0, DAP_Info Packet Size',
  );
  await probe.connect({ mode: 'hot-plug' });
  t.is((await probe.memory.read32(0xe000ed00)) >>> 0, device.board.chip.cpuId);
  await probe.close();
});

test('the transport takes v1 probes through its HID backend when it finds the device there', async (t) => {
  const device = virtual('cmsis-dap-v1', 'HID1');
  const hid = hidOver(device);
  const transport = createCmsisDapTransport(backend([device]), {
    hid: {
      devices: () =>
        Promise.resolve([
          {
            vendorId: 0x0d28,
            productId: 0x0204,
            path: '/dev/hidraw3',
            serialNumber: 'HID1',
            interfaceNumber: 0,
          },
        ]),
      open: (path) =>
        path === '/dev/hidraw3' ? Promise.resolve(hid) : Promise.reject(new Error(path)),
    },
  });
  const probe = await transport.open(request());
  t.true(hid.written.length > 0, 'the requests went out as HID reports');
  await probe.close();
});

test('a HID read that times out is PROBE_TIMEOUT, and the link stays refused', async (t) => {
  const silent: HidReportDevice = {
    write: (data) => Promise.resolve(data.length),
    read: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
  const channel = new HidPacketChannel(silent, 64, 50);
  await channel.write(Uint8Array.of(0x00, 0xff));
  const error = await t.throwsAsync<FlashwrightError>(channel.read());
  t.is(error.code, 'PROBE_TIMEOUT');
  const again = await t.throwsAsync<FlashwrightError>(channel.write(Uint8Array.of(0)));
  t.regex(again.message, /unusable after an earlier failure/);
});
