// Shared class lists, so every panel's controls look and focus alike.

export const inputClass =
  "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 " +
  "dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500";

export type ButtonTone = "primary" | "secondary" | "danger";

const BUTTON_TONES: Record<ButtonTone, string> = {
  primary: "bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-700/50 dark:bg-sky-500 dark:text-slate-950 dark:hover:bg-sky-400",
  secondary:
    "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 disabled:opacity-50 " +
    "dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
  danger: "border border-rose-300 bg-white text-rose-700 hover:bg-rose-50 dark:border-rose-800 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-950",
};

export function buttonClass(tone: ButtonTone = "secondary", size: "sm" | "md" = "md"): string {
  const padding = size === "sm" ? "px-2 py-1 text-xs" : "px-3 py-1.5 text-sm";
  return `inline-flex items-center gap-1.5 rounded-md font-medium disabled:cursor-not-allowed ${padding} ${BUTTON_TONES[tone]}`;
}

export type BadgeTone = "neutral" | "public" | "internal" | "ok" | "error" | "warn" | "info";

const BADGE_TONES: Record<BadgeTone, string> = {
  neutral: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  public: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  internal: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300",
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  error: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
  warn: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300",
  info: "bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300",
};

export function badgeClass(tone: BadgeTone): string {
  return `inline-flex items-center rounded px-1.5 py-0.5 text-[11px] font-medium leading-none ${BADGE_TONES[tone]}`;
}

export const mutedText = "text-slate-600 dark:text-slate-400";
