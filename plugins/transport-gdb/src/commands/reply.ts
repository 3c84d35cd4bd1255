/**
 * The generic reply shapes (GDB manual, "Standard Replies"): "OK", an error "Exx" or
 * "E.text", and the empty reply that means "packet not supported".
 */
export type StatusReply =
  | { readonly kind: 'ok' }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'other'; readonly text: string };

export function parseStatusReply(text: string): StatusReply {
  if (text === 'OK') return { kind: 'ok' };
  if (text === '') return { kind: 'unsupported' };
  const error = parseErrorReply(text);
  if (error !== undefined) return { kind: 'error', code: error };
  return { kind: 'other', text };
}

/** "E0E" gives "0E"; "E.memtype" gives ".memtype"; anything else undefined. */
export function parseErrorReply(text: string): string | undefined {
  if (/^E[0-9a-fA-F]{2}$/.test(text)) return text.slice(1);
  if (text.startsWith('E.')) return text.slice(1);
  return undefined;
}
