import { describe, expect, it } from "vitest";
import { callerFrames, nodeModuleLocator, projectPath, type StackFrame } from "./stack-frames";

const ROOT = "/srv/app";
const ESM_RUN: StackFrame = { file: "node:internal/modules/esm/module_job", fn: "ModuleJob.run", line: 325 };
const CJS_COMPILE: StackFrame = { file: "node:internal/modules/cjs/loader", fn: "Module._compile", line: 1730 };

describe("callerFrames", () => {
  it("starts at the caller of the function it is told to skip", () => {
    function register() {
      return callerFrames(register);
    }
    function someModuleTopLevel() {
      return register();
    }
    const frames = someModuleTopLevel();
    expect(frames[0]!.fn).toBe("someModuleTopLevel");
  });

  it("leaves Error.prepareStackTrace and Error.stackTraceLimit as it found them", () => {
    const { prepareStackTrace, stackTraceLimit } = Error;
    callerFrames(callerFrames);
    expect(Error.prepareStackTrace).toBe(prepareStackTrace);
    expect(Error.stackTraceLimit).toBe(stackTraceLimit);
  });
});

describe("nodeModuleLocator", () => {
  const locate = nodeModuleLocator(ROOT);

  it("names the ES module whose top level registers (as tsx runs it), without the query of a re-import", () => {
    expect(locate([{ file: "file:///srv/app/events/models.ts?wf-reload=3", fn: undefined, line: 1 }, ESM_RUN])).toBe("events/models.ts");
  });

  it("names the module whose top level called a helper that registers", () => {
    const frames = [{ file: "file:///srv/app/lib/helpers.ts", fn: "onModelCreated", line: 4 }, { file: "file:///srv/app/events/models.ts", fn: undefined, line: 9 }, ESM_RUN];
    expect(locate(frames)).toBe("events/models.ts");
  });

  it("names a CommonJS module's top level", () => {
    expect(locate([{ file: "/srv/app/events/legacy.cjs", fn: undefined, line: 3 }, CJS_COMPILE])).toBe("events/legacy.cjs");
  });

  it("finds no module for a registration made at run time", () => {
    const frames = [{ file: "file:///srv/app/app/api/models/route.ts", fn: "POST", line: 20 }, { file: "node:internal/process/task_queues", fn: "processTicksAndRejections", line: 95 }];
    expect(locate(frames)).toBeUndefined();
  });
});

describe("projectPath", () => {
  it("makes paths and file URLs inside the root relative, with forward slashes", () => {
    expect(projectPath("file:///srv/app/events/models.ts?v=2#x", ROOT)).toBe("events/models.ts");
    expect(projectPath("/srv/app/app/api/models/route.ts", ROOT)).toBe("app/api/models/route.ts");
  });

  it("keeps paths outside the root whole", () => {
    expect(projectPath("/srv/other/x.ts", ROOT)).toBe("/srv/other/x.ts");
    expect(projectPath("node:internal/modules/run_main", ROOT)).toBe("node:internal/modules/run_main");
  });
});
