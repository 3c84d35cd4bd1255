import { putU16, putU32 } from './bytes.js';
import { expectResponse, protocolError, statusCommand, type DapCommand } from './command.js';
import { CommandId, DAP_OK, Port } from './constants.js';

/**
 * The CMSIS-DAP general and SWJ commands (CMSIS-DAP specification, "General Commands",
 * "Common SWD/JTAG Commands", "SWD Commands", "Transfer Commands" for DAP_TransferConfigure).
 */

/** DAP_HostStatus (0x01): [0x01, Type, Status] → [0x01, 0x00]. Type 0 connect LED, 1 running. */
export function hostStatus(type: 'connected' | 'running', on: boolean): DapCommand<void> {
  return statusCommand(
    'DAP_HostStatus',
    Uint8Array.of(CommandId.HOST_STATUS, type === 'connected' ? 0 : 1, on ? 1 : 0),
  );
}

/**
 * DAP_Connect (0x02): [0x02, Port] → [0x02, Port]; the port actually selected, 0 when the
 * probe could not select it (no SWD on this probe).
 */
export function connect(port: 'default' | 'swd' | 'jtag' = 'swd'): DapCommand<number> {
  const code = port === 'swd' ? Port.SWD : port === 'jtag' ? Port.JTAG : Port.DEFAULT;
  return {
    name: 'DAP_Connect',
    request: Uint8Array.of(CommandId.CONNECT, code),
    decode(response) {
      expectResponse('DAP_Connect', CommandId.CONNECT, response, 2);
      const selected = response[1] ?? 0;
      if (selected === 0) {
        throw protocolError(
          `The CMSIS-DAP probe could not select ${port.toUpperCase()}`,
          { command: 'DAP_Connect', port },
          'This probe does not offer SWD; use a probe with SWD (DAP_Info Capabilities bit 0).',
        );
      }
      return selected;
    },
  };
}

/** DAP_Disconnect (0x03): [0x03] → [0x03, Status]. */
export function disconnect(): DapCommand<void> {
  return statusCommand('DAP_Disconnect', Uint8Array.of(CommandId.DISCONNECT));
}

/** DAP_TransferConfigure (0x04): [0x04, IdleCycles, WaitRetry u16, MatchRetry u16] → [0x04, Status]. */
export function transferConfigure(options: {
  readonly idleCycles: number;
  readonly waitRetry: number;
  readonly matchRetry: number;
}): DapCommand<void> {
  const request = new Uint8Array(6);
  request[0] = CommandId.TRANSFER_CONFIGURE;
  request[1] = checkRange('idle cycles', options.idleCycles, 0xff);
  putU16(request, 2, checkRange('WAIT retries', options.waitRetry, 0xffff));
  putU16(request, 4, checkRange('match retries', options.matchRetry, 0xffff));
  return statusCommand('DAP_TransferConfigure', request);
}

/**
 * DAP_ResetTarget (0x0A): [0x0A] → [0x0A, Status, Execute]. Execute 1: the probe ran a
 * device-specific reset sequence; 0: it has none (then nRESET through DAP_SWJ_Pins resets).
 */
export function resetTarget(): DapCommand<{ readonly executed: boolean }> {
  return {
    name: 'DAP_ResetTarget',
    request: Uint8Array.of(CommandId.RESET_TARGET),
    decode(response) {
      expectResponse('DAP_ResetTarget', CommandId.RESET_TARGET, response, 3);
      if (response[1] !== DAP_OK) {
        throw protocolError('CMSIS-DAP probe refused DAP_ResetTarget', {
          command: 'DAP_ResetTarget',
        });
      }
      return { executed: response[2] === 1 };
    },
  };
}

/**
 * DAP_SWJ_Pins (0x10): [0x10, Output, Select, Wait u32 µs] → [0x10, Input]. Only the pins in
 * Select are driven to their bit in Output; the probe then waits up to Wait µs for them to
 * read back (0: no wait) and answers the levels of all pins.
 */
export function swjPins(output: number, select: number, waitUs = 0): DapCommand<number> {
  const request = new Uint8Array(7);
  request[0] = CommandId.SWJ_PINS;
  request[1] = output & 0xff;
  request[2] = select & 0xff;
  putU32(request, 3, checkRange('pin wait', waitUs, 0xffffffff));
  return {
    name: 'DAP_SWJ_Pins',
    request,
    decode(response) {
      expectResponse('DAP_SWJ_Pins', CommandId.SWJ_PINS, response, 2);
      return response[1] ?? 0;
    },
  };
}

/** DAP_SWJ_Clock (0x11): [0x11, Clock u32 Hz] → [0x11, Status]. */
export function swjClock(hz: number): DapCommand<void> {
  const request = new Uint8Array(5);
  request[0] = CommandId.SWJ_CLOCK;
  putU32(request, 1, checkRange('clock', hz, 0xffffffff, 1));
  return statusCommand('DAP_SWJ_Clock', request);
}

/**
 * DAP_SWJ_Sequence (0x12): [0x12, Count, Data...] → [0x12, Status]. Count 1..256 bits
 * (256 is sent as 0), clocked out on SWDIO/TMS least significant bit of byte 0 first.
 */
export function swjSequence(bitCount: number, bits: Uint8Array): DapCommand<void> {
  checkRange('sequence length', bitCount, 256, 1);
  const bytes = Math.ceil(bitCount / 8);
  if (bits.length < bytes) {
    throw new RangeError(`a ${bitCount}-bit sequence needs ${bytes} bytes, got ${bits.length}`);
  }
  const request = new Uint8Array(2 + bytes);
  request[0] = CommandId.SWJ_SEQUENCE;
  request[1] = bitCount & 0xff;
  request.set(bits.subarray(0, bytes), 2);
  return statusCommand('DAP_SWJ_Sequence', request);
}

/**
 * DAP_SWD_Configure (0x13): [0x13, Configuration] → [0x13, Status]. Bits 1..0: turnaround
 * period minus one (1-4 clocks); bit 2: always generate a data phase on WAIT/FAULT.
 */
export function swdConfigure(turnaroundClocks = 1, dataPhase = false): DapCommand<void> {
  checkRange('turnaround', turnaroundClocks, 4, 1);
  return statusCommand(
    'DAP_SWD_Configure',
    Uint8Array.of(CommandId.SWD_CONFIGURE, (turnaroundClocks - 1) | (dataPhase ? 0x04 : 0)),
  );
}

function checkRange(what: string, value: number, max: number, min = 0): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `CMSIS-DAP ${what} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}
