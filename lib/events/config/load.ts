import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { didYouMean } from "../core/did-you-mean";
import { readIni, type IniDocument } from "./ini";
import { KEY_NAMES, KEYS, SAMPLE_SECRET, type EventsConfig, type KeySpec } from "./keys";
import { configErrorOf } from "./problems";

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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads webfluid.ini (or the file named by `WEBFLUID_CONFIG`), lets environment variables of the
 * same names override it, and validates every value once. Throws one `ConfigError` listing every
 * problem found (each naming the key, the value, where it came from and what is allowed), so that
 * one restart shows them all.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const production = env.NODE_ENV === "production";
  const problems: string[] = [];
  const { document, file } = readConfigFile(env, options.cwd ?? process.cwd(), problems);
  problems.push(...unknownKeys(document, file, env));

  const warnings: string[] = [];
  const config = {} as Record<keyof EventsConfig, unknown>;
  const refused = new Set<string>();
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
      problems.push(`${spec.key} = ${JSON.stringify(raw)} (from ${where}) is not allowed: expected ${spec.allowed}`);
      refused.add(spec.key);
      continue;
    }
    config[spec.field] = value;
  }
  // A refused value already has its own line: checking it against the others would only confuse.
  if (!REDIS_KEYS.some((key) => refused.has(key))) problems.push(...redisProblems(config as Partial<EventsConfig>));
  const secret = config.secretKey as string | undefined;
  const secretProblem = production ? productionSecretProblem(secret) : undefined;
  if (secretProblem) problems.push(secretProblem);
  if (problems.length > 0) throw configErrorOf(problems);
  config.secretKey = production ? secret : developmentSecret(secret, warnings);
  return { config: config as unknown as EventsConfig, file, warnings };
}

/** The ini file's readable lines (those it cannot read go to `problems`); none when there is no file. */
function readConfigFile(env: Env, cwd: string, problems: string[]): { document: IniDocument; file: string | undefined } {
  const named = env.WEBFLUID_CONFIG;
  const file = named ? resolve(cwd, named) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (named) problems.push(`WEBFLUID_CONFIG = ${JSON.stringify(named)}: no such file (${file})`);
    return { document: new Map(), file: undefined };
  }
  const { document, problems: lines } = readIni(readFileSync(file, "utf8"), file);
  problems.push(...lines);
  return { document, file };
}

/** A misspelt key would silently fall back to its default: refuse it instead, with a suggestion. */
function unknownKeys(document: IniDocument, file: string | undefined, env: Env): string[] {
  const problems: string[] = [];
  for (const [section, entries] of document) {
    for (const [key, entry] of entries) {
      const spec = (KEYS as readonly KeySpec[]).find((candidate) => candidate.key === key);
      if (spec && spec.section !== section) {
        problems.push(`${file}:${entry.line}: ${key} belongs in [${spec.section}], not [${section}]`);
      }
      // Other batteries (EXT_SQLALCHEMY, …) have keys of their own; only ours are checked.
      if (!spec && (section === "events" || key.startsWith("EVENTS_"))) {
        problems.push(`${file}:${entry.line}: unknown key ${key} in [${section}]${suggestion(key)}`);
      }
    }
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith("EVENTS_") && !KEY_NAMES.includes(key)) {
      problems.push(`Unknown environment variable ${key}${suggestion(key)}`);
    }
  }
  return problems;
}

/** `(did you mean "…"?)` for a misspelt key, or for one written without its `EVENTS_` prefix (`OVERFLOW` in [events]). */
function suggestion(key: string): string {
  return didYouMean(key, KEY_NAMES) || (key.startsWith("EVENTS_") ? "" : didYouMean(`EVENTS_${key}`, KEY_NAMES));
}

const REDIS_KEYS = ["EVENTS_REDIS_URL", "EVENTS_REDIS_SENTINELS", "EVENTS_REDIS_MASTER_NAME"];

/** The ways to reach Redis exclude each other, and Sentinel needs both of its keys. */
function redisProblems({ redisUrl, redisSentinels, redisMasterName }: Partial<EventsConfig>): string[] {
  if (redisUrl !== undefined && redisSentinels !== undefined) {
    return ["EVENTS_REDIS_URL and EVENTS_REDIS_SENTINELS are both set: reach Redis either directly (the URL) or through Sentinel, not both"];
  }
  if (redisSentinels !== undefined && redisMasterName === undefined) {
    return ["EVENTS_REDIS_SENTINELS is set without EVENTS_REDIS_MASTER_NAME: name the master group the Sentinels watch (`sentinel monitor <name> …`)"];
  }
  if (redisMasterName !== undefined && redisSentinels === undefined) {
    return ["EVENTS_REDIS_MASTER_NAME is set without EVENTS_REDIS_SENTINELS: list the Sentinels (host:port,…) that know that master"];
  }
  return [];
}

function productionSecretProblem(secret: string | undefined): string | undefined {
  if (secret === undefined) return "SECRET_KEY is required in production: set it in webfluid.ini [general] or the environment";
  if (secret === SAMPLE_SECRET) return `SECRET_KEY = "${SAMPLE_SECRET}" is the documentation's sample: set a real secret in production`;
  if (secret.length < 16) return `SECRET_KEY is ${secret.length} characters long: use at least 16 in production`;
  return undefined;
}

function developmentSecret(secret: string | undefined, warnings: string[]): string {
  if (secret === undefined) {
    warnings.push("SECRET_KEY is not set: using a random one for this run (monitor tokens end with the process)");
    return randomBytes(32).toString("hex");
  }
  if (secret === SAMPLE_SECRET) warnings.push(`SECRET_KEY is the sample "${SAMPLE_SECRET}": fine for development, refused in production`);
  return secret;
}
