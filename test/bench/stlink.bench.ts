/**
 * ST-Link transport throughput (issue 4): write and read 64 KB of RAM through the real
 * ST-Link driver on virtual ST-Link V2, V2-1 and V3, in the virtual time of the timing model.
 *
 * Efficiency = link limit / virtual time. The link limit is what the model says moving the
 * bytes must cost: the USB payload time (1 MB/s full-speed, 30 MB/s high-speed) plus the SWD
 * time (46 clocks per 32-bit access at the interface clock), the same terms as the sim's
 * physicalFloor. What the driver adds on top is per-command overhead: one USB round trip for
 * each memory command and one for its GETLASTRWSTATUS2, per 6144-byte chunk. Goal >= 0.9.
 */
import {
  createVirtualSession,
  SRAM_BASE,
  swdAccessUs,
  usbPayloadUs,
  usbTiming,
} from '@flashwright/sim';
import { StLinkProbe } from '@flashwright/transport-stlink';
import type { BenchTable } from './table.js';

const BYTES = 64 * 1024;
const GOAL = 0.9;

interface Case {
  readonly probe: 'stlink-v2' | 'stlink-v2-1' | 'stlink-v3';
  readonly speedKhz: number;
}

const cases: readonly Case[] = [
  { probe: 'stlink-v2', speedKhz: 4000 },
  { probe: 'stlink-v2-1', speedKhz: 4000 },
  { probe: 'stlink-v3', speedKhz: 24000 },
];

function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

interface Measured {
  readonly virtualMs: number;
  readonly hostMs: number;
  readonly transfers: number;
}

async function measure(c: Case): Promise<{ write: Measured; read: Measured; speedKhz: number }> {
  // STM32F411RE: 128 KB of SRAM, so 64 KB fits.
  const session = createVirtualSession({ probe: c.probe, device: 'STM32F411RE' });
  const probe = await StLinkProbe.open(session.device);
  try {
    const { speedKhz } = await probe.connect({ speedKhz: c.speedKhz, mode: 'hot-plug' });
    const data = pattern(BYTES);
    const step = async (work: () => Promise<unknown>): Promise<Measured> => {
      const before = session.stats();
      const started = performance.now();
      await work();
      const after = session.stats();
      return {
        virtualMs: after.virtualMs - before.virtualMs,
        hostMs: performance.now() - started,
        transfers: after.usbTransfers - before.usbTransfers,
      };
    };
    const write = await step(() => probe.memory.write(SRAM_BASE, data));
    let back: Uint8Array = new Uint8Array(0);
    const read = await step(async () => (back = await probe.memory.read(SRAM_BASE, BYTES)));
    if (back.some((b, i) => b !== data[i])) throw new Error(`${c.probe}: read-back mismatch`);
    return { write, read, speedKhz: speedKhz ?? c.speedKhz };
  } finally {
    await probe.close();
    await session.close();
  }
}

export async function run(): Promise<BenchTable[]> {
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  let worst = Infinity;
  for (const c of cases) {
    const { write, read, speedKhz } = await measure(c);
    const speed = c.probe === 'stlink-v3' ? 'high-speed' : 'full-speed';
    const usbMs = usbPayloadUs(BYTES, speed) / 1000;
    const swdMs = swdAccessUs(BYTES / 4, speedKhz) / 1000;
    const limitMs = usbMs + swdMs;
    for (const [direction, m] of [
      ['write', write],
      ['read', read],
    ] as const) {
      const efficiency = limitMs / m.virtualMs;
      worst = Math.min(worst, efficiency);
      rows.push([
        c.probe,
        direction,
        speedKhz,
        Number(m.virtualMs.toFixed(2)),
        Number(limitMs.toFixed(2)),
        Number(usbMs.toFixed(2)),
        Number(swdMs.toFixed(2)),
        Number(efficiency.toFixed(3)),
        m.transfers,
        Number(m.hostMs.toFixed(1)),
      ]);
    }
    const chunks = Math.ceil(BYTES / 6144);
    const rttMs = usbTiming[speed].roundTripUs / 1000;
    notes.push(
      `${c.probe}: ${chunks} commands of <= 6144 B, each + 1 GETLASTRWSTATUS2; overhead ~ ${chunks} x 2 x ${rttMs} ms = ${(chunks * 2 * rttMs).toFixed(2)} ms on a ${limitMs.toFixed(1)} ms limit`,
    );
  }
  notes.unshift(
    'Virtual time from the sim timing model (packages/sim/src/timing.ts); link limit = USB payload + SWD (46 clocks per 32-bit access); efficiency = limit / virtual time.',
    `Goal >= ${GOAL} each way: ${worst >= GOAL ? 'met' : 'NOT met'} (worst ${worst.toFixed(3)}).`,
    'Host ms: wall-clock time of the simulation on this machine (instant timing), for reference only.',
  );
  return [
    {
      title: 'ST-Link: 64 KB RAM write/read through the real driver on virtual probes',
      columns: [
        'probe',
        'direction',
        'SWD kHz',
        'virtual ms',
        'limit ms',
        'USB payload ms',
        'SWD ms',
        'efficiency',
        'USB transfers',
        'host ms',
      ],
      rows,
      notes,
    },
  ];
}
