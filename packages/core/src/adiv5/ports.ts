/**
 * The two ADIv5 seams below memory access, as contracts between transports and the layers
 * above them (ARM IHI 0031, ARM Debug Interface Architecture Specification ADIv5.0 to
 * ADIv5.2, chapters B2 "The Debug Port" and C2 "The Memory Access Port").
 *
 * Register arguments are byte addresses:
 * - DP (SW-DP, register bank from SELECT.DPBANKSEL): 0x0 DPIDR (read) / ABORT (write),
 *   0x4 CTRL/STAT, 0x8 SELECT (write) / RESEND (read), 0xC RDBUFF;
 * - AP (A[7:0], bank from SELECT.APBANKSEL): MEM-AP 0x00 CSW, 0x04 TAR, 0x0C DRW,
 *   0x10-0x1C BD0-BD3, 0xF8 BASE, 0xFC IDR; a vendor AP (Nordic's CTRL-AP) has its own.
 */

/** DP and AP register access, whoever does the SWD protocol underneath. */
export interface DapRegisterPort {
  readDp(register: number, signal?: AbortSignal): Promise<number>;
  writeDp(register: number, value: number, signal?: AbortSignal): Promise<void>;
  /** `ap` is APSEL (0-255). The port selects the AP and bank itself. */
  readAp(ap: number, register: number, signal?: AbortSignal): Promise<number>;
  writeAp(ap: number, register: number, value: number, signal?: AbortSignal): Promise<void>;
}

/** The acknowledgement of one SWD transaction; `no-ack` is a line nobody drives. */
export type SwdAck = 'ok' | 'wait' | 'fault' | 'no-ack';

/** One SWD transaction of a batch. */
export interface DapTransfer {
  readonly port: 'dp' | 'ap';
  /** A[3:2] as a byte address: 0x0, 0x4, 0x8 or 0xC (the bank is whatever SELECT holds). */
  readonly register: number;
  /** The value to write; a read when absent. */
  readonly value?: number | undefined;
}

/** How a batch of transactions ended. */
export interface DapTransferResult {
  /** Transactions completed with an OK acknowledgement, counted from the first. */
  readonly completed: number;
  /**
   * The acknowledgement that ended the batch: `ok` when all completed; `wait` after the
   * probe's own WAIT retries ran out; `protocol-error` for a parity or protocol error.
   */
  readonly ack: SwdAck | 'protocol-error';
  /** Read data of the completed reads, in order (AP reads already resolved, not posted). */
  readonly reads: readonly number[];
}

/** What a raw wire accepts in one call. */
export interface SwdWireLimits {
  /** Most transactions `transfer` takes in one call. */
  readonly maxTransfers: number;
  /** Most words `readBlock` or `writeBlock` moves in one call. */
  readonly maxBlockWords: number;
  /** Calls the wire keeps in flight at once (the probe's packet count). */
  readonly callsInFlight: number;
}

/**
 * A probe that only moves SWD transactions (CMSIS-DAP): core's ADIv5 layer drives the DP,
 * the APs and memory over it. Calls may overlap (issued without awaiting the previous one):
 * the wire keeps up to `limits.callsInFlight` at the probe and completes them in order. A
 * batch stops at its first transaction that is not acknowledged OK; later transactions of
 * it are not sent.
 */
export interface SwdWire {
  readonly limits: SwdWireLimits;
  /** Clocks out `bitCount` bits of `bits` on SWDIO, least significant bit of byte 0 first. */
  swjSequence(bitCount: number, bits: Uint8Array, signal?: AbortSignal): Promise<void>;
  transfer(transfers: readonly DapTransfer[], signal?: AbortSignal): Promise<DapTransferResult>;
  /** `count` reads of one register (AP DRW for memory), resolved as `transfer` does. */
  readBlock(
    port: 'dp' | 'ap',
    register: number,
    count: number,
    signal?: AbortSignal,
  ): Promise<DapTransferResult>;
  /** One write to one register per word; `reads` is empty. */
  writeBlock(
    port: 'dp' | 'ap',
    register: number,
    words: Uint32Array,
    signal?: AbortSignal,
  ): Promise<DapTransferResult>;
}

/**
 * How a probe reaches the target, after connect:
 * - `memory`: memory only (a GDB server);
 * - `ap`: the probe's firmware does the DP and AP protocol and offers register access
 *   (ST-Link's READ_DAP_REG / WRITE_DAP_REG, where its firmware allows AP selection);
 * - `raw-dap`: the probe moves SWD transactions and core's ADIv5 layer does the rest
 *   (CMSIS-DAP); `dap` is that layer's register access.
 */
export type ProbeAccess =
  | { readonly level: 'memory' }
  | { readonly level: 'ap'; readonly dap: DapRegisterPort }
  | { readonly level: 'raw-dap'; readonly dap: DapRegisterPort; readonly wire: SwdWire };

export type ProbeAccessLevel = ProbeAccess['level'];
