import { configErrorOf } from "./problems";

/** `[section]` → key → value, keys as written. */
export type IniDocument = Map<string, Map<string, IniEntry>>;

export interface IniEntry {
  value: string;
  line: number;
}

/**
 * Reads the seed's configuration format: `[section]` headers, `KEY = value` lines,
 * `;` or `#` comments, blank lines. Quotes around a value are removed.
 * @throws ConfigError naming the file and line of every line it cannot read.
 */
export function parseIni(text: string, file: string): IniDocument {
  const { document, problems } = readIni(text, file);
  if (problems.length > 0) throw configErrorOf(problems);
  return document;
}

/** `parseIni` without throwing: the lines it could read, and one message per line it could not. */
export function readIni(text: string, file: string): { document: IniDocument; problems: string[] } {
  const document: IniDocument = new Map();
  const problems: string[] = [];
  let section: Map<string, IniEntry> | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const lineNumber = index + 1;
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim().toLowerCase();
      section = document.get(name) ?? new Map();
      document.set(name, section);
      return;
    }
    const equals = line.indexOf("=");
    if (equals <= 0) {
      problems.push(`${file}:${lineNumber}: expected "KEY = value" or "[section]", got ${JSON.stringify(line)}`);
      return;
    }
    if (!section) {
      problems.push(`${file}:${lineNumber}: "${line}" comes before any [section] header`);
      return;
    }
    const key = line.slice(0, equals).trim().toUpperCase();
    const value = unquote(line.slice(equals + 1).trim());
    section.set(key, { value, line: lineNumber });
  });
  return { document, problems };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}
