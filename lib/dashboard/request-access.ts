// Server only: reads the request's cookies and the running server (a Client Component importing it fails to build).
import "server-only";
import { cookies } from "next/headers";
import { currentRuntime, type AppRuntime } from "@/lib/app-server/runtime";
import { dashboardAccess, type AccessGrant } from "./access";
import { SESSION_COOKIE } from "./session";

/** The running server and whether this request may use the dashboard (Server Components and route handlers). */
export async function requestAccess(): Promise<({ runtime: AppRuntime } & AccessGrant) | { runtime: undefined; access: "closed"; session: undefined }> {
  const runtime = currentRuntime();
  if (!runtime) return { runtime: undefined, access: "closed", session: undefined };
  const cookie = (await cookies()).get(SESSION_COOKIE)?.value;
  const grant = await dashboardAccess(
    { production: runtime.production, dashboardToken: runtime.config.dashboardToken, secretKey: runtime.config.secretKey },
    cookie,
    runtime.sessions,
  );
  return { runtime, ...grant };
}
