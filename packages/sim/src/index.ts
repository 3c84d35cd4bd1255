export { VirtualClock } from './clock.js';
export {
  BusError,
  RamRegion,
  SystemBus,
  readLittleEndian,
  writeLittleEndian,
  type BusRegion,
  type BusSize,
} from './bus.js';
export type { ChipEnvironment, ChipModel, ChipState, DebugAccess } from './chip-model.js';
export { FaultPlan, type FaultSpec } from './faults.js';
