import { bankLayout } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../../bus.js';
import { ControllerBase, FLASH_BASE, type RdpLevel, type Stm32Context } from '../controller.js';
import { FlashArray } from '../flash-array.js';
import { PlainRegisters, RegisterBlock } from '../register-block.js';

/**
 * Parts whose flash controller is modelled at the data level only (STM32U3/WBA: TrustZone
 * register maps; L5 and U5 run the L4 model through their non-secure registers, H5 and H7R/S
 * eflash.ts). Identification, flash contents and layout are real; any
 * attempt to program the flash faults with a message that says so, rather than a host
 * waiting forever on a controller that does nothing.
 */
export class DataOnlyController extends ControllerBase {
  readonly flash: FlashArray;
  readonly #registers = new PlainRegisters();
  readonly #rdp: RdpLevel;

  constructor(ctx: Stm32Context) {
    super(ctx);
    const banks = bankLayout(ctx.device, ctx.flashKiB);
    this.flash = new FlashArray(FLASH_BASE, ctx.flashKiB * 1024, ctx.device.erasedValue, banks);
    this.#rdp = ctx.initialRdp;
  }

  rdpLevel(): RdpLevel {
    return this.#rdp;
  }

  reset(): void {
    this.busy.abort();
    this.#registers.reset();
  }

  saveState(): Record<string, unknown> {
    return { rdp: this.#rdp };
  }

  loadState(): void {
    this.reset();
  }

  flashWrite(address: number, _size: BusSize, _value: number): void {
    throw new BusError(
      address,
      `${this.ctx.device.line} flash programming is not modelled (data level only)`,
    );
  }

  protected mapRegisters(bus: SystemBus): void {
    const base = this.ctx.device.controller.base;
    if (this.ctx.device.controller.kind !== 'l5-u5') return;
    bus.map(
      new RegisterBlock('FLASH (not modelled)', base, base + 0x400, {
        read: (offset) => this.#registers.get(offset),
        write: (offset, value) => this.#registers.set(offset, value),
      }),
    );
  }
}
