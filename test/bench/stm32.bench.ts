/**
 * STM32 flash efficiency on virtual hardware: floor / virtual time for erasing and
 * programming a 128 KiB image with @flashwright/target-stm32 as a recipe runs it by default
 * (`flash.loader: auto`: the family's RAM loader where it has one, else the host-driven
 * algorithm), through the real ST-Link transport and a virtual ST-Link V2 (full-speed USB,
 * 4 MHz SWD) or V3 (high-speed USB, 24 MHz SWD). Two floors, both from the one timing table
 * in packages/sim/src/timing.ts: the overlapped floor (erase of the touched pages or sectors
 * + max(program time with the best unit, USB + SWD time of the payload)), which a
 * double-buffered loader can approach, and the host-driven floor (erase + program + USB).
 */
import { bytesEqual, FlashImage } from '@flashwright/core/image';
import { flashTimings, overlappedFloor, physicalFloor, type FlashFamily } from '@flashwright/sim';
import { stm32Family, type Stm32Device } from '@flashwright/target-stm32';
import { plugin as virtualTransport } from '@flashwright/transport-virtual';
import type { BenchTable } from './table.js';

const IMAGE_BYTES = 128 * 1024;

interface Case {
  readonly part: string;
  readonly family: FlashFamily;
  /** Erase in two halves, so that no whole bank is requested and pages are erased one by one. */
  readonly pageErase?: boolean;
}

const cases: readonly Case[] = [
  { part: 'STM32L151CBxxA', family: 'l1' },
  { part: 'STM32F103RB', family: 'f1' },
  { part: 'STM32F103RB', family: 'f1', pageErase: true },
  { part: 'STM32F411RE', family: 'f4' },
  { part: 'STM32L476RG', family: 'l4' },
  { part: 'STM32H743ZI', family: 'h7' },
];

const probes = [
  { kind: 'stlink-v2', speedKhz: 4000, usb: 'full-speed' },
  { kind: 'stlink-v3', speedKhz: 24000, usb: 'high-speed' },
] as const;

function image(): Uint8Array {
  // Never an erased unit, so nothing is skipped: every byte is programmed.
  return Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => 1 + ((i * 151 + (i >> 9)) % 254));
}

interface Measurement {
  readonly eraseMs: number;
  readonly programMs: number;
  readonly erasedUnitBytes: number[];
  /** What programmed: the RAM loader, or the host (with the loader's fallback reason). */
  readonly path: string;
}

async function measure(c: Case, p: (typeof probes)[number]): Promise<Measurement> {
  // The user's path: transport-virtual opens the simulated board behind the real ST-Link
  // driver, and its probe reports virtual time.
  let loaderBytes = 0;
  let fallback: string | undefined;
  const log = {
    debug: (message: string) => {
      const used = /^RAM flash loader \(.*\) programmed (\d+) bytes/.exec(message);
      if (used) loaderBytes += Number(used[1]);
    },
    info: () => undefined,
    warn: (message: string) => {
      fallback ??= message;
    },
  };
  const transport = virtualTransport().transports![0]!;
  const probe = await transport.open({
    options: { probe: p.kind, device: c.part, timing: 'instant' },
    recipeDir: '.',
    log,
  });
  const virtualMs = (): number => probe.stats?.().virtualElapsedMs ?? Number.NaN;
  try {
    await probe.connect({ speedKhz: p.speedKhz });
    const device = (await stm32Family.identify({ probe, memory: probe.memory, log })) as
      Stm32Device | undefined;
    if (!device) throw new Error(`${c.part} not identified`);
    const base = device.flash[0]!.start;
    const data = image();
    const sectors = device.flash
      .flatMap((r) => r.sectors)
      .filter((s) => s.start < base + IMAGE_BYTES && s.end > base);
    const t0 = virtualMs();
    if (c.pageErase === true) {
      const half = Math.floor(sectors.length / 2);
      await device.erase(sectors.slice(0, half), () => undefined);
      await device.erase(sectors.slice(half), () => undefined);
    } else {
      await device.erase(sectors, () => undefined);
    }
    const t1 = virtualMs();
    await device.program(FlashImage.from([[base, data]]), () => undefined);
    const t2 = virtualMs();
    const back = await device.read(base, IMAGE_BYTES, () => undefined);
    if (!bytesEqual(back, data)) throw new Error(`${c.part}: read back differs`);
    return {
      eraseMs: t1 - t0,
      programMs: t2 - t1,
      erasedUnitBytes: sectors.map((s) => s.end - s.start),
      path:
        loaderBytes === IMAGE_BYTES
          ? 'RAM loader'
          : loaderBytes > 0
            ? `RAM loader ${loaderBytes} B, host the rest`
            : fallback === undefined
              ? 'host'
              : `host (${fallback})`,
    };
  } finally {
    await probe.close();
  }
}

export async function run(): Promise<BenchTable[]> {
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    for (const p of probes) {
      const m = await measure(c, p);
      const input = {
        timing: flashTimings[c.family],
        imageBytes: IMAGE_BYTES,
        erasedUnitBytes: m.erasedUnitBytes,
        usb: p.usb,
        swdSpeedKhz: p.speedKhz,
      } as const;
      const overlapped = overlappedFloor(input);
      const host = physicalFloor({ ...input, swdSpeedKhz: undefined });
      const totalMs = m.eraseMs + m.programMs;
      rows.push([
        c.pageErase === true ? `${c.part} (page by page)` : c.part,
        p.kind,
        m.path,
        Math.round(overlapped.eraseMs),
        Math.round(m.eraseMs),
        Math.round(Math.max(overlapped.programMs, overlapped.transferMs)),
        Math.round(m.programMs),
        Math.round(overlapped.totalMs),
        Math.round(totalMs),
        overlapped.totalMs / totalMs,
        host.totalMs / totalMs,
      ]);
    }
  }
  return [
    {
      title: 'STM32 erase + program of a 128 KiB image on virtual hardware (flash.loader: auto)',
      columns: [
        'part',
        'probe',
        'programmed by',
        'erase floor ms',
        'erase ms',
        'max(program, transfer) floor ms',
        'program ms',
        'overlapped floor ms',
        'virtual ms',
        'efficiency (overlapped)',
        'efficiency (host-driven floor)',
      ],
      rows,
      notes: [
        'Virtual time from the simulator clock (timing: instant). Overlapped floor: overlappedFloor() of packages/sim/src/timing.ts, erase + max(program, USB payload + SWD time of the payload words at 46 clocks each); goal >= 0.9. Host-driven floor: physicalFloor() without SWD time (erase + program + USB payload), the floor before RAM loaders.',
        "Erase covers the pages/sectors the image touches; when they are a whole bank the device uses one bank (mass) erase, which is why an efficiency above 1 can appear (F103RB: its 128 KiB is the whole flash). The 'page by page' row erases the same pages in two requests, which measures page erase as the floor counts it.",
        'SWD at 4 MHz (V2) and 24 MHz (V3); every image byte is programmed (no erased units to skip). "programmed by": the RAM loader when the family has one and it ran, else the host-driven algorithm.',
      ],
    },
  ];
}
