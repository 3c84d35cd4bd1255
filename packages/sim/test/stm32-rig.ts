// Test rig for the STM32 chip models: a chip on a bare SystemBus, a virtual clock and a
// fault plan, plus helpers that drive registers the way a host does over the MEM-AP.
import { SystemBus, type BusSize } from '../src/bus.js';
import type { ChipEnvironment } from '../src/chip-model.js';
import { VirtualClock } from '../src/clock.js';
import { FaultPlan, type FaultSpec } from '../src/faults.js';
import { createStm32Chip, type Stm32ChipOptions } from '../src/stm32/index.js';

export interface Rig {
  readonly chip: ReturnType<typeof createStm32Chip>;
  readonly bus: SystemBus;
  readonly clock: VirtualClock;
  readonly faults: FaultPlan;
  /** How many system resets the chip asked the board for. */
  readonly resetRequests: () => number;
  read(address: number, size?: BusSize): number;
  write(address: number, value: number, size?: BusSize): void;
  /** Polls `srAddress` until `bsyMask` clears, letting virtual time pass; returns SR. */
  waitIdle(srAddress: number, bsyMask?: number): number;
  /** Reads `length` bytes. */
  dump(address: number, length: number): number[];
}

export function makeRig(options: Stm32ChipOptions, faultSpecs: FaultSpec[] = []): Rig {
  const chip = createStm32Chip(options);
  const bus = new SystemBus();
  const clock = new VirtualClock();
  const faults = new FaultPlan(faultSpecs);
  let resets = 0;
  const env: ChipEnvironment = {
    clock,
    faults,
    requestSystemReset: () => {
      resets++;
      chip.reset('system');
    },
  };
  chip.attach(bus, env);
  const rig: Rig = {
    chip,
    bus,
    clock,
    faults,
    resetRequests: () => resets,
    read: (address, size = 4) => bus.read(address, size),
    write: (address, value, size = 4) => bus.write(address, size, value),
    waitIdle(srAddress, bsyMask = 1) {
      let stepUs = 10;
      for (let i = 0; i < 200; i++) {
        const sr = bus.read(srAddress, 4);
        if ((sr & bsyMask) === 0) return sr;
        clock.advanceUs(stepUs);
        stepUs = Math.min(stepUs * 2, 100_000);
      }
      throw new Error(`SR at 0x${srAddress.toString(16)} stayed busy`);
    },
    dump(address, length) {
      return Array.from({ length }, (_, i) => bus.read(address + i, 1));
    },
  };
  return rig;
}
