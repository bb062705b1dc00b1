import { firstSnapshot } from "@/lib/dashboard/first-snapshot";
import { requestAccess } from "@/lib/dashboard/request-access";
import { AccessNotice, Code } from "./_components/access/access-notice";
import { LoginForm } from "./_components/access/login-form";
import { DashboardGrid } from "./_components/dashboard/dashboard-grid";
import { DashboardProvider } from "./_components/dashboard/dashboard-provider";

/**
 * The developer dashboard. This Server Component checks access, reads the first registry snapshot
 * and issues a short-lived monitor token; the live parts are client components fed by one store.
 */
export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { runtime, access, session } = await requestAccess();
  if (!runtime) {
    return (
      <AccessNotice title="The events server is not running">
        <p>
          The dashboard needs the app&apos;s own server: start it with <Code>npm run dev</Code> (or <Code>npm start</Code> after a build), not{" "}
          <Code>next dev</Code>.
        </p>
      </AccessNotice>
    );
  }
  if (access === "closed") {
    return (
      <AccessNotice title="The dashboard is closed">
        <p>
          closed: set <Code>EVENTS_DASHBOARD_TOKEN</Code> (16 characters or more) on the server to open it in production, then sign in here with that
          token.
        </p>
      </AccessNotice>
    );
  }
  if (access === "login") {
    return (
      <AccessNotice title="Sign in to the dashboard">
        <p>This production server protects its dashboard with a token.</p>
        <LoginForm />
      </AccessNotice>
    );
  }

  const { init, monitorToken } = firstSnapshot(runtime, await searchParams, session);
  return (
    <DashboardProvider init={init} monitorToken={monitorToken}>
      <DashboardGrid signedIn={session !== undefined} />
    </DashboardProvider>
  );
}
