import { parseXmlDocument, type XmlElement } from './xml-tree.js';

/** One register as a target description (target.xml) declares it. */
export interface RegisterInfo {
  readonly name: string;
  /** Number for the p/P packets. */
  readonly regnum: number;
  readonly bitSize: number;
  /** The <feature> it belongs to, e.g. "org.gnu.gdb.arm.m-profile". */
  readonly feature: string | undefined;
}

/** Fetches an annex (e.g. "arm-m-profile.xml") that a document includes. */
export type AnnexReader = (annex: string) => Promise<string>;

interface Numbering {
  next: number;
  readonly registers: RegisterInfo[];
  readonly seen: Set<string>;
}

/**
 * Reads target.xml and the files it includes with <xi:include href>, and lists the
 * registers. Numbering follows the GDB manual ("Target Description Format", <reg>): regnum
 * when given, else one more than the previous register, across includes in document order.
 */
export async function loadTargetDescription(
  readAnnex: AnnexReader,
  root = 'target.xml',
): Promise<RegisterInfo[]> {
  const numbering: Numbering = { next: 0, registers: [], seen: new Set() };
  await walkDocument(readAnnex, root, numbering, undefined);
  return numbering.registers;
}

async function walkDocument(
  readAnnex: AnnexReader,
  annex: string,
  numbering: Numbering,
  feature: string | undefined,
): Promise<void> {
  if (numbering.seen.has(annex)) return; // an include loop would never end
  numbering.seen.add(annex);
  const root = parseXmlDocument(await readAnnex(annex));
  if (root === undefined) throw new Error(`${annex} is not well-formed XML`);
  // An included file is usually a <feature> document itself.
  const rootFeature = root.name === 'feature' ? root.attributes['name'] : feature;
  await walkElement(readAnnex, root, numbering, rootFeature);
}

async function walkElement(
  readAnnex: AnnexReader,
  element: XmlElement,
  numbering: Numbering,
  feature: string | undefined,
): Promise<void> {
  for (const child of element.children) {
    if (child.name === 'xi:include' && child.attributes['href'] !== undefined) {
      await walkDocument(readAnnex, child.attributes['href'], numbering, feature);
    } else if (child.name === 'feature') {
      await walkElement(readAnnex, child, numbering, child.attributes['name']);
    } else if (child.name === 'reg') {
      addRegister(child, numbering, feature);
    }
  }
}

function addRegister(reg: XmlElement, numbering: Numbering, feature: string | undefined): void {
  const name = reg.attributes['name'];
  const bitSize = Number(reg.attributes['bitsize']);
  if (name === undefined || !Number.isInteger(bitSize) || bitSize <= 0) {
    throw new Error(`<reg name="${name}" bitsize="${reg.attributes['bitsize']}"> is malformed`);
  }
  const explicit = reg.attributes['regnum'];
  const regnum = explicit === undefined ? numbering.next : Number(explicit);
  if (!Number.isInteger(regnum) || regnum < 0)
    throw new Error(`<reg name="${name}"> has a bad regnum`);
  numbering.registers.push({ name, regnum, bitSize, feature });
  numbering.next = regnum + 1;
}

const aliases: Readonly<Record<string, string>> = { r13: 'sp', r14: 'lr', r15: 'pc' };

/** Finds a register by name, case-insensitive, with the ARM aliases r13/sp, r14/lr, r15/pc. */
export function findRegister(
  registers: readonly RegisterInfo[],
  name: string,
): RegisterInfo | undefined {
  const wanted = name.toLowerCase();
  const alias = aliases[wanted];
  const reverse = Object.entries(aliases).find(([, v]) => v === wanted)?.[0];
  return registers.find((r) => {
    const have = r.name.toLowerCase();
    return have === wanted || have === alias || have === reverse;
  });
}

/**
 * Without target.xml: the first 16 words of a "g" reply are r0..r15 on every ARM stub
 * (GDB's fallback layout for arm, gdb/arch/arm.h: r0-r12, sp, lr, pc, then FPA registers).
 */
export function fallbackArmRegisters(): RegisterInfo[] {
  return Array.from({ length: 16 }, (_, i) => ({
    name: i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`,
    regnum: i,
    bitSize: 32,
    feature: undefined,
  }));
}
