/**
 * Faults to inject into a simulated session, as listed in a recipe's
 * `probe.options.faults`. Counting is per session and starts at 1.
 */
export type FaultSpec =
  /** The Nth USB transfer (OUT or IN) times out; later transfers work again. */
  | { readonly kind: 'usb-timeout'; readonly atTransfer: number }
  /** The Nth USB transfer stalls the endpoint (until the host clears the halt). */
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

/** What the Nth USB transfer suffers, if anything. */
export type UsbFault = 'timeout' | 'stall' | 'disconnect';

/** The faults of one session, and the counters they trigger on. Shared by all sim layers. */
export class FaultPlan {
  usbTransfers = 0;
  apAccesses = 0;
  flashBytesProgrammed = 0;
  /** Set once a power-loss fault has fired: the target is unpowered from then on. */
  powerLost = false;
  /** Set once a disconnect fault has fired: the probe is gone from then on. */
  disconnected = false;

  readonly #powerLossListeners: (() => void)[] = [];
  readonly #disconnectListeners: (() => void)[] = [];

  constructor(readonly specs: readonly FaultSpec[] = []) {}

  of<K extends FaultSpec['kind']>(kind: K): Extract<FaultSpec, { kind: K }>[] {
    return this.specs.filter((f): f is Extract<FaultSpec, { kind: K }> => f.kind === kind);
  }

  onPowerLoss(listener: () => void): void {
    this.#powerLossListeners.push(listener);
  }

  onDisconnect(listener: () => void): void {
    this.#disconnectListeners.push(listener);
  }

  /**
   * Counts one USB transfer (the probe front end calls it for every transferIn/Out) and
   * says what goes wrong with it. A disconnect is permanent.
   */
  nextUsbTransfer(): UsbFault | undefined {
    if (this.disconnected) return 'disconnect';
    const n = ++this.usbTransfers;
    if (this.of('disconnect').some((f) => f.atTransfer <= n)) {
      this.disconnected = true;
      for (const listener of this.#disconnectListeners) listener();
      return 'disconnect';
    }
    if (this.of('usb-timeout').some((f) => f.atTransfer === n)) return 'timeout';
    if (this.of('usb-stall').some((f) => f.atTransfer === n)) return 'stall';
    return undefined;
  }

  /** Counts one AP access (the DP calls it) and says whether the DP answers WAIT to it. */
  nextApAccessWaits(): boolean {
    const n = ++this.apAccesses;
    return this.of('swd-wait').some((f) => n >= f.atAccess && n < f.atAccess + f.count);
  }

  /** Whether a bus access of `size` bytes at `address` hits an injected bus fault. */
  busFaultAt(address: number, size: number): boolean {
    return this.of('bus-fault').some(
      (f) => address < f.address + (f.length ?? 1) && f.address < address + size,
    );
  }

  /**
   * Whether programming or erasing [start, end) (one page or sector: the chip model passes
   * the whole unit) raises the family's flash error flag.
   */
  flashErrorIn(start: number, end: number): boolean {
    return this.of('flash-error').some((f) => f.address >= start && f.address < end);
  }

  /**
   * A chip model calls this before it commits `byteCount` programmed bytes to its flash
   * array, and commits only the bytes this returns. When the power-loss budget runs out
   * the rest is lost, `powerLost` is set and the listeners (board, session) run: from then
   * on the target is dead until a new session.
   */
  admitFlashProgram(byteCount: number): number {
    if (this.powerLost) return 0;
    const limits = this.of('power-loss').map((f) => f.afterFlashBytes);
    const limit = limits.length === 0 ? Infinity : Math.min(...limits);
    const room = Math.max(0, limit - this.flashBytesProgrammed);
    const admitted = Math.min(byteCount, room);
    this.flashBytesProgrammed += admitted;
    if (admitted < byteCount || (limit !== Infinity && this.flashBytesProgrammed >= limit)) {
      this.powerLost = true;
      for (const listener of this.#powerLossListeners) listener();
    }
    return admitted;
  }
}
