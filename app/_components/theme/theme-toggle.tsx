"use client";

import { useEffect, useSyncExternalStore } from "react";
import { isDark, parseThemeChoice, THEME_CHOICES, THEME_STORAGE_KEY, type ThemeChoice } from "@/lib/dashboard/theme";

const CHANGED = "wf-theme-change";
const DARK_QUERY = "(prefers-color-scheme: dark)";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

function readChoice(): ThemeChoice {
  try {
    return parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return "system";
  }
}

function apply(choice: ThemeChoice): void {
  const dark = isDark(choice, matchMedia(DARK_QUERY).matches);
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
}

/** System, light or dark; remembered in localStorage and applied before paint by the layout's script. */
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readChoice, () => "system" as const);

  useEffect(() => {
    apply(choice);
    if (choice !== "system") return;
    const media = matchMedia(DARK_QUERY);
    const follow = () => apply("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);

  const choose = (next: ThemeChoice) => {
    try {
      localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
    apply(next);
    window.dispatchEvent(new Event(CHANGED));
  };

  return (
    <div role="group" aria-label="Theme" className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700">
      {THEME_CHOICES.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={choice === option}
          onClick={() => choose(option)}
          className={`rounded px-2 py-0.5 text-xs font-medium capitalize ${
            choice === option ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
          }`}
        >
          {option}
        </button>
      ))}
    </div>
  );
}
