"use client";

import { useState } from "react";
import { REPLAY_SPEEDS, type ReplaySpeed } from "@/lib/dashboard/recording-replay";
import type { DashboardState } from "@/lib/dashboard/store";
import { buttonClass, inputClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";

const SPEED_LABELS: Record<string, string> = { "1": "as recorded", "2": "2× faster", "10": "10× faster", instant: "no waits" };

/**
 * Fires a recording's (or an imported file's) triggers again into this server: development only.
 * On a production server the control is absent, and the server refuses such triggers anyway.
 */
export function ReplayRecording() {
  const allowed = useDashboard((state) => state.recordingReplay);
  const hasTraces = useDashboard((state) => state.imported !== null || (state.recording.count > 0 && state.recording.status !== "on"));
  const playback = useDashboard((state) => state.playback);
  const { replayRecording, stopReplay } = useDashboardActions();
  const [speed, setSpeed] = useState<ReplaySpeed>(1);
  if (!allowed || (!hasTraces && playback.status === "idle")) return null;

  const running = playback.status === "running";
  return (
    <div className="flex items-end gap-2" role="group" aria-label="Replay recording">
      <label className="flex flex-col text-[11px] font-medium text-slate-600 dark:text-slate-400">
        Speed
        <select
          value={String(speed)}
          disabled={running}
          onChange={(event) => setSpeed(REPLAY_SPEEDS.find((option) => String(option) === event.target.value) ?? 1)}
          className={`${inputClass} py-1`}
        >
          {REPLAY_SPEEDS.map((option) => (
            <option key={String(option)} value={String(option)}>
              {SPEED_LABELS[String(option)]}
            </option>
          ))}
        </select>
      </label>
      {running ? (
        <button type="button" className={buttonClass("danger")} onClick={stopReplay}>
          Stop replay
        </button>
      ) : (
        <button type="button" className={buttonClass("secondary")} disabled={!hasTraces} onClick={() => void replayRecording(speed)} title="Fire the recorded triggers again, in order, into this development server">
          Replay recording
        </button>
      )}
      <ReplayStatus playback={playback} />
    </div>
  );
}

function ReplayStatus({ playback }: { playback: DashboardState["playback"] }) {
  if (playback.status === "idle") return null;
  const verb = { running: "Replaying", done: "Replayed", stopped: "Stopped after", refused: "Refused after" }[playback.status];
  const parts = [`${verb} ${playback.done} of ${playback.total} triggers`];
  if (playback.failed) parts.push(`${playback.failed} failed (${playback.lastError})`);
  if (playback.skippedCut) parts.push(`${playback.skippedCut} left out: their payload was too large to keep in the trace`);
  return (
    <p data-testid="replay-status" className={`text-xs ${playback.status === "refused" || playback.failed ? "text-rose-700 dark:text-rose-300" : "text-slate-600 dark:text-slate-400"}`}>
      {parts.join(" · ")}
    </p>
  );
}
