import { readFile } from "node:fs/promises";
import { parseJsonInput } from "@/lib/dashboard/json-input";
import { UsageError } from "./exit";

/** A payload as given on the command line: its text (for the dashboard's own parser) and value. */
export interface Payload {
  text: string;
  /** undefined: no payload. */
  value: unknown;
}

/**
 * The payload of `fire` or `request`: the JSON argument, or the file named by `--data-file`
 * (`-` reads stdin), or nothing. Not JSON is bad usage, with the line and column of the mistake
 * as the dashboard's editor shows them.
 */
export async function readPayload(json: string | undefined, dataFile: string | undefined, stdin: () => Promise<string> = readStdin): Promise<Payload> {
  if (json !== undefined && dataFile !== undefined) {
    throw new UsageError("Give the payload once: as the [json] argument or with --data-file, not both");
  }
  let text = json ?? "";
  let where = "The payload";
  if (dataFile !== undefined) {
    where = dataFile === "-" ? "The payload on stdin" : `The payload in ${dataFile}`;
    try {
      text = dataFile === "-" ? await stdin() : await readFile(dataFile, "utf8");
    } catch (error) {
      throw new UsageError(`--data-file ${dataFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  const parsed = parseJsonInput(text);
  if (!parsed.ok) {
    const at = parsed.line === null ? "" : ` (line ${parsed.line}, column ${parsed.column})`;
    const quoting = json !== undefined ? "; in a shell, quote it whole: '{\"value\": \"first\"}'" : "";
    throw new UsageError(`${where} is not JSON: ${parsed.message}${at}${quoting}`);
  }
  return { text, value: parsed.value };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
