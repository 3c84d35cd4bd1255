import { FlashwrightError } from '@flashwright/core';
import { Aircr, Demcr, Scs } from '@flashwright/core/arm';
import type { Logger, MemoryPort } from '@flashwright/core/plugin';
import { encodeMonitorCommand, monitorOutputSaysUnknown } from './commands/monitor.js';
import { parseStatusReply, type StatusReply } from './commands/reply.js';
import { latin1Text } from './rsp/bytes.js';
import { hexToBytes, isHex } from './rsp/hex.js';
import type { RspClient } from './rsp-client.js';

/**
 * Monitor commands that reset and halt, in the order tried: OpenOCD and pyOCD know
 * "reset halt", J-Link's GDB server "reset" (it halts after reset), QEMU "system_reset"
 * (the machine stays stopped while a debugger holds it). Unknown ones are answered with
 * an error or an "unknown command" message, so trying is harmless.
 */
export const RESET_HALT_COMMANDS = ['reset halt', 'reset', 'system_reset'] as const;

export interface MonitorResult {
  readonly status: StatusReply;
  readonly output: string;
}

function isMonitorReply(text: string): boolean {
  return parseStatusReply(text).kind !== 'other' || (text.length % 2 === 0 && isHex(text));
}

/** Runs a monitor command (qRcmd) and collects what the server prints. */
export async function runMonitorCommand(
  client: RspClient,
  command: string,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<MonitorResult> {
  let output = '';
  const text = await client.requestText(encodeMonitorCommand(command), {
    ...options,
    accept: isMonitorReply,
    onOutput: (chunk) => (output += chunk),
  });
  const status = parseStatusReply(text);
  // Some servers return the output in the final reply (hex) instead of O packets.
  if (status.kind === 'other') output += latin1Text(hexToBytes(text) ?? new Uint8Array());
  return { status: status.kind === 'other' ? { kind: 'ok' } : status, output };
}

export function monitorSucceeded(result: MonitorResult): boolean {
  return result.status.kind === 'ok' && !monitorOutputSaysUnknown(result.output);
}

/**
 * Finds and runs a monitor command that resets and halts the target. Returns the command
 * that worked, or undefined when the server has none (then the caller falls back).
 */
export async function monitorResetHalt(
  client: RspClient,
  candidates: readonly string[],
  options: { signal?: AbortSignal | undefined; timeoutMs: number; log?: Logger | undefined },
): Promise<string | undefined> {
  for (const command of candidates) {
    const result = await runMonitorCommand(client, command, options);
    if (result.status.kind === 'unsupported') return undefined; // no qRcmd at all
    if (monitorSucceeded(result)) return command;
    options.log?.debug(
      `gdb: monitor "${command}" not accepted: ${result.output.trim() || JSON.stringify(result.status)}`,
    );
  }
  return undefined;
}

/**
 * Last resort for servers without a reset command: SYSRESETREQ through AIRCR, with
 * DEMCR.VC_CORERESET set so the core halts at the reset vector (ARMv7-M ARM C1.6.3,
 * B3.2.6). The write may fail as the reset cuts the bus transaction short; that is expected.
 */
export async function aircrResetHalt(
  memory: MemoryPort,
  signal?: AbortSignal,
  log?: Logger,
): Promise<void> {
  const demcr = await memory.read32(Scs.DEMCR, signal);
  await memory.write32(Scs.DEMCR, demcr | Demcr.VC_CORERESET, signal);
  try {
    await memory.write32(Scs.AIRCR, Aircr.VECTKEY | Aircr.SYSRESETREQ, signal);
  } catch (error) {
    if (!(error instanceof FlashwrightError) || error.code !== 'TARGET_FAULT') throw error;
    log?.debug('gdb: AIRCR write reported a fault, as a reset in progress may');
  }
  await memory.write32(Scs.DEMCR, demcr, signal);
}
