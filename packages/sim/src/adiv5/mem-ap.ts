import { BusError, type BusSize } from '../bus.js';

/**
 * What a MEM-AP drives: the system bus as the debugger sees it. The board puts its checks
 * (reset, power, injected bus faults) in front of the SystemBus here. Throws BusError.
 */
export interface BusMaster {
  read(address: number, size: BusSize): number;
  write(address: number, size: BusSize, value: number): void;
}

/**
 * Any access port behind the DP: a MEM-AP, or a vendor AP such as Nordic's CTRL-AP (nRF52840
 * Product Specification v1.7, chapter "CTRL-AP - Control access port"). `reg` is
 * APBANKSEL << 4 | A[3:2]. Throws BusError to FAULT the access.
 */
export interface AccessPort {
  readRegister(reg: number): number;
  writeRegister(reg: number, value: number): void;
}

/** MEM-AP register offsets (ADIv5; OpenOCD src/target/arm_adi_v5.h, pyOCD coresight/ap.py). */
export const MemApRegister = {
  CSW: 0x00,
  TAR: 0x04,
  TAR_HI: 0x08,
  DRW: 0x0c,
  BD0: 0x10,
  BD1: 0x14,
  BD2: 0x18,
  BD3: 0x1c,
  MBT: 0x20,
  BASE_HI: 0xf0,
  CFG: 0xf4,
  BASE: 0xf8,
  IDR: 0xfc,
} as const;

/** CSW fields. */
export const Csw = {
  SIZE_MASK: 0x7,
  SIZE_8: 0,
  SIZE_16: 1,
  SIZE_32: 2,
  ADDRINC_SHIFT: 4,
  ADDRINC_MASK: 0x3 << 4,
  ADDRINC_OFF: 0 << 4,
  ADDRINC_SINGLE: 1 << 4,
  ADDRINC_PACKED: 2 << 4,
  DEVICE_EN: 1 << 6,
  TR_IN_PROG: 1 << 7,
} as const;

export interface MemApOptions {
  /** AP IDR, e.g. 0x24770011 for the Cortex-M3/M4 AHB-AP. */
  readonly idr: number;
  /** BASE: ROM table address | 0x3 (present, ADIv5 format). */
  readonly base: number;
  /**
   * TAR auto-increment block. ADIv5 guarantees 1 KB; the Cortex-M3/M4 AHB-AP
   * (IDR 0x24770011) implements 4 KB (pyOCD `ap.py` AP table; OpenOCD's ST-Link driver
   * uses 4 KB for M3/M4). Past the block the address wraps inside it.
   */
  readonly autoIncrementBytes?: number;
  /**
   * Packed 8- and 16-bit transfers (CSW.AddrInc = 0b10: one DRW access moves a whole word as
   * 4 or 2 bus transfers; ADIv5.2, MEM-AP "Packed transfers"), an optional MEM-AP feature;
   * default true. Without them AddrInc = packed is not kept: it reads back as single, which
   * is how hosts tell (OpenOCD arm_adi_v5.c mem_ap_init).
   */
  readonly packedTransfers?: boolean;
  /**
   * False while the chip blocks this AP (Nordic's access port protection): CSW.DeviceEn
   * reads 0 and every DRW/BDx access faults (ADIv5 C2.6.4: with DeviceEn clear no MEM-AP
   * transfers are initiated). Default: always enabled.
   */
  readonly enabled?: () => boolean;
}

/** The IDR of the Cortex-M3/M4 AHB-AP, which has a 4 KB auto-increment block. */
export const CORTEX_M3_M4_AHB_AP_IDR = 0x24770011;

/**
 * A MEM-AP (AHB-AP): CSW/TAR/DRW with auto-increment inside the block, byte lanes for 8-
 * and 16-bit transfers, packed transfers (unless `packedTransfers` is false), banked data
 * BD0-3, BASE and IDR. Register reads have their side effects here; posting (the read result
 * arriving one access later) is the DP's business.
 */
export class MemAp implements AccessPort {
  #csw = Csw.DEVICE_EN | Csw.SIZE_32 | 0x03000000;
  #tar = 0;
  readonly #blockBytes: number;
  readonly #packs: boolean;

  constructor(
    readonly bus: BusMaster,
    readonly options: MemApOptions,
  ) {
    this.#blockBytes =
      options.autoIncrementBytes ?? (options.idr === CORTEX_M3_M4_AHB_AP_IDR ? 4096 : 1024);
    this.#packs = options.packedTransfers ?? true;
  }

  get csw(): number {
    return this.#enabled() ? this.#csw >>> 0 : (this.#csw & ~Csw.DEVICE_EN) >>> 0;
  }

  #enabled(): boolean {
    return this.options.enabled?.() ?? true;
  }

  #checkEnabled(): void {
    if (!this.#enabled()) throw new BusError(this.#tar, 'access port disabled (CSW.DeviceEn 0)');
  }

  get tar(): number {
    return this.#tar >>> 0;
  }

  get autoIncrementBytes(): number {
    return this.#blockBytes;
  }

  /** Reads an AP register (`reg` = APBANKSEL << 4 | A[3:2]). Throws BusError on DRW/BDx. */
  readRegister(reg: number): number {
    switch (reg) {
      case MemApRegister.CSW:
        return this.csw;
      case MemApRegister.TAR:
        return this.tar;
      case MemApRegister.DRW:
        this.#checkEnabled();
        return this.#readData();
      case MemApRegister.BD0:
      case MemApRegister.BD1:
      case MemApRegister.BD2:
      case MemApRegister.BD3:
        this.#checkEnabled();
        return this.bus.read(this.#bankedAddress(reg), 4) >>> 0;
      case MemApRegister.BASE:
        return this.options.base >>> 0;
      case MemApRegister.IDR:
        return this.options.idr >>> 0;
      default:
        // TAR_HI, MBT, BASE_HI, CFG (little-endian, no large address/data) and reserved.
        return 0;
    }
  }

  /** Writes an AP register. Throws BusError on DRW/BDx. */
  writeRegister(reg: number, value: number): void {
    switch (reg) {
      case MemApRegister.CSW: {
        // Sizes above 32 bits do not exist on an AHB-AP: the field keeps its old value.
        const size = value & Csw.SIZE_MASK;
        const keptSize = size <= Csw.SIZE_32 ? size : this.#csw & Csw.SIZE_MASK;
        let writable = value & ~(Csw.SIZE_MASK | Csw.DEVICE_EN | Csw.TR_IN_PROG);
        if ((writable & Csw.ADDRINC_MASK) === Csw.ADDRINC_PACKED && !this.#packs) {
          writable = (writable & ~Csw.ADDRINC_MASK) | Csw.ADDRINC_SINGLE;
        }
        this.#csw = (writable | keptSize | Csw.DEVICE_EN) >>> 0;
        return;
      }
      case MemApRegister.TAR:
        this.#tar = value >>> 0;
        return;
      case MemApRegister.DRW:
        this.#checkEnabled();
        this.#writeData(value);
        return;
      case MemApRegister.BD0:
      case MemApRegister.BD1:
      case MemApRegister.BD2:
      case MemApRegister.BD3:
        this.#checkEnabled();
        this.bus.write(this.#bankedAddress(reg), 4, value);
        return;
      default:
        return;
    }
  }

  #size(): BusSize {
    const field = this.#csw & Csw.SIZE_MASK;
    return field === Csw.SIZE_8 ? 1 : field === Csw.SIZE_16 ? 2 : 4;
  }

  /** The access address: TAR aligned down to the size, as the Cortex-M AHB-AP does. */
  #address(size: BusSize): number {
    return (this.#tar & ~(size - 1)) >>> 0;
  }

  /** Bus transfers per DRW access: 4 / size when packed, else one. */
  #transfersPerAccess(size: BusSize): number {
    return (this.#csw & Csw.ADDRINC_MASK) === Csw.ADDRINC_PACKED ? 4 / size : 1;
  }

  #readData(): number {
    const size = this.#size();
    let word = 0;
    for (let i = this.#transfersPerAccess(size); i > 0; i--) {
      const address = this.#address(size);
      const value = this.bus.read(address, size);
      this.#increment(size);
      // The data sits on the byte lanes of its address (ADIv5 byte-lane rule).
      word |= size === 4 ? value : value << (8 * (address & 3));
    }
    return word >>> 0;
  }

  #writeData(word: number): void {
    const size = this.#size();
    for (let i = this.#transfersPerAccess(size); i > 0; i--) {
      const address = this.#address(size);
      const value =
        size === 4 ? word : (word >>> (8 * (address & 3))) & (size === 1 ? 0xff : 0xffff);
      this.bus.write(address, size, value >>> 0);
      this.#increment(size);
    }
  }

  #increment(size: BusSize): void {
    if ((this.#csw & Csw.ADDRINC_MASK) === Csw.ADDRINC_OFF) return;
    const mask = this.#blockBytes - 1;
    this.#tar = ((this.#tar & ~mask) | ((this.#tar + size) & mask)) >>> 0;
  }

  #bankedAddress(reg: number): number {
    return ((this.#tar & ~0xf) | (reg - MemApRegister.BD0)) >>> 0;
  }
}
