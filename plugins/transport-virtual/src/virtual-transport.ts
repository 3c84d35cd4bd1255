import { existsSync } from 'node:fs';
import type { ProbeRequest, TransportFactory } from '@flashwright/core/plugin';
import {
  createVirtualSession,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { StLinkProbe } from '@flashwright/transport-stlink';
import { parseVirtualOptions } from './options.js';
import { VirtualProbe } from './virtual-probe.js';

/**
 * The part simulated when nothing names one: the chip of the demo board, the RAK5205
 * (configs/boards/rak5205.yaml), so that `--probe virtual` alone gives a board to try.
 */
export const DEFAULT_VIRTUAL_DEVICE = 'STM32L151CBxxA';

/** Builds the simulated hardware; tests may pass their own (e.g. with a custom chip). */
export type SessionFactory = (options: VirtualSessionOptions) => VirtualSession;

/**
 * `transport: virtual`: a simulated board behind a virtual ST-Link, driven by the real
 * ST-Link transport code. The hardware comes from `probe.options` (README.md); the part
 * defaults to the recipe's target.device, so `--probe virtual` works on any recipe, then
 * to the state file's, then to the demo board's (said as a warning).
 */
export function createVirtualTransport(
  createSession: SessionFactory = (options) => createVirtualSession(options),
): TransportFactory {
  return {
    id: 'virtual',
    description:
      'Simulated STM32 boards behind virtual ST-Links (rehearse a recipe without hardware)',

    list() {
      return Promise.resolve([
        {
          transport: 'virtual',
          name: 'Virtual ST-Link (simulated board; hardware from probe.options)',
          usable: true,
        },
      ]);
    },

    async open(request: ProbeRequest, signal?: AbortSignal) {
      const options = parseVirtualOptions(request.options, request.recipeDir);
      // The sim refuses what it does not simulate yet (cmsis-dap-*) with RECIPE_INVALID.
      const session = createSession({ ...options, device: simulatedDevice(options, request) });
      try {
        const stlink = await StLinkProbe.open(session.device, { log: request.log, signal });
        return new VirtualProbe(stlink, session);
      } catch (error) {
        await session.close();
        throw error;
      }
    },
  };
}

/** The part to simulate; undefined leaves it to the state file. */
function simulatedDevice(
  options: { readonly device?: string | undefined; readonly state?: string | undefined },
  request: ProbeRequest,
): string | undefined {
  const named = options.device ?? request.targetDevice;
  if (named !== undefined || (options.state !== undefined && existsSync(options.state)))
    return named;
  request.log.warn(
    `No part is named (--chip, target.device or probe.options.device): the virtual probe simulates the demo board’s ${DEFAULT_VIRTUAL_DEVICE}.`,
  );
  return DEFAULT_VIRTUAL_DEVICE;
}
