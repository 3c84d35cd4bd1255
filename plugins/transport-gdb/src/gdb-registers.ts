import { FlashwrightError } from '@flashwright/core';
import {
  encodeReadRegister,
  encodeWriteAllRegisters,
  encodeWriteRegister,
  parseRegisterReply,
  registerBytes,
  registerValue,
} from './commands/registers.js';
import { parseStatusReply } from './commands/reply.js';
import { encodeXferRead, parseXferReply } from './commands/xfer.js';
import { joinBytes, latin1Text } from './rsp/bytes.js';
import type { RspClient } from './rsp-client.js';
import {
  fallbackArmRegisters,
  findRegister,
  loadTargetDescription,
  type RegisterInfo,
} from './target-description.js';

/** Reads a whole qXfer object ("features" annex, "memory-map") part by part. */
export async function readXferObject(
  client: RspClient,
  object: string,
  annex: string,
  chunkBytes: number,
  signal?: AbortSignal,
): Promise<string> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const payload = await client.request(encodeXferRead(object, annex, offset, chunkBytes), {
      signal,
    });
    const reply = parseXferReply(payload);
    if (reply === undefined || reply.kind !== 'data') {
      throw new FlashwrightError(
        'PROBE_PROTOCOL_ERROR',
        `The GDB server could not send ${object} ${annex || '(default)'}: ${reply === undefined ? 'malformed reply' : reply.kind === 'error' ? `error ${reply.code}` : 'not supported'}`,
      );
    }
    parts.push(reply.data);
    offset += reply.data.length;
    if (reply.last || reply.data.length === 0) return latin1Text(joinBytes(parts));
  }
}

/**
 * Core registers by name through the server's target description (qXfer:features:read)
 * with p/P, or, for servers without one, the ARM layout of the "g" packet.
 */
export class GdbRegisters {
  readonly #client: RspClient;
  readonly #describedByServer: boolean;
  readonly #chunkBytes: number;
  #registers: RegisterInfo[] | undefined;
  #singleRegisterPackets = true;

  constructor(client: RspClient, options: { describedByServer: boolean; chunkBytes: number }) {
    this.#client = client;
    this.#describedByServer = options.describedByServer;
    this.#chunkBytes = options.chunkBytes;
  }

  async list(signal?: AbortSignal): Promise<readonly RegisterInfo[]> {
    if (this.#registers !== undefined) return this.#registers;
    if (!this.#describedByServer) {
      this.#registers = fallbackArmRegisters();
      return this.#registers;
    }
    try {
      this.#registers = await loadTargetDescription((annex) =>
        readXferObject(this.#client, 'features', annex, this.#chunkBytes, signal),
      );
    } catch (error) {
      if (error instanceof FlashwrightError) throw error;
      throw new FlashwrightError(
        'PROBE_PROTOCOL_ERROR',
        `The GDB server’s target description is unusable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return this.#registers;
  }

  async read(name: string, signal?: AbortSignal): Promise<number> {
    const register = await this.#find(name, signal);
    if (this.#singleRegisterPackets) {
      const reply = parseRegisterReply(
        await this.#client.requestText(encodeReadRegister(register.regnum), { signal }),
      );
      if (reply?.kind === 'data') return registerValue(reply.bytes);
      if (reply?.kind !== 'unsupported')
        throw this.#failure('read', name, reply?.kind === 'error' ? reply.code : 'malformed reply');
      this.#singleRegisterPackets = false;
    }
    const { block, offset } = await this.#readBlock(register, signal);
    return registerValue(block.subarray(offset, offset + register.bitSize / 8));
  }

  async write(name: string, value: number, signal?: AbortSignal): Promise<void> {
    const register = await this.#find(name, signal);
    const bytes = registerBytes(value, register.bitSize / 8);
    if (this.#singleRegisterPackets) {
      const reply = parseStatusReply(
        await this.#client.requestText(encodeWriteRegister(register.regnum, bytes), { signal }),
      );
      if (reply.kind === 'ok') return;
      if (reply.kind !== 'unsupported')
        throw this.#failure(
          'write',
          name,
          reply.kind === 'error' ? reply.code : 'unexpected reply',
        );
      this.#singleRegisterPackets = false;
    }
    const { block, offset } = await this.#readBlock(register, signal);
    const updated = block.slice();
    updated.set(bytes, offset);
    const reply = parseStatusReply(
      await this.#client.requestText(encodeWriteAllRegisters(updated), { signal }),
    );
    if (reply.kind !== 'ok')
      throw this.#failure('write', name, reply.kind === 'error' ? reply.code : reply.kind);
  }

  async #find(name: string, signal?: AbortSignal): Promise<RegisterInfo> {
    const registers = await this.list(signal);
    const register = findRegister(registers, name);
    if (register === undefined) {
      throw new FlashwrightError(
        'INTERNAL',
        `The target has no register "${name}" (known: ${registers.map((r) => r.name).join(', ')})`,
      );
    }
    return register;
  }

  /** The "g" block and where a register sits in it: registers in regnum order, packed. */
  async #readBlock(
    register: RegisterInfo,
    signal?: AbortSignal,
  ): Promise<{ block: Uint8Array; offset: number }> {
    const reply = parseRegisterReply(await this.#client.requestText('g', { signal }));
    if (reply?.kind !== 'data')
      throw this.#failure('read', 'all', reply?.kind === 'error' ? reply.code : 'no g packet');
    const registers = await this.list(signal);
    let offset = 0;
    for (const r of [...registers].sort((a, b) => a.regnum - b.regnum)) {
      if (r.regnum === register.regnum) break;
      offset += r.bitSize / 8;
    }
    if (offset + register.bitSize / 8 > reply.bytes.length)
      throw this.#failure('read', register.name, 'not in the g packet');
    return { block: reply.bytes, offset };
  }

  #failure(operation: string, name: string, detail: string): FlashwrightError {
    return new FlashwrightError(
      'PROBE_PROTOCOL_ERROR',
      `The GDB server could not ${operation} register ${name}: ${detail}`,
    );
  }
}
