import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { didYouMean } from "../core/did-you-mean";
import { ConfigError } from "../shared/errors";
import { parseIni, type IniDocument } from "./ini";
import { KEY_NAMES, KEYS, SAMPLE_SECRET, type EventsConfig, type KeySpec } from "./keys";

export interface LoadOptions {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory holding webfluid.ini. @default process.cwd() */
  cwd?: string;
}

export interface LoadedConfig {
  config: EventsConfig;
  /** The ini file that was read, if any. */
  file: string | undefined;
  /** Things worth saying at startup that do not stop it. */
  warnings: string[];
}

export const DEFAULT_CONFIG_FILE = "webfluid.ini";

/**
 * Reads webfluid.ini (or the file named by `WEBFLUID_CONFIG`), lets environment variables of the
 * same names override it, and validates every value once. Throws `ConfigError` naming the key,
 * the value, where it came from and what is allowed.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const production = env.NODE_ENV === "production";
  const { document, file } = readConfigFile(env, options.cwd ?? process.cwd());
  checkUnknownKeys(document, file, env);

  const warnings: string[] = [];
  const config = {} as Record<keyof EventsConfig, unknown>;
  for (const spec of KEYS as readonly KeySpec[]) {
    const fromEnv = env[spec.key];
    const fromFile = document.get(spec.section)?.get(spec.key);
    const [raw, where] =
      fromEnv !== undefined && fromEnv !== ""
        ? [fromEnv, "the environment"]
        : fromFile
          ? [fromFile.value, `${file}:${fromFile.line}`]
          : [spec.default, "the default"];
    if (raw === undefined) continue;
    const value = spec.parse(raw);
    if (value === undefined && raw !== "") {
      throw new ConfigError(`${spec.key} = ${JSON.stringify(raw)} (from ${where}) is not allowed: expected ${spec.allowed}`);
    }
    config[spec.field] = value;
  }
  config.secretKey = checkSecret(config.secretKey as string | undefined, production, warnings);
  return { config: config as unknown as EventsConfig, file, warnings };
}

function readConfigFile(env: Readonly<Record<string, string | undefined>>, cwd: string): { document: IniDocument; file: string | undefined } {
  const named = env.WEBFLUID_CONFIG;
  const file = named ? resolve(cwd, named) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (named) throw new ConfigError(`WEBFLUID_CONFIG = ${JSON.stringify(named)}: no such file (${file})`);
    return { document: new Map(), file: undefined };
  }
  return { document: parseIni(readFileSync(file, "utf8"), file), file };
}

/** A misspelt key would silently fall back to its default: refuse it instead, with a suggestion. */
function checkUnknownKeys(document: IniDocument, file: string | undefined, env: Readonly<Record<string, string | undefined>>): void {
  for (const [section, entries] of document) {
    for (const [key, entry] of entries) {
      const spec = (KEYS as readonly KeySpec[]).find((candidate) => candidate.key === key);
      if (spec && spec.section !== section) {
        throw new ConfigError(`${file}:${entry.line}: ${key} belongs in [${spec.section}], not [${section}]`);
      }
      // Other batteries (EXT_SQLALCHEMY, …) have keys of their own; only ours are checked.
      if (!spec && (section === "events" || key.startsWith("EVENTS_"))) {
        throw new ConfigError(`${file}:${entry.line}: unknown key ${key} in [${section}]${didYouMean(key, KEY_NAMES)}`);
      }
    }
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith("EVENTS_") && !KEY_NAMES.includes(key)) {
      throw new ConfigError(`Unknown environment variable ${key}${didYouMean(key, KEY_NAMES)}`);
    }
  }
}

function checkSecret(secret: string | undefined, production: boolean, warnings: string[]): string {
  if (production) {
    if (secret === undefined) throw new ConfigError("SECRET_KEY is required in production: set it in webfluid.ini [general] or the environment");
    if (secret === SAMPLE_SECRET) throw new ConfigError(`SECRET_KEY = "${SAMPLE_SECRET}" is the documentation's sample: set a real secret in production`);
    if (secret.length < 16) throw new ConfigError(`SECRET_KEY is ${secret.length} characters long: use at least 16 in production`);
    return secret;
  }
  if (secret === undefined) {
    warnings.push("SECRET_KEY is not set: using a random one for this run (monitor tokens end with the process)");
    return randomBytes(32).toString("hex");
  }
  if (secret === SAMPLE_SECRET) warnings.push(`SECRET_KEY is the sample "${SAMPLE_SECRET}": fine for development, refused in production`);
  return secret;
}
