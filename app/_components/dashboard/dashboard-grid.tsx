import { SignOutButton } from "../access/sign-out-button";
import { ClusterPanel } from "../cluster/cluster-panel";
import { ConnectionBadge } from "../connection/connection-badge";
import { ConnectionsPanel } from "../connections/connections-panel";
import { FirePanel } from "../fire/fire-panel";
import { RegistryPanel } from "../registry/registry-panel";
import { TrafficPanel } from "../traffic/traffic-panel";

/**
 * The dashboard's layout (a Server Component): the live panels are client leaves inside it.
 * `signedIn`: a production session, which the page offers to end.
 */
export function DashboardGrid({ signedIn = false }: { signedIn?: boolean }) {
  return (
    <main className="mx-auto flex max-w-[1600px] flex-col gap-4 px-4 py-4 sm:px-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">
            Dashboard<span className="sr-only"> · Webfluid Events</span>
          </h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">Declared events and queries, live traffic, and a place to fire test events.</p>
        </div>
        <div className="flex items-center gap-3">
          <ConnectionBadge />
          {signedIn ? <SignOutButton /> : null}
        </div>
      </div>
      <TrafficPanel />
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <RegistryPanel />
        <FirePanel />
      </div>
      <ConnectionsPanel />
      <ClusterPanel />
    </main>
  );
}
