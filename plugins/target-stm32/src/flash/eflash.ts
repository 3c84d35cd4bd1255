import { FlashwrightError } from '@flashwright/core';
import type { AddressRange } from '@flashwright/core/image';
import {
  type ControllerContext,
  type FlashController,
  type OptionRegisters,
  type ProgramRun,
  type ProtectionInfo,
  type RunProgress,
  type SectorRef,
  Timeouts,
  writeProtectedReader,
} from './controller.js';
import { FlashBlock } from './flash-block.js';
import { Keys } from './keys.js';
import { type StatusFlag, maskOf } from './status-flags.js';

// STM32H5 (RM0481, RM0492) and H7R/S (RM0477) flash: 128-bit flash words through a write
// buffer, 8 KiB sectors; H5 through its non-secure registers (TrustZone disabled), with two
// banks picked by NSCR.BKSEL. Offsets and bits: H5 as Arm's flash algorithm in
// Open-CMSIS-Pack/STM32H5xx_DFP (CMSIS/Flash/STM32H5xx/FlashPrg.c, FLASH_TypeDef after
// CMSIS-H5 stm32h563xx.h); H7R/S as NuttX arch/arm/src/stm32h7/hardware/stm32h7rsxx_flash.h
// (register descriptions quoted as RM0477 are ST's, from the STM32H7S SVD text).

interface Layout {
  readonly KEYR: number;
  readonly CR: number;
  readonly SR: number;
  /** Where the error flags read (H5 NSSR, H7R/S ISR) and where writing 1 clears them. */
  readonly FLAGS: number;
  readonly CLEAR: number;
  /** Product state (H5 OPTSR_CUR, PRODUCT_STATE [15:8]; H7R/S NVSR, NVSTATE [7:0]). */
  readonly STATE: number;
  readonly stateShift: number;
  /** Write protection as loaded, per bank (H5 WRP1R_CUR, WRP2R_CUR; H7R/S WRPSR). */
  readonly WRP: readonly number[];
  readonly busyMask: number;
  readonly errors: readonly StatusFlag[];
  /** Product-state codes: the open one, the permanent one (level 2), and names for all. */
  readonly open: number;
  readonly locked: number | undefined;
  readonly stateNames: Readonly<Record<number, string>>;
}

const h5: Layout = {
  KEYR: 0x04, // NSKEYR
  CR: 0x28, // NSCR
  SR: 0x20, // NSSR
  FLAGS: 0x20,
  CLEAR: 0x30, // NSCCR
  STATE: 0x50, // OPTSR_CUR
  stateShift: 8,
  WRP: [0xe8, 0x1e8],
  // BSY, WBNE (a word waiting for the rest of its bytes), DBNE.
  busyMask: (1 << 0) | (1 << 1) | (1 << 3),
  errors: [
    { name: 'WRPERR', mask: 1 << 17 },
    { name: 'PGSERR', mask: 1 << 18 },
    { name: 'STRBERR', mask: 1 << 19 },
    { name: 'INCERR', mask: 1 << 20 },
    { name: 'OBKERR', mask: 1 << 21 },
    { name: 'OBKWERR', mask: 1 << 22 },
    { name: 'OPTCHANGEERR', mask: 1 << 23 },
  ],
  // PRODUCT_STATE (HAL-H5 stm32h5xx_hal_flash_ex.h OB_PROD_STATE_*).
  open: 0xed,
  locked: 0x5c,
  stateNames: {
    0xed: 'OPEN',
    0x17: 'PROVISIONING',
    0x2e: 'iROT-PROVISIONED',
    0xc6: 'TZ-CLOSED',
    0x72: 'CLOSED',
    0x5c: 'LOCKED',
  },
};

const h7rs: Layout = {
  KEYR: 0x04,
  CR: 0x10,
  SR: 0x14,
  FLAGS: 0x24, // ISR
  CLEAR: 0x28, // ICR
  STATE: 0x200, // NVSR
  stateShift: 0,
  WRP: [0x218], // WRPSR
  // BUSY, WBNE, QW ("For software polling it is therefore better to use QW", RM0477 FLASH_SR).
  busyMask: (1 << 0) | (1 << 1) | (1 << 2),
  errors: [
    { name: 'WRPERR', mask: 1 << 17 },
    { name: 'PGSERR', mask: 1 << 18 },
    { name: 'STRBERR', mask: 1 << 19 },
    { name: 'INCERR', mask: 1 << 21 },
  ],
  open: 0xb4,
  locked: undefined,
  stateNames: { 0xb4: 'OPEN', 0x51: 'CLOSED' },
};

const CR_LOCK = 1 << 0;
const CR_PG = 1 << 1;
const CR_SER = 1 << 2;
const CR_BER = 1 << 3;
const CR_START = 1 << 5;
const SNB_SHIFT = 6;
const CR_BKSEL = 1 << 31; // H5
const EOP = 1 << 16;
/** H5 OPTSR_CUR.SWAP_BANK: bank 2 is mapped at 0x08000000. */
const SWAP_BANK = 1 << 31;
const WORD_BYTES = 16;

export class EflashController implements FlashController {
  /** Tells real write protection from another refusal (status-flags.ts). */
  private readonly protectedRanges = writeProtectedReader(this);
  private readonly layout: Layout;
  /** Unlock, operations, status checks and relock (flash-block.ts). */
  private readonly block: FlashBlock;

  constructor(private readonly ctx: ControllerContext) {
    const layout = ctx.data.controller.kind === 'h5' ? h5 : h7rs;
    this.layout = layout;
    this.block = new FlashBlock(ctx, {
      control: this.reg(layout.CR),
      unlockKeys: [
        {
          lockMask: CR_LOCK,
          keyRegister: this.reg(layout.KEYR),
          keys: Keys.flash,
          what: 'Flash controller',
        },
      ],
      lockValue: CR_LOCK,
      status: this.reg(layout.SR),
      busyMask: layout.busyMask,
      // The error flags read from ISR on H7R/S.
      flags: layout.FLAGS === layout.SR ? undefined : this.reg(layout.FLAGS),
      errors: layout.errors,
      clear: this.reg(layout.CLEAR),
      clearMask: maskOf(layout.errors) | EOP,
      protectedRanges: this.protectedRanges,
    });
  }

  private reg(offset: number): number {
    return this.ctx.data.controller.base + offset;
  }

  /**
   * NSCR.BKSEL for a bank as flashwright numbers them (by address). BKSEL is read as naming
   * the physical bank, as RM0456 describes BKER on U5: with SWAP_BANK set the bank at
   * 0x08000000 is bank 2. Assumption: RM0481's text on it was not reached.
   */
  private async bankSelect(bank: number): Promise<number> {
    if (this.ctx.data.controller.kind !== 'h5') return 0;
    const optsr = await this.ctx.memory.read32(this.reg(this.layout.STATE));
    const physical = (optsr & SWAP_BANK) !== 0 ? bank ^ 1 : bank;
    return physical === 1 ? CR_BKSEL : 0;
  }

  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.block.eraseSectors(sectors, done, signal, async (sector) => {
      // SER, SNB and BKSEL first, then START, as Arm's H5 algorithm (EraseSector) does.
      const cr = CR_SER | (sector.index << SNB_SHIFT) | (await this.bankSelect(sector.bank));
      return {
        control: [cr >>> 0, (cr | CR_START) >>> 0],
        timeoutMs: Timeouts.sectorEraseMs,
        what: 'sector erase',
      };
    });
  }

  /** BER erases the bank BKSEL names (H5) or the one bank (H7R/S). */
  async eraseBank(bank: number): Promise<void> {
    if (bank >= this.ctx.banks.length) {
      throw new RangeError(`${this.ctx.data.name} has no bank ${bank + 1}`);
    }
    // FLASH_OPTSR_CUR is a read-only status register, readable while NSCR is locked (RM0481
    // FLASH_OPTSR_CUR): BKSEL is known before the unlock.
    const cr = CR_BER | (await this.bankSelect(bank));
    await this.block.eraseBank(
      {
        control: [cr >>> 0, (cr | CR_START) >>> 0],
        timeoutMs: Timeouts.massEraseMs,
        what: 'bank erase',
      },
      this.ctx.banks[bank],
    );
  }

  /**
   * Flash words of 16 bytes as four consecutive 32-bit writes (Arm's H5 ProgramPage): the
   * buffer programs a word when its last byte arrives, and writes while busy stall the bus.
   * A run is one port write and one status check; the error flags stay set until cleared
   * through NSCCR/ICR, so a failed word shows at the end. A word that was not erased gives no
   * flag: its ECC breaks, and reading it back fails (Arm's H5 algorithm: "Only a erased
   * sector can be programmed ... because of ECC").
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.block.program(runs, progress, signal, {
      control: CR_PG,
      // "When PG is cleared ... all the data stored in the buffer but not sent to the
      // operation queue are lost" (RM0477 FLASH_CR.PG).
      withoutPg: 0,
      units: { width: 32, unitBytes: WORD_BYTES, unitName: 'flash word' },
    });
  }

  /** No option-byte fields are offered for these parts (optionLayout none). */
  readOptionRegisters(): Promise<OptionRegisters> {
    return Promise.resolve({});
  }

  /**
   * Refused: H5 product states past OPEN and the H7R/S CLOSED state need provisioned keys or
   * a password to come back from, and LOCKED is permanent; flashwright does not write them.
   */
  writeOptionRegisters(): Promise<void> {
    return Promise.reject(
      new FlashwrightError(
        'COMMAND_UNAVAILABLE',
        `Option bytes of ${this.ctx.data.name} are not written by flashwright: its product state (${this.ctx.data.controller.kind === 'h5' ? 'OPTSR PRODUCT_STATE' : 'NVSR NVSTATE'}) replaces RDP, and leaving OPEN needs provisioned keys to come back`,
        { hint: 'Use STM32CubeProgrammer and ST’s provisioning flow for product-state changes.' },
      ),
    );
  }

  async readProtection(signal?: AbortSignal): Promise<ProtectionInfo> {
    const layout = this.layout;
    const state = await this.ctx.memory.read32(this.reg(layout.STATE), signal);
    const code = (state >>> layout.stateShift) & 0xff;
    // Only OPEN leaves the user flash to the debugger; LOCKED (H5) is final, as RDP level 2.
    const level = code === layout.open ? 0 : code === layout.locked ? 2 : 1;
    const writeProtected: AddressRange[] = [];
    for (const [bank, region] of this.ctx.banks.entries()) {
      const offset = layout.WRP[bank];
      if (offset === undefined) continue;
      const wrp = await this.ctx.memory.read32(this.reg(offset), signal);
      // 0 bits protect: H5 WRPSG one bit per group of sectors (four on 128-sector banks),
      // H7R/S WRPS one bit per sector.
      const perBit = Math.max(1, Math.ceil(region.sectors.length / 32));
      region.sectors.forEach((sector, index) => {
        if (((wrp >>> Math.floor(index / perBit)) & 1) === 0) writeProtected.push(sector);
      });
    }
    const name = layout.stateNames[code] ?? 'invalid';
    return {
      rdpByte: code,
      level,
      writeProtected,
      state: `product state ${name} (0x${code.toString(16).toUpperCase().padStart(2, '0')})`,
    };
  }

  async lock(): Promise<void> {
    await this.block.relock();
  }
}
