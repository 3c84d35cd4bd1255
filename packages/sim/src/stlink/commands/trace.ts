import { statusReply } from '../bytes.js';
import { Debug, Status } from '../constants.js';
import type { CommandSpec } from '../engine.js';

/**
 * SWO trace (J13+): START_TRACE_RX [F2 40 size(2) baud(4)], STOP_TRACE_RX [F2 41] -> 2-byte
 * status; GET_TRACE_NB [F2 42] -> u16 byte count without a status. The simulator models no
 * ITM or TPIU, so no trace data ever arrives, whatever the core runs.
 */
export const startTrace: CommandSpec = {
  name: 'START_TRACE_RX',
  debugOnly: true,
  available: (f) => f.trace,
  replyLength: () => 2,
  run: (engine) => {
    engine.traceRunning = true;
    return statusReply(Status.OK);
  },
};

export const stopTrace: CommandSpec = {
  name: 'STOP_TRACE_RX',
  debugOnly: true,
  available: (f) => f.trace,
  replyLength: () => 2,
  run: (engine) => {
    engine.traceRunning = false;
    return statusReply(Status.OK);
  },
};

export const getTraceNb: CommandSpec = {
  name: 'GET_TRACE_NB',
  debugOnly: true,
  available: (f) => f.trace,
  replyLength: () => 2,
  run: () => Uint8Array.of(0, 0),
};

export const traceCommands: readonly [number, CommandSpec][] = [
  [Debug.START_TRACE_RX, startTrace],
  [Debug.STOP_TRACE_RX, stopTrace],
  [Debug.GET_TRACE_NB, getTraceNb],
];
