import type { MemoryPort } from '../ports/memory-port.js';
import type { DapRegisterPort } from './ports.js';
import type { ApIdentity, DpIdentity } from './identity.js';

/** Where the layer says what it did (a plugin's Logger fits). */
export interface DebugLog {
  debug(message: string): void;
}

/** How core's ADIv5 layer retries a WAIT the wire's own retries did not clear. */
export interface WaitRetryPolicy {
  /** Attempts after the first, each after a DAPABORT. */
  readonly retries: number;
  /** Back-off before the first retry, doubled before each later one. */
  readonly firstDelayMs: number;
}

export interface ConnectSwdOptions {
  readonly signal?: AbortSignal | undefined;
  readonly log?: DebugLog | undefined;
  /** How long CTRL/STAT may take to acknowledge the power-up request (default 1000 ms). */
  readonly powerUpTimeoutMs?: number | undefined;
  /**
   * Send the JTAG-to-SWD switch sequence before the line reset (default true). A probe whose
   * connect already selected SWD may leave it out; it is harmless on an SW-DP either way.
   */
  readonly switchToSwd?: boolean | undefined;
  /** Default: 8 retries, 1 ms doubling (as the ST-Link path: OpenOCD stlink_usb.c). */
  readonly waitRetry?: WaitRetryPolicy | undefined;
  /**
   * What one more wire call costs the caller in microseconds (one USB round trip of the
   * probe), for MemoryPort.limits.transferStartUs. Default: a full-speed USB frame, 1000.
   */
  readonly transferStartUs?: number | undefined;
  /** The probe's estimate for MemoryPort.limits.readBytesPerSecond, where it can make one. */
  readonly readBytesPerSecond?: number | undefined;
}

/** One access port found by AP discovery. */
export interface ApInfo extends ApIdentity {
  /** APSEL. */
  readonly apsel: number;
  /**
   * MEM-AP only: the BASE register as read (ROM table address and present/format bits);
   * undefined for other APs.
   */
  readonly base: number | undefined;
  /**
   * MEM-AP only: the ROM table address (BASE[31:12]) when BASE says one is present
   * (BASE bit 0 set, and not the legacy "no debug entry" value 0xFFFFFFFF).
   */
  readonly romTable: number | undefined;
}

/** What a MEM-AP offers, found when its MemoryPort is made. */
export interface MemApCapabilities {
  /** The CSW the AP came up with (its implementation-defined Prot bits are kept). */
  readonly resetCsw: number;
  /** 8- and 16-bit accesses work (CSW.Size reads back as written). */
  readonly narrowAccess: boolean;
  /** AddrInc = packed reads back as written: 8- and 16-bit data go 4 or 2 per DRW access. */
  readonly packed: boolean;
}

/** Core's MemoryPort over one MEM-AP. */
export interface MemApPort extends MemoryPort {
  readonly apsel: number;
  readonly capabilities: MemApCapabilities;
}

/** An SW-DP after connectSwd: powered up, sticky errors cleared. */
export interface SwdConnection {
  /** The DPIDR read after the line reset. */
  readonly dpidr: number;
  readonly dpIdentity: DpIdentity;
  /** DP and AP register access with SELECT caching and error recovery (Probe.access.dap). */
  readonly dap: DapRegisterPort;
  /** The APs found by IDR (scanned once, then cached). */
  aps(signal?: AbortSignal): Promise<readonly ApInfo[]>;
  /** A MemoryPort over the MEM-AP at `apsel` (default 0), made once per AP. */
  memory(apsel?: number, signal?: AbortSignal): Promise<MemApPort>;
  /** Clears the sticky error flags through ABORT. */
  clearStickyErrors(signal?: AbortSignal): Promise<void>;
  /**
   * Line reset, DPIDR read and power-up again (after the target reset or lost the line);
   * forgets SELECT and every AP's CSW.
   */
  reconnect(signal?: AbortSignal): Promise<void>;
}
