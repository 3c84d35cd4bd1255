import test from 'ava';
import { SimBoard } from '../src/board.js';
import { VirtualStlink } from '../src/stlink/device.js';
import { formatFirmwareVersion, parseFirmwareVersion } from '../src/stlink/firmware.js';
import { createTestChip } from './helpers/test-chip.js';
import { block, rig } from './helpers/stlink-host.js';

function device(
  options: ConstructorParameters<typeof VirtualStlink>[0] extends infer O ? Partial<O> : never,
): VirtualStlink {
  return new VirtualStlink({ board: new SimBoard({ chip: createTestChip() }), ...options });
}

test('V2 descriptors: VID/PID, strings, one vendor interface with 0x81/0x02/0x83 at 64 bytes', (t) => {
  const d = device({ probe: 'stlink-v2' });
  t.is(d.vendorId, 0x0483);
  t.is(d.productId, 0x3748);
  t.is(d.productName, 'STM32 STLink');
  t.is(d.manufacturerName, 'STMicroelectronics');
  t.is(d.serialNumber.length, 24);
  t.deepEqual([d.deviceClass, d.deviceSubclass, d.deviceProtocol], [0, 0, 0]);
  const iface = d.configurations[0]?.interfaces;
  t.is(iface?.length, 1);
  const alt = iface?.[0]?.alternate;
  t.deepEqual(
    [alt?.interfaceClass, alt?.interfaceSubclass, alt?.interfaceProtocol],
    [0xff, 0xff, 0xff],
  );
  t.is(alt?.interfaceName, 'ST Link');
  t.deepEqual(
    alt?.endpoints.map((e) => [e.direction, e.endpointNumber, e.packetSize, e.type]),
    [
      ['in', 1, 64, 'bulk'],
      ['out', 2, 64, 'bulk'],
      ['in', 3, 64, 'bulk'],
    ],
  );
});

test('V2-1 and V3 descriptors: IAD class, debug interface 0, SWO packet sizes, extra interfaces', (t) => {
  const v21 = device({ probe: 'stlink-v2-1' });
  t.is(v21.productId, 0x374b);
  t.deepEqual([v21.deviceClass, v21.deviceSubclass, v21.deviceProtocol], [0xef, 0x02, 0x01]);
  const ifaces = v21.configurations[0]?.interfaces ?? [];
  t.is(ifaces.length, 4);
  t.is(ifaces[0]?.alternate.interfaceName, 'ST-Link Debug');
  t.deepEqual(
    ifaces[0]?.alternate.endpoints.map((e) => [e.direction, e.endpointNumber, e.packetSize]),
    [
      ['in', 1, 64],
      ['out', 1, 64],
      ['in', 2, 32],
    ],
  );
  t.is(ifaces[1]?.alternate.interfaceClass, 0x08, 'mass storage');
  const v3 = device({ probe: 'stlink-v3' });
  t.is(v3.productId, 0x374e);
  t.is(v3.productName, 'STLINK-V3');
  t.true(
    v3.configurations[0]?.interfaces[0]?.alternate.endpoints.every((e) => e.packetSize === 512),
  );
  const v3set = device({ probe: 'stlink-v3', productId: 0x374f });
  t.is(v3set.configurations[0]?.interfaces[4]?.alternate.interfaceName, 'ST-Link Bridge');
  const noMsd = device({ probe: 'stlink-v2-1', productId: 0x3752 });
  t.is(noMsd.configurations[0]?.interfaces.length, 3);
});

test('a clone reports a 12-byte binary serial, a 26-byte string descriptor', async (t) => {
  const d = device({ probe: 'stlink-v2', clone: true });
  t.is(d.serialNumber.length, 12);
  t.is(
    Buffer.from([...d.serialNumber].map((c) => c.charCodeAt(0)))
      .toString('hex')
      .toUpperCase(),
    '55FF6D066684564928211687',
  );
  await d.open();
  const raw = await d.controlTransferIn(
    { requestType: 'standard', recipient: 'device', request: 6, value: 0x0303, index: 0x0409 },
    255,
  );
  t.is(raw.data?.getUint8(0), 26);
  t.is(raw.data?.getUint8(1), 3);
  t.is(raw.data?.getUint8(2), 0x55);
  const dev = await d.controlTransferIn(
    { requestType: 'standard', recipient: 'device', request: 6, value: 0x0100, index: 0 },
    18,
  );
  t.is(dev.data?.getUint16(8, true), 0x0483);
  t.is(dev.data?.getUint16(10, true), 0x3748);
  const cfg = await d.controlTransferIn(
    { requestType: 'standard', recipient: 'device', request: 6, value: 0x0200, index: 0 },
    255,
  );
  t.is(
    cfg.data?.getUint16(2, true),
    cfg.data?.byteLength,
    'wTotalLength covers interfaces and endpoints',
  );
  const vendor = await d.controlTransferIn(
    { requestType: 'vendor', recipient: 'device', request: 1, value: 0, index: 0 },
    4,
  );
  t.is(vendor.status, 'stall');
});

test('firmware versions parse and print as OpenOCD prints them', (t) => {
  t.deepEqual(parseFirmwareVersion('V2J37S7'), { major: 2, jtag: 37, swim: 7, msd: 0, bridge: 0 });
  t.deepEqual(parseFirmwareVersion('V3J7M3B5S1'), {
    major: 3,
    jtag: 7,
    swim: 1,
    msd: 3,
    bridge: 5,
  });
  t.is(parseFirmwareVersion('J37'), undefined);
  t.is(formatFirmwareVersion(parseFirmwareVersion('V2J40M27')!), 'V2J40M27');
  t.is(formatFirmwareVersion(parseFirmwareVersion('V3J7M3B5S1')!), 'V3J7M3B5S1');
  t.throws(() => device({ probe: 'stlink-v2', firmware: 'banana' }), { instanceOf: RangeError });
  t.throws(() => device({ probe: 'stlink-v3', firmware: 'V2J37S7' }), { instanceOf: RangeError });
});

test('GET_VERSION: V2J37S7 is 29 47 83 04 48 37', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  t.deepEqual(
    [...(await r.command(block(0xf1), { inLength: 6 }))],
    [0x29, 0x47, 0x83, 0x04, 0x48, 0x37],
  );
  t.is(
    await r.command(block(0xfb)).then(() => r.device.queuedInBytes),
    0,
    'V2 does not answer GET_VERSION_EX',
  );
});

test('GET_VERSION on V2-1 carries M in the low field; V3 needs GET_VERSION_EX', async (t) => {
  const v21 = await rig({ probe: 'stlink-v2-1', firmware: 'V2J40M27' });
  const word = (2 << 12) | (40 << 6) | 27;
  t.deepEqual(
    [...(await v21.command(block(0xf1), { inLength: 6 }))],
    [word >> 8, word & 0xff, 0x83, 0x04, 0x4b, 0x37],
  );
  const v3 = await rig({ probe: 'stlink-v3', firmware: 'V3J7M3B5S1' });
  t.deepEqual(
    [...(await v3.command(block(0xf1), { inLength: 6 }))],
    [0x30, 0x00, 0x83, 0x04, 0x4e, 0x37],
  );
  t.deepEqual(
    [...(await v3.command(block(0xfb), { inLength: 12 }))],
    [3, 1, 7, 3, 5, 0, 0, 0, 0x83, 0x04, 0x4e, 0x37],
  );
});

test('genuine V2 starts in DFU mode; V2-1, V3 and clones start idle', async (t) => {
  const v2 = await rig({ probe: 'stlink-v2' });
  t.deepEqual([...(await v2.command(block(0xf5), { inLength: 2 }))], [0, 0]);
  t.deepEqual(
    [...(await v2.command(block(0xf2, 0x30, 0xa3), { inLength: 2 }))],
    [0x08, 0],
    'no SWD from DFU',
  );
  await v2.command(block(0xf3, 0x07));
  t.deepEqual([...(await v2.command(block(0xf5), { inLength: 2 }))], [1, 0]);
  t.deepEqual([...(await v2.command(block(0xf2, 0x30, 0xa3), { inLength: 2 }))], [0x80, 0]);
  t.deepEqual([...(await v2.command(block(0xf5), { inLength: 2 }))], [2, 0]);
  await v2.command(block(0xf2, 0x21));
  t.deepEqual([...(await v2.command(block(0xf5), { inLength: 2 }))], [1, 0]);
  for (const probe of ['stlink-v2-1', 'stlink-v3'] as const) {
    const r = await rig({ probe });
    t.deepEqual([...(await r.command(block(0xf5), { inLength: 2 }))], [1, 0], probe);
  }
  const clone = await rig({ probe: 'stlink-v2', clone: true });
  t.deepEqual([...(await clone.command(block(0xf5), { inLength: 2 }))], [1, 0]);
});

test('ENTER with no answering target is GET_IDCODE_ERROR and stays out of debug mode', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', chip: { debugAccess: 'disabled' } });
  t.deepEqual([...(await r.command(block(0xf2, 0x30, 0xa3), { inLength: 2 }))], [0x09, 0]);
  t.deepEqual([...(await r.command(block(0xf5), { inLength: 2 }))], [1, 0]);
  t.deepEqual(
    [...(await r.command(block(0xf2, 0x30, 0x55), { inLength: 2 }))],
    [0x08, 0],
    'bad protocol byte',
  );
});

test('debug commands outside debug mode answer CMD_ERROR at their reply length', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  const reply = await r.command(block(0xf2, 0x36, 0xf0, 0xed, 0x00, 0xe0), { inLength: 8 });
  t.deepEqual([...reply], [0x08, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(
    [...(await r.command(block(0xf2, 0x7f), { inLength: 2 }))],
    [0x08, 0],
    'unknown sub-command',
  );
});
