import type { BusSize } from '../../bus.js';
import { KeySequence } from '../key-sequence.js';

/** FLASH_PECR bits (CMSIS-L1 stm32l151xb.h, CMSIS-L0 stm32l073xx.h). */
export const Pecr = {
  PELOCK: 1 << 0,
  PRGLOCK: 1 << 1,
  OPTLOCK: 1 << 2,
  PROG: 1 << 3,
  DATA: 1 << 4,
  ERASE: 1 << 9,
  FPRG: 1 << 10,
  OBL_LAUNCH: 1 << 18,
  /** L0 only: skip the not-zero check. */
  NZDISABLE: 1 << 22,
} as const;
export const LOCKS = Pecr.PELOCK | Pecr.PRGLOCK | Pecr.OPTLOCK;

/** Writable PECR bits besides the locks: PROG, DATA, FTDW/FIX, ERASE, FPRG, PARALLBANK, EOPIE, ERRIE (+ L0 HALF_ARRAY, NZDISABLE). */
const MODES_L1 = 0x38718;
const MODES_L0 = 0x4b8718;
/** PROG, DATA, FTDW/FIX, ERASE, FPRG: the bits RM0038 says setting PELOCK clears. */
const CLEARED_BY_PELOCK = Pecr.PROG | Pecr.DATA | (1 << 8) | Pecr.ERASE | Pecr.FPRG;

// PEKEYR, PRGKEYR, OPTKEYR key pairs (HAL-L1 stm32l1xx_hal_flash.h).
const KEYS = {
  pe: { keys: [0x89abcdef, 0x02030405], lock: Pecr.PELOCK, register: 'FLASH_PEKEYR' },
  prg: { keys: [0x8c9daebf, 0x13141516], lock: Pecr.PRGLOCK, register: 'FLASH_PRGKEYR' },
  opt: { keys: [0xfbead9c8, 0x24252627], lock: Pecr.OPTLOCK, register: 'FLASH_OPTKEYR' },
} as const;
export type KeyRegister = keyof typeof KEYS;

/**
 * FLASH_PECR and its three key registers. PEKEYR unlocks PECR and the data EEPROM;
 * PRGKEYR (program memory) and OPTKEYR (option bytes) are accepted only once PELOCK is 0.
 * A wrong key, a key out of order or a key for something already unlocked locks PECR until
 * the next reset with a bus error (RM0038 §3.3.4 "Unlocking the data EEPROM and
 * FLASH_PECR"; BMP stm32l0.c relocks before unlocking because L0 rejects keys on an
 * unlocked PECR).
 */
export class PecrRegister {
  value: number = LOCKS;
  #lockedUntilReset = false;
  readonly #sequences = {
    pe: new KeySequence(KEYS.pe.keys, KEYS.pe.register),
    prg: new KeySequence(KEYS.prg.keys, KEYS.prg.register),
    opt: new KeySequence(KEYS.opt.keys, KEYS.opt.register),
  };

  constructor(readonly isL0: boolean) {}

  reset(): void {
    this.value = LOCKS;
    this.#lockedUntilReset = false;
    for (const sequence of Object.values(this.#sequences)) sequence.reset();
  }

  /** Whether any of `bits` is set. */
  has(bits: number): boolean {
    return (this.value & bits) !== 0;
  }

  writeKey(which: KeyRegister, address: number, value: number, size: BusSize): void {
    const lock = KEYS[which].lock;
    const acceptable =
      !this.#lockedUntilReset && this.has(lock) && (which === 'pe' || !this.has(Pecr.PELOCK));
    const onWrong = () => {
      this.#lockedUntilReset = true;
      this.value |= LOCKS;
      for (const sequence of Object.values(this.#sequences)) sequence.reset();
    };
    if (this.#sequences[which].write(address, value, size, acceptable, onWrong)) {
      this.value &= ~lock;
    }
  }

  /**
   * A PECR write. Ignored while PELOCK is set; lock bits can be set but never cleared by a
   * write. Setting PELOCK also sets PRGLOCK and OPTLOCK and clears the operation selects
   * PROG, DATA, FTDW/FIX, ERASE and FPRG: RM0038 §3.9.2 says of each of those five "This bit
   * is cleared when PELOCK is set" and of PRGLOCK/OPTLOCK "This bit is set when PELOCK is
   * set" (as transcribed in bobmittmann/yard-ice src/targets/stm32f/stm32l_defs.h). So an
   * unlock after a relock starts from PECR = PRGLOCK|OPTLOCK, which is what OpenOCD's
   * stm32lx.c and stlink-org rely on when they relock after a page erase without clearing
   * ERASE|PROG. RM0377 (L0) text was not available; the L0 is assumed to behave the same.
   * Returns whether OBL_LAUNCH was requested, which needs OPTLOCK clear.
   */
  write(value: number): { oblLaunch: boolean } {
    if (this.has(Pecr.PELOCK)) return { oblLaunch: false };
    let locks = this.value & LOCKS;
    let modes = value & ~(LOCKS | Pecr.OBL_LAUNCH) & (this.isL0 ? MODES_L0 : MODES_L1);
    if (value & Pecr.PELOCK) {
      locks = LOCKS;
      modes &= ~CLEARED_BY_PELOCK;
    } else {
      locks |= value & (Pecr.PRGLOCK | Pecr.OPTLOCK);
    }
    this.value = (locks | modes) >>> 0;
    return { oblLaunch: (value & Pecr.OBL_LAUNCH) !== 0 && !(locks & Pecr.OPTLOCK) };
  }
}
