import { FlashwrightError } from '@flashwright/core';
import { SimBoard } from './board.js';
import type { ChipModel } from './chip-model.js';
import { VirtualClock } from './clock.js';
import { FaultPlan, type FaultSpec } from './faults.js';
import { readStateFile, writeStateFile, STATE_FORMAT, STATE_VERSION } from './state-file.js';
import { VirtualCmsisDap } from './cmsis-dap/device.js';
import { isCmsisDapKind, type CmsisDapProbeKind } from './cmsis-dap/variants.js';
import type { StlinkProbeKind } from './stlink/descriptors.js';
import { VirtualStlink } from './stlink/device.js';
import { createNrf52Chip, isNrf52Device } from './nrf52/index.js';
import { createStm32Chip } from './stm32/index.js';

/** The virtual-transport options (`probe.options` of `transport: virtual`), already validated. */
export interface VirtualSessionOptions {
  readonly probe: StlinkProbeKind | CmsisDapProbeKind;
  /** The simulated part, e.g. STM32L151CBxxA. */
  readonly device?: string | undefined;
  /** JSON file that persists the board between sessions; created when missing. */
  readonly state?: string | undefined;
  /** RDP level of a new state (ignored when the state file exists). */
  readonly rdp?: 0 | 1 | 2 | undefined;
  /** Raw flash-size register value (e.g. 0x6B80). */
  readonly flashSizeRaw?: number | undefined;
  /** The chip's 96-bit unique ID, 24 hex digits U_ID[7:0] first (ignored when the state file exists). */
  readonly uid?: string | undefined;
  /** Probe firmware: an ST-Link version (V2J37S7) or a CMSIS-DAP DAP_Info firmware string. */
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
}

/** What a chip factory is asked for. `rdp` is set only for a new board (no state yet). */
export interface ChipRequest {
  readonly device: string | undefined;
  readonly rdp?: 0 | 1 | 2;
  readonly flashSizeRaw?: number;
  /** nRF52 only; `approtect` is set only for a new board, like `rdp`. */
  readonly revision?: 'legacy' | 'hardened';
  readonly approtect?: boolean;
  readonly uid?: string;
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
    ...(request.uid === undefined ? {} : { uid: request.uid }),
  });
};

export interface VirtualSessionStats {
  /** Virtual time the session has taken so far. */
  readonly virtualMs: number;
  readonly usbTransfers: number;
  readonly apAccesses: number;
  readonly flashBytesProgrammed: number;
}

/** A virtual board and the probe in front of it (a virtual ST-Link unless said otherwise). */
export interface VirtualSession<D extends USBDevice = VirtualStlink> {
  /** The virtual probe, a WebUSB USBDevice. */
  readonly device: D;
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
  const probe = options.probe;
  if (isCmsisDapKind(probe)) {
    throw invalid(
      'probe',
      `${probe} is a CMSIS-DAP probe: create it with createVirtualCmsisDapSession`,
    );
  }
  return createBoardSession(
    options,
    chipFactory,
    (board) =>
      new VirtualStlink({
        board,
        probe,
        ...(options.productId === undefined ? {} : { productId: options.productId }),
        ...(options.firmware === undefined ? {} : { firmware: options.firmware }),
        ...(options.voltage === undefined ? {} : { voltage: options.voltage }),
        ...(options.timing === undefined ? {} : { timing: options.timing }),
        ...(options.clone === undefined ? {} : { clone: options.clone }),
        ...(options.serialNumber === undefined ? {} : { serialNumber: options.serialNumber }),
        ...(options.lockUpOnStrayExit === undefined
          ? {}
          : { lockUpOnStrayExit: options.lockUpOnStrayExit }),
      }),
  );
}

/** The same board behind a virtual CMSIS-DAP probe (`probe: cmsis-dap-v1 | cmsis-dap-v2`). */
export function createVirtualCmsisDapSession(
  options: VirtualSessionOptions,
  chipFactory: ChipFactory = defaultChipFactory,
): VirtualSession<VirtualCmsisDap> {
  const probe = options.probe;
  if (!isCmsisDapKind(probe)) {
    throw invalid(
      'probe',
      `${probe} is not a CMSIS-DAP probe: create it with createVirtualSession`,
    );
  }
  return createBoardSession(
    options,
    chipFactory,
    (board) =>
      new VirtualCmsisDap({
        board,
        probe,
        ...(options.firmware === undefined ? {} : { firmware: options.firmware }),
        ...(options.timing === undefined ? {} : { timing: options.timing }),
        ...(options.serialNumber === undefined ? {} : { serialNumber: options.serialNumber }),
      }),
  );
}

/** A session behind whichever probe kind `options.probe` names. */
export type AnyVirtualSession = VirtualSession | VirtualSession<VirtualCmsisDap>;

/** The board behind the probe `options.probe` names: an ST-Link or a CMSIS-DAP. */
export function createVirtualProbeSession(
  options: VirtualSessionOptions,
  chipFactory: ChipFactory = defaultChipFactory,
): AnyVirtualSession {
  return isCmsisDapKind(options.probe)
    ? createVirtualCmsisDapSession(options, chipFactory)
    : createVirtualSession(options, chipFactory);
}

function createBoardSession<D extends USBDevice>(
  options: VirtualSessionOptions,
  chipFactory: ChipFactory,
  createDevice: (board: SimBoard) => D,
): VirtualSession<D> {
  const saved = options.state === undefined ? undefined : readStateFile(options.state);
  let chip: ChipModel;
  try {
    chip = chipFactory({
      device: options.device ?? saved?.board.device,
      ...(saved || options.rdp === undefined ? {} : { rdp: options.rdp }),
      ...(options.flashSizeRaw === undefined ? {} : { flashSizeRaw: options.flashSizeRaw }),
      ...(options.revision === undefined ? {} : { revision: options.revision }),
      ...(saved || options.approtect === undefined ? {} : { approtect: options.approtect }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
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
  let device: D;
  try {
    device = createDevice(board);
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
