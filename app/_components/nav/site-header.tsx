import { ThemeToggle } from "../theme/theme-toggle";
import { NavLinks } from "./nav-links";

/** The bar on every page: the app's name, its pages, and the theme. */
export function SiteHeader() {
  return (
    <header className="border-b border-slate-200 bg-white/80 dark:border-slate-800 dark:bg-slate-950/80">
      <nav aria-label="Main" className="mx-auto flex max-w-[1600px] items-center gap-4 px-4 py-2 sm:px-6">
        <span className="font-semibold tracking-tight">Webfluid Events</span>
        <NavLinks />
        <div className="ml-auto">
          <ThemeToggle />
        </div>
      </nav>
    </header>
  );
}
