import { readFileSync } from 'node:fs';
import { basename, extname, relative } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import type { ValueSource } from './provenance.js';

/** One problem found in a recipe. Validation collects all of them before failing. */
export interface RecipeIssue {
  /** "steps[1]", "probe.speed". */
  readonly keyPath: string;
  readonly message: string;
  /** The file (or env variable / flag) that set the offending value. */
  readonly source?: ValueSource | undefined;
  /** 1-based line in that file, when it is YAML or JSON. */
  readonly line?: number | undefined;
  readonly suggestion?: string | undefined;
}

/** Builds an issue, locating it in its source file when possible. */
export function makeIssue(
  path: KeyPath,
  message: string,
  source: ValueSource | undefined,
  suggestion?: string,
): RecipeIssue {
  const line =
    source !== undefined && (source.kind === 'file' || source.kind === 'extends')
      ? lineOf(source.origin, path)
      : undefined;
  return { keyPath: formatKeyPath(path), message, source, line, suggestion };
}

/** "flashwright.config.yaml:7: steps[1]: unknown step "eraze". Did you mean "erase"?" */
export function formatIssue(issue: RecipeIssue, cwd = process.cwd()): string {
  const where = issue.source === undefined ? 'recipe' : describeOrigin(issue.source, cwd);
  const at = issue.line === undefined ? where : `${where}:${issue.line}`;
  const key = issue.keyPath === '' ? '' : ` ${issue.keyPath}:`;
  const hint = issue.suggestion === undefined ? '' : ` Did you mean "${issue.suggestion}"?`;
  return `${at}:${key} ${issue.message}${hint}`;
}

export function describeOrigin(source: ValueSource, cwd = process.cwd()): string {
  switch (source.kind) {
    case 'file':
    case 'extends': {
      const rel = relative(cwd, source.origin);
      return rel.startsWith('..') || rel === '' ? source.origin : rel;
    }
    case 'env':
      return `environment ${source.origin}`;
    case 'flag':
      return `flag ${source.origin}`;
    case 'command':
      return `command ${source.origin}`;
    case 'default':
      return 'defaults';
  }
}

/** The RECIPE_INVALID error for a list of issues (at least one). */
export function recipeInvalid(issues: readonly RecipeIssue[]): FlashwrightError {
  const first = issues[0];
  const lines = issues.map((i) => `  ${formatIssue(i)}`);
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return new FlashwrightError('RECIPE_INVALID', `The recipe has ${count}:\n${lines.join('\n')}`, {
    hint: 'Fix the keys named above. The recipe reference in the README lists every key; flashwright.schema.json (in @flashwright/configs) gives editors completion.',
    source:
      first === undefined
        ? undefined
        : {
            file:
              first.source?.kind === 'file' || first.source?.kind === 'extends'
                ? first.source.origin
                : undefined,
            keyPath: first.keyPath,
            line: first.line,
          },
    details: { issues },
  });
}

/** Forgets parsed files (they may have changed since). */
export function clearLineCache(): void {
  documentCache.clear();
}

const documentCache = new Map<
  string,
  { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | null
>();

/** The 1-based line of `path` in a YAML or JSON file, or undefined. */
export function lineOf(file: string, path: KeyPath): number | undefined {
  const parsed = parsedDocument(file);
  if (parsed === null) return undefined;
  // A recipe in package.json lives under its "flashwright" key.
  if (basename(file) === 'package.json') path = ['flashwright', ...path];
  // Walk down as far as the document goes; an unknown key's parent still gives a line.
  let node: Node | null | undefined = parsed.doc.contents;
  let lineNode: Node | null | undefined = node;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (pair === undefined) break;
      lineNode = (pair.key as Node | null) ?? lineNode;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part] as Node | null | undefined;
      if (node === undefined || node === null) break;
      lineNode = node;
    } else {
      break;
    }
  }
  const offset = lineNode?.range?.[0];
  return offset === undefined ? undefined : parsed.lines.linePos(offset).line;
}

function parsedDocument(
  file: string,
): { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | null {
  const cached = documentCache.get(file);
  if (cached !== undefined) return cached;
  let result: { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | null = null;
  const ext = extname(file);
  if (['.yaml', '.yml', '.json', ''].includes(ext) || file.endsWith('rc')) {
    try {
      const lines = new LineCounter();
      const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
      result = { doc, lines };
    } catch {
      result = null;
    }
  }
  documentCache.set(file, result);
  return result;
}
