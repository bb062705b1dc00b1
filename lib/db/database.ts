import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Where the app keeps its SQLite file unless `DATABASE_PATH` says otherwise. */
export const DEFAULT_DATABASE_PATH = "data/app.db";

// Like the bus, the connection is shared through globalThis: server.ts and the route handlers
// Next compiles are separate module copies in one process.
const DB_KEY = Symbol.for("webfluid.app.database");
type GlobalWithDatabase = typeof globalThis & { [DB_KEY]?: Database.Database };

/** The app's database, opened (and migrated) on first use. */
export function database(): Database.Database {
  const scope = globalThis as GlobalWithDatabase;
  return (scope[DB_KEY] ??= open(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH));
}

function open(path: string): Database.Database {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS models (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      value TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )
  `);
  return db;
}
