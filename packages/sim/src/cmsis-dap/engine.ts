import { DpRegister, type SwdAck, type SwdResponse } from '../adiv5/debug-port.js';
import type { SimBoard } from '../board.js';
import type { CmsisDapVariant } from './variants.js';

/** CMSIS-DAP command IDs (CMSIS-DAP specification, "Commands"; DAP.h of ARM-software/CMSIS_5). */
const Id = {
  INFO: 0x00,
  HOST_STATUS: 0x01,
  CONNECT: 0x02,
  DISCONNECT: 0x03,
  TRANSFER_CONFIGURE: 0x04,
  TRANSFER: 0x05,
  TRANSFER_BLOCK: 0x06,
  TRANSFER_ABORT: 0x07,
  RESET_TARGET: 0x0a,
  SWJ_PINS: 0x10,
  SWJ_CLOCK: 0x11,
  SWJ_SEQUENCE: 0x12,
  SWD_CONFIGURE: 0x13,
  INVALID: 0xff,
} as const;

const DAP_OK = 0x00;
const DAP_ERROR = 0xff;
/** Transfer Request bits. */
const AP = 0x01;
const READ = 0x02;
const VALUE_MATCH = 0x10;
const MATCH_MASK = 0x20;
/** Transfer Response ACK values. */
const ACK_OK = 1;
const ACK_WAIT = 2;
const ACK_FAULT = 4;
const ACK_NONE = 7;
const MISMATCH = 0x10;
/** DAP_SWJ_Pins nRESET bit. */
const PIN_NRESET = 0x80;

function ackCode(ack: SwdAck): number {
  switch (ack) {
    case 'ok':
      return ACK_OK;
    case 'wait':
      return ACK_WAIT;
    case 'fault':
      return ACK_FAULT;
    case 'no-ack':
      return ACK_NONE;
  }
}

/** What a command did to the response stream: the bytes, or none (DAP_TransferAbort). */
export type DapResponse = Uint8Array | undefined;

/**
 * The firmware of a virtual CMSIS-DAP probe: decodes each request packet as the CMSIS-DAP
 * specification lays it out and runs it on the board's SW-DP. DAP_Transfer and
 * DAP_TransferBlock behave as Arm's reference firmware (CMSIS_5 CMSIS/DAP/Firmware/Source/
 * DAP.c, DAP_SWD_Transfer and DAP_SWD_TransferBlock) on the wire: an AP read is posted and
 * its data comes with the next AP read or an RDBUFF read, the last write is checked with an
 * RDBUFF read, each transaction is retried on WAIT up to the WAIT retry count, and a batch
 * stops at the first transaction that is not OK, answering the count executed so far and
 * that ACK.
 */
export class CmsisDapEngine {
  #port = 0;
  #idleCycles = 0;
  /** Reference firmware defaults (DAP.c DAP_Setup): 100 WAIT retries, no match retry. */
  #waitRetry = 100;
  #matchRetry = 0;
  #matchMask = 0;
  #nresetLow = false;

  constructor(
    readonly board: SimBoard,
    readonly variant: CmsisDapVariant,
    readonly identity: { readonly serial: string; readonly firmware: string | undefined },
    /** False: the probe's nRESET pin reaches nothing (the Raspberry Pi Debug Probe's "D" connector has none). */
    readonly nresetWired = true,
  ) {}

  /** Whether DAP_Connect selected SWD. */
  get connected(): boolean {
    return this.#port === 1;
  }

  get waitRetry(): number {
    return this.#waitRetry;
  }

  execute(request: Uint8Array): DapResponse {
    const id = request[0];
    switch (id) {
      case Id.INFO:
        return this.#info(request[1] ?? 0);
      case Id.HOST_STATUS:
        return Uint8Array.of(Id.HOST_STATUS, DAP_OK);
      case Id.CONNECT: {
        const port = request[1] ?? 0;
        // This probe has SWD only in the model: JTAG is refused with port 0.
        this.#port = port === 0 || port === 1 ? 1 : 0;
        return Uint8Array.of(Id.CONNECT, this.#port);
      }
      case Id.DISCONNECT:
        this.#port = 0;
        return Uint8Array.of(Id.DISCONNECT, DAP_OK);
      case Id.TRANSFER_CONFIGURE:
        this.#idleCycles = request[1] ?? 0;
        this.#waitRetry = u16(request, 2);
        this.#matchRetry = u16(request, 4);
        return Uint8Array.of(Id.TRANSFER_CONFIGURE, DAP_OK);
      case Id.TRANSFER:
        return this.#transfer(request);
      case Id.TRANSFER_BLOCK:
        return this.#transferBlock(request);
      case Id.TRANSFER_ABORT:
        // No response (specification, DAP_TransferAbort); nothing is running to abort.
        return undefined;
      case Id.RESET_TARGET:
        // No device-specific reset sequence: Execute = 0.
        return Uint8Array.of(Id.RESET_TARGET, DAP_OK, 0);
      case Id.SWJ_PINS:
        return this.#pins(request);
      case Id.SWJ_CLOCK: {
        const hz = u32(request, 1);
        if (hz === 0) return Uint8Array.of(Id.SWJ_CLOCK, DAP_ERROR);
        this.board.swdSpeedKhz = hz / 1000;
        return Uint8Array.of(Id.SWJ_CLOCK, DAP_OK);
      }
      case Id.SWJ_SEQUENCE:
        this.#sequence(request);
        return Uint8Array.of(Id.SWJ_SEQUENCE, DAP_OK);
      case Id.SWD_CONFIGURE:
        return Uint8Array.of(Id.SWD_CONFIGURE, DAP_OK);
      default:
        return Uint8Array.of(Id.INVALID);
    }
  }

  #info(infoId: number): Uint8Array {
    const text = (value: string | undefined): Uint8Array => {
      if (value === undefined) return Uint8Array.of(Id.INFO, 0);
      const bytes = new TextEncoder().encode(value);
      return Uint8Array.of(Id.INFO, bytes.length + 1, ...bytes, 0);
    };
    const v = this.variant;
    switch (infoId) {
      case 0x01:
        return text(v.manufacturerName);
      case 0x02:
        return text(v.productName);
      case 0x03:
        return text(this.identity.serial);
      case 0x04:
        return text(v.protocolVersion);
      case 0x09:
        return text(this.identity.firmware);
      case 0xf0:
        return Uint8Array.of(Id.INFO, 1, v.capabilities);
      case 0xfe:
        return Uint8Array.of(Id.INFO, 1, v.packetCount);
      case 0xff:
        return Uint8Array.of(Id.INFO, 2, v.packetBytes & 0xff, v.packetBytes >>> 8);
      default:
        // Target device and board strings, timers, UART and SWO: not provided.
        return Uint8Array.of(Id.INFO, 0);
    }
  }

  #pins(request: Uint8Array): Uint8Array {
    const output = request[1] ?? 0;
    const select = request[2] ?? 0;
    if ((select & PIN_NRESET) !== 0) {
      this.#nresetLow = (output & PIN_NRESET) === 0;
      if (this.nresetWired) this.board.setNrst(this.#nresetLow);
    }
    // SWCLK and SWDIO idle high; nRESET reads back what drives it.
    const input = 0x03 | (this.#nresetLow ? 0 : PIN_NRESET);
    return Uint8Array.of(Id.SWJ_PINS, input);
  }

  /** DAP_SWJ_Sequence: the bits go to the SW-DP, which sees line resets in them. */
  #sequence(request: Uint8Array): void {
    const count = (request[1] ?? 0) === 0 ? 256 : (request[1] ?? 0);
    this.board.clock.advanceUs((count * 1000) / this.board.swdSpeedKhz);
    this.board.dp.swjSequence(count, request.subarray(2));
  }

  /** One SWD transaction, retried on WAIT as DAP_TransferConfigure says. */
  #swd(request: number, value = 0): SwdResponse {
    const dp = this.board.dp;
    let response: SwdResponse;
    let retries = this.#waitRetry;
    for (;;) {
      const register = request & 0x0c;
      if (request & AP)
        response = request & READ ? dp.apRead(register) : dp.apWrite(register, value);
      else response = request & READ ? dp.read(register) : dp.write(register, value);
      if (this.#idleCycles > 0) {
        this.board.clock.advanceUs((this.#idleCycles * 1000) / this.board.swdSpeedKhz);
      }
      if (response.ack !== 'wait' || retries-- === 0) return response;
    }
  }

  #rdbuff(): SwdResponse {
    return this.#swd(DpRegister.RDBUFF | READ);
  }

  #transfer(request: Uint8Array): Uint8Array {
    const total = request[2] ?? 0;
    const out: number[] = [];
    if (!this.connected) return Uint8Array.of(Id.TRANSFER, 0, 0);
    let offset = 3;
    let count = 0;
    let ack = ACK_OK;
    let mismatch = 0;
    let postedRead = false;
    let checkWrite = false;
    const push = (word: number): void => {
      out.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24);
    };
    for (; count < total; count++) {
      const req = request[offset++] ?? 0;
      let failed = false;
      if (req & READ) {
        if (req & VALUE_MATCH) {
          const match = u32(request, offset);
          offset += 4;
          if (postedRead) {
            const r = this.#rdbuff();
            ack = ackCode(r.ack);
            if (r.ack !== 'ok') break;
            push(r.value);
            postedRead = false;
          }
          if (req & AP) {
            const posted = this.#swd(req);
            ack = ackCode(posted.ack);
            if (posted.ack !== 'ok') break;
          }
          let tries = this.#matchRetry;
          let value = 0;
          for (;;) {
            const r = this.#swd(req);
            ack = ackCode(r.ack);
            if (r.ack !== 'ok') {
              failed = true;
              break;
            }
            value = r.value;
            if ((value & this.#matchMask) === match || tries-- === 0) break;
          }
          if (failed) break;
          if ((value & this.#matchMask) !== match) {
            mismatch = MISMATCH;
            break;
          }
        } else if (req & AP) {
          // Returns the previous AP read's data and posts this one.
          const r = this.#swd(req);
          ack = ackCode(r.ack);
          if (r.ack !== 'ok') break;
          if (postedRead) push(r.value);
          postedRead = true;
        } else {
          if (postedRead) {
            const r = this.#rdbuff();
            ack = ackCode(r.ack);
            if (r.ack !== 'ok') break;
            push(r.value);
            postedRead = false;
          }
          const r = this.#swd(req);
          ack = ackCode(r.ack);
          if (r.ack !== 'ok') break;
          push(r.value);
        }
        checkWrite = false;
      } else {
        if (postedRead) {
          const r = this.#rdbuff();
          ack = ackCode(r.ack);
          if (r.ack !== 'ok') break;
          push(r.value);
          postedRead = false;
        }
        const value = u32(request, offset);
        offset += 4;
        if (req & MATCH_MASK) {
          this.#matchMask = value;
          ack = ACK_OK;
        } else {
          const r = this.#swd(req, value);
          ack = ackCode(r.ack);
          if (r.ack !== 'ok') break;
          checkWrite = true;
        }
      }
    }
    if (ack === ACK_OK && mismatch === 0) {
      if (postedRead) {
        const r = this.#rdbuff();
        ack = ackCode(r.ack);
        if (r.ack === 'ok') push(r.value);
      } else if (checkWrite) {
        ack = ackCode(this.#rdbuff().ack);
      }
    }
    return Uint8Array.of(Id.TRANSFER, count, ack | mismatch, ...out);
  }

  #transferBlock(request: Uint8Array): Uint8Array {
    const total = u16(request, 2);
    const req = request[4] ?? 0;
    if (!this.connected || total === 0) return Uint8Array.of(Id.TRANSFER_BLOCK, 0, 0, 0);
    const out: number[] = [];
    let count = 0;
    let ack = ACK_OK;
    if (req & READ) {
      let failed = false;
      if (req & AP) {
        const posted = this.#swd(req);
        ack = ackCode(posted.ack);
        failed = posted.ack !== 'ok';
      }
      while (!failed && count < total) {
        // The last word of an AP block comes from RDBUFF; DP reads are read directly.
        const r = req & AP && count === total - 1 ? this.#rdbuff() : this.#swd(req);
        ack = ackCode(r.ack);
        if (r.ack !== 'ok') break;
        out.push(r.value & 0xff, (r.value >>> 8) & 0xff, (r.value >>> 16) & 0xff, r.value >>> 24);
        count++;
      }
    } else {
      let offset = 5;
      let failed = false;
      while (count < total) {
        const r = this.#swd(req, u32(request, offset));
        offset += 4;
        ack = ackCode(r.ack);
        if (r.ack !== 'ok') {
          failed = true;
          break;
        }
        count++;
      }
      if (!failed) ack = ackCode(this.#rdbuff().ack);
    }
    return Uint8Array.of(Id.TRANSFER_BLOCK, count & 0xff, count >>> 8, ack, ...out);
  }
}

function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) |
      ((bytes[offset + 1] ?? 0) << 8) |
      ((bytes[offset + 2] ?? 0) << 16) |
      ((bytes[offset + 3] ?? 0) << 24)) >>>
    0
  );
}
