/**
 * CMSIS-DAP transport throughput (issue 13): write and read 64 KB of RAM through the real
 * CMSIS-DAP driver and core's ADIv5 layer on the virtual CMSIS-DAP v2 (MCU-Link: high-speed
 * bulk, 512-byte packets, 8 in flight) and v1 (DAPLink: full-speed HID, 64-byte reports, 1
 * in flight), in the virtual time of the timing model.
 *
 * Efficiency = link limit / virtual time, with the link limit defined as for ST-Link: the
 * USB payload time of the bytes (cmsisDapTiming: high-speed bulk 30 MB/s, full-speed HID
 * 64 000 B/s) plus the SWD time (46 clocks per 32-bit transfer at the interface clock).
 * What the driver adds on top: the request and response headers of each DAP_TransferBlock,
 * the TAR writes at each 1 KB boundary, and a USB round trip whenever the pipeline runs dry.
 * Goal >= 0.9 for v2; v1 is shown for comparison (every report is a full 64 bytes).
 */
import {
  SRAM_BASE,
  cmsisDapTiming,
  createVirtualCmsisDapSession,
  swdAccessUs,
  usbPayloadUs,
} from '@flashwright/sim';
import {
  CmsisDapProbe,
  findDapInterface,
  WebUsbPacketChannel,
} from '@flashwright/transport-cmsis-dap';
import type { BenchTable } from './table.js';

const BYTES = 64 * 1024;
const GOAL = 0.9;

interface Case {
  readonly probe: 'cmsis-dap-v1' | 'cmsis-dap-v2';
  readonly speedKhz: number;
  readonly graded: boolean;
}

const cases: readonly Case[] = [
  { probe: 'cmsis-dap-v2', speedKhz: 4000, graded: true },
  { probe: 'cmsis-dap-v2', speedKhz: 10000, graded: true },
  { probe: 'cmsis-dap-v1', speedKhz: 4000, graded: false },
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

interface Measurements {
  readonly write: Measured;
  readonly writeSerial: Measured;
  readonly read: Measured;
  readonly peak: number;
}

async function measure(c: Case): Promise<Measurements> {
  // STM32F411RE: 128 KB of SRAM, so 64 KB fits.
  const session = createVirtualCmsisDapSession({ probe: c.probe, device: 'STM32F411RE' });
  const dapInterface = findDapInterface(session.device);
  if (!dapInterface) throw new Error('no CMSIS-DAP interface');
  const channel = await WebUsbPacketChannel.open(session.device, dapInterface);
  const probe = await CmsisDapProbe.open(channel, session.device);
  try {
    await probe.connect({ speedKhz: c.speedKhz, mode: 'hot-plug' });
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
    // RAM writes are idempotent (writing a word again changes nothing), so core's MEM-AP
    // port may keep several calls in flight; a write that is not (a flash controller's data
    // register) keeps one, to never go on at a stale TAR after a WAIT: measured as well.
    const writeSerial = await step(() => probe.memory.write(SRAM_BASE, data.slice().reverse()));
    const write = await step(() => probe.memory.write(SRAM_BASE, data, { idempotent: true }));
    let back: Uint8Array = new Uint8Array(0);
    const read = await step(async () => (back = await probe.memory.read(SRAM_BASE, BYTES)));
    if (back.some((b, i) => b !== data[i])) throw new Error(`${c.probe}: read-back mismatch`);
    return { write, writeSerial, read, peak: session.device.peakUnanswered };
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
    const { write, writeSerial, read, peak } = await measure(c);
    const usb = cmsisDapTiming[c.probe === 'cmsis-dap-v1' ? 'v1' : 'v2'].usb;
    const usbMs = usbPayloadUs(BYTES, usb) / 1000;
    const swdMs = swdAccessUs(BYTES / 4, c.speedKhz) / 1000;
    const limitMs = usbMs + swdMs;
    for (const [direction, m, graded] of [
      ['write', write, c.graded],
      ['write, 1 call in flight', writeSerial, false],
      ['read', read, c.graded],
    ] as const) {
      const efficiency = limitMs / m.virtualMs;
      if (graded) worst = Math.min(worst, efficiency);
      rows.push([
        c.probe,
        direction,
        c.speedKhz,
        Number(m.virtualMs.toFixed(2)),
        Number(limitMs.toFixed(2)),
        Number(usbMs.toFixed(2)),
        Number(swdMs.toFixed(2)),
        Number(efficiency.toFixed(3)),
        m.transfers,
        peak,
        Number(m.hostMs.toFixed(1)),
      ]);
    }
  }
  notes.push(
    'Virtual time from the sim timing model (packages/sim/src/timing.ts, cmsisDapTiming); link limit = USB payload + SWD (46 clocks per 32-bit transfer); efficiency = limit / virtual time.',
    `Goal >= ${GOAL} each way for CMSIS-DAP v2: ${worst >= GOAL ? 'met' : 'NOT met'} (worst ${worst.toFixed(3)}).`,
    'v1 (full-speed HID, one 64-byte report per command and per response, one command in flight) is listed for comparison, not graded: its full reports cost more than the payload they carry.',
    'write: idempotent RAM writes (MemoryAccessOptions.idempotent), as many calls in flight as the packet count; "write, 1 call in flight": what core\'s MEM-AP port does for writes not marked idempotent (not graded): every command then waits a USB round trip.',
    'Peak: most commands the probe held unanswered at once (its DAP_Info packet count is the ceiling).',
    'Host ms: wall-clock time of the simulation on this machine (instant timing), for reference only.',
  );
  return [
    {
      title:
        'CMSIS-DAP: 64 KB RAM write/read through the real driver and core ADIv5 on virtual probes',
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
        'peak in flight',
        'host ms',
      ],
      rows,
      notes,
    },
  ];
}
