import type { ReactNode } from "react";
import { badgeClass, type BadgeTone } from "./styles";

export function Badge({ tone = "neutral", children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={badgeClass(tone)} title={title}>
      {children}
    </span>
  );
}

/** internal / public, and singleton where it applies. */
export function FlagBadges({ internal, singleton }: { internal: boolean; singleton?: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {internal ? (
        <Badge tone="internal" title="Server and dashboard only: browsers never see it">
          internal
        </Badge>
      ) : (
        <Badge tone="public" title="Browsers may subscribe to it">
          public
        </Badge>
      )}
      {singleton ? (
        <Badge tone="info" title="One handler answers: request resolves to its value">
          singleton
        </Badge>
      ) : null}
    </span>
  );
}
