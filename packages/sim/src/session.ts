import { FlashwrightError } from '@flashwright/core';
import { SimBoard } from './board.js';
import type { ChipModel } from './chip-model.js';
import { VirtualClock } from './clock.js';
import { FaultPlan, type FaultSpec } from './faults.js';
import { readStateFile, writeStateFile, STATE_FORMAT, STATE_VERSION } from './state-file.js';
import type { StlinkProbeKind } from './stlink/descriptors.js';
import { VirtualStlink } from './stlink/device.js';
import { createNrf52Chip, isNrf52Device } from './nrf52/index.js';
import { createStm32Chip } from './stm32/index.js';

/** The virtual-transport options (`probe.options` of `transport: virtual`), already validated. */
export interface VirtualSessionOptions {
  readonly probe: StlinkProbeKind | 'cmsis-dap-v1' | 'cmsis-dap-v2';
  /** The simulated part, e.g. STM32L151CBxxA. */
  readonly device?: string | undefined;
  /** JSON file that persists the board between sessions; created when missing. */
  readonly state?: string | undefined;
  /** RDP level of a new state (ignored when the state file exists). */
  readonly rdp?: 0 | 1 | 2 | undefined;
  /** Raw flash-size register value (e.g. 0x6B80). */
  readonly flashSizeRaw?: number | undefined;
  /** Probe firmware, e.g. V2J37S7. */
  readonly firmware?: string | undefined;
  /** Target voltage in volts (default 3.3). */
  readonly voltage?: number | undefined;
  readonly timing?: 'instant' | 'realtime' | undefined;
  readonly faults?: readonly FaultSpec[] | undefined;
  /** A clone probe, and extras for tests: a PID, a serial number, the V3 lock-up. */
  readonly clone?: boolean | undefined;
  readonly productId?: number | undefined;
  readonly serialNumber?: string | undefined;
  readonly lockUpOnStrayExit?: boolean | undefined;
  /** nRF52: legacy or hardened APPROTECT silicon (default: the ordering code's build code, else legacy). */
  readonly revision?: 'legacy' | 'hardened' | undefined;
  /** nRF52: access port protection of a new state (ignored when the state file exists). */
  readonly approtect?: boolean | undefined;
  /** nRF52: the firmware writes APPROTECT.DISABLE at boot (the simulator runs no code). */
  readonly firmwareDisablesApprotect?: boolean | undefined;
}

/** What a chip factory is asked for. `rdp` is set only for a new board (no state yet). */
export interface ChipRequest {
  readonly device: string | undefined;
  readonly rdp?: 0 | 1 | 2;
  readonly flashSizeRaw?: number;
  /** nRF52 only; `approtect` is set only for a new board, like `rdp`. */
  readonly revision?: 'legacy' | 'hardened';
  readonly approtect?: boolean;
  readonly firmwareDisablesApprotect?: boolean;
}

/** Builds the chip of a session; throw RangeError for a device it does not know. */
export type ChipFactory = (request: ChipRequest) => ChipModel;

/** The nRF52 models for nRF names (`nRF52840`, `nRF52840-QIAA-F0`), the STM32 models otherwise. */
export const defaultChipFactory: ChipFactory = (request) => {
  if (request.device !== undefined && isNrf52Device(request.device)) {
    return createNrf52Chip({
      device: request.device,
      revision: request.revision,
      approtect: request.approtect,
      firmwareDisablesApprotect: request.firmwareDisablesApprotect,
    });
  }
  return stm32ChipFactory(request);
};

/** The STM32 models, keyed by part number or DEV_ID. */
export const stm32ChipFactory: ChipFactory = (request) => {
  if (request.device === undefined) {
    throw new RangeError('no device given: set probe.options.device, e.g. STM32F103RB');
  }
  return createStm32Chip({
    device: request.device,
    ...(request.rdp === undefined ? {} : { rdp: request.rdp }),
    ...(request.flashSizeRaw === undefined ? {} : { flashSizeRaw: request.flashSizeRaw }),
  });
};

export interface VirtualSessionStats {
  /** Virtual time the session has taken so far. */
  readonly virtualMs: number;
  readonly usbTransfers: number;
  readonly apAccesses: number;
  readonly flashBytesProgrammed: number;
}

export interface VirtualSession {
  /** The virtual probe, a WebUSB USBDevice. */
  readonly device: VirtualStlink;
  readonly board: SimBoard;
  readonly options: VirtualSessionOptions;
  stats(): VirtualSessionStats;
  /** Writes the state file now (no-op without `state`). */
  save(): void;
  /** Closes the device and saves the state. Idempotent. */
  close(): Promise<void>;
}

function invalid(key: string, message: string, cause?: unknown): FlashwrightError {
  return new FlashwrightError('RECIPE_INVALID', `probe.options.${key}: ${message}`, {
    source: { keyPath: `probe.options.${key}` },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Creates the virtual hardware of a recipe: the chip (from its state file when there is
 * one), the board around it, and the virtual probe in front. The state is saved on close
 * and at the moment an injected power loss or disconnect hits, so the next session sees
 * exactly what the flash holds.
 */
export function createVirtualSession(
  options: VirtualSessionOptions,
  chipFactory: ChipFactory = defaultChipFactory,
): VirtualSession {
  if (options.probe === 'cmsis-dap-v1' || options.probe === 'cmsis-dap-v2') {
    throw invalid(
      'probe',
      `${options.probe} is not simulated yet; use stlink-v2, stlink-v2-1 or stlink-v3`,
    );
  }
  const saved = options.state === undefined ? undefined : readStateFile(options.state);
  let chip: ChipModel;
  try {
    chip = chipFactory({
      device: options.device ?? saved?.board.device,
      ...(saved || options.rdp === undefined ? {} : { rdp: options.rdp }),
      ...(options.flashSizeRaw === undefined ? {} : { flashSizeRaw: options.flashSizeRaw }),
      ...(options.revision === undefined ? {} : { revision: options.revision }),
      ...(saved || options.approtect === undefined ? {} : { approtect: options.approtect }),
      ...(options.firmwareDisablesApprotect === undefined
        ? {}
        : { firmwareDisablesApprotect: options.firmwareDisablesApprotect }),
    });
  } catch (error) {
    if (error instanceof RangeError) throw invalid('device', error.message, error);
    throw error;
  }
  if (saved) {
    if (saved.chip.part !== chip.partName) {
      throw new FlashwrightError(
        'RECIPE_INVALID',
        `virtual board state ${options.state} holds a ${saved.chip.part}, not a ${chip.partName}`,
        {
          hint: 'Use another probe.options.state for this device, or delete the file to start afresh.',
          source: { keyPath: 'probe.options.state' },
        },
      );
    }
    chip.loadState(saved.chip);
  }
  const faults = new FaultPlan(options.faults ?? []);
  const board = new SimBoard({ chip, faults, clock: new VirtualClock() });
  let device: VirtualStlink;
  try {
    device = new VirtualStlink({
      board,
      probe: options.probe,
      ...(options.productId === undefined ? {} : { productId: options.productId }),
      ...(options.firmware === undefined ? {} : { firmware: options.firmware }),
      ...(options.voltage === undefined ? {} : { voltage: options.voltage }),
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      ...(options.clone === undefined ? {} : { clone: options.clone }),
      ...(options.serialNumber === undefined ? {} : { serialNumber: options.serialNumber }),
      ...(options.lockUpOnStrayExit === undefined
        ? {}
        : { lockUpOnStrayExit: options.lockUpOnStrayExit }),
    });
  } catch (error) {
    if (error instanceof RangeError) throw invalid('firmware', error.message, error);
    throw error;
  }

  const save = (): void => {
    if (options.state === undefined) return;
    writeStateFile(options.state, {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      board: {
        probe: options.probe,
        device: chip.partName,
        virtualMs: board.clock.nowMs,
        powerLost: faults.powerLost,
      },
      chip: chip.saveState(),
    });
  };
  // A power loss fires while the chip is admitting bytes: save once it has committed them.
  // A failure here shows again (and is thrown) when close() saves.
  const saveSoon = (): void =>
    queueMicrotask(() => {
      try {
        save();
      } catch {
        // reported by close()
      }
    });
  faults.onPowerLoss(saveSoon);
  faults.onDisconnect(saveSoon);

  let closed = false;
  return {
    device,
    board,
    options,
    stats: () => ({
      virtualMs: board.clock.nowMs,
      usbTransfers: faults.usbTransfers,
      apAccesses: faults.apAccesses,
      flashBytesProgrammed: faults.flashBytesProgrammed,
    }),
    save,
    close: async () => {
      if (closed) return;
      closed = true;
      await device.close();
      save();
    },
  };
}
