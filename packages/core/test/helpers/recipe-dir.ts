import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary project directory with the given files (path -> text or bytes). */
export async function projectDir(
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flashwright-test-'));
  // A package.json makes the directory a project root, so the recipe search stops here.
  await writeFile(join(dir, 'package.json'), '{"name":"fixture","private":true}\n');
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}
