import {
  type AddressRange,
  formatRange,
  mergeRanges,
  subtractRanges,
} from '../image/address-range.js';

export type FlashRangeState = 'erased' | 'written' | 'unknown';

export interface FlashJournalReport {
  readonly erased: readonly AddressRange[];
  readonly written: readonly AddressRange[];
  readonly unknown: readonly AddressRange[];
}

/**
 * What this run has done to the flash, so that a failure mid-write can say exactly which
 * ranges are erased, which hold the new data, and which are in an unknown state (an
 * operation was in flight when the link dropped). Ranges not mentioned were not touched.
 */
export class FlashJournal {
  #erased: AddressRange[] = [];
  #written: AddressRange[] = [];
  #inFlight: AddressRange[] = [];

  /** An operation on `range` has started: its contents are unknown until it completes. */
  begin(range: AddressRange): void {
    this.#inFlight = mergeRanges([...this.#inFlight, range]);
  }

  erased(range: AddressRange): void {
    this.#settle(range);
    this.#written = subtractRanges(this.#written, [range]);
    this.#erased = mergeRanges([...this.#erased, range]);
  }

  written(range: AddressRange): void {
    this.#settle(range);
    this.#erased = subtractRanges(this.#erased, [range]);
    this.#written = mergeRanges([...this.#written, range]);
  }

  /** A whole-chip operation (mass erase, RDP regression) is in flight on these regions. */
  beginAll(regions: readonly AddressRange[]): void {
    for (const r of regions) this.begin(r);
  }

  report(): FlashJournalReport {
    return {
      erased: subtractRanges(this.#erased, this.#inFlight),
      written: subtractRanges(this.#written, this.#inFlight),
      unknown: [...this.#inFlight],
    };
  }

  /** Lines for humans: "erased 0x08000000..0x080003FF" and so on. */
  describe(): string[] {
    const { erased, written, unknown } = this.report();
    return [
      ...written.map((r) => `written  ${formatRange(r)}`),
      ...erased.map((r) => `erased   ${formatRange(r)}`),
      ...unknown.map((r) => `unknown  ${formatRange(r)}`),
    ];
  }

  #settle(range: AddressRange): void {
    this.#inFlight = subtractRanges(this.#inFlight, [range]);
  }
}
