import type { Logger } from '@flashwright/core/plugin';
import {
  createVirtualSession,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { StLinkProbe, type StLinkOpenOptions } from '../../src/driver/stlink-probe.js';

export interface Rig {
  readonly session: VirtualSession;
  readonly probe: StLinkProbe;
  readonly warnings: string[];
  close(): Promise<void>;
}

export interface RecordingLog extends Logger {
  readonly warnings: string[];
  readonly debugs: string[];
}

export function recordingLog(): RecordingLog {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return {
    warnings,
    debugs,
    debug: (m) => debugs.push(m),
    info: () => undefined,
    warn: (m) => warnings.push(m),
  };
}

/** A short transfer timeout keeps the USB-timeout fault tests fast. */
export const TEST_TIMEOUT_MS = 200;

export function session(options: Partial<VirtualSessionOptions> = {}): VirtualSession {
  return createVirtualSession({ probe: 'stlink-v2', device: 'STM32F103RB', ...options });
}

/** A virtual board and an opened (not yet connected) ST-Link on it. */
export async function rig(
  options: Partial<VirtualSessionOptions> = {},
  openOptions: StLinkOpenOptions = {},
): Promise<Rig> {
  const s = session(options);
  const log = recordingLog();
  const probe = await StLinkProbe.open(s.device, {
    log,
    timeoutMs: TEST_TIMEOUT_MS,
    ...openOptions,
  });
  return {
    session: s,
    probe,
    warnings: log.warnings,
    async close() {
      await probe.close();
      await s.close();
    },
  };
}

/** Same, connected (normal mode: halted). */
export async function connected(
  options: Partial<VirtualSessionOptions> = {},
  speedKhz = 4000,
): Promise<Rig> {
  const r = await rig(options);
  await r.probe.connect({ speedKhz });
  return r;
}

export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
