"use client";

import { useRef, useState } from "react";
import { formatBytes } from "@/lib/dashboard/format";
import { IMPORT_LIMIT_BYTES } from "@/lib/dashboard/recording";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";

/** Record (every trace until Stop, bounded), Export (NDJSON) and Import (a read-only view). */
export function RecordingControls() {
  const recording = useDashboard((state) => state.recording);
  const importing = useDashboard((state) => state.imported !== null);
  const { startRecording, stopRecording, exportTraces, openImport } = useDashboardActions();
  const fileInput = useRef<HTMLInputElement>(null);
  const [importError, setImportError] = useState<string | null>(null);

  const download = () => {
    const { name, text } = exportTraces();
    const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.click();
    // The click has handed the blob to the download; the URL is not needed after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    // Checked before reading: a huge file would be read whole into memory just to be refused.
    if (file.size > IMPORT_LIMIT_BYTES) {
      setImportError(`${file.name} is ${formatBytes(file.size)}: the limit for an import is ${formatBytes(IMPORT_LIMIT_BYTES)}.`);
      return;
    }
    setImportError(openImport(file.name, await file.text()));
  };

  const on = recording.status === "on";
  return (
    <>
      {on ? (
        <button type="button" className={buttonClass("danger")} onClick={stopRecording}>
          <span aria-hidden className="size-2 animate-pulse rounded-full bg-rose-600" />
          Stop recording
        </button>
      ) : (
        <button type="button" className={buttonClass("secondary")} onClick={startRecording} disabled={importing} title="Keep every trace until Stop, beyond the list's last 1,000">
          Record
        </button>
      )}
      {recording.status !== "off" || recording.count > 0 ? (
        <p data-testid="recording-size" className={`text-xs ${recording.status === "full" ? "font-medium text-rose-700 dark:text-rose-300" : "text-slate-600 dark:text-slate-400"}`}>
          {recording.count.toLocaleString("en")} traces · {formatBytes(recording.bytes)} of {formatBytes(recording.limit)}
          {recording.status === "full" ? " · full: recording stopped" : ""}
        </p>
      ) : null}
      <button type="button" className={buttonClass("secondary")} onClick={download} title={recording.count > 0 ? "Save the recording as NDJSON" : "Save the traces in the list as NDJSON"}>
        Export
      </button>
      <button type="button" className={buttonClass("secondary")} onClick={() => fileInput.current?.click()}>
        Import…
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".ndjson,.jsonl,application/x-ndjson"
        className="sr-only"
        tabIndex={-1}
        aria-label="Import an exported NDJSON file"
        data-testid="import-file"
        onChange={(event) => {
          void readFile(event.target.files?.[0]);
          event.target.value = ""; // the same file can be chosen again after a fix
        }}
      />
      {importError ? (
        <p role="alert" className="basis-full text-xs font-medium text-rose-700 dark:text-rose-300">
          Import failed: {importError}
        </p>
      ) : null}
    </>
  );
}
