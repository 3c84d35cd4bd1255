/**
 * GDB transport throughput against QEMU's STM32F100 (stm32vldiscovery): 128 KiB written
 * into flash through the GDB stub, with and without TCP_NODELAY. QEMU 7.2 offers no
 * QStartNoAckMode, so every packet is acknowledged: with Nagle's algorithm on, each
 * request waits for the server's delayed ACK of the client's previous '+'.
 */
import { FlashwrightError } from '@flashwright/core';
import { bytesEqual } from '@flashwright/core/image';
import { plugin, type GdbProbe } from '@flashwright/transport-gdb';
import { FLASH_BASE, peersRequired, qemuMissing, startQemu } from '../e2e/gdb-qemu-harness.js';
import type { BenchTable } from './table.js';

const IMAGE_BYTES = 128 * 1024;

interface Row {
  readonly label: string;
  readonly noDelay: boolean;
  readonly runs: number;
}

const rows: readonly Row[] = [
  { label: 'TCP_NODELAY on (default)', noDelay: true, runs: 7 },
  { label: 'TCP_NODELAY off (Nagle)', noDelay: false, runs: 3 },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(row: Row): Promise<(string | number)[]> {
  const qemu = await startQemu();
  try {
    const transport = plugin().transports![0]!;
    const probe = (await transport.open({
      options: { address: qemu.address, noDelay: row.noDelay },
      recipeDir: '.',
      log: { debug: () => {}, info: () => {}, warn: () => {} },
    })) as GdbProbe;
    try {
      await probe.connect();
      const writeMs: number[] = [];
      const readMs: number[] = [];
      for (let run = 0; run <= row.runs; run++) {
        const data = Uint8Array.from(
          { length: IMAGE_BYTES },
          (_, i) => (i * 7 + run * 13 + (i >> 8)) & 0xff,
        );
        const start = performance.now();
        await probe.memory.write(FLASH_BASE, data);
        const written = performance.now();
        const back = await probe.memory.read(FLASH_BASE, IMAGE_BYTES);
        const read = performance.now();
        if (!bytesEqual(back, data))
          throw new FlashwrightError(
            'VERIFY_MISMATCH',
            'QEMU flash differs after the benchmark write',
          );
        // Run 0 is a warm-up: it includes the one-time read-back that confirms the packet size.
        if (run > 0) {
          writeMs.push(written - start);
          readMs.push(read - written);
        }
      }
      const stats = probe.wireStats();
      const kib = IMAGE_BYTES / 1024;
      return [
        row.label,
        row.runs,
        median(writeMs),
        kib / (median(writeMs) / 1000),
        kib / (median(readMs) / 1000),
        Math.round(stats.packetsSent / (row.runs + 1) / 2),
      ];
    } finally {
      await probe.close();
    }
  } finally {
    await qemu.stop();
  }
}

export async function run(): Promise<BenchTable[]> {
  const missing = qemuMissing();
  if (missing !== undefined) {
    if (peersRequired) throw new Error(missing);
    return [
      {
        title: 'GDB transport: 128 KiB into QEMU flash',
        columns: ['result'],
        rows: [['skipped']],
        notes: [missing],
      },
    ];
  }
  const results: (string | number)[][] = [];
  for (const row of rows) results.push(await measure(row));
  return [
    {
      title: 'GDB transport: 128 KiB into QEMU flash (stm32vldiscovery)',
      columns: [
        'socket',
        'runs',
        'write ms (median)',
        'write KB/s',
        'read-back KB/s',
        'packets per 128 KiB (approx.)',
      ],
      rows: results,
      notes: [
        'QEMU 7.2 GDB stub on loopback; PacketSize=4096, no X packets (M hex writes, ~2 KiB per packet), no QStartNoAckMode (every packet acked).',
        'KB/s = KiB per second of data, medians over the runs after one warm-up write; every run is verified by read-back.',
        'QEMU stores flash writes from the stub directly (no flash controller model), so this measures the transport, not flash programming.',
      ],
    },
  ];
}
