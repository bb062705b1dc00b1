import type { AuthorizeHook } from "@/lib/events";

/**
 * For public events that pages may listen to but not trigger: a browser may subscribe, nothing
 * else. Server code and the dashboard (a monitor session) are not asked.
 */
export const subscribeOnly: AuthorizeHook = (action) => action === "subscribe";

/**
 * For presence-tracked events that only say who is there: a browser may subscribe (and so join)
 * and ask who is there, but not trigger them.
 */
export const watchOnly: AuthorizeHook = (action) => action === "subscribe" || action === "presence";
