import { FlashwrightError } from '@flashwright/core';
import { CommandId, DAP_OK } from './constants.js';
import { hex } from './bytes.js';

/**
 * One CMSIS-DAP command: a request packet and a decoder for its response packet. Every
 * response starts with the command's ID (CMSIS-DAP specification, "Commands"). Responses
 * over HID arrive padded to the report size, so decoders read what the layout says and
 * ignore the rest.
 */
export interface DapCommand<R> {
  /** The command's name in the specification, e.g. "DAP_Transfer". */
  readonly name: string;
  readonly request: Uint8Array;
  decode(response: Uint8Array): R;
}

const REPLUG_HINT = 'Unplug and replug the probe; if it persists, update its firmware.';

export function protocolError(
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  hint = REPLUG_HINT,
): FlashwrightError {
  return new FlashwrightError('PROBE_PROTOCOL_ERROR', message, { hint, details });
}

/**
 * Checks that `response` answers command `id` and holds at least `bytes` bytes. A probe
 * answers a command it does not implement with the single byte 0xFF (ID_DAP_Invalid).
 */
export function expectResponse(
  name: string,
  id: number,
  response: Uint8Array,
  bytes: number,
): void {
  const first = response[0];
  if (first === CommandId.INVALID && id !== CommandId.INVALID) {
    throw protocolError(
      `The CMSIS-DAP probe does not implement ${name} (${hex(id, 2)})`,
      { command: name },
      'Update the probe firmware to a CMSIS-DAP 2.x release.',
    );
  }
  if (first !== id) {
    throw protocolError(
      `CMSIS-DAP probe answered ${name} (${hex(id, 2)}) with a response to ${first === undefined ? 'nothing' : hex(first, 2)}`,
      { command: name, expected: id, received: first },
    );
  }
  if (response.length < bytes) {
    throw protocolError(
      `CMSIS-DAP probe answered ${name} with ${response.length} bytes instead of at least ${bytes}`,
      { command: name, expectedBytes: bytes, receivedBytes: response.length },
    );
  }
}

/** A command whose response is its ID and a status byte (DAP_OK or DAP_ERROR). */
export function statusCommand(name: string, request: Uint8Array): DapCommand<void> {
  const id = request[0] ?? 0;
  return {
    name,
    request,
    decode(response) {
      expectResponse(name, id, response, 2);
      const status = response[1];
      if (status !== DAP_OK) {
        throw protocolError(`CMSIS-DAP probe refused ${name} (status ${hex(status ?? 0, 2)})`, {
          command: name,
          status,
        });
      }
    },
  };
}
