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
export type {
  ChipAccessPort,
  ChipEnvironment,
  ChipModel,
  ChipState,
  DebugAccess,
} from './chip-model.js';
export { FaultPlan, type FaultSpec, type UsbFault } from './faults.js';
export {
  SWD_CLOCKS_PER_ACCESS,
  bestProgramUnit,
  cmsisDapTiming,
  eraseUnitMs,
  flashTimings,
  overlappedFloor,
  physicalFloor,
  swdAccessUs,
  usbPayloadUs,
  usbTiming,
  type EraseUnit,
  type FlashFamily,
  type FlashTiming,
  type OverlappedFloor,
  type OverlappedFloorInput,
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
  LINE_RESET_MIN_ONES,
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
  type AccessPort,
  type BusMaster,
  type MemApOptions,
} from './adiv5/mem-ap.js';
export {
  SIM_SWD_WIRE_LIMITS,
  simSwdWire,
  type SimSwdWire,
  type SimSwdWireOptions,
  type SimSwdWireStats,
} from './adiv5/swd-wire.js';
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
export { VirtualCmsisDap, type VirtualCmsisDapOptions } from './cmsis-dap/device.js';
export { CmsisDapEngine } from './cmsis-dap/engine.js';
export {
  cmsisDapVariants,
  isCmsisDapKind,
  type CmsisDapProbeKind,
  type CmsisDapVariant,
} from './cmsis-dap/variants.js';
export {
  createVirtualCmsisDapSession,
  createVirtualProbeSession,
  createVirtualSession,
  type AnyVirtualSession,
  defaultChipFactory,
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
export {
  APPROTECT_DISABLE,
  APPROTECT_FORCEPROTECT,
  APPROTECT_HW_DISABLED,
  CTRL_AP_IDR,
  CtrlApRegister,
  FICR_BASE,
  NRF52_PAGE_BYTES,
  NRF52_PARTS,
  NVMC_BASE,
  Nrf52Chip,
  NvmcConfig,
  NvmcRegister,
  UICR_APPROTECT,
  UICR_BASE,
  createNrf52Chip,
  findNrf52Part,
  isNrf52Device,
  nrf52FlashTiming,
  revisionOfBuildCode,
  type CreateNrf52ChipOptions,
  type Nrf52ChipOptions,
  type Nrf52ChipState,
  type Nrf52Part,
  type Nrf52Revision,
} from './nrf52/index.js';
