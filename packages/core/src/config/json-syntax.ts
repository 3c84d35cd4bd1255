/**
 * Locates the first syntax error in a JSON text. `JSON.parse` says where only sometimes:
 * on Node 20 most messages end "at position N" but "Unexpected token 'x', ... is not valid
 * JSON" and "Unexpected end of JSON input" give no position at all, and newer versions
 * append "(line N column M)" to some messages only. So flashwright finds the place itself,
 * with the grammar of RFC 8259 (sections 2 to 7), the same way on every Node version.
 */

/** A JSON syntax error: where (1-based line and column) and what. */
export interface JsonSyntaxError {
  /** Offset in the text, in UTF-16 code units (as `JSON.parse` counts positions). */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** The first syntax error in `text`, or undefined when `text` is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new JsonScanner(text).document();
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { offset: error.offset, ...lineColumnAt(text, error.offset), message: error.problem };
  }
}

/** 1-based line and column of `offset`; a line ends at "\n" (so "\r\n" counts once). */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class JsonScanner {
  private at = 0;
  /** Open brackets, for "the '{' opened at line 1 is not closed". */
  private readonly open: number[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.skipSpace();
    if (this.at >= this.text.length) this.stop('the file holds no JSON value');
    this.value();
    this.skipSpace();
    if (this.at < this.text.length) {
      this.stop(`unexpected ${this.describeHere()} after the end of the JSON value`);
    }
  }

  private value(): void {
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return;
      }
    }
    this.stop(`expected a value, found ${this.describeHere()}`);
  }

  private object(): void {
    this.open.push(this.at++);
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.close();
      return;
    }
    for (;;) {
      if (this.text[this.at] !== '"') {
        this.stop(`expected a property name in double quotes, found ${this.describeHere()}`);
      }
      const keyStart = this.at;
      this.string();
      const key = this.text.slice(keyStart, this.at);
      this.skipSpace();
      if (this.text[this.at] !== ':') {
        this.stop(`expected ':' after the property name ${key}, found ${this.describeHere()}`);
      }
      this.at++;
      this.skipSpace();
      this.value();
      this.skipSpace();
      const next = this.text[this.at];
      if (next === '}') {
        this.close();
        return;
      }
      if (next !== ',') {
        this.stop(`expected ',' or '}' after the value of ${key}, found ${this.describeNext()}`);
      }
      this.afterComma('}');
    }
  }

  private array(): void {
    this.open.push(this.at++);
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.close();
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      const next = this.text[this.at];
      if (next === ']') {
        this.close();
        return;
      }
      if (next !== ',') {
        this.stop(`expected ',' or ']' after a list item, found ${this.describeNext()}`);
      }
      this.afterComma(']');
    }
  }

  /** Steps over a comma; a closing bracket right after it is a trailing comma, named at the comma. */
  private afterComma(closing: '}' | ']'): void {
    const comma = this.at++;
    this.skipSpace();
    if (this.text[this.at] === closing) {
      throw new Stop(comma, `a comma before '${closing}': JSON allows no trailing comma`);
    }
  }

  private close(): void {
    this.open.pop();
    this.at++;
  }

  private string(): void {
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.stop("a string is not closed (missing '\"')");
      if (c === '"') {
        this.at++;
        return;
      }
      if (c < ' ') {
        this.stop(
          c === '\n'
            ? "a string is not closed before the end of the line (missing '\"')"
            : 'a control character inside a string (write it as an escape, e.g. \\t)',
        );
      }
      if (c === '\\') {
        const escape = this.text[this.at + 1];
        if (escape === 'u') {
          for (let i = 2; i < 6; i++) {
            if (!/^[0-9a-fA-F]$/.test(this.text[this.at + i] ?? '')) {
              this.at += i;
              this.stop('a \\u escape needs four hexadecimal digits');
            }
          }
          this.at += 6;
          continue;
        }
        if (escape === undefined || !ESCAPES.has(escape)) {
          this.at++;
          this.stop(`unknown escape \\${escape ?? ''} in a string`);
        }
        this.at += 2;
        continue;
      }
      this.at++;
    }
  }

  private number(): void {
    if (this.text[this.at] === '-') this.at++;
    if (this.text[this.at] === '0') {
      this.at++;
      if (this.isDigit()) this.stop('a number may not start with 0 (write 0x.. as a string)');
    } else {
      this.digits('a digit after the minus sign');
    }
    if (this.text[this.at] === '.') {
      this.at++;
      this.digits('a digit after the decimal point');
    }
    if (this.text[this.at] === 'e' || this.text[this.at] === 'E') {
      this.at++;
      if (this.text[this.at] === '+' || this.text[this.at] === '-') this.at++;
      this.digits('a digit in the exponent');
    }
  }

  private digits(what: string): void {
    if (!this.isDigit()) this.stop(`expected ${what}, found ${this.describeHere()}`);
    while (this.isDigit()) this.at++;
  }

  private isDigit(): boolean {
    const c = this.text[this.at];
    return c !== undefined && c >= '0' && c <= '9';
  }

  private skipSpace(): void {
    while (WHITESPACE.has(this.text[this.at] ?? '')) this.at++;
  }

  /** describeHere, asking about a missing comma unless the file ended. */
  private describeNext(): string {
    const missingComma = this.at < this.text.length ? ' (is a comma missing?)' : '';
    return `${this.describeHere()}${missingComma}`;
  }

  private describeHere(): string {
    const c = this.text[this.at];
    if (c === undefined) {
      const opened = this.open.at(-1);
      if (opened === undefined) return 'the end of the file';
      const { line, column } = lineColumnAt(this.text, opened);
      return `the end of the file (the '${this.text[opened]}' at line ${line}, column ${column} is not closed)`;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.at, this.at + 40))?.[0];
    return word === undefined ? `'${c}'` : `'${word}'`;
  }

  private stop(problem: string): never {
    throw new Stop(this.at, problem);
  }
}
