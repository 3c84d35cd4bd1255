// `@flashwright/core/arm`: Cortex-M debug registers (ARMv7-M/ARMv8-M ARM, part C1), for
// transports and target families that halt, reset or identify the core.
export {
  Aircr,
  CoreRegister,
  CortexM,
  Demcr,
  Dhcsr,
  Scs,
  decodeCpuId,
  type CpuId,
} from '../arm/cortex-m.js';
