import { FlashImage } from '@flashwright/core/image';
import type { Logger, Probe } from '@flashwright/core/plugin';
import {
  createVirtualSession,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { StLinkProbe, type WaitRetryPolicy } from '@flashwright/transport-stlink';
import type { Stm32Device } from '../../src/device/stm32-device.js';
import { stm32Family } from '../../src/family.js';
import type { LoaderMode } from '../../src/flash/ram-loader.js';

export interface RecordingLog extends Logger {
  readonly lines: string[];
}

export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
  };
}

export interface SimRig {
  readonly session: VirtualSession;
  readonly probe: Probe;
  readonly log: RecordingLog;
  /** Virtual time since the session started, in ms. */
  elapsedMs(): number;
  identify(options?: { flashSizeBytes?: number; loader?: LoaderMode }): Promise<Stm32Device>;
  close(): Promise<void>;
}

/**
 * The simulated chip of `options.device` behind a virtual ST-Link, driven through the real
 * ST-Link transport: the same path a user's board takes, minus USB. The probe reports the
 * session's virtual time, as transport-virtual does. `waitRetry` replaces the driver's WAIT
 * retry policy (tests take out the back-off delays).
 */
export async function simRig(
  options: Partial<VirtualSessionOptions> & { device: string; waitRetry?: WaitRetryPolicy },
  speedKhz = 4000,
): Promise<SimRig> {
  const { waitRetry, ...sessionOptions } = options;
  const session = createVirtualSession({ probe: 'stlink-v2', ...sessionOptions });
  const log = recordingLog();
  const stlink = await StLinkProbe.open(session.device, {
    log,
    ...(waitRetry ? { waitRetry } : {}),
  });
  const probe: Probe = {
    get info() {
      return stlink.info;
    },
    access: stlink.access,
    get warnings() {
      return stlink.warnings;
    },
    memory: stlink.memory,
    connect: (o) => stlink.connect(o),
    reset: (kind, o) => stlink.reset(kind, o),
    targetVoltage: (signal) => stlink.targetVoltage(signal),
    stats: () => ({ ...stlink.stats(), virtualElapsedMs: session.stats().virtualMs }),
    close: () => stlink.close(),
  };
  await probe.connect({ speedKhz });
  return {
    session,
    probe,
    log,
    elapsedMs: () => session.stats().virtualMs,
    async identify(identifyOptions = {}) {
      const device = await stm32Family.identify(
        { probe, memory: probe.memory, log, connectOptions: { speedKhz } },
        identifyOptions,
      );
      if (!device) throw new Error('not identified');
      return device as Stm32Device;
    },
    async close() {
      await probe.close();
      await session.close();
    },
  };
}

/** Deterministic non-erased bytes (never a whole erased unit). */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) & 0xff;
  }
  // No unit may look erased (0x00 or 0xFF everywhere): every even byte is 0x01..0xFE.
  for (let i = 0; i < length; i += 2) out[i] = 1 + ((out[i] ?? 0) % 254);
  return out;
}

export function imageAt(address: number, data: Uint8Array): FlashImage {
  return FlashImage.from([[address, data]]);
}

export const noProgress = (): void => undefined;
