import type { ProbeRequest, TransportFactory } from '@flashwright/core/plugin';
import {
  createVirtualSession,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { StLinkProbe } from '@flashwright/transport-stlink';
import { parseVirtualOptions } from './options.js';
import { VirtualProbe } from './virtual-probe.js';

/** Builds the simulated hardware; tests may pass their own (e.g. with a custom chip). */
export type SessionFactory = (options: VirtualSessionOptions) => VirtualSession;

/**
 * `transport: virtual`: a simulated board behind a virtual ST-Link, driven by the real
 * ST-Link transport code. The hardware comes from `probe.options` (README.md); the part
 * defaults to the recipe's target.device, so `--probe virtual` works on any recipe.
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
      const session = createSession({
        ...options,
        device: options.device ?? request.targetDevice,
      });
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
