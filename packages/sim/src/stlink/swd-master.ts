import { Abort, CtrlStat, DpRegister, type SwdAck } from '../adiv5/debug-port.js';
import { Csw, MemApRegister } from '../adiv5/mem-ap.js';
import type { SimBoard } from '../board.js';
import { Status } from './constants.js';

/** Result of a firmware memory transfer: the status it latches and where it stopped. */
export interface MemoryTransferResult {
  readonly status: number;
  /** Address of the access that failed (0 when status is OK). */
  readonly faultAddress: number;
}

export type AccessSize = 1 | 2 | 4;

/** ST-Link status for an AP transaction ACK (pyOCD constants.py Status, OpenOCD stlink_usb.c). */
export function apStatus(ack: SwdAck): number {
  switch (ack) {
    case 'ok':
      return Status.OK;
    case 'wait':
      return Status.SWD_AP_WAIT;
    case 'fault':
      return Status.SWD_AP_FAULT;
    case 'no-ack':
      return Status.SWD_AP_ERROR;
  }
}

export function dpStatus(ack: SwdAck): number {
  switch (ack) {
    case 'ok':
      return Status.OK;
    case 'wait':
      return Status.SWD_DP_WAIT;
    case 'fault':
      return Status.SWD_DP_FAULT;
    case 'no-ack':
      return Status.SWD_DP_ERROR;
  }
}

const ADDRINC_BLOCK_BYTES = 1024;

/**
 * The probe firmware's SWD routines: what the ST-Link does on the wire for each command.
 * It keeps the DP's SELECT itself (hosts never write it to reach an AP register), hides
 * posted reads, and rewrites TAR at every 1 KB boundary in SWD mode (OpenOCD: "ST said SWD
 * mode performs single accesses"); in JTAG mode it does not, so transfers crossing the
 * AP's auto-increment block wrap.
 */
export class SwdMaster {
  jtagMode = false;
  /** SELECT and per-AP CSW as last written, so unchanged values are not sent again. */
  #selectCache: number | undefined;
  readonly #cswCache = new Map<number, number>();

  constructor(readonly board: SimBoard) {}

  /** ENTER: line reset, DPIDR, power-up handshake, sticky errors cleared. */
  connect(): { status: number; dpidr: number } {
    const dp = this.board.dp;
    this.#forget();
    dp.lineReset();
    const id = dp.read(DpRegister.DPIDR);
    if (id.ack !== 'ok') return { status: Status.GET_IDCODE_ERROR, dpidr: 0 };
    dp.write(
      DpRegister.ABORT,
      Abort.STKERRCLR | Abort.STKCMPCLR | Abort.WDERRCLR | Abort.ORUNERRCLR,
    );
    dp.write(DpRegister.SELECT, 0);
    const power = dp.write(DpRegister.CTRL_STAT, CtrlStat.CDBGPWRUPREQ | CtrlStat.CSYSPWRUPREQ);
    return { status: dpStatus(power.ack), dpidr: id.value };
  }

  readDp(address: number): { status: number; value: number } {
    const r = this.board.dp.read(address);
    return { status: dpStatus(r.ack), value: r.value };
  }

  writeDp(address: number, value: number): number {
    const status = dpStatus(this.board.dp.write(address, value).ack);
    if (address === DpRegister.SELECT && status === Status.OK) this.#selectCache = value >>> 0;
    else if (address === DpRegister.SELECT) this.#forget();
    return status;
  }

  /** Reads an AP register and fetches the posted result with RDBUFF. */
  readAp(ap: number, reg: number): { status: number; value: number } {
    const select = this.#select(ap, reg);
    if (select !== Status.OK) return { status: select, value: 0 };
    const first = this.board.dp.apRead(reg & 0xc);
    if (first.ack !== 'ok') return { status: apStatus(first.ack), value: 0 };
    const rdbuff = this.board.dp.read(DpRegister.RDBUFF);
    return { status: dpStatus(rdbuff.ack), value: rdbuff.value };
  }

  writeAp(ap: number, reg: number, value: number): number {
    const select = this.#select(ap, reg);
    if (select !== Status.OK) return select;
    const status = apStatus(this.board.dp.apWrite(reg & 0xc, value).ack);
    if (reg === MemApRegister.CSW && status === Status.OK) this.#cswCache.set(ap, value >>> 0);
    else if (reg === MemApRegister.CSW) this.#cswCache.delete(ap);
    return status;
  }

  #forget(): void {
    this.#selectCache = undefined;
    this.#cswCache.clear();
  }

  /** Clears sticky errors after a failed memory command, as the firmware does. */
  clearStickyErrors(): void {
    this.board.dp.write(
      DpRegister.ABORT,
      Abort.STKERRCLR | Abort.STKCMPCLR | Abort.WDERRCLR | Abort.ORUNERRCLR,
    );
  }

  /**
   * Reads `count` elements of `size` bytes from `address` through a MEM-AP into `out`
   * (little-endian). Stops at the first failed access.
   */
  readMemory(
    ap: number,
    cswHigh: number,
    address: number,
    size: AccessSize,
    count: number,
    increment: boolean,
    out: Uint8Array,
  ): MemoryTransferResult {
    const setup = this.#setup(ap, cswHigh, address, size, increment);
    if (setup !== Status.OK) return { status: setup, faultAddress: address };
    const dp = this.board.dp;
    for (let i = 0; i < count; i++) {
      const elementAddress = increment ? address + i * size : address;
      const retarget = this.#retarget(i, elementAddress, increment);
      if (retarget !== Status.OK) return this.#failed(retarget, elementAddress);
      const r = dp.apRead(MemApRegister.DRW);
      if (r.ack !== 'ok') {
        // The previous element's data is still in RDBUFF: keep what was read before the fault.
        if (i > 0) this.#rescue(out, i - 1, size, elementAddress - (increment ? size : 0));
        return this.#failed(apStatus(r.ack), elementAddress);
      }
      // The data of element i arrives with the next read, or with RDBUFF after the last.
      if (i > 0) this.#store(out, i - 1, size, elementAddress - (increment ? size : 0), r.value);
    }
    if (count > 0) {
      const last = dp.read(DpRegister.RDBUFF);
      const lastAddress = increment ? address + (count - 1) * size : address;
      if (last.ack !== 'ok') return this.#failed(dpStatus(last.ack), lastAddress);
      this.#store(out, count - 1, size, lastAddress, last.value);
    }
    return { status: Status.OK, faultAddress: 0 };
  }

  /**
   * Writes `data` through a MEM-AP, one access per element, and stops at the first failed
   * access: the accesses before it are done, it and the rest are not (an access the SW-DP
   * answers with WAIT or FAULT is not performed: ADIv5, ARM IHI 0031), and its address is
   * latched for GETLASTRWSTATUS2. This firmware retries no WAIT itself, so every WAIT the
   * target gives reaches the host: how often ST's firmware retries first is not public.
   */
  writeMemory(
    ap: number,
    cswHigh: number,
    address: number,
    size: AccessSize,
    data: Uint8Array,
    increment: boolean,
  ): MemoryTransferResult {
    const setup = this.#setup(ap, cswHigh, address, size, increment);
    if (setup !== Status.OK) return { status: setup, faultAddress: address };
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const count = Math.floor(data.length / size);
    for (let i = 0; i < count; i++) {
      const elementAddress = increment ? address + i * size : address;
      const retarget = this.#retarget(i, elementAddress, increment);
      if (retarget !== Status.OK) return this.#failed(retarget, elementAddress);
      const element =
        size === 1
          ? view.getUint8(i)
          : size === 2
            ? view.getUint16(i * 2, true)
            : view.getUint32(i * 4, true);
      // Sub-word data goes on the byte lanes of its address.
      const word = size === 4 ? element : element << (8 * (elementAddress & 3));
      const r = this.board.dp.apWrite(MemApRegister.DRW, word >>> 0);
      if (r.ack !== 'ok') return this.#failed(apStatus(r.ack), elementAddress);
    }
    return { status: Status.OK, faultAddress: 0 };
  }

  #rescue(out: Uint8Array, index: number, size: AccessSize, address: number): void {
    const buffered = this.board.dp.read(DpRegister.RDBUFF);
    if (buffered.ack === 'ok') this.#store(out, index, size, address, buffered.value);
  }

  #failed(status: number, faultAddress: number): MemoryTransferResult {
    // After a failed transaction the firmware no longer trusts what it last wrote.
    this.#forget();
    if (status === Status.SWD_AP_FAULT) this.clearStickyErrors();
    return { status, faultAddress: faultAddress >>> 0 };
  }

  #select(ap: number, reg: number): number {
    const select = ((ap << 24) | (reg & 0xf0)) >>> 0;
    if (this.#selectCache === select) return Status.OK;
    return this.writeDp(DpRegister.SELECT, select);
  }

  #setup(
    ap: number,
    cswHigh: number,
    address: number,
    size: AccessSize,
    increment: boolean,
  ): number {
    const sizeField = size === 1 ? Csw.SIZE_8 : size === 2 ? Csw.SIZE_16 : Csw.SIZE_32;
    // Default CSW high bits: HPROT1 | MasterType | reserved bit 24, as the AHB-AP likes.
    const high = cswHigh !== 0 ? cswHigh & 0xffffff00 : 0x23000000;
    const csw = (high | sizeField | (increment ? Csw.ADDRINC_SINGLE : Csw.ADDRINC_OFF)) >>> 0;
    const select = this.#select(ap, MemApRegister.CSW);
    if (select !== Status.OK) return select;
    if (this.#cswCache.get(ap) !== csw) {
      const status = this.writeAp(ap, MemApRegister.CSW, csw);
      if (status !== Status.OK) return status;
    }
    return apStatus(this.board.dp.apWrite(MemApRegister.TAR, address >>> 0).ack);
  }

  #retarget(index: number, address: number, increment: boolean): number {
    if (this.jtagMode || !increment || index === 0 || address % ADDRINC_BLOCK_BYTES !== 0) {
      return Status.OK;
    }
    return apStatus(this.board.dp.apWrite(MemApRegister.TAR, address >>> 0).ack);
  }

  #store(out: Uint8Array, index: number, size: AccessSize, address: number, word: number): void {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const lane = size === 4 ? 0 : 8 * (address & 3);
    const value = (word >>> lane) >>> 0;
    if (size === 1) view.setUint8(index, value & 0xff);
    else if (size === 2) view.setUint16(index * 2, value & 0xffff, true);
    else view.setUint32(index * 4, value, true);
  }
}
