/**
 * Where a JSON text first goes wrong, and why, in words that do not depend on the browser engine
 * (V8 names no position for "Unexpected token"). Only called after JSON.parse has failed.
 */
export interface JsonSyntaxError {
  /** Character offset of the problem. */
  offset: number;
  message: string;
}

class Stop extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

export function findJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const describe = (at: number) => (at >= text.length ? "the end of the text" : `${JSON.stringify(text[at])}`);
  const fail = (message: string): never => {
    throw new Stop(i, `${message}, found ${describe(i)}`);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("Expected a value");
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') {
      const char = text[i]!;
      if (char < " ") fail("Unescaped control character in a string");
      if (char === "\\") {
        i++;
        if (text[i] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail("Bad escape in a string");
      }
      i++;
    }
    if (i >= text.length) fail("Unterminated string");
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail("Expected a value");
    i += match![0].length;
  };
  /**
   * One value, containers included, with an explicit stack of the open ones instead of recursion:
   * a text of 100,000 `[` must get its message, not a stack overflow.
   */
  const value = (): void => {
    const open: string[] = [];
    for (;;) {
      space();
      const char = text[i];
      if (char === "{" || char === "[") {
        const close = char === "{" ? "}" : "]";
        i++;
        space();
        if (text[i] === close) {
          i++;
        } else {
          open.push(close);
          if (close === "}") key();
          continue;
        }
      } else if (char === '"') string();
      else if (char === "t") literal("true");
      else if (char === "f") literal("false");
      else if (char === "n") literal("null");
      else number();
      // A value ended: close every container it completes, or go on to the next item.
      for (;;) {
        const close = open.at(-1);
        if (close === undefined) return;
        space();
        if (text[i] === ",") {
          i++;
          if (close === "}") key();
          break;
        }
        if (text[i] === close) {
          i++;
          open.pop();
          continue;
        }
        fail(`Expected ',' or '${close}'`);
      }
    }
  };
  /** A property name and its colon; the value follows. */
  const key = () => {
    space();
    if (text[i] !== '"') fail("Expected a property name in double quotes");
    string();
    space();
    if (text[i] !== ":") fail("Expected ':' after a property name");
    i++;
  };
  try {
    value();
    space();
    if (i < text.length) fail("Unexpected text after the JSON value");
    return null;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, message: error.message };
    throw error;
  }
}
