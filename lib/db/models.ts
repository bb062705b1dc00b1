import { database } from "./database";

export interface Model {
  id: number;
  value: string;
  createdAt: number;
}

interface ModelRow {
  id: number;
  value: string;
  created_at: number;
}

export function insertModel(value: string): Model {
  const createdAt = Date.now();
  const result = database().prepare("INSERT INTO models (value, created_at) VALUES (?, ?)").run(value, createdAt);
  return { id: Number(result.lastInsertRowid), value, createdAt };
}

export function countModels(): number {
  const row = database().prepare("SELECT COUNT(id) AS total FROM models").get() as { total: number };
  return row.total;
}

/** The newest models first. */
export function listModels(limit = 50): Model[] {
  const rows = database().prepare("SELECT id, value, created_at FROM models ORDER BY id DESC LIMIT ?").all(limit) as ModelRow[];
  return rows.map((row) => ({ id: row.id, value: row.value, createdAt: row.created_at }));
}
