import { existsSync } from 'node:fs';
import type { ProbeRequest, TransportFactory } from '@flashwright/core/plugin';
import {
  createVirtualProbeSession,
  VirtualCmsisDap,
  type AnyVirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import {
  CmsisDapProbe,
  findDapInterface,
  WebUsbPacketChannel,
} from '@flashwright/transport-cmsis-dap';
import { StLinkProbe } from '@flashwright/transport-stlink';
import { FlashwrightError } from '@flashwright/core';
import { didYouMean } from '@flashwright/core/plugin';
import { boardOptions, isPresent, parseBoards, type VirtualBoard } from './boards.js';
import { parseVirtualOptions } from './options.js';
import { VirtualProbe } from './virtual-probe.js';

/**
 * The part simulated when nothing names one: the chip of the demo board, the RAK5205
 * (configs/boards/rak5205.yaml), so that `--probe virtual` alone gives a board to try.
 */
export const DEFAULT_VIRTUAL_DEVICE = 'STM32L151CBxxA';

/** Builds the simulated hardware; tests may pass their own (e.g. with a custom chip). */
export type SessionFactory = (options: VirtualSessionOptions) => AnyVirtualSession;

/**
 * `transport: virtual`: a simulated board behind a virtual ST-Link, driven by the real
 * ST-Link transport code. The hardware comes from `probe.options` (README.md); the part
 * defaults to the recipe's target.device, so `--probe virtual` works on any recipe, then
 * to the state file's, then to the demo board's (said as a warning).
 */
export function createVirtualTransport(
  createSession: SessionFactory = (options) => createVirtualProbeSession(options),
): TransportFactory {
  return {
    id: 'virtual',
    description:
      'Simulated STM32 boards behind virtual ST-Links or CMSIS-DAP probes (rehearse a recipe without hardware)',

    // async: a bad `boards` option is a rejected promise, as every other list() failure.
    // eslint-disable-next-line @typescript-eslint/require-await
    async list(_signal, context) {
      const boards =
        context === undefined ? undefined : boardsOf(context.options, context.recipeDir);
      if (boards === undefined) {
        return [
          {
            transport: 'virtual',
            name: 'Virtual ST-Link or CMSIS-DAP (simulated board; hardware from probe.options)',
            usable: true,
          },
        ];
      }
      return boards.filter(isPresent).map((board) => ({
        transport: 'virtual',
        name: `Virtual ST-Link ${board.serial}`,
        serial: board.serial,
        usable: true,
      }));
    },

    async open(request: ProbeRequest, signal?: AbortSignal) {
      const board = selectBoard(request);
      const raw = board === undefined ? request.options : boardOptions(request.options, board);
      const options = parseVirtualOptions(raw, request.recipeDir);
      const session = createSession({
        ...options,
        device: simulatedDevice(options, request),
        ...(board === undefined ? {} : { serialNumber: board.serial, uid: board.uid }),
      });
      try {
        const device = session.device;
        const probe =
          device instanceof VirtualCmsisDap
            ? await openCmsisDap(device, request, signal)
            : await StLinkProbe.open(device, { log: request.log, signal });
        return new VirtualProbe(probe, session);
      } catch (error) {
        await session.close();
        throw error;
      }
    },
  };
}

/** The real CMSIS-DAP driver on the virtual probe's USB device. */
async function openCmsisDap(
  device: VirtualCmsisDap,
  request: ProbeRequest,
  signal?: AbortSignal,
): Promise<CmsisDapProbe> {
  const dapInterface = findDapInterface(device);
  if (!dapInterface) throw new Error('the virtual CMSIS-DAP has no CMSIS-DAP interface');
  const channel = await WebUsbPacketChannel.open(device, dapInterface, { signal });
  return CmsisDapProbe.open(channel, device, { log: request.log, signal });
}

/** The board of `probe.options.boards` the request names (by serial or index), if any. */
function selectBoard(request: ProbeRequest): VirtualBoard | undefined {
  const boards = boardsOf(request.options, request.recipeDir);
  if (boards === undefined) return undefined;
  if (request.serial !== undefined) {
    // Only the named board's presence is looked at: a batch opens each of its boards so.
    const board = boards.find((b) => b.serial === request.serial);
    if (board === undefined || !isPresent(board)) {
      const serials = boards.filter(isPresent).map((b) => b.serial);
      const close = didYouMean(request.serial, serials);
      throw new FlashwrightError(
        'PROBE_NOT_FOUND',
        `No virtual probe with serial ${request.serial} is connected${close ? ` (did you mean ${close}?)` : ''}`,
        { hint: `Connected virtual probes: ${serials.join(', ') || 'none'}.` },
      );
    }
    return board;
  }
  const present = boards.filter(isPresent);
  const serials = present.map((b) => b.serial);
  let board: VirtualBoard | undefined;
  if (request.index !== undefined) {
    board = present[request.index];
    if (board === undefined) {
      throw new FlashwrightError(
        'PROBE_NOT_FOUND',
        `No virtual probe at index ${request.index}: ${present.length} connected`,
      );
    }
  } else if (present.length === 1) {
    board = present[0];
  } else {
    throw new FlashwrightError(
      present.length === 0 ? 'PROBE_NOT_FOUND' : 'PROBE_AMBIGUOUS',
      present.length === 0
        ? 'No virtual probe is connected'
        : `${present.length} virtual probes are connected: ${serials.join(', ')}`,
    );
  }
  return board;
}

/** `probe.options.boards` parsed once per options object and recipe directory. */
const parsedBoards = new WeakMap<object, Map<string, VirtualBoard[] | undefined>>();

/**
 * The boards of `probe.options`: parsed once per options value, since a batch opens each of
 * its hundreds of boards with the same options (parsing them for each made it quadratic).
 */
function boardsOf(
  options: Readonly<Record<string, unknown>>,
  recipeDir: string,
): readonly VirtualBoard[] | undefined {
  let byDirectory = parsedBoards.get(options);
  if (byDirectory === undefined) {
    byDirectory = new Map();
    parsedBoards.set(options, byDirectory);
  }
  if (!byDirectory.has(recipeDir)) byDirectory.set(recipeDir, parseBoards(options, recipeDir));
  return byDirectory.get(recipeDir);
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
