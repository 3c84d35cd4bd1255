import { parseHexNumber } from '../rsp/hex.js';

/** Features flashwright offers in qSupported: it can handle multiprocess thread ids. */
export const CLIENT_FEATURES = [
  'multiprocess+',
  'swbreak+',
  'hwbreak+',
  'vContSupported+',
] as const;

export function encodeQSupported(features: readonly string[] = CLIENT_FEATURES): string {
  return features.length === 0 ? 'qSupported' : `qSupported:${features.join(';')}`;
}

export interface ServerFeatures {
  /** PacketSize=N (hex): the largest packet the server accepts; undefined when not sent. */
  readonly packetSizeBytes: number | undefined;
  /** "name+" is true, "name-" false, "name=value" the value; absent names are unsupported. */
  readonly features: ReadonlyMap<string, string | boolean>;
}

/** Parses the reply to qSupported, e.g. "PacketSize=1000;qXfer:features:read+;multiprocess+". */
export function parseQSupported(reply: string): ServerFeatures {
  const features = new Map<string, string | boolean>();
  for (const item of reply.split(';')) {
    if (item === '') continue;
    const equals = item.indexOf('=');
    if (equals > 0) features.set(item.slice(0, equals), item.slice(equals + 1));
    else if (item.endsWith('+')) features.set(item.slice(0, -1), true);
    else if (item.endsWith('-')) features.set(item.slice(0, -1), false);
    else if (item.endsWith('?')) features.set(item.slice(0, -1), false);
  }
  const size = features.get('PacketSize');
  const packetSizeBytes = typeof size === 'string' ? parseHexNumber(size) : undefined;
  return { packetSizeBytes, features };
}

export function hasFeature(server: ServerFeatures, name: string): boolean {
  return server.features.get(name) === true;
}
