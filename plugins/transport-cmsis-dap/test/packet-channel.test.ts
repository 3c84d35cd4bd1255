/** The WebUSB packet channel: report padding for v1, timeouts, drain on a device without them. */
import test from 'ava';
import type { FlashwrightError } from '@flashwright/core';
import type { DapInterface } from '../src/usb/dap-interface.js';
import { WebUsbPacketChannel } from '../src/usb/packet-channel.js';

interface Fake {
  readonly device: USBDevice;
  readonly out: Uint8Array[];
  opens: number;
}

/** A device whose IN endpoint never answers and ignores timeouts, as a browser's WebUSB. */
function silentDevice(): Fake {
  const fake: Fake = { device: undefined as unknown as USBDevice, out: [], opens: 0 };
  let opened = false;
  const device = {
    get opened() {
      return opened;
    },
    configuration: { configurationValue: 1 },
    open: () => {
      opened = true;
      fake.opens++;
      return Promise.resolve();
    },
    close: () => {
      opened = false;
      return Promise.resolve();
    },
    selectConfiguration: () => Promise.resolve(),
    claimInterface: () => Promise.resolve(),
    releaseInterface: () => Promise.resolve(),
    clearHalt: () => Promise.resolve(),
    transferOut: (_endpoint: number, data: Uint8Array) => {
      fake.out.push(data);
      return Promise.resolve({ status: 'ok', bytesWritten: data.length });
    },
    transferIn: () => new Promise<never>(() => undefined),
  };
  return Object.assign(fake, { device: device as unknown as USBDevice });
}

const v1: DapInterface = {
  version: 'v1',
  configurationValue: 1,
  interfaceNumber: 0,
  outEndpoint: 1,
  inEndpoint: 1,
  packetBytes: 64,
};

test('v1 requests go out as whole 64-byte reports; a longer request is refused', async (t) => {
  const fake = silentDevice();
  const channel = await WebUsbPacketChannel.open(fake.device, v1, { timeoutMs: 50 });
  await channel.write(Uint8Array.of(0x00, 0xfe));
  t.is(fake.out[0]?.length, 64);
  t.deepEqual(Array.from(fake.out[0]?.subarray(0, 3) ?? []), [0x00, 0xfe, 0x00]);
  await t.throwsAsync(channel.write(new Uint8Array(65)), { instanceOf: RangeError });
});

test('v2 requests go out at their own length', async (t) => {
  const fake = silentDevice();
  const channel = await WebUsbPacketChannel.open(
    fake.device,
    { ...v1, version: 'v2', packetBytes: 512 },
    { timeoutMs: 50 },
  );
  await channel.write(Uint8Array.of(0x00, 0xfe));
  t.is(fake.out[0]?.length, 2);
});

test('a response that never comes is PROBE_TIMEOUT within the timeout, not a hang', async (t) => {
  const fake = silentDevice();
  const channel = await WebUsbPacketChannel.open(fake.device, v1, { timeoutMs: 50 });
  const error = await t.throwsAsync<FlashwrightError>(channel.read());
  t.is(error.code, 'PROBE_TIMEOUT');
  t.is(error.exitCode, 4);
});

test('drain on a device that ignores read timeouts ends, and reopens it to cancel the read', async (t) => {
  const fake = silentDevice();
  const channel = await WebUsbPacketChannel.open(fake.device, v1, { timeoutMs: 50 });
  t.is(fake.opens, 1);
  t.is(await channel.drain(), 0);
  t.is(fake.opens, 2, 'closed and opened again');
});
