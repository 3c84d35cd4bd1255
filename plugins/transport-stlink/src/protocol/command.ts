import { FlashwrightError } from '@flashwright/core';

/**
 * One ST-Link exchange (OpenOCD stlink_usb_xfer_rw, pyOCD probe/stlink/usb.py transfer): a
 * 16-byte command block, an optional data-OUT phase, and a data-IN phase of a length the host
 * must know in advance (0 = no IN phase).
 * `decode` turns the exact IN bytes into a typed reply.
 */
export interface StLinkCommand<R> {
  /** Command name for errors and logs, e.g. "READMEM_32BIT". */
  readonly name: string;
  readonly block: Uint8Array;
  readonly dataOut?: Uint8Array | undefined;
  readonly responseBytes: number;
  decode(response: Uint8Array): R;
}

/** Reply that carries only a status code (byte 0; byte 1 is 0). */
export interface StatusReply {
  readonly status: number;
}

/** Reply with a status in byte 0 and a u32 value at bytes 4..7. */
export interface ValueReply {
  readonly status: number;
  readonly value: number;
}

/** Throws PROBE_PROTOCOL_ERROR unless the reply has exactly the announced length. */
export function expectLength(name: string, response: Uint8Array, bytes: number): void {
  if (response.length !== bytes) {
    throw new FlashwrightError(
      'PROBE_PROTOCOL_ERROR',
      `ST-Link answered ${name} with ${response.length} bytes instead of ${bytes}`,
      {
        hint: 'Unplug and replug the probe; if it persists, update its firmware.',
        details: { command: name, expectedBytes: bytes, receivedBytes: response.length },
      },
    );
  }
}

/** Decoder for replies that are only a 2-byte status. */
export function statusDecoder(name: string, bytes = 2): (response: Uint8Array) => StatusReply {
  return (response) => {
    expectLength(name, response, bytes);
    return { status: response[0] ?? 0 };
  };
}
