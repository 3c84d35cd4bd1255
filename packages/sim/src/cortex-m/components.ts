import type { BusRegion } from '../bus.js';
import type { CoreArchitecture } from './core.js';
import { RegisterStore, WordRegisterRegion, type WordRegisters } from './word-region.js';

/** Addresses of the Cortex-M debug components in the PPB (ARMv7-M/v6-M ARM). */
export const PpbAddress = {
  ITM: 0xe0000000,
  DWT: 0xe0001000,
  FPB: 0xe0002000,
  SCS: 0xe000e000,
  TPIU: 0xe0040000,
  ROM_TABLE: 0xe00ff000,
} as const;

/** CoreSight component class in CIDR1[7:4]. */
const ComponentClass = { ROM_TABLE: 0x1, GENERIC_IP: 0xe } as const;

/**
 * The CoreSight identification registers at 0xFD0-0xFFC of a 4 KB component: PIDR4-7,
 * PIDR0-3 and CIDR0-3, for an Arm-designed part (JEP106 continuation 4, code 0x3B).
 */
export function componentIdWord(
  offset: number,
  partNo: number,
  componentClass: number,
): number | undefined {
  switch (offset) {
    case 0xfd0:
      return 0x04;
    case 0xfd4:
    case 0xfd8:
    case 0xfdc:
      return 0;
    case 0xfe0:
      return partNo & 0xff;
    case 0xfe4:
      return ((partNo >>> 8) & 0xf) | (0xb << 4);
    case 0xfe8:
      return 0x0b;
    case 0xfec:
      return 0;
    case 0xff0:
      return 0x0d;
    case 0xff4:
      return componentClass << 4;
    case 0xff8:
      return 0x05;
    case 0xffc:
      return 0xb1;
    default:
      return undefined;
  }
}

/** A component whose registers read back what was written, apart from a few fixed ones. */
class SimpleComponent implements WordRegisters {
  readonly #store = new RegisterStore();

  constructor(
    readonly partNo: number,
    readonly fixed: (offset: number) => number | undefined,
    readonly onWrite?: (offset: number, value: number, store: RegisterStore) => boolean,
  ) {}

  readWord(offset: number): number {
    return (
      this.fixed(offset) ??
      componentIdWord(offset, this.partNo, ComponentClass.GENERIC_IP) ??
      this.#store.get(offset)
    );
  }

  writeWord(offset: number, value: number): void {
    if (offset >= 0xfd0) return;
    if (this.onWrite?.(offset, value, this.#store)) return;
    this.#store.set(offset, value);
  }
}

export interface DebugComponentsContext {
  readonly architecture: CoreArchitecture;
  /** PC as DWT_PCSR samples it, or undefined while halted (reads 0xFFFFFFFF then). */
  sampledPc(): number | undefined;
}

/**
 * ITM, DWT and FPB with the comparator counts of the Cortex-M3/M4 (v7-M: 4 DWT, 6 code + 2
 * literal FPB) or the Cortex-M0 (v6-M: 2 DWT, 4 FPB), plus the Arm ROM table that lists
 * them and the SCS. Comparators are storage only: the interpreter does not check them, so
 * neither an FPB breakpoint nor a DWT watchpoint ever matches (a BKPT instruction halts).
 */
export function debugComponentRegions(ctx: DebugComponentsContext): BusRegion[] {
  const v7 = ctx.architecture === 'v7-m';
  let fpbEnabled = false;
  const itm = new SimpleComponent(0x001, () => undefined);
  const dwt = new SimpleComponent(0x002, (offset) => {
    if (offset === 0x000) return v7 ? 0x40000000 : 0x20000000;
    if (offset === 0x01c) return ctx.sampledPc() ?? 0xffffffff;
    return undefined;
  });
  const fpb = new SimpleComponent(
    0x003,
    (offset) => (offset === 0x000 ? (v7 ? 0x260 : 0x040) | (fpbEnabled ? 1 : 0) : undefined),
    (offset, value) => {
      if (offset !== 0x000) return false;
      // FP_CTRL.ENABLE changes only when KEY (bit 1) is written as 1.
      if (value & 0x2) fpbEnabled = (value & 0x1) !== 0;
      return true;
    },
  );
  const romEntries = [PpbAddress.SCS, PpbAddress.DWT, PpbAddress.FPB, PpbAddress.ITM].map(
    (address) => ((address - PpbAddress.ROM_TABLE) | 0x3) >>> 0,
  );
  const romTable: WordRegisters = {
    readWord(offset) {
      if (offset < romEntries.length * 4) return romEntries[offset / 4] ?? 0;
      // MEMTYPE (0xFCC): system memory present on the bus.
      if (offset === 0xfcc) return 0x1;
      return componentIdWord(offset, v7 ? 0x4c3 : 0x4c0, ComponentClass.ROM_TABLE) ?? 0;
    },
    writeWord() {},
  };
  return [
    new WordRegisterRegion('ITM', PpbAddress.ITM, PpbAddress.ITM + 0x1000, itm),
    new WordRegisterRegion('DWT', PpbAddress.DWT, PpbAddress.DWT + 0x1000, dwt),
    new WordRegisterRegion('FPB', PpbAddress.FPB, PpbAddress.FPB + 0x1000, fpb),
    new WordRegisterRegion(
      'ROM table',
      PpbAddress.ROM_TABLE,
      PpbAddress.ROM_TABLE + 0x1000,
      romTable,
    ),
  ];
}
