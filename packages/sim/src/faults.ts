/**
 * Faults to inject into a simulated session, as listed in a recipe's
 * `probe.options.faults`. Counting is per session and starts at 1.
 */
export type FaultSpec =
  /** The Nth USB transfer (OUT or IN) times out; later transfers work again. */
  | { readonly kind: 'usb-timeout'; readonly atTransfer: number }
  /** The Nth USB transfer stalls the endpoint. */
  | { readonly kind: 'usb-stall'; readonly atTransfer: number }
  /** The probe disappears at the Nth transfer (every later transfer fails). */
  | { readonly kind: 'disconnect'; readonly atTransfer: number }
  /** The target loses power after `afterFlashBytes` bytes have been programmed. */
  | { readonly kind: 'power-loss'; readonly afterFlashBytes: number }
  /** The SW-DP answers WAIT `count` times starting at the Nth AP access. */
  | { readonly kind: 'swd-wait'; readonly atAccess: number; readonly count: number }
  /** Any bus access to this address range faults. */
  | { readonly kind: 'bus-fault'; readonly address: number; readonly length?: number }
  /** Programming or erasing the page/sector containing `address` raises a flash error flag. */
  | { readonly kind: 'flash-error'; readonly address: number };

/** The faults of one session, and the counters they trigger on. Shared by all sim layers. */
export class FaultPlan {
  usbTransfers = 0;
  apAccesses = 0;
  flashBytesProgrammed = 0;

  constructor(readonly specs: readonly FaultSpec[] = []) {}

  of<K extends FaultSpec['kind']>(kind: K): Extract<FaultSpec, { kind: K }>[] {
    return this.specs.filter((f): f is Extract<FaultSpec, { kind: K }> => f.kind === kind);
  }
}
