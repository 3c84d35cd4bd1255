/** Receives what a link delivers. `closed` is called once, with the cause when it failed. */
export interface ByteLinkHandlers {
  data(bytes: Uint8Array): void;
  closed(error?: Error): void;
}

/**
 * A reliable, ordered byte stream to a GDB server: a TCP socket in the product
 * (tcp-link.ts), an in-memory pipe in tests. Everything above it is socket-free.
 */
export interface ByteLink {
  /** Where it leads, for messages: "127.0.0.1:3333". */
  readonly description: string;
  /** Starts delivery; call once, before the first send. */
  attach(handlers: ByteLinkHandlers): void;
  send(bytes: Uint8Array): void;
  close(): Promise<void>;
}
