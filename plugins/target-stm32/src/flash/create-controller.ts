import type { ControllerContext, FlashController } from './controller.js';
import { F4Controller } from './f4.js';
import { FpecController } from './fpec.js';
import { H7Controller } from './h7.js';
import { L4Controller } from './l4.js';
import { LxController } from './lx.js';

/**
 * The host-driven algorithm for the device's controller family, or undefined where none is
 * written yet (H5, and H7R/H7S whose status registers moved to ISR/ICR).
 */
export function createController(ctx: ControllerContext): FlashController | undefined {
  switch (ctx.data.controller.kind) {
    case 'f0-f1-f3':
      return new FpecController(ctx);
    case 'f2-f4-f7':
      return new F4Controller(ctx);
    case 'l0-l1':
      return new LxController(ctx);
    case 'l4':
    case 'wb-wl':
    case 'l5-u5':
      return new L4Controller(ctx);
    case 'h7':
      return ctx.data.devId === 0x485 ? undefined : new H7Controller(ctx);
    case 'h5':
      return undefined;
  }
}

/**
 * Skip threshold for erased stretches inside an image: a new probe transfer costs about two
 * USB round trips (~2 ms on full-speed probes), so erased gaps shorter than what programming
 * does in that time are written through. Programming speeds: targets.md §7.
 */
export function minSkipBytesFor(ctx: ControllerContext): number {
  switch (ctx.data.controller.kind) {
    case 'f0-f1-f3':
      return 128; // 26 us per byte
    case 'f2-f4-f7':
    case 'h7':
      return 1024; // 3-4 us per byte
    case 'l0-l1':
      return ctx.data.halfPageBytes ?? 128; // half-page granularity
    default:
      return 256; // 10 us per byte
  }
}
