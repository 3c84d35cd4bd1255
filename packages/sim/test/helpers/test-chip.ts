import {
  BusError,
  RamRegion,
  readLittleEndian,
  writeLittleEndian,
  type BusRegion,
  type BusSize,
  type ChipEnvironment,
  type ChipModel,
  type ChipState,
  type DebugAccess,
  type SystemBus,
} from '../../src/index.js';

/**
 * A generic test chip (not an STM32): SRAM, a small non-volatile memory holding a vector
 * table and a reset handler that branches to itself, and an ID register. It exists so the board, the virtual probes and the host
 * transports can be tested before (and independently of) the STM32 models.
 *
 * The non-volatile memory is written by plain bus writes of any size. Each write keeps it
 * busy for `programUs` per write; a write while busy stalls the bus until it is done (the
 * "busy until" model the STM32 models use), and every write asks the FaultPlan how many
 * bytes survive a power loss.
 */
export const TEST_CHIP = {
  NVM_START: 0x08000000,
  RAM_START: 0x20000000,
  ID_ADDRESS: 0x40000000,
  ID_VALUE: 0x7e57c41f,
  INITIAL_SP: 0x20002000,
  INITIAL_PC: 0x08000101,
} as const;

export interface TestChipOptions {
  readonly nvmBytes?: number;
  readonly ramBytes?: number;
  readonly cpuId?: number;
  readonly dpidr?: number;
  readonly apIdr?: number;
  /** 'disabled' makes the SW-DP silent, as RDP level 2 does. */
  readonly debugAccess?: DebugAccess;
  /** Busy time per NVM write. */
  readonly programUs?: number;
}

export interface TestChipState extends ChipState {
  readonly nvm: string;
}

class NvmRegion implements BusRegion {
  readonly name = 'NVM';
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  busyUntilUs = 0;
  env: ChipEnvironment | undefined;

  constructor(
    readonly start: number,
    size: number,
    readonly programUs: number,
  ) {
    this.bytes = new Uint8Array(size).fill(0xff);
    this.#view = new DataView(this.bytes.buffer);
  }

  get end(): number {
    return this.start + this.bytes.length;
  }

  read(address: number, size: BusSize): number {
    return readLittleEndian(this.#view, address - this.start, size);
  }

  write(address: number, size: BusSize, value: number): void {
    const env = this.env;
    if (!env) throw new BusError(address, 'chip not attached');
    // A write while the previous one is still programming stalls the bus until it is done.
    env.clock.advanceTo(this.busyUntilUs);
    const admitted = env.faults.admitFlashProgram(size);
    const scratch = new DataView(new ArrayBuffer(4));
    writeLittleEndian(scratch, 0, size, value);
    for (let i = 0; i < admitted; i++) this.bytes[address - this.start + i] = scratch.getUint8(i);
    this.busyUntilUs = env.clock.nowUs + this.programUs;
  }
}

export class TestChip implements ChipModel {
  readonly partName = 'TESTCHIP';
  readonly dpidr: number;
  readonly apIdr: number;
  readonly cpuId: number;
  readonly ram: RamRegion;
  readonly nvm: NvmRegion;
  access: DebugAccess;
  resets: ('system' | 'power')[] = [];

  constructor(options: TestChipOptions = {}) {
    this.dpidr = options.dpidr ?? 0x2ba01477;
    this.apIdr = options.apIdr ?? 0x24770011;
    this.cpuId = options.cpuId ?? 0x410fc241;
    this.access = options.debugAccess ?? 'open';
    this.ram = new RamRegion('SRAM', TEST_CHIP.RAM_START, options.ramBytes ?? 8 * 1024);
    this.nvm = new NvmRegion(
      TEST_CHIP.NVM_START,
      options.nvmBytes ?? 16 * 1024,
      options.programUs ?? 50,
    );
    const view = new DataView(this.nvm.bytes.buffer);
    view.setUint32(0, TEST_CHIP.INITIAL_SP, true);
    view.setUint32(4, TEST_CHIP.INITIAL_PC, true);
    // The firmware: `b .` at the reset handler, so a running core stays where it started.
    view.setUint16((TEST_CHIP.INITIAL_PC & ~1) - TEST_CHIP.NVM_START, 0xe7fe, true);
  }

  attach(bus: SystemBus, env: ChipEnvironment): void {
    this.nvm.env = env;
    bus.map(this.ram);
    bus.map(this.nvm);
    bus.map({
      name: 'ID',
      start: TEST_CHIP.ID_ADDRESS,
      end: TEST_CHIP.ID_ADDRESS + 4,
      read: () => TEST_CHIP.ID_VALUE,
      write: (address) => {
        throw new BusError(address, 'ID register is read-only');
      },
    });
  }

  debugAccess(): DebugAccess {
    return this.access;
  }

  bootAddress(): number {
    return TEST_CHIP.NVM_START;
  }

  reset(kind: 'system' | 'power'): void {
    this.resets.push(kind);
    this.nvm.busyUntilUs = 0;
  }

  saveState(): TestChipState {
    return { part: this.partName, nvm: Buffer.from(this.nvm.bytes).toString('base64') };
  }

  loadState(state: ChipState): void {
    const nvm = (state as Partial<TestChipState>).nvm;
    if (typeof nvm !== 'string') throw new Error('test chip state has no nvm');
    this.nvm.bytes.set(Buffer.from(nvm, 'base64').subarray(0, this.nvm.bytes.length));
  }
}

/** Chip factory for sessions: any device name gives a TestChip. */
export function createTestChip(options: TestChipOptions = {}): TestChip {
  return new TestChip(options);
}
