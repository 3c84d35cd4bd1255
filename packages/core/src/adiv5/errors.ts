import { FlashwrightError } from '../errors/flashwright-error.js';
import type { SwdAck } from './ports.js';

/** Where a failed SWD transaction was, for the message. */
export interface SwdFailureContext {
  /** E.g. "DP read of CTRL/STAT", "memory read of 64 bytes at 0x20000000". */
  readonly what: string;
  /** CTRL/STAT read after a FAULT. */
  readonly ctrlStat?: number | undefined;
  /** Bus address of the access that got the FAULT (memory accesses). */
  readonly faultAddress?: number | undefined;
  readonly apsel?: number | undefined;
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

const WIRING =
  'Check that the target is powered and SWDIO, SWCLK, GND and VTref are connected; lower probe.speed or try probe.connect: under-reset.';

/** The catalogue error for an SWD acknowledgement other than OK. */
export function swdAckError(
  ack: Exclude<SwdAck, 'ok'> | 'protocol-error',
  context: SwdFailureContext,
): FlashwrightError {
  const details = {
    ack,
    what: context.what,
    apsel: context.apsel,
    ctrlStat: context.ctrlStat,
    faultAddress: context.faultAddress,
  };
  switch (ack) {
    case 'fault': {
      const at = context.faultAddress === undefined ? '' : ` at ${hex32(context.faultAddress)}`;
      const status = context.ctrlStat === undefined ? '' : `, CTRL/STAT ${hex32(context.ctrlStat)}`;
      return new FlashwrightError(
        'TARGET_FAULT',
        `${context.what} faulted${at} (SWD FAULT${status})`,
        {
          hint: 'The address is not mapped, or the chip blocks it (read protection, a disabled peripheral clock, a core held in reset). Check the address against the device memory map.',
          details,
        },
      );
    }
    case 'wait':
      return new FlashwrightError(
        'TARGET_NO_RESPONSE',
        `${context.what}: the target kept answering WAIT`,
        {
          hint: 'The core or bus is stalled (e.g. a flash operation or a low-power mode). Try probe.connect: under-reset, or a lower probe.speed.',
          details,
        },
      );
    case 'no-ack':
      return new FlashwrightError(
        'TARGET_NO_RESPONSE',
        `${context.what}: no SWD acknowledgement (nothing drives SWDIO)`,
        { hint: WIRING, details },
      );
    case 'protocol-error':
      return new FlashwrightError(
        'TARGET_NO_RESPONSE',
        `${context.what}: SWD protocol error (parity)`,
        { hint: `Signal integrity: shorten the cable or lower probe.speed. ${WIRING}`, details },
      );
  }
}
