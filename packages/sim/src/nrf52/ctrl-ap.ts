import type { AccessPort } from '../adiv5/mem-ap.js';
import type { FlashBusy } from '../stm32/busy.js';

/**
 * Nordic's CTRL-AP register offsets and IDR (nRF52840 PS v1.7, chapter "CTRL-AP - Control
 * access port": RESET 0x000, ERASEALL 0x004, ERASEALLSTATUS 0x008, APPROTECTSTATUS 0x00C,
 * IDR 0x0FC = 0x02880000).
 */
export const CtrlApRegister = {
  RESET: 0x000,
  ERASEALL: 0x004,
  ERASEALLSTATUS: 0x008,
  APPROTECTSTATUS: 0x00c,
  IDR: 0x0fc,
} as const;

export const CTRL_AP_IDR = 0x02880000;

/** What the CTRL-AP drives on the chip. */
export interface CtrlApChip {
  /** Access port protection in force now. */
  protectedNow(): boolean;
  /** Erases flash, UICR and RAM, then opens the AHB-AP until the next reset. */
  eraseAll(): void;
  readonly eraseAllUs: number;
  readonly busy: FlashBusy;
  holdReset(held: boolean): void;
}

/**
 * The CTRL-AP: reachable whatever the access port protection says. ERASEALL erases the
 * whole chip (ERASEALLSTATUS reads 1 until tERASEALL has passed), APPROTECTSTATUS reads 0
 * while the protection is on and 1 when it is off, RESET holds the system in reset while 1.
 */
export class CtrlAp implements AccessPort {
  #reset = 0;

  constructor(readonly chip: CtrlApChip) {}

  readRegister(reg: number): number {
    switch (reg) {
      case CtrlApRegister.RESET:
        return this.#reset;
      case CtrlApRegister.ERASEALL:
        return 0;
      case CtrlApRegister.ERASEALLSTATUS:
        return this.chip.busy.busy ? 1 : 0;
      case CtrlApRegister.APPROTECTSTATUS:
        return this.chip.protectedNow() ? 0 : 1;
      case CtrlApRegister.IDR:
        return CTRL_AP_IDR;
      default:
        return 0;
    }
  }

  writeRegister(reg: number, value: number): void {
    switch (reg) {
      case CtrlApRegister.RESET: {
        const held = (value & 1) === 1;
        if (held === (this.#reset === 1)) return;
        this.#reset = held ? 1 : 0;
        this.chip.holdReset(held);
        return;
      }
      case CtrlApRegister.ERASEALL:
        if ((value & 1) === 0) return;
        this.chip.busy.stall();
        this.chip.eraseAll();
        this.chip.busy.start(this.chip.eraseAllUs);
        return;
      default:
        return;
    }
  }
}
