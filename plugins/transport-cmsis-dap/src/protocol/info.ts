import { getU16 } from './bytes.js';
import { expectResponse, protocolError, type DapCommand } from './command.js';
import { CommandId, InfoId } from './constants.js';

/**
 * DAP_Info (0x00): request [0x00, Info ID]; response [0x00, Len, Info...]. Strings come
 * NUL-terminated with Len counting the NUL, and Len 0 means the probe has no such string;
 * Capabilities is 1 or 2 bytes, Packet Count one byte (Len 1), Packet Size a u16 (Len 2).
 */
function infoRequest(id: number): Uint8Array {
  return Uint8Array.of(CommandId.INFO, id);
}

function infoPayload(name: string, response: Uint8Array): Uint8Array {
  expectResponse(name, CommandId.INFO, response, 2);
  const length = response[1] ?? 0;
  if (response.length < 2 + length) {
    throw protocolError(
      `CMSIS-DAP probe announced ${length} bytes of ${name} but sent ${response.length - 2}`,
      { command: name },
    );
  }
  return response.subarray(2, 2 + length);
}

export type InfoStringId =
  | typeof InfoId.VENDOR
  | typeof InfoId.PRODUCT
  | typeof InfoId.SERIAL
  | typeof InfoId.PROTOCOL_VERSION
  | typeof InfoId.TARGET_DEVICE_VENDOR
  | typeof InfoId.TARGET_DEVICE_NAME
  | typeof InfoId.TARGET_BOARD_VENDOR
  | typeof InfoId.TARGET_BOARD_NAME
  | typeof InfoId.FIRMWARE_VERSION;

/** A DAP_Info string; undefined when the probe reports none (Len 0). */
export function infoString(id: InfoStringId): DapCommand<string | undefined> {
  const name = `DAP_Info ${id.toString(16).padStart(2, '0').toUpperCase()}`;
  return {
    name,
    request: infoRequest(id),
    decode(response) {
      const payload = infoPayload(name, response);
      const end = payload.indexOf(0);
      const text = new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
      return text.length === 0 ? undefined : text;
    },
  };
}

export interface Capabilities {
  readonly swd: boolean;
  readonly jtag: boolean;
  readonly swoUart: boolean;
  readonly swoManchester: boolean;
  readonly atomicCommands: boolean;
  readonly testDomainTimer: boolean;
  readonly swoStreaming: boolean;
  readonly uartCommPort: boolean;
  /** Byte 1 bit 0 (protocol 2.1): UART through a USB COM port. */
  readonly uartUsbComPort: boolean;
}

export function decodeCapabilities(bytes: Uint8Array): Capabilities {
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  return {
    swd: (b0 & 0x01) !== 0,
    jtag: (b0 & 0x02) !== 0,
    swoUart: (b0 & 0x04) !== 0,
    swoManchester: (b0 & 0x08) !== 0,
    atomicCommands: (b0 & 0x10) !== 0,
    testDomainTimer: (b0 & 0x20) !== 0,
    swoStreaming: (b0 & 0x40) !== 0,
    uartCommPort: (b0 & 0x80) !== 0,
    uartUsbComPort: (b1 & 0x01) !== 0,
  };
}

/** DAP_Info 0xF0 Capabilities. */
export function infoCapabilities(): DapCommand<Capabilities> {
  const name = 'DAP_Info Capabilities';
  return {
    name,
    request: infoRequest(InfoId.CAPABILITIES),
    decode(response) {
      const payload = infoPayload(name, response);
      if (payload.length < 1) throw protocolError(`CMSIS-DAP probe sent an empty ${name}`);
      return decodeCapabilities(payload);
    },
  };
}

/** DAP_Info 0xFE Packet Count: how many packets the probe buffers (commands in flight). */
export function infoPacketCount(): DapCommand<number> {
  const name = 'DAP_Info Packet Count';
  return {
    name,
    request: infoRequest(InfoId.PACKET_COUNT),
    decode(response) {
      const payload = infoPayload(name, response);
      const count = payload[0];
      if (payload.length !== 1 || count === undefined || count === 0) {
        throw protocolError(`CMSIS-DAP probe sent an invalid ${name}`, { command: name });
      }
      return count;
    },
  };
}

/** DAP_Info 0xFF Packet Size: the largest request and response in bytes. */
export function infoPacketSize(): DapCommand<number> {
  const name = 'DAP_Info Packet Size';
  return {
    name,
    request: infoRequest(InfoId.PACKET_SIZE),
    decode(response) {
      const payload = infoPayload(name, response);
      const size = payload.length === 2 ? getU16(payload, 0) : 0;
      // Every CMSIS-DAP command that matters here fits in the 64-byte full-speed minimum.
      if (size < 64) {
        throw protocolError(`CMSIS-DAP probe sent an invalid ${name} (${size} bytes)`, {
          command: name,
        });
      }
      return size;
    },
  };
}
