import { NewServiceError } from './errors.js';

/** Replaces each `key: ${file(../../serverless.shared.yml):section}` line with the section itself. */
export function inlineSharedFragment(serverlessYml: string, sharedYml: string): string {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of sharedYml.split('\n')) {
    const top = line.match(/^([A-Za-z][\w-]*):\s*$/);
    if (top) {
      current = [];
      sections.set(top[1]!, current);
    } else if (current && (line.startsWith('  ') || line.trim() === '')) current.push(line);
    else current = undefined;
  }
  return serverlessYml.replace(
    /^( *)([\w-]+): \$\{file\(\.\.\/\.\.\/serverless\.shared\.yml\):([\w-]+)\}[^\n]*$/gm,
    (_whole, indent: string, key: string, section: string) => {
      const body = sections.get(section);
      if (!body) throw new NewServiceError(`serverless.shared.yml has no section "${section}"`);
      const lines = body
        .filter((l, i) => l.trim() !== '' || i < body.length - 1)
        .map((l) => (l.trim() === '' ? '' : `${indent}${l}`));
      while (lines.at(-1) === '') lines.pop();
      return `${indent}${key}:\n${lines.join('\n')}`.replaceAll('../../esbuild.config.cjs', './esbuild.config.cjs');
    },
  );
}
