import type { SimBoard } from '../board.js';
import { paddedStatus, statusReply } from './bytes.js';
import { DeviceMode, Status, Top, type DeviceModeValue } from './constants.js';
import type { StlinkVariant } from './descriptors.js';
import { firmwareFeatures, type FirmwareFeatures, type FirmwareVersion } from './firmware.js';
import { SwdMaster } from './swd-master.js';

/** Options of the probe firmware model that are not in the version number. */
export interface StlinkBehaviour {
  /** Clone: target voltage reads zero and NRST is not wired (DRIVE_NRST does nothing). */
  readonly clone: boolean;
  /** Target voltage the probe measures, in volts. */
  readonly voltage: number;
  /** Opt-in: V3 firmware locks up on DEBUG_EXIT outside debug mode (stlink-org#1467). */
  readonly lockUpOnStrayExit: boolean;
  /** V3 SWD and JTAG frequency lists (kHz, fastest first), as GET_COM_FREQ reports them. */
  readonly swdFrequenciesKhz: readonly number[];
  readonly jtagFrequenciesKhz: readonly number[];
}

/** One command of the ST-Link protocol. */
export interface CommandSpec {
  readonly name: string;
  /** Whether the configured firmware has the command; otherwise it answers CMD_ERROR. */
  readonly available?: (features: FirmwareFeatures, engine: StlinkEngine) => boolean;
  /** Needs debug (SWD/JTAG) mode; otherwise it answers CMD_ERROR. */
  readonly debugOnly?: boolean;
  /** A memory command: reports through the latched read/write status, not its reply. */
  readonly memory?: boolean;
  /** Length of the IN phase (0 = none). */
  readonly replyLength: (cmd: Uint8Array, engine: StlinkEngine) => number;
  /** Length of the data-OUT phase that follows the 16-byte block (default 0). */
  readonly dataOutLength?: (cmd: Uint8Array) => number;
  readonly run: (engine: StlinkEngine, cmd: Uint8Array, data: Uint8Array) => Uint8Array | undefined;
}

export type CommandTable = ReadonlyMap<number, CommandSpec>;

/**
 * The ST-Link firmware model: mode state machine, latched read/write status, open APs,
 * interface clock, and the dispatch of 16-byte command blocks to the command modules.
 */
export class StlinkEngine {
  readonly features: FirmwareFeatures;
  readonly swd: SwdMaster;
  mode: DeviceModeValue;
  lastRwStatus: number = Status.OK;
  lastRwFaultAddress = 0;
  readonly openAps = new Set<number>();
  swdDivisor = 1;
  jtagDivisor = 32;
  swdKhz: number;
  jtagKhz: number;
  prescaler = 1;
  /** Set by a V3 DEBUG_EXIT outside debug mode (opt-in): nothing answers until USB reset. */
  lockedUp = false;
  traceRunning = false;
  /** Results of the last RW_MISC_OUT, for RW_MISC_IN. */
  miscReply: Uint8Array = new Uint8Array(0);

  constructor(
    readonly board: SimBoard,
    readonly variant: StlinkVariant,
    readonly firmware: FirmwareVersion,
    readonly behaviour: StlinkBehaviour,
    readonly commands: { readonly top: CommandTable; readonly debug: CommandTable },
  ) {
    this.features = firmwareFeatures(firmware);
    this.swd = new SwdMaster(board);
    // Genuine V2 units power up in DFU mode (blackmagic#543, pyOCD#517); others idle.
    this.mode = variant.kind === 'stlink-v2' && !behaviour.clone ? DeviceMode.DFU : DeviceMode.MASS;
    this.swdKhz = this.features.comFreq ? 1000 : 1800;
    this.jtagKhz = this.features.comFreq ? 1000 : 1125;
    board.swdSpeedKhz = this.swdKhz;
  }

  get inDebugMode(): boolean {
    return this.mode === DeviceMode.DEBUG;
  }

  /** The command spec for a 16-byte block, if the model knows it. */
  spec(cmd: Uint8Array): CommandSpec | undefined {
    const top = cmd[0] ?? 0;
    if (top === Top.DEBUG) return this.commands.debug.get(cmd[1] ?? 0);
    return this.commands.top.get(top);
  }

  dataOutLength(cmd: Uint8Array): number {
    return this.spec(cmd)?.dataOutLength?.(cmd) ?? 0;
  }

  /**
   * Runs one command and returns its IN reply (undefined: no IN phase). Unknown 0xF2
   * sub-commands and commands the firmware lacks answer CMD_ERROR (0x08), the reply a V3J4
   * gave to a V2-only command (pyOCD#628), padded to the reply length. Unknown top-level
   * bytes get no reply (what real firmware does there is not documented).
   */
  execute(cmd: Uint8Array, data: Uint8Array): Uint8Array | undefined {
    const spec = this.spec(cmd);
    if (!spec) return cmd[0] === Top.DEBUG ? statusReply(Status.CMD_ERROR) : undefined;
    const lacking = spec.available && !spec.available(this.features, this);
    if (lacking || (spec.debugOnly && !this.inDebugMode))
      return this.reject(spec, cmd, Status.CMD_ERROR);
    return spec.run(this, cmd, data);
  }

  /** Answers a command with `status` without running it. */
  reject(spec: CommandSpec, cmd: Uint8Array, status: number): Uint8Array | undefined {
    // Memory commands report through the latched read/write status, rejections too.
    if (spec.memory) this.latchRw(status, 0);
    const length = spec.replyLength(cmd, this);
    return length === 0 ? undefined : paddedStatus(status, length);
  }

  latchRw(status: number, faultAddress: number): void {
    this.lastRwStatus = status;
    this.lastRwFaultAddress = faultAddress >>> 0;
  }

  setSwdKhz(khz: number): void {
    this.swdKhz = khz;
    if (!this.swd.jtagMode) this.board.swdSpeedKhz = khz;
  }

  setJtagKhz(khz: number): void {
    this.jtagKhz = khz;
    if (this.swd.jtagMode) this.board.swdSpeedKhz = khz;
  }

  /** Leaves debug mode: every AP that INIT_AP opened is closed. */
  leaveDebug(): void {
    this.mode = DeviceMode.MASS;
    this.openAps.clear();
  }

  /**
   * Whether memory and register commands may use `ap`. Before J28 the firmware knows only
   * AP 0 and ignores the AP byte; from J28 an AP other than 0 must be opened with INIT_AP
   * (AP 0 works without, as hosts that never send INIT_AP show).
   */
  resolveAp(requested: number): number | undefined {
    if (!this.features.multiAp) return 0;
    if (requested === 0 || this.openAps.has(requested)) return requested;
    return undefined;
  }
}
