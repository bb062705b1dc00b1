import type { BusSettings } from "../core/bus-types";
import type { EventsConfig } from "./keys";

/** The bus's settings from the validated configuration: the one mapping between the two. */
export function busSettingsOf(config: EventsConfig): Pick<BusSettings, "queueSize" | "historySize" | "requestTimeout" | "maxPayload"> {
  return {
    queueSize: config.queueSize,
    historySize: config.historySize,
    requestTimeout: config.requestTimeoutMs,
    maxPayload: config.maxPayload,
  };
}
