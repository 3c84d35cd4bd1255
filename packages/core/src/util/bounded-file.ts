import { existsSync, type Stats } from 'node:fs';
import { access, constants, open, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErrorCode } from '../errors/catalogue.js';
import { FlashwrightError, type RecipeSource } from '../errors/flashwright-error.js';
import { concatBytes } from '../image/flash-image.js';

/**
 * The most flashwright reads from one input file, and the largest raw binary it writes.
 * Firmware for a microcontroller is kilobytes to a few megabytes; a file past this is the
 * wrong file (or a device such as /dev/zero that never ends).
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** "256 MiB": the limit as messages name it. */
function describeLimit(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes} bytes`;
}

export interface InputFileOptions {
  /** How messages name the file, capitalised: "Image file". */
  readonly what: string;
  /** The code and advice when the file does not exist. */
  readonly missing: { readonly code: ErrorCode; readonly hint: string };
  /** Where in the recipe the path was given. */
  readonly source?: RecipeSource | undefined;
  /** At most this many bytes are read; more is FILE_TOO_LARGE. Default MAX_FILE_BYTES. */
  readonly limitBytes?: number | undefined;
}

/** Read size for files whose length is not known in advance (FIFOs, character devices). */
const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads a whole input file, never more than the limit. Regular files larger than the limit
 * are refused before reading; pipes and character devices (`<(gunzip -c app.hex.gz)`,
 * /dev/stdin) are read up to the limit and refused past it; directories, sockets and block
 * devices are refused.
 */
export async function readInputFile(file: string, options: InputFileOptions): Promise<Uint8Array> {
  const limit = options.limitBytes ?? MAX_FILE_BYTES;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw openFailure(file, error, options);
  }
  try {
    const stats = await handle.stat();
    const kind = fileKind(stats);
    if (stats.isDirectory() || !(stats.isFile() || stats.isFIFO() || stats.isCharacterDevice())) {
      throw notRegular(file, kind, options);
    }
    if (stats.isFile() && stats.size > limit) {
      throw fileTooLarge(options.what, file, `${stats.size} bytes`, limit, options.source);
    }
    const chunks: Uint8Array[] = [];
    // A regular file fits its stat size plus one byte (to notice one that grew meanwhile).
    let chunk = new Uint8Array(stats.isFile() ? stats.size + 1 : STREAM_CHUNK_BYTES);
    let used = 0;
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, used, chunk.length - used, null);
      if (bytesRead === 0) break;
      used += bytesRead;
      total += bytesRead;
      if (total > limit) {
        throw fileTooLarge(options.what, file, kind, limit, options.source);
      }
      if (used === chunk.length) {
        chunks.push(chunk);
        chunk = new Uint8Array(Math.min(STREAM_CHUNK_BYTES, limit + 1 - total));
        used = 0;
      }
    }
    chunks.push(chunk.subarray(0, used));
    return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
  } catch (error) {
    if (error instanceof FlashwrightError) throw error;
    throw openFailure(file, error, options);
  } finally {
    await handle.close();
  }
}

/** "a directory", "a FIFO", "a character device": what a path is, for messages. */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(file: string, kind: string, options: InputFileOptions): FlashwrightError {
  return new FlashwrightError('FILE_NOT_REGULAR', `${options.what} ${file} is ${kind}`, {
    source: options.source,
    hint:
      kind === 'a directory'
        ? 'Name the file inside it, e.g. build/app.hex.'
        : 'Name a regular file (or a pipe).',
    details: { file, kind },
  });
}

/** "Image file x.bin (300000000 bytes) is larger than 256 MiB, the most flashwright reads". */
export function fileTooLarge(
  what: string,
  file: string,
  detail: string,
  limit: number,
  source?: RecipeSource,
): FlashwrightError {
  const limitText = describeLimit(limit);
  return new FlashwrightError(
    'FILE_TOO_LARGE',
    `${what} ${file} (${detail}) is larger than ${limitText}, the most flashwright reads`,
    {
      source,
      hint: `Check the path: firmware images and recipes are far smaller than ${limitText}.`,
      details: { file, limitBytes: limit },
    },
  );
}

function openFailure(file: string, error: unknown, options: InputFileOptions): FlashwrightError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new FlashwrightError(options.missing.code, `${options.what} ${file} does not exist`, {
      cause: error,
      source: options.source,
      hint: options.missing.hint,
    });
  }
  return new FlashwrightError(
    'FILE_UNREADABLE',
    `${options.what} ${file} cannot be read (${code ?? String(error)})`,
    {
      cause: error,
      source: options.source,
      hint:
        code === 'EACCES' || code === 'EPERM'
          ? 'Check the file permissions.'
          : 'Name a regular file that you can read.',
      details: { file },
    },
  );
}

/**
 * Checks, before a long operation, that `file` can be created: its directory exists and is
 * writable, and the file itself is not a directory. Writing can still fail (a full disk,
 * /proc); `writeOutputFile` reports that.
 */
export async function checkOutputPath(file: string, source?: RecipeSource): Promise<void> {
  const dir = dirname(file);
  try {
    const dirStats = await stat(dir);
    if (!dirStats.isDirectory()) throw Object.assign(new Error(dir), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
    if ((await stat(file).catch(() => undefined))?.isDirectory() === true) {
      throw Object.assign(new Error(file), { code: 'EISDIR' });
    }
  } catch (error) {
    throw unwritable(file, error, source);
  }
}

/** Writes an output file; a failure is FILE_UNWRITABLE (exit 3) saying why and what to do. */
export async function writeOutputFile(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(file, bytes);
  } catch (error) {
    throw unwritable(file, error);
  }
}

function unwritable(file: string, error: unknown, source?: RecipeSource): FlashwrightError {
  const code = (error as NodeJS.ErrnoException).code;
  const dir = dirname(file);
  const [reason, hint] =
    code === 'ENOENT' && !existsSync(dir)
      ? [`the directory ${dir} does not exist`, `Create ${dir} first, or write somewhere else.`]
      : code === 'ENOENT'
        ? [`${dir} takes no new files (ENOENT)`, 'Write into an ordinary directory.']
        : code === 'ENOTDIR'
          ? [`${dir} is not a directory`, 'Fix the output path.']
          : code === 'EISDIR'
            ? ['it is a directory', 'Name a file, e.g. out/app.bin.']
            : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
              ? [`permission denied (${code})`, 'Write to a directory you can write to.']
              : [
                  error instanceof Error ? error.message : String(error),
                  'Check the output path and the free disk space.',
                ];
  return new FlashwrightError('FILE_UNWRITABLE', `Cannot write ${file}: ${reason}`, {
    cause: error,
    source,
    hint,
    details: { file, errno: code },
  });
}
