import { hexNumber } from '../rsp/hex.js';

/** "?": why did the target stop (and is it stopped)? The reply is a stop reply. */
export const QUERY_HALT_REASON = '?';
/** "c": continue; no reply until the target stops again. */
export const CONTINUE = 'c';
/** Ask the server to stop sending and expecting '+' acknowledgements. */
export const START_NO_ACK_MODE = 'QStartNoAckMode';

/** "D", or "D;pid" once multiprocess extensions are in use (GDB manual, "Packets": D). */
export function encodeDetach(processId: number | undefined): string {
  return processId === undefined ? 'D' : `D;${hexNumber(processId)}`;
}
