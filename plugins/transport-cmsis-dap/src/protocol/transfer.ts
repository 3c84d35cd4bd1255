import type { DapTransfer, SwdAck } from '@flashwright/core/plugin';
import { getU16, getU32, putU16, putU32 } from './bytes.js';
import { expectResponse, protocolError, type DapCommand } from './command.js';
import { CommandId, TransferAck, TransferRequest } from './constants.js';

/**
 * DAP_Transfer (0x05) and DAP_TransferBlock (0x06), CMSIS-DAP specification "Transfer
 * Commands".
 *
 * The probe resolves posted AP reads itself (the AP read's data comes from the next AP read
 * or from an RDBUFF read it adds at the end) and checks the last write with an RDBUFF read,
 * so a response holds the data of each read in order. Transfer Count counts the transfers
 * executed; an AP read counts when it is posted, so when a batch fails the data of its last
 * counted AP read may be missing. The decoders below report only transfers whose outcome is
 * known (`completed`), as the SwdWire contract asks.
 */

/** Largest Transfer Count of DAP_Transfer (one byte). */
export const MAX_TRANSFER_COUNT = 255;
/** Largest Transfer Count of DAP_TransferBlock (u16). */
export const MAX_BLOCK_COUNT = 0xffff;

/** The Transfer Request byte: APnDP, RnW, A[3:2]. */
export function requestByte(port: 'dp' | 'ap', register: number, read: boolean): number {
  if ((register & ~0xc) !== 0) {
    throw new RangeError(`SWD register address must be 0x0, 0x4, 0x8 or 0xC, got ${register}`);
  }
  return (port === 'ap' ? TransferRequest.AP : 0) | (read ? TransferRequest.READ : 0) | register;
}

export interface TransferResponse {
  /** Transfers whose outcome is known, counted from the first. */
  readonly completed: number;
  readonly ack: SwdAck | 'protocol-error';
  /** Read data of the completed reads, in order. */
  readonly reads: readonly number[];
  /** The raw Transfer Count and Transfer Response bytes, for logs. */
  readonly rawCount: number;
  readonly rawResponse: number;
}

/** The ACK bits of a Transfer Response byte. */
export function decodeAck(response: number): SwdAck | 'protocol-error' {
  if ((response & TransferAck.PROTOCOL_ERROR) !== 0) return 'protocol-error';
  switch (response & 0x7) {
    case TransferAck.OK:
      return 'ok';
    case TransferAck.WAIT:
      return 'wait';
    case TransferAck.FAULT:
      return 'fault';
    case TransferAck.NO_ACK:
      return 'no-ack';
    default:
      // 0 (the probe ran no transfer: DAP_TransferAbort) or an undefined value.
      return 'protocol-error';
  }
}

/** Request bytes of a DAP_Transfer: 3 + one byte per transfer + four per write. */
export function transferRequestBytes(transfers: readonly DapTransfer[]): number {
  return 3 + transfers.reduce((n, t) => n + (t.value === undefined ? 1 : 5), 0);
}

/** Response bytes of a DAP_Transfer that completes: 3 + four per read. */
export function transferResponseBytes(transfers: readonly DapTransfer[]): number {
  return 3 + 4 * transfers.filter((t) => t.value === undefined).length;
}

/**
 * DAP_Transfer: [0x05, DAP Index, Count, (Request, [Data u32])...] → [0x05, Count, Response,
 * Data u32 per read...]. `dapIndex` is ignored in SWD mode (JTAG chain position).
 */
export function transfer(
  transfers: readonly DapTransfer[],
  dapIndex = 0,
): DapCommand<TransferResponse> {
  if (transfers.length === 0 || transfers.length > MAX_TRANSFER_COUNT) {
    throw new RangeError(
      `DAP_Transfer takes 1 to ${MAX_TRANSFER_COUNT} transfers, got ${transfers.length}`,
    );
  }
  const request = new Uint8Array(transferRequestBytes(transfers));
  request[0] = CommandId.TRANSFER;
  request[1] = dapIndex & 0xff;
  request[2] = transfers.length;
  let offset = 3;
  for (const t of transfers) {
    request[offset++] = requestByte(t.port, t.register, t.value === undefined);
    if (t.value !== undefined) {
      putU32(request, offset, t.value);
      offset += 4;
    }
  }
  return {
    name: 'DAP_Transfer',
    request,
    decode(response) {
      expectResponse('DAP_Transfer', CommandId.TRANSFER, response, 3);
      const rawCount = response[1] ?? 0;
      const rawResponse = response[2] ?? 0;
      const ack = decodeAck(rawResponse);
      if (rawCount > transfers.length) {
        throw protocolError(
          `CMSIS-DAP probe reports ${rawCount} transfers done of the ${transfers.length} sent`,
          { command: 'DAP_Transfer' },
        );
      }
      let completed = rawCount;
      if (ack !== 'ok') completed = knownOutcomes(transfers, rawCount);
      else if (rawCount !== transfers.length) {
        throw protocolError(
          `CMSIS-DAP probe answered OK after ${rawCount} of ${transfers.length} transfers`,
          { command: 'DAP_Transfer' },
        );
      }
      const readCount = transfers.slice(0, completed).filter((t) => t.value === undefined).length;
      return {
        completed,
        ack,
        reads: words(response, 3, readCount, 'DAP_Transfer'),
        rawCount,
        rawResponse,
      };
    },
  };
}

/**
 * After a failed batch: the transfers whose outcome is known. The failing step may be the
 * RDBUFF read that resolves the last posted AP read or checks the last write (the count
 * then covers every transfer), or the read that posts the next AP read while returning the
 * previous one's data: either way the last counted transfer is not confirmed when it is an
 * AP read still pending, or when the count covers the whole batch.
 */
function knownOutcomes(transfers: readonly DapTransfer[], count: number): number {
  if (count === 0) return 0;
  if (count === transfers.length) return count - 1;
  const last = transfers[count - 1];
  return last && last.port === 'ap' && last.value === undefined ? count - 1 : count;
}

/**
 * DAP_TransferBlock: [0x06, DAP Index, Count u16, Request, Data u32 per write...] →
 * [0x06, Count u16, Response, Data u32 per read...]. One register, `count` reads or one
 * write per word.
 */
export function transferBlock(
  port: 'dp' | 'ap',
  register: number,
  operation: { readonly read: number } | { readonly write: Uint32Array },
  dapIndex = 0,
): DapCommand<TransferResponse> {
  const isRead = 'read' in operation;
  const count = isRead ? operation.read : operation.write.length;
  if (count < 1 || count > MAX_BLOCK_COUNT) {
    throw new RangeError(`DAP_TransferBlock takes 1 to ${MAX_BLOCK_COUNT} words, got ${count}`);
  }
  const request = new Uint8Array(5 + (isRead ? 0 : 4 * count));
  request[0] = CommandId.TRANSFER_BLOCK;
  request[1] = dapIndex & 0xff;
  putU16(request, 2, count);
  request[4] = requestByte(port, register, isRead);
  if (!isRead) operation.write.forEach((word, i) => putU32(request, 5 + 4 * i, word));
  return {
    name: 'DAP_TransferBlock',
    request,
    decode(response) {
      expectResponse('DAP_TransferBlock', CommandId.TRANSFER_BLOCK, response, 4);
      const rawCount = getU16(response, 1);
      const rawResponse = response[3] ?? 0;
      const ack = decodeAck(rawResponse);
      if (rawCount > count || (ack === 'ok' && rawCount !== count)) {
        throw protocolError(
          `CMSIS-DAP probe reports ${rawCount} of ${count} block transfers with ACK ${ack}`,
          { command: 'DAP_TransferBlock' },
        );
      }
      // A block read counts a word once its data is in the response; a block write's last
      // word is confirmed by the RDBUFF check, whose failure leaves the count at `count`.
      const completed = ack !== 'ok' && !isRead && rawCount === count ? count - 1 : rawCount;
      const reads = isRead ? words(response, 4, completed, 'DAP_TransferBlock') : [];
      return { completed, ack, reads, rawCount, rawResponse };
    },
  };
}

function words(response: Uint8Array, offset: number, count: number, name: string): number[] {
  if (response.length < offset + 4 * count) {
    throw protocolError(
      `CMSIS-DAP probe sent ${response.length} bytes for ${name}, too few for ${count} words`,
      { command: name },
    );
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(getU32(response, offset + 4 * i));
  return out;
}
