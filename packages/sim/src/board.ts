import { MemAp, type AccessPort, type BusMaster } from './adiv5/mem-ap.js';
import { SwDebugPort } from './adiv5/debug-port.js';
import { BusError, SystemBus, type BusSize } from './bus.js';
import type { ChipEnvironment, ChipModel } from './chip-model.js';
import { VirtualClock } from './clock.js';
import { debugComponentRegions, PpbAddress } from './cortex-m/components.js';
import { CortexMCore } from './cortex-m/core.js';
import { FaultPlan } from './faults.js';
import { swdAccessUs } from './timing.js';

export interface SimBoardOptions {
  readonly chip: ChipModel;
  readonly clock?: VirtualClock;
  readonly faults?: FaultPlan;
  /** Initial SWD clock; the probe sets it later. */
  readonly swdSpeedKhz?: number;
}

/** Start of the Private Peripheral Bus: debug logic that stays reachable during reset. */
const PPB_START = 0xe0000000;

/**
 * A simulated board: one chip (ChipModel) on a system bus, the Cortex-M core and its debug
 * components, one AHB-AP (AP 0) and any access ports the chip adds behind an SW-DP, a reset
 * line and a power supply. Probe front ends (virtual ST-Link, CMSIS-DAP) drive `dp` and the
 * reset line; chip models see only the ChipEnvironment.
 */
export class SimBoard {
  readonly clock: VirtualClock;
  readonly faults: FaultPlan;
  readonly bus = new SystemBus();
  readonly chip: ChipModel;
  readonly core: CortexMCore;
  readonly ap: MemAp;
  readonly dp: SwDebugPort;
  /** SWD clock the probe drives, for the 46-clocks-per-access cost. */
  swdSpeedKhz: number;
  #nrstLow = false;
  #powered = true;

  constructor(options: SimBoardOptions) {
    this.clock = options.clock ?? new VirtualClock();
    this.faults = options.faults ?? new FaultPlan();
    this.chip = options.chip;
    this.swdSpeedKhz = options.swdSpeedKhz ?? 1800;
    const env: ChipEnvironment = {
      clock: this.clock,
      faults: this.faults,
      requestSystemReset: () => this.systemReset(),
      holdReset: (held) => this.setNrst(held),
    };
    this.chip.attach(this.bus, env);
    this.core = new CortexMCore(this.chip.cpuId, {
      fetchWord: (address) => this.bus.read(address, 4),
      bootAddress: () => this.chip.bootAddress(),
      requestSystemReset: () => this.systemReset(),
    });
    this.bus.map(this.core.region());
    const components = debugComponentRegions({
      architecture: this.core.architecture,
      sampledPc: () => (this.core.halted ? undefined : this.core.coreRegister(15)),
    });
    // A chip may bring its own (vendor) ROM table; the generic one fills in otherwise.
    for (const region of components) {
      if (!this.bus.regionAt(region.start)) this.bus.map(region);
    }
    this.ap = new MemAp(this.#debugBus(), {
      idr: this.chip.apIdr,
      base: (PpbAddress.ROM_TABLE | 0x3) >>> 0,
      enabled: () => this.chip.memoryApEnabled?.() ?? true,
    });
    const aps: (AccessPort | undefined)[] = [this.ap];
    for (const { apsel, port } of this.chip.accessPorts?.() ?? []) {
      if (!(apsel >= 1 && apsel <= 255) || aps[apsel] !== undefined) {
        throw new RangeError(`${this.chip.partName}: access port ${apsel} is taken or invalid`);
      }
      aps[apsel] = port;
    }
    this.dp = new SwDebugPort(this.chip.dpidr, aps, {
      faults: this.faults,
      responding: () => this.#powered && this.chip.debugAccess() === 'open',
      chargeAccess: () => this.clock.advanceUs(swdAccessUs(1, this.swdSpeedKhz)),
    });
    this.faults.onPowerLoss(() => {
      this.#powered = false;
    });
    this.chip.reset('power');
    this.core.reset('power');
  }

  /** False once an injected power loss has hit: nothing answers on SWD any more. */
  get powered(): boolean {
    return this.#powered;
  }

  get nrstAsserted(): boolean {
    return this.#nrstLow;
  }

  /**
   * Drives NRST. While it is low the core and the system are held in reset: the debug
   * logic on the PPB (DHCSR, DEMCR, ...) stays reachable, other bus accesses fault. The
   * release runs the system reset (option bytes reload, vector fetch, vector catch).
   */
  setNrst(low: boolean): void {
    if (low === this.#nrstLow || !this.#powered) return;
    this.#nrstLow = low;
    if (low) {
      this.core.holdInReset(true);
      return;
    }
    this.chip.reset('system');
    this.core.holdInReset(false);
  }

  /** SYSRESETREQ, the ST-Link RESETSYS command or a chip-requested reset. */
  systemReset(): void {
    if (!this.#powered) return;
    this.chip.reset('system');
    this.core.reset('system');
  }

  #debugBus(): BusMaster {
    const check = (address: number, size: BusSize): void => {
      if (this.faults.busFaultAt(address, size)) {
        throw new BusError(address, 'injected bus fault');
      }
      if (this.#nrstLow && address >>> 0 < PPB_START) {
        throw new BusError(address, 'system held in reset (NRST low)');
      }
    };
    return {
      read: (address, size) => {
        check(address, size);
        return this.bus.read(address, size);
      },
      write: (address, size, value) => {
        check(address, size);
        this.bus.write(address, size, value);
      },
    };
  }
}
