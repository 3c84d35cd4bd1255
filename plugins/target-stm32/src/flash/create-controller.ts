import type { ControllerContext, FlashController } from './controller.js';
import { BlueNrgLpController } from './bluenrg-lp.js';
import { F2F4F7Controller } from './f2-f4-f7.js';
import { F0F1F3Controller } from './f0-f1-f3.js';
import { EflashController } from './eflash.js';
import { H7Controller } from './h7.js';
import { L4Controller } from './l4.js';
import { L0L1Controller } from './l0-l1.js';

/** The host-driven algorithm for the device's controller family. */
export function createController(ctx: ControllerContext): FlashController {
  switch (ctx.data.controller.kind) {
    case 'f0-f1-f3':
      return new F0F1F3Controller(ctx);
    case 'f2-f4-f7':
      return new F2F4F7Controller(ctx);
    case 'l0-l1':
      return new L0L1Controller(ctx);
    case 'l4':
    case 'wb-wl':
    case 'l5-u5':
      return new L4Controller(ctx);
    case 'h7':
      // H7R/S has the H5-style interface (RM0477: status in ISR/ICR), not the H7 one.
      return ctx.data.devId === 0x485 ? new EflashController(ctx) : new H7Controller(ctx);
    case 'h5':
      return new EflashController(ctx);
    case 'bluenrg-lp':
      return new BlueNrgLpController(ctx);
  }
}
