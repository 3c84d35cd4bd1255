import type { MemoryMapRegion } from '@flashwright/core/plugin';
import { parseXmlDocument, type XmlElement } from './xml-tree.js';

/** A number attribute of the memory-map DTD: "0x8000000" or decimal. */
function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const value = /^0x[0-9a-f]+$/i.test(trimmed)
    ? Number.parseInt(trimmed.slice(2), 16)
    : /^[0-9]+$/.test(trimmed)
      ? Number.parseInt(trimmed, 10)
      : Number.NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

function parseRegion(element: XmlElement): MemoryMapRegion | string {
  const kind = element.attributes['type'];
  const start = parseNumber(element.attributes['start']);
  const length = parseNumber(element.attributes['length']);
  if (kind !== 'ram' && kind !== 'rom' && kind !== 'flash') return `unknown type "${kind}"`;
  if (start === undefined || length === undefined || length <= 0) return 'bad start or length';
  if (kind !== 'flash') return { kind, start, end: start + length };
  const blockText = element.children.find(
    (child) => child.name === 'property' && child.attributes['name'] === 'blocksize',
  )?.text;
  const blockSize = parseNumber(blockText);
  if (blockSize === undefined || blockSize <= 0) return 'flash region without a valid blocksize';
  return { kind, start, end: start + length, blockSize };
}

/**
 * Parses a GDB memory map (GDB manual, "Memory Map Format"): <memory-map> with <memory
 * type="ram|rom|flash" start length>, flash regions carrying <property name="blocksize">.
 * Returns the regions sorted by address, or the reason the document is unusable.
 */
export function parseMemoryMap(xml: string): { regions: MemoryMapRegion[] } | { problem: string } {
  const root = parseXmlDocument(xml);
  if (root?.name !== 'memory-map') return { problem: 'not a <memory-map> document' };
  const regions: MemoryMapRegion[] = [];
  for (const element of root.children) {
    if (element.name !== 'memory') continue;
    const region = parseRegion(element);
    if (typeof region === 'string') {
      return { problem: `<memory start="${element.attributes['start']}">: ${region}` };
    }
    regions.push(region);
  }
  regions.sort((a, b) => a.start - b.start);
  return { regions };
}
