// `@flashwright/core/adiv5`: core's ADIv5 layer for raw-DAP probes (CMSIS-DAP): SW-DP
// connect, DP/AP register access, AP discovery and a MemoryPort per MEM-AP, over the SwdWire
// contract (whose types, with DapRegisterPort and ProbeAccess, are in `/plugin`).
export { connectSwd } from '../adiv5/connect.js';
export type {
  ApInfo,
  ConnectSwdOptions,
  DebugLog,
  MemApCapabilities,
  MemApPort,
  SwdConnection,
  WaitRetryPolicy,
} from '../adiv5/types.js';
export {
  Jep106,
  NORDIC_CTRL_AP_IDR,
  decodeApIdr,
  decodeDpidr,
  designerName,
  type ApClass,
  type ApIdentity,
  type DpIdentity,
  type MemApBus,
} from '../adiv5/identity.js';
export {
  ABORT_CLEAR_STICKY,
  Abort,
  Csw,
  CtrlStat,
  DpRegister,
  MemApRegister,
  TAR_INCREMENT_BLOCK_BYTES,
  selectValue,
} from '../adiv5/registers.js';
export {
  IDLE_CLOCKS,
  JTAG_TO_SWD,
  LINE_RESET_ONES,
  jtagToSwdSequence,
  lineResetSequence,
  type SwjSequence,
} from '../adiv5/swj.js';
