import type { AccessPort } from './adiv5/mem-ap.js';
import type { SystemBus } from './bus.js';
import type { VirtualClock } from './clock.js';
import type { FaultPlan } from './faults.js';

/** What a chip model gets from the simulated board it is placed on. */
export interface ChipEnvironment {
  readonly clock: VirtualClock;
  readonly faults: FaultPlan;
  /**
   * Asks for a system reset, as OBL_LAUNCH or a reset-causing option write does. The board
   * resets the core and calls the model's `reset('system')`, which reloads option bytes.
   */
  requestSystemReset(): void;
  /**
   * Holds the system in reset (true) or releases it (false), as the NRST pin does; the
   * release runs the system reset. For a chip's own reset control (Nordic's CTRL-AP RESET).
   */
  holdReset?(held: boolean): void;
}

/** A vendor access port a chip adds behind the DP (AP 0 is always the board's AHB-AP). */
export interface ChipAccessPort {
  /** APSEL, 1-255. */
  readonly apsel: number;
  readonly port: AccessPort;
}

/** How the debug port behaves for this chip right now. */
export type DebugAccess =
  /** Normal. */
  | 'open'
  /** RDP level 2: the SW-DP does not answer at all (no ACK). */
  | 'disabled';

/**
 * One simulated MCU family member: its memories, peripherals and flash controller. The
 * board (ADIv5 DP, MEM-AP, Cortex-M core, probe front end) is shared; this is the part
 * that differs per chip and follows that chip's reference manual.
 */
export interface ChipModel {
  /** e.g. "STM32L151CBxxA". */
  readonly partName: string;
  /** SW-DP DPIDR, e.g. 0x1BA01477 for Cortex-M3/M4. */
  readonly dpidr: number;
  /** AHB-AP IDR, e.g. 0x24770011. */
  readonly apIdr: number;
  /** CPUID register value, e.g. 0x412FC231 for a Cortex-M3 r2p1. */
  readonly cpuId: number;

  /** Maps all memories and peripherals (flash, SRAM, flash controller, DBGMCU, ...). */
  attach(bus: SystemBus, env: ChipEnvironment): void;

  debugAccess(): DebugAccess;

  /**
   * Whether the AHB-AP (AP 0) may reach the system bus; false while access port protection
   * blocks it (nRF52 APPROTECT). Absent: always.
   */
  memoryApEnabled?(): boolean;

  /** Access ports besides AP 0 (Nordic's CTRL-AP at APSEL 1); absent: none. */
  accessPorts?(): readonly ChipAccessPort[];

  /** Address the core fetches SP and PC from at reset (the boot memory alias). */
  bootAddress(): number;

  /** System reset or power-on: reload option bytes, clear controller state, relock. */
  reset(kind: 'system' | 'power'): void;

  /** Persistable state: flash contents, option bytes, anything that survives power off. */
  saveState(): ChipState;
  loadState(state: ChipState): void;
}

/** JSON-serialisable non-volatile state of a chip. */
export interface ChipState {
  readonly part: string;
  readonly [key: string]: unknown;
}
