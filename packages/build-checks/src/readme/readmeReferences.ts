/** One thing a README names, with the line it is on (1-based). */
export interface Reference<T> {
  line: number;
  value: T;
}

/** A command a README tells users to run: `pnpm [--filter <package>] <script>`. */
export interface PnpmCommand {
  script: string;
  filter?: string;
}

/** pnpm's own commands: they are not package.json scripts. */
const PNPM_COMMANDS = new Set(['install', 'i', 'add', 'remove', 'update', 'exec', 'dlx', 'store', 'why', 'list', 'ls']);

/** The text a reader runs or copies: fenced code blocks (each line) and inline code spans, with their line numbers. */
export function codeOf(markdown: string): Array<Reference<string>> {
  const code: Array<Reference<string>> = [];
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    const line = index + 1;
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (fenced) code.push({ line, value: text });
    else for (const span of text.matchAll(/`([^`]+)`/g)) code.push({ line, value: span[1]! });
  });
  return code;
}

/**
 * The package.json scripts a README runs with pnpm, in code blocks and code spans.
 *
 * @example
 * pnpmCommandsOf('`pnpm --filter shop deploy` and `pnpm test`');
 * // [{ line: 1, value: { script: 'deploy', filter: 'shop' } }, { line: 1, value: { script: 'test' } }]
 */
export function pnpmCommandsOf(markdown: string): Array<Reference<PnpmCommand>> {
  const commands: Array<Reference<PnpmCommand>> = [];
  for (const { line, value } of codeOf(markdown)) {
    for (const match of value.matchAll(/(?:^|[\s(;&|$])pnpm((?:\s+[^\s#;&|)]+)+)/g)) {
      const words = match[1]!.trim().split(/\s+/);
      let filter: string | undefined;
      let i = 0;
      while (words[i]?.startsWith('-')) {
        if (words[i] === '--filter' || words[i] === '-F') filter = words[++i];
        i++;
      }
      let script = words[i];
      if (script === 'run') script = words[i + 1];
      if (!script || PNPM_COMMANDS.has(script) || !/^[a-z][\w:.-]*$/.test(script)) continue;
      commands.push({ line, value: filter ? { script, filter } : { script } });
    }
  }
  return commands;
}

/** The relative targets of a README's Markdown links and images (anchors and web addresses left out). */
export function linkedPathsOf(markdown: string): Array<Reference<string>> {
  const links: Array<Reference<string>> = [];
  markdown.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!.split('#')[0]!;
      if (target && !/^[a-z]+:/i.test(target)) links.push({ line: index + 1, value: target });
    }
  });
  return links;
}

/** Code spans that name a file or folder of the project: a relative path with a file extension or a trailing slash. */
export function pathsInCodeOf(markdown: string): Array<Reference<string>> {
  const paths: Array<Reference<string>> = [];
  for (const { line, value } of codeOf(markdown)) {
    const candidate = value.trim();
    if (
      /^(?:\.{1,2}\/)?[\w.-]+(?:\/[\w.-]+)*\/(?:[\w.-]+\.(?:ts|mjs|cjs|js|json|md|yml|yaml|sql|html|css|png))?$/.test(
        candidate,
      )
    ) {
      if (candidate.includes('/') && !candidate.startsWith('.local') && !/\s/.test(candidate)) {
        paths.push({ line, value: candidate });
      }
    }
  }
  return paths;
}

/** `AWS_ENDPOINT_URL_<SERVICE>=http://127.0.0.1:<port>`: the SDK endpoint variables a README sets, with numeric ports. */
export function endpointVariablesOf(markdown: string): Array<Reference<{ variable: string; port: number }>> {
  const found: Array<Reference<{ variable: string; port: number }>> = [];
  markdown.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(/\b(AWS_ENDPOINT_URL_[A-Z0-9_]+)=https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)/g)) {
      found.push({ line: index + 1, value: { variable: match[1]!, port: Number(match[2]) } });
    }
  });
  return found;
}

/** Every numeric local port a README names (`127.0.0.1:<port>`, `localhost:<port>`). */
export function localPortsOf(markdown: string): Array<Reference<number>> {
  const found: Array<Reference<number>> = [];
  markdown.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(/\b(?:127\.0\.0\.1|localhost):(\d+)/g)) {
      found.push({ line: index + 1, value: Number(match[1]) });
    }
  });
  return found;
}

/** Prose such as "DynamoDB on 8000": the name before `on <port>`, for the names listed. */
export function portsInProseOf(markdown: string, names: string[]): Array<Reference<{ name: string; port: number }>> {
  const found: Array<Reference<{ name: string; port: number }>> = [];
  const pattern = new RegExp(
    `\\b(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}) on (\\d{2,5})(?![.\\d])`,
    'g',
  );
  markdown.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(pattern)) {
      found.push({ line: index + 1, value: { name: match[1]!, port: Number(match[2]) } });
    }
  });
  return found;
}

/** Table rows that document a port and the flag setting it: `| 4000 | \`--port\` / \`DEV_PORT\` | ...`. */
export function portTableRowsOf(markdown: string): Array<Reference<{ port: number; flag: string }>> {
  const found: Array<Reference<{ port: number; flag: string }>> = [];
  markdown.split('\n').forEach((text, index) => {
    const match = text.match(/^\|\s*(\d{2,5})\b[^|]*\|\s*`(--[\w-]+)`/);
    if (match) found.push({ line: index + 1, value: { port: Number(match[1]), flag: match[2]! } });
  });
  return found;
}
