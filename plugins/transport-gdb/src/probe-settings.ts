import { FlashwrightError } from '@flashwright/core';
import type { MemoryMapRegion, ProbeRequest } from '@flashwright/core/plugin';

/** Everything the GDB transport reads from the recipe's probe section. */
export interface GdbProbeSettings {
  readonly host: string;
  readonly port: number;
  /** TCP_NODELAY; on by default. */
  readonly noDelay: boolean;
  /** Use QStartNoAckMode when the server offers it; on by default. */
  readonly noAckMode: boolean;
  readonly requestTimeoutMs: number;
  /** For vFlash erase/write/done and monitor reset, which can take seconds. */
  readonly flashTimeoutMs: number;
  /** Overrides the server's PacketSize. */
  readonly packetSizeBytes: number | undefined;
  /** The monitor command that resets (and halts) the target, e.g. "reset halt". */
  readonly resetCommand: string | undefined;
  /** Describes the memory of servers that send no memory map (e.g. a writable flash). */
  readonly memoryMap: readonly MemoryMapRegion[] | undefined;
}

export const DEFAULT_GDB_HOST = '127.0.0.1';
/** OpenOCD's and pyOCD's default GDB port. */
export const DEFAULT_GDB_PORT = 3333;

function invalid(keyPath: string, message: string, hint?: string): FlashwrightError {
  return new FlashwrightError('RECIPE_INVALID', `${keyPath}: ${message}`, {
    source: { keyPath },
    hint,
  });
}

/**
 * "HOST:PORT", "[IPv6]:PORT", ":PORT" or "PORT" (local host). The part after `gdb:` in
 * `--probe gdb:HOST:PORT` uses the same syntax.
 */
export function parseGdbAddress(
  text: string,
  keyPath = 'probe.address',
): { host: string; port: number } {
  const trimmed = text.trim();
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):?(\d+)?$/.exec(trimmed);
  const host = match?.[1] ?? (match?.[2] || DEFAULT_GDB_HOST);
  const portText = match?.[3];
  const bareHostIsPort = match !== null && portText === undefined && /^\d+$/.test(match[2] ?? '');
  const port = bareHostIsPort
    ? Number(match[2])
    : portText === undefined
      ? Number.NaN
      : Number(portText);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(
      keyPath,
      `"${text}" is not a GDB server address`,
      'Write it as HOST:PORT, e.g. "127.0.0.1:3333" (OpenOCD’s default port).',
    );
  }
  return { host: bareHostIsPort ? DEFAULT_GDB_HOST : host, port };
}

function readBoolean(
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: boolean,
): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`probe.${key}`, 'must be true or false');
  return value;
}

/** 4096, "0x1000", "4K", "128K", "1M". */
export function parseSize(value: unknown, keyPath: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const match = /^(0x[0-9a-f]+|\d+)\s*([KM])?$/i.exec(value.trim());
    if (match !== null) {
      const base = Number(match[1]);
      const unit = match[2]?.toUpperCase();
      return base * (unit === 'K' ? 1024 : unit === 'M' ? 1024 * 1024 : 1);
    }
  }
  throw invalid(
    keyPath,
    `${JSON.stringify(value)} is not a size`,
    'Use a number, "0x..." or a size like "128K".',
  );
}

function readPositive(options: Readonly<Record<string, unknown>>, key: string): number | undefined {
  if (options[key] === undefined) return undefined;
  const value = parseSize(options[key], `probe.${key}`);
  if (value <= 0) throw invalid(`probe.${key}`, 'must be greater than 0');
  return value;
}

function parseRegion(raw: unknown, keyPath: string): MemoryMapRegion {
  if (typeof raw !== 'object' || raw === null) throw invalid(keyPath, 'must be an object');
  const entry = raw as Record<string, unknown>;
  const kind = entry['kind'] ?? entry['type'];
  if (kind !== 'ram' && kind !== 'rom' && kind !== 'flash') {
    throw invalid(`${keyPath}.kind`, 'must be ram, rom or flash');
  }
  const start = parseSize(entry['start'], `${keyPath}.start`);
  const end =
    entry['end'] !== undefined
      ? parseSize(entry['end'], `${keyPath}.end`)
      : start + parseSize(entry['length'], `${keyPath}.length`);
  if (end <= start) throw invalid(keyPath, 'is empty (end must be above start)');
  if (kind !== 'flash') return { kind, start, end };
  return { kind, start, end, blockSize: parseSize(entry['blockSize'], `${keyPath}.blockSize`) };
}

/** Reads the recipe's probe keys (ProbeRequest.options) and `--probe gdb:ADDRESS`. */
export function parseProbeSettings(
  request: Pick<ProbeRequest, 'options' | 'serial'>,
): GdbProbeSettings {
  const options = request.options;
  let address: { host: string; port: number };
  const raw = options['address'] ?? request.serial;
  if (typeof raw === 'string') address = parseGdbAddress(raw);
  else if (typeof raw === 'number') address = parseGdbAddress(String(raw));
  else if (raw === undefined) {
    const port = options['port'] === undefined ? DEFAULT_GDB_PORT : Number(options['port']);
    const host = typeof options['host'] === 'string' ? options['host'] : DEFAULT_GDB_HOST;
    address = parseGdbAddress(`${host.includes(':') ? `[${host}]` : host}:${port}`, 'probe.port');
  } else throw invalid('probe.address', 'must be a string such as "127.0.0.1:3333"');

  const memoryMap = options['memoryMap'];
  if (memoryMap !== undefined && !Array.isArray(memoryMap)) {
    throw invalid('probe.memoryMap', 'must be a list of { kind, start, length }');
  }
  const resetCommand = options['resetCommand'];
  if (
    resetCommand !== undefined &&
    (typeof resetCommand !== 'string' || resetCommand.trim() === '')
  ) {
    throw invalid('probe.resetCommand', 'must be a monitor command such as "reset halt"');
  }
  return {
    ...address,
    noDelay: readBoolean(options, 'noDelay', true),
    noAckMode: readBoolean(options, 'noAckMode', true),
    requestTimeoutMs: readPositive(options, 'timeoutMs') ?? 5000,
    flashTimeoutMs: readPositive(options, 'flashTimeoutMs') ?? 120_000,
    packetSizeBytes: readPositive(options, 'packetSize'),
    resetCommand,
    memoryMap: memoryMap?.map((entry: unknown, i: number) =>
      parseRegion(entry, `probe.memoryMap[${i}]`),
    ),
  };
}
