/**
 * Issue 12: comments, READMEs and tests cite primary sources (a reference manual and its
 * section, a datasheet table, a specification, a peer's source file), never the design notes
 * kept outside the repository, so that the repository explains itself.
 */
import test from 'ava';
import { externalCitations, readText, repositoryTextFiles } from './helpers/citations.js';
import { repoRoot } from './helpers/cli.js';

const SECTION = '\u00a7';
const NOTES = ['targets', 'md'].join('.');

test('a citation of a design note outside the repository is reported with file and line', (t) => {
  const text = ['// fine', `/** Start of flash (${NOTES} ${SECTION}1.2). */`].join('\n');
  const findings = externalCitations('src/a.ts', text);
  t.true(findings.some((f) => f.startsWith('src/a.ts:2: cites')));
});

test('a section sign with no document id in front of it is reported', (t) => {
  t.is(externalCitations('a.ts', `// the mode reply (${SECTION}1.6)`).length, 1);
  // The document id belongs to another sentence.
  const otherSentence = `// RM0090 ${SECTION}3.7.2). Level 1 erases first (${SECTION}3.7.3).`;
  t.is(externalCitations('a.ts', otherSentence).length, 1);
});

test('a section sign after a primary document id is accepted, across lines and lists', (t) => {
  t.deepEqual(externalCitations('a.ts', `// read request (RM0090 ${SECTION}3.7.3)`), []);
  t.deepEqual(externalCitations('a.ts', `// DS5319 (STM32F103x8/xB) ${SECTION}5.3.9 Table 28`), []);
  const list = [
    ` * Register addresses: RM0041 (STM32F100xx reference manual) ${SECTION}7.3 (RCC), ${SECTION}8.2,`,
    ` * ${SECTION}23.6 (USART).`,
  ].join('\n');
  t.deepEqual(externalCitations('main.c', list), []);
  t.deepEqual(externalCitations('a.ts', `// ADIv5 ${SECTION}B2.2, IHI 0031 ${SECTION}C1`), []);
});

test('the repository cites no design note outside it and no section without its document', (t) => {
  const files = repositoryTextFiles(repoRoot);
  t.true(files.includes('packages/sim/src/timing.ts'), 'the scan sees the sources');
  const findings = files.flatMap((file) => externalCitations(file, readText(repoRoot, file)));
  t.deepEqual(findings, []);
});
