/** Access size in bytes on the simulated AHB. */
export type BusSize = 1 | 2 | 4;

/**
 * A bus error, as the AHB reports it to the MEM-AP (which turns it into a FAULT ack and
 * sets CTRL/STAT.STICKYERR). `reason` is for test assertions and logs only; silicon
 * does not say why.
 */
export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly address: number,
    readonly reason: string,
  ) {
    super(`bus error at 0x${(address >>> 0).toString(16).padStart(8, '0')}: ${reason}`);
  }
}

/** A memory or peripheral mapped on the bus at [start, end). Addresses passed are absolute. */
export interface BusRegion {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Returns the value (little-endian, `size` bytes). Throws BusError to fault. */
  read(address: number, size: BusSize): number;
  /** Throws BusError to fault. */
  write(address: number, size: BusSize, value: number): void;
}

/** The system bus behind the MEM-AP: routes each access to the region that maps it. */
export class SystemBus {
  readonly #regions: BusRegion[] = [];
  #last: BusRegion | undefined;

  map(region: BusRegion): void {
    const clash = this.#regions.find((r) => region.start < r.end && r.start < region.end);
    if (clash) throw new Error(`bus region ${region.name} overlaps ${clash.name}`);
    this.#regions.push(region);
    this.#regions.sort((a, b) => a.start - b.start);
  }

  regionAt(address: number): BusRegion | undefined {
    // Accesses come in runs (a block read or write, a polled register): the region of the
    // last one usually holds this one too. Regions are never unmapped, so it stays valid.
    const last = this.#last;
    if (last !== undefined && address >= last.start && address < last.end) return last;
    for (const r of this.#regions) {
      if (address >= r.start && address < r.end) return (this.#last = r);
    }
    return undefined;
  }

  read(address: number, size: BusSize): number {
    const region = this.#route(address, size);
    return region.read(address >>> 0, size) >>> 0;
  }

  write(address: number, size: BusSize, value: number): void {
    this.#route(address, size).write(address >>> 0, size, value >>> 0);
  }

  #route(address: number, size: BusSize): BusRegion {
    const region = this.regionAt(address >>> 0);
    if (!region || address + size > region.end) {
      throw new BusError(address, 'no memory or peripheral mapped here');
    }
    return region;
  }
}

/** Plain read/write memory (SRAM), zero-initialised. */
export class RamRegion implements BusRegion {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(
    readonly name: string,
    readonly start: number,
    size: number,
  ) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  get end(): number {
    return this.start + this.bytes.length;
  }

  read(address: number, size: BusSize): number {
    return readLittleEndian(this.#view, address - this.start, size);
  }

  write(address: number, size: BusSize, value: number): void {
    writeLittleEndian(this.#view, address - this.start, size, value);
  }
}

export function readLittleEndian(view: DataView, offset: number, size: BusSize): number {
  switch (size) {
    case 1:
      return view.getUint8(offset);
    case 2:
      return view.getUint16(offset, true);
    case 4:
      return view.getUint32(offset, true);
  }
}

export function writeLittleEndian(
  view: DataView,
  offset: number,
  size: BusSize,
  value: number,
): void {
  switch (size) {
    case 1:
      view.setUint8(offset, value & 0xff);
      return;
    case 2:
      view.setUint16(offset, value & 0xffff, true);
      return;
    case 4:
      view.setUint32(offset, value >>> 0, true);
      return;
  }
}
