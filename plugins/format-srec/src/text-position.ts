import { FlashwrightError, type ErrorCode } from '@flashwright/core';

/** A place in a text image file; lines and columns count from 1. */
export interface TextPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** An error that points at a character of an S-record file, as compilers do: `file:line:column`. */
export function errorAt(
  code: ErrorCode,
  where: TextPosition,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  hint?: string,
): FlashwrightError {
  return new FlashwrightError(code, `${where.file}:${where.line}:${where.column}: ${message}`, {
    hint,
    details: { file: where.file, line: where.line, column: where.column, ...details },
  });
}

/** Describes a byte for a message: a printable character in quotes, otherwise its code. */
export function describeChar(code: number | undefined): string {
  if (code === undefined) return 'the end of the file';
  if (code === 0x0a || code === 0x0d) return 'the end of the line';
  if (code >= 0x21 && code <= 0x7e) return `'${String.fromCharCode(code)}'`;
  return `byte 0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}
