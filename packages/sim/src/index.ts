// The declarations name WebUSB types (USBDevice): they come from @types/w3c-web-usb, a
// dependency, so a TypeScript project that imports this package gets them too.
/// <reference types="w3c-web-usb" preserve="true" />
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
export { FaultPlan, type FaultSpec, type UsbFault } from './faults.js';
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
export { SimBoard, type SimBoardOptions } from './board.js';
export {
  Abort,
  CtrlStat,
  DpRegister,
  SwDebugPort,
  type DebugPortEnvironment,
  type SwdAck,
  type SwdResponse,
} from './adiv5/debug-port.js';
export {
  CORTEX_M3_M4_AHB_AP_IDR,
  Csw,
  MemAp,
  MemApRegister,
  type BusMaster,
  type MemApOptions,
} from './adiv5/mem-ap.js';
export {
  CortexMCore,
  Dfsr,
  RegSel,
  SCS_BASE,
  ScsOffset,
  type CoreArchitecture,
  type CoreEnvironment,
  type CoreOptions,
} from './cortex-m/core.js';
export { PpbAddress, componentIdWord, debugComponentRegions } from './cortex-m/components.js';
export { RegisterStore, WordRegisterRegion, type WordRegisters } from './cortex-m/word-region.js';
export { VirtualStlink, CLONE_SERIAL, type VirtualStlinkOptions } from './stlink/device.js';
export {
  stlinkVariant,
  stlinkVariants,
  type StlinkProbeKind,
  type StlinkVariant,
} from './stlink/descriptors.js';
export {
  firmwareFeatures,
  formatFirmwareVersion,
  parseFirmwareVersion,
  type FirmwareFeatures,
  type FirmwareVersion,
} from './stlink/firmware.js';
export { TransferTimeoutError } from './stlink/in-pipe.js';
export { StlinkEngine, type StlinkBehaviour } from './stlink/engine.js';
export {
  createVirtualSession,
  stm32ChipFactory,
  type ChipFactory,
  type ChipRequest,
  type VirtualSession,
  type VirtualSessionOptions,
  type VirtualSessionStats,
} from './session.js';
export {
  STATE_FORMAT,
  STATE_VERSION,
  readStateFile,
  writeStateFile,
  type BoardStateFile,
} from './state-file.js';
export {
  createStm32Chip,
  defaultFlashSizeRaw,
  Stm32Chip,
  SRAM_BASE,
  type Stm32ChipOptions,
  type Stm32ChipState,
} from './stm32/index.js';
export {
  TcpCommand,
  TcpStatus,
  requestLength,
  startStlinkServer,
  type StlinkServer,
  type StlinkServerOptions,
} from './stlink-server.js';
export {
  Cap,
  EndpointType,
  PacketType,
  Speed,
  Status,
  capabilityWords,
  endpointIndex,
  hasCap,
  type CapName,
  type PacketName,
} from './usbredir/protocol.js';
export {
  UsbredirCodec,
  UsbredirProtocolError,
  list as usbredirList,
  num as usbredirNum,
  type Packet as UsbredirPacket,
  type PacketInit as UsbredirPacketInit,
} from './usbredir/codec.js';
export {
  DEVICE_CAPS,
  UsbredirDeviceConnection,
  type UsbredirDeviceOptions,
} from './usbredir/device-server.js';
export {
  startUsbredirServer,
  type UsbredirServer,
  type UsbredirServerOptions,
} from './usbredir/server.js';
