/**
 * End to end against a real GDB server: QEMU's STM32F100 (machine stm32vldiscovery).
 * flashwright's GDB transport writes the qemu-usart firmware, verifies it, resets, runs it,
 * and the firmware's token on USART1 proves the whole image arrived (it prints the CRC-32
 * of its own flash image).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import test from 'ava';
import { FlashImage, bytesEqual } from '@flashwright/core/image';
import type { Logger } from '@flashwright/core/plugin';
import { plugin, type GdbProbe } from '@flashwright/transport-gdb';
import {
  FLASH_BASE,
  fixtureDir,
  peersRequired,
  qemuMissing,
  startQemu,
} from './gdb-qemu-harness.js';

const missing = qemuMissing();
const qemuTest = missing !== undefined && !peersRequired ? test.skip : test.serial;
if (missing !== undefined) {
  if (peersRequired)
    test('qemu-system-arm is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`gdb-qemu e2e skipped: ${missing}`);
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(m),
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
  };
}

async function openProbe(
  address: string,
  options: Record<string, unknown> = {},
  log: Logger = recordingLog(),
): Promise<GdbProbe> {
  const transport = plugin().transports![0]!;
  return (await transport.open({
    options: { address, ...options },
    recipeDir: '.',
    log,
  })) as GdbProbe;
}

qemuTest('write, verify, reset and run the firmware; the token arrives on USART1', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const firmware = new Uint8Array(await readFile(join(fixtureDir, 'qemu-usart.bin')));
  const image = FlashImage.from([[FLASH_BASE, firmware]], { source: 'qemu-usart.bin' });
  const log = recordingLog();
  const probe = await openProbe(qemu.address, {}, log);
  t.teardown(() => probe.close());
  await probe.connect();

  // What QEMU offers as a GDB server, for the pipeline and the STM32 family to plan with.
  t.is(probe.access.level, 'memory');
  t.is(probe.nativeFlash, undefined, 'no memory map, no vFlash');
  t.is(probe.memoryMap, undefined);
  t.is(probe.server.packetSizeBytes, 4096);
  t.deepEqual(await probe.memory.read(FLASH_BASE, 8), new Uint8Array(8), 'empty flash reads 0x00');

  for (const [address, data] of image.blocks) await probe.memory.write(address, data);
  t.false(probe.memory.binaryWrites, 'QEMU answers X with an empty reply; M is used');
  t.false(
    log.lines.some((l) => l.includes('dropped')),
    'PacketSize was enough to size packets',
  );
  const back = await probe.memory.read(FLASH_BASE, firmware.length);
  t.true(bytesEqual(back, firmware), 'verify by read-back');

  await probe.reset('software', { halt: true });
  const vectors = new DataView(firmware.buffer, firmware.byteOffset);
  t.is(await probe.registers.read('sp'), vectors.getUint32(0, true), 'SP from the vector table');
  t.is(
    await probe.registers.read('pc'),
    vectors.getUint32(4, true) & ~1,
    'PC at the reset handler',
  );

  await probe.resume();
  const match = await qemu.waitForSerial(/flashwright-ok crc32=([0-9a-f]{8})\r\n/);
  t.is(
    match[1],
    crc32(firmware).toString(16).padStart(8, '0'),
    'the firmware saw every byte we wrote',
  );
  t.true(probe.running);
});

qemuTest('a PacketSize above what the server takes is learned down by probing', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const log = recordingLog();
  // Claim 8 KiB packets; QEMU silently drops anything over its 4 KiB buffer.
  const probe = await openProbe(qemu.address, { packetSize: 0x2000, timeoutMs: 500 }, log);
  t.teardown(() => probe.close());
  await probe.connect();
  const data = Uint8Array.from({ length: 32 * 1024 }, (_, i) => (i * 131 + (i >> 9)) & 0xff);
  await probe.memory.write(FLASH_BASE, data);
  t.true(
    log.lines.some((l) => l.includes('packet dropped')),
    log.lines.join('\n'),
  );
  t.true(probe.limits.writeCapBytes < 4096);
  t.true(bytesEqual(await probe.memory.read(FLASH_BASE, data.length), data));
});

qemuTest('monitor commands: unknown ones are recognised, system_reset works', async (t) => {
  const qemu = await startQemu();
  t.teardown(() => qemu.stop());
  const probe = await openProbe(qemu.address);
  t.teardown(() => probe.close());
  await probe.connect();
  const unknown = await probe.monitor('reset halt');
  t.regex(unknown.output, /unknown command/);
  const known = await probe.monitor('system_reset');
  t.deepEqual(known.status, { kind: 'ok' });
});
