"use client";

import { useMemo, useState, type CSSProperties, type ReactNode } from "react";
import { plural } from "@/lib/dashboard/fire";
import { JSON_LINES_DEFAULTS, jsonLines, type JsonLine, type JsonPath } from "@/lib/dashboard/json-lines";

type OpenLine = Extract<JsonLine, { kind: "open" }>;

/** Lines indent one step per level down to this depth; deeper lines show their depth as a number. */
const MAX_INDENT = 24;
/** One level's indentation, as the nested tree had it (`ml-2` + `pl-3`), with its guide at 0.5rem. */
const STEP_REM = 1.25;
/** Room kept for a line's text however deep it is. */
const MIN_TEXT_REM = 12;
const NO_CHOICES: ReadonlyMap<JsonPath, boolean> = new Map();

/**
 * A value as a collapsible tree, rendered as a flat list of lines (see `jsonLines`): the DOM is as
 * deep for a 100,000-level payload as for `{}`, where one element per level overflowed the
 * browser's stack. Toggles are buttons, so they work from the keyboard and tell screen readers
 * whether they are expanded. Everything is rendered as React text: a payload such as
 * `<img src=x onerror=…>` shows as those characters.
 */
export function JsonTree({ value, label, openDepth = 2 }: { value: unknown; label?: string; openDepth?: number }) {
  // The choices belong to one value: another trace's payload starts again from openDepth.
  const [state, setState] = useState({ value, choices: NO_CHOICES });
  const choices = state.value === value ? state.choices : NO_CHOICES;
  const lines = useMemo(() => jsonLines(value, { openDepth, choices }), [value, openDepth, choices]);
  const toggle = (line: OpenLine) => setState({ value, choices: new Map(choices).set(line.path, !line.expanded) });

  return (
    <div className="overflow-x-auto font-mono text-xs leading-5" aria-label={label}>
      {lines.map((line) => (
        <div
          key={line.id}
          data-depth={line.depth}
          className="whitespace-pre-wrap break-all [--guide:var(--color-slate-200)] dark:[--guide:var(--color-slate-700)]"
          style={indentation(line.depth)}
        >
          {line.depth > MAX_INDENT ? (
            <span aria-hidden="true" title={`depth ${line.depth}`} className="mr-1 rounded bg-slate-100 px-1 text-[10px] text-slate-600 dark:bg-slate-800 dark:text-slate-400">
              {line.depth}
            </span>
          ) : null}
          <LineContent line={line} onToggle={toggle} />
        </div>
      ))}
    </div>
  );
}

/**
 * Padding for the depth (capped), with a thin guide per level where the nested tree drew its
 * borders. A deep line keeps room for its text and scrolls sideways rather than wrapping each
 * character in a narrow panel.
 */
function indentation(depth: number): CSSProperties | undefined {
  const levels = Math.min(depth, MAX_INDENT);
  if (levels === 0) return undefined;
  const width = `${levels * STEP_REM}rem`;
  return {
    paddingLeft: width,
    minWidth: `calc(${width} + ${MIN_TEXT_REM}rem)`,
    backgroundImage: `repeating-linear-gradient(to right, transparent 0 0.5rem, var(--guide) 0.5rem calc(0.5rem + 1px), transparent calc(0.5rem + 1px) ${STEP_REM}rem)`,
    backgroundSize: `${width} 100%`,
    backgroundRepeat: "no-repeat",
  };
}

function LineContent({ line, onToggle }: { line: JsonLine; onToggle: (line: OpenLine) => void }): ReactNode {
  switch (line.kind) {
    case "primitive":
      return (
        <>
          <Label text={line.label} />
          <Primitive value={line.value} />
        </>
      );
    case "empty":
      return (
        <>
          <Label text={line.label} />
          <span>{line.bracket === "[" ? "[]" : "{}"}</span>
        </>
      );
    case "open": {
      const isArray = line.bracket === "[";
      return (
        <button
          type="button"
          aria-expanded={line.expanded}
          onClick={() => onToggle(line)}
          className="cursor-pointer select-none rounded text-left hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          <span aria-hidden="true" className="text-slate-400">
            {line.expanded ? "▾ " : "▸ "}
          </span>
          <Label text={line.label} />
          <span>{line.bracket}</span>
          {line.expanded ? null : (
            <span className="text-slate-600 dark:text-slate-400">{` ${plural(line.childCount, isArray ? "item" : "key")} ${isArray ? "]" : "}"}`}</span>
          )}
        </button>
      );
    }
    case "close":
      return <span>{line.bracket}</span>;
    case "more":
      return <span className="text-slate-600 dark:text-slate-400">{`… ${line.hidden} more`}</span>;
    case "cut":
      return <span className="italic text-slate-600 dark:text-slate-400">{`… output cut after ${JSON_LINES_DEFAULTS.maxLines.toLocaleString("en")} lines`}</span>;
  }
}

function Label({ text }: { text: string | null }) {
  return text === null ? null : <span className="text-slate-600 dark:text-slate-400">{`${text}: `}</span>;
}

function Primitive({ value }: { value: unknown }): ReactNode {
  if (typeof value === "string") return <span className="text-emerald-700 dark:text-emerald-300">{JSON.stringify(value)}</span>;
  if (typeof value === "number" || typeof value === "bigint") return <span className="text-sky-700 dark:text-sky-300">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-violet-700 dark:text-violet-300">{String(value)}</span>;
  if (value === undefined) return <span className="italic text-slate-600 dark:text-slate-400">no value</span>;
  return <span className="text-slate-600 dark:text-slate-400">null</span>;
}
