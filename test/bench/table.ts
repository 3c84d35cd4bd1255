/** A benchmark result table, printed as Markdown by run.ts. */
export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Lines printed under the table: method, machine, caveats. */
  readonly notes?: readonly string[];
}

export function formatTable(table: BenchTable): string {
  const cell = (v: string | number): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v;
  const lines = [
    `### ${table.title}`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    ...(table.notes ?? []).map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}
