/**
 * The simulator side of the Thumb differential test: a bare chip with the memory map the
 * test programs are linked for (code at 0, RAM at 0x20000000, nothing else), on a
 * SimBoard whose core runs the program until BKPT halts it.
 */
import {
  RamRegion,
  SimBoard,
  type ChipModel,
  type ChipState,
  type DebugAccess,
  type SystemBus,
} from '../../src/index.js';
import { MEMORY_WINDOWS, RAM_BYTES, type MachineState, type QemuMachine } from './thumb-peers.js';

const DHCSR = 0xe000edf0;
const DBGKEY = 0xa05f0000;

export class BareChip implements ChipModel {
  readonly partName = 'THUMB-TEST';
  readonly dpidr = 0x2ba01477;
  readonly apIdr = 0x24770011;
  readonly code = new RamRegion('code', 0, 64 * 1024);
  readonly ram = new RamRegion('RAM', 0x20000000, RAM_BYTES);

  constructor(readonly cpuId: number) {}

  attach(bus: SystemBus): void {
    bus.map(this.code);
    bus.map(this.ram);
  }

  debugAccess(): DebugAccess {
    return 'open';
  }

  bootAddress(): number {
    return 0;
  }

  reset(): void {}

  saveState(): ChipState {
    return { part: this.partName };
  }

  loadState(): void {}
}

/** Runs `image` (loaded at 0) from reset until the core halts; at most `budgetUs` of virtual time. */
export function runOnSim(
  machine: QemuMachine,
  image: Uint8Array,
  budgetUs = 1_000_000,
): MachineState & { readonly halted: boolean } {
  const chip = new BareChip(machine.cpuId);
  const board = new SimBoard({ chip });
  chip.code.bytes.set(image);
  // Halting debug on (BKPT halts rather than faulting), halted through the reset.
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  board.systemReset();
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  for (let spent = 0; spent < budgetUs && !board.core.halted; spent += 1000) {
    board.clock.advanceUs(1000);
  }
  const registers: number[] = [];
  for (let reg = 0; reg <= 16; reg++) registers.push(board.core.coreRegister(reg));
  const memory: number[] = [];
  for (const window of MEMORY_WINDOWS) {
    for (let i = 0; i < window.words; i++) memory.push(board.bus.read(window.start + 4 * i, 4));
  }
  return { registers, memory, halted: board.core.halted };
}
