/**
 * nRF52840 flash efficiency on virtual hardware: physical floor / virtual time for erasing
 * and programming a 128 KiB image with @flashwright/target-nrf (NVMC driven from the host,
 * words written back to back while the NVMC paces the bus), through the real ST-Link
 * transport and a virtual ST-Link V2 (full-speed USB, 4 MHz SWD) or V3 (high-speed USB,
 * 24 MHz SWD). The floor is defined as for STM32 (stm32.bench.ts): the page-erase time of
 * the touched pages plus the word-program time of the image plus the USB payload time, from
 * the figures the simulator charges (nrf52FlashTiming, the nRF52840 PS's tERASEPAGE and
 * tWRITE).
 */
import { bytesEqual, FlashImage } from '@flashwright/core/image';
import { findNrf52Part, nrf52FlashTiming, physicalFloor } from '@flashwright/sim';
import { nrfFamily, type NrfDevice } from '@flashwright/target-nrf';
import { plugin as virtualTransport } from '@flashwright/transport-virtual';
import type { BenchTable } from './table.js';

const IMAGE_BYTES = 128 * 1024;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined };

const probes = [
  { kind: 'stlink-v2', speedKhz: 4000, usb: 'full-speed' },
  { kind: 'stlink-v3', speedKhz: 24000, usb: 'high-speed' },
] as const;

function image(): Uint8Array {
  // Never an erased word, so nothing is skipped: every byte is programmed.
  return Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => 1 + ((i * 151 + (i >> 9)) % 254));
}

async function measure(p: (typeof probes)[number]) {
  const transport = virtualTransport().transports![0]!;
  const probe = await transport.open({
    options: { probe: p.kind, device: 'nRF52840', timing: 'instant' },
    recipeDir: '.',
    log: silent,
  });
  const virtualMs = (): number => probe.stats?.().virtualElapsedMs ?? Number.NaN;
  try {
    await probe.connect({ speedKhz: p.speedKhz });
    const device = (await nrfFamily.identify({ probe, memory: probe.memory, log: silent })) as
      NrfDevice | undefined;
    if (!device) throw new Error('nRF52840 not identified');
    const data = image();
    const pages = device.flash[0]!.sectors.filter((s) => s.start < IMAGE_BYTES);
    const t0 = virtualMs();
    await device.erase(pages, () => undefined);
    const t1 = virtualMs();
    await device.program(FlashImage.from([[0, data]]), () => undefined);
    const t2 = virtualMs();
    const back = await device.read(0, IMAGE_BYTES, () => undefined);
    if (!bytesEqual(back, data)) throw new Error('nRF52840: read back differs');
    return {
      eraseMs: t1 - t0,
      programMs: t2 - t1,
      erasedUnitBytes: pages.map((s) => s.end - s.start),
    };
  } finally {
    await probe.close();
  }
}

export async function run(): Promise<BenchTable[]> {
  const timing = nrf52FlashTiming(findNrf52Part('nRF52840')!);
  const rows: (string | number)[][] = [];
  for (const p of probes) {
    const m = await measure(p);
    const floor = physicalFloor({
      timing,
      imageBytes: IMAGE_BYTES,
      erasedUnitBytes: m.erasedUnitBytes,
      usb: p.usb,
    });
    const totalMs = m.eraseMs + m.programMs;
    rows.push([
      'nRF52840',
      p.kind,
      Math.round(floor.eraseMs),
      Math.round(m.eraseMs),
      Math.round(floor.programMs + floor.usbTransferMs),
      Math.round(m.programMs),
      Math.round(floor.totalMs),
      Math.round(totalMs),
      floor.totalMs / totalMs,
    ]);
  }
  return [
    {
      title: 'nRF52840 erase + program of a 128 KiB image on virtual hardware (goal >= 0.9)',
      columns: [
        'part',
        'probe',
        'erase floor ms',
        'erase ms',
        'program+USB floor ms',
        'program ms',
        'floor ms',
        'virtual ms',
        'efficiency',
      ],
      rows,
      notes: [
        'Virtual time from the simulator clock (timing: instant); the floor is physicalFloor() of packages/sim/src/timing.ts with the nRF52840 PS figures the model charges (tERASEPAGE 85 ms per 4 KB page, tWRITE 41 µs per word), without SWD time.',
        'Erase is 32 ERASEPAGE operations (the image is 1/8 of the flash, so no ERASEALL); every byte is programmed.',
      ],
    },
  ];
}
