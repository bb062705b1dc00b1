/**
 * A JSON value as the flat list of lines the dashboard's tree shows, so that a value of any depth
 * renders as a list of siblings: a renderer that nests one element per level overflows the
 * browser's stack (a 4 KB payload of 2,040 nested arrays crashed the tab). The walk keeps its own
 * stack, so no depth overflows it either; nothing here recurses over the value.
 *
 * @example
 * jsonLines({ a: [1] }).map((line) => line.kind); // ["open", "open", "primitive", "close", "close"]
 */

/** Where a value sits: `$` for the root, then `/` and the child's position, one per level (`$/0/2`). */
export type JsonPath = string;

interface LineBase {
  /** Unique among the lines (a list key): the path, with a suffix for closing and "more" lines. */
  id: string;
  /** The path of the value the line belongs to (stable while the value is the same). */
  path: JsonPath;
  /** 0 for the root. */
  depth: number;
  /** `"name"` (as JSON) for an object's property; null for the root and array items. */
  label: string | null;
}

export type JsonLine =
  /** The first line of a non-empty object or array; its children and closing line follow when expanded. */
  | (LineBase & { kind: "open"; bracket: "[" | "{"; childCount: number; expanded: boolean })
  /** `[]` or `{}`. */
  | (LineBase & { kind: "empty"; bracket: "[" | "{" })
  /** A string, number, boolean, null, or anything else that is not an object. */
  | (LineBase & { kind: "primitive"; value: unknown })
  /** The closing bracket of an expanded container, at the container's depth. */
  | (LineBase & { kind: "close"; bracket: "]" | "}" })
  /** After the first `maxChildren` children: how many more there are. */
  | (LineBase & { kind: "more"; hidden: number })
  /** The last line when the value has more lines than `maxLines`. */
  | (LineBase & { kind: "cut" });

export interface JsonLinesOptions {
  /**
   * Containers shallower than this start expanded, deeper ones collapsed.
   * @default 2
   */
  openDepth?: number;
  /** What the user chose, by path: `true` expanded, `false` collapsed; other containers follow `openDepth`. */
  choices?: ReadonlyMap<JsonPath, boolean>;
  /**
   * Children shown per object or array before a "… n more" line.
   * @default 200
   */
  maxChildren?: number;
  /**
   * Lines before the rest is cut (then one "cut" line ends the list), so that a huge value
   * cannot freeze the page.
   * @default 5000
   */
  maxLines?: number;
}

export const JSON_LINES_DEFAULTS = { openDepth: 2, maxChildren: 200, maxLines: 5_000 } as const;

export const ROOT_PATH: JsonPath = "$";

/** An expanded container being walked: `next` is the position of its next child. */
interface Frame {
  container: object;
  /** An object's keys (null for an array). */
  keys: string[] | null;
  count: number;
  shown: number;
  next: number;
  moreShown: boolean;
  depth: number;
  path: JsonPath;
  close: "]" | "}";
}

/**
 * Flattens `value` into display lines (see `JsonLinesOptions`). The work is bounded by the lines
 * returned, each costing about its depth (its path), plus the keys of each object met.
 */
export function jsonLines(value: unknown, options: JsonLinesOptions = {}): JsonLine[] {
  const { openDepth, maxChildren, maxLines } = { ...JSON_LINES_DEFAULTS, ...options };
  const choices = options.choices;
  const lines: JsonLine[] = [];
  const frames: Frame[] = [];

  // Adds the line of one value; an expanded container also gets a frame, walked by the loop below.
  const visit = (item: unknown, depth: number, path: JsonPath, label: string | null) => {
    if (item === null || typeof item !== "object") {
      lines.push({ kind: "primitive", id: path, path, depth, label, value: item });
      return;
    }
    const keys = Array.isArray(item) ? null : Object.keys(item);
    const count = keys === null ? (item as unknown[]).length : keys.length;
    const bracket = keys === null ? "[" : "{";
    if (count === 0) {
      lines.push({ kind: "empty", id: path, path, depth, label, bracket });
      return;
    }
    const expanded = choices?.get(path) ?? depth < openDepth;
    lines.push({ kind: "open", id: path, path, depth, label, bracket, childCount: count, expanded });
    if (!expanded) return;
    frames.push({ container: item, keys, count, shown: Math.min(count, maxChildren), next: 0, moreShown: false, depth, path, close: keys === null ? "]" : "}" });
  };

  visit(value, 0, ROOT_PATH, null);
  // One line per turn, so the cap is checked before every line.
  while (frames.length > 0) {
    if (lines.length >= maxLines) {
      lines.push({ kind: "cut", id: `${ROOT_PATH}:cut`, path: ROOT_PATH, depth: 0, label: null });
      break;
    }
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.shown) {
      const index = frame.next++;
      const key = frame.keys?.[index];
      const child = key === undefined ? (frame.container as unknown[])[index] : (frame.container as Record<string, unknown>)[key];
      visit(child, frame.depth + 1, `${frame.path}/${index}`, key === undefined ? null : JSON.stringify(key));
    } else if (frame.count > frame.shown && !frame.moreShown) {
      frame.moreShown = true;
      lines.push({ kind: "more", id: `${frame.path}:more`, path: frame.path, depth: frame.depth + 1, label: null, hidden: frame.count - frame.shown });
    } else {
      frames.pop();
      lines.push({ kind: "close", id: `${frame.path}:close`, path: frame.path, depth: frame.depth, label: null, bracket: frame.close });
    }
  }
  return lines;
}
