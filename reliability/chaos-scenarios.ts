/** The chaos scenarios, in the order they run and are reported (a module of its own: chaos.ts runs when imported). */
export const CHAOS_SCENARIOS = ["kill", "kill-redis", "term", "redis", "cut", "rolling", "failover"] as const;
export type ChaosScenarioKey = (typeof CHAOS_SCENARIOS)[number];
