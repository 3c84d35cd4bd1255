/**
 * Interface clock tables (OpenOCD stlink_usb.c stlink_khz_to_speed_map_swd/_jtag, pyOCD
 * SWD_FREQ_MAP). V2 sets a divisor; V3 picks from a list the probe reports. Divisor 0 is
 * 4000 kHz as ST's own tools label it (STM32CubeProgrammer prints "SWD freq : 4000 KHz" on
 * V2J32S0, log in dmitrystu/sboot_stm32#23; OpenOCD and stlink-org agree); pyOCD's 4600,
 * copied into probe-rs, has no other source. The extra divisors 5, 9, 10, 25 come from
 * pyOCD/probe-rs.
 */
export interface SpeedStep {
  readonly speedKhz: number;
  readonly divisor: number;
}

/** V2 SWD_SET_FREQ divisors, fastest first. */
export const V2_SWD_SPEEDS: readonly SpeedStep[] = [
  { speedKhz: 4000, divisor: 0 },
  { speedKhz: 1800, divisor: 1 },
  { speedKhz: 1200, divisor: 2 },
  { speedKhz: 950, divisor: 3 },
  { speedKhz: 650, divisor: 5 },
  { speedKhz: 480, divisor: 7 },
  { speedKhz: 400, divisor: 9 },
  { speedKhz: 360, divisor: 10 },
  { speedKhz: 240, divisor: 15 },
  { speedKhz: 150, divisor: 25 },
  { speedKhz: 125, divisor: 31 },
  { speedKhz: 100, divisor: 40 },
  { speedKhz: 50, divisor: 79 },
  { speedKhz: 25, divisor: 158 },
  { speedKhz: 15, divisor: 265 },
  { speedKhz: 5, divisor: 798 },
];

/** V2 JTAG_SET_FREQ divisors (OpenOCD's labels), fastest first. */
export const V2_JTAG_SPEEDS: readonly SpeedStep[] = [
  { speedKhz: 9000, divisor: 4 },
  { speedKhz: 4500, divisor: 8 },
  { speedKhz: 2250, divisor: 16 },
  { speedKhz: 1125, divisor: 32 },
  { speedKhz: 562, divisor: 64 },
  { speedKhz: 281, divisor: 128 },
  { speedKhz: 140, divisor: 256 },
];

/** V2 power-on default (stlink-org PR #534): divisor 1. */
export const V2_DEFAULT_SWD_KHZ = 1800;

/**
 * The fastest step at or below the request; the slowest step when even that is too fast
 * (OpenOCD's fallback). Tables are fastest first.
 */
export function pickSpeedStep(table: readonly SpeedStep[], requestedKhz: number): SpeedStep {
  const slowest = table[table.length - 1];
  if (!slowest) throw new RangeError('empty speed table');
  return table.find((step) => step.speedKhz <= requestedKhz) ?? slowest;
}

/**
 * V3: the fastest frequency the probe lists at or below the request, else the slowest
 * listed; undefined when the probe lists none (then the firmware chooses, as pyOCD lets it).
 */
export function pickListedKhz(
  listedKhz: readonly number[],
  requestedKhz: number,
): number | undefined {
  const sorted = [...listedKhz].filter((k) => k > 0).sort((a, b) => b - a);
  return sorted.find((k) => k <= requestedKhz) ?? sorted[sorted.length - 1];
}
