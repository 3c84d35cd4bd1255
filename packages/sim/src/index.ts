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
export {
  SWD_CLOCKS_PER_ACCESS,
  bestProgramUnit,
  eraseUnitMs,
  flashTimings,
  physicalFloor,
  swdAccessUs,
  usbPayloadUs,
  usbTiming,
  type EraseUnit,
  type FlashFamily,
  type FlashTiming,
  type PhysicalFloor,
  type PhysicalFloorInput,
  type ProgramUnit,
  type UsbSpeed,
  type UsbTiming,
} from './timing.js';
