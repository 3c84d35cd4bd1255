import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/*
 * Finds citations a reader of the repository cannot follow: design notes kept outside it
 * (named below), and section signs with no document in front of them. The names and the
 * section sign are assembled from parts so that this file does not cite them itself.
 */

const SECTION = '\u00a7';

/** Design and research notes that are not in the repository, and the folder that holds them. */
const OUTSIDE_NAMES = [
  ['DESIGN'],
  ['targets'],
  ['probe', 'protocols'],
  ['peer', 'tools'],
  ['style', 'anchors'],
].map((parts) => parts.join('-'));
const OUTSIDE = new RegExp(
  [
    ...OUTSIDE_NAMES.map((name) => `\\b${name}\\.md\\b`),
    ...OUTSIDE_NAMES.filter((name) => name.includes('-')).map((name) => `\\b${name}\\b`),
    `\\b${['stm32', 'devices'].join('-')}\\.json\\b`,
    ['shared', 'reference'].join('/'),
    ['', 'work', 'shared'].join('/'),
  ].join('|'),
);

/**
 * Document ids a section number may belong to: ST reference manuals, programming manuals,
 * application notes, user manuals, datasheets, errata and technical notes (RM0090, AN2606),
 * Arm specifications (IHI 0031, DDI 0403, ADIv5, ARMv7-M), CMSIS-DAP, USB 2.0, RFCs, IEEE and
 * JEDEC standards.
 */
const PRIMARY_ID =
  /\b(?:(?:RM|PM|AN|UM|DS|ES|TN)\d{3,5}|IHI ?\d{4}|DDI ?\d{4}|ADIv[56](?:\.\d)?|ARMv[678](?:\.\d)?-M|CMSIS-DAP|USB [123]\.\d|RFC ?\d+|IEEE ?\d+(?:\.\d+)*|JESD\d+\w*)\b/g;

/** Text between a document id and its section sign may not cross a sentence or a ';'. */
const SENTENCE_END = /[.!?]\s+[A-Z(]|;/;
const MAX_GAP = 100;

function stripCommentMarker(line: string): string {
  return line.replace(/^\s*(?:\/\*+|\*+|\/\/+|#+|<!--)?\s*/, '');
}

/** Whether the section sign at `column` of `lines[index]` follows a document id closely. */
function sectionHasDocument(lines: readonly string[], index: number, column: number): boolean {
  const context = [lines[index - 2], lines[index - 1], (lines[index] ?? '').slice(0, column)]
    .filter((line): line is string => line !== undefined)
    .map(stripCommentMarker)
    .join(' ');
  let last: RegExpExecArray | undefined;
  for (const match of context.matchAll(PRIMARY_ID)) last = match;
  if (last === undefined) return false;
  const gap = context.slice(last.index + last[0].length);
  return gap.length <= MAX_GAP && !SENTENCE_END.test(gap);
}

/** Every citation in `text` that the repository cannot resolve, as `file:line: reason`. */
export function externalCitations(file: string, text: string): string[] {
  const findings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    const named = OUTSIDE.exec(line);
    if (named) findings.push(`${where}: cites "${named[0]}", which is not in the repository`);
    for (let column = line.indexOf(SECTION); column >= 0;) {
      if (!sectionHasDocument(lines, index, column)) {
        const excerpt = line.slice(Math.max(0, column - 40), column + 12).trim();
        findings.push(`${where}: "${SECTION}" without a document id before it: ${excerpt}`);
      }
      column = line.indexOf(SECTION, column + 1);
    }
  });
  return findings;
}

const TEXT_EXTENSIONS = new Set([
  '.ts',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
  '.c',
  '.h',
  '.s',
  '.S',
  '.ld',
  '.md',
  '.yaml',
  '.yml',
  '.json',
  '.txt',
  '.cfg',
  '.sh',
]);

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git']);

function walk(root: string, directory: string, out: string[]): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) walk(root, path, out);
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
}

/**
 * The repository's source, test and documentation files, relative to `root`: the tracked
 * ones (`git ls-files`), or every file outside node_modules and dist when `root` is not a
 * git checkout. The lockfile and files over 1 MiB are left out.
 */
export function repositoryTextFiles(root: string): string[] {
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '-z'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\0')
      .filter((f) => f !== '');
  } catch {
    files = [];
    walk(root, root, files);
  }
  return files.filter((f) => {
    if (!TEXT_EXTENSIONS.has(extname(f)) || f.endsWith('pnpm-lock.yaml')) return false;
    if (f.split('/').some((part) => SKIPPED_DIRECTORIES.has(part))) return false;
    const stats = statSync(join(root, f), { throwIfNoEntry: false });
    return stats?.isFile() === true && stats.size <= 1024 * 1024;
  });
}

export function readText(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
