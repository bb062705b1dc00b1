import type { ReactNode } from "react";

/** Children shown per object or array before "… n more". */
const MAX_CHILDREN = 200;

/**
 * A value as a collapsible tree (native <details>, so it opens with the keyboard too). Everything is
 * rendered as React text: a payload such as `<img src=x onerror=…>` shows as those characters.
 */
export function JsonTree({ value, label, openDepth = 2 }: { value: unknown; label?: string; openDepth?: number }) {
  return (
    <div className="overflow-x-auto font-mono text-xs leading-5" aria-label={label}>
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({ value, name, depth, openDepth }: { value: unknown; name?: string; depth: number; openDepth: number }) {
  const key = name === undefined ? null : <span className="text-slate-500 dark:text-slate-400">{name}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div className="whitespace-pre-wrap break-all">
        {key}
        <Primitive value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((item, index) => [String(index), item]) : Object.entries(value);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div>
        {key}
        <span>{`${open}${close}`}</span>
      </div>
    );
  }
  const shown = entries.slice(0, MAX_CHILDREN);
  return (
    <details open={depth < openDepth} className="group">
      <summary className="cursor-pointer select-none rounded marker:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800">
        {key}
        <span>{open}</span>
        <span className="text-slate-500 group-open:hidden dark:text-slate-400">{` ${entries.length} ${isArray ? "items" : "keys"} ${close}`}</span>
      </summary>
      <div className="ml-2 border-l border-slate-200 pl-3 dark:border-slate-700">
        {shown.map(([childKey, child]) => (
          <JsonNode key={childKey} name={isArray ? undefined : JSON.stringify(childKey)} value={child} depth={depth + 1} openDepth={openDepth} />
        ))}
        {entries.length > shown.length ? <div className="text-slate-500">{`… ${entries.length - shown.length} more`}</div> : null}
      </div>
      <span className="hidden group-open:inline">{close}</span>
    </details>
  );
}

function Primitive({ value }: { value: unknown }): ReactNode {
  if (typeof value === "string") return <span className="text-emerald-700 dark:text-emerald-300">{JSON.stringify(value)}</span>;
  if (typeof value === "number" || typeof value === "bigint") return <span className="text-sky-700 dark:text-sky-300">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-violet-700 dark:text-violet-300">{String(value)}</span>;
  if (value === undefined) return <span className="italic text-slate-500">no value</span>;
  return <span className="text-slate-500">null</span>;
}
