import type { TargetFamily } from '@flashwright/core/plugin';
import { describePart, deviceDescriptors, layoutOfPart } from './descriptors.js';
import { identifyStm32 } from './identify/identify.js';

/** The STM32 target family. */
export const stm32Family: TargetFamily = {
  id: 'stm32',
  description: 'STMicroelectronics STM32 (F0-F7, G0, G4, L0-L5, U5, WB, WL, H7, C0, U0)',
  identify: (ctx, options) => identifyStm32(ctx, options),
  devices: () => deviceDescriptors(),
  layoutOf: (name, options) => layoutOfPart(name, options?.flashSizeBytes),
  describePart: (name) => describePart(name),
};
