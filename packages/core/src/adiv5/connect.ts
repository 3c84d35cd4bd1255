import { FlashwrightError } from '../errors/flashwright-error.js';
import { sleep } from '../util/abort.js';
import { hex32 } from './errors.js';
import { decodeApIdr, decodeDpidr, isPlausibleDpidr, type DpIdentity } from './identity.js';
import { MemApMemory } from './mem-ap.js';
import type { DapRegisterPort, SwdWire } from './ports.js';
import { ABORT_CLEAR_STICKY, CtrlStat, DpRegister, MemApRegister } from './registers.js';
import { SwDp } from './sw-dp.js';
import type { ApInfo, ConnectSwdOptions, MemApPort, SwdConnection } from './types.js';

const DEFAULT_POWER_UP_TIMEOUT_MS = 1000;
const DEFAULT_TRANSFER_START_US = 1000;
const POWER_POLL_MS = 1;
const POWER_ACKS = (CtrlStat.CDBGPWRUPACK | CtrlStat.CSYSPWRUPACK) >>> 0;
/** BASE of a MEM-AP without debug entry, legacy format (ADIv5.2, BASE register description). */
const BASE_LEGACY_ABSENT = 0xffffffff;

function checkLimits(wire: SwdWire): void {
  const { maxTransfers, maxBlockWords, callsInFlight } = wire.limits;
  if (!(maxTransfers >= 4 && maxBlockWords >= 1 && callsInFlight >= 1)) {
    throw new FlashwrightError(
      'INTERNAL',
      `SWD wire limits too small: ${maxTransfers} transfers, ${maxBlockWords} block words, ${callsInFlight} calls in flight`,
      {
        hint: 'This is a bug in the transport (its SwdWire.limits). Re-run with -v and report it.',
      },
    );
  }
}

/**
 * Debug and system power-up (ADIv5.2, DP "System and debug power control"): sticky flags
 * cleared through ABORT, SELECT = 0, CTRL/STAT = CDBGPWRUPREQ | CSYSPWRUPREQ in one batch,
 * then CTRL/STAT polled until both ACKs are set (pyOCD dap.py power_up_debug; dapjs adi.ts
 * connect).
 */
async function powerUp(dp: SwDp, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await dp.registerBatch(
    () => {
      dp.forget();
      const select = dp.selectAp(0, 0);
      return [
        { port: 'dp', register: DpRegister.ABORT, value: ABORT_CLEAR_STICKY },
        ...select,
        {
          port: 'dp',
          register: DpRegister.CTRL_STAT,
          value: (CtrlStat.CDBGPWRUPREQ | CtrlStat.CSYSPWRUPREQ) >>> 0,
        },
      ];
    },
    'debug power-up request',
    undefined,
    signal,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [status = 0] = await dp.registerBatch(
      () => [{ port: 'dp', register: DpRegister.CTRL_STAT }],
      'CTRL/STAT read',
      undefined,
      signal,
    );
    if ((status & POWER_ACKS) >>> 0 === POWER_ACKS) return;
    if (Date.now() >= deadline) {
      throw new FlashwrightError(
        'TARGET_NO_RESPONSE',
        `The debug power domain did not power up within ${timeoutMs} ms (CTRL/STAT ${hex32(status)})`,
        {
          hint: 'Check the target supply; a chip in deep sleep or with its SWD pins remapped needs probe.connect: under-reset.',
          details: { ctrlStat: status },
        },
      );
    }
    await sleep(POWER_POLL_MS, signal);
  }
}

class Connection implements SwdConnection {
  #aps: Promise<readonly ApInfo[]> | undefined;
  readonly #memories = new Map<number, Promise<MemApPort>>();

  constructor(
    readonly dp: SwDp,
    public dpidr: number,
    readonly options: ConnectSwdOptions,
  ) {}

  get dpIdentity(): DpIdentity {
    return decodeDpidr(this.dpidr);
  }

  get dap(): DapRegisterPort {
    return this.dp;
  }

  aps(signal?: AbortSignal): Promise<readonly ApInfo[]> {
    this.#aps ??= discoverAps(this.dp, signal);
    const found = this.#aps;
    found.catch(() => {
      if (this.#aps === found) this.#aps = undefined;
    });
    return found;
  }

  memory(apsel = 0, signal?: AbortSignal): Promise<MemApPort> {
    let port = this.#memories.get(apsel);
    if (port === undefined) {
      port = MemApMemory.open(
        this.dp,
        apsel,
        {
          transferStartUs: this.options.transferStartUs ?? DEFAULT_TRANSFER_START_US,
          readBytesPerSecond: this.options.readBytesPerSecond,
        },
        signal,
      );
      this.#memories.set(apsel, port);
      port.catch(() => this.#memories.delete(apsel));
    }
    return port;
  }

  clearStickyErrors(signal?: AbortSignal): Promise<void> {
    return this.dp.exclusive(() => this.dp.clearStickyErrors(signal));
  }

  reconnect(signal?: AbortSignal): Promise<void> {
    return this.dp.exclusive(async () => {
      this.dpidr = await attachDp(this.dp, false, signal);
      await powerUp(this.dp, this.options.powerUpTimeoutMs ?? DEFAULT_POWER_UP_TIMEOUT_MS, signal);
    });
  }
}

async function attachDp(dp: SwDp, switchToSwd: boolean, signal?: AbortSignal): Promise<number> {
  const dpidr = await dp.attach(switchToSwd, signal);
  if (!isPlausibleDpidr(dpidr)) {
    throw new FlashwrightError(
      'TARGET_NO_RESPONSE',
      `The DPIDR read ${hex32(dpidr)}, which no SW-DP returns (bit 0 reads as one)`,
      {
        hint: 'Check SWDIO and SWCLK wiring and the target supply; lower probe.speed.',
        details: { dpidr },
      },
    );
  }
  return dpidr;
}

/**
 * AP discovery by IDR (ADIv5.2, AP IDR: an IDR of zero means no AP at that APSEL). APSEL is
 * scanned from 0 and the scan stops at the first absent AP after AP 0, as probe-rs does
 * (probe-rs arm/ap valid_access_ports, take_while on a valid IDR) and pyOCD does by default
 * (coresight/dap.py find_aps). MEM-APs get their BASE read.
 */
async function discoverAps(dp: SwDp, signal?: AbortSignal): Promise<readonly ApInfo[]> {
  return dp.exclusive(async () => {
    const found: ApInfo[] = [];
    for (let apsel = 0; apsel <= 0xff; apsel++) {
      const [idr = 0] = await dp.registerBatch(
        () => [
          ...dp.selectAp(apsel, MemApRegister.IDR),
          { port: 'ap', register: MemApRegister.IDR & 0xc },
        ],
        `read of AP ${apsel} IDR`,
        apsel,
        signal,
      );
      if (idr === 0) {
        if (apsel === 0) continue;
        break;
      }
      const identity = decodeApIdr(idr);
      let base: number | undefined;
      if (identity.class === 'mem-ap') {
        [base] = await dp.registerBatch(
          () => [
            ...dp.selectAp(apsel, MemApRegister.BASE),
            { port: 'ap', register: MemApRegister.BASE & 0xc },
          ],
          `read of AP ${apsel} BASE`,
          apsel,
          signal,
        );
      }
      const present = base !== undefined && (base & 1) === 1 && base !== BASE_LEGACY_ABSENT;
      found.push({
        ...identity,
        apsel,
        base,
        romTable: present && base !== undefined ? (base & ~0xfff) >>> 0 : undefined,
      });
      dp.log.debug(
        `AP ${apsel}: ${identity.name}, IDR ${hex32(idr)}${base === undefined ? '' : `, BASE ${hex32(base)}`}`,
      );
    }
    return found;
  });
}

/**
 * Connects core's ADIv5 layer to an SW-DP over a raw wire: the JTAG-to-SWD switch and a line
 * reset, the DPIDR read, sticky flags cleared, debug and system power-up. The connection then
 * offers DP/AP register access (`dap`), AP discovery and a MemoryPort per MEM-AP.
 */
export async function connectSwd(
  wire: SwdWire,
  options: ConnectSwdOptions = {},
): Promise<SwdConnection> {
  checkLimits(wire);
  const { signal } = options;
  const dp = new SwDp(wire, { log: options.log, waitRetry: options.waitRetry });
  return dp.exclusive(async () => {
    const dpidr = await attachDp(dp, options.switchToSwd ?? true, signal);
    const identity = decodeDpidr(dpidr);
    dp.log.debug(
      `SW-DP: DPIDR ${hex32(dpidr)} (DPv${identity.version}, designer 0x${identity.designer.toString(16)}, part 0x${identity.partNo.toString(16)}, revision ${identity.revision})`,
    );
    await powerUp(dp, options.powerUpTimeoutMs ?? DEFAULT_POWER_UP_TIMEOUT_MS, signal);
    return new Connection(dp, dpidr, options);
  });
}
