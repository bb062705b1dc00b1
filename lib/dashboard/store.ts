import { createStore, type StoreApi } from "zustand/vanilla";
import type { DeclarationInfo } from "@/lib/events/core/declarations";
import type { ClusterInfo, DescribedName, TraceFrame } from "@/lib/events/protocol/frames";
import type { FireEntry } from "./fire-history";
import { toEditorText } from "./json-input";
import { examplePayload } from "./json-schema-form";
import { fireOnce, historyWith, type DashboardClient, type FireKind, type FireOutcome } from "./fire";
import type { OperatorClient } from "./operator";
import { createRateWindow } from "./rate-window";
import { applyDescribe, applyTraces, catalogOf, registryFromSnapshot, type Catalog, type Registry } from "./registry";
import { planReplay, replayRecording, type ReplayEnd, type ReplaySpeed } from "./recording-replay";
import { exportFileName, listToNdjson, parseRecording, Recording, RECORDING_LIMIT_BYTES, type RecordingHeader } from "./recording";
import { replayOnce } from "./replay";
import { createRing } from "./ring-buffer";
import { EMPTY_FILTERS, type TraceFilters } from "./trace-filters";
import { toTraceRow, type TraceRow } from "./trace-row";

/** Traces the dashboard keeps. @default 1000 */
export const TRACE_CAPACITY = 1_000;
/** Seconds the events-per-second chart spans. @default 60 */
export const CHART_SECONDS = 60;
/** Arrivals waiting for a frame beyond this are applied at once (a hidden tab gets no frames). */
const MAX_PENDING = 5_000;
/**
 * The registry's counters take arrivals at most this often (and on every `tick`): under heavy
 * traffic, re-rendering every counter on every frame costs more than it shows.
 */
const REGISTRY_EVERY_MS = 250;
/**
 * Under heavy traffic (this many traces arriving in one frame) the list is redrawn at most every
 * LIST_EVERY_MS: nobody reads 60 redraws a second of 170 new rows, and each costs the page a
 * layout of every visible row. Light traffic still shows each trace on the next frame.
 */
const BUSY_FRAME_TRACES = 20;
const LIST_EVERY_MS = 100;

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";
/** The fields of the client's StateDetail the dashboard uses. */
export interface ConnectionDetail {
  reason: string;
  retryInMs?: number;
  attempt?: number;
  instance?: string;
  startedAt?: number;
  closeCode?: number;
}

export interface DashboardState {
  /** Every declared name with its live counters. */
  registry: Registry;
  /** The registry's static part (flags, schemas): changes only when a declaration does. */
  catalog: Catalog;
  /** The traffic list, newest first; frozen while paused. */
  rows: readonly TraceRow[];
  /** Traces received since the page loaded or the list was cleared. */
  received: number;
  paused: boolean;
  arrivedWhilePaused: number;
  /** Traces the server dropped for this dashboard (gap frames for "*"); null count = unknown. */
  dropped: { count: number; unknown: boolean };
  filters: TraceFilters;
  selected: TraceRow | null;
  /** Traces per second, oldest first, the last CHART_SECONDS seconds; advanced by `tick` (once a second is enough for a chart). */
  rate: number[];
  /** The clock the panels show relative times against; advanced by `tick`. */
  now: number;
  connection: { state: ConnectionState; detail: ConnectionDetail; changedAt: number };
  server: { instance: string | null; startedAt: number | null };
  /** The cluster as the server's last `describe` told it (null before the first). */
  cluster: ClusterInfo | null;
  monitor: { status: "starting" | "active" | "unavailable"; message: string | null };
  client: DashboardClient | null;
  /** The monitor session's view of connections (null until it is a monitor). */
  operator: OperatorClient | null;
  /** What the Connections panel searches for (set by the registry's Browsers column too). */
  connectionsSearch: string;
  firing: boolean;
  outcome: FireOutcome | null;
  history: FireEntry[];
  /** What the Fire panel is about to send. */
  draft: { name: string; payload: string };
  /** Record keeps every trace until Stop (or its size limit), beyond the list's last 1,000. */
  recording: { status: "off" | "on" | "full"; count: number; bytes: number; limit: number };
  /** An imported file shown instead of the live list (read-only), or null for live traffic. */
  imported: { file: string; header: RecordingHeader } | null;
  /** Whether this server lets the dashboard replay a recording (development only). */
  recordingReplay: boolean;
  /** The replay of a recording (or of an imported file): how far it got, and how it ended. */
  playback: { status: "idle" | "running" | ReplayEnd["status"]; done: number; total: number; failed: number; skippedCut: number; lastError: string | null };
  actions: DashboardActions;
}

export interface DashboardActions {
  /** Queues a trace; queued traces are applied together once per animation frame. */
  receive(trace: TraceFrame): void;
  /** Applies what is queued now (the frame callback; tests call it directly). */
  flush(): void;
  pause(): void;
  resume(): void;
  clear(): void;
  setFilters(filters: Partial<TraceFilters>): void;
  select(row: TraceRow | null): void;
  tick(now: number): void;
  applyDescribe(described: { events: DescribedName[]; queries: DescribedName[]; cluster?: ClusterInfo }): void;
  setConnection(state: ConnectionState, detail: ConnectionDetail): void;
  noteGap(missed: number | null): void;
  setMonitor(status: DashboardState["monitor"]["status"], message?: string | null): void;
  setClient(client: DashboardClient | null): void;
  setOperator(operator: OperatorClient | null): void;
  /** Searches the Connections panel (the registry's Browsers column: a name's subscribers). */
  searchConnections(search: string): void;
  fire(kind: FireKind, name: string, payload: string): Promise<FireOutcome>;
  loadHistory(history: FireEntry[]): void;
  /** Chooses what to fire; without a payload, a starting one from its schema. */
  pick(name: string, payload?: string): void;
  editPayload(payload: string): void;
  /** Starts a new recording (dropping a previous one) or stops the current one. */
  startRecording(): void;
  stopRecording(): void;
  /** The file Export saves: the recording if there is one, else the traces in the list. */
  exportTraces(): { name: string; text: string };
  /** Shows an exported file in place of the live list; returns why it cannot, or null. */
  openImport(file: string, text: string): string | null;
  /** Back to the live list. */
  closeImport(): void;
  /** Fires the recording's (or the imported file's) triggers again, in order; resolves when it ends. */
  replayRecording(speed: ReplaySpeed): Promise<void>;
  stopReplay(): void;
  /** A row's Replay: the same name and payload again, marked as a replay of it; the outcome shows in the Fire panel. */
  replay(trace: TraceFrame): Promise<FireOutcome>;
  /** A row's "Edit and fire": its name and payload into the Fire panel's draft. */
  editTrace(trace: TraceFrame): void;
}

export interface DashboardInit {
  declarations: readonly DeclarationInfo[];
  subscribers: Readonly<Record<string, number>>;
  server: { instance: string | null; startedAt: number | null };
  filters?: TraceFilters;
  /** The server's clock when it rendered the page: the first `now`, so the server's HTML and the browser's first render agree. */
  renderedAt?: number;
  /** True on a development server: the dashboard may replay a recording. @default false */
  recordingReplay?: boolean;
}

/** How the store meets time: the browser's frames and clock, or a test's. */
export interface Scheduler {
  frame(callback: () => void): void;
  now(): number;
}

export const browserScheduler: Scheduler = {
  frame: (callback) => (typeof requestAnimationFrame === "function" ? requestAnimationFrame(() => callback()) : setTimeout(callback, 16)),
  now: () => Date.now(),
};

export type DashboardStore = StoreApi<DashboardState>;

/** One store per dashboard tree (created in its provider, never module-global). */
export function createDashboardStore(init: DashboardInit, scheduler: Scheduler = browserScheduler): DashboardStore {
  const ring = createRing<TraceRow>(TRACE_CAPACITY);
  const rate = createRateWindow(CHART_SECONDS);
  let pending: TraceFrame[] = [];
  let uncounted: TraceFrame[] = [];
  let countedAt = -Infinity;
  let scheduled = false;
  let seq = 0;
  let recorder: Recording | null = null;
  let replaying: AbortController | null = null;
  let listedAt = -Infinity;
  let listStale = false;
  const start = scheduler.now();

  return createStore<DashboardState>()((set, get) => {
    const scheduleFrame = () => {
      if (scheduled) return;
      scheduled = true;
      scheduler.frame(flush);
    };

    /** Whether the list may be redrawn now; when not, a later frame redraws it. */
    const listNow = (now: number, arrived: number): boolean => {
      if (arrived < BUSY_FRAME_TRACES || now - listedAt >= LIST_EVERY_MS) {
        listedAt = now;
        listStale = false;
        return true;
      }
      listStale = true;
      scheduleFrame();
      return false;
    };

    const flush = () => {
      scheduled = false;
      const now = scheduler.now();
      if (pending.length === 0) {
        if (listStale && listNow(now, BUSY_FRAME_TRACES)) set((state) => ({ rows: state.paused || state.imported ? state.rows : ring.newestFirst() }));
        return;
      }
      const batch = pending;
      pending = [];
      // Only the newest TRACE_CAPACITY can stay in the ring: older ones only count.
      const skipped = Math.max(0, batch.length - TRACE_CAPACITY);
      seq += skipped;
      for (let i = skipped; i < batch.length; i++) ring.push(toTraceRow(batch[i]!, ++seq, now));
      rate.add(now, batch.length);
      for (const trace of batch) uncounted.push(trace);
      const countNow = now - countedAt >= REGISTRY_EVERY_MS;
      const recorded = recorder && get().recording.status === "on" ? recordBatch(recorder, batch) : null;
      const redraw = listNow(now, batch.length);
      set((state) => ({
        ...(countNow ? { registry: takeUncounted(state.registry, now) } : {}),
        ...(recorded ? { recording: recorded } : {}),
        received: state.received + batch.length,
        rows: state.paused || state.imported || !redraw ? state.rows : ring.newestFirst(),
        arrivedWhilePaused: state.paused ? state.arrivedWhilePaused + batch.length : 0,
      }));
    };

    /** The registry with the traces not yet counted. */
    const takeUncounted = (registry: Registry, now: number): Registry => {
      countedAt = now;
      if (uncounted.length === 0) return registry;
      const traces = uncounted;
      uncounted = [];
      return applyTraces(registry, traces);
    };

    const actions: DashboardActions = {
      receive(trace) {
        pending.push(trace);
        if (pending.length >= MAX_PENDING) return flush();
        scheduleFrame();
      },
      flush,
      pause: () => set({ paused: true, arrivedWhilePaused: 0 }),
      resume: () => set((state) => ({ paused: false, arrivedWhilePaused: 0, rows: state.imported ? state.rows : ring.newestFirst() })),
      clear() {
        ring.clear();
        set({ rows: [], received: 0, arrivedWhilePaused: 0, selected: null, dropped: { count: 0, unknown: false }, imported: null });
      },
      setFilters: (filters) => set((state) => ({ filters: { ...state.filters, ...filters } })),
      select: (row) => set({ selected: row }),
      tick: (now) => set((state) => ({ now, rate: rate.series(now), registry: takeUncounted(state.registry, now) })),
      applyDescribe(described) {
        // The server's counters already include every trace that reached us before its answer:
        // apply what is queued, and count none of it again.
        flush();
        uncounted = [];
        set((state) => {
          const registry = applyDescribe(state.registry, described, scheduler.now());
          return { registry, catalog: catalogOf(registry, state.catalog), cluster: described.cluster ?? state.cluster };
        });
      },
      setConnection(state, detail) {
        const server = detail.instance ? { instance: detail.instance, startedAt: detail.startedAt ?? null } : get().server;
        set({ connection: { state, detail, changedAt: scheduler.now() }, server });
      },
      noteGap: (missed) =>
        set(({ dropped }) => ({ dropped: { count: dropped.count + (missed ?? 0), unknown: dropped.unknown || missed === null } })),
      setMonitor: (status, message = null) => set({ monitor: { status, message } }),
      setClient: (client) => set({ client }),
      setOperator: (operator) => set({ operator }),
      searchConnections: (connectionsSearch) => set({ connectionsSearch }),
      async fire(kind, name, payload) {
        const client = get().client;
        set({ firing: true });
        const outcome = client
          ? await fireOnce(client, kind, name, payload, () => performanceNow())
          : ({ ok: false, kind, name, latencyMs: 0, code: "unavailable", message: "Not connected to the server yet: wait for the badge to say connected" } as const);
        set((state) => ({ firing: false, outcome, history: historyWith(state.history, outcome, payload, scheduler.now()) }));
        return outcome;
      },
      loadHistory: (history) => set({ history }),
      pick: (name, payload) => set((state) => ({ draft: { name, payload: payload ?? starterPayload(state.catalog, name) } })),
      editPayload: (payload) => set((state) => ({ draft: { ...state.draft, payload } })),
      startRecording() {
        recorder = new Recording(RECORDING_LIMIT_BYTES);
        set({ recording: { status: "on", count: 0, bytes: 0, limit: recorder.limitBytes } });
      },
      stopRecording: () => set((state) => ({ recording: { ...state.recording, status: "off" } })),
      exportTraces() {
        const { server, imported, rows } = get();
        const exportedAt = new Date(scheduler.now());
        const instance = imported?.header.instance ?? server.instance;
        const text = recorder && recorder.count > 0 && !imported ? recorder.toNdjson(instance, exportedAt) : listToNdjson(rows.map((row) => row.trace), instance, exportedAt);
        return { name: exportFileName(instance, exportedAt), text };
      },
      openImport(file, text) {
        const parsed = parseRecording(text);
        if (!parsed.ok) return parsed.message;
        const now = scheduler.now();
        const rows = parsed.traces.map((trace) => toTraceRow(trace, ++seq, now)).reverse();
        set({ imported: { file, header: parsed.header }, rows, selected: null });
        return null;
      },
      closeImport: () => set({ imported: null, selected: null, rows: ring.newestFirst(), arrivedWhilePaused: 0 }),
      async replayRecording(speed) {
        const { operator, imported, rows, playback, recordingReplay } = get();
        if (!operator || !recordingReplay || playback.status === "running") return;
        const traces = imported ? rows.map((row) => row.trace) : (recorder?.traces() ?? []);
        const plan = planReplay(traces);
        const controller = new AbortController();
        replaying = controller;
        const base = { total: plan.triggers.length, skippedCut: plan.skippedCut, failed: 0, lastError: null };
        set({ playback: { status: "running", done: 0, ...base } });
        const end = await replayRecording(plan, operator, {
          speed,
          signal: controller.signal,
          onProgress: (progress) => set({ playback: { status: "running", skippedCut: plan.skippedCut, ...progress } }),
        });
        if (replaying === controller) replaying = null;
        set({ playback: { ...end, skippedCut: plan.skippedCut } });
      },
      stopReplay: () => replaying?.abort(),
      async replay(trace) {
        const client = get().client;
        set({ firing: true });
        const outcome = client
          ? await replayOnce(client, trace, () => performanceNow())
          : ({ ok: false, kind: trace.kind, name: trace.name, latencyMs: 0, code: "unavailable", message: "Not connected to the server yet: wait for the badge to say connected" } as const);
        set({ firing: false, outcome });
        return outcome;
      },
      editTrace: (trace) => set({ draft: { name: trace.name, payload: toEditorText(trace.data === undefined ? null : trace.data) } }),
    };
    const registry = registryFromSnapshot(init.declarations, init.subscribers, start);
    const firstName = defaultTarget(registry);

    return {
      registry,
      catalog: catalogOf(registry),
      rows: [],
      received: 0,
      paused: false,
      arrivedWhilePaused: 0,
      dropped: { count: 0, unknown: false },
      filters: init.filters ?? EMPTY_FILTERS,
      selected: null,
      rate: rate.series(start),
      now: init.renderedAt ?? start,
      connection: { state: "connecting", detail: { reason: "open" }, changedAt: start },
      server: init.server,
      cluster: null,
      monitor: { status: "starting", message: null },
      client: null,
      operator: null,
      connectionsSearch: "",
      firing: false,
      outcome: null,
      history: [],
      draft: { name: firstName, payload: starterPayload(registry, firstName) },
      recording: { status: "off", count: 0, bytes: 0, limit: RECORDING_LIMIT_BYTES },
      imported: null,
      recordingReplay: init.recordingReplay ?? false,
      playback: { status: "idle", done: 0, total: 0, failed: 0, skippedCut: 0, lastError: null },
      actions,
    };
  });
}

/** Adds a batch to the recording; its new figures, "full" once it took all it could. */
function recordBatch(recorder: Recording, batch: readonly TraceFrame[]): DashboardState["recording"] {
  const fits = recorder.add(batch);
  return { status: fits ? "on" : "full", count: recorder.count, bytes: recorder.bytes, limit: recorder.limitBytes };
}

/** The payload the editor starts with for `name`: an example from its schema, or nothing. */
export function starterPayload(catalog: Catalog, name: string): string {
  const entry = catalog[name];
  if (!entry) return "";
  const example = examplePayload(entry.schema);
  return toEditorText(example === undefined && entry.kind === "event" ? {} : example);
}

/** What the Fire panel offers first: a public event with a schema, else any name. */
function defaultTarget(catalog: Catalog): string {
  const entries = Object.values(catalog).sort((a, b) => a.name.localeCompare(b.name));
  return (entries.find((entry) => entry.kind === "event" && !entry.internal && entry.schema) ?? entries[0])?.name ?? "";
}

function performanceNow(): number {
  return typeof performance === "undefined" ? Date.now() : performance.now();
}
