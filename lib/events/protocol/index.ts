export * from "./frames";
export * from "./close-codes";
export { parseClientOp, type ParsedOp } from "./parse-op";
export { parseServerFrame } from "./parse-frame";
