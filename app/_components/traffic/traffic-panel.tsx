import { Panel } from "../ui/panel";
import { ImportedBanner } from "./imported-banner";
import { RateChart } from "./rate-chart";
import { TraceDetail } from "./trace-detail";
import { TrafficList } from "./traffic-list";
import { TrafficStats } from "./traffic-stats";
import { TrafficToolbar } from "./traffic-toolbar";

/** Live traffic: a Server Component that lays out the live (client) parts. */
export function TrafficPanel() {
  return (
    <Panel id="traffic" title="Live traffic" description="Every trigger and request in the app, internal ones included" actions={<TrafficStats />}>
      <RateChart />
      <TrafficToolbar />
      <ImportedBanner />
      <div className="grid min-h-0 grid-cols-1 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <TrafficList />
        <div className="border-t border-slate-200 lg:border-l lg:border-t-0 dark:border-slate-800">
          <TraceDetail />
        </div>
      </div>
    </Panel>
  );
}
