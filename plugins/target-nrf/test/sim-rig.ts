import type { Logger, Probe } from '@flashwright/core/plugin';
import {
  createVirtualSession,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { StLinkProbe } from '@flashwright/transport-stlink';
import type { NrfDevice } from '../src/device.js';
import { nrfFamily } from '../src/family.js';

export interface NrfRig {
  readonly session: VirtualSession;
  readonly probe: Probe;
  readonly lines: string[];
  identify(): Promise<NrfDevice | undefined>;
  close(): Promise<void>;
}

/** A simulated nRF52 behind a virtual ST-Link, driven through the real ST-Link transport. */
export async function nrfRig(
  options: Partial<VirtualSessionOptions> & { device: string },
): Promise<NrfRig> {
  const session = createVirtualSession({ probe: 'stlink-v3', ...options });
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
  };
  const stlink = await StLinkProbe.open(session.device, { log });
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
    stats: () => ({ ...stlink.stats(), virtualElapsedMs: session.stats().virtualMs }),
    close: () => stlink.close(),
  };
  await probe.connect({ speedKhz: 4000 });
  return {
    session,
    probe,
    lines,
    identify: async () =>
      (await nrfFamily.identify({ probe, memory: probe.memory, log })) as NrfDevice | undefined,
    async close() {
      await probe.close();
      await session.close();
    },
  };
}

export const noProgress = (): void => undefined;
