import { describe, expect, it } from "vitest";
import { gapWindows, judge, type Acked, type ReaderEntry } from "./verdict";

/**
 * A run written as it happened: `trigger` acks ids, the reader's log records what its socket
 * delivered. One clock for both, one millisecond per step, as in a real run.
 */
function run() {
  let now = 1_000;
  const acked: Acked[] = [];
  const log: ReaderEntry[] = [];
  const range = (epoch: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => `${epoch}-${from + index}`);
  const script = {
    acked,
    log,
    /** The trigger's acks of these seqs of `epoch`. */
    trigger(epoch: string, from: number, to = from) {
      for (const id of range(epoch, from, to)) acked.push({ id, at: ++now });
      return script;
    },
    /** The reader's handler got these seqs of `epoch`. */
    receive(epoch: string, from: number, to = from) {
      for (const id of range(epoch, from, to)) log.push({ kind: "event", at: ++now, id });
      return script;
    },
    /** Acked and received, one after the other (a reader keeping up). */
    live(epoch: string, from: number, to = from) {
      for (let seq = from; seq <= to; seq++) script.trigger(epoch, seq).receive(epoch, seq);
      return script;
    },
    subscribed(last: string, recovered?: boolean) {
      log.push({ kind: "subscribed", at: ++now, last, ...(recovered === undefined ? {} : { recovered }) });
      return script;
    },
    gap(missed: number | null, reason: "history" | "overflow") {
      log.push({ kind: "gap", at: ++now, missed, reason });
      return script;
    },
    judge: () => judge(acked, log),
  };
  return script;
}

describe("judge", () => {
  describe("a gap answering a resubscribe", () => {
    it("reports an early loss as silent though a missed: null gap came much later for another disconnect", () => {
      // e1-5 is lost on a live connection, long before the server restarts.
      const verdict = run()
        .subscribed("e1-0")
        .live("e1", 1, 4)
        .trigger("e1", 5)
        .live("e1", 6, 500)
        .trigger("e1", 501, 503) // acked, then the server died before writing them
        .subscribed("e2-0", false)
        .gap(null, "history")
        .live("e2", 1, 10)
        .judge();
      expect(verdict).toMatchObject({ expected: 513, missing: 4, coveredByUnknownGap: 3, silent: 1 });
      expect(verdict.silentIds.map((event) => event.id)).toEqual(["e1-5"]);
    });

    it("covers, with missed: null, everything after the reader's last id and up to the resubscribe's last", () => {
      const verdict = run()
        .subscribed("e1-0")
        .live("e1", 1, 20)
        .trigger("e1", 21, 25) // the old server's last events, never written
        .trigger("e2", 1, 3) // the new server's first, before the reader is back
        .subscribed("e2-3", false)
        .gap(null, "history")
        .receive("e2", 1, 3)
        .live("e2", 4, 9)
        .judge();
      expect(verdict).toMatchObject({ missing: 5, coveredByUnknownGap: 5, silent: 0 });
    });

    it("does not cover a loss after the resubscribe's last", () => {
      const verdict = run()
        .subscribed("e1-0")
        .live("e1", 1, 20)
        .subscribed("e2-0", false)
        .gap(null, "history")
        .live("e2", 1, 5)
        .trigger("e2", 6) // lost on the new connection
        .live("e2", 7, 9)
        .judge();
      expect(verdict).toMatchObject({ missing: 1, silent: 1 });
      expect(verdict.silentIds[0]!.id).toBe("e2-6");
    });

    it("spends a counted gap on at most its count of missing events, the earliest first", () => {
      // Away from e-10 to e-20: the history kept only e-14..e-20, so the gap says 3.
      const verdict = run()
        .subscribed("e-0")
        .live("e", 1, 10)
        .trigger("e", 11, 20)
        .subscribed("e-20", false)
        .gap(3, "history")
        .receive("e", 14, 16)
        .receive("e", 18, 20) // e-17 should have been replayed: lost, though inside the window
        .live("e", 21, 30)
        .judge();
      expect(verdict).toMatchObject({ missing: 4, coveredByCountedGap: 3, silent: 1, overReported: 0 });
      expect(verdict.silentIds[0]!.id).toBe("e-17");
    });

    it("counts what a gap says beyond what is missing as over-reported", () => {
      const verdict = run().subscribed("e-0").live("e", 1, 10).trigger("e", 11, 12).subscribed("e-12", false).gap(5, "history").live("e", 13, 15).judge();
      expect(verdict).toMatchObject({ missing: 2, coveredByCountedGap: 2, silent: 0, overReported: 3 });
    });
  });

  describe("an overflow gap", () => {
    it("covers only the drops between the events around it, not an earlier loss of the connection", () => {
      const verdict = run()
        .subscribed("e-0")
        .live("e", 1, 10)
        .trigger("e", 11) // lost, nobody said so
        .live("e", 12, 50)
        .trigger("e", 51, 53) // dropped from a slow reader's queue
        .gap(3, "overflow")
        .live("e", 54, 60)
        .judge();
      expect(verdict).toMatchObject({ missing: 4, coveredByCountedGap: 3, silent: 1, overReported: 0 });
      expect(verdict.silentIds[0]!.id).toBe("e-11");
    });

    it("covers at most its count", () => {
      const verdict = run().subscribed("e-0").live("e", 1, 10).trigger("e", 11, 15).gap(2, "overflow").live("e", 16, 20).judge();
      expect(verdict).toMatchObject({ missing: 5, coveredByCountedGap: 2, silent: 3 });
      expect(verdict.silentIds.map((event) => event.id)).toEqual(["e-13", "e-14", "e-15"]);
    });
  });

  it("gives each of several reconnects its own window", () => {
    const verdict = run()
      .subscribed("e1-0")
      .live("e1", 1, 10)
      .trigger("e1", 11, 12) // first restart: lost, told
      .subscribed("e2-0", false)
      .gap(null, "history")
      .live("e2", 1, 10)
      .trigger("e2", 11) // lost on the second connection, never told
      .live("e2", 12, 20)
      .trigger("e2", 21, 23) // network cut: the history still had 24..25, not these
      .trigger("e2", 24, 25)
      .subscribed("e2-25", false)
      .gap(3, "history")
      .receive("e2", 24, 25)
      .live("e2", 26, 30)
      .trigger("e2", 31, 32) // second restart: lost, told
      .subscribed("e3-0", false)
      .gap(null, "history")
      .live("e3", 1, 5)
      .judge();
    expect(verdict).toMatchObject({ missing: 8, coveredByUnknownGap: 4, coveredByCountedGap: 3, silent: 1 });
    expect(verdict.silentIds[0]!.id).toBe("e2-11");
  });

  it("covers another instance's events of another history with the Redis adapter's live gap, by time and count", () => {
    // Reader on B; Redis lost: A delivers a~local ids to its own clients only, B its b~local ones;
    // Redis back (new history r2): A reserves 3 numbers for what it delivered alone, B's clients get a gap of 3.
    const verdict = run()
      .subscribed("r1-0")
      .live("r1", 1, 10)
      .trigger("a~local", 1, 3)
      .live("b~local", 1, 4)
      .live("r2", 1, 2)
      .gap(3, "history")
      .live("r2", 6, 10)
      .judge();
    expect(verdict).toMatchObject({ missing: 3, coveredByCountedGap: 3, silent: 0 });
  });

  it("counts received ids no trigger acked", () => {
    const verdict = run().subscribed("e-0").live("e", 1, 3).receive("e", 4).judge();
    expect(verdict).toMatchObject({ expected: 3, received: 3, unacked: 1, silent: 0 });
  });
});

describe("gapWindows", () => {
  it("opens a resubscribe's window at the reader's last id and closes it at the ok's last", () => {
    const { log } = run().subscribed("e1-0").live("e1", 1, 7).subscribed("e2-4", false).gap(null, "history");
    const [window] = gapWindows(log);
    expect(window).toMatchObject({ answers: "resubscribe", after: { id: "e1-7" }, upTo: { id: "e2-4", inclusive: true } });
  });

  it("starts from the first subscribe's last when the reader never received an event", () => {
    const { log } = run().subscribed("e1-5").subscribed("e2-0", false).gap(null, "history");
    expect(gapWindows(log)[0]).toMatchObject({ after: { id: "e1-5" } });
  });

  it("treats a history gap that does not follow a resubscribe's ok as a live one", () => {
    const { log } = run().subscribed("e-0").live("e", 1, 3).subscribed("e-3", true).live("e", 4, 5).gap(2, "history");
    expect(gapWindows(log)[0]).toMatchObject({ answers: "live", after: { id: "e-3" } });
  });
});
