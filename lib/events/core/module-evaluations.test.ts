import { describe, expect, it } from "vitest";
import { EventBus } from "./bus";
import { ConflictError } from "../shared/errors";
import { silentLogger } from "./logger";

/**
 * A bus that tracks modules, with a locator the test drives: `evaluate(module, body)` runs `body`
 * as one evaluation of `module` (its top level) and waits for the evaluation to end.
 */
function trackedBus() {
  const bus = new EventBus({ logger: silentLogger });
  let evaluating: string | undefined;
  const reloads = bus.trackModules(() => evaluating);
  const run = (module: string, body: () => void) => {
    evaluating = module;
    try {
      body();
    } finally {
      evaluating = undefined;
    }
  };
  const evaluate = async (module: string, body: () => void) => {
    run(module, body);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { bus, reloads, run, evaluate };
}

const handlersOf = (bus: EventBus, name: string) => bus.snapshot().find((info) => info.name === name)?.handlers;

describe("handlers registered while a module evaluates (development)", () => {
  it("are replaced when the module is evaluated again: after an edit, a trigger runs the new code once", async () => {
    const { bus, evaluate } = trackedBus();
    const seen: string[] = [];
    await evaluate("app/api/models/route.ts", () => bus.event("model:created", async function routeSideHandler(_) { seen.push("v1"); }));
    await evaluate("app/api/models/route.ts", () => bus.event("model:created", async function routeSideHandler(_) { seen.push("v2"); }));
    await bus.trigger("model:created", null);
    expect(seen).toEqual(["v2"]);
  });

  it("leave one handler after ten evaluations", async () => {
    const { bus, evaluate } = trackedBus();
    let runs = 0;
    for (let save = 1; save <= 10; save++) {
      await evaluate("events/models.ts", () => bus.event("model:created", (_) => void runs++));
    }
    expect(handlersOf(bus, "model:created")).toBe(1);
    await bus.trigger("model:created", null);
    expect(runs).toBe(1);
  });

  it("are removed when the module's new evaluation no longer registers them", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/demo.ts", () => {
      bus.query("health:check", function databaseHealth(_) { return "database"; }, { singleton: false });
      bus.query("health:check", function cacheHealth(_) { return "cache"; });
    });
    await evaluate("events/demo.ts", () => {
      bus.query("health:check", function databaseHealth(_) { return "database"; }, { singleton: false });
    });
    await expect(bus.request("health:check")).resolves.toEqual(["database"]);
  });

  it("are identified by their place in the module: a renamed handler replaces the old one, and keeps its place among other modules' handlers", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/a.ts", () => bus.query("search", function first(_) { return "a1"; }, { singleton: false }));
    await evaluate("events/b.ts", () => bus.query("search", function second(_) { return "b"; }));
    await evaluate("events/a.ts", () => bus.query("search", function renamed(_) { return "a2"; }, { singleton: false }));
    await expect(bus.request("search")).resolves.toEqual(["a2", "b"]);
  });

  it("count as two when one module registers the same source twice", async () => {
    const { bus, evaluate } = trackedBus();
    const twice = () => {
      for (let i = 0; i < 2; i++) bus.event("tick", (_) => {});
    };
    await evaluate("events/ticks.ts", twice);
    expect(handlersOf(bus, "tick")).toBe(2);
    await evaluate("events/ticks.ts", twice);
    expect(handlersOf(bus, "tick")).toBe(2);
  });

  it("are told apart by module: the same source in two modules is two handlers", async () => {
    const { bus, evaluate } = trackedBus();
    const register = () => bus.event("model:created", (data) => data);
    await evaluate("app/api/a/route.ts", register);
    await evaluate("app/api/b/route.ts", register);
    expect(handlersOf(bus, "model:created")).toBe(2);
  });

  it("keep a `key` across evaluations, and lose it when the module stops registering it", async () => {
    const { bus, evaluate } = trackedBus();
    const seen: string[] = [];
    await evaluate("events/audit.ts", () => bus.event("login", (_) => void seen.push("old"), { key: "audit" }));
    await evaluate("events/audit.ts", () => bus.event("login", (_) => void seen.push("new"), { key: "audit" }));
    await bus.trigger("login", null);
    expect(seen).toEqual(["new"]);
    await evaluate("events/audit.ts", () => bus.createSignal("login"));
    expect(handlersOf(bus, "login")).toBe(0);
  });

  it("replace a singleton query's handler, even renamed, without a conflict", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/models.ts", () => bus.query("model:count", function countAllModels(_) { return 1; }));
    await evaluate("events/models.ts", () => bus.query("model:count", function countModels(_) { return 2; }, { key: "count" }));
    await expect(bus.request("model:count")).resolves.toBe(2);
    expect(handlersOf(bus, "model:count")).toBe(1);
  });

  it("still refuse a second handler on a singleton from another module", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/models.ts", () => bus.query("model:count", function countAllModels(_) { return 1; }));
    await expect(evaluate("app/api/x/route.ts", () => bus.query("model:count", (_) => 2))).rejects.toThrow(
      '"model:count" is a singleton query and already has a handler (countAllModels in events/models.ts); it takes no second one',
    );
  });

  it("leave alone handlers registered at run time (outside any module's evaluation): those keep their source-text identity", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("app/api/x/route.ts", () => bus.event("x", function atLoad(_) {}));
    const register = () => bus.event("x", function perRequest(_) {});
    register();
    register();
    await evaluate("app/api/x/route.ts", () => bus.event("x", function atLoad(_) {}));
    expect(handlersOf(bus, "x")).toBe(2);
  });

  it("run the same module's copies (server.ts's and Next's) as one: the second evaluation replaces the first", async () => {
    const { bus, evaluate } = trackedBus();
    let runs = 0;
    const models = () => {
      bus.createSignal("model:created", { internal: false });
      bus.event("model:created", async function logNewModel(_) { runs++; });
    };
    await evaluate("events/models.ts", models);
    await evaluate("events/models.ts", models);
    await bus.trigger("model:created", null);
    expect(runs).toBe(1);
  });

  it("group the registrations of one turn of the event loop into one evaluation", async () => {
    const { bus, run } = trackedBus();
    run("events/models.ts", () => bus.event("a", (_) => {}));
    run("events/models.ts", () => bus.event("a", (_) => {}));
    await new Promise((resolve) => setImmediate(resolve));
    expect(handlersOf(bus, "a")).toBe(2);
  });
});

describe("declarations made while a module evaluates (development)", () => {
  it("take the new flags when the declaring module is evaluated again: internal becomes public", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/demo.ts", () => bus.createSignal("cache:warmed", { internal: true, description: "old" }));
    await evaluate("events/demo.ts", () => bus.createSignal("cache:warmed", { internal: false }));
    expect(bus.snapshot()[0]).toMatchObject({ name: "cache:warmed", internal: false, description: null });
  });

  it("read as on a fresh start: flags left out fall back to their defaults", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/demo.ts", () => bus.createSignal("demo:ping", { internal: false, singleton: true }));
    await evaluate("events/demo.ts", () => bus.createSignal("demo:ping"));
    expect(bus.snapshot()[0]).toMatchObject({ internal: true, singleton: false });
  });

  it("may become a singleton when the module's own handler is the only one", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/jobs.ts", () => {
      bus.createSignal("job:run");
      bus.event("job:run", (_) => 1);
      bus.event("job:run", (_) => 2);
    });
    await evaluate("events/jobs.ts", () => {
      bus.createSignal("job:run", { singleton: true });
      bus.event("job:run", (_) => 1);
    });
    expect(bus.snapshot()[0]).toMatchObject({ singleton: true, handlers: 1 });
  });

  it("cannot become a singleton while other modules' handlers are more than one", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/jobs.ts", () => bus.createSignal("job:run"));
    await evaluate("app/api/a/route.ts", () => bus.event("job:run", function first(_) {}));
    await evaluate("app/api/b/route.ts", () => bus.event("job:run", function second(_) {}));
    await expect(evaluate("events/jobs.ts", () => bus.createSignal("job:run", { singleton: true }))).rejects.toThrow(
      '"job:run" cannot become a singleton event in events/jobs.ts: it has 2 handlers (first, second)',
    );
  });

  it("conflict, naming both declarations and their modules, when another module declares other flags", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/models.ts", () => bus.createSignal("model:created", { internal: false }));
    const attempt = evaluate("app/api/x/route.ts", () => bus.event("model:created", (_) => {}, { internal: true }));
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(evaluate("app/api/x/route.ts", () => bus.event("model:created", (_) => {}, { internal: true }))).rejects.toThrow(
      '"model:created" is already declared as an event { internal: false, singleton: false } in events/models.ts; it cannot be re-declared as an event { internal: true, singleton: false } in app/api/x/route.ts',
    );
  });

  it("leave the module's handlers in place when its new evaluation is refused (a conflict): the fixed file replaces them", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/models.ts", () => bus.createSignal("model:created", { internal: false }));
    await evaluate("app/api/x/route.ts", () => bus.event("model:created", function routeSideHandler(_) {}));
    await expect(evaluate("app/api/x/route.ts", () => bus.createSignal("model:created", { internal: true }))).rejects.toThrow(ConflictError);
    expect(handlersOf(bus, "model:created")).toBe(1);
    await evaluate("app/api/x/route.ts", () => bus.event("model:created", function routeSideHandler(_) {}));
    expect(handlersOf(bus, "model:created")).toBe(1);
  });

  it("cannot change kind on a reload: the conflict asks for a restart", async () => {
    const { bus, evaluate } = trackedBus();
    await evaluate("events/models.ts", () => bus.createSignal("model:count"));
    await expect(evaluate("events/models.ts", () => bus.createQuery("model:count"))).rejects.toThrow(
      /"model:count" is declared as an event .* in events\/models\.ts; its new evaluation declares it as a query .*restart it/,
    );
  });
});

describe("reevaluate (a dev server re-importing modules itself)", () => {
  it("removes, once the import settles, what the modules in scope registered before and not now", async () => {
    const { bus, reloads, evaluate, run } = trackedBus();
    await evaluate("events/models.ts", () => {
      bus.event("model:created", function logNewModel(_) {});
      bus.event("model:created", function auditNewModel(_) {});
    });
    const outcome = await reloads.reevaluate(
      (module) => module.startsWith("events/"),
      async () => {
        run("events/models.ts", () => bus.event("model:created", function logNewModel(_) {}));
        // An import takes more than one turn of the event loop: the evaluation stays open.
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(handlersOf(bus, "model:created")).toBe(2);
      },
    );
    expect(handlersOf(bus, "model:created")).toBe(1);
    expect(outcome).toEqual({ modules: ["events/models.ts"], removed: [{ name: "model:created", label: "auditNewModel", module: "events/models.ts" }] });
  });

  it("removes every handler of a module in scope that is no longer evaluated (a file taken out of the index)", async () => {
    const { bus, reloads, evaluate, run } = trackedBus();
    await evaluate("events/models.ts", () => bus.event("model:created", function logNewModel(_) {}));
    await evaluate("events/old.ts", () => bus.event("model:created", function legacy(_) {}));
    await reloads.reevaluate(
      (module) => module.startsWith("events/"),
      async () => run("events/models.ts", () => bus.event("model:created", function logNewModel(_) {})),
    );
    expect(handlersOf(bus, "model:created")).toBe(1);
  });

  it("leaves modules out of scope alone", async () => {
    const { bus, reloads, evaluate } = trackedBus();
    await evaluate("app/api/x/route.ts", () => bus.event("model:created", function routeSideHandler(_) {}));
    await reloads.reevaluate((module) => module.startsWith("events/"), async () => {});
    expect(handlersOf(bus, "model:created")).toBe(1);
  });

  it("removes nothing when the import throws, and rethrows", async () => {
    const { bus, reloads, evaluate, run } = trackedBus();
    await evaluate("events/models.ts", () => {
      bus.event("model:created", function logNewModel(_) {});
      bus.event("model:created", function auditNewModel(_) {});
    });
    const reload = reloads.reevaluate(
      (module) => module.startsWith("events/"),
      async () => {
        run("events/models.ts", () => bus.event("model:created", function logNewModel(_) {}));
        throw new SyntaxError("Unexpected token");
      },
    );
    await expect(reload).rejects.toThrow(SyntaxError);
    expect(handlersOf(bus, "model:created")).toBe(2);
    // The next good reload cleans up.
    await reloads.reevaluate(
      (module) => module.startsWith("events/"),
      async () => run("events/models.ts", () => bus.event("model:created", function logNewModel(_) {})),
    );
    expect(handlersOf(bus, "model:created")).toBe(1);
  });
});

describe("a bus that does not track modules (production)", () => {
  it("identifies handlers by their source text, as before", async () => {
    const bus = new EventBus({ logger: silentLogger });
    const register = () => bus.event("model:created", function onCreated(data) { return data; });
    register();
    await new Promise((resolve) => setImmediate(resolve));
    register();
    expect(handlersOf(bus, "model:created")).toBe(1);
  });
});
