import { XMLParser } from 'fast-xml-parser';

/** An element of a parsed XML document, children in document order. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated text directly inside the element. */
  readonly text: string;
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

function toElement(node: OrderedNode): XmlElement | undefined {
  const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
  if (name === undefined || name.startsWith('?')) return undefined;
  const rawChildren = (node[name] as OrderedNode[] | undefined) ?? [];
  const attributes = (node[':@'] as Record<string, string> | undefined) ?? {};
  const children: XmlElement[] = [];
  let text = '';
  for (const child of rawChildren) {
    if ('#text' in child) text += String(child['#text']);
    const element = toElement(child);
    if (element !== undefined) children.push(element);
  }
  return { name, attributes, children, text };
}

/** The root element of an XML document; undefined when the text is not well-formed XML. */
export function parseXmlDocument(text: string): XmlElement | undefined {
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text, true) as OrderedNode[];
  } catch {
    return undefined;
  }
  for (const node of nodes) {
    const element = toElement(node);
    if (element !== undefined) return element;
  }
  return undefined;
}
