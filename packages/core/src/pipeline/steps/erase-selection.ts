import { parseRangeSpec, parseSectorList } from '../../config/units.js';
import { chunkRanges } from '../../flash/planner.js';
import {
  formatRange,
  mergeRanges,
  rangesOverlap,
  subtractRanges,
  type AddressRange,
} from '../../image/address-range.js';
import { formatBytes, formatRanges, totalBytes } from '../../image/units-text.js';
import type { FlashRegion, StepOutcome, StepPlan, StepRunContext } from '../../plugin/types.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { optionsError, type OptionsOrigin } from './checks.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';

/**
 * An erase of named sectors or address ranges (`erase: { sectors: "0-3" }`, `flashwright
 * erase --range ...`). Ranges must be whole sectors: like OpenOCD's `flash erase_address`,
 * which refuses an unaligned range unless told `pad`, a range that does not start and end
 * on sector boundaries is an error naming the sectors around it, and `widen` erases those
 * whole sectors, saying so. Named sectors need no confirmation, as OpenOCD's `flash
 * erase_sector` and STM32CubeProgrammer's `-e [sectors]` need none: the user named exactly
 * what goes. Only erasing the whole flash (mass erase) is confirmed.
 */
export interface EraseSelection {
  /**
   * Sector numbers, from 0 at the lowest flash address, across banks, as ST numbers them
   * (RM0090 table "Flash module - 2 Mbyte dual bank organization": bank 2 holds sectors 12
   * to 23).
   */
  readonly sectors: readonly number[];
  /** Address ranges as given, half-open. */
  readonly ranges: readonly AddressRange[];
  /** Erase the whole sectors an unaligned range lies in, instead of refusing it. */
  readonly widen: boolean;
  readonly origin: OptionsOrigin;
}

/** One flash sector and its number. */
interface NumberedSector {
  readonly index: number;
  readonly range: AddressRange;
}

interface ResolvedSelection {
  /** The sectors to erase, in address order. */
  readonly sectors: readonly NumberedSector[];
  /** "0x08000100..0x080001FF widened to sector 0, 0x08000000..0x08003FFF", one per range. */
  readonly widened: readonly string[];
}

/** The selection from an erase step's options (checked by its schema), or undefined. */
export function parseSelection(
  options: {
    readonly sectors?: string | number | undefined;
    readonly ranges?: string | readonly string[] | undefined;
    readonly widen?: boolean | undefined;
  },
  origin: OptionsOrigin,
): EraseSelection | undefined {
  if (options.sectors === undefined && options.ranges === undefined) return undefined;
  const valueOf = <T>(parsed: { value: T } | { problem: string }): T => {
    if ('value' in parsed) return parsed.value;
    throw new FlashwrightError('INTERNAL', `erase: the schema let through ${parsed.problem}`);
  };
  const ranges = typeof options.ranges === 'string' ? [options.ranges] : (options.ranges ?? []);
  return {
    sectors: options.sectors === undefined ? [] : valueOf(parseSectorList(options.sectors)),
    ranges: ranges.map((r) => valueOf(parseRangeSpec(r))),
    widen: options.widen === true,
    origin,
  };
}

export function selectionTitle(selection: EraseSelection): string {
  const parts = [
    ...(selection.sectors.length === 0 ? [] : [sectorsText(selection.sectors)]),
    ...selection.ranges.map(formatRange),
  ];
  return `Erase ${parts.join(' and ')}`;
}

/** The plan: exact sectors with the layout from the database, else what was named. */
export function planSelection(
  selection: EraseSelection,
  layout: { readonly name: string; readonly flash: readonly FlashRegion[] } | undefined,
): StepPlan {
  if (layout === undefined) {
    return {
      lines: [
        `${selectionTitle(selection).toLowerCase()} (checked against the sector layout once the chip is identified${selection.widen ? '; ranges widened to whole sectors' : ', and ranges must be whole sectors'})`,
      ],
    };
  }
  let resolved: ResolvedSelection;
  try {
    resolved = resolveSelection(selection, layout.flash, layout.name);
  } catch (error) {
    if (error instanceof FlashwrightError) return { lines: [error.message], refusal: error };
    throw error;
  }
  const ranges = resolved.sectors.map((s) => s.range);
  return {
    bytes: totalBytes(ranges),
    lines: [describeErase(resolved.sectors), ...resolved.widened],
  };
}

/** Erases the selected sectors, whole, after the protection checks erase: auto makes. */
export async function eraseSelection(
  ctx: StepRunContext,
  selection: EraseSelection,
  chunkBytes: number,
): Promise<StepOutcome> {
  const device = await ctx.device();
  const protection = await ensureUnprotected(ctx, device);
  // The probe's flash driver, where it erases, has its own erase blocks: number those.
  const flash = await ctx.flash();
  const { sectors, widened } = resolveSelection(selection, flash.regions, device.name);
  for (const line of widened) ctx.log.warn(line);
  const ranges = sectors.map((s) => s.range);
  ensureNotWriteProtected(protection, ranges, device);
  const total = totalBytes(ranges);
  let done = 0;
  for (const chunk of chunkRanges(ranges, chunkBytes)) {
    ctx.checkpoint();
    await flash.erase(chunk, ctx.progress(done, total));
    done += totalBytes(chunk);
  }
  return {
    status: 'done',
    summary: describeErase(sectors).replace(/^erase/, 'erased'),
    bytes: total,
    counts: { erasedSectors: sectors.length },
    state: { erased: 'sectors', protection },
  };
}

/**
 * The sectors a selection names on this flash. A sector number past the last, a range
 * outside the flash, or (without `widen`) a range that is not whole sectors is an error.
 */
function resolveSelection(
  selection: EraseSelection,
  flash: readonly FlashRegion[],
  deviceName: string,
): ResolvedSelection {
  const { origin } = selection;
  const all: NumberedSector[] = flash
    .flatMap((r) => r.sectors)
    .sort((a, b) => a.start - b.start)
    .map((range, index) => ({ index, range }));
  const chosen = new Map<number, NumberedSector>();
  for (const index of selection.sectors) {
    const sector = all[index];
    if (sector === undefined) {
      throw optionsError(
        origin,
        `${deviceName} has no sector ${index}: its flash has ${all.length === 0 ? 'no sectors known' : `sectors 0-${all.length - 1}`}`,
        {
          hint: 'Sectors are numbered from 0 at the lowest flash address, across banks; `flashwright info` shows how many each bank has.',
          key: 'sectors',
          label: '--sectors',
        },
      );
    }
    chosen.set(index, sector);
  }
  const widened: string[] = [];
  for (const range of selection.ranges) {
    const touched = all.filter((s) => rangesOverlap(s.range, range));
    const outside = subtractRanges(
      [range],
      touched.map((s) => s.range),
    );
    if (outside.length > 0) {
      const spans = mergeRanges(flash.map((r) => ({ start: r.start, end: r.end })));
      const which = touched.length === 0 ? 'is' : `is not all flash: ${formatRanges(outside)} lies`;
      throw optionsError(
        origin,
        `${formatRange(range)} ${which} outside the flash of ${deviceName} (${formatRanges(spans)})`,
        { hint: 'Name flash addresses only (`flashwright info` shows the flash).', ...RANGES },
      );
    }
    const whole = { start: touched[0]!.range.start, end: touched.at(-1)!.range.end };
    const indices = touched.map((s) => s.index);
    const around = `${sectorsText(indices)}, ${formatRange(whole)}`;
    if (whole.start !== range.start || whole.end !== range.end) {
      if (!selection.widen) {
        throw optionsError(
          origin,
          `${formatRange(range)} does not start and end on sector boundaries, and an erase clears whole sectors`,
          {
            hint: `It lies in ${around}. Name whole sectors (${
              origin.fromCommand
                ? `--range ${formatRange(whole)} or --sectors ${sectorList(indices)}), or add --widen`
                : `ranges: "${formatRange(whole)}" or sectors: "${sectorList(indices)}"), or add widen: true`
            } to erase all of ${indices.length === 1 ? 'it' : 'them'}.`,
            details: { range, sectors: whole },
            ...RANGES,
          },
        );
      }
      widened.push(`${formatRange(range)} widened to whole ${around}`);
    }
    for (const sector of touched) chosen.set(sector.index, sector);
  }
  return { sectors: [...chosen.values()].sort((a, b) => a.index - b.index), widened };
}

/** Where a range error points: the recipe's `ranges`, or the command's --range. */
const RANGES = { key: 'ranges', label: '--range' } as const;

/** "erase sectors 0-3 (64 KB): 0x08000000..0x0800FFFF". */
function describeErase(sectors: readonly NumberedSector[]): string {
  const ranges = sectors.map((s) => s.range);
  return `erase ${sectorsText(sectors.map((s) => s.index))} (${formatBytes(totalBytes(ranges))}): ${formatRanges(mergeRanges(ranges))}`;
}

/** "sector 7", "sectors 0-3,7". */
function sectorsText(indices: readonly number[]): string {
  return `${indices.length === 1 ? 'sector' : 'sectors'} ${sectorList(indices)}`;
}

/** [0, 1, 2, 3, 7] as "0-3,7", the form --sectors takes. */
function sectorList(indices: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < indices.length) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
