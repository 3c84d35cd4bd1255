import { parseHexNumber } from '../rsp/hex.js';

/** A stop reply (GDB manual, "Stop Reply Packets"), as far as a flash tool cares. */
export type StopReply =
  | { readonly kind: 'stopped'; readonly signal: number; readonly thread?: string | undefined }
  | { readonly kind: 'exited'; readonly status: number }
  | { readonly kind: 'terminated'; readonly signal: number };

export function isStopReply(text: string): boolean {
  return /^[STWX][0-9a-fA-F]{2}/.test(text);
}

/** Parses "T05thread:p01.01;...", "S05", "W00", "X09"; undefined when not a stop reply. */
export function parseStopReply(text: string): StopReply | undefined {
  if (!isStopReply(text)) return undefined;
  const value = parseHexNumber(text.slice(1, 3))!;
  switch (text[0]) {
    case 'W':
      return { kind: 'exited', status: value };
    case 'X':
      return { kind: 'terminated', signal: value };
    case 'S':
      return { kind: 'stopped', signal: value };
    default: {
      const thread = /(?:^|;)thread:([^;]+)/.exec(text.slice(3))?.[1];
      return { kind: 'stopped', signal: value, thread };
    }
  }
}

/** The process id in a multiprocess thread id: "p1f.2" gives 0x1f; plain ids give undefined. */
export function processIdOf(thread: string | undefined): number | undefined {
  const match = /^p([0-9a-fA-F]+)/.exec(thread ?? '');
  return match === null ? undefined : parseHexNumber(match[1]!);
}
